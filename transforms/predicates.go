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
		{Class: TopicNameMatchesClass, New: NewTopicNameMatches, Config: TopicNameMatchesDef},
		{Class: RecordIsTombstoneClass, New: NewRecordIsTombstone, Config: FilterDef},
		{Class: HasHeaderKeyClass, New: NewHasHeaderKey, Config: HasHeaderKeyDef},
	}
}

// topicNameMatches is TopicNameMatches.java: true when the whole topic
// matches pattern (Matcher.matches).
type topicNameMatches struct {
	full *regexp.Regexp
}

// NewTopicNameMatches configures TopicNameMatches from "pattern", a
// required, non-empty Java regular expression.
func NewTopicNameMatches(config map[string]string) (connect.Predicate, []connect.ConfigError) {
	v, errs := TopicNameMatchesDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	_, full, err := javaregex.Compile(v.String("pattern"))
	if err != nil { // TopicNameMatchesDef's validator compiled it
		return nil, []connect.ConfigError{invalid("pattern", v.String("pattern"), "Invalid regex: "+err.Error())}
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
	v, errs := HasHeaderKeyDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	return hasHeaderKey{name: v.String("name")}, nil
}

func (p hasHeaderKey) Test(r connect.SourceRecord) bool {
	return slices.ContainsFunc(r.Headers, func(h connect.Header) bool { return h.Key == p.name })
}
