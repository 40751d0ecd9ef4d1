package typemap

import (
	"regexp"
	"strings"

	"github.com/tributary-cdc/tributary/schema"
)

// literalDefault matches a default expression that is a literal: 'text'
// with an optional cast, or a bare number or boolean.
var (
	quotedDefault = regexp.MustCompile(`^'((?:[^']|'')*)'(?:::[\w\s."\[\]()]+)?$`)
	bareDefault   = regexp.MustCompile(`^\(?(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false)\)?(?:::[\w\s."]+)?$`)
)

// functionDefaults are the placeholders Debezium gives function defaults,
// as text in the column type's input form.
var functionDefaults = map[string]string{
	"now()":              "1970-01-01 00:00:00+00",
	"CURRENT_TIMESTAMP":  "1970-01-01 00:00:00+00",
	"CURRENT_DATE":       "1970-01-01",
	"CURRENT_TIME":       "00:00:00+00",
	"LOCALTIMESTAMP":     "1970-01-01 00:00:00",
	"LOCALTIME":          "00:00:00",
	"gen_random_uuid()":  "00000000-0000-0000-0000-000000000000",
	"uuid_generate_v4()": "00000000-0000-0000-0000-000000000000",
}

// withDefault returns the column's schema carrying its default value when
// the default expression is a literal or a function Debezium knows; the
// schema is returned unchanged otherwise.
func withDefault(m Mapping, c Column) *schema.Schema {
	v, ok := defaultValue(m, c)
	if !ok {
		return m.Schema
	}
	s := *m.Schema
	s.Default, s.HasDefault = v, true
	return &s
}

func defaultValue(m Mapping, c Column) (any, bool) {
	expr := strings.TrimSpace(c.Default)
	if strings.HasPrefix(expr, "nextval(") {
		return m.Fallback, m.Fallback != nil
	}
	if strings.HasPrefix(expr, "NULL::") || expr == "NULL" {
		return nil, false
	}
	text, ok := "", false
	if sm := quotedDefault.FindStringSubmatch(expr); sm != nil {
		text, ok = strings.ReplaceAll(sm[1], "''", "'"), true
	} else if sm := bareDefault.FindStringSubmatch(expr); sm != nil {
		text, ok = sm[1], true
		if c.TypeOID == OIDBool {
			text = text[:1]
		}
	} else {
		for prefix, t := range functionDefaults {
			if strings.HasPrefix(expr, prefix) {
				text, ok = t, true
				break
			}
		}
	}
	if !ok {
		return nil, false
	}
	v, err := m.Decode([]byte(text))
	if err != nil || v == nil {
		return nil, false
	}
	return v, true
}
