package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// replaceFieldSchema is ReplaceFieldTest's schema: dont, abc, foo, etc.
func replaceFieldSchema() *schema.Schema {
	return schema.StructOf("", false,
		schema.NewField("dont", schema.StringSchema),
		schema.NewField("abc", schema.Int32Schema),
		schema.NewField("foo", schema.BooleanSchema),
		schema.NewField("etc", schema.StringSchema))
}

func replaceFieldValue(s *schema.Schema) *schema.Struct {
	return schema.NewStruct(s).Set("dont", "whatever").Set("abc", int32(42)).Set("foo", true).Set("etc", "etc")
}

// checkStruct checks a struct's field names and values, in order.
func checkStruct(t *testing.T, v any, names []string, values []any) {
	t.Helper()
	st, ok := v.(*schema.Struct)
	if !ok {
		t.Fatalf("value is %T, want a struct", v)
	}
	var got []string
	for _, f := range st.Schema.Fields {
		got = append(got, f.Name)
	}
	if !reflect.DeepEqual(got, names) || !reflect.DeepEqual(st.Values, values) {
		t.Errorf("struct = %v %v, want %v %v", got, st.Values, names, values)
	}
}

// ReplaceFieldTest.withSchema
func TestReplaceFieldWithSchema(t *testing.T) {
	tr := kafkaTransform(t, ReplaceFieldValueClass, map[string]string{"include": "abc,foo", "renames": "abc:xyz,foo:bar"})
	s := replaceFieldSchema()
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Partition: partitionOf(0), ValueSchema: s, Value: replaceFieldValue(s)})
	checkStruct(t, out.Value, []string{"xyz", "bar"}, []any{int32(42), true})
	if out.ValueSchema != out.Value.(*schema.Struct).Schema {
		t.Errorf("record schema is not the struct's")
	}
	if f := out.ValueSchema.Field("xyz"); f.Schema != schema.Int32Schema {
		t.Errorf("renamed field schema = %+v", f.Schema)
	}
	again := mustKeep(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: s, Value: replaceFieldValue(s)})
	if again.ValueSchema != out.ValueSchema {
		t.Errorf("derived schema not cached")
	}
}

// ReplaceFieldTest.schemaless and testExcludeBackwardsCompatibility, with a
// schema: exclude (or its alias blacklist) and renames.
func TestReplaceFieldExclude(t *testing.T) {
	for _, prop := range []string{"exclude", "blacklist"} {
		tr := kafkaTransform(t, ReplaceFieldValueClass, map[string]string{prop: "dont", "renames": "abc:xyz,foo:bar"})
		s := replaceFieldSchema()
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: s, Value: replaceFieldValue(s)})
		checkStruct(t, out.Value, []string{"xyz", "bar", "etc"}, []any{int32(42), true, "etc"})
	}
}

// testIncludeBackwardsCompatibility with a value: whitelist is include;
// when both are set, include wins (ConfigUtils.translateDeprecatedConfigs),
// and exclude wins over include (ReplaceField.filter).
func TestReplaceFieldIncludeAliasAndPrecedence(t *testing.T) {
	s := replaceFieldSchema()
	for _, c := range []struct {
		config map[string]string
		names  []string
		values []any
	}{
		{map[string]string{"whitelist": "abc,foo"}, []string{"abc", "foo"}, []any{int32(42), true}},
		{map[string]string{"include": "abc", "whitelist": "abc,foo"}, []string{"abc"}, []any{int32(42)}},
		{map[string]string{"exclude": "abc", "blacklist": "etc"}, []string{"dont", "foo", "etc"}, []any{"whatever", true, "etc"}},
		{map[string]string{"include": "abc, foo", "exclude": "foo"}, []string{"abc"}, []any{int32(42)}},
		{map[string]string{}, []string{"dont", "abc", "foo", "etc"}, []any{"whatever", int32(42), true, "etc"}},
		{map[string]string{"renames": "abc:foo,foo:abc"}, []string{"dont", "foo", "abc", "etc"}, []any{"whatever", int32(42), true, "etc"}},
		{map[string]string{"renames": "abc:x:"}, []string{"dont", "x", "foo", "etc"}, []any{"whatever", int32(42), true, "etc"}},
	} {
		tr := kafkaTransform(t, ReplaceFieldValueClass, c.config)
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: s, Value: replaceFieldValue(s)})
		checkStruct(t, out.Value, c.names, c.values)
	}
}

// ReplaceFieldTest.tombstoneWithSchema and tombstoneSchemaless
func TestReplaceFieldTombstone(t *testing.T) {
	tr := kafkaTransform(t, ReplaceFieldValueClass, map[string]string{"include": "abc,foo", "renames": "abc:xyz,foo:bar"})
	s := replaceFieldSchema()
	for _, r := range []connect.SourceRecord{{Topic: "test", ValueSchema: s}, {Topic: "test"}} {
		out := mustKeep(t, tr, r)
		if out.Value != nil || out.ValueSchema != r.ValueSchema {
			t.Errorf("tombstone changed: %+v", out)
		}
	}
}

// ReplaceFieldTest.testReplaceNullWithDefaultConfigOnValue and ...OnKey
func TestReplaceFieldReplaceNullWithDefault(t *testing.T) {
	for _, class := range []string{ReplaceFieldValueClass, ReplaceFieldKeyClass} {
		for _, c := range []struct {
			replace string
			want    any
		}{{"false", nil}, {"true", int32(42)}} {
			tr := kafkaTransform(t, class, map[string]string{"include": "abc", "renames": "abc:optional_with_default", "replace.null.with.default": c.replace})
			s := schema.StructOf("", false, schema.NewField("abc", withDefault42()))
			r := connect.SourceRecord{Topic: "test"}
			if class == ReplaceFieldKeyClass {
				r.KeySchema, r.Key = s, schema.NewStruct(s)
			} else {
				r.ValueSchema, r.Value = s, schema.NewStruct(s)
			}
			out := mustKeep(t, tr, r)
			got := out.Value
			if class == ReplaceFieldKeyClass {
				got = out.Key
			}
			checkStruct(t, got, []string{"optional_with_default"}, []any{c.want})
		}
	}
}

// The schema basics are copied; renaming onto an existing field fails as
// SchemaBuilder.field does.
func TestReplaceFieldSchemaBasicsAndDuplicates(t *testing.T) {
	s := schema.StructOf("server.public.t.Value", true, schema.NewField("a", schema.Int32Schema), schema.NewField("b", schema.Int32Schema))
	s.Version, s.Doc, s.Params = 2, "d", []schema.Param{{Key: "k", Value: "v"}}
	tr := kafkaTransform(t, ReplaceFieldValueClass, map[string]string{"exclude": "b"})
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "t", ValueSchema: s, Value: schema.NewStruct(s).Set("a", int32(1))})
	got := out.ValueSchema
	if got.Name != s.Name || got.Version != 2 || got.Doc != "d" || !reflect.DeepEqual(got.Params, s.Params) || got.Optional {
		t.Errorf("schema = %+v", got)
	}
	tr = kafkaTransform(t, ReplaceFieldValueClass, map[string]string{"renames": "a:b"})
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "t", ValueSchema: s, Value: schema.NewStruct(s)})
	if !strings.HasSuffix(msg, "Cannot create field because of field name duplication b") {
		t.Errorf("error %q", msg)
	}
}

func TestReplaceFieldConfigErrors(t *testing.T) {
	wantConfigError(t, ReplaceFieldValueClass, map[string]string{"renames": "a:b, c"},
		"renames", "Invalid value [a:b, c] for configuration renames: Invalid rename mapping: c")
	wantConfigError(t, ReplaceFieldKeyClass, map[string]string{"renames": "a:b:c"},
		"renames", "Invalid value [a:b:c] for configuration renames: Invalid rename mapping: a:b:c")
	wantConfigError(t, ReplaceFieldValueClass, map[string]string{"renames": "a:"},
		"renames", "Invalid value [a:] for configuration renames: Invalid rename mapping: a:")
	wantConfigError(t, ReplaceFieldValueClass, map[string]string{"replace.null.with.default": "1"},
		"replace.null.with.default", "Invalid value 1 for configuration replace.null.with.default: Expected value to be either true or false")
}
