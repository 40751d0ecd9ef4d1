package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

func headerList(kv ...any) []connect.Header {
	var out []connect.Header
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, connect.Header{Key: kv[i].(string), Schema: schema.StringSchema, Value: kv[i+1]})
	}
	return out
}

// InsertHeaderTest.insertionWithExistingOtherHeader,
// insertionWithExistingSameHeader, insertionWithByteHeader and the
// configuration tests.
func TestInsertHeader(t *testing.T) {
	tr := kafkaTransform(t, InsertHeaderClass, map[string]string{"header": "inserted", "value.literal": "inserted-value"})
	for _, existing := range [][]connect.Header{nil, headerList("existing", "existing-value"), headerList("inserted", "existing-value")} {
		in := connect.SourceRecord{Topic: "topic", Headers: existing}
		out := mustKeep(t, tr, in)
		want := append(append([]connect.Header(nil), existing...), connect.Header{Key: "inserted", Schema: schema.StringSchema, Value: "inserted-value"})
		if !reflect.DeepEqual(out.Headers, want) || !reflect.DeepEqual(in.Headers, existing) {
			t.Errorf("headers %v, want %v (input %v)", out.Headers, want, in.Headers)
		}
	}
	wantConfigError(t, InsertHeaderClass, map[string]string{"value.literal": "x"}, "header", `Missing required configuration "header" which has no default value.`)
	wantConfigError(t, InsertHeaderClass, map[string]string{"header": "h"}, "value.literal", `Missing required configuration "value.literal" which has no default value.`)
}

// DropHeadersTest.dropExistingHeader, dropExistingHeaderWithMultipleValues,
// dropNonExistingHeader, configRejectsEmptyList
func TestDropHeaders(t *testing.T) {
	tr := kafkaTransform(t, DropHeadersClass, map[string]string{"headers": "dropped"})
	for _, c := range []struct{ in, want []connect.Header }{
		{headerList("existing", "existing-value", "dropped", "dropped-value"), headerList("existing", "existing-value")},
		{headerList("existing", "existing-value", "dropped", "dropped-value", "dropped", "dropped-value2"), headerList("existing", "existing-value")},
		{headerList("existing", "existing-value"), headerList("existing", "existing-value")},
	} {
		in := connect.SourceRecord{Topic: "topic", Headers: c.in}
		kept := append([]connect.Header(nil), c.in...)
		out := mustKeep(t, tr, in)
		if !reflect.DeepEqual(out.Headers, c.want) || !reflect.DeepEqual(in.Headers, kept) {
			t.Errorf("headers %v, want %v", out.Headers, c.want)
		}
	}
	wantConfigError(t, DropHeadersClass, map[string]string{"headers": ""}, "headers", "Invalid value [] for configuration headers: Empty list")
}

// HeaderFromTest.withSchema: copy and move of fields from the key and the
// value, with and without replace.null.with.default.
func TestHeaderFromWithSchema(t *testing.T) {
	s := schema.StructOf("", false,
		schema.NewField("field1", schema.StringSchema),
		schema.NewField("field2", schema.StringSchema),
		schema.NewField("field3", &schema.Schema{Type: schema.TypeString, Optional: true, Default: "default", HasDefault: true}))
	value := func() *schema.Struct {
		return schema.NewStruct(s).Set("field1", "field1-value").Set("field2", "field2-value")
	}
	for _, c := range []struct {
		name       string
		class      string
		fields     string
		headers    string
		operation  string
		replace    string
		wantFields []string
		want       []connect.Header
	}{
		{"copy to new header", HeaderFromValueClass, "field1", "inserted1", "copy", "true", []string{"field1", "field2", "field3"},
			headerList("existing", "existing-value", "inserted1", "field1-value")},
		{"copy two", HeaderFromKeyClass, "field1,field2", "inserted1,inserted2", "copy", "true", []string{"field1", "field2", "field3"},
			headerList("existing", "existing-value", "inserted1", "field1-value", "inserted2", "field2-value")},
		{"copy to existing header", HeaderFromValueClass, "field1", "existing", "copy", "true", []string{"field1", "field2", "field3"},
			headerList("existing", "existing-value", "existing", "field1-value")},
		{"move", HeaderFromValueClass, "field1", "inserted1", "move", "true", []string{"field2", "field3"},
			headerList("existing", "existing-value", "inserted1", "field1-value")},
		{"move with default", HeaderFromKeyClass, "field1,field3", "inserted1,inserted3", "move", "true", []string{"field2"},
			headerList("existing", "existing-value", "inserted1", "field1-value", "inserted3", "default")},
		{"move without default", HeaderFromValueClass, "field1,field3", "inserted1,inserted3", "move", "false", []string{"field2"},
			headerList("existing", "existing-value", "inserted1", "field1-value", "inserted3", nil)},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := kafkaTransform(t, c.class, map[string]string{"fields": c.fields, "headers": c.headers, "operation": c.operation,
				"replace.null.with.default": c.replace})
			in := connect.SourceRecord{Topic: "topic", KeySchema: s, Key: value(), ValueSchema: s, Value: value(), Headers: headerList("existing", "existing-value")}
			out := mustKeep(t, tr, in)
			os, ov := out.ValueSchema, out.Value.(*schema.Struct)
			if c.class == HeaderFromKeyClass {
				os, ov = out.KeySchema, out.Key.(*schema.Struct)
				if out.Value != in.Value {
					t.Errorf("value changed")
				}
			}
			var names []string
			for _, f := range os.Fields {
				names = append(names, f.Name)
			}
			if !reflect.DeepEqual(names, c.wantFields) || ov.Get("field2") != "field2-value" {
				t.Errorf("fields %v (%v), want %v", names, ov.Values, c.wantFields)
			}
			if c.operation == "copy" && (os != s) {
				t.Errorf("copy changed the schema")
			}
			var got []connect.Header
			for _, h := range out.Headers {
				got = append(got, connect.Header{Key: h.Key, Schema: schema.StringSchema, Value: h.Value})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("headers %v, want %v", got, c.want)
			}
			if len(in.Headers) != 1 {
				t.Errorf("input headers modified: %v", in.Headers)
			}
		})
	}
}

// HeaderFromTest.invalidConfigExtraHeaderConfig,
// invalidConfigExtraFieldConfig, invalidConfigEmptyHeadersAndFieldsConfig;
// a missing field and a tombstone fail the record as in Kafka.
func TestHeaderFromErrors(t *testing.T) {
	wantConfigError(t, HeaderFromValueClass, map[string]string{"fields": "foo", "headers": "foo,bar", "operation": "move"},
		"headers", "'fields' config must have the same number of elements as 'headers' config.")
	wantConfigError(t, HeaderFromValueClass, map[string]string{"fields": "foo,bar", "headers": "foo", "operation": "move"},
		"headers", "'fields' config must have the same number of elements as 'headers' config.")
	wantConfigError(t, HeaderFromValueClass, map[string]string{"fields": "a", "headers": "a", "operation": "cut"},
		"operation", "Invalid value cut for configuration operation: String must be one of: move, copy")
	tr := kafkaTransform(t, HeaderFromValueClass, map[string]string{"fields": "nope", "headers": "h", "operation": "copy"})
	s := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema))
	if msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "t", ValueSchema: s, Value: schema.NewStruct(s)}); !strings.Contains(msg, "no field nope") {
		t.Errorf("error %q", msg)
	}
	if msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "t"}); !strings.HasSuffix(msg, "Only Struct objects supported for [header copy], found: null") {
		t.Errorf("error %q", msg)
	}
}

// HoistFieldTest.withSchema, and a tombstone, which Kafka wraps in a
// schemaless map.
func TestHoistField(t *testing.T) {
	tr := kafkaTransform(t, HoistFieldKeyClass, map[string]string{"field": "magic"})
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", KeySchema: schema.Int32Schema, Key: int32(42)})
	if out.KeySchema.Type != schema.TypeStruct || out.KeySchema.Field("magic").Schema != schema.Int32Schema ||
		out.Key.(*schema.Struct).Get("magic") != int32(42) || out.KeySchema.Optional || out.KeySchema.Name != "" {
		t.Errorf("key %+v %+v", out.KeySchema, out.Key)
	}
	tr = kafkaTransform(t, HoistFieldValueClass, map[string]string{"field": "magic"})
	out = mustKeep(t, tr, connect.SourceRecord{Topic: "test", KeySchema: schema.Int32Schema, Key: int32(1)})
	if out.ValueSchema != nil || !reflect.DeepEqual(out.Value, map[string]any{"magic": nil}) || out.Key != int32(1) {
		t.Errorf("tombstone gave %+v %#v", out.ValueSchema, out.Value)
	}
	wantConfigError(t, HoistFieldValueClass, nil, "field", `Missing required configuration "field" which has no default value.`)
}

// SetSchemaMetadataTest.schemaNameUpdate, schemaVersionUpdate,
// schemaNameAndVersionUpdateWithStruct, ...WithStructAndNullField,
// valueSchemaRequired, ignoreRecordWithNullValue
func TestSetSchemaMetadata(t *testing.T) {
	tr := kafkaTransform(t, SetSchemaMetadataValueClass, map[string]string{"schema.name": "foo"})
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "", ValueSchema: schema.StructOf("", false)})
	if out.ValueSchema.Name != "foo" {
		t.Errorf("name %q", out.ValueSchema.Name)
	}
	tr = kafkaTransform(t, SetSchemaMetadataValueClass, map[string]string{"schema.version": "42"})
	out = mustKeep(t, tr, connect.SourceRecord{Topic: "", ValueSchema: schema.StringSchema, Value: "x"})
	if out.ValueSchema.Version != 42 || out.ValueSchema.Type != schema.TypeString || schema.StringSchema.Version != 0 {
		t.Errorf("version %d", out.ValueSchema.Version)
	}
	for _, c := range []struct {
		replace string
		want    any
	}{{"true", int32(42)}, {"false", nil}} {
		tr = kafkaTransform(t, SetSchemaMetadataKeyClass, map[string]string{"schema.name": "foo", "schema.version": "42", "replace.null.with.default": c.replace})
		s := schema.StructOf("my.orig.SchemaDefn", false, schema.NewField("stringField", schema.StringSchema), schema.NewField("intField", withDefault42()))
		out = mustKeep(t, tr, connect.SourceRecord{Topic: "", KeySchema: s, Key: schema.NewStruct(s).Set("stringField", "value")})
		k := out.Key.(*schema.Struct)
		if out.KeySchema.Name != "foo" || out.KeySchema.Version != 42 || k.Schema != out.KeySchema || s.Name != "my.orig.SchemaDefn" {
			t.Errorf("key schema %+v", out.KeySchema)
		}
		if k.Get("stringField") != "value" || k.Get("intField") != c.want || out.KeySchema.Field("intField").Schema != s.Fields[1].Schema {
			t.Errorf("replace %s: key %v", c.replace, k.Values)
		}
	}
	tr = kafkaTransform(t, SetSchemaMetadataValueClass, map[string]string{"schema.name": "foo"})
	if msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "", Value: "x"}); !strings.HasSuffix(msg, "Schema required for [updating schema metadata]") {
		t.Errorf("error %q", msg)
	}
	if out := mustKeep(t, tr, connect.SourceRecord{Topic: ""}); out.Value != nil || out.ValueSchema != nil {
		t.Errorf("tombstone changed")
	}
	wantConfigError(t, SetSchemaMetadataValueClass, nil, "type", "Neither schema name nor version configured")
}
