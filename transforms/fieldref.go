package transforms

import (
	"fmt"
	"strings"

	"github.com/tributary-cdc/tributary/schema"
)

// fieldRef is one add.fields or add.headers entry
// (AbstractExtractNewRecordState.FieldReference).
type fieldRef struct {
	// parent is the envelope field holding the value (source, transaction);
	// empty when the value is an envelope field itself (top).
	parent string
	top    bool
	field  string
	// name is the output field or header name, prefix included.
	name string
}

// parseFieldRefs parses a comma list of entries "[struct.]field[:name]".
// Without a struct, transaction fields (id, total_order,
// data_collection_order) are read from transaction, op and ts_* from the
// envelope, anything else from source. The output name is prefix+field, or
// prefix+struct_field when the struct is named, or prefix+name when mapped:
// "source.ts_ms" gives "__source_ts_ms", "lsn" gives "__lsn".
func parseFieldRefs(prefix, list string) ([]fieldRef, error) {
	var refs []fieldRef
	for entry := range strings.SplitSeq(list, ",") {
		entry = javaTrim(entry)
		if entry == "" {
			// Debezium parses an empty entry as a source field named ""
			// that no envelope has, which adds nothing.
			continue
		}
		parts := javaSplit(entry, ":")
		if len(parts) == 0 || len(parts) > 2 {
			return nil, fmt.Errorf("unexpected field name: %s", entry)
		}
		path := javaSplit(parts[0], ".")
		if len(path) == 0 {
			return nil, fmt.Errorf("unexpected field name: %s", entry)
		}
		var ref fieldRef
		if len(path) == 1 {
			ref.field = path[0]
			ref.parent, ref.top = defaultParent(ref.field)
			ref.name = prefix + ref.field
		} else {
			// Like Debezium, "a.b.c" reads b from a; the rest is ignored.
			ref.parent, ref.field = path[0], path[1]
			ref.name = prefix + ref.parent + "_" + ref.field
		}
		if len(parts) == 2 {
			ref.name = prefix + parts[1]
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// javaSplit splits as Java's String.split does: trailing empty strings are
// removed, and an empty input gives one empty string.
func javaSplit(s, sep string) []string {
	if s == "" {
		return []string{""}
	}
	parts := strings.Split(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// defaultParent is FieldReference.determineStruct.
func defaultParent(field string) (parent string, top bool) {
	switch field {
	case "id", "total_order", "data_collection_order":
		return "transaction", false
	case "op", "ts_ms", "ts_us", "ts_ns":
		return "", true
	case "updateDescription": // MongoDB's, kept for the same naming
		return "updateDescription", false
	}
	return "source", false
}

// schema returns the schema of the referenced field in an envelope schema,
// copied as SchemaUtil.copySchemaBasics(...).optional() copies it (name,
// version, doc, parameters, array items; no default), or nil when neither
// the struct nor the envelope has the field.
func (ref fieldRef) schema(envelope *schema.Schema) (*schema.Schema, error) {
	parent := envelope
	if !ref.top {
		pf := envelope.Field(ref.parent)
		if pf == nil {
			return nil, fmt.Errorf("%s: envelope %s has no field %q to read %s from", ExtractNewRecordStateClass, envelope.Name, ref.parent, ref.field)
		}
		if pf.Schema.Type != schema.TypeStruct {
			return nil, fmt.Errorf("%s: envelope field %s is not a struct; cannot read %s from it", ExtractNewRecordStateClass, ref.parent, ref.field)
		}
		parent = pf.Schema
	}
	f := parent.Field(ref.field)
	if f == nil {
		// A field another transform put in the envelope itself.
		if f = envelope.Field(ref.field); f == nil {
			return nil, nil
		}
	}
	s := f.Schema
	return &schema.Schema{
		Type: s.Type, Optional: true, Name: s.Name, Version: s.Version, Doc: s.Doc, Params: s.Params,
		Items: s.Items, Keys: s.Keys, Values: s.Values,
	}, nil
}

// value reads the referenced field from an envelope (FieldReference.getValue):
// null when the struct is null (transaction outside a transaction).
func (ref fieldRef) value(env *schema.Struct) any {
	parent := env
	if !ref.top {
		p, _ := env.Get(ref.parent).(*schema.Struct)
		if p == nil {
			return nil
		}
		parent = p
	}
	if parent.Schema.Field(ref.field) != nil {
		return parent.Get(ref.field)
	}
	return env.Get(ref.field)
}

// checkCopyable refuses a struct or map value: Debezium's schema copy keeps
// no struct fields or map key and value schemas, so Kafka rejects the value
// (a struct) or the converter fails on the schema (a map).
func checkCopyable(ref fieldRef, v any) error {
	if v == nil {
		return nil
	}
	switch v.(type) {
	case *schema.Struct, map[any]any, map[string]any:
		return fmt.Errorf("%s: cannot add %s: a struct or map field loses its schema when copied", ExtractNewRecordStateClass, ref.name)
	}
	return nil
}
