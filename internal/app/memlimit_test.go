package app

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/membudget"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

func TestMemoryLimiterWithoutBudget(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.DiscardHandler)
	noCgroup := cgroupRootEnv + "=" + t.TempDir()

	debug.SetMemoryLimit(math.MaxInt64)
	m, err := setupMemory(-1, []string{"HOME=/root", noCgroup}, log)
	if err != nil || m.budget != nil {
		t.Fatalf("setupMemory without a limit = %+v, %v; want no budget", m, err)
	}
	if got := debug.SetMemoryLimit(-1); got != 128<<20 {
		t.Fatalf("initial limit = %d, want 128 MiB", got)
	}
	m.onTaskCount(3)
	if got := debug.SetMemoryLimit(-1); got != 256<<20 {
		t.Fatalf("limit with 3 tasks = %d, want 256 MiB", got)
	}
	m.onTaskCount(0)
	if got := debug.SetMemoryLimit(-1); got != 128<<20 {
		t.Fatalf("limit with no task = %d, want 128 MiB", got)
	}

	// memory.budget.bytes=0 turns the budget off whatever the limit.
	m, err = setupMemory(0, []string{"GOMEMLIMIT=1GiB"}, log)
	if err != nil || m.budget != nil {
		t.Fatalf("setupMemory(0) = %+v, %v; want no budget", m, err)
	}
	// GOMEMLIMIT set by the user stands.
	debug.SetMemoryLimit(math.MaxInt64)
	m.onTaskCount(5)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("limit with GOMEMLIMIT set = %d, want it untouched", got)
	}
}

// The budget follows the container's limit: (limit − overhead) / 2, and the
// soft limit is the container's limit less what Go does not manage.
func TestMemoryBudgetFromCgroup(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.DiscardHandler)
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "memory.max"), []byte("268435456\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := setupMemory(-1, []string{cgroupRootEnv + "=" + root}, log)
	if err != nil || m.budget == nil {
		t.Fatalf("setupMemory = %+v, %v", m, err)
	}
	if got, want := m.budget.Total(), int64((256<<20-memoryOverhead)/2); got != want {
		t.Fatalf("budget %d, want %d", got, want)
	}
	if got := debug.SetMemoryLimit(-1); got != 256<<20-memoryOutsideGo {
		t.Fatalf("soft limit %d, want the cgroup's 256 MiB less %d", got, memoryOutsideGo)
	}
	// The soft limit does not move with the number of tasks.
	m.onTaskCount(40)
	if got := debug.SetMemoryLimit(-1); got != 256<<20-memoryOutsideGo {
		t.Fatalf("soft limit with 40 tasks %d, want it unchanged", got)
	}

	// An explicit budget wins over the limit.
	m, err = setupMemory(32<<20, []string{cgroupRootEnv + "=" + root}, log)
	if err != nil || m.budget == nil || m.budget.Total() != 32<<20 {
		t.Fatalf("setupMemory(32 MiB) = %+v, %v", m, err)
	}
	if got := debug.SetMemoryLimit(-1); got != softLimitFor(32<<20) {
		t.Fatalf("soft limit %d, want %d", got, softLimitFor(32<<20))
	}

	// A malformed limit file stops the worker rather than being ignored.
	if err := os.WriteFile(filepath.Join(root, "memory.max"), []byte("lots\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := setupMemory(-1, []string{cgroupRootEnv + "=" + root}, log); err == nil {
		t.Fatal("malformed memory.max accepted")
	}
}

// After a burst (the budget held more than half its total, now less than an
// eighth) returnMemory frees the heap's pages and starts a new peak.
func TestReturnMemoryAfterBurst(t *testing.T) {
	b := membudget.New(100)
	a := b.Share().Account()
	a.TryAcquire(80)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		returnMemory(ctx, b, 10*time.Millisecond)
	}()
	defer func() { cancel(); <-done }()
	a.Release(70) // 10 held: below an eighth (12)
	testutil.Eventually(t, time.Minute, "the peak to be reset after the burst", func() error {
		if _, peak := b.Used(); peak != 10 {
			return fmt.Errorf("peak %d", peak)
		}
		return nil
	})
}
