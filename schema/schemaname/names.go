package schemaname

import (
	"strconv"
	"unicode/utf16"
)

// Adjustment modes (CommonConnectorConfig.SchemaNameAdjustmentMode and
// FieldNameAdjustmentMode).
const (
	None        = "none"
	Avro        = "avro"
	AvroUnicode = "avro_unicode"
)

// Adjuster returns the schema.name.adjustment.mode function, nil for none.
// avro replaces each UTF-16 code unit Avro does not allow in a full name
// ([A-Za-z_] first, [A-Za-z0-9_.] after) by "_", keeping a replaced leading
// digit after it; avro_unicode writes "_u" and the unit's hex code (at
// least four digits) and allows neither "_" nor a leading digit
// (Debezium's SchemaNameAdjuster.AVRO and AVRO_UNICODE).
func Adjuster(mode string) func(string) string {
	switch mode {
	case Avro:
		return func(s string) string { return adjust(s, false, true) }
	case AvroUnicode:
		return func(s string) string { return adjust(s, true, true) }
	}
	return nil
}

// FieldAdjuster returns the field.name.adjustment.mode function, nil for
// none: as Adjuster, except that "." is not allowed in a field name
// (Debezium's AVRO_FIELD_NAMER and AVRO_UNICODE_FIELD_NAMER).
func FieldAdjuster(mode string) func(string) string {
	switch mode {
	case Avro:
		return func(s string) string { return adjust(s, false, false) }
	case AvroUnicode:
		return func(s string) string { return adjust(s, true, false) }
	}
	return nil
}

func isLetter(c rune) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isDigit(c rune) bool  { return c >= '0' && c <= '9' }

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
