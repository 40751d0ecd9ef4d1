package postgres

import (
	"reflect"
	"sync"
	"sync/atomic"

	"github.com/tributary-cdc/tributary/connect"
)

// inflight tracks the records handed to Poll whose offsets Commit has not
// covered yet. The run goroutine compares acked with the number of records
// it produced: when they are equal, every record it ever produced is durable,
// so any position it has fully processed may be confirmed to the slot.
//
// Each record carries its own offset map, so a committed map identifies
// exactly one delivered record; a runtime that hands back a copy is matched
// by content instead, conservatively against the oldest equal offset. An
// offset holds only int64, string and bool values (a resumed one, what the
// offset store decoded from JSON, which has no NaN), so reflect.DeepEqual
// is exact there, unlike for row values (schema.Equal).
type inflight struct {
	mu      sync.Mutex
	offsets []map[string]any // delivered, not yet covered, in order
	acked   atomic.Int64     // records covered by Commit
}

// delivered records a batch returned by Poll.
func (f *inflight) delivered(batch []connect.SourceRecord) {
	f.mu.Lock()
	for i := range batch {
		f.offsets = append(f.offsets, batch[i].SourceOffset)
	}
	f.mu.Unlock()
}

// commit forgets the records up to the one carrying off and reports whether
// any was forgotten.
func (f *inflight) commit(off map[string]any) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := -1
	p := reflect.ValueOf(off).UnsafePointer()
	for j := len(f.offsets) - 1; j >= 0; j-- {
		if reflect.ValueOf(f.offsets[j]).UnsafePointer() == p {
			i = j
			break
		}
	}
	if i < 0 {
		for j, o := range f.offsets {
			if reflect.DeepEqual(o, off) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		return false
	}
	n := i + 1
	m := copy(f.offsets, f.offsets[n:])
	clear(f.offsets[m:])
	f.offsets = f.offsets[:m]
	f.acked.Add(int64(n))
	return true
}
