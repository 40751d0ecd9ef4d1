package envelope

import (
	"strings"
	"unicode/utf16"

	"github.com/tributary-cdc/tributary/schema/schemaname"
)

// Name adjustment modes (schema.name.adjustment.mode,
// field.name.adjustment.mode).
const (
	AdjustNone        = schemaname.None
	AdjustAvro        = schemaname.Avro
	AdjustAvroUnicode = schemaname.AvroUnicode
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
// for none (schemaname.Adjuster).
func SchemaNameAdjuster(mode string) func(string) string { return schemaname.Adjuster(mode) }

// FieldNameAdjuster returns the field.name.adjustment.mode function, nil for
// none (schemaname.FieldAdjuster).
func FieldNameAdjuster(mode string) func(string) string { return schemaname.FieldAdjuster(mode) }
