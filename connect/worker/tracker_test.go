package worker

import (
	"fmt"
	"testing"
)

func TestAckTrackerCommitsOnlyTheContiguousPrefix(t *testing.T) {
	tr := newAckTracker()
	p1, p2 := map[string]any{"server": "a"}, map[string]any{"server": "b"}
	s0 := tr.add(p1, map[string]any{"n": 0})
	s1 := tr.add(p2, map[string]any{"n": 1})
	s2 := tr.add(p1, map[string]any{"n": 2})
	s3 := tr.add(p1, nil) // e.g. a record without an offset

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
	tr := newAckTracker()
	p := map[string]any{"server": "a"}
	var seqs []uint64
	for i := range 5000 {
		seqs = append(seqs, tr.add(p, map[string]any{"n": i}))
	}
	for _, s := range seqs {
		tr.ack(s)
	}
	if len(tr.entries) > 2048 {
		t.Fatalf("entries not compacted: %d", len(tr.entries))
	}
	s := tr.add(p, map[string]any{"n": 5000})
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
	tr := newAckTracker()
	pa, pb, pc := map[string]any{"server": "a"}, map[string]any{"server": "b"}, map[string]any{"server": "c"}
	tr.ack(tr.add(pa, map[string]any{"n": 0}))
	tr.ack(tr.add(pb, map[string]any{"n": 1}))
	taken := tr.takeCommittable()
	tr.ack(tr.add(pc, map[string]any{"n": 2}))
	tr.ack(tr.add(pb, map[string]any{"n": 3})) // newer than the taken b→1
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
	tr := newAckTracker()
	p := map[string]any{"server": "a"}
	s0, s1, s2 := tr.add(p, nil), tr.add(p, nil), tr.add(p, nil)
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
	tr.fail()
	select {
	case <-ch:
	default:
		t.Fatal("changed not closed by a failure")
	}
	tr.ack(s2)
	if tr.inFlight() != 0 {
		t.Fatalf("inFlight = %d", tr.inFlight())
	}
}

// BenchmarkAckTracker is the tracker's share of one record: add, then ack.
func BenchmarkAckTracker(b *testing.B) {
	tr := newAckTracker()
	p := map[string]any{"server": "a"}
	off := map[string]any{"lsn": int64(1)}
	b.ReportAllocs()
	for b.Loop() {
		tr.ack(tr.add(p, off))
	}
}
