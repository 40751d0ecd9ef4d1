package transforms

import (
	"fmt"
	"maps"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Properties of ReplaceField (ReplaceField.java, ConfigName), and the
// deprecated aliases Kafka 3.9 still translates (whitelist → include,
// blacklist → exclude; the new name wins when both are set).
const (
	propExclude   = "exclude"
	propInclude   = "include"
	propRenames   = "renames"
	propBlacklist = "blacklist"
	propWhitelist = "whitelist"
)

// replaceField is ReplaceField$Key or ReplaceField$Value: it drops and
// renames the fields of a struct key or value.
type replaceField struct {
	side                   side
	class                  string
	exclude, include       map[string]bool
	renames                map[string]string
	replaceNullWithDefault bool
	cache                  derivedCache[*replacedSchema]
}

// replacedSchema is a derived schema and, for each of its fields, the index
// of the input field it reads.
type replacedSchema struct {
	schema  *schema.Schema
	sources []int
}

// newReplaceField returns the constructor of ReplaceField$Key or $Value,
// which parses ReplaceFieldDef after translating the deprecated names
// (ConfigUtils.translateDeprecatedConfigs: the new name wins).
func newReplaceField(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		config = maps.Clone(config)
		for name, alias := range map[string]string{propExclude: propBlacklist, propInclude: propWhitelist} {
			if v, ok := config[alias]; ok {
				if _, set := config[name]; !set {
					config[name] = v
				}
				delete(config, alias)
			}
		}
		v, errs := ReplaceFieldDef.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		t := &replaceField{
			side:                   s,
			class:                  s.class(ReplaceFieldKeyClass, ReplaceFieldValueClass),
			exclude:                listSet(v.List(propExclude)),
			include:                listSet(v.List(propInclude)),
			renames:                map[string]string{},
			replaceNullWithDefault: v.Bool(propReplaceNullWithDefault),
		}
		for _, m := range v.List(propRenames) {
			parts := javaSplit(m, ":")
			t.renames[parts[0]] = parts[1]
		}
		return t, nil
	}
}

func listSet(list []string) map[string]bool {
	set := map[string]bool{}
	for _, e := range list {
		set[e] = true
	}
	return set
}

// keep is ReplaceField.filter: exclude wins over include, and an empty
// include keeps everything.
func (t *replaceField) keep(name string) bool {
	return !t.exclude[name] && (len(t.include) == 0 || t.include[name])
}

func (t *replaceField) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if v == nil {
		return r, true, nil
	}
	st, err := requireStruct(t.class, "field replacement", sch, v)
	if err != nil {
		return r, false, err
	}
	d, ok := t.cache.get(st.Schema)
	if !ok {
		if d, err = t.derive(st.Schema); err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		t.cache.put(st.Schema, d)
	}
	out := schema.NewStruct(d.schema)
	for i, src := range d.sources {
		out.Values[i] = fieldValue(st, src, t.replaceNullWithDefault)
	}
	t.side.set(&r, d.schema, out)
	return r, true, nil
}

// derive is ReplaceField.makeUpdatedSchema. Kafka reads each output field
// back through the inverted rename map; remembering the source field
// instead gives the same values for every configuration whose renames are
// not ambiguous.
func (t *replaceField) derive(in *schema.Schema) (*replacedSchema, error) {
	d := &replacedSchema{}
	var fields []schema.Field
	for i, f := range in.Fields {
		if !t.keep(f.Name) {
			continue
		}
		name := f.Name
		if to, ok := t.renames[name]; ok {
			name = to
		}
		fields = append(fields, schema.NewField(name, f.Schema))
		d.sources = append(d.sources, i)
	}
	s, err := buildStruct(in, fields)
	if err != nil {
		return nil, err
	}
	d.schema = s
	return d, nil
}
