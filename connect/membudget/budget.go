package membudget

import (
	"context"
	"sync"
)

// Budget is a byte budget shared by the tasks of a worker. Its methods are
// safe for concurrent use.
type Budget struct {
	total int64 // 0: unbounded, only counted

	mu      sync.Mutex
	used    int64
	peak    int64
	shares  int
	blocked int           // shares with an account refused since it last took bytes
	changed chan struct{} // closed and replaced when room may have appeared
	watched bool          // changed was handed out since it was made
}

// New returns a budget of total bytes; total 0 (or less) counts without
// bounding.
func New(total int64) *Budget {
	return &Budget{total: max(total, 0), changed: make(chan struct{})}
}

// Total is the budget in bytes, 0 when unbounded.
func (b *Budget) Total() int64 { return b.total }

// Used returns the bytes held now and the most held at once.
func (b *Budget) Used() (used, peak int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak
}

// Blocked is the number of shares (tasks) that have an account waiting for
// room: refused bytes, and not given any since.
func (b *Budget) Blocked() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blocked
}

// ResetPeak makes the peak the bytes held now.
func (b *Budget) ResetPeak() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.peak = b.used
}

// Share returns a new share of the budget for one running task; Close
// gives it back. Every share's fair part is the total divided by the
// number of open shares.
func (b *Budget) Share() *Share {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.shares++
	return &Share{b: b}
}

// FairShare is the bytes each open share may hold now (0 when unbounded).
func (b *Budget) FairShare() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fairLocked()
}

func (b *Budget) fairLocked() int64 {
	if b.total == 0 {
		return 0
	}
	return b.total / int64(max(b.shares, 1))
}

// wakeLocked tells waiters that room may have appeared.
func (b *Budget) wakeLocked() {
	if b.watched {
		close(b.changed)
		b.changed = make(chan struct{})
		b.watched = false
	}
}

// Share is one task's part of a budget.
type Share struct {
	b       *Budget
	held    int64 // guarded by b.mu
	waiting int   // accounts refused since they last took bytes; guarded by b.mu
	closed  bool  // guarded by b.mu
}

// Account returns a new holder of records drawing on the share.
func (s *Share) Account() *Account { return &Account{s: s} }

// Close returns everything the share's accounts hold and leaves the
// budget; the others' fair parts grow. Accounts of a closed share take
// and release nothing from the budget.
func (s *Share) Close() {
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.waiting > 0 {
		b.blocked--
	}
	b.used -= s.held
	s.held = 0
	b.shares--
	b.wakeLocked()
}

// Account is one holder's bytes within a share. Its methods are safe for
// concurrent use.
type Account struct {
	s       *Share
	held    int64 // guarded by s.b.mu
	waiting bool  // refused since it last took bytes; guarded by s.b.mu
}

// setWaiting marks a refused (true) or served (false) account, keeping the
// count of blocked shares. The caller holds b.mu.
func (a *Account) setWaiting(w bool) {
	if a.waiting == w {
		return
	}
	a.waiting = w
	s := a.s
	if w {
		s.waiting++
		if s.waiting == 1 {
			s.b.blocked++
		}
		return
	}
	s.waiting--
	if s.waiting == 0 {
		s.b.blocked--
	}
}

// TryAcquire takes n bytes if they fit in the share's fair part and in the
// budget, or if the account holds nothing (one record always goes). When
// it does not take them it returns a channel closed once room may have
// appeared (bytes released, a share closed): wait on it, then try again.
func (a *Account) TryAcquire(n int64) (ok bool, changed <-chan struct{}) {
	s := a.s
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.closed {
		return true, nil
	}
	if b.total > 0 && a.held > 0 && (s.held+n > b.fairLocked() || b.used+n > b.total) {
		b.watched = true
		a.setWaiting(true)
		return false, b.changed
	}
	a.setWaiting(false)
	a.held += n
	s.held += n
	b.used += n
	b.peak = max(b.peak, b.used)
	return true, nil
}

// Acquire waits until TryAcquire takes n bytes, or ctx ends.
func (a *Account) Acquire(ctx context.Context, n int64) error {
	for {
		ok, changed := a.TryAcquire(n)
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Release gives back n bytes the account took.
func (a *Account) Release(n int64) {
	if n == 0 {
		return
	}
	s := a.s
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.closed {
		return
	}
	n = min(n, a.held)
	a.held -= n
	s.held -= n
	b.used -= n
	b.wakeLocked()
}
