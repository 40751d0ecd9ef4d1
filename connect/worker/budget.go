package worker

import (
	"context"
	"sync"
)

// Defaults for the in-flight window of a source task: at most this many
// records, holding at most this many bytes, produced but not yet
// acknowledged.
const (
	DefaultMaxInFlight      = 16384
	DefaultMaxInFlightBytes = 16 << 20
)

// byteBudget is a counting semaphore over bytes. acquire waits until the
// request fits; a request larger than the whole budget is admitted when
// nothing else is held, so one huge record cannot wedge the task.
type byteBudget struct {
	limit int64

	mu      sync.Mutex
	used    int64
	waiting bool          // someone waits on freed
	freed   chan struct{} // closed and replaced at a release someone waits for
}

func newByteBudget(limit int64) *byteBudget {
	return &byteBudget{limit: limit, freed: make(chan struct{})}
}

func (b *byteBudget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.used == 0 || b.used+n <= b.limit {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.waiting = true
		b.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	if b.waiting {
		close(b.freed)
		b.freed = make(chan struct{})
		b.waiting = false
	}
	b.mu.Unlock()
}

// inUse returns the bytes currently held.
func (b *byteBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
