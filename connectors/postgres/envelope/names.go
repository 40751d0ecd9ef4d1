package envelope

import (
	"strconv"
	"strings"
	"unicode/utf16"
)

// Name adjustment modes (schema.name.adjustment.mode,
// field.name.adjustment.mode).
const (
	AdjustNone        = "none"
	AdjustAvro        = "avro"
	AdjustAvroUnicode = "avro_unicode"
)

// maxTopicLength is Kafka's (and Debezium's TopicNamingStrategy's) limit.
const maxTopicLength = 249

// TopicName is the data-change topic of a table, <prefix>.<schema>.<table>,
// sanitized as Debezium's topic naming strategy does: every UTF-16 code
// unit outside [a-zA-Z0-9._-] becomes "_", the name is cut to 249 units,
// and "." or ".." become "_" or "__". Schema names derive from it.
func TopicName(prefix, schemaName, table string) string {
	return TopicNameWith(prefix, ".", schemaName, table)
}

// TopicNameWith is TopicName with the parts joined by delimiter
// (topic.delimiter), skipping blank parts as Debezium's mkString does; the
// delimiter is sanitized with the rest.
func TopicNameWith(prefix, delimiter, schemaName, table string) string {
	var name string
	for _, part := range []string{prefix, schemaName, table} {
		if strings.TrimSpace(part) == "" {
			continue
		}
		if name != "" {
			name += delimiter
		}
		name += part
	}
	clean := true
	for i := 0; i < len(name); i++ {
		if !validTopicByte(name[i]) {
			clean = false
			break
		}
	}
	if clean && len(name) <= maxTopicLength {
		return name
	}
	units := utf16.Encode([]rune(name))
	out := make([]byte, 0, len(units))
	for _, u := range units {
		if u < 0x80 && validTopicByte(byte(u)) {
			out = append(out, byte(u))
		} else {
			out = append(out, '_')
		}
	}
	if len(out) > maxTopicLength {
		out = out[:maxTopicLength]
	}
	switch string(out) {
	case ".":
		return "_"
	case "..":
		return "__"
	}
	return string(out)
}

// ValidTopicByte reports whether c may appear in a Kafka topic name
// ([a-zA-Z0-9._-]).
func ValidTopicByte(c byte) bool { return validTopicByte(c) }

func validTopicByte(c byte) bool {
	return c == '.' || c == '_' || c == '-' || isLetter(rune(c)) || isDigit(rune(c))
}

func isLetter(c rune) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c rune) bool  { return c >= '0' && c <= '9' }

// SchemaNameAdjuster returns the schema.name.adjustment.mode function, nil
// for none. avro replaces each UTF-16 code unit Avro does not allow in a
// full name ([A-Za-z_] first, [A-Za-z0-9_.] after) by "_", keeping a
// replaced leading digit after it; avro_unicode writes "_u" and the unit's
// hex code (at least four digits) and allows neither "_" nor a leading
// digit (Debezium's SchemaNameAdjuster.AVRO and AVRO_UNICODE).
func SchemaNameAdjuster(mode string) func(string) string {
	switch mode {
	case AdjustAvro:
		return func(s string) string { return adjust(s, false, true) }
	case AdjustAvroUnicode:
		return func(s string) string { return adjust(s, true, true) }
	}
	return nil
}

// FieldNameAdjuster returns the field.name.adjustment.mode function, nil for
// none: as SchemaNameAdjuster, except that "." is not allowed in a field
// name (Debezium's AVRO_FIELD_NAMER and AVRO_UNICODE_FIELD_NAMER).
func FieldNameAdjuster(mode string) func(string) string {
	switch mode {
	case AdjustAvro:
		return func(s string) string { return adjust(s, false, false) }
	case AdjustAvroUnicode:
		return func(s string) string { return adjust(s, true, false) }
	}
	return nil
}

// adjust is Debezium's SchemaNameAdjuster.validFullname over Java's UTF-16
// code units.
func adjust(name string, unicode, dots bool) string {
	if name == "" {
		return name
	}
	first := func(c rune) bool { return isLetter(c) || (!unicode && c == '_') }
	next := func(c rune) bool { return first(c) || isDigit(c) || (dots && c == '.') }
	units := utf16.Encode([]rune(name))
	out := make([]byte, 0, len(name)+8)
	changed := false
	replace := func(u uint16) {
		changed = true
		if !unicode {
			out = append(out, '_')
			return
		}
		hex := strconv.FormatUint(uint64(u), 16)
		if len(hex) <= 2 {
			hex = "00" + hex
		}
		out = append(out, "_u"...)
		out = append(out, hex...)
	}
	for i, u := range units {
		c := rune(u)
		switch {
		case i == 0 && first(c), i > 0 && next(c):
			out = append(out, byte(c))
		case i == 0 && !unicode && isDigit(c):
			// Debezium keeps a replaced leading digit so that names
			// differing only in it stay distinct.
			replace(u)
			out = append(out, byte(c))
		default:
			replace(u)
		}
	}
	if !changed {
		return name
	}
	return string(out)
}
