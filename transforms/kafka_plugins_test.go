package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// kafkaTransform configures the Kafka transform class from its plugin entry.
func kafkaTransform(t testing.TB, class string, config map[string]string) connect.Transformation {
	t.Helper()
	tr, errs := kafkaConfigure(t, class, config)
	if len(errs) > 0 {
		t.Fatalf("%s(%v): %v", class, config, errs)
	}
	return tr
}

func kafkaConfigure(t testing.TB, class string, config map[string]string) (connect.Transformation, []connect.ConfigError) {
	t.Helper()
	for _, p := range kafkaPlugins() {
		if p.Class == class {
			c := map[string]string{"type": class}
			for k, v := range config {
				c[k] = v
			}
			return p.New(c)
		}
	}
	t.Fatalf("no plugin for %s", class)
	return nil, nil
}

// mustKeep applies tr and fails on an error or a dropped record.
func mustKeep(t testing.TB, tr connect.Transformation, r connect.SourceRecord) connect.SourceRecord {
	t.Helper()
	out, keep, err := tr.Apply(r)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if !keep {
		t.Fatalf("Apply dropped the record")
	}
	return out
}

// kafkaApplyErr applies tr and returns its error, failing when there is none.
func kafkaApplyErr(t testing.TB, tr connect.Transformation, r connect.SourceRecord) string {
	t.Helper()
	_, _, err := tr.Apply(r)
	if err == nil {
		t.Fatalf("Apply succeeded, want an error")
	}
	return err.Error()
}

// wantConfigError checks that configuring class fails with exactly one
// error, on property name, with the given message.
func wantConfigError(t *testing.T, class string, config map[string]string, name, message string) {
	t.Helper()
	_, errs := kafkaConfigure(t, class, config)
	if len(errs) != 1 || errs[0].Name != name || errs[0].Message != message {
		t.Errorf("%s(%v) errors = %+v, want [{%s %s}]", class, config, errs, name, message)
	}
}

// withDefault42 is SchemaBuilder.int32().optional().defaultValue(42).
func withDefault42() *schema.Schema {
	return &schema.Schema{Type: schema.TypeInt32, Optional: true, Default: int32(42), HasDefault: true}
}

func TestKafkaPluginClasses(t *testing.T) {
	var got []string
	for _, p := range kafkaPlugins() {
		got = append(got, p.Class)
	}
	want := []string{
		"org.apache.kafka.connect.transforms.Filter",
		"org.apache.kafka.connect.transforms.InsertField$Key",
		"org.apache.kafka.connect.transforms.InsertField$Value",
		"org.apache.kafka.connect.transforms.ReplaceField$Key",
		"org.apache.kafka.connect.transforms.ReplaceField$Value",
		"org.apache.kafka.connect.transforms.ValueToKey",
		"org.apache.kafka.connect.transforms.ExtractField$Key",
		"org.apache.kafka.connect.transforms.ExtractField$Value",
		"org.apache.kafka.connect.transforms.TimestampRouter",
		"org.apache.kafka.connect.transforms.Flatten$Key",
		"org.apache.kafka.connect.transforms.Flatten$Value",
		"org.apache.kafka.connect.transforms.Cast$Key",
		"org.apache.kafka.connect.transforms.Cast$Value",
		"org.apache.kafka.connect.transforms.TimestampConverter$Key",
		"org.apache.kafka.connect.transforms.TimestampConverter$Value",
		"org.apache.kafka.connect.transforms.MaskField$Key",
		"org.apache.kafka.connect.transforms.MaskField$Value",
		"org.apache.kafka.connect.transforms.HoistField$Key",
		"org.apache.kafka.connect.transforms.HoistField$Value",
		"org.apache.kafka.connect.transforms.HeaderFrom$Key",
		"org.apache.kafka.connect.transforms.HeaderFrom$Value",
		"org.apache.kafka.connect.transforms.InsertHeader",
		"org.apache.kafka.connect.transforms.DropHeaders",
		"org.apache.kafka.connect.transforms.SetSchemaMetadata$Key",
		"org.apache.kafka.connect.transforms.SetSchemaMetadata$Value",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("classes = %v, want %v", got, want)
	}
}

// TestKafkaTransformsKeepSourceAndInput applies every transform to a
// keyed, timestamped change and checks that the source partition and
// offset are the record's own maps, unchanged, and that the input record's
// structs and schemas are not modified.
func TestKafkaTransformsKeepSourceAndInput(t *testing.T) {
	keySchema := schema.StructOf("k", false, schema.NewField("id", schema.Int32Schema))
	valueSchema := schema.StructOf("v", false,
		schema.NewField("id", schema.Int32Schema),
		schema.NewField("name", schema.OptionalStringSchema),
		schema.NewField("n", withDefault42()))
	for _, c := range []struct {
		class  string
		config map[string]string
	}{
		{InsertFieldKeyClass, map[string]string{"topic.field": "t"}},
		{InsertFieldValueClass, map[string]string{"topic.field": "t", "static.field": "s", "static.value": "x"}},
		{ReplaceFieldKeyClass, map[string]string{"renames": "id:key_id"}},
		{ReplaceFieldValueClass, map[string]string{"exclude": "name", "renames": "n:m"}},
		{ValueToKeyClass, map[string]string{"fields": "name,id"}},
		{ExtractFieldKeyClass, map[string]string{"field": "id"}},
		{ExtractFieldValueClass, map[string]string{"field": "n"}},
		{TimestampRouterClass, nil},
		{FlattenKeyClass, nil},
		{FlattenValueClass, map[string]string{"delimiter": "_"}},
		{CastKeyClass, map[string]string{"spec": "id:string"}},
		{CastValueClass, map[string]string{"spec": "id:int64,n:float64"}},
		{TimestampConverterValueClass, map[string]string{"field": "name", "target.type": "unix", "format": "'Anne'"}},
		{MaskFieldKeyClass, map[string]string{"fields": "id"}},
		{MaskFieldValueClass, map[string]string{"fields": "name,n", "replacement": "1"}},
		{HoistFieldKeyClass, map[string]string{"field": "k"}},
		{HoistFieldValueClass, map[string]string{"field": "v"}},
		{HeaderFromKeyClass, map[string]string{"fields": "id", "headers": "h", "operation": "move"}},
		{HeaderFromValueClass, map[string]string{"fields": "name,n", "headers": "a,b", "operation": "move"}},
		{InsertHeaderClass, map[string]string{"header": "h", "value.literal": "x"}},
		{DropHeadersClass, map[string]string{"headers": "h"}},
		{SetSchemaMetadataKeyClass, map[string]string{"schema.name": "kk"}},
		{SetSchemaMetadataValueClass, map[string]string{"schema.name": "vv", "schema.version": "3"}},
	} {
		t.Run(c.class, func(t *testing.T) {
			key := schema.NewStruct(keySchema).Set("id", int32(7))
			value := schema.NewStruct(valueSchema).Set("id", int32(7)).Set("name", "Anne")
			partition := map[string]any{"server": "dbserver1"}
			offset := map[string]any{"lsn": int64(42)}
			in := connect.SourceRecord{
				SourcePartition: partition, SourceOffset: offset, Topic: "dbserver1.public.t",
				KeySchema: keySchema, Key: key, ValueSchema: valueSchema, Value: value,
				Timestamp: time1483425001864(),
			}
			out := mustKeep(t, kafkaTransform(t, c.class, c.config), in)
			if reflect.ValueOf(out.SourcePartition).Pointer() != reflect.ValueOf(partition).Pointer() ||
				reflect.ValueOf(out.SourceOffset).Pointer() != reflect.ValueOf(offset).Pointer() {
				t.Errorf("source partition or offset replaced")
			}
			if !reflect.DeepEqual(partition, map[string]any{"server": "dbserver1"}) || !reflect.DeepEqual(offset, map[string]any{"lsn": int64(42)}) {
				t.Errorf("source partition or offset modified: %v %v", partition, offset)
			}
			if !reflect.DeepEqual(key.Values, []any{int32(7)}) || !reflect.DeepEqual(value.Values, []any{int32(7), "Anne", nil}) {
				t.Errorf("input structs modified: %v %v", key.Values, value.Values)
			}
			if len(keySchema.Fields) != 1 || len(valueSchema.Fields) != 3 || keySchema.Name != "k" {
				t.Errorf("input schemas modified")
			}
		})
	}
}

// TestKafkaTransformsRefuseSchemaless checks the clear error for
// schemaless data, which Tributary does not support.
func TestKafkaTransformsRefuseSchemaless(t *testing.T) {
	for _, c := range []struct {
		class  string
		config map[string]string
	}{
		{InsertFieldValueClass, map[string]string{"topic.field": "t"}},
		{ReplaceFieldValueClass, map[string]string{"exclude": "a"}},
		{ValueToKeyClass, map[string]string{"fields": "a"}},
		{ExtractFieldValueClass, map[string]string{"field": "a"}},
		{FlattenValueClass, nil},
		{CastValueClass, map[string]string{"spec": "a:int8"}},
		{TimestampConverterValueClass, map[string]string{"field": "a", "target.type": "unix"}},
		{MaskFieldValueClass, map[string]string{"fields": "a"}},
		{HoistFieldValueClass, map[string]string{"field": "a"}},
		{HeaderFromValueClass, map[string]string{"fields": "a", "headers": "a", "operation": "copy"}},
	} {
		r := connect.SourceRecord{Topic: "t", Value: map[string]any{"a": 1}}
		msg := kafkaApplyErr(t, kafkaTransform(t, c.class, c.config), r)
		if !strings.HasPrefix(msg, c.class+": schemaless data") {
			t.Errorf("%s: error %q", c.class, msg)
		}
	}
}

func TestKafkaParseList(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", []string{}},
		{"  ", []string{}},
		{"a", []string{"a"}},
		{" a , b\t,c ", []string{"a", "b", "c"}},
		{"a,,b", []string{"a", "", "b"}},
		{"a,", []string{"a", ""}},
	} {
		if got := configdef.SplitList(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
