package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// pgvectorStandIns creates base types named as pgvector's (the extension is
// not packaged for Debian's PostgreSQL here) whose input and output are
// text's: the connector finds them in the catalog by name, as it finds
// pgvector's, and reads the text forms pgvector writes, which the rows
// hold verbatim.
func pgvectorStandIns() string {
	var b strings.Builder
	for _, name := range []string{"vector", "halfvec", "sparsevec"} {
		fmt.Fprintf(&b, `CREATE TYPE public.%[1]s;
CREATE FUNCTION public.%[1]s_in(cstring) RETURNS public.%[1]s LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION public.%[1]s_out(public.%[1]s) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE TYPE public.%[1]s (INPUT = public.%[1]s_in, OUTPUT = public.%[1]s_out, INTERNALLENGTH = VARIABLE, STORAGE = extended);
`, name)
	}
	return b.String()
}

const (
	pgvectorDDL = `CREATE TABLE public.vec(id int PRIMARY KEY,
		v vector, v_nn vector NOT NULL, h halfvec, s sparsevec, v_arr vector[])`
	// pgvectorValues are pgvector 0.8's text output of the values.
	pgvectorValues = `'[1,2.5,-3e-05]', '[0]', '[0.5,65504,-2]', '{1:1.5,3:2,5:-1}/10', '{"[1,2]",NULL,"[3]"}'`
	pgvectorNulls  = `NULL, '[0]', NULL, NULL, NULL`
)

// TestPgvectorTypes snapshots and streams vector, halfvec, sparsevec and
// vector[] columns and checks their JsonConverter schemas and values
// against the golden file written from Debezium's SchemaFactory and
// Vectors.
func TestPgvectorTypes(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, pgvectorStandIns(), pgvectorDDL,
		`INSERT INTO public.vec VALUES (1, `+pgvectorValues+`), (2, `+pgvectorNulls+`)`)
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	raw, err := os.ReadFile("testdata/types/pgvector.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Columns []map[string]any `json:"columns"`
		Values  map[string]any   `json:"values"`
		Nulls   map[string]any   `json:"nulls"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, pg, map[string]string{
		"table.include.list": "public.vec",
		"slot.name":          "pgvector",
		"publication.name":   "pgvector",
	})
	h.start()
	recs := h.poll(2)
	if _, err := conn.Exec(t.Context(), `INSERT INTO public.vec VALUES (3, `+pgvectorValues+`), (4, `+pgvectorNulls+`)`); err != nil {
		t.Fatal(err)
	}
	recs = append(recs, h.poll(2)...)
	for i, r := range recs {
		path := []string{"snapshot", "streaming"}[i/2]
		want := []map[string]any{golden.Values, golden.Nulls}[i%2]
		fields, after := renderAfter(t, r)
		for _, f := range golden.Columns {
			col := f["field"].(string)
			if !reflect.DeepEqual(fields[col], f) {
				got, _ := json.Marshal(fields[col])
				w, _ := json.Marshal(f)
				t.Errorf("%s %s schema:\n got %s\nwant %s", path, col, got, w)
			}
			if !reflect.DeepEqual(after[col], want[col]) {
				got, _ := json.Marshal(after[col])
				w, _ := json.Marshal(want[col])
				t.Errorf("%s row %v %s: got %s, want %s", path, after["id"], col, got, w)
			}
		}
	}
}
