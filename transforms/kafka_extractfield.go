package transforms

import (
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

const (
	propField = "field"
	// propFieldSyntaxVersion selects how "field" is read
	// (field/FieldSyntaxVersion.java, KIP-821): V1 (the default) names one
	// top-level field; V2 is a dotted path into nested structs.
	propFieldSyntaxVersion = "field.syntax.version"
)

// extractField is ExtractField$Key or ExtractField$Value: the key or value
// becomes one of its struct's fields.
type extractField struct {
	side                   side
	class                  string
	path                   string   // the configured path, for errors
	steps                  []string // the field names from the top struct down
	replaceNullWithDefault bool
}

// newExtractField returns the constructor of ExtractField$Key or $Value,
// which parses ExtractFieldDef.
func newExtractField(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		t := &extractField{side: s, class: s.class(ExtractFieldKeyClass, ExtractFieldValueClass)}
		v, errs := ExtractFieldDef.Parse(config)
		t.path = v.String(propField)
		t.replaceNullWithDefault = v.Bool(propReplaceNullWithDefault)
		if v.IsSet(propField) && strings.EqualFold(v.String(propFieldSyntaxVersion), "V2") {
			steps, cerr := parseFieldPathV2(t.path)
			if cerr != nil {
				errs = append(errs, *cerr)
			}
			t.steps = steps
		} else {
			t.steps = []string{t.path}
		}
		if len(errs) > 0 {
			return nil, errs
		}
		return t, nil
	}
}

// parseFieldPathV2 splits a V2 path into field names as
// SingleFieldPath.buildFieldPathV2 does: names are separated by dots; a name
// wrapped in backticks may contain dots, the wrapping pair being a backtick
// at the start of a step and one followed by a dot or the end of the path;
// a backslash before such a closing backtick makes it part of the name
// (the backslash itself is dropped); other backticks are ordinary
// characters. A trailing dot adds an empty last name.
func parseFieldPathV2(path string) ([]string, *connect.ConfigError) {
	steps := []string{}
	i := 0
	for i < len(path) {
		if path[i] != '`' {
			dot := strings.IndexByte(path[i:], '.')
			if dot < 0 {
				steps = append(steps, path[i:])
				break
			}
			steps = append(steps, path[i:i+dot])
			i += dot + 1
			continue
		}
		open := i
		var name strings.Builder
		start := i + 1
		j := start
		for {
			k := strings.IndexByte(path[j:], '`')
			if k < 0 {
				return nil, incompleteBackticks(path, open)
			}
			j += k
			escaped := path[j-1] == '\\'
			if j == len(path)-1 {
				if escaped {
					return nil, incompleteBackticks(path, open)
				}
				name.WriteString(path[start:j])
				i = len(path)
				break
			}
			if path[j+1] != '.' {
				j++ // a backtick inside the name
				continue
			}
			if escaped {
				name.WriteString(path[start : j-1])
				name.WriteByte('`')
				j++
				start = j
				continue
			}
			name.WriteString(path[start:j])
			i = j + 2 // past the backtick and the dot
			break
		}
		steps = append(steps, name.String())
	}
	if strings.HasSuffix(path, ".") {
		steps = append(steps, "")
	}
	if len(steps) == 0 {
		// Kafka accepts the empty V2 path but fails every record with a
		// schema (it has no last field to read); the error depends on the
		// configuration alone, so it is given here.
		e := invalid(propField, path, "a V2 field path needs at least one field name")
		return nil, &e
	}
	return steps, nil
}

// incompleteBackticks is SingleFieldPath's error; the position counts UTF-16
// code units, as Java strings do.
func incompleteBackticks(path string, at int) *connect.ConfigError {
	pos := len(utf16.Encode([]rune(path[:at])))
	return &connect.ConfigError{Name: propField, Message: fmt.Sprintf(
		"Incomplete backtick pair in path: [%s], consider adding a backslash before backtick at position %d to escape it", path, pos)}
}

func (t *extractField) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if sch == nil {
		if v == nil {
			return r, true, nil
		}
		return r, false, fmt.Errorf("%s: schemaless data (%T without a schema) is not supported; only Struct values with a schema are", t.class, v)
	}
	// The field comes from the record's schema even when the value is null
	// (SingleFieldPath.fieldFrom), so a null value gets the field's schema.
	f, err := t.fieldFrom(sch)
	if err != nil {
		return r, false, err
	}
	var out any
	if v != nil {
		st, err := requireStruct(t.class, "field extraction", sch, v)
		if err != nil {
			return r, false, err
		}
		if out, err = t.valueFrom(st); err != nil {
			return r, false, err
		}
	}
	t.side.set(&r, f.Schema, out)
	return r, true, nil
}

// fieldFrom is SingleFieldPath.fieldFrom, failing as ExtractField does when
// the path names no field.
func (t *extractField) fieldFrom(s *schema.Schema) (*schema.Field, error) {
	for i, step := range t.steps {
		if s.Type != schema.TypeStruct {
			return nil, fmt.Errorf("%s: Cannot look up fields on non-struct type", t.class)
		}
		j := fieldIndex(s, step)
		if j < 0 {
			return nil, fmt.Errorf("%s: Unknown field: %s", t.class, t.path)
		}
		if i == len(t.steps)-1 {
			return &s.Fields[j], nil
		}
		s = s.Fields[j].Schema
	}
	return nil, fmt.Errorf("%s: Unknown field: %s", t.class, t.path) // no steps: refused at configuration
}

// valueFrom is SingleFieldPath.valueFrom: the structs along the path are
// read with their defaults, the last field as replace.null.with.default
// says; a null struct on the way gives null.
func (t *extractField) valueFrom(st *schema.Struct) (any, error) {
	for i, step := range t.steps {
		j := fieldIndex(st.Schema, step)
		if j < 0 {
			return nil, nil
		}
		if i == len(t.steps)-1 {
			return fieldValue(st, j, t.replaceNullWithDefault), nil
		}
		next := fieldValue(st, j, true)
		if next == nil {
			return nil, nil
		}
		nested, ok := next.(*schema.Struct)
		if !ok || nested == nil {
			return nil, fmt.Errorf("%s: Only Struct objects supported for [nested field access], found: %s", t.class, typeName(next))
		}
		st = nested
	}
	return nil, nil
}
