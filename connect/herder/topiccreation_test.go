package herder

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// The tests below follow Kafka Connect 3.9: the worker creates a topic only
// when topic.creation.enable is true (the default) and the connector has
// topic.creation.* settings; otherwise the producer's first metadata request
// leaves it to the broker's auto.create.topics.enable.

// committedOf is the last offset the connector's counting task committed,
// -1 for none.
func committedOf(t *testing.T, s *stores, connector string) int64 {
	t.Helper()
	off, err := s.offsets.Get(t.Context(), connector, map[string]any{"task": "counting"})
	if err != nil {
		t.Fatal(err)
	}
	if off == nil {
		return -1
	}
	return off["n"].(int64)
}

// settle waits until the connector's task has failed or has committed its
// last record (records 0..last), and returns its status.
func settle(t *testing.T, h *Herder, s *stores, connector string, last int64) connect.TaskState {
	t.Helper()
	var ts connect.TaskState
	waitFor(t, connector+"'s task to fail or commit every record", func() bool {
		var err error
		if ts, err = h.TaskStatus(t.Context(), connect.TaskID{Connector: connector}); err != nil {
			return false
		}
		return ts.State == connect.StateFailed || committedOf(t, s, connector) == last
	})
	return ts
}

// topicPartitions is the number of partitions of topic, 0 if it does not
// exist.
func topicPartitions(t *testing.T, s *stores, topic string) int {
	t.Helper()
	meta, err := s.admin.DescribeTopics([]string{topic})
	if err != nil {
		t.Fatal(err)
	}
	if len(meta) != 1 || errors.Is(meta[0].Err, sarama.ErrUnknownTopicOrPartition) {
		return 0
	}
	if meta[0].Err != sarama.ErrNoError {
		t.Fatalf("describing %s: %v", topic, meta[0].Err)
	}
	return len(meta[0].Partitions)
}

// topicRecords is the number of records in topic (the sum of its partitions'
// high watermarks).
func topicRecords(t *testing.T, s *stores, topic string) int64 {
	t.Helper()
	if err := s.client.RefreshMetadata(topic); err != nil {
		t.Fatal(err)
	}
	parts, err := s.client.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, p := range parts {
		hw, err := s.client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		n += hw
	}
	return n
}

// topicConfig is the value of one config of topic, "" when unset.
func topicConfig(t *testing.T, s *stores, topic, name string) string {
	t.Helper()
	entries, err := kafkaclient.TopicConfig(s.admin, topic, name)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func topicExists(t *testing.T, s *stores, topic string) bool {
	t.Helper()
	topics, err := s.admin.ListTopics()
	if err != nil {
		t.Fatal(err)
	}
	_, ok := topics[topic]
	return ok
}

// Without topic.creation.* settings the worker leaves the topic to the
// broker; a broker that does not create topics fails the task with an error
// that says how to have the worker create it.
func TestNoTopicCreationSettingsAndNoAutoCreateFailsTheTask(t *testing.T) {
	s := openStores(t, kafkatest.NewCluster(t)) // auto.create.topics.enable=false
	h := newHerder(t, s)
	if _, err := h.CreateConnector(t.Context(), "counter", config("records", "10")); err != nil {
		t.Fatal(err)
	}
	ts := settle(t, h, s, "counter", 9)
	if ts.State != connect.StateFailed {
		t.Fatalf("task is %s, want FAILED: the worker must not create the topic", ts.State)
	}
	for _, want := range []string{`"numbers" does not exist`, "auto.create.topics.enable",
		"topic.creation.default.replication.factor", "topic.creation.default.partitions"} {
		if !strings.Contains(ts.Trace, want) {
			t.Errorf("trace %q does not say %q", ts.Trace, want)
		}
	}
	if topicExists(t, s, "numbers") {
		t.Error("the worker created the topic")
	}
	if n := committedOf(t, s, "counter"); n != -1 {
		t.Errorf("offset %d committed for records that were never written", n)
	}
}

// Without topic.creation.* settings a broker that creates topics gets the
// records: the topic has the broker's default partition count, not one the
// worker chose.
func TestNoTopicCreationSettingsLeaveTheTopicToTheBroker(t *testing.T) {
	s := openStores(t, newBroker(t, kfake.DefaultNumPartitions(2)))
	h := newHerder(t, s)
	if _, err := h.CreateConnector(t.Context(), "counter", config()); err != nil {
		t.Fatal(err)
	}
	if ts := settle(t, h, s, "counter", 249); ts.State == connect.StateFailed {
		t.Fatalf("task failed: %s", ts.Trace)
	}
	if n := topicPartitions(t, s, "numbers"); n != 2 {
		t.Errorf("numbers has %d partitions, want the broker's default 2", n)
	}
	if n := topicRecords(t, s, "numbers"); n != 250 {
		t.Errorf("numbers holds %d records, want 250", n)
	}
}

// With topic.creation.default.* the worker creates the topic with those
// settings: partitions, and the other topic.creation.default.* properties as
// topic configs. The default group's include and exclude are ignored, as in
// Kafka Connect.
func TestTopicCreationDefaultGroupCreatesTheTopic(t *testing.T) {
	s := openStores(t, kafkatest.NewCluster(t)) // auto.create.topics.enable=false
	h := newHerder(t, s)
	cfg := config(
		"topic.creation.default.replication.factor", "-1",
		"topic.creation.default.partitions", "3",
		"topic.creation.default.retention.ms", "3600000",
		"topic.creation.default.include", "nothing-matches-this",
		"topic.creation.default.exclude", ".*")
	if _, err := h.CreateConnector(t.Context(), "counter", cfg); err != nil {
		t.Fatal(err)
	}
	if ts := settle(t, h, s, "counter", 249); ts.State == connect.StateFailed {
		t.Fatalf("task failed: %s", ts.Trace)
	}
	if n := topicPartitions(t, s, "numbers"); n != 3 {
		t.Errorf("numbers has %d partitions, want 3", n)
	}
	if v := topicConfig(t, s, "numbers", "retention.ms"); v != "3600000" {
		t.Errorf("numbers has retention.ms %q, want 3600000", v)
	}
	if n := topicRecords(t, s, "numbers"); n != 250 {
		t.Errorf("numbers holds %d records, want 250", n)
	}
}

// topic.creation.groups: a topic takes the first listed group whose include
// matches it and whose exclude does not (whole-name matches), else the
// default group; a group's unset partitions and replication factor are the
// default group's, and its other properties are its topic configs.
func TestTopicCreationGroups(t *testing.T) {
	s := openStores(t, kafkatest.NewCluster(t)) // auto.create.topics.enable=false
	h := newHerder(t, s)
	groups := map[string]string{
		"topic.creation.groups":                     "audit, big ,default",
		"topic.creation.default.replication.factor": "-1",
		"topic.creation.default.partitions":         "1",
		"topic.creation.audit.include":              `.*\.audit`,
		"topic.creation.audit.partitions":           "2",
		"topic.creation.audit.retention.ms":         "86400000",
		"topic.creation.big.include":                "orders.*, payments",
		"topic.creation.big.exclude":                "orders-x",
		"topic.creation.big.partitions":             "4",
	}
	want := []struct {
		topic      string
		partitions int
		retention  string
	}{
		{"orders.audit", 2, "86400000"}, // audit is listed first; big matches too
		{"orders", 4, ""},
		{"payments", 4, ""},
		{"orders-x", 1, ""},  // excluded from big: the default group
		{"paymentsx", 1, ""}, // "payments" must match the whole name
		{"xorders.audit", 2, "86400000"},
	}
	for i, w := range want {
		cfg := config("topic", w.topic, "records", "5")
		maps.Copy(cfg, groups)
		if _, err := h.CreateConnector(t.Context(), "c"+string(rune('0'+i)), cfg); err != nil {
			t.Fatal(err)
		}
	}
	for i, w := range want {
		name := "c" + string(rune('0'+i))
		if ts := settle(t, h, s, name, 4); ts.State == connect.StateFailed {
			t.Fatalf("%s's task failed: %s", name, ts.Trace)
		}
		if n := topicPartitions(t, s, w.topic); n != w.partitions {
			t.Errorf("%s has %d partitions, want %d", w.topic, n, w.partitions)
		}
		if v := topicConfig(t, s, w.topic, "retention.ms"); w.retention != "" && v != w.retention {
			t.Errorf("%s has retention.ms %q, want %s", w.topic, v, w.retention)
		}
	}
}

// One connector whose topics fall into two topic creation groups and the
// default group: each topic is created with its group's partitions and topic
// configs, which the broker reports through DescribeConfigs as topic
// overrides (TopicCreationGroup.newTopic passes a group's other properties
// to CreateTopics). The default group's topic configs are not inherited by
// the other groups: only its partitions and replication factor are
// (SourceConnectorConfig.enrich).
func TestTopicCreationTwoGroupsTopicConfigs(t *testing.T) {
	s := openStores(t, kafkatest.NewCluster(t)) // auto.create.topics.enable=false
	h := newHerder(t, s)
	topics := []string{"dbserver1.public.audit_log", "dbserver1.public.orders", "dbserver1.public.customers"}
	cfg := config("topic", strings.Join(topics, ","), "records", "30",
		"topic.creation.groups", "compacted,bulk",
		"topic.creation.default.replication.factor", "-1",
		"topic.creation.default.partitions", "1",
		"topic.creation.default.compression.type", "gzip",
		"topic.creation.default.retention.ms", "7200000",
		"topic.creation.compacted.include", `dbserver1\.public\.audit.*`,
		"topic.creation.compacted.partitions", "3",
		"topic.creation.compacted.cleanup.policy", "compact",
		"topic.creation.compacted.compression.type", "lz4",
		"topic.creation.bulk.include", "dbserver1.public.orders, dbserver1.public.invoices",
		"topic.creation.bulk.exclude", `.*\.audit.*`,
		"topic.creation.bulk.partitions", "2",
		"topic.creation.bulk.cleanup.policy", "delete",
		"topic.creation.bulk.compression.type", "zstd",
	)
	if _, err := h.CreateConnector(t.Context(), "groups", cfg); err != nil {
		t.Fatal(err)
	}
	if ts := settle(t, h, s, "groups", 29); ts.State == connect.StateFailed {
		t.Fatalf("task failed: %s", ts.Trace)
	}
	want := map[string]struct {
		partitions int
		overrides  map[string]string // topic-level configs, all others the broker's
	}{
		"dbserver1.public.audit_log": {3, map[string]string{"cleanup.policy": "compact", "compression.type": "lz4"}},
		"dbserver1.public.orders":    {2, map[string]string{"cleanup.policy": "delete", "compression.type": "zstd"}},
		"dbserver1.public.customers": {1, map[string]string{"compression.type": "gzip", "retention.ms": "7200000"}},
	}
	for topic, w := range want {
		if n := topicPartitions(t, s, topic); n != w.partitions {
			t.Errorf("%s has %d partitions, want %d", topic, n, w.partitions)
		}
		if n := topicRecords(t, s, topic); n != 10 {
			t.Errorf("%s holds %d records, want 10", topic, n)
		}
		entries, err := kafkaclient.TopicConfig(s.admin, topic)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, e := range entries {
			if e.Source == sarama.SourceTopic {
				got[e.Name] = e.Value
			}
		}
		if !maps.Equal(got, w.overrides) {
			t.Errorf("%s has topic configs %v, want %v", topic, got, w.overrides)
		}
	}
}

// topic.creation.enable=false on the worker: the connector's topic.creation.*
// settings are ignored (not even validated, as Kafka Connect does); the
// broker creates the topic with its own defaults, or nobody does.
func TestTopicCreationDisabledOnTheWorker(t *testing.T) {
	disabled := func(c *Config) { c.TopicCreationDisabled = true }
	// Not valid for a worker that creates topics: no replication factor.
	cfg := config("records", "10", "topic.creation.default.partitions", "5")

	t.Run("broker creates topics", func(t *testing.T) {
		s := openStores(t, newBroker(t, kfake.DefaultNumPartitions(2)))
		h := newHerder(t, s, disabled)
		if _, err := h.CreateConnector(t.Context(), "counter", cfg); err != nil {
			t.Fatal(err)
		}
		if ts := settle(t, h, s, "counter", 9); ts.State == connect.StateFailed {
			t.Fatalf("task failed: %s", ts.Trace)
		}
		if n := topicPartitions(t, s, "numbers"); n != 2 {
			t.Errorf("numbers has %d partitions, want the broker's default 2", n)
		}
	})
	t.Run("broker does not create topics", func(t *testing.T) {
		s := openStores(t, kafkatest.NewCluster(t))
		h := newHerder(t, s, disabled)
		if _, err := h.CreateConnector(t.Context(), "counter", cfg); err != nil {
			t.Fatal(err)
		}
		ts := settle(t, h, s, "counter", 9)
		if ts.State != connect.StateFailed {
			t.Fatalf("task is %s, want FAILED: the worker must not create the topic", ts.State)
		}
		for _, want := range []string{`"numbers" does not exist`, "topic.creation.enable"} {
			if !strings.Contains(ts.Trace, want) {
				t.Errorf("trace %q does not say %q", ts.Trace, want)
			}
		}
		if topicExists(t, s, "numbers") {
			t.Error("the worker created the topic")
		}
	})
}

// Kafka Connect's checks of the topic.creation.* settings, as ConfigDef
// words them, each a 400 naming the property. A worker with
// topic.creation.enable=false checks only that topic.creation.groups has no
// duplicates (SourceConnectorConfig's own definition).
func TestTopicCreationSettingsAreValidated(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	off := newHerder(t, openStores(t, newBroker(t)), func(c *Config) { c.TopicCreationDisabled = true })
	valid := []string{"topic.creation.default.replication.factor", "-1", "topic.creation.default.partitions", "1"}
	with := func(kv ...string) map[string]string { return config(append(append([]string{}, valid...), kv...)...) }
	cases := []struct {
		name     string
		config   map[string]string
		property string
		message  string // a prefix of the message
		disabled bool   // still an error with topic.creation.enable=false
	}{
		{"partitions without replication factor", config("topic.creation.default.partitions", "3"),
			"topic.creation.default.replication.factor",
			`Missing required configuration "topic.creation.default.replication.factor" which has no default value.`, false},
		{"a group without the default group's settings", config("topic.creation.groups", "big"),
			"topic.creation.default.partitions",
			`Missing required configuration "topic.creation.default.partitions" which has no default value.`, false},
		{"any topic.creation property", config("topic.creation.default.cleanup.policy", "compact"),
			"topic.creation.default.replication.factor", `Missing required configuration`, false},
		{"zero replication factor", with("topic.creation.default.replication.factor", "0"),
			"topic.creation.default.replication.factor",
			"Invalid value 0 for configuration topic.creation.default.replication.factor: Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default", false},
		{"replication factor beyond a short", with("topic.creation.default.replication.factor", "40000"),
			"topic.creation.default.replication.factor",
			"Invalid value 40000 for configuration topic.creation.default.replication.factor: Not a number of type SHORT", false},
		{"negative partitions", with("topic.creation.default.partitions", "-2"),
			"topic.creation.default.partitions",
			"Invalid value -2 for configuration topic.creation.default.partitions: Number of partitions must be positive, or -1 to use the broker's default", false},
		{"partitions not a number", with("topic.creation.default.partitions", "many"),
			"topic.creation.default.partitions",
			"Invalid value many for configuration topic.creation.default.partitions: Not a number of type INT", false},
		{"duplicate group", with("topic.creation.groups", "big, big"),
			"topic.creation.groups",
			"Invalid value [big, big] for configuration topic.creation.groups: Duplicate alias provided.", true},
		{"bad include regex", with("topic.creation.groups", "big", "topic.creation.big.include", "orders("),
			"topic.creation.big.include",
			"Invalid value [orders(] for configuration topic.creation.big.include: Syntax error in regular expression", false},
		{"bad exclude regex", with("topic.creation.groups", "big", "topic.creation.big.exclude", "a, [b"),
			"topic.creation.big.exclude",
			"Invalid value [a, [b] for configuration topic.creation.big.exclude: Syntax error in regular expression", false},
		{"group partitions", with("topic.creation.groups", "big", "topic.creation.big.partitions", "0"),
			"topic.creation.big.partitions",
			"Invalid value 0 for configuration topic.creation.big.partitions: Number of partitions must be positive, or -1 to use the broker's default", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.CreateConnector(t.Context(), "bad", tc.config)
			if err == nil {
				if err := h.DeleteConnector(t.Context(), "bad"); err != nil {
					t.Error(err)
				}
			}
			var verr *connect.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("create = %v, want a ValidationError", err)
			}
			found := false
			for _, e := range verr.Errors {
				found = found || e.Name == tc.property && strings.HasPrefix(e.Message, tc.message)
			}
			if !found {
				t.Fatalf("errors %+v have no %s error starting %q", verr.Errors, tc.property, tc.message)
			}
			infos, err := h.ValidateConnectorConfig(t.Context(), tc.config)
			if err != nil {
				t.Fatal(err)
			}
			if infos.ErrorCount == 0 {
				t.Fatal("config/validate reports no error")
			}

			_, err = off.CreateConnector(t.Context(), "ignored", tc.config)
			if tc.disabled != (err != nil) {
				t.Fatalf("with topic.creation.enable=false create = %v, want an error: %v", err, tc.disabled)
			}
			if err == nil {
				if err := off.DeleteConnector(t.Context(), "ignored"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	if names, _ := h.Connectors(t.Context()); len(names) != 0 {
		t.Fatalf("invalid configs created %v", names)
	}
}
