package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

func newPredicate(t *testing.T, class string, config map[string]string) (connect.Predicate, []connect.ConfigError) {
	t.Helper()
	for _, p := range PredicatePlugins() {
		if p.Class == class {
			c := map[string]string{"type": class}
			for k, v := range config {
				c[k] = v
			}
			return p.New(c)
		}
	}
	t.Fatalf("no predicate %s", class)
	return nil, nil
}

func mustPredicate(t *testing.T, class string, config map[string]string) connect.Predicate {
	t.Helper()
	p, errs := newPredicate(t, class, config)
	if len(errs) > 0 {
		t.Fatalf("%s(%v): %v", class, config, errs)
	}
	return p
}

func wantPredicateError(t *testing.T, class string, config map[string]string, name, message string) {
	t.Helper()
	_, errs := newPredicate(t, class, config)
	if len(errs) != 1 || errs[0].Name != name || errs[0].Message != message {
		t.Errorf("%s(%v) errors = %+v, want [{%s %s}]", class, config, errs, name, message)
	}
}

func TestPredicateClasses(t *testing.T) {
	var got []string
	for _, p := range PredicatePlugins() {
		got = append(got, p.Class)
	}
	want := []string{
		"org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
		"org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
		"org.apache.kafka.connect.transforms.predicates.HasHeaderKey",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("classes = %v, want %v", got, want)
	}
}

// TopicNameMatchesTest.testTest
func TestTopicNameMatches(t *testing.T) {
	p := mustPredicate(t, TopicNameMatchesClass, map[string]string{"pattern": "my-prefix-.*"})
	for topic, want := range map[string]bool{
		"my-prefix-": true, "my-prefix-foo": true,
		"x-my-prefix-": false, "x-my-prefix-foo": false,
		"your-prefix-": false, "your-prefix-foo": false,
		"": false, // an offset-only record, as Kafka's null topic
	} {
		if got := p.Test(connect.SourceRecord{Topic: topic}); got != want {
			t.Errorf("Test(%q) = %v, want %v", topic, got, want)
		}
	}
	// Matcher.matches: an alternation must cover the whole topic.
	p = mustPredicate(t, TopicNameMatchesClass, map[string]string{"pattern": " a|ab "})
	if !p.Test(connect.SourceRecord{Topic: "ab"}) {
		t.Errorf("a|ab does not match ab")
	}
}

// TopicNameMatchesTest.testPatternRequiredInConfig, ...MayNotBeEmpty...,
// ...IsValidRegex... and testConfig.
func TestTopicNameMatchesConfigErrors(t *testing.T) {
	wantPredicateError(t, TopicNameMatchesClass, nil, "pattern", `Missing required configuration "pattern" which has no default value.`)
	wantPredicateError(t, TopicNameMatchesClass, map[string]string{"pattern": ""}, "pattern", "Invalid value  for configuration pattern: String must be non-empty")
	wantPredicateError(t, TopicNameMatchesClass, map[string]string{"pattern": " "}, "pattern", "Invalid value  for configuration pattern: String must be non-empty")
	for _, bad := range []string{"[", "*"} {
		_, errs := newPredicate(t, TopicNameMatchesClass, map[string]string{"pattern": bad})
		if len(errs) != 1 || errs[0].Name != "pattern" || !strings.HasPrefix(errs[0].Message, "Invalid value "+bad+" for configuration pattern: Invalid regex: ") {
			t.Errorf("pattern %q: errors %+v", bad, errs)
		}
	}
}

// RecordIsTombstone is true for a null value, whatever the schema.
func TestRecordIsTombstone(t *testing.T) {
	p := mustPredicate(t, RecordIsTombstoneClass, nil)
	s := schema.StructOf("", true, schema.NewField("a", schema.Int32Schema))
	for _, c := range []struct {
		r    connect.SourceRecord
		want bool
	}{
		{connect.SourceRecord{Topic: "t"}, true},
		{connect.SourceRecord{Topic: "t", ValueSchema: s}, true},
		{connect.SourceRecord{Topic: "t", KeySchema: s, Key: schema.NewStruct(s)}, true},
		{connect.SourceRecord{Topic: "t", ValueSchema: s, Value: schema.NewStruct(s)}, false},
		{connect.SourceRecord{Topic: "t", ValueSchema: schema.StringSchema, Value: ""}, false},
	} {
		if got := p.Test(c.r); got != c.want {
			t.Errorf("Test(%+v) = %v, want %v", c.r, got, c.want)
		}
	}
}

// HasHeaderKeyTest.testTest
func TestHasHeaderKey(t *testing.T) {
	p := mustPredicate(t, HasHeaderKeyClass, map[string]string{"name": "foo"})
	withHeaders := func(keys ...string) connect.SourceRecord {
		r := connect.SourceRecord{Topic: "t"}
		for _, k := range keys {
			r.Headers = append(r.Headers, connect.Header{Key: k})
		}
		return r
	}
	for _, c := range []struct {
		keys []string
		want bool
	}{
		{[]string{"foo"}, true},
		{[]string{"foo", "bar"}, true},
		{[]string{"bar", "foo", "bar", "foo"}, true},
		{[]string{"bar"}, false},
		{[]string{"bar", "bar"}, false},
		{nil, false},
	} {
		if got := p.Test(withHeaders(c.keys...)); got != c.want {
			t.Errorf("Test(%v) = %v, want %v", c.keys, got, c.want)
		}
	}
}

// HasHeaderKeyTest.testNameRequiredInConfig, testNameMayNotBeEmptyInConfig
// and testConfig.
func TestHasHeaderKeyConfigErrors(t *testing.T) {
	wantPredicateError(t, HasHeaderKeyClass, nil, "name", `Missing required configuration "name" which has no default value.`)
	wantPredicateError(t, HasHeaderKeyClass, map[string]string{"name": ""}, "name", "Invalid value  for configuration name: String must be non-empty")
}
