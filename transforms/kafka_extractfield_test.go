package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// ExtractFieldTest.withSchema
func TestExtractFieldWithSchema(t *testing.T) {
	tr := kafkaTransform(t, ExtractFieldKeyClass, map[string]string{"field": "magic"})
	ks := schema.StructOf("", false, schema.NewField("magic", schema.Int32Schema))
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Partition: partitionOf(0), KeySchema: ks, Key: schema.NewStruct(ks).Set("magic", int32(42))})
	if out.KeySchema != schema.Int32Schema || out.Key != int32(42) {
		t.Errorf("key = %+v %v", out.KeySchema, out.Key)
	}
}

// ExtractFieldTest.withSchemaAndNestedPath
func TestExtractFieldWithSchemaAndNestedPath(t *testing.T) {
	tr := kafkaTransform(t, ExtractFieldKeyClass, map[string]string{"field.syntax.version": "V2", "field": "magic.foo"})
	foo := schema.StructOf("", false, schema.NewField("foo", schema.Int32Schema))
	ks := schema.StructOf("", false, schema.NewField("magic", foo))
	key := schema.NewStruct(ks).Set("magic", schema.NewStruct(foo).Set("foo", int32(42)))
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", KeySchema: ks, Key: key})
	if out.KeySchema != schema.Int32Schema || out.Key != int32(42) {
		t.Errorf("key = %+v %v", out.KeySchema, out.Key)
	}
	// V1 reads the same text as one field name, which this key lacks.
	v1 := kafkaTransform(t, ExtractFieldKeyClass, map[string]string{"field": "magic.foo"})
	if msg := kafkaApplyErr(t, v1, connect.SourceRecord{Topic: "test", KeySchema: ks, Key: key}); !strings.HasSuffix(msg, ": Unknown field: magic.foo") {
		t.Errorf("V1 error %q", msg)
	}
}

// ExtractFieldTest.testNullWithSchema and nullSchemaless
func TestExtractFieldNull(t *testing.T) {
	tr := kafkaTransform(t, ExtractFieldKeyClass, map[string]string{"field": "magic"})
	ks := schema.StructOf("", true, schema.NewField("magic", schema.Int32Schema))
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", KeySchema: ks})
	if out.KeySchema != schema.Int32Schema || out.Key != nil {
		t.Errorf("key = %+v %v", out.KeySchema, out.Key)
	}
	out = mustKeep(t, tr, connect.SourceRecord{Topic: "test"})
	if out.KeySchema != nil || out.Key != nil {
		t.Errorf("key = %+v %v", out.KeySchema, out.Key)
	}
}

// ExtractFieldTest.nonExistentFieldWithSchemaShouldFail and
// nonExistentNestedFieldWithSchemaShouldFail
func TestExtractFieldNonExistentField(t *testing.T) {
	foo := schema.StructOf("", false, schema.NewField("foo", schema.Int32Schema))
	ks := schema.StructOf("", false, schema.NewField("magic", foo))
	key := schema.NewStruct(ks).Set("magic", schema.NewStruct(foo).Set("foo", int32(42)))
	for _, c := range []struct {
		config map[string]string
		want   string
	}{
		{map[string]string{"field": "nonexistent"}, "Unknown field: nonexistent"},
		{map[string]string{"field": "magic.nonexistent", "field.syntax.version": "v2"}, "Unknown field: magic.nonexistent"},
		{map[string]string{"field": "magic.foo.bar", "field.syntax.version": "V2"}, "Cannot look up fields on non-struct type"},
	} {
		tr := kafkaTransform(t, ExtractFieldKeyClass, c.config)
		if msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "test", KeySchema: ks, Key: key}); msg != ExtractFieldKeyClass+": "+c.want {
			t.Errorf("%v: error %q, want %q", c.config, msg, c.want)
		}
	}
}

// A null struct on a V2 path gives null, with the last field's schema.
func TestExtractFieldNullNestedStruct(t *testing.T) {
	foo := schema.StructOf("", true, schema.NewField("foo", schema.Int32Schema))
	vs := schema.StructOf("", false, schema.NewField("magic", foo))
	tr := kafkaTransform(t, ExtractFieldValueClass, map[string]string{"field": "magic.foo", "field.syntax.version": "V2"})
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: vs, Value: schema.NewStruct(vs)})
	if out.ValueSchema != schema.Int32Schema || out.Value != nil {
		t.Errorf("value = %+v %v", out.ValueSchema, out.Value)
	}
}

// ExtractFieldTest.testUnsetOptionalKey and testUnsetOptionalField
func TestExtractFieldReplaceNullWithDefault(t *testing.T) {
	for _, class := range []string{ExtractFieldKeyClass, ExtractFieldValueClass} {
		for _, c := range []struct {
			replace string
			want    any
		}{{"false", nil}, {"true", int32(42)}} {
			tr := kafkaTransform(t, class, map[string]string{"field": "optional_with_default", "replace.null.with.default": c.replace})
			s := schema.StructOf("", false, schema.NewField("optional_with_default", withDefault42()))
			r := connect.SourceRecord{Topic: "test"}
			if class == ExtractFieldKeyClass {
				r.KeySchema, r.Key = s, schema.NewStruct(s)
			} else {
				r.ValueSchema, r.Value = s, schema.NewStruct(s)
			}
			out := mustKeep(t, tr, r)
			got := out.Value
			if class == ExtractFieldKeyClass {
				got = out.Key
			}
			if got != c.want {
				t.Errorf("%s replace.null.with.default=%s: got %v, want %v", class, c.replace, got, c.want)
			}
		}
	}
}

// FieldPathNotationTest: how V2 paths split into field names.
func TestExtractFieldPathV2(t *testing.T) {
	for _, c := range []struct {
		path string
		want []string
	}{
		{"..", []string{"", "", ""}},
		{"foo..", []string{"foo", "", ""}},
		{".bar.", []string{"", "bar", ""}},
		{"..baz", []string{"", "", "baz"}},
		{"foobarbaz", []string{"foobarbaz"}},
		{"foo.bar.baz", []string{"foo", "bar", "baz"}},
		{"foo`bar`baz", []string{"foo`bar`baz"}},
		{"`foo.bar.baz`", []string{"foo.bar.baz"}},
		{"foo.`bar.baz`", []string{"foo", "bar.baz"}},
		{"`foo.bar`.baz", []string{"foo.bar", "baz"}},
		{"foo.`bar`.baz", []string{"foo", "bar", "baz"}},
		{"foo.``bar.baz`", []string{"foo", "`bar.baz"}},
		{"foo.`bar.baz``", []string{"foo", "bar.baz`"}},
		{"foo.`ba`r.baz`", []string{"foo", "ba`r.baz"}},
		{"foo.ba`r.baz", []string{"foo", "ba`r", "baz"}},
		{"foo.``bar``.baz", []string{"foo", "`bar`", "baz"}},
		{"``foo.bar.baz``", []string{"`foo.bar.baz`"}},
		{"foo.`bar\\`.baz`", []string{"foo", "bar`.baz"}},
		{"foo.`bar.`baz`", []string{"foo", "bar.`baz"}},
		{"foo.`bar\\`.`baz`", []string{"foo", "bar`.`baz"}},
		{"foo.`bar\\\\`.\\`baz`", []string{"foo", "bar\\`.\\`baz"}},
	} {
		got, err := parseFieldPathV2(c.path)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseFieldPathV2(%q) = %q, %v; want %q", c.path, got, err, c.want)
		}
	}
}

// FieldPathNotationTest.shouldFailV2WhenIncompleteBackticks, through the
// transform's configuration.
func TestExtractFieldConfigErrors(t *testing.T) {
	for path, pos := range map[string]string{"`foo.bar.baz": "0", "foo.`bar.baz": "4", "foo.bar.`baz": "8", "foo.bar.`baz\\`": "8"} {
		wantConfigError(t, ExtractFieldValueClass, map[string]string{"field": path, "field.syntax.version": "V2"}, "field",
			"Incomplete backtick pair in path: ["+path+"], consider adding a backslash before backtick at position "+pos+" to escape it")
	}
	wantConfigError(t, ExtractFieldValueClass, map[string]string{"field": "", "field.syntax.version": "V2"}, "field",
		"Invalid value  for configuration field: a V2 field path needs at least one field name")
	wantConfigError(t, ExtractFieldKeyClass, nil, "field", `Missing required configuration "field" which has no default value.`)
	wantConfigError(t, ExtractFieldKeyClass, map[string]string{"field": "a", "field.syntax.version": "V3"}, "field.syntax.version",
		"Invalid value V3 for configuration field.syntax.version: String must be one of (case insensitive): V1, V2")
	wantConfigError(t, ExtractFieldValueClass, map[string]string{"field": "a", "replace.null.with.default": "x"}, "replace.null.with.default",
		"Invalid value x for configuration replace.null.with.default: Expected value to be either true or false")
}

// A value that is not a struct fails: on its schema when that is not a
// struct schema, else on the value.
func TestExtractFieldNotAStruct(t *testing.T) {
	tr := kafkaTransform(t, ExtractFieldValueClass, map[string]string{"field": "a"})
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{ValueSchema: schema.Int32Schema, Value: int32(1)})
	if msg != ExtractFieldValueClass+": Cannot look up fields on non-struct type" {
		t.Errorf("error %q", msg)
	}
	vs := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema))
	msg = kafkaApplyErr(t, tr, connect.SourceRecord{ValueSchema: vs, Value: "x"})
	if msg != ExtractFieldValueClass+": Only Struct objects supported for [field extraction], found: string" {
		t.Errorf("error %q", msg)
	}
}
