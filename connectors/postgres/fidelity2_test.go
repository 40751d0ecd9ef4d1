package postgres_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// hstoreFortyOrder is the key order java.util.HashMap (JDK 17) iterates
// after "put(key, value)" for "x00".."x39" in that order, which is the
// order PostgreSQL writes them and pgjdbc's HStoreConverter puts them.
const hstoreFortyOrder = "x09,x08,x30,x10,x32,x31,x12,x34,x11,x33,x14,x36,x13,x35,x16,x38,x15,x37,x18,x17," +
	"x39,x19,x21,x20,x01,x23,x00,x22,x03,x25,x02,x24,x05,x27,x04,x26,x07,x29,x06,x28"

// TestArraysHstoreAndMappersLikeDebezium checks, in the snapshot and in
// streaming alike: multi-dimensional arrays flattened into the column's
// one-dimensional array schema, explicit lower bounds skipped and NULL
// elements kept; hstore map mode written in HashMap order by the JSON and
// Avro converters; column.mask.with.* writing its mask for NULL; and
// column.truncate.to.* cutting bytea (bytes mode) and json values.
func TestArraysHstoreAndMappersLikeDebezium(t *testing.T) {
	pg := pgtest.Start(t)
	var kv []string
	for i := range 40 {
		kv = append(kv, fmt.Sprintf(`"x%02d"=>"v%d"`, i, i))
	}
	row := func(id int) string {
		return fmt.Sprintf(`INSERT INTO public.f2 VALUES (%d, '{{1,2},{3,NULL}}', '{{"a b","c"},{"d",NULL}}',
			'[0:1]={7,8}', '%s', NULL, '\x0102030405', '{"k": "value"}')`, id, strings.Join(kv, ", "))
	}
	pg.Exec(t, `CREATE EXTENSION hstore`,
		`CREATE TABLE public.f2(id int PRIMARY KEY, ia int[][], ta text[][], lb int[], h hstore,
			note text, blob bytea, doc json)`, row(1))
	h := newHarness(t, pg, map[string]string{
		"table.include.list":               "public.f2",
		"hstore.handling.mode":             "map",
		"column.mask.with.3.chars":         "public.f2.note",
		"column.truncate.to.4.chars":       "public.f2.blob,PUBLIC.F2.DOC",
		"snapshot.mode":                    "initial",
		"tombstones.on.delete":             "false",
		"publication.autocreate.mode":      "filtered",
		"snapshot.include.collection.list": "public.f2",
	})
	h.start()
	recs := h.poll(1)
	pg.Exec(t, row(2))
	recs = append(recs, h.poll(1)...)

	conv, err := jsonconv.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		a := after(t, r)
		id := a.Get("id")
		if got, want := a.Get("ia"), []any{int32(1), int32(2), int32(3), nil}; !reflect.DeepEqual(got, want) {
			t.Errorf("id %v: ia = %#v, want %#v", id, got, want)
		}
		if got, want := a.Get("ta"), []any{"a b", "c", "d", nil}; !reflect.DeepEqual(got, want) {
			t.Errorf("id %v: ta = %#v, want %#v", id, got, want)
		}
		if got, want := a.Get("lb"), []any{int32(7), int32(8)}; !reflect.DeepEqual(got, want) {
			t.Errorf("id %v: lb = %#v, want %#v", id, got, want)
		}
		if got := a.Get("note"); got != "***" {
			t.Errorf("id %v: masked NULL note = %#v, want ***", id, got)
		}
		if got := a.Get("blob"); !bytes.Equal(got.([]byte), []byte{1, 2, 3, 4}) {
			t.Errorf("id %v: truncated blob = %#v", id, got)
		}
		if got := a.Get("doc"); got != `{"k"` {
			t.Errorf("id %v: truncated doc = %#v", id, got)
		}

		hs := a.Schema.Field("h").Schema
		js, err := conv.FromConnect(r.Topic, hs, a.Get("h"))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, k := range strings.Split(hstoreFortyOrder, ",") {
			var n int
			fmt.Sscanf(k, "x%d", &n)
			want = append(want, fmt.Sprintf(`"%s":"v%d"`, k, n))
		}
		wantJSON := "{" + strings.Join(want, ",") + "}"
		if !bytes.HasSuffix(js, []byte(`"payload":`+wantJSON+"}")) {
			t.Errorf("id %v: hstore JSON\n got %s\nwant %s", id, js, wantJSON)
		}

		codec, err := avro.NewCodec(hs, avro.DefaultSchemaOptions)
		if err != nil {
			t.Fatal(err)
		}
		bin, err := codec.AppendBinary(nil, a.Get("h"))
		if err != nil {
			t.Fatal(err)
		}
		// Each key is written as its length (zigzag 3 = 6) and bytes; their
		// positions must follow the HashMap order.
		last := -1
		for _, k := range strings.Split(hstoreFortyOrder, ",") {
			at := bytes.Index(bin, append([]byte{6}, k...))
			if at <= last {
				t.Fatalf("id %v: Avro map key %s at %d, after the previous key at %d", id, k, at, last)
			}
			last = at
		}
	}
}
