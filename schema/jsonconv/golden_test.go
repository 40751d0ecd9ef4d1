package jsonconv

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// customers holds the Connect schemas of debezium.md §4.2: table
// public.customers(id serial PK, email varchar NOT NULL, balance
// numeric(10,2), created_at timestamptz) under topic.prefix=dbserver1.
type customers struct {
	key, value, envelope, source, block *schema.Schema
}

func newCustomers() customers {
	id := &schema.Schema{Type: schema.TypeInt32, Default: int32(0), HasDefault: true}
	zoned := &schema.Schema{Type: schema.TypeString, Optional: true, Name: "io.debezium.time.ZonedTimestamp", Version: 1}
	var c customers
	c.key = schema.StructOf("dbserver1.public.customers.Key", false, schema.NewField("id", id))
	c.value = schema.StructOf("dbserver1.public.customers.Value", true,
		schema.NewField("id", id),
		schema.NewField("email", schema.StringSchema),
		schema.NewField("balance", schema.DecimalSchema(2, 10, true)),
		schema.NewField("created_at", zoned),
	)
	snapshot := &schema.Schema{
		Type: schema.TypeString, Optional: true, Name: "io.debezium.data.Enum", Version: 1,
		Params:  []schema.Param{{Key: "allowed", Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
		Default: "false", HasDefault: true,
	}
	c.source = schema.StructOf("io.debezium.connector.postgresql.Source", false,
		schema.NewField("version", schema.StringSchema),
		schema.NewField("connector", schema.StringSchema),
		schema.NewField("name", schema.StringSchema),
		schema.NewField("ts_ms", schema.Int64Schema),
		schema.NewField("snapshot", snapshot),
		schema.NewField("db", schema.StringSchema),
		schema.NewField("sequence", schema.OptionalStringSchema),
		schema.NewField("ts_us", schema.OptionalInt64Schema),
		schema.NewField("ts_ns", schema.OptionalInt64Schema),
		schema.NewField("schema", schema.StringSchema),
		schema.NewField("table", schema.StringSchema),
		schema.NewField("txId", schema.OptionalInt64Schema),
		schema.NewField("lsn", schema.OptionalInt64Schema),
		schema.NewField("xmin", schema.OptionalInt64Schema),
		schema.NewField("origin", schema.OptionalStringSchema),
		schema.NewField("origin_lsn", schema.OptionalInt64Schema),
	)
	c.source.Version = 1
	c.block = schema.StructOf("event.block", true,
		schema.NewField("id", schema.StringSchema),
		schema.NewField("total_order", schema.Int64Schema),
		schema.NewField("data_collection_order", schema.Int64Schema),
	)
	c.block.Version = 1
	c.envelope = schema.StructOf("dbserver1.public.customers.Envelope", false,
		schema.NewField("before", c.value),
		schema.NewField("after", c.value),
		schema.NewField("source", c.source),
		schema.NewField("transaction", c.block),
		schema.NewField("op", schema.StringSchema),
		schema.NewField("ts_ms", schema.OptionalInt64Schema),
		schema.NewField("ts_us", schema.OptionalInt64Schema),
		schema.NewField("ts_ns", schema.OptionalInt64Schema),
	)
	c.envelope.Version = 2
	return c
}

// insert returns the key and envelope values of the §4.2 INSERT.
func (c customers) insert() (key, value *schema.Struct) {
	key = schema.NewStruct(c.key).Set("id", int32(1))
	after := schema.NewStruct(c.value).
		Set("id", int32(1)).
		Set("email", "a@x.io").
		Set("balance", schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}).
		Set("created_at", "2024-05-01T10:00:00.000000Z")
	src := schema.NewStruct(c.source).
		Set("version", "3.5.0.Final").
		Set("connector", "postgresql").
		Set("name", "dbserver1").
		Set("ts_ms", int64(1714557600123)).
		// snapshot left null: replace.null.with.default writes "false".
		Set("db", "postgres").
		Set("sequence", `["24023040","24023128"]`).
		Set("ts_us", int64(1714557600123456)).
		Set("ts_ns", int64(1714557600123456000)).
		Set("schema", "public").
		Set("table", "customers").
		Set("txId", int64(555)).
		Set("lsn", int64(24023128))
	value = schema.NewStruct(c.envelope).
		Set("after", after).
		Set("source", src).
		Set("op", "c").
		Set("ts_ms", int64(1714557600456)).
		Set("ts_us", int64(1714557600456789)).
		Set("ts_ns", int64(1714557600456789012))
	return key, value
}

// golden reads a hand-written golden file and compacts it (json.Compact keeps
// key order and string escapes, so the bytes are the reference's).
func golden(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatalf("compacting %s: %v", name, err)
	}
	return buf.Bytes()
}

func mustNew(t testing.TB, props map[string]string, isKey bool) *Converter {
	t.Helper()
	c, err := New(props, isKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGoldenCustomersInsert(t *testing.T) {
	cs := newCustomers()
	key, value := cs.insert()
	for _, tc := range []struct {
		file  string
		isKey bool
		s     *schema.Schema
		v     any
	}{
		{"customers_insert_key.json", true, cs.key, key},
		{"customers_insert_value.json", false, cs.envelope, value},
	} {
		t.Run(tc.file, func(t *testing.T) {
			want := golden(t, tc.file)
			c := mustNew(t, nil, tc.isKey)
			// Twice: the second run takes the schema from the cache.
			for range 2 {
				got, err := c.FromConnect("dbserver1.public.customers", tc.s, tc.v)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("FromConnect differs from the golden file\n got: %s\nwant: %s", got, want)
				}
			}

			// The golden bytes parse back to an equal schema and value,
			// which serialise to the same bytes again.
			s, v, err := c.ToConnect("dbserver1.public.customers", want)
			if err != nil {
				t.Fatal(err)
			}
			if !schemasEqual(s, tc.s) {
				t.Fatalf("ToConnect schema differs from the built one")
			}
			again, err := c.FromConnect("dbserver1.public.customers", s, v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, want) {
				t.Fatalf("round trip differs\n got: %s\nwant: %s", again, want)
			}
		})
	}
}

// TestGoldenCustomersPayloadOnly checks schemas.enable=false against the
// golden file's payload.
func TestGoldenCustomersPayloadOnly(t *testing.T) {
	var env struct{ Payload json.RawMessage }
	if err := json.Unmarshal(golden(t, "customers_insert_value.json"), &env); err != nil {
		t.Fatal(err)
	}
	cs := newCustomers()
	_, value := cs.insert()
	c := mustNew(t, map[string]string{"schemas.enable": "false"}, false)
	got, err := c.FromConnect("t", cs.envelope, value)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, env.Payload) {
		t.Fatalf("got  %s\nwant %s", got, env.Payload)
	}
}

// TestGoldenWideColumns pins single columns from debezium-values.md
// ("Exact JsonConverter output for a wide table"), each as the only field of
// a struct so that the field schema's bytes, "field" key included, appear
// verbatim in the envelope.
func TestGoldenWideColumns(t *testing.T) {
	vsd := schema.StructOf("io.debezium.data.VariableScaleDecimal", true,
		schema.NewField("scale", schema.Int32Schema),
		schema.NewField("value", schema.BytesSchema),
	)
	vsd.Version, vsd.Doc = 1, "Variable scaled decimal"
	point := schema.StructOf("io.debezium.data.geometry.Point", true,
		schema.NewField("x", schema.Float64Schema),
		schema.NewField("y", schema.Float64Schema),
		schema.NewField("wkb", schema.OptionalBytesSchema),
		schema.NewField("srid", schema.OptionalInt32Schema),
	)
	point.Version, point.Doc = 1, "Geometry (POINT)"
	wkb := []byte{0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0x40}

	for _, tc := range []struct {
		column     string
		s          *schema.Schema
		v          any
		wantSchema string
		wantValue  string
	}{
		{
			"c_bits",
			&schema.Schema{Type: schema.TypeBytes, Optional: true, Name: "io.debezium.data.Bits", Version: 1, Params: []schema.Param{{Key: "length", Value: "10"}}},
			[]byte{0x01, 0x02},
			`{"type":"bytes","optional":true,"name":"io.debezium.data.Bits","version":1,"parameters":{"length":"10"},"field":"c_bits"}`,
			`"AQI="`,
		},
		{
			"c_timetz",
			&schema.Schema{Type: schema.TypeString, Optional: true, Name: "io.debezium.time.ZonedTime", Version: 1},
			"11:51:02.5Z",
			`{"type":"string","optional":true,"name":"io.debezium.time.ZonedTime","version":1,"field":"c_timetz"}`,
			`"11:51:02.5Z"`,
		},
		{
			"c_money",
			schema.DecimalSchema(2, 0, true),
			schema.Decimal{Unscaled: big.NewInt(1234), Scale: 2},
			`{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"c_money"}`,
			`"BNI="`,
		},
		{
			// Value from debezium-values.md row 3: numeric 1.23 → scale 2, 123 = 0x7B.
			"c_num",
			vsd,
			schema.NewStruct(vsd).Set("scale", int32(2)).Set("value", []byte{0x7B}),
			`{"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},{"type":"bytes","optional":false,"field":"value"}],"optional":true,"name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal","field":"c_num"}`,
			`{"scale":2,"value":"ew=="}`,
		},
		{
			"c_point",
			point,
			schema.NewStruct(point).Set("x", 1.0).Set("y", 2.0).Set("wkb", wkb),
			`{"type":"struct","fields":[{"type":"double","optional":false,"field":"x"},{"type":"double","optional":false,"field":"y"},{"type":"bytes","optional":true,"field":"wkb"},{"type":"int32","optional":true,"field":"srid"}],"optional":true,"name":"io.debezium.data.geometry.Point","version":1,"doc":"Geometry (POINT)","field":"c_point"}`,
			`{"x":1.0,"y":2.0,"wkb":"AQEAAAAAAAAAAADwPwAAAAAAAABA","srid":null}`,
		},
		{
			"c_json",
			&schema.Schema{Type: schema.TypeString, Optional: true, Name: "io.debezium.data.Json", Version: 1},
			`{"k": [1]}`,
			`{"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c_json"}`,
			`"{\"k\": [1]}"`,
		},
		{
			"c_hstore",
			&schema.Schema{Type: schema.TypeString, Optional: true, Name: "io.debezium.data.Json", Version: 1},
			`{"a":"1"}`,
			`{"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"c_hstore"}`,
			`"{\"a\":\"1\"}"`,
		},
		{
			"c_int_array",
			&schema.Schema{Type: schema.TypeArray, Optional: true, Items: schema.OptionalInt32Schema},
			[]any{int32(1), int32(2), int32(3)},
			`{"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"c_int_array"}`,
			`[1,2,3]`,
		},
		{
			"c_real",
			schema.OptionalFloat32Schema,
			float32(1.5),
			`{"type":"float","optional":true,"field":"c_real"}`,
			`1.5`,
		},
	} {
		t.Run(tc.column, func(t *testing.T) {
			wide := schema.StructOf("wide", false, schema.NewField(tc.column, tc.s))
			c := mustNew(t, nil, false)
			got, err := c.FromConnect("t", wide, schema.NewStruct(wide).Set(tc.column, tc.v))
			if err != nil {
				t.Fatal(err)
			}
			want := `{"schema":{"type":"struct","fields":[` + tc.wantSchema + `],"optional":false,"name":"wide"},` +
				`"payload":{"` + tc.column + `":` + tc.wantValue + `}}`
			if string(got) != want {
				t.Fatalf("\n got: %s\nwant: %s", got, want)
			}
		})
	}
}
