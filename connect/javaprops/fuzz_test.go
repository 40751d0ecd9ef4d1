package javaprops

import (
	"strings"
	"testing"
)

// FuzzParseProperties: any file content parses or fails cleanly, never
// panics; a parsed key written back as "key=value" with both escaped parses
// to the same pair. The seed corpus is in testdata/fuzz.
func FuzzParseProperties(f *testing.F) {
	for _, s := range []string{
		"bootstrap.servers=localhost:9092\ngroup.id = connect\n",
		"# comment\n! also\nkey value\nkey2:value2\n",
		"multi=first \\\n    second\n",
		"unicode=\\u00e9t\\u00E9\nbad=\\u12\n",
		"tab\\tkey=va\\lue\\\n",
		"\xe9t\xe9=latin1\n",
		"\\\n",
		"=\n:\n \n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		props, err := Parse(data)
		if err != nil {
			return
		}
		for k, v := range props {
			line := escapeProperty(k, true) + "=" + escapeProperty(v, false) + "\n"
			again, err := Parse([]byte(line))
			if err != nil {
				t.Fatalf("re-parsing %q (from %q): %v", line, data, err)
			}
			if len(again) != 1 || again[k] != v {
				t.Fatalf("re-parsing %q gave %q, want {%q: %q}", line, again, k, v)
			}
		}
	})
}

// escapeProperty writes s as java.util.Properties.store does, with every
// non-ASCII rune as \uXXXX.
func escapeProperty(s string, key bool) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '=' || r == ':' || r == '#' || r == '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == ' ' && (key || i == 0):
			b.WriteString(`\ `)
		case r < 0x20 || r > 0x7e:
			for _, u := range utf16(r) {
				b.WriteString(`\u`)
				const hex = "0123456789abcdef"
				b.WriteByte(hex[u>>12&0xf])
				b.WriteByte(hex[u>>8&0xf])
				b.WriteByte(hex[u>>4&0xf])
				b.WriteByte(hex[u&0xf])
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func utf16(r rune) []uint16 {
	if r < 0x10000 {
		return []uint16{uint16(r)}
	}
	r -= 0x10000
	return []uint16{uint16(0xd800 + r>>10), uint16(0xdc00 + r&0x3ff)}
}
