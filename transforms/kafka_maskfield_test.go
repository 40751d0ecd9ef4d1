package transforms

import (
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// maskSchema and maskValue are MaskFieldTest's SCHEMA and VALUES_WITH_SCHEMA.
func maskSchema() *schema.Schema {
	return schema.StructOf("", false,
		schema.NewField("magic", schema.Int32Schema), schema.NewField("bool", schema.BooleanSchema),
		schema.NewField("byte", schema.Int8Schema), schema.NewField("short", schema.Int16Schema),
		schema.NewField("int", schema.Int32Schema), schema.NewField("long", schema.Int64Schema),
		schema.NewField("float", schema.Float32Schema), schema.NewField("double", schema.Float64Schema),
		schema.NewField("string", schema.StringSchema),
		schema.NewField("date", &schema.Schema{Type: schema.TypeInt32, Name: schema.DateName, Version: 1}),
		schema.NewField("time", &schema.Schema{Type: schema.TypeInt32, Name: schema.TimeName, Version: 1}),
		schema.NewField("timestamp", requiredTimestampSchema),
		schema.NewField("decimal", schema.DecimalSchema(0, 0, false)),
		schema.NewField("array", &schema.Schema{Type: schema.TypeArray, Items: schema.Int32Schema}),
		schema.NewField("map", &schema.Schema{Type: schema.TypeMap, Keys: schema.StringSchema, Values: schema.StringSchema}),
		schema.NewField("withDefault", &schema.Schema{Type: schema.TypeString, Optional: true, Default: "default", HasDefault: true}))
}

func maskValue(s *schema.Schema) *schema.Struct {
	now := time.Now().UTC()
	return schema.NewStruct(s).Set("magic", int32(42)).Set("bool", true).Set("byte", int8(42)).Set("short", int16(42)).
		Set("int", int32(42)).Set("long", int64(42)).Set("float", float32(42)).Set("double", float64(42)).Set("string", "hmm").
		Set("date", now).Set("time", now).Set("timestamp", now).Set("decimal", schema.Decimal{Unscaled: big.NewInt(42)}).
		Set("array", []any{int32(1), int32(2), int32(3)}).Set("map", map[string]any{"what": "what"})
}

func maskConfig(fields, replacement string) map[string]string {
	c := map[string]string{"fields": fields, "replace.null.with.default": "false"}
	if replacement != "" {
		c["replacement"] = replacement
	}
	return c
}

// MaskFieldTest.testWithSchema
func TestMaskFieldWithSchema(t *testing.T) {
	s := maskSchema()
	var names []string
	for _, f := range s.Fields[1:] {
		names = append(names, f.Name)
	}
	tr := kafkaTransform(t, MaskFieldValueClass, maskConfig(strings.Join(names, ","), ""))
	in := maskValue(s)
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "", ValueSchema: s, Value: in})
	v := out.Value.(*schema.Struct)
	epoch := time.UnixMilli(0).UTC()
	for name, w := range map[string]any{"magic": int32(42), "bool": false, "byte": int8(0), "short": int16(0), "int": int32(0),
		"long": int64(0), "float": float32(0), "double": float64(0), "string": "", "date": epoch, "time": epoch, "timestamp": epoch,
		"decimal": schema.Decimal{Unscaled: new(big.Int), Scale: 0}, "array": []any{}, "map": map[string]any{}, "withDefault": nil} {
		if got := v.Get(name); !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", name, got, w)
		}
	}
	if out.ValueSchema != s || in.Get("int") != int32(42) {
		t.Errorf("schema replaced or input modified")
	}
}

// MaskFieldTest.testWithSchemaAndReplacement
func TestMaskFieldWithSchemaAndReplacement(t *testing.T) {
	for _, c := range []struct {
		field, replacement string
		want               any
	}{
		{"short", "123", int16(123)}, {"byte", "123", int8(123)}, {"int", "123", int32(123)}, {"long", "123", int64(123)},
		{"float", "123.0", float32(123)}, {"double", "123.0", float64(123)}, {"string", "123", "123"},
		{"decimal", "123.0", schema.Decimal{Unscaled: big.NewInt(123), Scale: 0}},
		// new BigDecimal(s).intValue(): truncated.
		{"int", "1.9e2", int32(190)}, {"int", "-7.9", int32(-7)},
	} {
		tr := kafkaTransform(t, MaskFieldValueClass, maskConfig(c.field, c.replacement))
		s := maskSchema()
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "", ValueSchema: s, Value: maskValue(s)})
		if got := out.Value.(*schema.Struct).Get(c.field); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s with %s = %#v, want %#v", c.field, c.replacement, got, c.want)
		}
	}
}

// MaskFieldTest.testWithSchemaUnsupportedReplacementType,
// testReplacementTypeMismatch, testEmptyStringReplacementValue
func TestMaskFieldReplacementErrors(t *testing.T) {
	for _, c := range []struct{ field, replacement, message string }{
		{"time", "x", "Cannot mask value of type class java.util.Date with custom replacement."},
		{"timestamp", "1", "Cannot mask value of type class java.util.Date with custom replacement."},
		{"array", "1", "Cannot mask value of type class java.util.ArrayList with custom replacement."},
		{"bool", "false", "Cannot mask value of type class java.lang.Boolean with custom replacement."},
		{"byte", "foo", "Unable to convert foo (class java.lang.String) to number"},
		{"double", "foo", "Unable to convert foo (class java.lang.String) to number"},
		{"decimal", "foo", "Unable to convert foo (class java.lang.String) to number"},
	} {
		tr := kafkaTransform(t, MaskFieldValueClass, maskConfig(c.field, c.replacement))
		s := maskSchema()
		msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "", ValueSchema: s, Value: maskValue(s)})
		if !strings.HasSuffix(msg, c.message) {
			t.Errorf("%s with %s: %q", c.field, c.replacement, msg)
		}
	}
	wantConfigError(t, MaskFieldValueClass, map[string]string{"fields": "short", "replacement": ""},
		"replacement", "Invalid value  for configuration replacement: String must be non-empty")
	wantConfigError(t, MaskFieldValueClass, map[string]string{"fields": ""}, "fields", "Invalid value [] for configuration fields: Empty list")
}

// MaskField on a key, and on a tombstone, which has nothing to mask.
func TestMaskFieldKeyAndTombstone(t *testing.T) {
	tr := kafkaTransform(t, MaskFieldKeyClass, map[string]string{"fields": "id"})
	s := schema.StructOf("k", false, schema.NewField("id", schema.Int32Schema))
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "t", KeySchema: s, Key: schema.NewStruct(s).Set("id", int32(7))})
	if out.Key.(*schema.Struct).Get("id") != int32(0) {
		t.Errorf("key %v", out.Key)
	}
	if out := mustKeep(t, tr, connect.SourceRecord{Topic: "t"}); out.Key != nil {
		t.Errorf("null key masked to %v", out.Key)
	}
}
