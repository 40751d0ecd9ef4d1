package storage_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"sync"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/storage"
)

type changes struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *changes) record(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[name]++
}

func (c *changes) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// changeListener hands ConfigChanged to a function and ignores requests.
type changeListener func(connector string)

func (f changeListener) ConfigChanged(connector string)           { f(connector) }
func (changeListener) RestartRequested(storage.RestartRequest)    {}
func (changeListener) LoggerLevelChanged(namespace, level string) {}

// openConfigs opens the config store and, when onChange is set, makes it
// the store's listener for connector changes.
func openConfigs(t *testing.T, brokers []string, onChange func(string)) *storage.ConfigStore {
	t.Helper()
	s, err := storage.OpenConfigStore(t.Context(), logConfig(brokers, "connect-configs", 1))
	if err != nil {
		t.Fatalf("OpenConfigStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if onChange != nil {
		s.SetListener(changeListener(onChange))
	}
	return s
}

func properties(t *testing.T, value []byte) map[string]string {
	t.Helper()
	var v struct {
		Properties map[string]string `json:"properties"`
	}
	if err := json.Unmarshal(value, &v); err != nil {
		t.Fatal(err)
	}
	return v.Properties
}

func goldenTargetStates(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(readFile(t, "config-target-states.json"), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestConfigTopicCreatedCompacted1(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	openConfigs(t, brokers, nil)
	parts, cleanup := describeTopic(t, brokers, "connect-configs")
	if parts != 1 || cleanup != "compact" {
		t.Fatalf("config topic: %d partitions, cleanup.policy=%q; want 1, compact", parts, cleanup)
	}
}

func TestConfigStoreWritesJavaFormat(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	golden := goldenRecords(t, "config-records.json")
	ch := &changes{n: map[string]int{}}
	s := openConfigs(t, brokers, ch.record)
	ctx := t.Context()

	if err := s.PutConnectorConfig(ctx, "inventory", properties(t, golden[0].Value)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTaskConfigs(ctx, "inventory", []map[string]string{properties(t, golden[1].Value)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTargetState(ctx, "inventory", storage.TargetStarted); err != nil {
		t.Fatal(err)
	}
	recs := readRaw(t, brokers, "connect-configs")
	if len(recs) != len(golden) {
		t.Fatalf("topic holds %d records, want %d", len(recs), len(golden))
	}
	for i, want := range golden {
		if string(recs[i].Key) != string(want.Key) {
			t.Errorf("record %d key = %q, want %q", i, recs[i].Key, want.Key)
			continue
		}
		assertJSONEqual(t, string(want.Key), recs[i].Value, want.Value)
	}

	// Each write is visible when it returns, and was announced.
	st, ok := s.Connector("inventory")
	if !ok || st.Config["topic.prefix"] != "dbserver1" || len(st.Tasks) != 1 ||
		st.Tasks[0]["task.class"] != "io.debezium.connector.postgresql.PostgresConnectorTask" || st.TargetState != storage.TargetStarted {
		t.Fatalf("Connector(inventory) = %+v, %v", st, ok)
	}
	if n := ch.count("inventory"); n != 4 {
		t.Errorf("ConfigChanged called %d times for inventory, want 4 (config, task, commit, target state)", n)
	}

	// Target states, including STOPPED written for pre-KIP-875 workers.
	for _, state := range []string{storage.TargetPaused, storage.TargetStopped, storage.TargetStarted} {
		if err := s.PutTargetState(ctx, "inventory", state); err != nil {
			t.Fatal(err)
		}
		recs := readRaw(t, brokers, "connect-configs")
		last := recs[len(recs)-1]
		assertJSONEqual(t, "target state "+state, last.Value, goldenTargetStates(t)[state])
		if st, _ := s.Connector("inventory"); st.TargetState != state {
			t.Errorf("TargetState = %s after writing %s", st.TargetState, state)
		}
	}
	if err := s.PutTargetState(ctx, "inventory", "RUNNING"); err == nil {
		t.Error("PutTargetState accepted RUNNING")
	}
}

func TestConfigStoreReadsJavaRecords(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	golden := goldenRecords(t, "config-records.json")
	stopped := goldenTargetStates(t)["STOPPED"]
	recs := append(golden,
		rawRecord{Key: []byte("connector-stopped"), Value: golden[0].Value},
		rawRecord{Key: []byte("target-state-stopped"), Value: stopped},
		rawRecord{Key: []byte("restart-connector-inventory"), Value: []byte(`{"include-tasks":true,"only-failed":false}`)},
		rawRecord{Key: []byte("session-key"), Value: []byte(`{"key":"AAAA","algorithm":"HmacSHA256","creation-timestamp":1714557600000}`)},
	)
	produceRaw(t, brokers, "connect-configs", 1, recs)
	s := openConfigs(t, brokers, nil)

	if got := s.Connectors(); !reflect.DeepEqual(got, []string{"inventory", "stopped"}) {
		t.Fatalf("Connectors() = %v", got)
	}
	st, ok := s.Connector("inventory")
	if !ok {
		t.Fatal("inventory missing")
	}
	if want := properties(t, golden[0].Value); !reflect.DeepEqual(st.Config, want) {
		t.Errorf("Config = %v, want %v", st.Config, want)
	}
	if want := []map[string]string{properties(t, golden[1].Value)}; !reflect.DeepEqual(st.Tasks, want) {
		t.Errorf("Tasks = %v, want %v", st.Tasks, want)
	}
	if st.TargetState != storage.TargetStarted {
		t.Errorf("TargetState = %s", st.TargetState)
	}
	if st, _ := s.Connector("stopped"); st.TargetState != storage.TargetStopped || len(st.Tasks) != 0 {
		t.Errorf("stopped: %+v", st)
	}
}

func TestConfigStoreTaskConfigsWaitForCommit(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openConfigs(t, brokers, nil)
	ctx := t.Context()
	if err := s.PutConnectorConfig(ctx, "c", map[string]string{"name": "c"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTaskConfigs(ctx, "c", []map[string]string{{"t": "0"}, {"t": "1"}}); err != nil {
		t.Fatal(err)
	}

	// Another worker writes two new task configs; until it commits them the
	// old ones stay live. A commit for more tasks than were written is
	// ignored.
	produceRaw(t, brokers, "connect-configs", 1, []rawRecord{
		{Key: []byte("task-c-0"), Value: []byte(`{"properties":{"t":"new0"}}`)},
	})
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Connector("c"); len(st.Tasks) != 2 || st.Tasks[0]["t"] != "0" {
		t.Fatalf("uncommitted task config became visible: %v", st.Tasks)
	}
	produceRaw(t, brokers, "connect-configs", 1, []rawRecord{
		{Key: []byte("commit-c"), Value: []byte(`{"tasks":2}`)},
	})
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Connector("c"); len(st.Tasks) != 2 || st.Tasks[0]["t"] != "0" {
		t.Fatalf("incomplete commit applied: %v", st.Tasks)
	}
	produceRaw(t, brokers, "connect-configs", 1, []rawRecord{
		{Key: []byte("task-c-0"), Value: []byte(`{"properties":{"t":"new0"}}`)},
		{Key: []byte("commit-c"), Value: []byte(`{"tasks":1}`)},
	})
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Connector("c"); !reflect.DeepEqual(st.Tasks, []map[string]string{{"t": "new0"}}) {
		t.Fatalf("after commit, Tasks = %v", st.Tasks)
	}

	// Stop: a commit of zero tasks.
	if err := s.PutTaskConfigs(ctx, "c", nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Connector("c"); len(st.Tasks) != 0 {
		t.Fatalf("after empty commit, Tasks = %v", st.Tasks)
	}
}

func TestConfigStoreRemoveConnector(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openConfigs(t, brokers, nil)
	ctx := t.Context()
	if err := s.PutConnectorConfig(ctx, "c", map[string]string{"name": "c"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTaskConfigs(ctx, "c", []map[string]string{{"t": "0"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTargetState(ctx, "c", storage.TargetPaused); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveConnector(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Connector("c"); ok {
		t.Fatal("connector still present after RemoveConnector")
	}
	if got := s.Connectors(); len(got) != 0 {
		t.Fatalf("Connectors() = %v", got)
	}
	recs := readRaw(t, brokers, "connect-configs")
	tail := recs[len(recs)-2:]
	if string(tail[0].Key) != "connector-c" || tail[0].Value != nil ||
		string(tail[1].Key) != "target-state-c" || tail[1].Value != nil {
		t.Fatalf("last records = %q=%q, %q=%q; want tombstones for connector-c and target-state-c",
			tail[0].Key, tail[0].Value, tail[1].Key, tail[1].Value)
	}

	// Recreated, it starts from scratch: no old tasks, target STARTED.
	s2 := openConfigs(t, brokers, nil)
	if _, ok := s2.Connector("c"); ok {
		t.Fatal("removed connector reappears on reload")
	}
	if err := s2.PutConnectorConfig(ctx, "c", map[string]string{"name": "c"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s2.Connector("c"); len(st.Tasks) != 0 || st.TargetState != storage.TargetStarted {
		t.Fatalf("recreated connector = %+v", st)
	}
}

// levelCounter counts the records of a logger at or above ERROR.
type levelCounter struct {
	mu     sync.Mutex
	errors []string
}

func (c *levelCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *levelCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		c.mu.Lock()
		c.errors = append(c.errors, r.Message)
		c.mu.Unlock()
	}
	return nil
}
func (c *levelCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *levelCounter) WithGroup(string) slog.Handler      { return c }

// A config edit followed by compaction leaves the previous commit record
// without the task records it committed: the cleaner dropped them because
// the edit rewrote their keys, but kept the old commit because the new one
// is still in the active segment. Kafka Connect's KafkaConfigBackingStore
// treats that commit as "an incomplete set of task configs ... probably due
// to compaction" at DEBUG; a worker reading it must neither log an ERROR
// nor lose the committed tasks that follow.
func TestConfigStoreCompactionLeftoverCommit(t *testing.T) {
	cluster := kafkatest.StartCluster(t)
	brokers := cluster.ListenAddrs()
	s := openConfigs(t, brokers, nil)
	ctx := t.Context()
	if err := s.PutConnectorConfig(ctx, "c", map[string]string{"name": "c"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTaskConfigs(ctx, "c", []map[string]string{{"t": "0"}, {"t": "1"}}); err != nil {
		t.Fatal(err)
	}
	// The edit, one batch per record as a synchronous producer writes it.
	produceRaw(t, brokers, "connect-configs", 1, []rawRecord{
		{Key: []byte("task-c-0"), Value: []byte(`{"properties":{"t":"new0"}}`)},
		{Key: []byte("task-c-1"), Value: []byte(`{"properties":{"t":"new1"}}`)},
		{Key: []byte("commit-c"), Value: []byte(`{"tasks":2}`)},
	})
	cluster.Compact()

	var keys []string
	for _, r := range readRaw(t, brokers, "connect-configs") {
		keys = append(keys, string(r.Key))
	}
	if want := []string{"connector-c", "commit-c", "task-c-0", "task-c-1", "commit-c"}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("compacted topic holds %v, want the leftover shape %v", keys, want)
	}

	counter := &levelCounter{}
	cfg := logConfig(brokers, "connect-configs", 1)
	cfg.Logger = slog.New(counter)
	s2, err := storage.OpenConfigStore(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if st, _ := s2.Connector("c"); !reflect.DeepEqual(st.Tasks, []map[string]string{{"t": "new0"}, {"t": "new1"}}) {
		t.Fatalf("after compaction, Tasks = %v", st.Tasks)
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	if len(counter.errors) != 0 {
		t.Fatalf("reading a compacted config topic logged errors: %v", counter.errors)
	}
}
