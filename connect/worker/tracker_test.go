package worker

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/membudget"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

// admitted admits a record of 1 byte into tr's window.
func admitted(t *testing.T, tr *ackTracker, partition, offset map[string]any) uint64 {
	t.Helper()
	seq, err := tr.admit(t.Context(), partition, offset, 1)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func TestAckTrackerCommitsOnlyTheContiguousPrefix(t *testing.T) {
	tr := newAckTracker(DefaultMaxInFlight, DefaultMaxInFlightBytes)
	p1, p2 := map[string]any{"server": "a"}, map[string]any{"server": "b"}
	s0 := admitted(t, tr, p1, map[string]any{"n": 0})
	s1 := admitted(t, tr, p2, map[string]any{"n": 1})
	s2 := admitted(t, tr, p1, map[string]any{"n": 2})
	s3 := admitted(t, tr, p1, nil) // e.g. a record without an offset

	tr.ack(s2)
	tr.ack(s1)
	if got := tr.takeCommittable(); len(got) != 0 {
		t.Fatalf("committable before the first record is acked: %v", got)
	}
	tr.ack(s0)
	got := tr.takeCommittable()
	if len(got) != 2 || got[0].offset["n"] != 2 || got[1].offset["n"] != 1 {
		t.Fatalf("committable = %v, want a→2, b→1", got)
	}
	if tr.inFlight() != 1 {
		t.Fatalf("inFlight = %d, want 1", tr.inFlight())
	}
	tr.ack(s3)
	if got := tr.takeCommittable(); len(got) != 0 {
		t.Fatalf("a record without offset made %v committable", got)
	}
	if tr.inFlight() != 0 {
		t.Fatalf("inFlight = %d, want 0", tr.inFlight())
	}
}

func TestAckTrackerCompactsAndKeepsSequence(t *testing.T) {
	tr := newAckTracker(DefaultMaxInFlight, DefaultMaxInFlightBytes)
	p := map[string]any{"server": "a"}
	var seqs []uint64
	for i := range 5000 {
		seqs = append(seqs, tr.add(p, map[string]any{"n": i}, false))
	}
	for _, s := range seqs {
		tr.ack(s)
	}
	if len(tr.entries) > 2048 {
		t.Fatalf("entries not compacted: %d", len(tr.entries))
	}
	s := tr.add(p, map[string]any{"n": 5000}, false)
	tr.ack(s)
	got := tr.takeCommittable()
	if len(got) != 1 || got[0].offset["n"] != 5000 {
		t.Fatalf("committable = %v", got)
	}
}

// TestAckTrackerRestoreKeepsNewerOffsets: offsets given back after a failed
// write are taken again, first, except where their partition has had a
// newer offset become committable since.
func TestAckTrackerRestoreKeepsNewerOffsets(t *testing.T) {
	tr := newAckTracker(DefaultMaxInFlight, DefaultMaxInFlightBytes)
	pa, pb, pc := map[string]any{"server": "a"}, map[string]any{"server": "b"}, map[string]any{"server": "c"}
	tr.ack(tr.add(pa, map[string]any{"n": 0}, false))
	tr.ack(tr.add(pb, map[string]any{"n": 1}, false))
	taken := tr.takeCommittable()
	tr.ack(tr.add(pc, map[string]any{"n": 2}, false))
	tr.ack(tr.add(pb, map[string]any{"n": 3}, false)) // newer than the taken b→1
	tr.restore(taken)
	got := tr.takeCommittable()
	var offsets []any
	for _, c := range got {
		offsets = append(offsets, c.offset["n"])
	}
	if fmt.Sprint(offsets) != "[0 2 3]" {
		t.Fatalf("committable after restore = %v, want a→0 (restored, first), then c→2 and b→3 (b's newer offset, not the restored 1)", offsets)
	}
	if got := tr.takeCommittable(); len(got) != 0 {
		t.Fatalf("committable taken twice: %v", got)
	}
}

// TestAckTrackerWakesWatchers: a channel from changed is closed by the next
// acknowledgement or failure, even though acknowledgements nobody watches
// do not replace it.
func TestAckTrackerWakesWatchers(t *testing.T) {
	tr := newAckTracker(DefaultMaxInFlight, DefaultMaxInFlightBytes)
	p := map[string]any{"server": "a"}
	admit := func() uint64 {
		seq, err := tr.admit(t.Context(), p, nil, 1)
		if err != nil {
			t.Fatal(err)
		}
		return seq
	}
	s0, s1, s2, s3 := admit(), admit(), admit(), admit()
	tr.ack(s0) // unwatched
	ch := tr.changed()
	select {
	case <-ch:
		t.Fatal("changed closed before any acknowledgement after it was taken")
	default:
	}
	tr.ack(s1)
	select {
	case <-ch:
	default:
		t.Fatal("changed not closed by the acknowledgement after it")
	}
	ch = tr.changed()
	tr.fail(s3)
	select {
	case <-ch:
	default:
		t.Fatal("changed not closed by a failure")
	}
	if n := tr.inFlight(); n != 1 {
		t.Fatalf("inFlight = %d after a failure, want 1 (the failed record left the window)", n)
	}
	tr.ack(s2)
	if n, b := tr.inFlight(), tr.bytesInFlight(); n != 0 || b != 0 {
		t.Fatalf("inFlight = %d records, %d bytes", n, b)
	}
	if !tr.failed() {
		t.Fatal("failed() = false after a failure")
	}
}

// TestAckTrackerPromptOffsets: an offset-only record the task returned
// signals promptly once every record before it is acknowledged, and only
// then; one a transformation dropped does not.
func TestAckTrackerPromptOffsets(t *testing.T) {
	tr := newAckTracker(DefaultMaxInFlight, DefaultMaxInFlightBytes)
	p := map[string]any{"server": "a"}
	prompted := func() bool {
		select {
		case <-tr.promptly:
			return true
		default:
			return false
		}
	}
	s0 := admitted(t, tr, p, map[string]any{"n": 0})
	tr.ack(tr.add(p, map[string]any{"n": 1}, false)) // dropped by a transformation
	tr.ack(tr.add(p, map[string]any{"n": 2}, true))  // asked for by the task
	if prompted() {
		t.Fatal("promptly signalled while a record before the offset-only one is in flight")
	}
	tr.ack(s0)
	if !prompted() {
		t.Fatal("promptly not signalled once the offset-only record became committable")
	}
	if got := tr.takeCommittable(); len(got) != 1 || got[0].offset["n"] != 2 {
		t.Fatalf("committable = %v, want n=2", got)
	}
	tr.ack(tr.add(p, map[string]any{"n": 3}, false))
	if prompted() {
		t.Fatal("promptly signalled for a dropped record's offset")
	}
}

// TestAckTrackerWindowWaitsForRoom: admit waits while either bound is
// reached and proceeds once an acknowledgement makes room.
func TestAckTrackerWindowWaitsForRoom(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxRecords int
		maxBytes   int64
	}{
		{"records", 2, 1000},
		{"bytes", 100, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newAckTracker(tc.maxRecords, tc.maxBytes)
			p := map[string]any{"server": "a"}
			first, err := tr.admit(t.Context(), p, map[string]any{"n": 0}, 60)
			if err != nil {
				t.Fatal(err)
			}
			if tc.maxRecords == 2 {
				if _, err := tr.admit(t.Context(), p, map[string]any{"n": 1}, 1); err != nil {
					t.Fatal(err)
				}
			}
			got := make(chan error, 1)
			go func() {
				_, err := tr.admit(t.Context(), p, map[string]any{"n": 2}, 60)
				got <- err
			}()
			// Still waiting once it has taken the channel to wait on.
			waitFor(t, 10*time.Second, "admit to wait", func() bool {
				tr.mu.Lock()
				defer tr.mu.Unlock()
				return tr.watched
			})
			select {
			case err := <-got:
				t.Fatalf("admit over the window returned %v before any acknowledgement", err)
			default:
			}
			tr.ack(first)
			if err := <-got; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAckTrackerAdmitsOversizedRecordAlone: a record larger than the whole
// byte budget goes out when nothing else is in flight, and nothing joins it.
func TestAckTrackerAdmitsOversizedRecordAlone(t *testing.T) {
	tr := newAckTracker(10, 100)
	big, err := tr.admit(t.Context(), nil, nil, 500)
	if err != nil {
		t.Fatalf("an oversized record on an empty window: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := tr.admit(ctx, nil, nil, 1); err == nil {
		t.Fatal("admit while an oversized record is in flight succeeded")
	}
	tr.ack(big)
	if _, err := tr.admit(t.Context(), nil, nil, 100); err != nil {
		t.Fatal(err)
	}
	if b := tr.bytesInFlight(); b != 100 {
		t.Fatalf("bytes in flight = %d, want 100", b)
	}
}

// TestAckTrackerDropLastLeavesTheWindow: a record never handed to the
// producer gives its room back.
func TestAckTrackerDropLastLeavesTheWindow(t *testing.T) {
	tr := newAckTracker(1, 100)
	seq, err := tr.admit(t.Context(), nil, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	tr.dropLast(seq)
	if n, b := tr.inFlight(), tr.bytesInFlight(); n != 0 || b != 0 {
		t.Fatalf("after dropLast: %d records, %d bytes in flight", n, b)
	}
	if again, err := tr.admit(t.Context(), nil, nil, 10); err != nil || again != seq {
		t.Fatalf("admit after dropLast = %d, %v; want sequence %d reused", again, err, seq)
	}
}

// Taking records into the window and acknowledging them, in any order,
// allocates nothing once the tracker's entries have grown; neither does an
// offset-only record. Only growing entries (append) and replacing a wake
// channel someone watches would.
func TestAckTrackerAllocs(t *testing.T) {
	tr := newAckTracker(DefaultMaxInFlight, DefaultMaxInFlightBytes)
	p := map[string]any{"server": "a"}
	off := map[string]any{"lsn": int64(1)}
	ctx := t.Context()
	var seqs [100]uint64
	batch := func() {
		for i := range seqs {
			seqs[i], _ = tr.admit(ctx, p, off, 100)
		}
		for i := len(seqs) - 1; i >= 0; i-- { // acknowledged out of order
			tr.ack(seqs[i])
		}
		tr.ack(tr.add(p, off, true))
		<-tr.promptly
	}
	batch()
	testutil.AllocCeiling(t, 0, batch)
}

// BenchmarkAckTracker is the tracker's share of one record: admit into the
// window, then ack.
func BenchmarkAckTracker(b *testing.B) {
	tr := newAckTracker(DefaultMaxInFlight, DefaultMaxInFlightBytes)
	p := map[string]any{"server": "a"}
	off := map[string]any{"lsn": int64(1)}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		seq, _ := tr.admit(ctx, p, off, 100)
		tr.ack(seq)
	}
}

// The window takes its bytes from the worker's budget too: with its share
// spent it waits, though its own byte bound has room, until an
// acknowledgement gives bytes back; an empty window always takes one
// record, however large.
func TestAckTrackerWaitsForTheWorkerBudget(t *testing.T) {
	budget := membudget.New(100)
	budget.Share() // another task: this one's fair part is 50
	share := budget.Share()
	defer share.Close()
	tr := newAckTracker(1000, 1<<20)
	tr.mem = share.Account()
	p := map[string]any{"p": 0}

	first, err := tr.admit(t.Context(), p, map[string]any{"o": 1}, 200)
	if err != nil {
		t.Fatalf("empty window refused a record larger than its share: %v", err)
	}
	admittedSecond := make(chan error, 1)
	go func() {
		_, err := tr.admit(t.Context(), p, map[string]any{"o": 2}, 30)
		admittedSecond <- err
	}()
	// Still waiting once it has taken the channel to wait on.
	waitFor(t, 10*time.Second, "admit to wait", func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return tr.watched
	})
	select {
	case err := <-admittedSecond:
		t.Fatalf("admitted beyond the task's share (err %v)", err)
	default:
	}
	tr.ack(first)
	select {
	case err := <-admittedSecond:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("acknowledgement did not make room in the budget")
	}
	// The record's bytes, its offset and what holds them.
	if used, _ := budget.Used(); used != heldInWindow(map[string]any{"o": 2}, 30) {
		t.Fatalf("budget holds %d bytes, want the 30 in flight and their overhead (%d)", used, heldInWindow(map[string]any{"o": 2}, 30))
	}
}
