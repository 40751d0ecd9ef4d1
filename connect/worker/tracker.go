package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/membudget"
)

// Defaults for the in-flight window of a source task: at most this many
// records, holding at most this many bytes, produced but not yet
// acknowledged.
const (
	DefaultMaxInFlight      = 16384
	DefaultMaxInFlightBytes = 16 << 20
)

// ackTracker is the runner's one account of the records it has taken from
// the task: it follows each from submission to acknowledgement, in
// submission (poll) order, and yields for each source partition the offset
// of the newest record such that it and every record submitted before it
// have been acknowledged. Acknowledgements may arrive out of order across
// Kafka partitions; the contiguous prefix is what makes an offset safe, and
// what lets the runner keep connect.SourceTask's commit contract (offsets
// reported in poll order, each covering every record polled before it).
//
// It also bounds the in-flight window: at most maxRecords produced records,
// holding at most maxBytes bytes, are unacknowledged at a time. A record's
// size is measured once, when it is converted, and kept here until its
// acknowledgement gives it back. A record larger than the whole byte budget
// is admitted when nothing else is in flight, so one huge record cannot
// wedge the task.
type ackTracker struct {
	mu      sync.Mutex
	base    uint64 // sequence number of entries[0]
	next    uint64 // sequence number of the next submission
	entries []ackEntry
	head    int       // entries[:head] are acknowledged and folded into ready
	ready   offsetSet // committable offsets not taken yet

	maxRecords int
	maxBytes   int64
	records    int   // produced records neither acknowledged nor failed
	bytes      int64 // their bytes
	// mem, when set, is the window's account in the worker's memory
	// budget: the bytes in the window are taken from it too.
	mem connect.MemoryAccount

	// promptly (capacity 1) is signalled when an offset-only record the
	// task returned becomes committable: the runner then flushes at once.
	promptly chan struct{}

	failure bool          // a record was not delivered
	notify  chan struct{} // closed and replaced at a change once watched
	// watched is set when changed or a waiting admit hands notify out. Only
	// a watched channel needs closing and replacing: nobody waits while
	// records flow, and a new channel per acknowledgement was one
	// allocation per record.
	watched bool
}

type ackEntry struct {
	key       string
	partition map[string]any
	offset    map[string]any
	size      int64 // bytes produced: keys, values and headers
	held      int64 // bytes taken from the worker's budget (heldInWindow)
	inWindow  bool  // counted in records and bytes until acknowledged or failed
	acked     bool
	prompt    bool // commit as soon as committable (see promptly)
}

func newAckTracker(maxRecords int, maxBytes int64) *ackTracker {
	return &ackTracker{
		maxRecords: maxRecords, maxBytes: maxBytes,
		ready:    offsetSet{m: make(map[string]committable)},
		notify:   make(chan struct{}),
		promptly: make(chan struct{}, 1),
	}
}

// admit registers a record about to be produced, of size bytes, and returns
// its sequence number. It waits while the window is full, until ctx ends.
func (t *ackTracker) admit(ctx context.Context, partition, offset map[string]any, size int64) (uint64, error) {
	var held int64
	t.mu.Lock()
	for {
		var budget <-chan struct{} // room in the worker's budget, when that is what is short
		if t.records < t.maxRecords && (t.bytes == 0 || t.bytes+size <= t.maxBytes) {
			ok := true
			if t.mem != nil {
				held = heldInWindow(offset, size)
				ok, budget = t.mem.TryAcquire(held)
			}
			if ok {
				break
			}
		}
		t.watched = true
		changed := t.notify
		t.mu.Unlock()
		select {
		case <-changed:
		case <-budget:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		t.mu.Lock()
	}
	defer t.mu.Unlock()
	t.records++
	t.bytes += size
	return t.addLocked(ackEntry{partition: partition, offset: offset, size: size, held: held, inWindow: true}), nil
}

// inFlightOverhead is what a produced record holds besides its bytes and
// offset until acknowledged: the producer's message and its tracker entry.
const inFlightOverhead = int64(unsafe.Sizeof(outMessage{}) + unsafe.Sizeof(ackEntry{}))

// heldInWindow is what a produced record of size bytes with offset takes
// from the worker's budget while in flight: its bytes, its offset, which
// the tracker keeps until the record is acknowledged, and the structures
// holding them.
func heldInWindow(offset map[string]any, size int64) int64 {
	return size + inFlightOverhead + membudget.SizeOf(offset)
}

// add registers a record that takes no room in the window (an offset-only
// record, acknowledged at once by the caller) and returns its sequence
// number. A prompt one signals promptly once committable.
func (t *ackTracker) add(partition, offset map[string]any, prompt bool) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addLocked(ackEntry{partition: partition, offset: offset, prompt: prompt})
}

func (t *ackTracker) addLocked(e ackEntry) uint64 {
	seq := t.next
	t.next++
	if e.partition != nil {
		e.key = t.ready.keyer.key(e.partition)
	}
	t.entries = append(t.entries, e)
	return seq
}

// leaveWindow gives back e's room in the window. The caller holds mu.
func (t *ackTracker) leaveWindow(e *ackEntry) {
	if e.inWindow {
		e.inWindow = false
		t.records--
		t.bytes -= e.size
		if t.mem != nil {
			t.mem.Release(e.held)
		}
	}
}

// dropLast forgets the most recent submission, seq, which was never sent.
func (t *ackTracker) dropLast(seq uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq+1 != t.next {
		panic("worker: dropLast of a record that is not the last submitted")
	}
	t.leaveWindow(&t.entries[len(t.entries)-1])
	t.next--
	t.entries = t.entries[:len(t.entries)-1]
	t.wake()
}

// ack marks record seq acknowledged and advances the contiguous prefix.
func (t *ackTracker) ack(seq uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := &t.entries[seq-t.base]
	t.leaveWindow(e)
	e.acked = true
	for t.head < len(t.entries) && t.entries[t.head].acked {
		e := &t.entries[t.head]
		if e.partition != nil && e.offset != nil {
			t.ready.put(committable{key: e.key, partition: e.partition, offset: e.offset})
			if e.prompt {
				select {
				case t.promptly <- struct{}{}:
				default:
				}
			}
		}
		// The offset is in ready now, or superseded: the entry no longer
		// holds it.
		e.partition, e.offset = nil, nil
		t.head++
	}
	// Compact once the acknowledged prefix dominates, to keep memory bounded
	// by the number of records in flight.
	// After a burst, a backing array four times larger than the entries
	// in flight is given up for one twice as large.
	if t.head > 1024 && t.head*2 > len(t.entries) || t.head == len(t.entries) && t.head > 0 {
		live := t.entries[t.head:]
		if c := cap(t.entries); c > 1024 && c > 4*len(live) {
			t.entries = append(make([]ackEntry, 0, max(2*len(live), 1024)), live...)
		} else {
			n := copy(t.entries, live)
			clear(t.entries[n:])
			t.entries = t.entries[:n]
		}
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

// fail records that record seq was not delivered. It is never acknowledged,
// so the prefix stops advancing before it for good; its room in the window
// is given back and waiters are woken.
func (t *ackTracker) fail(seq uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.leaveWindow(&t.entries[seq-t.base])
	t.failure = true
	t.wake()
}

// failed reports whether a record was not delivered.
func (t *ackTracker) failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failure
}

// inFlight is the number of produced records neither acknowledged nor
// failed.
func (t *ackTracker) inFlight() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.records
}

// bytesInFlight is the bytes of those records.
func (t *ackTracker) bytesInFlight() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.bytes
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
	return t.ready.take()
}

// restore gives back offsets taken by takeCommittable that could not be
// written (see offsetSet.restore).
func (t *ackTracker) restore(cs []committable) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ready.restore(cs)
}

// committable is the offset of one source partition.
type committable struct {
	key       string // the partition's identity (partitionKeyer)
	partition map[string]any
	offset    map[string]any
}

// offsetSet holds the newest offset of each source partition, in the order
// the partitions were first put since the last take. The ack tracker keeps
// the committable offsets in one, the exactly-once runner those of its open
// transaction.
type offsetSet struct {
	keyer partitionKeyer
	m     map[string]committable
	order []string
}

// put makes c the newest offset of its partition.
func (s *offsetSet) put(c committable) {
	if _, ok := s.m[c.key]; !ok {
		s.order = append(s.order, c.key)
	}
	s.m[c.key] = c
}

// set makes offset the newest offset of partition.
func (s *offsetSet) set(partition, offset map[string]any) {
	s.put(committable{key: s.keyer.key(partition), partition: partition, offset: offset})
}

// take returns, and forgets, every partition's offset.
func (s *offsetSet) take() []committable {
	if len(s.m) == 0 {
		return nil
	}
	out := make([]committable, 0, len(s.m))
	for _, k := range s.order {
		if c, ok := s.m[k]; ok {
			out = append(out, c)
			delete(s.m, k)
		}
	}
	s.order = s.order[:0]
	return out
}

// restore gives back offsets taken by take that could not be written, so
// that the next take returns them again, in their order and before the
// partitions put since. An offset of a partition that has had a newer
// offset put in the meantime is dropped: the newer one supersedes it, and
// writing the older one after it would move the partition back. This is
// Kafka Connect's OffsetStorageWriter.cancelFlush, which puts the offsets
// of a failed flush back under the ones written to it since.
func (s *offsetSet) restore(cs []committable) {
	var keys []string
	for _, c := range cs {
		if _, ok := s.m[c.key]; ok {
			continue
		}
		s.m[c.key] = c
		keys = append(keys, c.key)
	}
	if len(keys) > 0 {
		s.order = append(keys, s.order...)
	}
}

// partitionKeyer returns a stable identity for a source partition map.
// Tasks usually reuse one map for every record, so the last encoding is
// cached by map identity.
type partitionKeyer struct {
	last    reflect.Value
	lastKey string
}

func (k *partitionKeyer) key(m map[string]any) string {
	v := reflect.ValueOf(m)
	if k.last.IsValid() && v.UnsafePointer() == k.last.UnsafePointer() {
		return k.lastKey
	}
	b, err := json.Marshal(m) // sorted keys: stable
	if err != nil {
		b = fmt.Appendf(nil, "%v", m)
	}
	k.last, k.lastKey = v, string(b)
	return k.lastKey
}
