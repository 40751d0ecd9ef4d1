package postgres_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// wideDDL has one column per PostgreSQL type of the reference's type table,
// plus a box column (no mapping: omitted unless include.unknown.datatypes)
// and columns with literal defaults.
const wideDDL = `CREATE EXTENSION hstore; CREATE EXTENSION citext; CREATE EXTENSION ltree;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE public.wide(
	id int PRIMARY KEY,
	c_bool bool, c_int2 smallint, c_int8 bigint, c_real real, c_float8 float8,
	c_num numeric, c_dec numeric(10,2), c_money money,
	c_bit1 bit(1), c_bits bit(10), c_varbit varbit(16),
	c_char char(3), c_varchar varchar(20), c_text text, c_citext citext, c_name name,
	c_bytea bytea, c_json json, c_jsonb jsonb, c_xml xml, c_uuid uuid,
	c_mood mood, c_hstore hstore, c_inet inet, c_cidr cidr, c_macaddr macaddr,
	c_int4range int4range, c_ltree ltree, c_tsvector tsvector, c_point point,
	c_date date, c_time time, c_time3 time(3), c_timetz timetz,
	c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz, c_tstz0 timestamptz(0),
	c_ts_inf timestamp, c_tstz_ninf timestamptz, c_interval interval, c_domain posint,
	c_int_arr int[], c_text_arr text[], c_mood_arr mood[], c_box box,
	c_def_text text NOT NULL DEFAULT 'hello', c_def_int integer DEFAULT 42)`

const wideValues = `true, 7, -9000000000, 1.5, 2.25,
	1.23, 12.50, 12.34,
	B'1', B'1000000001', B'101',
	'ab', 'v', 't', 'CiT', 'nm',
	'\x0102ff', '{"k": [1]}', '{"a":1}', '<a>1</a>', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
	'ok', 'b=>NULL, aa=>x', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
	'[1,5)', 'a.b.c', 'fat cat', '(1,2)',
	'2016-01-16', '11:51:02.123456', '11:51:02.123', '11:51:02.5+00',
	'2020-04-01 11:51:02.123456', '2020-04-01 11:51:02.123', '2020-04-01 11:51:02.5+00', '2020-04-01 11:51:02+00',
	'infinity', '-infinity', '1 year 2 mons 3 days 04:05:06.78', 5,
	'{1,2,3}', '{a,NULL,"b c"}', '{sad,happy}', '(1,1),(0,0)',
	'x', 1`

// typesGolden is a golden file: the connector properties of one mode and
// the expected JsonConverter field schema and value of columns of wide.
type typesGolden struct {
	Config map[string]string `json:"config"`
	// Complete means the after struct must have exactly these columns.
	Complete bool              `json:"complete"`
	Columns  []json.RawMessage `json:"columns"`
	Values   map[string]any    `json:"values"`
}

// TestTypesGolden checks every type under each mode against golden files
// written from the reference, in the snapshot path and the streaming path,
// and checks that both paths give identical values.
func TestTypesGolden(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, wideDDL, `INSERT INTO public.wide VALUES (1, `+wideValues+`)`)
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	files := []string{"default", "string_connect_base64_map", "double_micros_hex"}
	for i, name := range files {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile("testdata/types/" + name + ".json")
			if err != nil {
				t.Fatal(err)
			}
			var g typesGolden
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatalf("golden %s: %v", name, err)
			}
			cfg := map[string]string{
				"table.include.list": "public.wide",
				"slot.name":          "types_" + string(rune('a'+i)),
				"publication.name":   "types_" + string(rune('a'+i)),
			}
			maps.Copy(cfg, g.Config)
			h := newHarness(t, pg, cfg)
			h.start()
			snap := h.poll(1)[0]
			id := 100 + i
			if _, err := conn.Exec(t.Context(), `INSERT INTO public.wide VALUES ($1, `+wideValues+`)`, id); err != nil {
				t.Fatal(err)
			}
			streamed := h.poll(1)[0]
			// The next mode's snapshot must see only row 1.
			if _, err := conn.Exec(t.Context(), `DELETE FROM public.wide WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
			if op(t, snap) != "r" || op(t, streamed) != "c" {
				t.Fatalf("ops %s, %s", op(t, snap), op(t, streamed))
			}
			snapFields, snapAfter := renderAfter(t, snap)
			streamFields, streamAfter := renderAfter(t, streamed)
			if !reflect.DeepEqual(snapFields, streamFields) {
				t.Errorf("snapshot and streaming schemas differ:\n%v\n%v", snapFields, streamFields)
			}
			snapRest, streamRest := maps.Clone(snapAfter), maps.Clone(streamAfter)
			delete(snapRest, "id")
			delete(streamRest, "id")
			if !reflect.DeepEqual(snapRest, streamRest) {
				t.Errorf("snapshot and streaming values differ:\n%v\n%v", snapAfter, streamAfter)
			}
			var want []string
			for _, c := range g.Columns {
				var f map[string]any
				if err := json.Unmarshal(c, &f); err != nil {
					t.Fatal(err)
				}
				col := f["field"].(string)
				want = append(want, col)
				if !reflect.DeepEqual(snapFields[col], f) {
					got, _ := json.Marshal(snapFields[col])
					t.Errorf("%s schema:\n got %s\nwant %s", col, got, c)
				}
				wantValue, ok := g.Values[col]
				if !ok {
					t.Fatalf("golden %s has no value for %s", name, col)
				}
				if !reflect.DeepEqual(snapAfter[col], wantValue) {
					got, _ := json.Marshal(snapAfter[col])
					wv, _ := json.Marshal(wantValue)
					t.Errorf("%s value: got %s, want %s", col, got, wv)
				}
			}
			if g.Complete {
				got := slices.Sorted(maps.Keys(snapFields))
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("columns:\n got %v\nwant %v", got, want)
				}
			}
		})
	}
}

// renderAfter renders a record's value through the JsonConverter and
// returns the after struct's field schemas by name and its payload.
func renderAfter(t *testing.T, r connect.SourceRecord) (map[string]map[string]any, map[string]any) {
	t.Helper()
	conv, err := jsonconv.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := conv.FromConnect(r.Topic, r.ValueSchema, r.Value)
	if err != nil {
		t.Fatalf("rendering: %v", err)
	}
	var doc struct {
		Schema struct {
			Fields []struct {
				Field  string           `json:"field"`
				Fields []map[string]any `json:"fields"`
			} `json:"fields"`
		} `json:"schema"`
		Payload struct {
			After map[string]any `json:"after"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	fields := map[string]map[string]any{}
	for _, f := range doc.Schema.Fields {
		if f.Field == "after" {
			for _, c := range f.Fields {
				fields[c["field"].(string)] = c
			}
		}
	}
	return fields, doc.Payload.After
}
