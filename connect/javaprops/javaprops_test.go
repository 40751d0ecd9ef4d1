package javaprops

import (
	"reflect"
	"testing"
)

func TestParseProperties(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want map[string]string
	}{
		{"separators", "a=1\nb:2\nc 3\nd\t4\ne = 5\nf : 6\ng   =   7  \nh\n", map[string]string{
			"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7  ", "h": ""}},
		{"first separator only", "url=jdbc:postgresql://h:5432/db?x=y\nk: v=w:x\n", map[string]string{
			"url": "jdbc:postgresql://h:5432/db?x=y", "k": "v=w:x"}},
		{"whitespace then separator", "key   =value\nkey2   :   value2\nkey3   value3 = x\n", map[string]string{
			"key": "value", "key2": "value2", "key3": "value3 = x"}},
		{"comments and blanks", "# comment\n! also comment\n   # indented comment\n\n   \na=1\n", map[string]string{"a": "1"}},
		{"comment does not continue", "# comment \\\na=1\n", map[string]string{"a": "1"}},
		{"continuation", "list=a,\\\n    b,\\\n\tc\nnext=1\n", map[string]string{"list": "a,b,c", "next": "1"}},
		{"continued line that looks like a comment", "k=a\\\n  #b\n", map[string]string{"k": "a#b"}},
		{"escaped backslash is no continuation", "path=C:\\\\dir\\\\\nx=1\n", map[string]string{"path": `C:\dir\`, "x": "1"}},
		{"escapes", `tab=a\tb` + "\n" + `nl=a\nb` + "\n" + `cr=\r` + "\n" + `ff=\f` + "\n" + `other=\a\#\!\=\:` + "\n", map[string]string{
			"tab": "a\tb", "nl": "a\nb", "cr": "\r", "ff": "\f", "other": "a#!=:"}},
		{"unicode escapes", `u=caf\u00e9 \u20AC` + "\n" + `emoji=\ud83d\ude00` + "\n", map[string]string{"u": "café €", "emoji": "😀"}},
		{"escaped separators in key", `my\=key=v` + "\n" + `my\:k\ ey:v2` + "\n", map[string]string{"my=key": "v", "my:k ey": "v2"}},
		{"line endings", "a=1\r\nb=2\rc=3", map[string]string{"a": "1", "b": "2", "c": "3"}},
		{"later wins", "a=1\na=2\n", map[string]string{"a": "2"}},
		{"continuation at end of file", "a=1\\", map[string]string{"a": "1"}},
		{"utf-8", "name=café\n", map[string]string{"name": "café"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParsePropertiesLatin1(t *testing.T) {
	got, err := Parse([]byte("name=caf\xe9\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got["name"] != "café" {
		t.Fatalf("name = %q, want café", got["name"])
	}
}

func TestParsePropertiesMalformedUnicode(t *testing.T) {
	for _, in := range []string{`a=\u12`, `a=\uZZZZ`, `\u00=x`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
