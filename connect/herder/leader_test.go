package herder

import (
	"testing"
	"time"
)

// TestReconfigureBackoff: failed requests to the leader are tried again
// after DistributedHerder's exponential backoff, 250 ms doubling up to 60 s.
func TestReconfigureBackoff(t *testing.T) {
	for failures, want := range map[int]time.Duration{
		0: 250 * time.Millisecond, 1: 500 * time.Millisecond, 2: time.Second, 7: 32 * time.Second,
		8: time.Minute, 9: time.Minute, 1000: time.Minute,
	} {
		if got := reconfigureBackoff(failures); got != want {
			t.Errorf("after %d failures: %v, want %v", failures, got, want)
		}
	}
}
