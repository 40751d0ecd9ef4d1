package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/schema"
)

// queueTask is a Task with a queue and nothing else: enough for the path a
// record takes from the run goroutine through Poll to Commit.
func queueTask(maxQueueBytes int64) *Task {
	t := NewTask()
	t.cfg = &Config{TopicPrefix: "dbserver1", MaxBatchSize: 2048, MaxQueueSize: 8192, PollInterval: time.Second, MaxQueueBytes: maxQueueBytes}
	t.partition = map[string]any{partitionKey: t.cfg.TopicPrefix}
	t.records = newRecordQueue(t.cfg.MaxQueueSize)
	t.queued = queueBytes{limit: maxQueueBytes, freed: make(chan struct{}, 1)}
	return t
}

// The connector's share of a record once built: queuing it (its size
// measured once for max.queue.size.in.bytes), Poll, and the Commit of its
// offset. The one allocation is Poll's batch slice, per batch, whatever its
// length; Commit decodes the offset on the stack.
func TestRecordQueuePollCommitAllocs(t *testing.T) {
	task := queueTask(1 << 30)
	ctx := t.Context()
	off := streamOffset(24023128, 24023040, 555, 1714557600123456, msgInsert, 1)
	rec := connect.SourceRecord{
		SourcePartition: task.partition, SourceOffset: off, Topic: "dbserver1.public.customers",
		Key:   &schema.Struct{Values: []any{int32(1)}},
		Value: &schema.Struct{Values: []any{nil, &schema.Struct{Values: []any{int32(1), "a@example.com"}}, "c"}},
	}
	for _, n := range []int{1, 100} {
		batch := func() {
			for range n {
				if err := task.send(ctx, rec, nil); err != nil {
					t.Fatal(err)
				}
			}
			got, err := task.Poll(ctx)
			if err != nil || len(got) != n {
				t.Fatalf("Poll = %d records, %v; want %d", len(got), err, n)
			}
			if err := task.Commit(ctx, task.partition, got[n-1].SourceOffset); err != nil {
				t.Fatal(err)
			}
		}
		batch()
		testutil.AllocCeiling(t, 1, batch)
	}
	if got := task.committed.Load(); got != 24023040 {
		t.Errorf("committed %d, want the offset's lsn_commit", got)
	}
	if n := task.queued.used.Load(); n != 0 {
		t.Errorf("%d bytes still accounted after Poll took every record", n)
	}
}

// TestPositionMarkerTakesItsPlace: Poll hands out a position marker at its
// place among the queued records, after those queued before it was set and
// before those queued since (which may carry earlier positions: placed
// after them it would move the stored offset back), and a newer marker
// replaces one not handed out yet.
func TestPositionMarkerTakesItsPlace(t *testing.T) {
	task := queueTask(0)
	ctx := t.Context()
	send := func(n int) {
		t.Helper()
		for i := range n {
			rec := connect.SourceRecord{SourcePartition: task.partition, SourceOffset: map[string]any{"n": i}, Topic: "t"}
			if err := task.send(ctx, rec, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	shape := func(recs []connect.SourceRecord) string {
		out := ""
		for _, r := range recs {
			if r.Topic == "" {
				out += fmt.Sprintf("m%v", r.SourceOffset["m"])
			} else {
				out += "r"
			}
		}
		return out
	}
	poll := func(want string) {
		t.Helper()
		got, err := task.Poll(ctx)
		if err != nil || shape(got) != want {
			t.Fatalf("Poll = %s, %v; want %s", shape(got), err, want)
		}
	}

	send(2)
	task.setMarker(map[string]any{"m": 1})
	send(2)
	poll("rrm1rr")

	send(3)
	task.setMarker(map[string]any{"m": 2})
	task.setMarker(map[string]any{"m": 3}) // replaces m=2
	task.cfg.MaxBatchSize = 2
	poll("rr") // its place is after the third
	poll("rm3")

	task.setMarker(map[string]any{"m": 4})
	poll("m4")
	task.cfg.MaxBatchSize = 10
	ctx2, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if got, err := task.Poll(ctx2); len(got) != 0 {
		t.Fatalf("Poll after the marker = %s, %v; want nothing (it was handed out once)", shape(got), err)
	}
}

// countingKeeper counts keep calls; keepBy is always soon.
type countingKeeper struct{ kept atomic.Int64 }

func (k *countingKeeper) keepBy() time.Time { return time.Now().Add(5 * time.Millisecond) }

func (k *countingKeeper) keep(context.Context) error {
	k.kept.Add(1)
	return nil
}

// TestSendKeepsWhileQueueFull: a sender with a keeper waiting for room in
// the queue keeps it at its keepBy times and when Commit wakes the task,
// and queues its record once Poll makes room; without a keeper it just
// waits. The byte bound is waited for the same way.
func TestSendKeepsWhileQueueFull(t *testing.T) {
	for _, bound := range []string{"count", "bytes"} {
		t.Run(bound, func(t *testing.T) {
			task := queueTask(0)
			if bound == "count" {
				task.records = newRecordQueue(1)
			} else {
				task.queued = queueBytes{limit: 1, freed: make(chan struct{}, 1)}
			}
			ctx := t.Context()
			rec := connect.SourceRecord{SourcePartition: task.partition, SourceOffset: map[string]any{"n": 1}, Topic: "t", Key: "k"}
			if err := task.send(ctx, rec, nil); err != nil {
				t.Fatal(err)
			}
			k := &countingKeeper{}
			done := make(chan error, 1)
			go func() { done <- task.send(ctx, rec, k) }()
			testutil.Eventually(t, 10*time.Second, "the waiting sender to keep its keeper",
				testutil.Until("kept twice", func() bool { return k.kept.Load() >= 2 }))
			// keepBy is always soon: a wake-up is seen by a keep call at
			// the latest.
			before := k.kept.Load()
			task.wake.wake()
			testutil.Eventually(t, 10*time.Second, "a keep after the wake-up",
				testutil.Until("kept again", func() bool { return k.kept.Load() > before }))
			select {
			case err := <-done:
				t.Fatalf("send returned %v while the queue was full", err)
			default:
			}
			got, err := task.Poll(ctx)
			if err != nil || len(got) == 0 {
				t.Fatalf("Poll = %v, %v", got, err)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if len(got) == 1 { // the waiting record came after Poll's batch
				more, err := task.Poll(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, more...)
			}
			if len(got) != 2 {
				t.Fatalf("polled %d records, want both", len(got))
			}
		})
	}
}

// A snapshot row's record, once its values are decoded: the key struct
// with its one value, the value struct over the row's own slice, the
// envelope and its three timestamps. The slice is the row's, not a copy.
func TestSnapshotBuildAllocs(t *testing.T) {
	cfg, errs := ParseConfig(map[string]string{"topic.prefix": "dbserver1", "database.hostname": "h"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	task := queueTask(0)
	task.cfg = cfg
	info := &tableInfo{tableRef: tableRef{Schema: "public", Name: "bench"}, PK: []string{"id"}, Columns: []columnInfo{
		{Name: "id", TypeOID: typemap.OIDInt8, TypeMod: -1, NotNull: true},
		{Name: "b", TypeOID: typemap.OIDText, TypeMod: -1},
	}}
	ct := buildTable(cfg, info, slog.New(slog.DiscardHandler))
	e := newSnapshotEmitter(task, 1, 1, true)
	st := e.stamp(ct)
	rows := make([][]any, 1000)
	for i := range rows {
		rows[i] = []any{int64(1000 + i), "row"}
	}
	i := 0
	testutil.AllocCeiling(t, 6, func() {
		row := rows[i%len(rows)]
		i++
		p := e.build(st, row, envelope.SnapshotTrue)
		if p.after.Values[0] != row[0] || &p.after.Values[0] != &row[0] {
			t.Fatalf("value %v is not the row %v itself", p.after.Values, row)
		}
	})
}
