package worker

import (
	"sync"
)

// ackTracker follows records from submission to acknowledgement, in
// submission order, and yields for each source partition the offset of the
// newest record such that it and every record submitted before it have been
// acknowledged. Acknowledgements may arrive out of order across Kafka
// partitions; the contiguous prefix is what makes an offset safe.
type ackTracker struct {
	mu      sync.Mutex
	base    uint64 // sequence number of entries[0]
	next    uint64 // sequence number of the next submission
	entries []ackEntry
	head    int // entries[:head] are acknowledged and folded into ready
	ready   map[string]committable
	order   []string // partition keys in first-seen order, for stable flushes
	keyer   partitionKeyer
	failure bool          // a record was not delivered
	notify  chan struct{} // closed and replaced at an acknowledgement once watched
	// watched is set when changed hands notify out. Only a watched channel
	// needs closing and replacing: nobody waits while records flow, and a
	// new channel per acknowledgement was one allocation per record.
	watched bool
}

type ackEntry struct {
	key       string
	partition map[string]any
	offset    map[string]any
	acked     bool
}

type committable struct {
	key       string // the partition's identity (partitionKeyer)
	partition map[string]any
	offset    map[string]any
}

func newAckTracker() *ackTracker {
	return &ackTracker{ready: make(map[string]committable), notify: make(chan struct{})}
}

// add registers a submitted record and returns its sequence number.
func (t *ackTracker) add(partition, offset map[string]any) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	seq := t.next
	t.next++
	var key string
	if partition != nil {
		key = t.keyer.key(partition)
	}
	t.entries = append(t.entries, ackEntry{key: key, partition: partition, offset: offset})
	return seq
}

// dropLast forgets the most recent submission, seq, which was never sent.
func (t *ackTracker) dropLast(seq uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq+1 != t.next {
		panic("worker: dropLast of a record that is not the last submitted")
	}
	t.next--
	t.entries = t.entries[:len(t.entries)-1]
}

// ack marks record seq acknowledged and advances the contiguous prefix.
func (t *ackTracker) ack(seq uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entries[seq-t.base].acked = true
	for t.head < len(t.entries) && t.entries[t.head].acked {
		e := &t.entries[t.head]
		if e.partition != nil && e.offset != nil {
			if _, ok := t.ready[e.key]; !ok {
				t.order = append(t.order, e.key)
			}
			t.ready[e.key] = committable{key: e.key, partition: e.partition, offset: e.offset}
		}
		t.head++
	}
	// Compact once the acknowledged prefix dominates, to keep memory bounded
	// by the number of records in flight.
	if t.head > 1024 && t.head*2 > len(t.entries) {
		n := copy(t.entries, t.entries[t.head:])
		clear(t.entries[n:])
		t.entries = t.entries[:n]
		t.base += uint64(t.head)
		t.head = 0
	}
	t.wake()
}

// wake closes and replaces the notify channel if anyone holds it.
// The caller holds mu.
func (t *ackTracker) wake() {
	if t.watched {
		close(t.notify)
		t.notify = make(chan struct{})
		t.watched = false
	}
}

// fail records that a record was not delivered. It is never acknowledged, so
// the prefix stops advancing before it for good; waiters are woken.
func (t *ackTracker) fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failure = true
	t.wake()
}

// failed reports whether a record was not delivered.
func (t *ackTracker) failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failure
}

// inFlight is the number of submitted records not yet acknowledged.
func (t *ackTracker) inFlight() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries) - t.head
}

// changed returns a channel closed at the next acknowledgement or failure.
func (t *ackTracker) changed() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.watched = true
	return t.notify
}

// takeCommittable returns, and forgets, the offsets that became safe since
// the last call. Those that are then not written go back with restore.
func (t *ackTracker) takeCommittable() []committable {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.ready) == 0 {
		return nil
	}
	out := make([]committable, 0, len(t.ready))
	for _, k := range t.order {
		if c, ok := t.ready[k]; ok {
			out = append(out, c)
			delete(t.ready, k)
		}
	}
	t.order = t.order[:0]
	return out
}

// restore gives back offsets taken by takeCommittable that could not be
// written, so that the next takeCommittable returns them again, in their
// order and before the partitions seen since. An offset of a partition that
// has had a newer offset become committable in the meantime is dropped: the
// newer one supersedes it, and writing the older one after it would move
// the partition back. This is Kafka Connect's
// OffsetStorageWriter.cancelFlush, which puts the offsets of a failed flush
// back under the ones written to it since.
func (t *ackTracker) restore(cs []committable) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var keys []string
	for _, c := range cs {
		if _, ok := t.ready[c.key]; ok {
			continue
		}
		t.ready[c.key] = c
		keys = append(keys, c.key)
	}
	if len(keys) > 0 {
		t.order = append(keys, t.order...)
	}
}
