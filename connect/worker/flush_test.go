package worker

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tributary-cdc/tributary/connect"
)

// failOffsetWrites makes the broker answer a write to the offsets topic with
// NETWORK_EXCEPTION whenever fail says so for the request; every other
// request proceeds. The producer does not retry that error itself and
// kafkaclient.IsRetriable accepts it, so the offset store's Put fails as it
// does when Kafka drops off in the middle of a write. fail runs on the
// cluster's goroutine, one request at a time.
func failOffsetWrites(c *kfake.Cluster, fail func(req *kmsg.ProduceRequest) bool) {
	c.ControlKey(kmsg.Produce.Int16(), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kreq.(*kmsg.ProduceRequest)
		if !slices.ContainsFunc(req.Topics, func(t kmsg.ProduceRequestTopic) bool { return t.Topic == "connect-offsets" }) ||
			!fail(req) {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, t := range req.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition = p.Partition
				rp.ErrorCode = int16(sarama.ErrNetworkException)
				rp.BaseOffset = -1
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	})
}

// carriesPos reports whether a write to the offsets topic holds the offset
// {"pos":pos}. Offset records are written uncompressed, so their JSON value
// is in the batch as it was encoded.
func carriesPos(req *kmsg.ProduceRequest, pos int64) bool {
	want := fmt.Appendf(nil, `{"pos":%d}`, pos)
	for _, t := range req.Topics {
		for _, p := range t.Partitions {
			if bytes.Contains(p.Records, want) {
				return true
			}
		}
	}
	return false
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// waitClosed waits for ch to close, failing the test if Run ends first or
// after a while.
func waitClosed(t *testing.T, ch <-chan struct{}, done <-chan error, what string) {
	t.Helper()
	select {
	case <-ch:
	case err := <-done:
		t.Fatalf("Run ended (%v) before %s", err, what)
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// storedPos is the "pos" the offset store holds for the test partition, or
// -1 if it holds none.
func storedPos(t *testing.T, f *fixture) int64 {
	t.Helper()
	off, err := f.store.Get(t.Context(), "conn", map[string]any{"server": "s"})
	if err != nil {
		t.Fatal(err)
	}
	if off == nil {
		return -1
	}
	return off["pos"].(int64)
}

func (c *commitChecker) commits() ([]int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.committed), c.badCommit
}

// TestFailedFlushIsRetriedWithoutNewRecords: an offset whose write failed
// with a retriable error is written at a later flush even though no newer
// record comes for its partition (an idle database), and only then is the
// task told (so a PostgreSQL slot keeps advancing).
func TestFailedFlushIsRetriedWithoutNewRecords(t *testing.T) {
	f := newFixture(t)
	// Every offset write fails until one carrying the last record's offset
	// has failed: after that, nothing newer can make up for it.
	lastFailed := make(chan struct{})
	var failedLast atomic.Bool
	failOffsetWrites(f.cluster, func(req *kmsg.ProduceRequest) bool {
		if failedLast.Load() {
			return false
		}
		if carriesPos(req, 4) {
			failedLast.Store(true)
			close(lastFailed)
		}
		return true
	})
	task := &scriptedTask{records: records(5, func(i int) string { return fmt.Sprintf("v%d", i) }),
		commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := f.runner(t, task, 20*time.Millisecond)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	waitClosed(t, lastFailed, done, "the write of offset 4 to fail")
	waitFor(t, 10*time.Second, "offset 4 to be written and committed to the task after its write failed", func() bool {
		c, _ := task.commits()
		return len(c) > 0 && c[len(c)-1] == 4
	})
	if got := storedPos(t, f); got != 4 {
		t.Fatalf("stored offset pos %d, want 4", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after a clean stop = %v", err)
	}
	if _, bad := task.commits(); bad != nil {
		t.Fatal(bad)
	}
}

// TestFailedFlushYieldsToANewerOffset: while the write of an offset is under
// way and then fails, a newer offset of the same partition becomes
// committable. The newer one is written; the failed one is not written
// after it, which would move the partition back.
func TestFailedFlushYieldsToANewerOffset(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	all := records(10, func(i int) string { return fmt.Sprintf("v%d", i) })
	writingFour := make(chan struct{})
	task := &batchTask{batches: [][]connect.SourceRecord{all[:5], all[5:]},
		commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
	task.beforePoll = func(n int) {
		if n == 1 { // the second batch comes while offset 4 is being written
			select {
			case <-writingFour:
			case <-ctx.Done():
			}
		}
	}
	r := f.runner(t, task, 20*time.Millisecond)

	// The first write of offset 4 is held until the second batch has been
	// acknowledged, which makes offset 9 committable, and then fails.
	var heldFour atomic.Bool
	failOffsetWrites(f.cluster, func(req *kmsg.ProduceRequest) bool {
		if !carriesPos(req, 4) || heldFour.Swap(true) {
			return false
		}
		close(writingFour)
		f.cluster.SleepControl(func() {
			select {
			case <-task.idle: // the second batch was handed to the producer
			case <-ctx.Done():
				return
			}
			for {
				changed := r.tracker.changed()
				if r.tracker.inFlight() == 0 {
					return
				}
				select {
				case <-changed:
				case <-ctx.Done():
					return
				}
			}
		})
		return true
	})

	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, 30*time.Second, "offset 9 to be committed to the task", func() bool {
		c, _ := task.commits()
		return len(c) > 0 && c[len(c)-1] == 9
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after a clean stop = %v", err)
	}
	if !heldFour.Load() {
		t.Fatal("offset 4 was never written: the test did not exercise a failed flush")
	}
	if got := storedPos(t, f); got != 9 {
		t.Fatalf("stored offset pos %d, want 9: the failed offset 4 must not replace the newer one", got)
	}
	committed, bad := task.commits()
	if bad != nil {
		t.Fatal(bad)
	}
	for i, c := range committed {
		if c == 4 {
			t.Fatalf("task commits %v: offset 4 was never written, yet the task was told", committed)
		}
		if i > 0 && c < committed[i-1] {
			t.Fatalf("task commits %v go backwards", committed)
		}
	}
}

// TestCleanStopRetriesAFailedFlush: a clean stop after a failed periodic
// flush writes the offset at the final flush and tells the task, so a
// restart does not produce the records again.
func TestCleanStopRetriesAFailedFlush(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Every offset write fails until the task is stopped, and one of them
	// carried the last record's offset.
	lastFailed := make(chan struct{})
	var failedLast atomic.Bool
	failOffsetWrites(f.cluster, func(req *kmsg.ProduceRequest) bool {
		if ctx.Err() != nil {
			return false
		}
		if carriesPos(req, 4) && !failedLast.Swap(true) {
			close(lastFailed)
		}
		return true
	})
	task := &scriptedTask{records: records(5, func(i int) string { return fmt.Sprintf("v%d", i) }),
		commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := f.runner(t, task, 20*time.Millisecond)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()

	waitClosed(t, lastFailed, done, "the write of offset 4 to fail")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after a clean stop = %v", err)
	}
	if got := storedPos(t, f); got != 4 {
		t.Fatalf("stored offset pos %d after a clean stop, want 4: the final flush must write the offset a failed flush did not", got)
	}
	committed, bad := task.commits()
	if bad != nil {
		t.Fatal(bad)
	}
	if len(committed) == 0 || committed[len(committed)-1] != 4 {
		t.Fatalf("task commits %v, want the last to be 4", committed)
	}
}
