package herder

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// dropOdd drops the records whose value is odd.
type dropOdd struct{}

func (dropOdd) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	return r, r.Value.(int64)%2 == 0, nil
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
	{Class: "test.DropOdd", New: func(map[string]string) (connect.Transformation, []connect.ConfigError) {
		return dropOdd{}, nil
	}},
	{Class: "test.PrefixTopic", New: func(c map[string]string) (connect.Transformation, []connect.ConfigError) {
		if c["prefix"] == "" {
			return nil, []connect.ConfigError{{Name: "prefix", Message: `Missing required configuration "prefix" which has no default value.`}}
		}
		return prefixTopic{prefix: c["prefix"]}, nil
	}},
}

// TestTransformsRunInOrderAndDroppedOffsetsCommit: the chain runs in the
// order of "transforms"; a dropped record produces nothing, and its offset
// still commits (the last record, 249, is odd and dropped).
func TestTransformsRunInOrderAndDroppedOffsetsCommit(t *testing.T) {
	s := openStores(t, kafkatest.NewCluster(t))
	h := newHerderWith(t, s, func(c *Config) { c.Transformations = testTransforms })
	cfg := config("transforms", " evens , renamed ",
		"transforms.evens.type", "test.DropOdd",
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
	s := openStores(t, kafkatest.NewCluster(t))
	h := newHerderWith(t, s, func(c *Config) { c.Transformations = testTransforms })
	cfg := config("transforms", "unwrap,missing,renamed,filtered,unwrap",
		"transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState",
		"transforms.renamed.type", "test.PrefixTopic",
		"transforms.filtered.type", "test.DropOdd", "transforms.filtered.predicate", "isTombstone",
		"predicates", "isTombstone",
		"predicates.isTombstone.type", "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone")
	_, err := h.CreateConnector(t.Context(), "counter", cfg)
	var ve *connect.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("CreateConnector = %v, want a validation error", err)
	}
	want := map[string]string{
		"transforms.unwrap.type":        "Invalid value io.debezium.transforms.ExtractNewRecordState for configuration transforms.unwrap.type: Class io.debezium.transforms.ExtractNewRecordState could not be found.",
		"transforms.missing.type":       `Missing required configuration "transforms.missing.type" which has no default value.`,
		"transforms.renamed.prefix":     `Missing required configuration "prefix" which has no default value.`,
		"transforms.filtered.predicate": "Invalid value isTombstone for configuration transforms.filtered.predicate: Tributary does not support transformation predicates",
		"predicates":                    "Invalid value isTombstone for configuration predicates: Tributary does not support transformation predicates",
		"transforms":                    "Invalid value unwrap,missing,renamed,filtered,unwrap for configuration transforms: Duplicate alias provided.",
	}
	got := map[string]string{}
	for _, e := range ve.Errors {
		got[e.Name] = e.Message
	}
	for name, msg := range want {
		if got[name] != msg {
			t.Errorf("error for %s = %q, want %q", name, got[name], msg)
		}
	}
	if names, _ := h.Connectors(t.Context()); len(names) != 0 {
		t.Errorf("connectors after a refused create: %v", names)
	}
}
