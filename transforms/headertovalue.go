package transforms

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// HeaderToValueClass is Debezium's transform that copies or moves headers
// into the record value.
const HeaderToValueClass = "io.debezium.transforms.HeaderToValue"

// Properties of HeaderToValue (Debezium 3.5,
// debezium-connect-plugins/.../transforms/HeaderToValue.java).
const (
	propH2VHeaders   = "headers"
	propH2VFields    = "fields"
	propH2VOperation = "operation"
)

// HeaderToValueDef is HeaderToValue.config(). As Debezium's, it carries no
// validator: the constructor checks the properties as configure does.
var HeaderToValueDef = configdef.Define(
	debeziumKey(propH2VHeaders, configdef.TypeList, nil, nil, high, configdef.WidthNone, "Header names list",
		"Header names in the record whose values are to be copied or moved to record value."),
	debeziumKey(propH2VFields, configdef.TypeList, nil, nil, high, configdef.WidthNone, "Field names list",
		"Field names, in the same order as the header names listed in the headers configuration property. Supports Struct nesting using dot notation."),
	debeziumKey(propH2VOperation, configdef.TypeString, nil, nil, high, configdef.WidthNone, "Operation: mover or copy",
		"Either <code>move</code> if the fields are to be moved to the value (removed from the headers), "+
			"or <code>copy</code> if the fields are to be copied to the value (retained in the headers)."),
)

// rootFieldName is ConnectRecordUtil.ROOT_FIELD_NAME, the name the value
// itself has when nested names are resolved.
const rootFieldName = "payload"

// headerToValue adds the values of the listed headers to the value, as the
// fields named alongside them; a dotted name adds the field to a nested
// struct. move also removes the headers from the record.
type headerToValue struct {
	headers, fields []string
	move            bool
	shapes          boundedMap[*schema.Schema, []h2vShape]
}

// h2vShape is one derived value schema: Debezium caches it per value
// schema alone, which is wrong when records carry different headers, so
// the entries' names and schemas are part of the key here.
type h2vShape struct {
	entries []h2vEntry
	out     *schema.Schema
}

// h2vEntry is ConnectRecordUtil.NewEntry.
type h2vEntry struct {
	name   string
	schema *schema.Schema
	value  any
}

// headerToValueCacheSize is HeaderToValue.CACHE_SIZE.
const headerToValueCacheSize = 64

// NewHeaderToValue configures the transform as configure does: each
// property checked as SmtManager.validate checks it, then the two lists
// compared.
func NewHeaderToValue(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	_, errs := HeaderToValueDef.Parse(config)
	errs = append(errs, checkDbzList(config, propH2VFields, true, true)...)
	errs = append(errs, checkDbzList(config, propH2VHeaders, true, true)...)
	move := false
	switch op, ok := config[propH2VOperation]; {
	case !ok || javaTrim(op) == "":
		errs = append(errs, dbzInvalid(propH2VOperation, config, "A value is required"))
	case strings.EqualFold(javaTrim(op), "move"):
		move = true
	case strings.EqualFold(javaTrim(op), "copy"):
	default:
		errs = append(errs, dbzInvalid(propH2VOperation, config, "Value must be one of move, copy"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	t := &headerToValue{
		headers: dbzList(config, propH2VHeaders),
		fields:  dbzList(config, propH2VFields),
		move:    move,
		shapes:  boundedMap[*schema.Schema, []h2vShape]{limit: headerToValueCacheSize},
	}
	if len(t.headers) != len(t.fields) {
		return nil, []connect.ConfigError{{Name: propH2VFields,
			Message: fmt.Sprintf("'%s' config must have the same number of elements as '%s' config.", propH2VFields, propH2VHeaders)}}
	}
	return t, nil
}

// Apply follows HeaderToValue.apply.
func (t *headerToValue) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.Topic == "" || r.Value == nil {
		return r, true, nil
	}
	value, err := requireStruct(HeaderToValueClass, "Header field insertion", r.ValueSchema, r.Value)
	if err != nil {
		return r, false, err
	}
	var entries []h2vEntry
	for _, h := range r.Headers {
		if i := slices.Index(t.headers, h.Key); i >= 0 {
			entries = append(entries, h2vEntry{name: t.fields[i], schema: h.Schema, value: h.Value})
		}
	}
	if len(entries) == 0 {
		return r, true, nil
	}
	out, err := t.schemaFor(value.Schema, entries)
	if err != nil {
		return r, false, err
	}
	nested := nestedNames(entries)
	v, err := buildUpdatedValue(rootFieldName, value, entries, out, nested, 0)
	if err != nil {
		return r, false, err
	}
	r.ValueSchema, r.Value = out, v
	if t.move {
		kept := make([]connect.Header, 0, len(r.Headers))
		for _, h := range r.Headers {
			if !slices.Contains(t.headers, h.Key) {
				kept = append(kept, h)
			}
		}
		r.Headers = kept
	}
	return r, true, nil
}

func (t *headerToValue) schemaFor(in *schema.Schema, entries []h2vEntry) (*schema.Schema, error) {
	shapes, _ := t.shapes.get(in)
	for _, s := range shapes {
		if slices.EqualFunc(s.entries, entries, func(a, b h2vEntry) bool { return a.name == b.name && a.schema == b.schema }) {
			return s.out, nil
		}
	}
	out, err := makeNewSchema(in, entries)
	if err != nil {
		return nil, err
	}
	if len(shapes) >= headerToValueCacheSize {
		shapes = nil
	}
	// The entries keep only names and schemas: values are per record.
	keyEntries := make([]h2vEntry, len(entries))
	for i, e := range entries {
		keyEntries[i] = h2vEntry{name: e.name, schema: e.schema}
	}
	t.shapes.put(in, append(slices.Clip(shapes), h2vShape{entries: keyEntries, out: out}))
	return out, nil
}

// nestedNames are the entry names with a dot.
func nestedNames(entries []h2vEntry) []string {
	var out []string
	for _, e := range entries {
		if strings.Contains(e.name, ".") {
			out = append(out, e.name)
		}
	}
	return out
}

// makeNewSchema is ConnectRecordUtil.makeNewSchema: the parents of nested
// names must exist and be structs, then the schema is rebuilt with the
// entries added where their names place them.
func makeNewSchema(in *schema.Schema, entries []h2vEntry) (*schema.Schema, error) {
	nested := nestedNames(entries)
	for _, name := range nested {
		parts := javaSplit(name, ".")
		cur := in
		for _, parent := range parts[:len(parts)-1] {
			f := cur.Field(parent)
			if f == nil {
				return nil, fmt.Errorf("%s: Field '%s' does not exist in the schema. Cannot add nested field '%s'.", HeaderToValueClass, parent, name)
			}
			if f.Schema.Type != schema.TypeStruct && f.Schema.Type != schema.TypeArray && f.Schema.Type != schema.TypeMap {
				return nil, fmt.Errorf("%s: Field '%s' is a primitive type, not a struct. Cannot add nested field '%s'.", HeaderToValueClass, parent, name)
			}
			cur = f.Schema
		}
	}
	return buildNewSchema(rootFieldName, in, entries, nested, 0)
}

// buildNewSchema is ConnectRecordUtil.buildNewSchema. Debezium copies a
// nested struct's schema with SchemaUtil.copySchemaBasics, which makes it
// required, so that an event whose before or after is null can no longer
// be converted; the copy here keeps the struct's optionality.
func buildNewSchema(fieldName string, old *schema.Schema, entries []h2vEntry, nested []string, level int) (*schema.Schema, error) {
	if old.Type != schema.TypeStruct {
		if old.Type == schema.TypeArray || old.Type == schema.TypeMap {
			return nil, fmt.Errorf("%s: Cannot list fields on non-struct type", HeaderToValueClass)
		}
		return old, nil
	}
	fields := make([]schema.Field, 0, len(old.Fields)+len(entries))
	for _, f := range old.Fields {
		fs := f.Schema
		if containedIn(f.Name, nested) {
			var err error
			if fs, err = buildNewSchema(f.Name, f.Schema, entries, nested, level+1); err != nil {
				return nil, err
			}
		}
		fields = append(fields, schema.NewField(f.Name, fs))
	}
	for _, e := range entries {
		if name, ok := entryFieldName(e.name, fieldName, level); ok {
			if e.schema == nil {
				return nil, fmt.Errorf("%s: fieldSchema for field %s cannot be null.", HeaderToValueClass, name)
			}
			fields = append(fields, schema.NewField(name, e.schema))
		}
	}
	out, err := buildStruct(old, fields)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", HeaderToValueClass, err)
	}
	if level > 0 {
		out.Optional = old.Optional
	}
	return out, nil
}

// buildUpdatedValue is ConnectRecordUtil.buildUpdatedValue: the old values
// (Struct.get: defaults applied, nulls left unset), nested structs rebuilt,
// and the entries that belong at this level.
func buildUpdatedValue(fieldName string, old *schema.Struct, entries []h2vEntry, s *schema.Schema, nested []string, level int) (*schema.Struct, error) {
	if len(old.Values) != len(old.Schema.Fields) {
		return nil, fmt.Errorf("%s: struct %s has %d values for %d fields", HeaderToValueClass, old.Schema.Name, len(old.Values), len(old.Schema.Fields))
	}
	out := schema.NewStruct(s)
	for i, f := range old.Schema.Fields {
		v := fieldValue(old, i, true)
		if v == nil {
			continue
		}
		if containedIn(f.Name, nested) {
			st, ok := v.(*schema.Struct)
			if !ok {
				return nil, fmt.Errorf("%s: Only Struct objects supported for [Nested field], found: %s", HeaderToValueClass, typeName(v))
			}
			var err error
			if v, err = buildUpdatedValue(f.Name, st, entries, s.Fields[i].Schema, nested, level+1); err != nil {
				return nil, err
			}
		}
		out.Values[i] = v
	}
	for _, e := range entries {
		if name, ok := entryFieldName(e.name, fieldName, level); ok {
			f := s.Field(name)
			if f == nil {
				return nil, errors.New(HeaderToValueClass + ": " + name + " is not a valid field name")
			}
			out.Values[f.Index] = e.value
		}
	}
	return out, nil
}

// entryFieldName is ConnectRecordUtil.getFieldName: the name an entry adds
// to the struct named fieldName at nesting level, if it belongs there.
func entryFieldName(dest, fieldName string, level int) (string, bool) {
	names := javaSplit(dest, ".")
	if len(names) == 1 && fieldName == rootFieldName {
		return names[0], true
	}
	if len(names) == level+1 {
		parent := 0
		if level > 0 {
			parent = level - 1
		}
		if names[parent] == fieldName {
			return names[level], true
		}
	}
	return "", false
}

// containedIn is ConnectRecordUtil.isContainedIn: some nested name contains
// "<fieldName>." (anywhere, as Debezium checks).
func containedIn(fieldName string, nested []string) bool {
	for _, n := range nested {
		if strings.Contains(n, fieldName+".") {
			return true
		}
	}
	return false
}
