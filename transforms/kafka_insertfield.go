package transforms

import (
	"fmt"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Properties of InsertField (InsertField.java, ConfigName).
const (
	propTopicField     = "topic.field"
	propPartitionField = "partition.field"
	propOffsetField    = "offset.field"
	propTimestampField = "timestamp.field"
	propStaticField    = "static.field"
	propStaticValue    = "static.value"
)

// optionalTimestampSchema is Timestamp.builder().optional().build().
var optionalTimestampSchema = &schema.Schema{Type: schema.TypeInt64, Name: schema.TimestampName, Version: 1, Optional: true}

// requiredTimestampSchema is Timestamp.SCHEMA.
var requiredTimestampSchema = &schema.Schema{Type: schema.TypeInt64, Name: schema.TimestampName, Version: 1}

// insertion is InsertField's InsertionSpec: a field name whose "!" suffix
// makes the field required and whose "?" suffix (the default) optional.
type insertion struct {
	name     string
	optional bool
}

// schemaFor picks the optional or required variant of a field schema.
func (in *insertion) schemaFor(optional, required *schema.Schema) *schema.Schema {
	if in.optional {
		return optional
	}
	return required
}

// insertField is InsertField$Key or InsertField$Value: it adds record
// metadata and a static string to a struct key or value.
type insertField struct {
	side                   side
	class                  string
	topic, partition       *insertion
	offset, timestamp      *insertion
	static                 *insertion
	staticValue            string
	replaceNullWithDefault bool
	cache                  derivedCache[*schema.Schema]
}

// newInsertField returns the constructor of InsertField$Key or $Value,
// which parses InsertFieldDef.
func newInsertField(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		t := &insertField{side: s, class: s.class(InsertFieldKeyClass, InsertFieldValueClass)}
		v, errs := InsertFieldDef.Parse(config)
		spec := func(name string) *insertion {
			if v.Get(name) == nil {
				return nil
			}
			name, field := name, v.String(name)
			in := &insertion{name: field, optional: true}
			switch {
			case strings.HasSuffix(field, "?"):
				in.name = field[:len(field)-1]
			case strings.HasSuffix(field, "!"):
				in.name, in.optional = field[:len(field)-1], false
			}
			// Kafka accepts an empty name but SchemaBuilder.field refuses it
			// on every struct, failing the task at its first record; the
			// error depends on the configuration alone, so it is given here.
			if in.name == "" {
				errs = append(errs, invalid(name, field, "the field name is empty"))
			}
			return in
		}
		t.topic = spec(propTopicField)
		t.partition = spec(propPartitionField)
		t.offset = spec(propOffsetField)
		t.timestamp = spec(propTimestampField)
		t.static = spec(propStaticField)
		t.staticValue = v.String(propStaticValue)
		t.replaceNullWithDefault = v.Bool(propReplaceNullWithDefault)

		if t.topic == nil && t.partition == nil && t.offset == nil && t.timestamp == nil && t.static == nil {
			// Kafka's ConfigException names no property; the error belongs
			// to the transform as a whole.
			errs = append(errs, connect.ConfigError{Name: "type", Message: "No field insertion configured"})
		}
		if t.static != nil && v.Get(propStaticValue) == nil {
			errs = append(errs, invalid(propStaticValue, "null", "No value specified for static field: "+t.static.name))
		}
		if len(errs) > 0 {
			return nil, errs
		}
		return t, nil
	}
}

func (t *insertField) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if v == nil {
		return r, true, nil
	}
	st, err := requireStruct(t.class, "field insertion", sch, v)
	if err != nil {
		return r, false, err
	}
	updated, ok := t.cache.get(st.Schema)
	if !ok {
		if updated, err = t.updatedSchema(st.Schema); err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		t.cache.put(st.Schema, updated)
	}
	if t.offset != nil {
		// Kafka offsets exist only on records read by sink connectors.
		return r, false, fmt.Errorf("%s: Only SinkRecord supported for [field insertion], found: org.apache.kafka.connect.source.SourceRecord", t.class)
	}

	out := schema.NewStruct(updated)
	for i := range st.Schema.Fields {
		out.Values[i] = fieldValue(st, i, t.replaceNullWithDefault)
	}
	if t.topic != nil {
		out.Set(t.topic.name, r.Topic)
	}
	if t.partition != nil && r.Partition != nil {
		out.Set(t.partition.name, *r.Partition)
	}
	if t.timestamp != nil && !r.Timestamp.IsZero() {
		// A java.util.Date: millisecond precision.
		out.Set(t.timestamp.name, time.UnixMilli(r.Timestamp.UnixMilli()).UTC())
	}
	if t.static != nil {
		out.Set(t.static.name, t.staticValue)
	}
	t.side.set(&r, updated, out)
	return r, true, nil
}

// updatedSchema is InsertField.makeUpdatedSchema: the input fields, then
// topic, partition, offset, timestamp and static fields in that order.
func (t *insertField) updatedSchema(in *schema.Schema) (*schema.Schema, error) {
	fields := make([]schema.Field, 0, len(in.Fields)+5)
	for _, f := range in.Fields {
		fields = append(fields, schema.NewField(f.Name, f.Schema))
	}
	add := func(in *insertion, optional, required *schema.Schema) {
		if in != nil {
			fields = append(fields, schema.NewField(in.name, in.schemaFor(optional, required)))
		}
	}
	add(t.topic, schema.OptionalStringSchema, schema.StringSchema)
	add(t.partition, schema.OptionalInt32Schema, schema.Int32Schema)
	add(t.offset, schema.OptionalInt64Schema, schema.Int64Schema)
	add(t.timestamp, optionalTimestampSchema, requiredTimestampSchema)
	add(t.static, schema.OptionalStringSchema, schema.StringSchema)
	return buildStruct(in, fields)
}
