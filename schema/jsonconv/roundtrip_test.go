package jsonconv

import (
	"bytes"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/schema"
)

type roundTripCase struct {
	name string
	s    *schema.Schema
	v    any
	back any // the value ToConnect gives back, when it differs from v
	json string
}

func roundTripCases() []roundTripCase {
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	point := schema.StructOf("p", true, schema.NewField("x", schema.Float64Schema), schema.NewField("y", schema.OptionalFloat64Schema))
	withDefaultStruct := schema.StructOf("d", true, schema.NewField("a", schema.Int16Schema))
	withDefaultStruct.Default, withDefaultStruct.HasDefault = schema.NewStruct(withDefaultStruct).Set("a", int16(5)), true
	tagsDefault := &schema.Schema{Type: schema.TypeArray, Optional: true, Items: schema.StringSchema, Default: []any{"x"}, HasDefault: true}
	intKeys := &schema.Schema{Type: schema.TypeMap, Keys: schema.Int32Schema, Values: schema.OptionalStringSchema}
	strKeys := &schema.Schema{Type: schema.TypeMap, Keys: schema.StringSchema, Values: schema.OptionalInt64Schema}
	date := &schema.Schema{Type: schema.TypeInt32, Name: schema.DateName, Version: 1}
	tod := &schema.Schema{Type: schema.TypeInt32, Name: schema.TimeName, Version: 1}
	ts := &schema.Schema{Type: schema.TypeInt64, Name: schema.TimestampName, Version: 1, Optional: true}
	dec := schema.DecimalSchema(3, 40, false)
	doc := &schema.Schema{Type: schema.TypeString, Name: "n\"ame", Version: 3, Doc: "d\noc", Params: []schema.Param{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}}}

	return []roundTripCase{
		{name: "int8", s: schema.Int8Schema, v: int8(-128), json: `-128`},
		{name: "int16", s: schema.Int16Schema, v: int16(32767), json: `32767`},
		{name: "int32", s: schema.Int32Schema, v: int32(math.MinInt32), json: `-2147483648`},
		{name: "int64", s: schema.Int64Schema, v: int64(math.MaxInt64), json: `9223372036854775807`},
		{name: "float32", s: schema.Float32Schema, v: float32(0.1), json: `0.1`},
		{name: "float64", s: schema.Float64Schema, v: 1e-10, json: `1.0E-10`},
		{name: "float64 NaN", s: schema.Float64Schema, v: math.NaN(), json: `"NaN"`},
		{name: "boolean", s: schema.BooleanSchema, v: true, json: `true`},
		{name: "string", s: schema.StringSchema, v: "é\"\\\n\x01</>", json: `"é\"\\\n\u0001</>"`},
		{name: "bytes", s: schema.BytesSchema, v: []byte{0, 1, 0xFF}, json: `"AAH/"`},
		{name: "empty bytes", s: schema.BytesSchema, v: []byte{}, json: `""`},
		{name: "optional null", s: schema.OptionalStringSchema, v: nil, json: `null`},
		{name: "with doc and params", s: doc, v: "x", json: `"x"`},
		{name: "decimal", s: dec, v: schema.Decimal{Unscaled: big.NewInt(-1250), Scale: 3}, json: `"+x4="`},
		{name: "big decimal", s: dec, v: schema.Decimal{Unscaled: huge, Scale: 3}, json: `"/nEW8Ak8jB8RscD1Lg=="`},
		{name: "decimal raw bytes", s: dec, v: []byte{0x04, 0xE2}, back: schema.Decimal{Unscaled: big.NewInt(1250), Scale: 3}, json: `"BOI="`},
		{name: "date", s: date, v: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), json: `-1`},
		{name: "time", s: tod, v: time.UnixMilli(86_399_999).UTC(), json: `86399999`},
		{name: "timestamp", s: ts, v: time.UnixMilli(-1).UTC(), json: `-1`},
		{name: "timestamp null", s: ts, v: nil, json: `null`},
		{name: "array", s: &schema.Schema{Type: schema.TypeArray, Items: schema.OptionalInt32Schema}, v: []any{int32(1), nil, int32(3)}, json: `[1,null,3]`},
		{name: "array of structs", s: &schema.Schema{Type: schema.TypeArray, Items: point}, v: []any{schema.NewStruct(point).Set("x", 1.0), nil}, json: `[{"x":1.0,"y":null},null]`},
		{name: "array default", s: tagsDefault, v: nil, back: []any{"x"}, json: `["x"]`},
		{name: "string map", s: strKeys, v: map[string]any{"b": int64(2), "a": nil}, json: `{"a":null,"b":2}`},
		{name: "string map of strings", s: &schema.Schema{Type: schema.TypeMap, Keys: schema.StringSchema, Values: schema.StringSchema},
			v: map[string]string{"k": "v"}, back: map[string]any{"k": "v"}, json: `{"k":"v"}`},
		{name: "int map", s: intKeys, v: map[any]any{int32(10): "x", int32(-2): nil}, json: `[[-2,null],[10,"x"]]`},
		{name: "struct default", s: withDefaultStruct, v: nil, back: schema.NewStruct(withDefaultStruct).Set("a", int16(5)), json: `{"a":5}`},
		{name: "struct", s: point, v: schema.NewStruct(point).Set("x", -0.5).Set("y", 2.0), json: `{"x":-0.5,"y":2.0}`},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, props := range []map[string]string{nil, {"decimal.format": "NUMERIC"}} {
		c := mustNew(t, props, false)
		for _, tc := range roundTripCases() {
			t.Run(tc.name+"/"+props["decimal.format"], func(t *testing.T) {
				data, err := c.FromConnect("t", tc.s, tc.v)
				if err != nil {
					t.Fatal(err)
				}
				if props == nil {
					// The payload as written in BASE64 mode.
					if i := bytes.Index(data, []byte(`,"payload":`)); i < 0 || string(data[i+11:len(data)-1]) != tc.json {
						t.Fatalf("payload of %s, want %s", data, tc.json)
					}
				}
				s, v, err := c.ToConnect("t", data)
				if err != nil {
					t.Fatalf("ToConnect(%s): %v", data, err)
				}
				if !schemasEqual(s, tc.s) {
					t.Fatalf("schema did not round trip through %s", data)
				}
				want := tc.v
				if tc.back != nil {
					want = tc.back
				}
				if !valuesEqual(v, want) {
					t.Fatalf("value %#v came back as %#v through %s", want, v, data)
				}
				again, err := c.FromConnect("t", s, v)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(again, data) {
					t.Fatalf("second pass differs:\n%s\n%s", data, again)
				}
			})
		}
	}
}

// TestRoundTripSchemasDisabled: without the envelope the payload is the
// same bytes, and reading it back with the schema-less rules gives the JSON
// shapes (this is how internal topics are read).
func TestRoundTripSchemasDisabled(t *testing.T) {
	with := mustNew(t, nil, false)
	without := mustNew(t, map[string]string{"schemas.enable": "false"}, false)
	for _, tc := range roundTripCases() {
		t.Run(tc.name, func(t *testing.T) {
			env, err := with.FromConnect("t", tc.s, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			bare, err := without.FromConnect("t", tc.s, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(env, append(append([]byte(`,"payload":`), bare...), '}')) {
				t.Fatalf("bare payload %s is not the envelope's payload in %s", bare, env)
			}
			s, v, err := without.ToConnect("t", bare)
			if err != nil {
				t.Fatal(err)
			}
			if s != nil {
				t.Fatalf("got a schema without the envelope")
			}
			again, err := without.FromConnect("t", nil, v)
			if tc.v == nil && tc.back == nil {
				// A schemaless null is a tombstone.
				if err != nil || again != nil {
					t.Fatalf("null payload: %s, %v", again, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Schemaless JSON keeps its shape, except that object keys
			// come out sorted.
			if tc.s.Type != schema.TypeStruct && !bytes.Equal(again, bare) {
				t.Fatalf("schemaless rewrite differs:\n%s\n%s", bare, again)
			}
		})
	}
}

func TestNumericDecimalReadsNumbers(t *testing.T) {
	c := mustNew(t, map[string]string{"decimal.format": "NUMERIC"}, false)
	for lit, want := range map[string]schema.Decimal{
		"12.50":   {Unscaled: big.NewInt(1250), Scale: 2},
		"1E-7":    {Unscaled: big.NewInt(1), Scale: 7},
		"1.23E+4": {Unscaled: big.NewInt(123), Scale: -2},
		"-7":      {Unscaled: big.NewInt(-7), Scale: 0},
	} {
		data := []byte(`{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":` + lit + `}`)
		_, v, err := c.ToConnect("t", data)
		if err != nil {
			t.Fatal(err)
		}
		if !valuesEqual(v, want) {
			t.Errorf("%s: got %v", lit, v)
		}
		// NUMERIC output writes the same literal back.
		out, err := c.FromConnect("t", schema.DecimalSchema(2, 0, false), v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(out, []byte(`"payload":`+lit+`}`)) {
			t.Errorf("%s: wrote %s", lit, out)
		}
	}
}
