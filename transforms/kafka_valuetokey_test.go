package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// ValueToKeyTest.withSchema
func TestValueToKeyWithSchema(t *testing.T) {
	tr := kafkaTransform(t, ValueToKeyClass, map[string]string{"fields": "a,b"})
	vs := schema.StructOf("", false,
		schema.NewField("a", schema.Int32Schema), schema.NewField("b", schema.Int32Schema), schema.NewField("c", schema.Int32Schema))
	value := schema.NewStruct(vs).Set("a", int32(1)).Set("b", int32(2)).Set("c", int32(3))
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "", Partition: partitionOf(0), ValueSchema: vs, Value: value})

	want := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema), schema.NewField("b", schema.Int32Schema))
	if !reflect.DeepEqual(out.KeySchema, want) {
		t.Errorf("key schema = %+v, want %+v", out.KeySchema, want)
	}
	checkStruct(t, out.Key, []string{"a", "b"}, []any{int32(1), int32(2)})
	if out.Key.(*schema.Struct).Schema != out.KeySchema || out.ValueSchema != vs || out.Value != value {
		t.Errorf("record schemas or value changed")
	}
	again := mustKeep(t, tr, connect.SourceRecord{ValueSchema: vs, Value: value})
	if again.KeySchema != out.KeySchema {
		t.Errorf("key schema not cached")
	}
}

// The key fields follow the order of "fields", not the value's.
func TestValueToKeyFieldOrder(t *testing.T) {
	tr := kafkaTransform(t, ValueToKeyClass, map[string]string{"fields": " c , a "})
	vs := schema.StructOf("v", true, schema.NewField("a", schema.Int32Schema), schema.NewField("c", schema.OptionalStringSchema))
	out := mustKeep(t, tr, connect.SourceRecord{ValueSchema: vs, Value: schema.NewStruct(vs).Set("a", int32(1)).Set("c", "x")})
	checkStruct(t, out.Key, []string{"c", "a"}, []any{"x", int32(1)})
	if ks := out.KeySchema; ks.Name != "" || ks.Optional {
		t.Errorf("key schema = %+v, want an unnamed required struct", ks)
	}
}

// ValueToKeyTest.nonExistingField
func TestValueToKeyNonExistingField(t *testing.T) {
	tr := kafkaTransform(t, ValueToKeyClass, map[string]string{"fields": "not_exist"})
	vs := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema))
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{ValueSchema: vs, Value: schema.NewStruct(vs).Set("a", int32(1))})
	if !strings.HasSuffix(msg, ": Field does not exist: not_exist") {
		t.Errorf("error %q", msg)
	}
}

// ValueToKeyTest.testReplaceNullWithDefaultConfig
func TestValueToKeyReplaceNullWithDefault(t *testing.T) {
	for _, c := range []struct {
		replace string
		want    any
	}{{"false", nil}, {"true", int32(42)}} {
		tr := kafkaTransform(t, ValueToKeyClass, map[string]string{"fields": "optional_with_default", "replace.null.with.default": c.replace})
		vs := schema.StructOf("", false, schema.NewField("optional_with_default", withDefault42()))
		out := mustKeep(t, tr, connect.SourceRecord{ValueSchema: vs, Value: schema.NewStruct(vs)})
		checkStruct(t, out.Key, []string{"optional_with_default"}, []any{c.want})
	}
}

// Kafka reads a tombstone as schemaless data, which requireMap refuses.
func TestValueToKeyTombstone(t *testing.T) {
	tr := kafkaTransform(t, ValueToKeyClass, map[string]string{"fields": "a"})
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "t"})
	if !strings.HasSuffix(msg, "Only Map objects supported in absence of schema for [copying fields from value to key], found: null") {
		t.Errorf("error %q", msg)
	}
	vs := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema))
	msg = kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "t", ValueSchema: vs})
	if !strings.HasSuffix(msg, "Only Struct objects supported for [copying fields from value to key], found: null") {
		t.Errorf("error %q", msg)
	}
}

func TestValueToKeyConfigErrors(t *testing.T) {
	wantConfigError(t, ValueToKeyClass, nil, "fields", `Missing required configuration "fields" which has no default value.`)
	wantConfigError(t, ValueToKeyClass, map[string]string{"fields": " "}, "fields", "Invalid value [] for configuration fields: Empty list")
	wantConfigError(t, ValueToKeyClass, map[string]string{"fields": "a", "replace.null.with.default": "no"},
		"replace.null.with.default", "Invalid value no for configuration replace.null.with.default: Expected value to be either true or false")
}

// A field listed twice fails as SchemaBuilder.field does.
func TestValueToKeyDuplicateField(t *testing.T) {
	tr := kafkaTransform(t, ValueToKeyClass, map[string]string{"fields": "a,a"})
	vs := schema.StructOf("", false, schema.NewField("a", schema.Int32Schema))
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{ValueSchema: vs, Value: schema.NewStruct(vs)})
	if !strings.HasSuffix(msg, "Cannot create field because of field name duplication a") {
		t.Errorf("error %q", msg)
	}
}
