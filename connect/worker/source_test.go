package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/storage"
	"github.com/tributary-cdc/tributary/schema"
)

// stringConverter writes string values as their bytes: enough to see what
// reached Kafka without depending on a real converter here. It appends
// (AppendConverter) as the JSON and Avro converters do, so the runners
// reuse its buffers.
type stringConverter struct{}

func (c stringConverter) FromConnect(topic string, s *schema.Schema, v any) ([]byte, error) {
	return c.AppendConnect(nil, topic, s, v)
}

func (stringConverter) AppendConnect(dst []byte, _ string, _ *schema.Schema, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if dst == nil {
			dst = []byte{} // an empty string is not a null
		}
		return append(dst, v...), nil
	default:
		return nil, fmt.Errorf("unexpected %T", v)
	}
}

// commitChecker is the Commit of the test tasks: it records each committed
// "pos" and notes a Commit that breaks connect.SourceTask's contract: one
// that arrives before its offset is in the store, or that is not after the
// partition's previous one in poll order (the tests' records carry
// increasing positions).
type commitChecker struct {
	store *storage.OffsetStore

	mu        sync.Mutex
	committed []int64
	last      map[string]int64 // newest pos committed per partition
	badCommit error
}

func (c *commitChecker) Commit(ctx context.Context, partition, offset map[string]any) error {
	stored, err := c.store.Get(ctx, "conn", partition)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil || stored == nil || fmt.Sprint(stored["pos"]) != fmt.Sprint(offset["pos"]) {
		c.badCommit = fmt.Errorf("Commit(%v) before the offset was stored (store has %v, err %v)", offset, stored, err)
	}
	pos := offset["pos"].(int64)
	key := fmt.Sprint(partition)
	if last, ok := c.last[key]; ok && pos <= last && c.badCommit == nil {
		c.badCommit = fmt.Errorf("Commit(%v) of partition %v after its pos %d: not in poll order", offset, partition, last)
	}
	if c.last == nil {
		c.last = map[string]int64{}
	}
	c.last[key] = pos
	c.committed = append(c.committed, pos)
	return nil
}

// scriptedTask returns its records in one poll, then blocks; polled closes
// at the second poll, when the runner has handed every record to the
// producer.
type scriptedTask struct {
	commitChecker
	records []connect.SourceRecord
	polled  chan struct{}
	stopped bool
}

func (s *scriptedTask) Start(context.Context, connect.TaskContext, map[string]string) error {
	return nil
}

func (s *scriptedTask) Poll(ctx context.Context) ([]connect.SourceRecord, error) {
	if s.records != nil {
		out := s.records
		s.records = nil
		return out, nil
	}
	select {
	case <-s.polled:
	default:
		close(s.polled)
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (s *scriptedTask) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return nil
}

type fixture struct {
	cluster *kfake.Cluster
	brokers []string
	admin   sarama.ClusterAdmin
	store   *storage.OffsetStore
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	cluster := kafkatest.StartCluster(t)
	brokers := cluster.ListenAddrs()
	client, err := sarama.NewClient(brokers, kafkaclient.NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	store, err := storage.OpenOffsetStore(t.Context(), kafkalog.Config{
		Brokers: brokers, Topic: "connect-offsets", Partitions: 25, ReplicationFactor: -1, ClientID: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return &fixture{cluster: cluster, brokers: brokers, admin: admin, store: store}
}

type adminTopics struct{ admin sarama.ClusterAdmin }

func (a adminTopics) EnsureTopic(ctx context.Context, topic string) error {
	return kafkaclient.EnsureTopic(ctx, a.admin, topic, 3, -1, nil)
}

// runUntil runs r until ready is closed (the task has handed out all its
// records), then stops it as a worker does and fails t unless the runner
// stopped cleanly.
func runUntil(t *testing.T, r interface{ Run(context.Context) error }, ready <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-ready
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after a clean stop = %v", err)
	}
}

func (f *fixture) runner(t *testing.T, task connect.SourceTask, flush time.Duration) *SourceTaskRunner {
	t.Helper()
	p, err := sarama.NewAsyncProducer(f.brokers, kafkaclient.NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	return NewSourceTaskRunner(SourceTaskConfig{
		ID: connect.TaskID{Connector: "conn"}, Task: task,
		KeyConverter: stringConverter{}, ValueConverter: stringConverter{},
		Producer: p, Offsets: f.store, Topics: adminTopics{f.admin},
		FlushInterval: flush, FlushTimeout: 10 * time.Second,
	})
}

func records(n int, value func(i int) string) []connect.SourceRecord {
	partition := map[string]any{"server": "s"}
	out := make([]connect.SourceRecord, n)
	for i := range out {
		out[i] = connect.SourceRecord{
			SourcePartition: partition, SourceOffset: map[string]any{"pos": int64(i)},
			Topic: "events", Key: fmt.Sprintf("k%d", i%7), Value: value(i),
		}
	}
	return out
}

// readTopic returns every value in topic, per partition in offset order.
func readTopic(t *testing.T, brokers []string, topic string) map[int32][]string {
	t.Helper()
	c, err := sarama.NewConsumer(brokers, kafkaclient.NewConfig("reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	client, err := sarama.NewClient(brokers, kafkaclient.NewConfig("reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32][]string{}
	for _, p := range parts {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			continue
		}
		pc, err := c.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			t.Fatal(err)
		}
		for m := range pc.Messages() {
			out[p] = append(out[p], string(m.Value))
			if m.Offset == end-1 {
				break
			}
		}
		pc.Close()
	}
	return out
}

func TestRunDeliversEverythingAndCommitsOnShutdown(t *testing.T) {
	f := newFixture(t)
	const n = 5000
	task := &scriptedTask{records: records(n, func(i int) string { return fmt.Sprintf("v%d", i) }), commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := f.runner(t, task, time.Hour) // no periodic flush: only the shutdown flush commits

	runUntil(t, r, task.polled)

	got := readTopic(t, f.brokers, "events")
	total := 0
	for p, vals := range got {
		total += len(vals)
		// Within a Kafka partition, records keep their submission order.
		last := -1
		for _, v := range vals {
			var i int
			fmt.Sscanf(v, "v%d", &i)
			if i <= last {
				t.Fatalf("partition %d out of order: %d after %d", p, i, last)
			}
			last = i
		}
	}
	if total != n {
		t.Fatalf("topic has %d records, want %d", total, n)
	}
	off, err := f.store.Get(t.Context(), "conn", map[string]any{"server": "s"})
	if err != nil {
		t.Fatal(err)
	}
	if off["pos"] != int64(n-1) {
		t.Fatalf("stored offset = %v, want pos %d", off, n-1)
	}
	task.mu.Lock()
	defer task.mu.Unlock()
	if task.badCommit != nil {
		t.Fatal(task.badCommit)
	}
	if len(task.committed) == 0 || task.committed[len(task.committed)-1] != n-1 {
		t.Fatalf("task commits = %v, want the last to be %d", task.committed, n-1)
	}
	if !task.stopped {
		t.Fatal("task not stopped")
	}
}

func TestRunFailsOnProduceErrorAndNeverCommitsPastIt(t *testing.T) {
	f := newFixture(t)
	const bad = 300
	big := strings.Repeat("x", 2<<20) // over the producer's message size limit
	task := &scriptedTask{records: records(1000, func(i int) string {
		if i == bad {
			return big
		}
		return fmt.Sprintf("v%d", i)
	}), commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := f.runner(t, task, 5*time.Millisecond) // flush often, to race the failure

	err := r.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "producing to topic events") {
		t.Fatalf("Run = %v, want a produce error", err)
	}
	var cfgErr sarama.ConfigurationError
	if !errors.As(err, &cfgErr) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Run = %v, want it to wrap the producer's message-size error", err)
	}
	if connect.IsRetriable(err) {
		t.Fatalf("Run = %v: a record Kafka will never accept must not be retriable", err)
	}
	off, gerr := f.store.Get(t.Context(), "conn", map[string]any{"server": "s"})
	if gerr != nil {
		t.Fatal(gerr)
	}
	if off != nil && off["pos"].(int64) >= bad {
		t.Fatalf("stored offset %v is at or past the failed record %d", off, bad)
	}
	task.mu.Lock()
	defer task.mu.Unlock()
	for _, c := range task.committed {
		if c >= bad {
			t.Fatalf("task was told %d is committed, past the failed record %d", c, bad)
		}
	}
	if task.badCommit != nil {
		t.Fatal(task.badCommit)
	}
}

func TestOffsetOnlyRecordIsCommittedInOrder(t *testing.T) {
	f := newFixture(t)
	recs := records(3, func(i int) string { return fmt.Sprintf("v%d", i) })
	recs = append(recs, connect.SourceRecord{ // nothing to produce, only progress
		SourcePartition: recs[0].SourcePartition, SourceOffset: map[string]any{"pos": int64(3)},
	})
	task := &scriptedTask{records: recs, commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := f.runner(t, task, time.Hour)
	runUntil(t, r, task.polled)
	total := 0
	for _, vals := range readTopic(t, f.brokers, "events") {
		total += len(vals)
	}
	if total != 3 {
		t.Fatalf("topic holds %d records, want 3 (the offset-only record produces nothing)", total)
	}
	off, err := f.store.Get(t.Context(), "conn", map[string]any{"server": "s"})
	if err != nil {
		t.Fatal(err)
	}
	if off["pos"] != int64(3) {
		t.Fatalf("stored offset %v, want the offset-only record's pos 3", off)
	}
}

// TestOffsetOnlyRecordIsCommittedPromptly: an offset-only record the task
// returns is committed, and the task told, once the records before it are
// in Kafka, without waiting for the periodic flush.
func TestOffsetOnlyRecordIsCommittedPromptly(t *testing.T) {
	f := newFixture(t)
	recs := records(3, func(i int) string { return fmt.Sprintf("v%d", i) })
	recs = append(recs, connect.SourceRecord{
		SourcePartition: recs[0].SourcePartition, SourceOffset: map[string]any{"pos": int64(3)},
	})
	task := &scriptedTask{records: recs, commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := f.runner(t, task, time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, 30*time.Second, "the offset-only record's offset to be committed to the task", func() bool {
		c, _ := task.commits()
		return len(c) > 0 && c[len(c)-1] == 3
	})
	if got := storedPos(t, f); got != 3 {
		t.Fatalf("stored offset pos %d, want 3", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if _, bad := task.commits(); bad != nil {
		t.Fatal(bad)
	}
}
