package app

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestMemoryLimiter(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	debug.SetMemoryLimit(math.MaxInt64)
	set := memoryLimiter([]string{"HOME=/root"})
	if got := debug.SetMemoryLimit(-1); got != 128<<20 {
		t.Fatalf("initial limit = %d, want 128 MiB", got)
	}
	set(3)
	if got := debug.SetMemoryLimit(-1); got != 256<<20 {
		t.Fatalf("limit with 3 tasks = %d, want 256 MiB", got)
	}
	set(0)
	if got := debug.SetMemoryLimit(-1); got != 128<<20 {
		t.Fatalf("limit with no task = %d, want 128 MiB", got)
	}

	// GOMEMLIMIT set by the user stands.
	debug.SetMemoryLimit(math.MaxInt64)
	memoryLimiter([]string{"GOMEMLIMIT=1GiB"})(5)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("limit with GOMEMLIMIT set = %d, want it untouched", got)
	}
}
