package postgres

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/membudget"
)

// queuedRecord is a record in the queue with its size as the queue's byte
// bound measured it, so that Poll gives back exactly what was taken.
type queuedRecord struct {
	rec  connect.SourceRecord
	size int64
}

// queueBytes bounds the record queue by bytes (max.queue.size.in.bytes),
// as Debezium's ChangeEventQueue does besides its count bound: a record is
// admitted while the queued bytes are below the limit, so the queue may
// exceed it by one record. Debezium measures a record by its JVM object
// size; here a record's size is an estimate of the memory it holds
// (recordSize), taken once, when the record is queued.
//
// With a worker memory budget (connect.MemoryAccounter) the queued bytes are
// also taken from the task's share of it: a record waits for room there
// too, and an empty queue always takes one.
type queueBytes struct {
	limit int64 // 0: no byte bound
	used  atomic.Int64
	// freed (capacity 1) tells a waiting producer that Poll took records.
	freed chan struct{}
	// mem is the queue's account in the worker's memory budget, nil
	// without one.
	mem connect.MemoryAccount
	// handedOut is the bytes of the batch Poll last returned: they stay
	// taken from the budget until the next Poll, as the runtime holds the
	// decoded records of a batch until it has produced them all. Only
	// Poll touches it.
	handedOut int64
}

// handOut gives back the bytes of the previous batch to the budget and
// keeps those of the batch Poll returns now (n bytes).
func (q *queueBytes) handOut(n int64) {
	if q.mem != nil {
		q.mem.Release(q.handedOut)
		q.handedOut = n
	}
}

// take takes n bytes from the worker's budget. When there is no room it
// returns a channel closed once there may be.
func (q *queueBytes) take(n int64) (ok bool, changed <-chan struct{}) {
	if q.mem == nil {
		return true, nil
	}
	return q.mem.TryAcquire(n)
}

func (q *queueBytes) full() bool {
	return q.limit > 0 && q.used.Load() >= q.limit
}

// measure is the size r counts for in the queue: recordSize, or 0 when the
// queue has no byte bound and the worker no budget.
func (q *queueBytes) measure(r *connect.SourceRecord) int64 {
	if q.limit == 0 && q.mem == nil {
		return 0
	}
	return recordSize(r)
}

// release gives back the queue bytes of records Poll took (their budget
// bytes follow at the next Poll, handOut) and tells a waiting sender.
func (q *queueBytes) release(n int64) {
	if n != 0 {
		q.used.Add(-n)
	}
	select {
	case q.freed <- struct{}{}:
	default:
	}
}

// keeper is a sender with work to do while it waits for room in the queue:
// the streaming loop, which goes on sending status updates so that the
// walsender does not time out and committed positions are confirmed.
type keeper interface {
	// keepBy is when keep must next run.
	keepBy() time.Time
	keep(ctx context.Context) error
}

// send queues a record for Poll: the one way records of the snapshot and
// of the stream reach it. It measures the record once for the byte bound,
// then waits while the queue is full (by count, then by bytes, then by the
// worker's budget), giving up when ctx ends. While it waits, k (if not nil)
// is kept: at its keepBy time, and whenever Commit wakes the task. Snapshot
// readers send under their emitter's lock, the streaming loop from the run
// goroutine; never both at once, so the room found stays free until the
// record is pushed.
func (t *Task) send(ctx context.Context, r connect.SourceRecord, k keeper) error {
	q := queuedRecord{rec: r, size: t.queued.measure(&r)}
	for {
		var budget <-chan struct{} // room in the worker's budget, when that is what is short
		if t.records.len() < t.records.limit && !t.queued.full() {
			var ok bool
			if ok, budget = t.queued.take(q.size); ok {
				break
			}
		}
		woken, due := t.keepWait(k)
		select {
		case <-t.queued.freed:
		case <-budget:
		case <-woken:
		case <-due:
		case <-ctx.Done():
			t.keepTimerStop(k)
			return ctx.Err()
		}
		if err := t.kept(ctx, k); err != nil {
			return err
		}
	}
	if q.size != 0 {
		t.queued.used.Add(q.size)
	}
	if !t.records.push(q) {
		// Only a second sender at once could have taken the room found:
		// fail rather than drop the record.
		t.queued.used.Add(-q.size)
		if t.queued.mem != nil {
			t.queued.mem.Release(q.size)
		}
		return errors.New("the record queue filled while a record was being queued: two senders at once")
	}
	t.sent++
	return nil
}

// keepWait returns what a sender waiting for room also waits for: Commit's
// wake-up and k's keepBy time; nil channels, which never deliver, without
// a keeper. The timer is reused: only the streaming loop has a keeper.
func (t *Task) keepWait(k keeper) (woken <-chan struct{}, due <-chan time.Time) {
	if k == nil {
		return nil, nil
	}
	d := time.Until(k.keepBy())
	if t.keepTimer == nil {
		t.keepTimer = time.NewTimer(d)
	} else {
		// Since Go 1.23 a reset timer delivers no stale expiry.
		t.keepTimer.Reset(d)
	}
	return t.wake.ch, t.keepTimer.C
}

func (t *Task) keepTimerStop(k keeper) {
	if k != nil {
		t.keepTimer.Stop()
	}
}

// kept ends a wait that did not queue the record: k, if any, does its work.
func (t *Task) kept(ctx context.Context, k keeper) error {
	if k == nil {
		return nil
	}
	t.keepTimer.Stop()
	return k.keep(ctx)
}

// queuedRecordSize is the bytes of a queue slot.
const queuedRecordSize = int64(unsafe.Sizeof(queuedRecord{}))

// recordSize estimates the memory a queued record holds: its slot in the
// queue, its key, value, headers and offset (membudget.SizeOf), the
// values the event cache shares among records counted in each. Its source
// partition is the task's one map, not counted.
func recordSize(r *connect.SourceRecord) int64 {
	n := queuedRecordSize + membudget.SizeOf(r.Key) + membudget.SizeOf(r.Value) + membudget.SizeOf(r.SourceOffset)
	for _, h := range r.Headers {
		n += int64(unsafe.Sizeof(h)) + int64(len(h.Key)) + membudget.SizeOf(h.Value)
	}
	return n
}
