package transforms

import (
	"regexp"
	"slices"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/javaregex"
)

// Kafka Connect's built-in predicate classes (Apache Kafka 3.9,
// connect/transforms/src/main/java/org/apache/kafka/connect/transforms/predicates).
const (
	TopicNameMatchesClass  = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"
	RecordIsTombstoneClass = "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"
	HasHeaderKeyClass      = "org.apache.kafka.connect.transforms.predicates.HasHeaderKey"
)

// PredicatePlugins returns the predicate classes this package implements.
func PredicatePlugins() []connect.PredicatePlugin {
	return []connect.PredicatePlugin{
		{Class: TopicNameMatchesClass, New: NewTopicNameMatches},
		{Class: RecordIsTombstoneClass, New: NewRecordIsTombstone},
		{Class: HasHeaderKeyClass, New: NewHasHeaderKey},
	}
}

// requiredNonEmpty reads a required STRING property validated by
// ConfigDef.NonEmptyString: trimmed, and refused when empty after trimming.
func requiredNonEmpty(config map[string]string, name string) (string, *connect.ConfigError) {
	v, ok := config[name]
	if !ok {
		e := missing(name)
		return "", &e
	}
	v = javaTrim(v)
	if v == "" {
		e := invalid(name, v, "String must be non-empty")
		return "", &e
	}
	return v, nil
}

// topicNameMatches is TopicNameMatches.java: true when the whole topic
// matches pattern (Matcher.matches).
type topicNameMatches struct {
	full *regexp.Regexp
}

// NewTopicNameMatches configures TopicNameMatches from "pattern", a
// required, non-empty Java regular expression.
func NewTopicNameMatches(config map[string]string) (connect.Predicate, []connect.ConfigError) {
	pattern, cerr := requiredNonEmpty(config, "pattern")
	if cerr != nil {
		return nil, []connect.ConfigError{*cerr}
	}
	_, full, err := javaregex.Compile(pattern)
	if err != nil {
		// RegexValidator's wording.
		return nil, []connect.ConfigError{invalid("pattern", pattern, "Invalid regex: "+err.Error())}
	}
	return topicNameMatches{full: full}, nil
}

// Test is false for an offset-only record (empty Topic): it has no topic,
// as a Kafka record with a null topic, which Kafka's predicate rejects.
func (p topicNameMatches) Test(r connect.SourceRecord) bool {
	return r.Topic != "" && p.full.MatchString(r.Topic)
}

// recordIsTombstone is RecordIsTombstone.java: true for a null value,
// whatever the value schema.
type recordIsTombstone struct{}

// NewRecordIsTombstone configures RecordIsTombstone, which has no
// properties.
func NewRecordIsTombstone(map[string]string) (connect.Predicate, []connect.ConfigError) {
	return recordIsTombstone{}, nil
}

func (recordIsTombstone) Test(r connect.SourceRecord) bool { return r.Value == nil }

// hasHeaderKey is HasHeaderKey.java: true when at least one header has the
// configured name.
type hasHeaderKey struct {
	name string
}

// NewHasHeaderKey configures HasHeaderKey from "name", required and
// non-empty.
func NewHasHeaderKey(config map[string]string) (connect.Predicate, []connect.ConfigError) {
	name, cerr := requiredNonEmpty(config, "name")
	if cerr != nil {
		return nil, []connect.ConfigError{*cerr}
	}
	return hasHeaderKey{name: name}, nil
}

func (p hasHeaderKey) Test(r connect.SourceRecord) bool {
	return slices.ContainsFunc(r.Headers, func(h connect.Header) bool { return h.Key == p.name })
}
