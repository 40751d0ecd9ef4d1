package postgres

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
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
// size; here a record's size is an estimate of its key and value payload
// (recordSize), taken once, when the record is queued.
type queueBytes struct {
	limit int64 // 0: no byte bound
	used  atomic.Int64
	// freed (capacity 1) tells a waiting producer that Poll took records.
	freed chan struct{}
}

func (q *queueBytes) full() bool {
	return q.limit > 0 && q.used.Load() >= q.limit
}

// measure is the size r counts for in the queue: recordSize, or 0 when the
// queue has no byte bound.
func (q *queueBytes) measure(r *connect.SourceRecord) int64 {
	if q.limit == 0 {
		return 0
	}
	return recordSize(r)
}

// release gives back the bytes of records Poll took.
func (q *queueBytes) release(n int64) {
	if n == 0 {
		return
	}
	q.used.Add(-n)
	select {
	case q.freed <- struct{}{}:
	default:
	}
}

// waitBytes waits until the queue is below its byte bound, then accounts
// for a record of size n. The snapshot's producers call it; streaming has
// its own wait, which keeps the server informed meanwhile.
func (t *Task) waitBytes(ctx context.Context, n int64) error {
	if t.queued.limit == 0 {
		return nil
	}
	for t.queued.full() {
		select {
		case <-t.queued.freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t.queued.used.Add(n)
	return nil
}

// reserveBytes is waitBytes for the streaming loop: while the queue is
// full it goes on sending status updates, so the walsender does not time
// out and committed positions are confirmed.
func (s *streamer) reserveBytes(ctx context.Context, n int64) error {
	q := &s.t.queued
	if q.limit == 0 {
		return nil
	}
	for q.full() {
		timer := time.NewTimer(time.Until(s.nextStatus))
		select {
		case <-q.freed:
		case <-s.t.wake.ch:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
		timer.Stop()
		if err := s.maybeSendStatus(ctx, false); err != nil {
			return err
		}
	}
	q.used.Add(n)
	return nil
}

// recordSize estimates the payload of a record: the bytes of its strings
// and byte arrays, 8 per other scalar, the sum over structs, arrays and
// maps. Shared values (a source block) are counted in every record that
// holds them, as each would be serialised.
func recordSize(r *connect.SourceRecord) int64 {
	return 16 + valueSize(r.Key) + valueSize(r.Value)
}

func valueSize(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return int64(len(x))
	case []byte:
		return int64(len(x))
	case *schema.Struct:
		if x == nil {
			return 0
		}
		var n int64
		for _, f := range x.Values {
			n += valueSize(f)
		}
		return n
	case []any:
		var n int64
		for _, e := range x {
			n += valueSize(e)
		}
		return n
	case map[string]any:
		var n int64
		for k, e := range x {
			n += int64(len(k)) + valueSize(e)
		}
		return n
	case map[any]any:
		var n int64
		for k, e := range x {
			n += valueSize(k) + valueSize(e)
		}
		return n
	case schema.Decimal:
		if x.Unscaled == nil {
			return 4
		}
		return 4 + int64(len(x.Unscaled.Bits()))*8
	}
	return 8
}
