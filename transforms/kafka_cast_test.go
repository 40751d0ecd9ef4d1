package transforms

import (
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// CastTest.testConfigEmpty, testConfigInvalidSchemaType,
// testConfigInvalidTargetType, testUnsupportedTargetType,
// testConfigInvalidMap, testConfigMixWholeAndFieldTransformation
func TestCastConfigErrors(t *testing.T) {
	for _, c := range []struct{ spec, message string }{
		{"", "Must specify at least one field to cast."},
		{"foo:faketype", "Invalid type found in casting spec: faketype"},
		{"foo:array", "Cast transformation does not support casting to ARRAY; supported types are " + castOutputTypes},
		{"array", "Cast transformation does not support casting to ARRAY; supported types are " + castOutputTypes},
		{"foo:bytes", "Cast transformation does not support casting to BYTES; supported types are " + castOutputTypes},
		{"foo:int8:extra", "Invalid value [foo:int8:extra] for configuration renames: Invalid rename mapping: foo:int8:extra"},
		{"foo:int8,int32", "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"},
	} {
		wantConfigError(t, CastKeyClass, map[string]string{"spec": c.spec}, "spec", c.message)
	}
}

// CastTest.castNullValueRecordWithSchema, castNullKeyRecordWithSchema
func TestCastNullUnchanged(t *testing.T) {
	for _, class := range []string{CastKeyClass, CastValueClass} {
		tr := kafkaTransform(t, class, map[string]string{"spec": "foo:int32"})
		in := connect.SourceRecord{Topic: "topic", KeySchema: schema.StringSchema, ValueSchema: schema.StringSchema}
		if out := mustKeep(t, tr, in); !reflect.DeepEqual(out, in) {
			t.Errorf("%s: %+v", class, out)
		}
	}
}

// CastTest.castFieldWithDefaultValueRecordWithSchema
func TestCastFieldWithDefault(t *testing.T) {
	for _, c := range []struct {
		replace string
		want    any
	}{{"false", nil}, {"true", "42"}} {
		tr := kafkaTransform(t, CastValueClass, map[string]string{"spec": "magic:string", "replace.null.with.default": c.replace})
		s := schema.StructOf("", false, schema.NewField("magic", withDefault42()))
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: schema.NewStruct(s)})
		if f := out.ValueSchema.Field("magic").Schema; f.Type != schema.TypeString || f.Default != "42" {
			t.Errorf("schema %+v", f)
		}
		if got := out.Value.(*schema.Struct).Get("magic"); got != c.want {
			t.Errorf("replace %s: magic = %#v, want %#v", c.replace, got, c.want)
		}
	}
}

// CastTest.castWholeRecordKeyWithSchema, castWholeRecordValueWithSchema*,
// castWholeBigDecimalRecordValueWithSchemaString,
// castWholeDateRecordValueWithSchemaString
func TestCastWholeValue(t *testing.T) {
	ts := time.UnixMilli(1700000000123).UTC()
	for _, c := range []struct {
		spec string
		in   *schema.Schema
		v    any
		want any
	}{
		{"int8", schema.Int32Schema, int32(42), int8(42)},
		{"int16", schema.Int32Schema, int32(42), int16(42)},
		{"int32", schema.Int32Schema, int32(42), int32(42)},
		{"int64", schema.Int32Schema, int32(42), int64(42)},
		{"float32", schema.Int32Schema, int32(42), float32(42)},
		{"float64", schema.Int32Schema, int32(42), float64(42)},
		{"boolean", schema.Int32Schema, int32(42), true},
		{"boolean", schema.Int32Schema, int32(0), false},
		{"string", schema.Int32Schema, int32(42), "42"},
		{"string", schema.DecimalSchema(0, 0, false), schema.Decimal{Unscaled: big.NewInt(42)}, "42"},
		{"string", requiredTimestampSchema, ts, "2023-11-14T22:13:20.123Z"},
		// Java's conversions: strings parse, floats saturate then narrow.
		{"int32", schema.StringSchema, "-17", int32(-17)},
		{"float32", schema.StringSchema, " 1.5f ", float32(1.5)},
		{"boolean", schema.StringSchema, "TRUE", true},
		{"boolean", schema.StringSchema, "yes", false},
		{"int8", schema.Float64Schema, 300.7, int8(44)},
		{"int32", schema.Float64Schema, 1e20, int32(math.MaxInt32)},
		{"int64", schema.Float64Schema, math.NaN(), int64(0)},
		{"string", schema.Float64Schema, 1e10, "1.0E10"},
		{"string", schema.Float32Schema, float32(0.5), "0.5"},
		{"string", schema.BooleanSchema, true, "true"},
	} {
		for _, class := range []string{CastKeyClass, CastValueClass} {
			tr := kafkaTransform(t, class, map[string]string{"spec": c.spec})
			r := connect.SourceRecord{Topic: "topic", KeySchema: c.in, Key: c.v, ValueSchema: c.in, Value: c.v}
			out := mustKeep(t, tr, r)
			s, v := out.ValueSchema, out.Value
			if class == CastKeyClass {
				s, v = out.KeySchema, out.Key
			}
			if !reflect.DeepEqual(v, c.want) || strings.ToLower(s.Type.String()) != c.spec {
				t.Errorf("%s %s(%#v) = %s %#v, want %#v", class, c.spec, c.v, s.Type, v, c.want)
			}
		}
	}
}

// CastTest.castWholeRecordDefaultValue
func TestCastWholeRecordDefaultValue(t *testing.T) {
	tr := kafkaTransform(t, CastValueClass, map[string]string{"spec": "int32"})
	in := &schema.Schema{Type: schema.TypeInt64, Default: int64(-42), HasDefault: true}
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: in, Value: int64(42)})
	if out.Value != int32(42) || out.ValueSchema.Type != schema.TypeInt32 || out.ValueSchema.Default != int32(-42) {
		t.Errorf("%+v %+v", out.ValueSchema, out.Value)
	}
}

// CastTest.castWholeRecordValueSchemalessUnsupportedType, for a schema'd
// struct: Cast refuses to cast a struct as a whole.
func TestCastWholeStructRefused(t *testing.T) {
	tr := kafkaTransform(t, CastValueClass, map[string]string{"spec": "int8"})
	s := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema))
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: schema.NewStruct(s)})
	if !strings.Contains(msg, "Cast transformation does not support casting from STRUCT; supported types are "+castInputTypes) {
		t.Errorf("error %q", msg)
	}
}

// CastTest.castLogicalToPrimitive (without the Long.MAX_VALUE timestamp,
// beyond time.Time's range) and castLogicalToString
func TestCastLogical(t *testing.T) {
	day := time.UnixMilli(24 * 3600 * 1000).UTC()
	dateSchema := &schema.Schema{Type: schema.TypeInt32, Name: schema.DateName, Version: 1}
	timeSchema := &schema.Schema{Type: schema.TypeInt32, Name: schema.TimeName, Version: 1}
	optTimestamp := optionalTimestampSchema
	s := schema.StructOf("", false,
		schema.NewField("date_to_int32", dateSchema),
		schema.NewField("timestamp_to_int64", requiredTimestampSchema),
		schema.NewField("time_to_int64", timeSchema),
		schema.NewField("decimal_to_int32", schema.DecimalSchema(0, 0, false)),
		schema.NewField("null_timestamp_to_int32", optTimestamp),
		schema.NewField("date", dateSchema),
		schema.NewField("decimal", schema.DecimalSchema(0, 0, false)),
		schema.NewField("time", timeSchema),
		schema.NewField("timestamp", requiredTimestampSchema),
	)
	v := schema.NewStruct(s).
		Set("date_to_int32", day).Set("timestamp_to_int64", time.UnixMilli(0).UTC()).Set("time_to_int64", time.UnixMilli(1).UTC()).
		Set("decimal_to_int32", schema.Decimal{Unscaled: big.NewInt(int64(math.MaxInt32) + 1)}).
		Set("date", day).Set("decimal", schema.Decimal{Unscaled: big.NewInt(1982)}).
		Set("time", time.UnixMilli(1234).UTC()).Set("timestamp", time.UnixMilli(86401234).UTC())
	tr := kafkaTransform(t, CastValueClass, map[string]string{"spec": "date_to_int32:int32,timestamp_to_int64:int64,time_to_int64:int64," +
		"decimal_to_int32:int32,null_timestamp_to_int32:int32,date:string,decimal:string,time:string,timestamp:string"})
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: v}).Value.(*schema.Struct)
	want := map[string]any{
		"date_to_int32": int32(1), "timestamp_to_int64": int64(0), "time_to_int64": int64(1),
		"decimal_to_int32": int32(math.MinInt32), "null_timestamp_to_int32": nil,
		"date": "1970-01-02", "decimal": "1982", "time": "00:00:01.234Z", "timestamp": "1970-01-02T00:00:01.234Z",
	}
	for name, w := range want {
		if got := out.Get(name); !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", name, got, w)
		}
	}
	if f := out.Schema.Field("null_timestamp_to_int32").Schema; f.Type != schema.TypeInt32 || !f.Optional || f.Name != "" {
		t.Errorf("null_timestamp_to_int32 schema %+v", f)
	}
}

// CastTest.castFieldsWithSchema
func TestCastFieldsWithSchema(t *testing.T) {
	day := time.UnixMilli(24 * 3600 * 1000).UTC()
	raw := []byte{0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10}
	s := schema.StructOf("", false,
		schema.NewField("int8", schema.Int8Schema),
		schema.NewField("int16", schema.OptionalInt16Schema),
		schema.NewField("int32", &schema.Schema{Type: schema.TypeInt32, Default: int32(2), HasDefault: true}),
		schema.NewField("int64", schema.Int64Schema),
		schema.NewField("float32", schema.Float32Schema),
		schema.NewField("float64", &schema.Schema{Type: schema.TypeFloat64, Default: -1.125, HasDefault: true}),
		schema.NewField("boolean", schema.BooleanSchema),
		schema.NewField("string", schema.StringSchema),
		schema.NewField("bigdecimal", schema.DecimalSchema(0, 0, false)),
		schema.NewField("date", &schema.Schema{Type: schema.TypeInt32, Name: schema.DateName, Version: 1}),
		schema.NewField("optional", schema.OptionalFloat32Schema),
		schema.NewField("timestamp", requiredTimestampSchema),
		schema.NewField("bytes", schema.BytesSchema),
	)
	v := schema.NewStruct(s).Set("int8", int8(8)).Set("int16", int16(16)).Set("int32", int32(32)).Set("int64", int64(64)).
		Set("float32", float32(32)).Set("float64", -64.0).Set("boolean", true).Set("bigdecimal", schema.Decimal{Unscaled: big.NewInt(42)}).
		Set("date", day).Set("string", "42").Set("timestamp", time.UnixMilli(0).UTC()).Set("bytes", raw)
	tr := kafkaTransform(t, CastValueClass, map[string]string{"spec": "int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64," +
		"float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,optional:int32,bytes:string"})
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: v}).Value.(*schema.Struct)
	want := map[string]any{
		"int8": int16(8), "int16": int32(16), "int32": int64(32), "int64": true, "float32": float64(32), "float64": true,
		"boolean": int8(1), "string": int32(42), "bigdecimal": "42", "date": "1970-01-02", "timestamp": time.UnixMilli(0).UTC(),
		"bytes": "/ty6mHZUMhA=", "optional": nil,
	}
	for name, w := range want {
		if got := out.Get(name); !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", name, got, w)
		}
	}
	fs := func(name string) *schema.Schema { return out.Schema.Field(name).Schema }
	if !fs("int16").Optional || fs("int32").Default != int64(2) || fs("float64").Default != true || fs("timestamp") != requiredTimestampSchema {
		t.Errorf("schemas: int16 %+v int32 %+v float64 %+v", fs("int16"), fs("int32"), fs("float64"))
	}
	for name, typ := range map[string]schema.Type{"int8": schema.TypeInt16, "int16": schema.TypeInt32, "int32": schema.TypeInt64,
		"int64": schema.TypeBoolean, "float32": schema.TypeFloat64, "float64": schema.TypeBoolean, "boolean": schema.TypeInt8,
		"string": schema.TypeInt32, "bigdecimal": schema.TypeString, "date": schema.TypeString, "optional": schema.TypeInt32} {
		if fs(name).Type != typ {
			t.Errorf("%s: type %s, want %s", name, fs(name).Type, typ)
		}
	}
}

// A string that is not a number fails as Java's NumberFormatException
// does, wrapped in Cast's DataException.
func TestCastUnparseableString(t *testing.T) {
	tr := kafkaTransform(t, CastValueClass, map[string]string{"spec": "int8"})
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: schema.StringSchema, Value: "300"})
	if !strings.Contains(msg, "Value (300) was out of range for requested data type") {
		t.Errorf("error %q", msg)
	}
}
