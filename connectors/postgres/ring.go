package postgres

import (
	"sync"

	"github.com/tributary-cdc/tributary/connect"
)

// A recordQueue allocates minQueueSlots slots for its first record, and
// gives slots back down to keptQueueSlots (37 kB): enough for a busy task's
// usual batches to come and go without reallocating, far below the 8,192
// slots of the default max.queue.size.
const (
	minQueueSlots  = 16
	keptQueueSlots = 256
)

// recordQueue is the queue between the goroutine producing records and
// Poll: at most limit records (max.queue.size), in slots allocated as they
// are needed. It grows by doubling while records wait, and halves once
// fewer than an eighth of its slots are in use (down to keptQueueSlots), so
// a task holds the slots of a long backlog only while it lasts, not
// max.queue.size of them from the start. One goroutine pushes, one pops.
type recordQueue struct {
	mu    sync.Mutex
	buf   []queuedRecord // a ring: n records from head
	head  int
	n     int
	limit int
	// ready (capacity 1) is signalled by every push: a popper that found
	// the queue empty waits on it, then pops again.
	ready chan struct{}
}

func newRecordQueue(limit int) *recordQueue {
	return &recordQueue{limit: max(limit, 1), ready: make(chan struct{}, 1)}
}

// push adds r unless the queue holds limit records already.
func (q *recordQueue) push(r queuedRecord) bool {
	q.mu.Lock()
	if q.n >= q.limit {
		q.mu.Unlock()
		return false
	}
	if q.n == len(q.buf) {
		q.resize(min(max(2*len(q.buf), minQueueSlots), q.limit))
	}
	q.buf[(q.head+q.n)%len(q.buf)] = r
	q.n++
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return true
}

// pop takes the oldest record, if any.
func (q *recordQueue) pop() (queuedRecord, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return queuedRecord{}, false
	}
	r := q.take()
	q.shrink()
	return r, true
}

// take removes the oldest record. The caller holds mu, and q.n > 0.
func (q *recordQueue) take() queuedRecord {
	r := q.buf[q.head]
	q.buf[q.head] = queuedRecord{} // the record is no longer held here
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return r
}

// popInto appends the oldest records to batch until it holds limit, under
// one lock, and returns it with the sum of their sizes.
func (q *recordQueue) popInto(batch []connect.SourceRecord, limit int) ([]connect.SourceRecord, int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var size int64
	for q.n > 0 && len(batch) < limit {
		r := q.take()
		batch = append(batch, r.rec)
		size += r.size
	}
	q.shrink()
	return batch, size
}

// shrink halves the ring once fewer than an eighth of its slots are in
// use, down to keptQueueSlots. The caller holds mu.
func (q *recordQueue) shrink() {
	if len(q.buf) > keptQueueSlots && q.n < len(q.buf)/8 {
		q.resize(max(len(q.buf)/2, keptQueueSlots))
	}
}

// resize moves the queued records to a ring of size slots. The caller
// holds mu.
func (q *recordQueue) resize(size int) {
	buf := make([]queuedRecord, size)
	for i := range q.n {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}

// len is the number of records queued.
func (q *recordQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// slots is the number of slots allocated now.
func (q *recordQueue) slots() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.buf)
}
