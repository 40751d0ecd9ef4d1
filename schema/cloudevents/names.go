package cloudevents

import (
	"strconv"
	"unicode/utf16"
)

// adjuster returns schema.name.adjustment.mode's function (Debezium's
// SchemaNameAdjuster.AVRO and AVRO_UNICODE); none leaves names alone. The
// converter applies it to the event schema's name.
func adjuster(mode string) func(string) string {
	switch mode {
	case "avro":
		return func(s string) string { return adjust(s, false) }
	case "avro_unicode":
		return func(s string) string { return adjust(s, true) }
	}
	return func(s string) string { return s }
}

// adjust is SchemaNameAdjuster.validFullname over Java's UTF-16 code
// units: [A-Za-z_] first and [A-Za-z0-9_.] after, each other unit replaced
// by "_" (a replaced leading digit kept after it), or with avro_unicode by
// "_u" and its hex code, "_" itself not allowed.
func adjust(name string, unicode bool) string {
	if name == "" {
		return name
	}
	isLetter := func(c rune) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
	isDigit := func(c rune) bool { return c >= '0' && c <= '9' }
	first := func(c rune) bool { return isLetter(c) || (!unicode && c == '_') }
	next := func(c rune) bool { return first(c) || isDigit(c) || c == '.' }
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
