package jsonconv

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/schema"
)

func TestNewConfig(t *testing.T) {
	for _, tc := range []struct {
		name        string
		props       map[string]string
		wantErr     string // substring; "" means valid
		schemas     bool
		numeric     bool
		replaceNull bool
	}{
		{"defaults", nil, "", true, false, true},
		{"unknown keys ignored", map[string]string{"schema.registry.url": "x", "converter.type": "value"}, "", true, false, true},
		{"schemas off", map[string]string{"schemas.enable": "false"}, "", false, false, true},
		{"booleans trimmed and case-insensitive", map[string]string{"schemas.enable": " FALSE ", "replace.null.with.default": "False"}, "", false, false, false},
		{"numeric", map[string]string{"decimal.format": "NUMERIC"}, "", true, true, true},
		{"numeric lower case", map[string]string{"decimal.format": " numeric"}, "", true, true, true},
		{"base64", map[string]string{"decimal.format": "base64"}, "", true, false, true},
		{"cache size", map[string]string{"schemas.cache.size": "10"}, "", true, false, true},
		{"bad decimal format", map[string]string{"decimal.format": "FOO"},
			"Invalid value FOO for configuration decimal.format: String must be one of (case insensitive): NUMERIC, BASE64", false, false, false},
		{"bad schemas.enable", map[string]string{"schemas.enable": "maybe"}, "Invalid value maybe for configuration schemas.enable: Expected value to be either true or false", false, false, false},
		{"bad replace", map[string]string{"replace.null.with.default": "1"}, "replace.null.with.default", false, false, false},
		{"bad cache size", map[string]string{"schemas.cache.size": "lots"}, "Invalid value lots for configuration schemas.cache.size: Not a number of type INT", false, false, false},
		{"bad converter.type", map[string]string{"converter.type": "both"}, "Invalid value both for configuration converter.type: String must be one of: key, value, header", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(tc.props, true)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.SchemasEnabled() != tc.schemas || c.numeric != tc.numeric || c.replaceNull != tc.replaceNull || !c.IsKey() {
				t.Fatalf("got schemas=%v numeric=%v replaceNull=%v isKey=%v", c.SchemasEnabled(), c.numeric, c.replaceNull, c.IsKey())
			}
		})
	}
}

func TestTombstone(t *testing.T) {
	for _, props := range []map[string]string{nil, {"schemas.enable": "false"}} {
		c := mustNew(t, props, false)
		got, err := c.FromConnect("t", nil, nil)
		if err != nil || got != nil {
			t.Fatalf("FromConnect(nil, nil) = %q, %v; want nil, nil", got, err)
		}
		for _, data := range [][]byte{nil, {}} {
			s, v, err := c.ToConnect("t", data)
			if s != nil || v != nil || err != nil {
				t.Fatalf("ToConnect(%q) = %v, %v, %v; want nils", data, s, v, err)
			}
		}
	}
}

// AppendConnect writes what FromConnect returns after what dst holds, a
// tombstone as nil; a failed conversion leaves no partial record behind.
func TestAppendConnect(t *testing.T) {
	for _, props := range []map[string]string{nil, {"schemas.enable": "false"}} {
		c := mustNew(t, props, false)
		cs := newCustomers()
		_, value := cs.insert()
		want, err := c.FromConnect("t", cs.envelope, value)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.AppendConnect([]byte("prefix"), "t", cs.envelope, value)
		if err != nil || string(got) != "prefix"+string(want) {
			t.Fatalf("AppendConnect = %q, %v; want prefix%q", got, err, want)
		}
		if got, err := c.AppendConnect([]byte("prefix"), "t", nil, nil); got != nil || err != nil {
			t.Fatalf("AppendConnect(nil, nil) = %q, %v; want nil, nil", got, err)
		}
		if got, err := c.AppendConnect([]byte("prefix"), "t", schema.Int32Schema, "x"); got != nil || err == nil {
			t.Fatalf("AppendConnect of a bad value = %q, %v; want nil and an error", got, err)
		}
	}
}

// Internal-topic shapes from debezium.md §2, written with schemas.enable=false.
func TestInternalTopicShapes(t *testing.T) {
	c := mustNew(t, map[string]string{"schemas.enable": "false"}, true)

	// §2.2 offsets key: [namespace, partition], schemaless.
	got, err := c.FromConnect("connect-offsets", nil, []any{"inventory", map[string]any{"server": "dbserver1"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `["inventory",{"server":"dbserver1"}]`; string(got) != want {
		t.Fatalf("offsets key: got %s, want %s", got, want)
	}

	// §2.3 status value: a struct, so field order is the schema's.
	status := schema.StructOf("", false,
		schema.NewField("state", schema.StringSchema),
		schema.NewField("trace", schema.OptionalStringSchema),
		schema.NewField("worker_id", schema.StringSchema),
		schema.NewField("generation", schema.Int32Schema),
	)
	v := schema.NewStruct(status).Set("state", "RUNNING").Set("worker_id", "10.0.0.5:8083").Set("generation", int32(3))
	got, err = c.FromConnect("connect-status", status, v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":3}`; string(got) != want {
		t.Fatalf("status: got %s, want %s", got, want)
	}

	// §2.1 config value: {"properties":{…}} with a string map.
	got, err = c.FromConnect("connect-configs", nil, map[string]any{
		"properties": map[string]string{"name": "inventory", "connector.class": "io.debezium.connector.postgresql.PostgresConnector"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"properties":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","name":"inventory"}}`
	if string(got) != want {
		t.Fatalf("config: got %s, want %s", got, want)
	}
	_, back, err := c.ToConnect("connect-configs", got)
	if err != nil {
		t.Fatal(err)
	}
	props := back.(map[string]any)["properties"].(map[string]any)
	if props["name"] != "inventory" {
		t.Fatalf("read back %v", back)
	}
}

func TestSchemalessEnvelope(t *testing.T) {
	c := mustNew(t, nil, false)
	got, err := c.FromConnect("t", nil, map[string]any{"b": int64(2), "a": []any{true, nil, 1.5, "x", []byte{1}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"schema":null,"payload":{"a":[true,null,1.5,"x","AQ=="],"b":2}}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	s, v, err := c.ToConnect("t", got)
	if err != nil {
		t.Fatal(err)
	}
	// Without a schema, bytes come back as their base64 text.
	wantV := map[string]any{"a": []any{true, nil, 1.5, "x", "AQ=="}, "b": int64(2)}
	if s != nil || !valuesEqual(v, wantV) {
		t.Fatalf("ToConnect = %v, %#v", s, v)
	}
}

func TestNullAndDefaults(t *testing.T) {
	withDefault := &schema.Schema{Type: schema.TypeInt32, Optional: true, Default: int32(7), HasDefault: true}
	requiredWithDefault := &schema.Schema{Type: schema.TypeString, Default: "d", HasDefault: true}
	st := schema.StructOf("r", false,
		schema.NewField("opt", schema.OptionalStringSchema),
		schema.NewField("def", withDefault),
		schema.NewField("reqdef", requiredWithDefault),
	)
	empty := schema.NewStruct(st)

	replace := mustNew(t, map[string]string{"schemas.enable": "false"}, false)
	got, err := replace.FromConnect("t", st, empty)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"opt":null,"def":7,"reqdef":"d"}`; string(got) != want {
		t.Fatalf("replace.null.with.default=true: got %s, want %s", got, want)
	}
	// A top-level null under a schema with a default is the default.
	got, err = replace.FromConnect("t", withDefault, nil)
	if err != nil || string(got) != "7" {
		t.Fatalf("top-level null: got %s, %v", got, err)
	}

	keep := mustNew(t, map[string]string{"schemas.enable": "false", "replace.null.with.default": "false"}, false)
	// A required field stays an error without the replacement, as in Java.
	if _, err := keep.FromConnect("t", st, empty); err == nil || !strings.Contains(err.Error(), `"reqdef"`) {
		t.Fatalf("replace.null.with.default=false, required field: got %v", err)
	}
	empty.Set("reqdef", "x")
	got, err = keep.FromConnect("t", st, empty)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"opt":null,"def":null,"reqdef":"x"}`; string(got) != want {
		t.Fatalf("replace.null.with.default=false: got %s, want %s", got, want)
	}

	// ToConnect applies the same rule to nulls and to missing fields.
	withSchema := mustNew(t, nil, false)
	env := []byte(`{"schema":{"type":"struct","fields":[{"type":"int32","optional":true,"default":7,"field":"def"},` +
		`{"type":"string","optional":true,"field":"opt"}],"optional":false},"payload":{"def":null}}`)
	_, v, err := withSchema.ToConnect("t", env)
	if err != nil {
		t.Fatal(err)
	}
	if s := v.(*schema.Struct); s.Values[0] != int32(7) || s.Values[1] != nil {
		t.Fatalf("replaced: got %v", s.Values)
	}
	keepSchema := mustNew(t, map[string]string{"replace.null.with.default": "false"}, false)
	_, v, err = keepSchema.ToConnect("t", env)
	if err != nil {
		t.Fatal(err)
	}
	if s := v.(*schema.Struct); s.Values[0] != nil {
		t.Fatalf("kept: got %v", s.Values)
	}
}

func TestDecimalFormats(t *testing.T) {
	dec := schema.DecimalSchema(2, 10, false)
	st := schema.StructOf("r", false, schema.NewField("d", dec))
	for _, tc := range []struct {
		format string
		v      any
		want   string
	}{
		{"BASE64", schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}, `{"d":"BOI="}`},
		{"BASE64", &schema.Decimal{Unscaled: big.NewInt(-1), Scale: 2}, `{"d":"/w=="}`},
		{"BASE64", []byte{0x04, 0xE2}, `{"d":"BOI="}`},
		{"NUMERIC", schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}, `{"d":12.50}`},
		{"NUMERIC", schema.Decimal{Unscaled: big.NewInt(-5), Scale: 2}, `{"d":-0.05}`},
		{"NUMERIC", []byte{0x04, 0xE2}, `{"d":12.50}`},
		// NUMERIC writes the value's own scale, as Jackson writes the BigDecimal.
		{"NUMERIC", schema.Decimal{Unscaled: big.NewInt(1), Scale: 7}, `{"d":1E-7}`},
	} {
		c := mustNew(t, map[string]string{"schemas.enable": "false", "decimal.format": tc.format}, false)
		got, err := c.FromConnect("t", st, schema.NewStruct(st).Set("d", tc.v))
		if err != nil {
			t.Fatalf("%s %v: %v", tc.format, tc.v, err)
		}
		if string(got) != tc.want {
			t.Errorf("%s %v: got %s, want %s", tc.format, tc.v, got, tc.want)
		}
	}

	// The schema's default is written in the configured format too.
	withDefault := schema.DecimalSchema(2, 0, true)
	withDefault.Default, withDefault.HasDefault = schema.Decimal{Unscaled: big.NewInt(1234), Scale: 2}, true
	c := mustNew(t, map[string]string{"decimal.format": "NUMERIC"}, false)
	got, err := c.FromConnect("t", withDefault, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schema":{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"default":12.34},"payload":12.34}`
	if string(got) != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

func TestConnectTemporalTypes(t *testing.T) {
	date := &schema.Schema{Type: schema.TypeInt32, Name: schema.DateName, Version: 1}
	tod := &schema.Schema{Type: schema.TypeInt32, Name: schema.TimeName, Version: 1}
	ts := &schema.Schema{Type: schema.TypeInt64, Name: schema.TimestampName, Version: 1}
	st := schema.StructOf("r", false, schema.NewField("d", date), schema.NewField("t", tod), schema.NewField("ts", ts))
	v := schema.NewStruct(st).
		Set("d", time.Date(2016, 1, 16, 0, 0, 0, 0, time.UTC)).
		Set("t", time.UnixMilli(42_662_123)).
		Set("ts", time.Date(2024, 5, 1, 12, 0, 0, 123_456_789, time.FixedZone("x", 2*3600)))
	c := mustNew(t, map[string]string{"schemas.enable": "false"}, false)
	got, err := c.FromConnect("t", st, v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"d":16816,"t":42662123,"ts":1714557600123}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestFromConnectErrors(t *testing.T) {
	inner := schema.StructOf("inner", true, schema.NewField("email", schema.StringSchema))
	outer := schema.StructOf("outer", false,
		schema.NewField("after", inner),
		schema.NewField("tags", &schema.Schema{Type: schema.TypeArray, Items: schema.Int32Schema}),
		schema.NewField("attrs", &schema.Schema{Type: schema.TypeMap, Optional: true, Keys: schema.StringSchema, Values: schema.Int64Schema}),
	)
	ok := func() *schema.Struct {
		return schema.NewStruct(outer).Set("after", schema.NewStruct(inner).Set("email", "a")).Set("tags", []any{})
	}
	other := schema.StructOf("other", false, schema.NewField("email", schema.StringSchema))
	date := &schema.Schema{Type: schema.TypeInt32, Name: schema.DateName}
	tod := &schema.Schema{Type: schema.TypeInt32, Name: schema.TimeName}
	for _, tc := range []struct {
		name     string
		s        *schema.Schema
		v        any
		wantPath string
		wantMsg  string
	}{
		{"wrong int type", schema.Int32Schema, int64(1), "", "invalid type for int32: int64"},
		{"go int for int64", schema.Int64Schema, 1, "", "invalid type for int64: int"},
		{"float64 for float32", schema.Float32Schema, 1.0, "", "invalid type for float32"},
		{"required null", schema.StringSchema, nil, "", "null value for a required string"},
		{"nested required null", outer, ok().Set("after", schema.NewStruct(inner)), "after.email", "null value"},
		{"array element", outer, ok().Set("tags", []any{int32(1), "x"}), "tags[1]", "invalid type for int32: string"},
		{"map value", outer, ok().Set("attrs", map[string]any{"k": int32(1)}), "attrs[k]", "invalid type for int64: int32"},
		{"map type", outer, ok().Set("attrs", []any{}), "attrs", "invalid type for map"},
		{"mismatching struct schema", outer, ok().Set("after", schema.NewStruct(other).Set("email", "a")), "after", "mismatching schema"},
		{"short struct", outer, &schema.Struct{Schema: outer}, "", "struct has 0 values for 3 fields"},
		{"decimal scale", schema.DecimalSchema(2, 0, false), schema.Decimal{Unscaled: big.NewInt(1), Scale: 3}, "", "mismatching scale"},
		{"decimal type", schema.DecimalSchema(2, 0, false), 1.5, "", "invalid type for Decimal"},
		{"decimal without scale", &schema.Schema{Type: schema.TypeBytes, Name: schema.DecimalName}, schema.Decimal{Unscaled: big.NewInt(1)}, "", "scale parameter not found"},
		{"date with time", date, time.Date(2020, 1, 1, 1, 0, 0, 0, time.UTC), "", "Date type should not have any time fields"},
		{"time with date", tod, time.Date(2020, 1, 1, 1, 0, 0, 0, time.UTC), "", "Time type should not have any date fields"},
		{"array without items", &schema.Schema{Type: schema.TypeArray}, []any{}, "", "no items schema"},
		{"schemaless struct", nil, schema.NewStruct(inner), "", "mismatching schema"},
		{"schemaless unknown type", nil, struct{}{}, "", "has no corresponding schema type"},
		{"unknown schema type", &schema.Schema{Type: 99}, int32(1), "", "unsupported schema type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustNew(t, nil, false)
			_, err := c.FromConnect("topic1", tc.s, tc.v)
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DataError", err)
			}
			if de.Path != tc.wantPath || !strings.Contains(de.Msg, tc.wantMsg) {
				t.Fatalf("got path %q msg %q, want path %q msg containing %q", de.Path, de.Msg, tc.wantPath, tc.wantMsg)
			}
			if !strings.Contains(err.Error(), `topic "topic1"`) {
				t.Fatalf("error %q does not name the topic", err)
			}
		})
	}
}

func TestToConnectErrors(t *testing.T) {
	deep := strings.Repeat("[", 1001) + strings.Repeat("]", 1001)
	for _, tc := range []struct {
		name    string
		schemas bool
		data    string
		wantMsg string
	}{
		{"plain JSON with schemas", true, `{"a":1}`, `requires "schema" and "payload"`},
		{"extra envelope field", true, `{"schema":null,"payload":1,"x":2}`, `requires "schema" and "payload"`},
		{"array with schemas", true, `[1]`, `requires "schema" and "payload"`},
		{"truncated", true, `{"schema":`, "unexpected end of input"},
		{"trailing data", false, `{} x`, "unexpected data after"},
		{"leading zero", false, `01`, "leading zeroes"},
		{"NaN token", false, `NaN`, "unexpected character"},
		{"control character", false, "\"a\x01\"", "unescaped control character"},
		{"invalid UTF-8", false, "\"\xff\"", "invalid UTF-8"},
		{"too deep", false, deep, "nesting deeper than 1000"},
		{"int64 overflow schemaless", false, `9223372036854775808`, "out of the int64 range"},
		{"type mismatch", true, `{"schema":{"type":"int32","optional":false},"payload":"x"}`, "invalid value for int32 field: STRING"},
		{"int8 range", true, `{"schema":{"type":"int8","optional":false},"payload":200}`, "out of range for int8"},
		{"float for int", true, `{"schema":{"type":"int64","optional":false},"payload":1.5}`, "expected an integer"},
		{"required null", true, `{"schema":{"type":"string","optional":false},"payload":null}`, "invalid null value for required string"},
		{"unknown type", true, `{"schema":{"type":"uuid"},"payload":null}`, "unknown schema type: uuid"},
		{"no type", true, `{"schema":{"optional":true},"payload":null}`, "must contain 'type'"},
		{"non-string parameter", true, `{"schema":{"type":"string","parameters":{"a":1}},"payload":"x"}`, "parameters must have string values"},
		{"duplicate field", true, `{"schema":{"type":"struct","fields":[{"type":"string","field":"a"},{"type":"string","field":"a"}]},"payload":{}}`, "field name duplication"},
		{"bad base64", true, `{"schema":{"type":"bytes","optional":false},"payload":"!!"}`, "invalid bytes field"},
		{"time of day range", true, `{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time"},"payload":-1}`, "milliseconds"},
		{"map as object with int keys", true, `{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":{"1":"a"}}`, "JSON array of tuples"},
		{"map pair length", true, `{"schema":{"type":"map","keys":{"type":"int32"},"values":{"type":"string"}},"payload":[[1]]}`, "expected length 2"},
		{"map bytes keys", true, `{"schema":{"type":"map","keys":{"type":"bytes"},"values":{"type":"string"}},"payload":[["AQ==","a"]]}`, "cannot be used"},
		{"array without items", true, `{"schema":{"type":"array"},"payload":[]}`, "did not specify the element type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			props := map[string]string{"schemas.enable": "false"}
			if tc.schemas {
				props = nil
			}
			c := mustNew(t, props, false)
			_, _, err := c.ToConnect("topic1", []byte(tc.data))
			var de *DataError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("got %v, want a *DataError containing %q", err, tc.wantMsg)
			}
		})
	}
}

func TestSchemaCacheBounded(t *testing.T) {
	c := mustNew(t, map[string]string{"schemas.cache.size": "2"}, false)
	for i := range 5 {
		s := &schema.Schema{Type: schema.TypeInt32, Version: i + 1}
		got, err := c.FromConnect("t", s, int32(i))
		if err != nil {
			t.Fatal(err)
		}
		want := `{"schema":{"type":"int32","optional":false,"version":` + string(rune('1'+i)) + `},"payload":` + string(rune('0'+i)) + `}`
		if string(got) != want {
			t.Fatalf("got %s, want %s", got, want)
		}
		if _, _, err := c.ToConnect("t", got); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.fromCache.len(); n != 2 {
		t.Fatalf("FromConnect schema cache holds %d entries, want 2", n)
	}
	if n := c.toCache.len(); n != 2 {
		t.Fatalf("ToConnect schema cache holds %d entries, want 2", n)
	}
}

// TestToConnectSharesSchemas: records with the same schema JSON get the same
// *schema.Schema, so a sink can compare schemas by pointer.
func TestToConnectSharesSchemas(t *testing.T) {
	c := mustNew(t, nil, false)
	cs := newCustomers()
	key, _ := cs.insert()
	data, err := c.FromConnect("t", cs.key, key)
	if err != nil {
		t.Fatal(err)
	}
	s1, _, err := c.ToConnect("t", data)
	if err != nil {
		t.Fatal(err)
	}
	s2, _, err := c.ToConnect("t", data)
	if err != nil {
		t.Fatal(err)
	}
	if s1 != s2 {
		t.Fatal("same schema JSON gave two schemas")
	}
}

// TestConcurrentUse runs one converter from several goroutines; -race checks
// the caches and the buffer pool.
func TestConcurrentUse(t *testing.T) {
	c := mustNew(t, map[string]string{"schemas.cache.size": "3"}, false)
	cs := newCustomers()
	key, value := cs.insert()
	want := golden(t, "customers_insert_value.json")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				// Fresh schemas evict cache entries while others read.
				extra := &schema.Schema{Type: schema.TypeInt64, Version: g*100 + i + 1}
				if _, err := c.FromConnect("t", extra, int64(i)); err != nil {
					errs <- err
					return
				}
				if _, err := c.FromConnect("t", cs.key, key); err != nil {
					errs <- err
					return
				}
				got, err := c.FromConnect("t", cs.envelope, value)
				if err != nil {
					errs <- err
					return
				}
				if string(got) != string(want) {
					errs <- errors.New("concurrent output differs from the golden file")
					return
				}
				if _, _, err := c.ToConnect("t", got); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestFloatSpecialsRoundTrip(t *testing.T) {
	c := mustNew(t, nil, false)
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)} {
		data, err := c.FromConnect("t", schema.Float64Schema, f)
		if err != nil {
			t.Fatal(err)
		}
		_, v, err := c.ToConnect("t", data)
		if err != nil {
			t.Fatal(err)
		}
		g := v.(float64)
		if !(math.IsNaN(f) && math.IsNaN(g) || f == g && math.Signbit(f) == math.Signbit(g)) {
			t.Fatalf("%v came back as %v (%s)", f, g, data)
		}
	}
}
