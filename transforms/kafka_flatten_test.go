package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// FlattenTest.topLevelStructRequired
func TestFlattenTopLevelStructRequired(t *testing.T) {
	tr := kafkaTransform(t, FlattenValueClass, nil)
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: schema.Int32Schema, Value: int32(42)})
	if !strings.HasSuffix(msg, "Only Struct objects supported for [flattening], found: int32") {
		t.Errorf("error %q", msg)
	}
}

// FlattenTest.testNestedStruct, with the delimiter of testNestedMapWithDelimiter
func TestFlattenNestedStruct(t *testing.T) {
	for _, delim := range []string{"", "#"} {
		config := map[string]string{}
		want := "."
		if delim != "" {
			config["delimiter"], want = delim, delim
		}
		tr := kafkaTransform(t, FlattenValueClass, config)
		supported := schema.StructOf("", false,
			schema.NewField("int8", schema.Int8Schema), schema.NewField("int16", schema.Int16Schema),
			schema.NewField("int32", schema.Int32Schema), schema.NewField("int64", schema.Int64Schema),
			schema.NewField("float32", schema.Float32Schema), schema.NewField("float64", schema.Float64Schema),
			schema.NewField("boolean", schema.BooleanSchema), schema.NewField("string", schema.StringSchema),
			schema.NewField("bytes", schema.BytesSchema))
		oneLevel := schema.StructOf("", false, schema.NewField("B", supported))
		twoLevel := schema.StructOf("", false, schema.NewField("A", oneLevel))
		inner := schema.NewStruct(supported).Set("int8", int8(8)).Set("int16", int16(16)).Set("int32", int32(32)).
			Set("int64", int64(64)).Set("float32", float32(32)).Set("float64", float64(64)).Set("boolean", true).
			Set("string", "stringy").Set("bytes", []byte("bytes"))
		v := schema.NewStruct(twoLevel).Set("A", schema.NewStruct(oneLevel).Set("B", inner))
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: twoLevel, Value: v})
		st := out.Value.(*schema.Struct)
		if len(out.ValueSchema.Fields) != 9 || out.ValueSchema.Type != schema.TypeStruct {
			t.Fatalf("schema %+v", out.ValueSchema.Fields)
		}
		p := "A" + want + "B" + want
		for name, w := range map[string]any{"int8": int8(8), "int16": int16(16), "int32": int32(32), "int64": int64(64),
			"float32": float32(32), "float64": float64(64), "boolean": true, "string": "stringy", "bytes": []byte("bytes")} {
			if got := st.Get(p + name); !reflect.DeepEqual(got, w) {
				t.Errorf("%s%s = %#v", p, name, got)
			}
		}
	}
}

// FlattenTest.testOptionalFieldStruct, testOptionalStruct,
// testOptionalNestedStruct, tombstoneEventWithSchemaShouldPassThrough
func TestFlattenOptional(t *testing.T) {
	tr := kafkaTransform(t, FlattenValueClass, nil)
	optStruct := schema.StructOf("", true, schema.NewField("opt_int32", schema.OptionalInt32Schema))
	nested := schema.StructOf("", false, schema.NewField("B", optStruct))
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: nested, Value: schema.NewStruct(nested)})
	if st := out.Value.(*schema.Struct); st.Get("B.opt_int32") != nil || !out.ValueSchema.Field("B.opt_int32").Schema.Optional {
		t.Errorf("null nested struct: %+v", st.Values)
	}
	// A null value keeps its schema.
	out = mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: optStruct})
	if out.Value != nil || out.ValueSchema != optStruct {
		t.Errorf("null value: %+v", out)
	}
	// A required field of an optional struct becomes optional.
	reqInOpt := schema.StructOf("", false, schema.NewField("B", schema.StructOf("", true, schema.NewField("req", schema.StringSchema))))
	out = mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: reqInOpt, Value: schema.NewStruct(reqInOpt)})
	if !out.ValueSchema.Field("B.req").Schema.Optional {
		t.Errorf("B.req not optional")
	}
}

// FlattenTest.testOptionalAndDefaultValuesNested
func TestFlattenOptionalAndDefaultValuesNested(t *testing.T) {
	tr := kafkaTransform(t, FlattenValueClass, nil)
	s := schema.StructOf("", true,
		schema.NewField("req_field", schema.StringSchema),
		schema.NewField("opt_field", &schema.Schema{Type: schema.TypeString, Optional: true, Default: "child_default", HasDefault: true}))
	s.Default, s.HasDefault = schema.NewStruct(s).Set("req_field", "req_default"), true
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: schema.NewStruct(s)})
	if len(out.ValueSchema.Fields) != 2 {
		t.Fatalf("fields %+v", out.ValueSchema.Fields)
	}
	req, opt := out.ValueSchema.Field("req_field").Schema, out.ValueSchema.Field("opt_field").Schema
	if !reflect.DeepEqual(req, &schema.Schema{Type: schema.TypeString, Optional: true, Default: "req_default", HasDefault: true}) {
		t.Errorf("req_field %+v", req)
	}
	if !reflect.DeepEqual(opt, &schema.Schema{Type: schema.TypeString, Optional: true, Default: "child_default", HasDefault: true}) {
		t.Errorf("opt_field %+v", opt)
	}
}

// FlattenTest.testArrayWithSchema: arrays and their contents stay as they
// are.
func TestFlattenArrayWithSchema(t *testing.T) {
	tr := kafkaTransform(t, FlattenValueClass, nil)
	nestedSchema := schema.StructOf("", false, schema.NewField("lfg", schema.StringSchema))
	innerSchema := schema.StructOf("", false, schema.NewField("baz", nestedSchema))
	arr := &schema.Schema{Type: schema.TypeArray, Items: innerSchema, Doc: "durk"}
	s := schema.StructOf("", false, schema.NewField("foo", arr))
	inner := schema.NewStruct(innerSchema).Set("baz", schema.NewStruct(nestedSchema).Set("lfg", "lfg"))
	v := schema.NewStruct(s).Set("foo", []any{inner})
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: v})
	f := out.ValueSchema.Field("foo").Schema
	if f.Type != schema.TypeArray || f.Items != innerSchema || f.Doc != "durk" || f.Optional {
		t.Errorf("foo schema %+v", f)
	}
	if got := out.Value.(*schema.Struct).Get("foo").([]any); got[0] != inner {
		t.Errorf("foo = %v", got)
	}
}

// FlattenTest.testStructWithNullFields, and a map field refused as
// Flatten refuses one.
func TestFlattenNullFieldsAndMaps(t *testing.T) {
	tr := kafkaTransform(t, FlattenValueClass, nil)
	s := schema.StructOf("", false,
		schema.NewField("firstNull", schema.OptionalStringSchema), schema.NewField("firstNonNull", schema.OptionalStringSchema),
		schema.NewField("secondNull", schema.OptionalStringSchema), schema.NewField("secondNonNull", schema.OptionalStringSchema))
	v := schema.NewStruct(s).Set("firstNonNull", "nonNull").Set("secondNonNull", "alsoNonNull")
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: v})
	if got := out.Value.(*schema.Struct).Values; !reflect.DeepEqual(got, v.Values) {
		t.Errorf("values %v", got)
	}
	m := schema.StructOf("", false, schema.NewField("m", &schema.Schema{Type: schema.TypeMap, Keys: schema.StringSchema, Values: schema.StringSchema}))
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: m, Value: schema.NewStruct(m)})
	if !strings.HasSuffix(msg, "Flatten transformation does not support MAP for record with schemas (for field m).") {
		t.Errorf("error %q", msg)
	}
}

// FlattenTest.testKey, on a Debezium-like key.
func TestFlattenKey(t *testing.T) {
	tr := kafkaTransform(t, FlattenKeyClass, nil)
	inner := schema.StructOf("", false, schema.NewField("B", schema.Int32Schema))
	s := schema.StructOf("k", false, schema.NewField("A", inner))
	out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", KeySchema: s, Key: schema.NewStruct(s).Set("A", schema.NewStruct(inner).Set("B", int32(12)))})
	if out.Key.(*schema.Struct).Get("A.B") != int32(12) || out.KeySchema.Name != "k" {
		t.Errorf("key %+v", out.Key)
	}
}
