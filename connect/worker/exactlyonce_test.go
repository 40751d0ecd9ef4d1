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
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/membudget"
	"github.com/tributary-cdc/tributary/connect/storage"
)

// batchTask returns one batch per poll, then blocks (or fails, with
// failAfter). In Commit it checks that the offset is already visible to a
// read_committed reader of the offsets topic.
type batchTask struct {
	commitChecker
	batches    [][]connect.SourceRecord
	failAfter  bool
	beforePoll func(n int) // called before poll n (0-based)
	polls      int
	idle       chan struct{}
}

func (b *batchTask) Start(context.Context, connect.TaskContext, map[string]string) error { return nil }

func (b *batchTask) Poll(ctx context.Context) ([]connect.SourceRecord, error) {
	if b.beforePoll != nil {
		b.beforePoll(b.polls)
	}
	b.polls++
	if len(b.batches) > 0 {
		out := b.batches[0]
		b.batches = b.batches[1:]
		return out, nil
	}
	if b.failAfter {
		return nil, errors.New("source failed")
	}
	select {
	case <-b.idle:
	default:
		close(b.idle)
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (b *batchTask) Stop() error { return nil }

func (b *batchTask) lastCommitted() (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.committed) == 0 {
		return -1, b.badCommit
	}
	return b.committed[len(b.committed)-1], b.badCommit
}

type eosFixture struct {
	cluster *kfake.Cluster
	brokers []string
	admin   sarama.ClusterAdmin
	store   *storage.OffsetStore
}

func newEOSFixture(t *testing.T) *eosFixture {
	t.Helper()
	c := kafkatest.StartCluster(t)
	brokers := c.ListenAddrs()
	client, err := sarama.NewClient(brokers, kafkaclient.NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	return &eosFixture{cluster: c, brokers: brokers, admin: admin, store: openOffsets(t, brokers, true)}
}

// compactedTopics creates the record topics compacted, so that the tests can
// read them back with a kafkalog.Log (which requires it); nothing compacts
// them during a test.
type compactedTopics struct{ admin sarama.ClusterAdmin }

func (a compactedTopics) EnsureTopic(ctx context.Context, topic string) error {
	return kafkaclient.EnsureTopic(ctx, a.admin, topic, 3, -1, map[string]string{"cleanup.policy": "compact"})
}

func openOffsets(t *testing.T, brokers []string, readCommitted bool) *storage.OffsetStore {
	t.Helper()
	store, err := storage.OpenOffsetStore(t.Context(), kafkalog.Config{
		Brokers: brokers, Topic: "connect-offsets", Partitions: 25, ReplicationFactor: -1, ClientID: "test",
		ReadCommitted: readCommitted,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func (f *eosFixture) runner(t *testing.T, task connect.SourceTask, boundary TransactionBoundary) *ExactlyOnceRunner {
	t.Helper()
	p, err := kafkaclient.NewTransactionalProducer(f.brokers, "test", kafkaclient.TransactionalID("connect-cluster", "conn", 0), kafkaclient.DefaultProducerSettings())
	if err != nil {
		t.Fatal(err)
	}
	return NewExactlyOnceRunner(ExactlyOnceConfig{
		ID: connect.TaskID{Connector: "conn"}, Task: task,
		KeyConverter: stringConverter{}, ValueConverter: stringConverter{},
		Producer: p, Offsets: f.store, Topics: compactedTopics{f.admin},
		Boundary: boundary, BoundaryInterval: time.Hour,
	})
}

// batches splits records(n) into polls of size each.
func batches(n, size int) [][]connect.SourceRecord {
	all := records(n, func(i int) string { return fmt.Sprintf("v%d", i) })
	for i := range all {
		all[i].Key = fmt.Sprintf("k%d", i) // unique: compaction could never merge them
	}
	var out [][]connect.SourceRecord
	for len(all) > 0 {
		k := min(size, len(all))
		out = append(out, all[:k])
		all = all[k:]
	}
	return out
}

// readIsolated returns every value of topic a consumer with the given
// isolation reads, up to the end offset that isolation reports.
func readIsolated(t *testing.T, brokers []string, topic string, isolation sarama.IsolationLevel) []string {
	t.Helper()
	var mu sync.Mutex
	var out []string
	l, err := kafkalog.Open(t.Context(), kafkalog.Config{
		Brokers: brokers, Topic: topic, ClientID: "reader", ReadCommitted: isolation == sarama.ReadCommitted,
		OnRecord: func(_, value []byte) { mu.Lock(); out = append(out, string(value)); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), out...)
}

func TestExactlyOnceCommitsRecordsAndOffsetsTogether(t *testing.T) {
	f := newEOSFixture(t)
	const n = 300
	task := &batchTask{batches: batches(n, 100), commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
	r := f.runner(t, task, BoundaryPoll)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-task.idle
	// Every batch was committed before the next poll: the task was told,
	// and at that point the store (read_committed) already had the offset.
	last, badCommit := task.lastCommitted()
	if badCommit != nil {
		t.Fatal(badCommit)
	}
	if last != n-1 {
		t.Fatalf("last commit told to the task = %d, want %d", last, n-1)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after a clean stop = %v", err)
	}
	if got := readIsolated(t, f.brokers, "events", sarama.ReadCommitted); len(got) != n {
		t.Fatalf("read_committed reader sees %d records, want %d", len(got), n)
	}
	// A fresh read_committed store reads to its end past the commit
	// markers and finds the offset written by the transactional producer.
	off, err := openOffsets(t, f.brokers, true).Get(t.Context(), "conn", map[string]any{"server": "s"})
	if err != nil {
		t.Fatal(err)
	}
	if off["pos"] != int64(n-1) {
		t.Fatalf("committed offset = %v, want pos %d", off, n-1)
	}
	task.mu.Lock()
	defer task.mu.Unlock()
	if len(task.committed) != 3 {
		t.Fatalf("task commits = %v, want one per poll batch", task.committed)
	}
}

func TestExactlyOnceAbortedTransactionIsInvisible(t *testing.T) {
	f := newEOSFixture(t)
	// The broker refuses the second commit (an abortable error), after the
	// records and the offset records of that transaction were written.
	commits := 0
	f.cluster.ControlKey(kmsg.EndTxn.Int16(), func(req kmsg.Request) (kmsg.Response, error, bool) {
		end := req.(*kmsg.EndTxnRequest)
		if !end.Commit {
			return nil, nil, false
		}
		commits++
		if commits < 2 {
			f.cluster.KeepControl()
			return nil, nil, false
		}
		resp := end.ResponseKind().(*kmsg.EndTxnResponse)
		resp.ErrorCode = int16(sarama.ErrUnknownProducerID)
		return resp, nil, true
	})
	task := &batchTask{batches: batches(200, 100), commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
	err := f.runner(t, task, BoundaryPoll).Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "committing a transaction") {
		t.Fatalf("Run = %v, want the failed commit", err)
	}
	if last, badCommit := task.lastCommitted(); badCommit != nil || last != 99 {
		t.Fatalf("task was told %d is committed (%v), want 99: the second transaction never committed", last, badCommit)
	}
	if got := readIsolated(t, f.brokers, "events", sarama.ReadCommitted); len(got) != 100 {
		t.Fatalf("read_committed reader sees %d records, want the 100 of the committed transaction", len(got))
	}
	if got := readIsolated(t, f.brokers, "events", sarama.ReadUncommitted); len(got) != 200 {
		t.Fatalf("read_uncommitted reader sees %d records, want 200: the aborted records are in the log", len(got))
	}
	// The aborted transaction's offset record is in the log too, but a
	// read_committed store never uses it.
	part := map[string]any{"server": "s"}
	off, err := openOffsets(t, f.brokers, true).Get(t.Context(), "conn", part)
	if err != nil {
		t.Fatal(err)
	}
	if off["pos"] != int64(99) {
		t.Fatalf("read_committed offset = %v, want pos 99", off)
	}
	dirty, err := openOffsets(t, f.brokers, false).Get(t.Context(), "conn", part)
	if err != nil {
		t.Fatal(err)
	}
	if dirty["pos"] != int64(199) {
		t.Fatalf("read_uncommitted offset = %v, want the aborted pos 199 (so isolation is what hides it)", dirty)
	}
}

func TestExactlyOnceFencedProducerFailsTheTask(t *testing.T) {
	f := newEOSFixture(t)
	task := &batchTask{batches: batches(300, 100), commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
	// The coordinator answers the second commit with PRODUCER_FENCED, as it
	// does once a newer instance of the task initialised the same
	// transactional id. (Fencing a producer in the middle of producing
	// sends sarama into produce retries, and its transaction manager races
	// with itself there; the commit is where a zombie that has finished
	// producing learns it is fenced.)
	commits := 0
	f.cluster.ControlKey(kmsg.EndTxn.Int16(), func(req kmsg.Request) (kmsg.Response, error, bool) {
		end := req.(*kmsg.EndTxnRequest)
		if !end.Commit {
			return nil, nil, false
		}
		commits++
		if commits < 2 {
			f.cluster.KeepControl()
			return nil, nil, false
		}
		resp := end.ResponseKind().(*kmsg.EndTxnResponse)
		resp.ErrorCode = int16(sarama.ErrProducerFenced)
		return resp, nil, true
	})
	err := f.runner(t, task, BoundaryPoll).Run(t.Context())
	if err == nil || !kafkaclient.IsFenced(err) || !strings.Contains(err.Error(), "fenced") {
		t.Fatalf("Run = %v, want a fenced error", err)
	}
	if connect.IsRetriable(err) {
		t.Fatalf("Run = %v: a fenced task must not be retried", err)
	}
	if last, _ := task.lastCommitted(); last != 99 {
		t.Fatalf("task was told %d is committed, want 99 (only the first transaction)", last)
	}
}

func TestExactlyOnceIntervalBoundaryCommitsAtStop(t *testing.T) {
	f := newEOSFixture(t)
	task := &batchTask{batches: batches(250, 50), commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
	r := f.runner(t, task, BoundaryInterval) // an hour: only the stop commits
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-task.idle
	if last, _ := task.lastCommitted(); last != -1 {
		t.Fatalf("task told %d is committed before the interval ended", last)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if last, bad := task.lastCommitted(); bad != nil || last != 249 {
		t.Fatalf("after stop, last commit %d (%v), want 249", last, bad)
	}
	if got := readIsolated(t, f.brokers, "events", sarama.ReadCommitted); len(got) != 250 {
		t.Fatalf("read_committed reader sees %d records, want 250", len(got))
	}
}

// TestExactlyOnceThroughput logs records/s through the transactional and
// the at-least-once runners on the same in-process broker. It asserts
// nothing about timing (the machine is shared); it asserts delivery.
func TestExactlyOnceThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("throughput log")
	}
	const n, batch = 20000, 2000
	for _, eos := range []bool{false, true} {
		f := newEOSFixture(t)
		task := &batchTask{batches: batches(n, batch), commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		start := time.Now()
		if eos {
			r := f.runner(t, task, BoundaryPoll)
			go func() { done <- r.Run(ctx) }()
		} else {
			p, err := sarama.NewAsyncProducer(f.brokers, kafkaclient.NewConfig("test"))
			if err != nil {
				t.Fatal(err)
			}
			r := NewSourceTaskRunner(SourceTaskConfig{
				ID: connect.TaskID{Connector: "conn"}, Task: &plainTask{task}, KeyConverter: stringConverter{}, ValueConverter: stringConverter{},
				Producer: p, Offsets: f.store, Topics: compactedTopics{f.admin}, FlushInterval: time.Hour, FlushTimeout: 30 * time.Second,
			})
			go func() { done <- r.Run(ctx) }()
		}
		<-task.idle
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		elapsed := time.Since(start)
		if got := readIsolated(t, f.brokers, "events", sarama.ReadCommitted); len(got) != n {
			t.Fatalf("eos=%v: %d records, want %d", eos, len(got), n)
		}
		t.Logf("exactly-once=%v: %d records in %d-record polls in %v: %.0f records/s", eos, n, batch, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	}
}

// plainTask is batchTask without the commit check: the at-least-once
// runner commits only at the final flush.
type plainTask struct{ *batchTask }

func (plainTask) Commit(context.Context, map[string]any, map[string]any) error { return nil }

// Under a worker memory budget the records of the open transaction are
// taken from the task's share until it commits; a poll batch larger than
// the share commits early, in parts, instead of waiting for room only its
// own commit would make. Everything is delivered, the offset covers it
// all, and the share is given back.
func TestExactlyOnceHeldUnderTheBudget(t *testing.T) {
	f := newEOSFixture(t)
	const n = 300
	task := &batchTask{batches: batches(n, 100), commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
	r := f.runner(t, task, BoundaryPoll)
	// About 20 in-flight records fit.
	budget := membudget.New(20 * heldInWindow(nil, 8))
	r.cfg.Budget = budget
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	<-task.idle
	if _, peak := budget.Used(); peak > budget.Total()+heldInWindow(nil, 8) {
		t.Fatalf("peak %d bytes held, budget %d", peak, budget.Total())
	}
	last, badCommit := task.lastCommitted()
	if badCommit != nil {
		t.Fatal(badCommit)
	}
	if last != n-1 {
		t.Fatalf("last commit told to the task = %d, want %d", last, n-1)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after a clean stop = %v", err)
	}
	if used, _ := budget.Used(); used != 0 {
		t.Fatalf("%d bytes still held after the task stopped", used)
	}
	if got := readIsolated(t, f.brokers, "events", sarama.ReadCommitted); len(got) != n {
		t.Fatalf("read_committed reader sees %d records, want %d", len(got), n)
	}
	task.mu.Lock()
	defer task.mu.Unlock()
	if len(task.committed) <= 3 {
		t.Fatalf("task commits = %v, want more than one per poll batch", task.committed)
	}
}
