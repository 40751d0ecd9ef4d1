package transforms

import (
	"regexp"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/javaregex"
	"github.com/tributary-cdc/tributary/schema"
)

// Helpers shared by Debezium's SMTs (debezium-connect-plugins,
// io.debezium.transforms): SmtManager's envelope check, the Field
// validators' messages, and Java's Matcher.replaceFirst.

// isEnvelope is SmtManager.isValidEnvelope: the value schema is named like
// a Debezium change event envelope (Envelope.isEnvelopeSchema).
func isEnvelope(r connect.SourceRecord) bool {
	return r.ValueSchema != nil && strings.HasSuffix(r.ValueSchema.Name, envelopeSuffix)
}

// dbzRequired is Debezium's Field.isRequired check, which Field.required()
// adds: a value that is absent or blank is refused with its message. The
// ConfigDef Debezium builds from such a Field has a null default and no
// validator, so Kafka's own validation does not see it; the constructor
// reports it.
func dbzRequired(config map[string]string, name string) []connect.ConfigError {
	v, ok := config[name]
	if ok && javaTrim(v) != "" {
		return nil
	}
	value := "null"
	if ok {
		value = v
	}
	return []connect.ConfigError{invalid(name, value, "A value is required")}
}

// dbzRegex is Field.isRegex: "A valid regular expressions is expected, but
// " and the compiler's complaint.
var dbzRegex = configdef.Func("", func(name string, v any) error {
	s, _ := v.(string)
	if _, _, err := javaregex.Compile(s); err != nil {
		return configdef.Invalid(name, v, "A valid regular expressions is expected, but "+err.Error())
	}
	return nil
})

// javaReplacer is a compiled pattern and replacement used the way Debezium
// uses them: Matcher.matches() on the whole input, then
// Matcher.replaceFirst(replacement).
type javaReplacer struct {
	re, full *regexp.Regexp
	template string
}

// newJavaReplacer compiles pattern and checks replacement against it. Java
// finds a bad replacement only when a first input matches; every such
// error depends on the two strings alone, so it is reported here.
func newJavaReplacer(pattern, replacement string) (*javaReplacer, error) {
	re, full, err := javaregex.Compile(pattern)
	if err != nil {
		return nil, err
	}
	template, err := translateReplacement(replacement, re)
	if err != nil {
		return nil, err
	}
	return &javaReplacer{re: re, full: full, template: template}, nil
}

// replace returns replaceFirst's result and true when s matches as a
// whole, or false.
func (j *javaReplacer) replace(s string) (string, bool) {
	if !j.full.MatchString(s) {
		return "", false
	}
	// replaceFirst searches again from the start; the leftmost match need
	// not be the whole input.
	m := j.re.FindStringSubmatchIndex(s)
	out := []byte(s[:m[0]])
	out = j.re.ExpandString(out, j.template, s, m)
	return string(append(out, s[m[1]:]...)), true
}

// boundedMap is a map that is emptied when it reaches its limit (the
// LRUCache of Debezium's SMTs, kept trivial: a task sees few distinct keys
// at once). A limit below 1 caches nothing.
type boundedMap[K comparable, V any] struct {
	limit int
	m     map[K]V
}

func (c *boundedMap[K, V]) get(k K) (V, bool) {
	v, ok := c.m[k]
	return v, ok
}

func (c *boundedMap[K, V]) put(k K, v V) {
	if c.limit < 1 {
		return
	}
	if c.m == nil || len(c.m) >= c.limit {
		c.m = make(map[K]V, min(c.limit, 64))
	}
	c.m[k] = v
}

// copyStructBasics is ByLogicalTableRouter.copySchemaExcludingName: a struct
// schema with source's version, doc, parameters and optionality (not its
// name nor default) and the given fields.
func copyStructBasics(source *schema.Schema, name string, fields []schema.Field) *schema.Schema {
	s := schema.StructOf(name, source.Optional, fields...)
	s.Version, s.Doc, s.Params = source.Version, source.Doc, source.Params
	return s
}

// dbzList is Debezium's Configuration.getList: the raw value split at
// commas as Java's String.split (trailing empty elements dropped), each
// element trimmed; an absent value is an empty list.
func dbzList(config map[string]string, name string) []string {
	raw, ok := config[name]
	if !ok {
		return nil
	}
	parts := javaSplit(raw, ",")
	for i := range parts {
		parts[i] = javaTrim(parts[i])
	}
	return parts
}

// dbzInvalid is the ConfigException SmtManager.validate throws for a
// Field that fails its validation: Configuration.validate words it
// "The '<name>' value is invalid: <problem>".
func dbzInvalid(name string, config map[string]string, problem string) connect.ConfigError {
	value, ok := config[name]
	if !ok {
		value = "null"
	}
	return invalid(name, value, "The '"+name+"' value is invalid: "+problem)
}

// checkDbzList runs Field.isRequired (when required),
// Field.notContainSpaceInAnyElement and Field.notContainEmptyElements, in
// that order, on a list property as SmtManager.validate does, reporting
// the first problem.
func checkDbzList(config map[string]string, name string, required, noSpace bool) []connect.ConfigError {
	raw, ok := config[name]
	if !ok || javaTrim(raw) == "" {
		if required {
			return []connect.ConfigError{dbzInvalid(name, config, "A value is required")}
		}
		if !ok {
			return nil
		}
	}
	list := dbzList(config, name)
	if noSpace {
		for _, e := range list {
			if strings.Contains(e, " ") {
				return []connect.ConfigError{dbzInvalid(name, config, "Element(s) containing space not permitted")}
			}
		}
	}
	for _, e := range list {
		if e == "" {
			return []connect.ConfigError{dbzInvalid(name, config, "Empty string element(s) not permitted")}
		}
	}
	return nil
}
