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
	m, err := setupMemory(-1, []string{"HOME=/root", noCgroup}, nil, log)
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
	m, err = setupMemory(0, []string{"GOMEMLIMIT=1GiB"}, nil, log)
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
	m, err := setupMemory(-1, []string{cgroupRootEnv + "=" + root}, nil, log)
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
	m, err = setupMemory(32<<20, []string{cgroupRootEnv + "=" + root}, nil, log)
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
	if _, err := setupMemory(-1, []string{cgroupRootEnv + "=" + root}, nil, log); err == nil {
		t.Fatal("malformed memory.max accepted")
	}
}

// The limit is the one of the process's own cgroup, as /proc/self/cgroup
// names it under the cgroup root, or of an ancestor when that is smaller:
// cgroup v2's unified line, else cgroup v1's memory controller.
func TestMemoryBudgetFromOwnCgroup(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	log := slog.New(slog.DiscardHandler)
	root := t.TempDir()
	write := func(path, limit string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(limit+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{cgroupRootEnv + "=" + root}
	budgetOf := func(procCgroup string) int64 {
		t.Helper()
		m, err := setupMemory(-1, env, []byte(procCgroup), log)
		if err != nil {
			t.Fatal(err)
		}
		if m.budget == nil {
			return 0
		}
		return m.budget.Total()
	}
	derived := func(limit int64) int64 { return (limit - memoryOverhead) / 2 }

	// cgroup v2: the root's memory.max sets no limit, the process's does.
	write(filepath.Join(root, "memory.max"), "max")
	write(filepath.Join(root, "kubepods", "pod1", "c1", "memory.max"), "536870912")
	v2 := "0::/kubepods/pod1/c1\n"
	if got := budgetOf(v2); got != derived(512<<20) {
		t.Fatalf("v2 budget %d, want %d from the process's own memory.max", got, derived(512<<20))
	}
	// A parent's smaller limit bounds it.
	write(filepath.Join(root, "kubepods", "pod1", "memory.max"), "268435456")
	if got := budgetOf(v2); got != derived(256<<20) {
		t.Fatalf("v2 budget %d, want %d from the parent's memory.max", got, derived(256<<20))
	}
	// Another cgroup's limit does not apply.
	if got := budgetOf("0::/system.slice/other\n"); got != 0 {
		t.Fatalf("budget %d from a cgroup the process is not in", got)
	}

	// cgroup v1: the memory controller's line, among the others.
	v1root := t.TempDir()
	env = []string{cgroupRootEnv + "=" + v1root}
	write(filepath.Join(v1root, "memory", "memory.limit_in_bytes"), "9223372036854771712")
	write(filepath.Join(v1root, "memory", "docker", "abc", "memory.limit_in_bytes"), "402653184")
	write(filepath.Join(v1root, "cpu", "docker", "abc", "memory.limit_in_bytes"), "1")
	v1 := "12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/\n"
	if got := budgetOf(v1); got != derived(384<<20) {
		t.Fatalf("v1 budget %d, want %d from the memory controller's cgroup", got, derived(384<<20))
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
