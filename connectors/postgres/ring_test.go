package postgres

import (
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

// The queue allocates slots as records wait, up to max.queue.size, keeps
// them in order across growth and wrap-around, and gives them up once the
// backlog is gone.
func TestRecordQueueGrowsAndShrinks(t *testing.T) {
	q := newRecordQueue(1000)
	if q.slots() != 0 {
		t.Fatalf("an idle queue holds %d slots", q.slots())
	}
	next, want := int64(0), int64(0)
	push := func(n int) {
		for range n {
			if !q.push(queuedRecord{size: next}) {
				t.Fatalf("push %d refused with %d queued", next, q.len())
			}
			next++
		}
	}
	pop := func(n int) {
		for range n {
			r, ok := q.pop()
			if !ok || r.size != want {
				t.Fatalf("pop = %d %v, want %d", r.size, ok, want)
			}
			want++
		}
	}
	push(10)
	pop(5)
	push(1000 - 5) // wraps, then grows to the limit
	if q.push(queuedRecord{}) {
		t.Fatal("push beyond max.queue.size accepted")
	}
	if s := q.slots(); s != 1000 {
		t.Fatalf("%d slots with 1000 queued, want 1000", s)
	}
	pop(1000)
	if _, ok := q.pop(); ok {
		t.Fatal("pop from an empty queue")
	}
	if s := q.slots(); s != keptQueueSlots {
		t.Fatalf("%d slots after the backlog, want %d", s, keptQueueSlots)
	}
	select {
	case <-q.ready:
	default:
		t.Fatal("push did not signal ready")
	}
}

// popInto takes the oldest records in order, no more than the batch's
// limit, and sums their sizes.
func TestRecordQueuePopInto(t *testing.T) {
	q := newRecordQueue(100)
	for i := range 10 {
		q.push(queuedRecord{rec: connect.SourceRecord{Topic: string(rune('a' + i))}, size: int64(i)})
	}
	batch, size := q.popInto([]connect.SourceRecord{{Topic: "first"}}, 4)
	if len(batch) != 4 || batch[1].Topic != "a" || batch[3].Topic != "c" || size != 0+1+2 {
		t.Fatalf("popInto = %v, size %d; want first, a, b, c of size 3", batch, size)
	}
	batch, size = q.popInto(nil, 100)
	if len(batch) != 7 || batch[0].Topic != "d" || batch[6].Topic != "j" || size != 3+4+5+6+7+8+9 || q.len() != 0 {
		t.Fatalf("popInto = %v, size %d, %d left; want d to j of size 42", batch, size, q.len())
	}
}
