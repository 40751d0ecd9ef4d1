package transforms

import (
	"fmt"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

const propFields = "fields"

// valueToKey is ValueToKey.java: the key becomes a struct of some of the
// value's fields.
type valueToKey struct {
	fields                 []string
	replaceNullWithDefault bool
	cache                  derivedCache[*derivedKey]
}

// derivedKey is a key schema and, per key field, the value field it copies.
type derivedKey struct {
	schema  *schema.Schema
	sources []int
}

// NewValueToKey configures ValueToKey from ValueToKeyDef: "fields", a
// required non-empty LIST.
func NewValueToKey(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := ValueToKeyDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	return &valueToKey{fields: v.List(propFields), replaceNullWithDefault: v.Bool(propReplaceNullWithDefault)}, nil
}

func (t *valueToKey) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.ValueSchema == nil {
		if r.Value == nil {
			// Kafka reads a tombstone as schemaless data and fails with
			// requireMap; a predicate (RecordIsTombstone) must skip them.
			return r, false, fmt.Errorf("%s: Only Map objects supported in absence of schema for [copying fields from value to key], found: null", ValueToKeyClass)
		}
		return r, false, fmt.Errorf("%s: schemaless data (%T without a schema) is not supported; only Struct values with a schema are", ValueToKeyClass, r.Value)
	}
	st, err := requireStruct(ValueToKeyClass, "copying fields from value to key", r.ValueSchema, r.Value)
	if err != nil {
		return r, false, err
	}
	d, ok := t.cache.get(st.Schema)
	if !ok {
		if d, err = t.derive(st.Schema); err != nil {
			return r, false, fmt.Errorf("%s: %w", ValueToKeyClass, err)
		}
		t.cache.put(st.Schema, d)
	}
	key := schema.NewStruct(d.schema)
	for i, src := range d.sources {
		key.Values[i] = fieldValue(st, src, t.replaceNullWithDefault)
	}
	r.KeySchema, r.Key = d.schema, key
	// Kafka's new record carries the struct's own schema as value schema.
	r.ValueSchema = st.Schema
	return r, true, nil
}

// derive builds the key schema: an unnamed required struct of the listed
// value fields, in the listed order.
func (t *valueToKey) derive(value *schema.Schema) (*derivedKey, error) {
	d := &derivedKey{}
	fields := make([]schema.Field, 0, len(t.fields))
	for _, name := range t.fields {
		i := fieldIndex(value, name)
		if i < 0 {
			return nil, fmt.Errorf("Field does not exist: %s", name)
		}
		fields = append(fields, schema.NewField(name, value.Fields[i].Schema))
		d.sources = append(d.sources, i)
	}
	s, err := buildStruct(nil, fields)
	if err != nil {
		return nil, err
	}
	d.schema = s
	return d, nil
}
