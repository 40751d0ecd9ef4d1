package herder

import (
	"context"
	"sync"
	"time"
)

// DefaultHealthTimeout is how long the health check waits for the herder,
// as Kafka Connect's health check timeout.
const DefaultHealthTimeout = 10 * time.Second

// Health states, as GET /health reports them.
const (
	HealthHealthy   = "healthy"
	HealthStarting  = "starting"
	HealthUnhealthy = "unhealthy"
)

// stages tracks the herder's long operations, so that the health check can
// tell a stuck herder and say what it is stuck on.
type stages struct {
	mu     sync.Mutex
	next   int
	active map[int]stage
}

type stage struct {
	desc  string
	since time.Time
}

// begin records an operation in progress; the returned func ends it.
func (s *stages) begin(desc string) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active == nil {
		s.active = map[int]stage{}
	}
	id := s.next
	s.next++
	s.active[id] = stage{desc: desc, since: time.Now()}
	return func() {
		s.mu.Lock()
		delete(s.active, id)
		s.mu.Unlock()
	}
}

// oldest returns the operation in progress for the longest time.
func (s *stages) oldest() (stage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out stage
	found := false
	for _, st := range s.active {
		if !found || st.since.Before(out.since) {
			out, found = st, true
		}
	}
	return out, found
}

func (st stage) detail() string { return "The worker is currently " + st.desc + "." }

// Health answers GET /health: HealthStarting until the worker has read the
// config topic and received its first assignment, then
// HealthUnhealthy if the herder cannot take its lock within the health
// timeout or an operation has been running for longer, else HealthHealthy.
// detail says what the worker is doing when it is not healthy.
func (h *Herder) Health(ctx context.Context) (status, detail string) {
	if !h.ready.Load() {
		if st, ok := h.stages.oldest(); ok {
			return HealthStarting, st.detail()
		}
		return HealthStarting, ""
	}
	timeout := h.cfg.HealthTimeout
	if timeout <= 0 {
		timeout = DefaultHealthTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !h.mu.TryLock() {
		select {
		case <-ctx.Done():
			if st, ok := h.stages.oldest(); ok {
				return HealthUnhealthy, st.detail()
			}
			return HealthUnhealthy, ""
		case <-tick.C:
		}
	}
	h.mu.Unlock()
	if st, ok := h.stages.oldest(); ok && time.Since(st.since) > timeout {
		return HealthUnhealthy, st.detail()
	}
	return HealthHealthy, ""
}
