package herder

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// dropAll drops every record (Kafka's Filter).
type dropAll struct{}

func (dropAll) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	return r, false, nil
}

// isOdd accepts the records whose value is odd.
type isOdd struct{}

func (isOdd) Test(r connect.SourceRecord) bool { return r.Value.(int64)%2 == 1 }

var testPredicates = []connect.PredicatePlugin{
	{Class: "test.IsOdd", New: func(map[string]string) (connect.Predicate, []connect.ConfigError) { return isOdd{}, nil }},
}

// prefixTopic prefixes the topic with its "prefix" property.
type prefixTopic struct{ prefix string }

func (p prefixTopic) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	r.Topic = p.prefix + r.Topic
	// A transformation cannot move a record's source offset.
	r.SourceOffset = map[string]any{"n": int64(-1)}
	return r, true, nil
}

var testTransforms = []connect.TransformationPlugin{
	{Class: "test.DropAll", New: func(map[string]string) (connect.Transformation, []connect.ConfigError) {
		return dropAll{}, nil
	}},
	{Class: "test.PrefixTopic", New: func(c map[string]string) (connect.Transformation, []connect.ConfigError) {
		if c["prefix"] == "" {
			return nil, []connect.ConfigError{{Name: "prefix", Message: `Missing required configuration "prefix" which has no default value.`}}
		}
		return prefixTopic{prefix: c["prefix"]}, nil
	}},
}

// TestTransformsRunInOrderAndDroppedOffsetsCommit: the chain runs in the
// order of "transforms", each stage on the records its predicate accepts; a
// dropped record produces nothing, and its offset still commits (the last
// record, 249, is odd and dropped).
func TestTransformsRunInOrderAndDroppedOffsetsCommit(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s, func(c *Config) { c.Transformations, c.Predicates = testTransforms, testPredicates })
	cfg := config("transforms", " evens , renamed ",
		"transforms.evens.type", "test.DropAll", "transforms.evens.predicate", "odd",
		"predicates", "odd", "predicates.odd.type", "test.IsOdd",
		"transforms.renamed.type", "test.PrefixTopic", "transforms.renamed.prefix", "even-")
	if _, err := h.CreateConnector(t.Context(), "counter", cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every offset committed, the dropped last one included", func() bool { return committed(t, s) == 249 })

	consumer, err := sarama.NewConsumer(s.brokers, kafkaclient.NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition("even-numbers", 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	for want := 0; want < 250; want += 2 {
		select {
		case m := <-pc.Messages():
			if got := string(m.Value); got != `{"schema":{"type":"int64","optional":false},"payload":`+strconv.Itoa(want)+`}` {
				t.Fatalf("record %d of even-numbers = %s, want %d", want/2, got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("timed out reading even-numbers at %d", want)
		}
	}
	if topics, err := s.admin.ListTopics(); err != nil {
		t.Fatal(err)
	} else if _, ok := topics["numbers"]; ok {
		t.Error("the untransformed topic was created")
	}
}

// TestTransformConfigErrors: every problem with the chain is a validation
// error named as Kafka Connect names it, and nothing is created.
func TestTransformConfigErrors(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s, func(c *Config) { c.Transformations, c.Predicates = testTransforms, testPredicates })
	cfg := config("transforms", "unwrap,missing,renamed,filtered,negated,unwrap",
		"transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState",
		"transforms.renamed.type", "test.PrefixTopic",
		"transforms.filtered.type", "test.DropAll", "transforms.filtered.predicate", "undeclared",
		"transforms.negated.type", "test.DropAll", "transforms.negated.negate", "yes",
		"predicates", "tomb",
		"predicates.tomb.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone")
	_, err := h.CreateConnector(t.Context(), "counter", cfg)
	var ve *connect.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("CreateConnector = %v, want a validation error", err)
	}
	want := map[string][]string{
		"transforms.unwrap.type":        {"Invalid value io.debezium.transforms.ExtractNewRecordState for configuration transforms.unwrap.type: Class io.debezium.transforms.ExtractNewRecordState could not be found."},
		"transforms.missing.type":       {`Missing required configuration "transforms.missing.type" which has no default value.`},
		"transforms.renamed.prefix":     {`Missing required configuration "prefix" which has no default value.`},
		"transforms.filtered.predicate": {`Invalid value undeclared for configuration transforms.filtered.predicate: the predicate is not in "predicates"`},
		"transforms.negated.negate": {
			"Invalid value yes for configuration transforms.negated.negate: Expected value to be either true or false",
			"Config 'transforms.negated.negate' was provided but there is no config 'transforms.negated.predicate' defining a predicate to be negated.",
		},
		"predicates.tomb.type": {"Invalid value org.apache.kafka.connect.transforms.predicates.RecordIsTombstone for configuration predicates.tomb.type: Class org.apache.kafka.connect.transforms.predicates.RecordIsTombstone could not be found."},
		// ConnectorConfig.aliasValidator prints the parsed list.
		"transforms": {"Invalid value [unwrap, missing, renamed, filtered, negated, unwrap] for configuration transforms: Duplicate alias provided."},
	}
	got := map[string][]string{}
	for _, e := range ve.Errors {
		got[e.Name] = append(got[e.Name], e.Message)
	}
	for name, msgs := range want {
		if !slices.Equal(got[name], msgs) {
			t.Errorf("errors for %s = %q, want %q", name, got[name], msgs)
		}
	}
	if len(got) != len(want) {
		t.Errorf("errors = %q", got)
	}
	if names, _ := h.Connectors(t.Context()); len(names) != 0 {
		t.Errorf("connectors after a refused create: %v", names)
	}
}

// TestPredicatedStageNegate: a negated predicate applies the transformation
// to the records the predicate rejects.
func TestPredicatedStageNegate(t *testing.T) {
	odd, even := connect.SourceRecord{Topic: "t", Value: int64(1)}, connect.SourceRecord{Topic: "t", Value: int64(2)}
	for _, c := range []struct {
		negate            bool
		oddKept, evenKept bool
	}{{false, false, true}, {true, true, false}} {
		st := predicatedStage{transformation: dropAll{}, predicate: isOdd{}, negate: c.negate}
		if _, kept, _ := st.Apply(odd); kept != c.oddKept {
			t.Errorf("negate=%v: odd record kept=%v", c.negate, kept)
		}
		if _, kept, _ := st.Apply(even); kept != c.evenKept {
			t.Errorf("negate=%v: even record kept=%v", c.negate, kept)
		}
	}
}
