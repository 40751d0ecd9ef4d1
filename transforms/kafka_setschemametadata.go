package transforms

import (
	"fmt"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Properties of SetSchemaMetadata (SetSchemaMetadata.java, ConfigName).
const (
	propSchemaName    = "schema.name"
	propSchemaVersion = "schema.version"
)

// setSchemaMetadata is SetSchemaMetadata$Key or $Value: it sets the name,
// the version or both of the key or value schema.
type setSchemaMetadata struct {
	side                   side
	class                  string
	name                   *string
	version                *int
	replaceNullWithDefault bool
	cache                  derivedCache[*schema.Schema]
}

// newSetSchemaMetadata returns the constructor of SetSchemaMetadata$Key or
// $Value, which parses SetSchemaMetadataDef.
func newSetSchemaMetadata(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := SetSchemaMetadataDef.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		t := &setSchemaMetadata{side: s, class: s.class(SetSchemaMetadataKeyClass, SetSchemaMetadataValueClass),
			replaceNullWithDefault: v.Bool(propReplaceNullWithDefault)}
		if v.Get(propSchemaName) != nil {
			name := v.String(propSchemaName)
			t.name = &name
		}
		if v.Get(propSchemaVersion) != nil {
			version := v.Int(propSchemaVersion)
			t.version = &version
		}
		if t.name == nil && t.version == nil {
			// Kafka's ConfigException names no property.
			return nil, []connect.ConfigError{{Name: "type", Message: "Neither schema name nor version configured"}}
		}
		return t, nil
	}
}

func (t *setSchemaMetadata) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if v == nil && sch == nil {
		return r, true, nil
	}
	if sch == nil {
		return r, false, fmt.Errorf("%s: Schema required for [updating schema metadata]", t.class)
	}
	updated, ok := t.cache.get(sch)
	if !ok {
		// A new ConnectSchema with everything of the old one but the name
		// and version.
		u := *sch
		if t.name != nil {
			u.Name = *t.name
		}
		if t.version != nil {
			u.Version = *t.version
		}
		if u.Type == schema.TypeStruct {
			updated = schema.StructOf(u.Name, u.Optional, append([]schema.Field(nil), sch.Fields...)...)
			updated.Default, updated.HasDefault, updated.Version, updated.Doc, updated.Params = u.Default, u.HasDefault, u.Version, u.Doc, u.Params
		} else {
			updated = &u
		}
		t.cache.put(sch, updated)
	}
	// updateSchemaIn: a struct is rebuilt on the new schema.
	if st, ok := v.(*schema.Struct); ok && st != nil {
		out := schema.NewStruct(updated)
		for i := range st.Values {
			out.Values[i] = fieldValue(st, i, t.replaceNullWithDefault)
		}
		v = out
	}
	t.side.set(&r, updated, v)
	return r, true, nil
}
