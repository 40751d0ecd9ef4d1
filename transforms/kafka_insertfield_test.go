package transforms

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// insertAll is the configuration most of Kafka's InsertFieldTest uses.
func insertAll() map[string]string {
	return map[string]string{
		"topic.field":     "topic_field!",
		"partition.field": "partition_field",
		"timestamp.field": "timestamp_field?",
		"static.field":    "instance_id",
		"static.value":    "my-instance-id",
	}
}

// simpleStructSchema is InsertFieldTest's
// struct().name("name").version(1).doc("doc").field("magic", OPTIONAL_INT64).
func simpleStructSchema() *schema.Schema {
	s := schema.StructOf("name", false, schema.NewField("magic", schema.OptionalInt64Schema))
	s.Version, s.Doc = 1, "doc"
	return s
}

func partitionOf(p int32) *int32 { return &p }

// InsertFieldTest.topLevelStructRequired
func TestInsertFieldTopLevelStructRequired(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldValueClass, map[string]string{"topic.field": "topic_field"})
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "", Partition: partitionOf(0), ValueSchema: schema.Int32Schema, Value: int32(42)})
	if want := "Only Struct objects supported for [field insertion], found: int32"; !strings.HasSuffix(msg, want) {
		t.Errorf("error %q, want suffix %q", msg, want)
	}
}

// InsertFieldTest.copySchemaAndInsertConfiguredFields
func TestInsertFieldCopySchemaAndInsertConfiguredFields(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldValueClass, insertAll())
	in := simpleStructSchema()
	r := connect.SourceRecord{
		Topic: "test", Partition: partitionOf(0), ValueSchema: in,
		Value: schema.NewStruct(in).Set("magic", int64(42)), Timestamp: time.UnixMilli(789),
	}
	out := mustKeep(t, tr, r)
	s := out.ValueSchema
	if s.Name != "name" || s.Version != 1 || s.Doc != "doc" || s.Type != schema.TypeStruct || s.Optional {
		t.Errorf("schema basics = %q %d %q %v optional=%v", s.Name, s.Version, s.Doc, s.Type, s.Optional)
	}
	wantFields := []struct {
		name   string
		schema *schema.Schema
		value  any
	}{
		{"magic", schema.OptionalInt64Schema, int64(42)},
		{"topic_field", schema.StringSchema, "test"},
		{"partition_field", schema.OptionalInt32Schema, int32(0)},
		{"timestamp_field", &schema.Schema{Type: schema.TypeInt64, Name: schema.TimestampName, Version: 1, Optional: true}, time.UnixMilli(789).UTC()},
		{"instance_id", schema.OptionalStringSchema, "my-instance-id"},
	}
	v := out.Value.(*schema.Struct)
	if len(s.Fields) != len(wantFields) || v.Schema != s {
		t.Fatalf("fields = %d, struct schema is the record's: %v", len(s.Fields), v.Schema == s)
	}
	for i, w := range wantFields {
		f := s.Fields[i]
		if f.Name != w.name || f.Index != i || !reflect.DeepEqual(f.Schema, w.schema) {
			t.Errorf("field %d = %s %+v, want %s %+v", i, f.Name, f.Schema, w.name, w.schema)
		}
		if got := v.Get(w.name); !reflect.DeepEqual(got, w.value) {
			t.Errorf("%s = %#v, want %#v", w.name, got, w.value)
		}
	}
	if out.Value.(*schema.Struct).Get("timestamp_field").(time.Time).UnixMilli() != 789 {
		t.Errorf("timestamp is not 789 ms")
	}

	// Exercise caching: the derived schema is reused for the same input schema.
	out2 := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Partition: partitionOf(1), ValueSchema: in, Value: schema.NewStruct(in)})
	if out2.ValueSchema != out.ValueSchema {
		t.Errorf("derived schema not cached")
	}
	// Without a partition or timestamp those fields stay null.
	v2 := out2.Value.(*schema.Struct)
	if v2.Get("partition_field") != int32(1) || v2.Get("timestamp_field") != nil {
		t.Errorf("second record: %v", v2.Values)
	}
	noMeta := mustKeep(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: in, Value: schema.NewStruct(in)})
	if got := noMeta.Value.(*schema.Struct); got.Get("partition_field") != nil || got.Get("timestamp_field") != nil {
		t.Errorf("record without partition and timestamp: %v", got.Values)
	}
}

// InsertFieldTest.insertConfiguredFieldsIntoTombstoneEventWithSchemaLeavesValueUnchanged
// and ...WithoutSchema...
func TestInsertFieldTombstoneUnchanged(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldValueClass, insertAll())
	in := simpleStructSchema()
	for _, r := range []connect.SourceRecord{
		{Topic: "test", Partition: partitionOf(0), ValueSchema: in},
		{Topic: "test", Partition: partitionOf(0)},
	} {
		out := mustKeep(t, tr, r)
		if out.Value != nil || out.ValueSchema != r.ValueSchema {
			t.Errorf("tombstone changed: %+v", out)
		}
	}
}

// InsertFieldTest.insertKeyFieldsIntoTombstoneEvent, with a key schema.
func TestInsertFieldKeyOfTombstone(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldKeyClass, insertAll())
	in := simpleStructSchema()
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Partition: partitionOf(0), KeySchema: in, Key: schema.NewStruct(in).Set("magic", int64(42))})
	k := out.Key.(*schema.Struct)
	if k.Schema != out.KeySchema || k.Get("magic") != int64(42) || k.Get("topic_field") != "test" ||
		k.Get("partition_field") != int32(0) || k.Get("timestamp_field") != nil || k.Get("instance_id") != "my-instance-id" {
		t.Errorf("key = %v", k.Values)
	}
	if out.Value != nil || out.ValueSchema != nil {
		t.Errorf("value = %v", out.Value)
	}
}

// InsertFieldTest.insertIntoNullKeyLeavesRecordUnchanged
func TestInsertFieldNullKeyUnchanged(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldKeyClass, insertAll())
	in := simpleStructSchema()
	r := connect.SourceRecord{Topic: "test", Partition: partitionOf(0), ValueSchema: in, Value: schema.NewStruct(in)}
	out := mustKeep(t, tr, r)
	if out.Key != nil || out.KeySchema != nil || out.ValueSchema != in || out.Value != r.Value {
		t.Errorf("record changed: %+v", out)
	}
}

// InsertFieldTest.testUnsetOptionalField
func TestInsertFieldReplaceNullWithDefault(t *testing.T) {
	for _, c := range []struct {
		replace string
		want    any
	}{{"false", nil}, {"true", int64(42)}} {
		config := insertAll()
		config["replace.null.with.default"] = c.replace
		tr := kafkaTransform(t, InsertFieldValueClass, config)
		magic := &schema.Schema{Type: schema.TypeInt64, Optional: true, Default: int64(42), HasDefault: true}
		in := schema.StructOf("name", false, schema.NewField("magic_with_default", magic))
		in.Version, in.Doc = 1, "doc"
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Partition: partitionOf(0), ValueSchema: in, Value: schema.NewStruct(in), Timestamp: time.UnixMilli(789)})
		if out.ValueSchema.Field("magic_with_default").Schema != magic {
			t.Errorf("field schema not kept")
		}
		if got := out.Value.(*schema.Struct).Get("magic_with_default"); got != c.want {
			t.Errorf("replace.null.with.default=%s: got %v, want %v", c.replace, got, c.want)
		}
	}
}

// TestInsertFieldOptionality checks the "!" and "?" suffixes on every kind
// of field: "!" makes the inserted field required, "?" or no suffix
// optional.
func TestInsertFieldOptionality(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldValueClass, map[string]string{
		"topic.field": "t?", "partition.field": "p!", "timestamp.field": "ts!", "static.field": "s!", "static.value": " v ",
	})
	in := simpleStructSchema()
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "test", Partition: partitionOf(3), ValueSchema: in, Value: schema.NewStruct(in), Timestamp: time.UnixMilli(1)})
	s := out.ValueSchema
	for name, want := range map[string]*schema.Schema{
		"t": schema.OptionalStringSchema, "p": schema.Int32Schema, "s": schema.StringSchema,
		"ts": {Type: schema.TypeInt64, Name: schema.TimestampName, Version: 1},
	} {
		if f := s.Field(name); f == nil || !reflect.DeepEqual(f.Schema, want) {
			t.Errorf("field %s = %+v, want %+v", name, f, want)
		}
	}
	// ConfigDef trims STRING values, static.value included.
	if got := out.Value.(*schema.Struct).Get("s"); got != "v" {
		t.Errorf("static value = %q", got)
	}
}

// offset.field is for sink records: Kafka fails each source record that has
// a value to insert into, and passes the others.
func TestInsertFieldOffsetOnSourceRecord(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldValueClass, map[string]string{"offset.field": "offset"})
	in := simpleStructSchema()
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: in, Value: schema.NewStruct(in)})
	if want := "Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord"; !strings.HasSuffix(msg, want) {
		t.Errorf("error %q", msg)
	}
	mustKeep(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: in})
}

// A field that already exists fails as SchemaBuilder.field does.
func TestInsertFieldDuplicateName(t *testing.T) {
	tr := kafkaTransform(t, InsertFieldValueClass, map[string]string{"topic.field": "magic"})
	in := simpleStructSchema()
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "test", ValueSchema: in, Value: schema.NewStruct(in)})
	if want := "Cannot create field because of field name duplication magic"; !strings.HasSuffix(msg, want) {
		t.Errorf("error %q", msg)
	}
}

func TestInsertFieldConfigErrors(t *testing.T) {
	wantConfigError(t, InsertFieldValueClass, nil, "type", "No field insertion configured")
	wantConfigError(t, InsertFieldKeyClass, map[string]string{"static.value": "x"}, "type", "No field insertion configured")
	wantConfigError(t, InsertFieldValueClass, map[string]string{"static.field": "instance_id"},
		"static.value", "Invalid value null for configuration static.value: No value specified for static field: instance_id")
	wantConfigError(t, InsertFieldValueClass, map[string]string{"topic.field": " ! "},
		"topic.field", "Invalid value ! for configuration topic.field: the field name is empty")
	wantConfigError(t, InsertFieldValueClass, map[string]string{"topic.field": "t", "replace.null.with.default": "yes"},
		"replace.null.with.default", "Invalid value yes for configuration replace.null.with.default: Expected value to be either true or false")
}
