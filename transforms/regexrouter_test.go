package transforms

import (
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

func newRouter(t testing.TB, regex, replacement string) connect.Transformation {
	t.Helper()
	tr, errs := NewRegexRouter(map[string]string{"type": RegexRouterClass, "regex": regex, "replacement": replacement})
	if len(errs) > 0 {
		t.Fatalf("NewRegexRouter(%q, %q): %v", regex, replacement, errs)
	}
	return tr
}

func route(t testing.TB, regex, replacement, topic string) string {
	t.Helper()
	out, keep, err := newRouter(t, regex, replacement).Apply(connect.SourceRecord{Topic: topic})
	if err != nil || !keep {
		t.Fatalf("Apply(%q): keep=%v err=%v", topic, keep, err)
	}
	return out.Topic
}

// TestRegexRouterKafkaCases are the cases of Kafka's RegexRouterTest.
func TestRegexRouterKafkaCases(t *testing.T) {
	for _, c := range []struct{ name, regex, replacement, topic, want string }{
		{"staticReplacement", "foo", "bar", "foo", "bar"},
		{"doesntMatch", "foo", "bar", "orig", "orig"},
		{"identity", "(.*)", "$1", "orig", "orig"},
		{"addPrefix", "(.*)", "prefix-$1", "orig", "prefix-orig"},
		{"addSuffix", "(.*)", "$1-suffix", "orig", "orig-suffix"},
		{"slice", `(.*)-(\d\d\d\d\d\d\d\d)`, "$1", "index-20160117", "index"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := route(t, c.regex, c.replacement, c.topic); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestRegexRouterJavaSemantics pins java.util.regex behaviour that Go's own
// syntax would get wrong if used directly.
func TestRegexRouterJavaSemantics(t *testing.T) {
	const ten = "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)"
	for _, c := range []struct{ name, regex, replacement, topic, want string }{
		// Matcher.matches: the whole topic must match.
		{"partial match is no match", "foo", "bar", "foobar", "foobar"},
		{"match in the middle is no match", "b", "X", "abc", "abc"},
		// $n takes more digits only while they name a group.
		{"group then digit", "(.*)", "$10", "orig", "orig0"},
		{"group then letter", "(.*)", "$1x", "orig", "origx"},
		{"group then underscore", "(.*)", "$1_v2", "orig", "orig_v2"},
		{"two-digit group", ten, "$10", "abcdefghij", "j"},
		{"two digits past the groups", ten, "$11", "abcdefghij", "a1"},
		{"group zero", "(.*)", "<$0>", "orig", "<orig>"},
		// Named groups, by name and by number.
		{"named groups", `(?<db>[^.]+)\.(?<rest>.*)`, "${rest}.${db}", "inventory.customers", "customers.inventory"},
		{"named group by number", `(?<db>[^.]+)\.(?<rest>.*)`, "$2", "inventory.customers", "customers"},
		{"named group then letters", `(?<db>[^.]+)\..*`, "${db}x", "inventory.customers", "inventoryx"},
		// Escapes.
		{"escaped dollar", "(.*)", `\$1`, "orig", "$1"},
		{"escaped dollar then group", "(.*)", `\$$1`, "orig", "$orig"},
		{"escaped backslash", "(.*)", `a\\b`, "orig", `a\b`},
		{"escaped letter", "(.*)", `\a$1`, "orig", "aorig"},
		{"escaped brace", "(.*)", `\${1}`, "orig", "${1}"},
		// An unmatched group expands to nothing.
		{"unmatched group", "(x)?(.*)", "[$1]$2", "orig", "[]orig"},
		// replaceFirst searches again; its leftmost match need not be
		// the whole topic.
		{"replaceFirst leftmost", "a|ab", "X", "ab", "Xb"},
		// Debezium's documented routing example shape.
		{"prefix strip", `dbserver1\.inventory\.(.*)`, "inv.$1", "dbserver1.inventory.orders", "inv.orders"},
		{"quoted pattern", `\Qa.b\E(.*)`, "c$1", "a.bd", "cd"},
		{"case-insensitive flag", "(?i)FOO(.*)", "bar$1", "foo-1", "bar-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := route(t, c.regex, c.replacement, c.topic); got != c.want {
				t.Errorf("route(%q, %q, %q) = %q, want %q", c.regex, c.replacement, c.topic, got, c.want)
			}
		})
	}
}

func TestRegexRouterTrimsValues(t *testing.T) {
	// Kafka's ConfigDef trims STRING values.
	if got := route(t, " (.*) ", " p-$1 ", "orig"); got != "p-orig" {
		t.Errorf("got %q, want p-orig", got)
	}
}

func TestRegexRouterKeepsOffsetOnlyRecords(t *testing.T) {
	rec := connect.SourceRecord{SourceOffset: map[string]any{"lsn": int64(1)}}
	out, keep, err := newRouter(t, "(.*)", "x-$1").Apply(rec)
	if err != nil || !keep || out.Topic != "" {
		t.Fatalf("offset-only record: topic=%q keep=%v err=%v", out.Topic, keep, err)
	}
}

func TestRegexRouterConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name      string
		config    map[string]string
		property  string
		substring string
	}{
		{"regex missing", map[string]string{"replacement": "x"}, "regex", "Missing required configuration"},
		{"replacement missing", map[string]string{"regex": "x"}, "replacement", "Missing required configuration"},
		{"lookahead", map[string]string{"regex": "(?=a).*", "replacement": "x"}, "regex", "RE2"},
		{"backreference", map[string]string{"regex": `(a)\1`, "replacement": "x"}, "regex", "RE2"},
		{"possessive", map[string]string{"regex": "a*+", "replacement": "x"}, "regex", "RE2"},
		{"atomic group", map[string]string{"regex": "(?>a)", "replacement": "x"}, "regex", "RE2"},
		{"nested class", map[string]string{"regex": "[a[b]]", "replacement": "x"}, "regex", "nested character classes"},
		{"posix class", map[string]string{"regex": "[[:alpha:]]+", "replacement": "x"}, "regex", "nested character classes"},
		{"intersection", map[string]string{"regex": "[a-z&&[^b]]", "replacement": "x"}, "regex", "intersection"},
		{"U flag", map[string]string{"regex": "(?U)a.*", "replacement": "x"}, "regex", "flag U"},
		{"group name with underscore", map[string]string{"regex": "(?<a_b>.*)", "replacement": "x"}, "regex", "not a Java group name"},
		{"dollar at end", map[string]string{"regex": "(.*)", "replacement": "x$"}, "replacement", "group index is missing"},
		{"dollar letter", map[string]string{"regex": "(.*)", "replacement": "$x"}, "replacement", "illegal group reference"},
		{"no such group", map[string]string{"regex": "(.*)", "replacement": "$2"}, "replacement", "no group 2"},
		{"no such name", map[string]string{"regex": "(?<a>.*)", "replacement": "${b}"}, "replacement", "no group with name {b}"},
		{"name starts with digit", map[string]string{"regex": "(.*)", "replacement": "${1}"}, "replacement", "starts with digit"},
		{"empty name", map[string]string{"regex": "(.*)", "replacement": "${}"}, "replacement", "0 length name"},
		{"unclosed name", map[string]string{"regex": "(?<a>.*)", "replacement": "${a"}, "replacement", "missing trailing '}'"},
		{"trailing backslash", map[string]string{"regex": "(.*)", "replacement": `x\`}, "replacement", "character to be escaped is missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, errs := NewRegexRouter(c.config)
			if tr != nil || len(errs) == 0 {
				t.Fatalf("expected an error, got %v, %v", tr, errs)
			}
			if errs[0].Name != c.property || !strings.Contains(errs[0].Message, c.substring) {
				t.Errorf("got %+v, want property %s with %q", errs[0], c.property, c.substring)
			}
		})
	}
}

// javaQuoteReplacement is Matcher.quoteReplacement: a replacement that
// stands for s literally.
func javaQuoteReplacement(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `$`, `\$`)
	return r.Replace(s)
}

// FuzzRegexRouterReplacement checks that a quoted replacement expands to
// itself and that no regex, replacement and topic makes the router panic.
func FuzzRegexRouterReplacement(f *testing.F) {
	f.Add("(.*)", "prefix-$1", "orig", "a$b\\c")
	f.Add("(?<n>.*)", "${n}$0\\$", "x", "${1}")
	f.Add("a|ab", "$10", "ab", "$1x")
	f.Fuzz(func(t *testing.T, regex, replacement, topic, literal string) {
		lit, errs := NewRegexRouter(map[string]string{"regex": "(?s).*", "replacement": javaQuoteReplacement(literal)})
		if len(errs) > 0 {
			t.Fatalf("quoted replacement of %q refused: %v", literal, errs)
		}
		if topic != "" {
			out, _, _ := lit.Apply(connect.SourceRecord{Topic: topic})
			if want := javaTrim(literal); out.Topic != want {
				t.Fatalf("quoted %q expanded to %q", literal, out.Topic)
			}
		}
		tr, errs := NewRegexRouter(map[string]string{"regex": regex, "replacement": replacement})
		if len(errs) == 0 && topic != "" {
			if _, _, err := tr.Apply(connect.SourceRecord{Topic: topic}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
