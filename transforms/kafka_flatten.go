package transforms

import (
	"fmt"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Property of Flatten (Flatten.java).
const propDelimiter = "delimiter"

// flatten is Flatten$Key or Flatten$Value: nested struct fields become
// top-level fields named by their path joined with the delimiter; arrays
// and their contents stay as they are.
type flatten struct {
	side      side
	class     string
	delimiter string
	cache     derivedCache[*schema.Schema]
}

// newFlatten returns the constructor of Flatten$Key or $Value, which parses
// FlattenDef.
func newFlatten(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := FlattenDef.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		return &flatten{side: s, class: s.class(FlattenKeyClass, FlattenValueClass), delimiter: v.String(propDelimiter)}, nil
	}
}

func (t *flatten) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if v == nil {
		return r, true, nil
	}
	st, err := requireStruct(t.class, "flattening", sch, v)
	if err != nil {
		return r, false, err
	}
	updated, ok := t.cache.get(sch)
	if !ok {
		// SchemaUtil.copySchemaBasics(schema, SchemaBuilder.struct()):
		// the flattened schema is required, whatever the input.
		fields, err := t.flattenSchema(sch, "", sch.Optional, defaultStruct(sch), nil)
		if err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		if updated, err = buildStruct(sch, fields); err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		t.cache.put(sch, updated)
	}
	out := schema.NewStruct(updated)
	t.flattenValue(st, "", out)
	t.side.set(&r, updated, out)
	return r, true, nil
}

func (t *flatten) name(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + t.delimiter + field
}

// defaultStruct is a struct schema's default value, or nil.
func defaultStruct(s *schema.Schema) *schema.Struct {
	if s.HasDefault {
		d, _ := s.Default.(*schema.Struct)
		return d
	}
	return nil
}

// flattenSchema is Flatten.buildUpdatedSchema: a field is optional when it
// or any struct above it is, and takes its own default or else the one its
// parent's default gives it.
func (t *flatten) flattenSchema(s *schema.Schema, prefix string, optional bool, parentDefault *schema.Struct, out []schema.Field) ([]schema.Field, error) {
	for i, f := range s.Fields {
		name := t.name(prefix, f.Name)
		fieldOptional := optional || f.Schema.Optional
		var def any
		if f.Schema.HasDefault && f.Schema.Default != nil {
			def = f.Schema.Default
		} else if parentDefault != nil {
			def = fieldValue(parentDefault, i, true)
		}
		switch f.Schema.Type {
		case schema.TypeStruct:
			d, _ := def.(*schema.Struct)
			var err error
			if out, err = t.flattenSchema(f.Schema, name, fieldOptional, d, out); err != nil {
				return nil, err
			}
		case schema.TypeMap:
			return nil, fmt.Errorf("Flatten transformation does not support %s for record with schemas (for field %s).", strings.ToUpper(f.Schema.Type.String()), name)
		default:
			// SchemaUtil.copySchemaBasics(orig), then optional and default.
			fs := &schema.Schema{Type: f.Schema.Type, Name: f.Schema.Name, Version: f.Schema.Version, Doc: f.Schema.Doc,
				Params: f.Schema.Params, Items: f.Schema.Items, Optional: fieldOptional}
			if def != nil {
				fs.Default, fs.HasDefault = def, true
			}
			out = append(out, schema.NewField(name, fs))
		}
	}
	return out, nil
}

// flattenValue is Flatten.buildWithSchema: a null nested struct leaves its
// fields null.
func (t *flatten) flattenValue(st *schema.Struct, prefix string, out *schema.Struct) {
	for i, f := range st.Schema.Fields {
		name := t.name(prefix, f.Name)
		v := fieldValue(st, i, true)
		if f.Schema.Type == schema.TypeStruct {
			if nested, _ := v.(*schema.Struct); nested != nil {
				t.flattenValue(nested, name, out)
			}
			continue
		}
		out.Set(name, v)
	}
}
