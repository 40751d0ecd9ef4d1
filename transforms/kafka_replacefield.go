package transforms

import (
	"fmt"

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

// newReplaceField returns the constructor of ReplaceField$Key or $Value.
func newReplaceField(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		var errs []connect.ConfigError
		t := &replaceField{
			side:    s,
			class:   s.class(ReplaceFieldKeyClass, ReplaceFieldValueClass),
			exclude: listSet(aliased(config, propExclude, propBlacklist)),
			include: listSet(aliased(config, propInclude, propWhitelist)),
			renames: map[string]string{},
		}
		mappings := parseList(config[propRenames])
		for _, m := range mappings {
			// String.split(":") drops trailing empty parts, so "a:b:" is
			// a valid mapping and "a:" is not.
			parts := javaSplit(m, ":")
			if len(parts) != 2 {
				errs = append(errs, invalid(propRenames, javaList(mappings), "Invalid rename mapping: "+m))
				break
			}
			t.renames[parts[0]] = parts[1]
		}
		t.replaceNullWithDefault = parseBool(config, propReplaceNullWithDefault, true, &errs)
		if len(errs) > 0 {
			return nil, errs
		}
		return t, nil
	}
}

// aliased is ConfigUtils.translateDeprecatedConfigs for one property with
// one deprecated alias.
func aliased(config map[string]string, name, alias string) string {
	if v, ok := config[name]; ok {
		return v
	}
	return config[alias]
}

func listSet(v string) map[string]bool {
	set := map[string]bool{}
	for _, e := range parseList(v) {
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
