package postgres

import (
	"slices"
	"testing"
)

// TestParseRecordText: the forms record_out writes (rowtypes.c): null as
// nothing, quotes around empty strings and around values with a quote,
// backslash, comma, parenthesis or space, quotes and backslashes doubled.
func TestParseRecordText(t *testing.T) {
	s := func(v string) []byte { return []byte(v) }
	cases := []struct {
		in   string
		want [][]byte
	}{
		{`(1,abc,)`, [][]byte{s("1"), s("abc"), nil}},
		{`()`, [][]byte{nil}},
		{`("")`, [][]byte{s("")}},
		{`(,)`, [][]byte{nil, nil}},
		{`("a ""b"" \\c","(x,y)",\\x00ff)`, [][]byte{s(`a "b" \c`), s("(x,y)"), s(`\x00ff`)}},
		{`("2026-12-07 19:00:00+00",NaN,"{1,2}")`, [][]byte{s("2026-12-07 19:00:00+00"), s("NaN"), s("{1,2}")}},
	}
	for _, c := range cases {
		got, err := parseRecordText([]byte(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if !slices.EqualFunc(got, c.want, func(a, b []byte) bool { return (a == nil) == (b == nil) && string(a) == string(b) }) {
			t.Fatalf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{``, `(`, `abc`, `("abc)`, `(a)b`, `(a\`} {
		if _, err := parseRecordText([]byte(bad)); err == nil {
			t.Fatalf("%q: no error", bad)
		}
	}
}

// FuzzParseRecordText: the queue's row text is read from a table others
// may write to; whatever it holds, the parser returns an error or fields,
// never panics.
func FuzzParseRecordText(f *testing.F) {
	for _, s := range []string{`(1,abc,)`, `("a ""b"" \\c","(x,y)")`, `()`, `("")`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fields, err := parseRecordText(b)
		if err == nil && len(fields) == 0 {
			t.Fatalf("%q: no fields and no error", b)
		}
	})
}
