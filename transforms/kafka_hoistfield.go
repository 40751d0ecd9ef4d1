package transforms

import (
	"fmt"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// hoistField is HoistField$Key or HoistField$Value: the key or value
// becomes the single field of a new struct.
type hoistField struct {
	side  side
	class string
	field string
	cache derivedCache[*schema.Schema]
}

// newHoistField returns the constructor of HoistField$Key or $Value, which
// parses HoistFieldDef.
func newHoistField(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := HoistFieldDef.Parse(config)
		field := v.String(propField)
		// SchemaBuilder.field refuses an empty name at the first record;
		// the error depends on the configuration alone, so it is given here.
		if len(errs) == 0 && field == "" {
			errs = append(errs, invalid(propField, field, "the field name is empty"))
		}
		if len(errs) > 0 {
			return nil, errs
		}
		return &hoistField{side: s, class: s.class(HoistFieldKeyClass, HoistFieldValueClass), field: field}, nil
	}
}

func (t *hoistField) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if sch == nil {
		if v == nil {
			// A tombstone's value or a null key: as in Kafka, a schemaless
			// map holding the null, so the tombstone is one no longer.
			t.side.set(&r, nil, map[string]any{t.field: nil})
			return r, true, nil
		}
		return r, false, fmt.Errorf("%s: schemaless data (%T without a schema) is not supported; only values with a schema are", t.class, v)
	}
	updated, ok := t.cache.get(sch)
	if !ok {
		// SchemaBuilder.struct().field(name, schema).build(): required,
		// unnamed.
		updated = schema.StructOf("", false, schema.NewField(t.field, sch))
		t.cache.put(sch, updated)
	}
	out := schema.NewStruct(updated)
	out.Values[0] = v
	t.side.set(&r, updated, out)
	return r, true, nil
}
