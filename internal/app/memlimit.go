package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect/membudget"
)

// Without a worker memory budget the worker's buffers are bounded per task
// (the connector's queue, the records in flight to Kafka and their
// offsets), so its live heap grows with the number of tasks it runs: about
// 20 MB plus up to 50 MB per task with the default bounds. Unless
// GOMEMLIMIT is set, the worker then keeps Go's soft memory limit at
// memoryBase + memoryPerTask × max(tasks, 1): the garbage collector works
// harder as the heap nears that bound instead of letting it double. The
// limit is soft: a heap that needs more gets it, at the cost of more
// collection.
const (
	memoryBase    = 64 << 20
	memoryPerTask = 64 << 20
)

// With a worker memory budget (memory.budget.bytes) the records every task
// holds are bounded together, and the soft limit is fixed: memoryOverhead +
// 2 × budget at most. memoryOverhead is what the worker needs besides the records
// it holds (the Go runtime, the Kafka clients and internal topics, the REST
// API, each task's connections and caches); the budget counts each record
// by an estimate of the memory it holds where it is held (decoded in its
// task's queue, encoded in flight), and the collector needs room to work:
// twice the budget covers that and the garbage of a burst. A budget derived from a memory limit L is therefore
// (L − memoryOverhead) / 2, so that the process stays under L.
//
// Go's soft limit covers the memory the Go runtime manages; the resident
// set also holds what it does not (the executable's pages, the kernel's
// accounting of mappings): memoryOutsideGo of the overhead is kept for
// that, so the soft limit is memoryOverhead − memoryOutsideGo + 2 × budget.
const (
	memoryOverhead  = 96 << 20
	memoryOutsideGo = 32 << 20
	minMemoryBudget = 8 << 20
)

// softLimitFor is Go's soft memory limit with a budget of b bytes.
func softLimitFor(b int64) int64 { return memoryOverhead - memoryOutsideGo + 2*b }

// cgroupRootEnv names a directory read instead of /sys/fs/cgroup for the
// container's memory limit (memory.max, memory/memory.limit_in_bytes, in
// the directories /proc/self/cgroup names below it).
const cgroupRootEnv = "TRIBUTARY_CGROUP_ROOT"

// readProcCgroup is /proc/self/cgroup, nil where there is none.
func readProcCgroup() ([]byte, error) {
	b, err := os.ReadFile(membudget.ProcSelfCgroup)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("deriving the memory budget: %w", err)
	}
	return b, nil
}

// memorySetup is the worker's memory budget and Go's soft limit.
type memorySetup struct {
	// budget is nil when the worker runs without one.
	budget *membudget.Budget
	// onTaskCount is called with the number of running tasks.
	onTaskCount func(tasks int)
}

// setupMemory applies memory.budget.bytes (prop): -1 derives the budget from
// the memory limit of the process's cgroup (procCgroup is what
// /proc/self/cgroup reads) or GOMEMLIMIT, 0 runs without one. It sets Go's
// soft limit at once, unless GOMEMLIMIT is in environ: the runtime's own
// setting then stands.
func setupMemory(prop int64, environ []string, procCgroup []byte, log *slog.Logger) (memorySetup, error) {
	goMemLimit := false
	root := membudget.CgroupRoot
	for _, kv := range environ {
		if strings.HasPrefix(kv, "GOMEMLIMIT=") {
			goMemLimit = true
		}
		if v, ok := strings.CutPrefix(kv, cgroupRootEnv+"="); ok && v != "" {
			root = v
		}
	}
	budget := prop
	if prop < 0 {
		v2, v1 := membudget.CgroupLimitFiles(root, procCgroup)
		limit, source, err := membudget.Limit(v2, v1, environ)
		if err != nil {
			return memorySetup{}, fmt.Errorf("deriving the memory budget: %w", err)
		}
		budget = 0
		if limit > 0 {
			budget = max((limit-memoryOverhead)/2, minMemoryBudget)
			log.Info("memory budget derived from the memory limit", "limit_bytes", limit, "source", string(source),
				"budget_bytes", budget, "soft_limit_bytes", softLimitFor(budget))
		}
	} else if prop > 0 {
		log.Info("memory budget", "budget_bytes", budget, "soft_limit_bytes", softLimitFor(budget))
	}
	if budget == 0 {
		return memorySetup{onTaskCount: perTaskLimiter(goMemLimit)}, nil
	}
	if !goMemLimit {
		debug.SetMemoryLimit(softLimitFor(budget))
	}
	return memorySetup{budget: membudget.New(budget), onTaskCount: func(int) {}}, nil
}

// perTaskLimiter returns the function to call with the number of running
// tasks when there is no worker budget; it sets the initial limit at once.
// With GOMEMLIMIT set the function does nothing.
func perTaskLimiter(goMemLimit bool) func(tasks int) {
	if goMemLimit {
		return func(int) {}
	}
	set := func(tasks int) { debug.SetMemoryLimit(memoryLimitFor(tasks)) }
	set(0)
	return set
}

func memoryLimitFor(tasks int) int64 {
	return memoryBase + memoryPerTask*int64(max(tasks, 1))
}

// returnInterval is how often returnMemory looks at the budget.
const returnInterval = 5 * time.Second

// returnMemory gives the heap's free pages back to the operating system
// after a burst: when the budget held more than half its total since the
// last look and holds less than an eighth now. Go's background scavenger
// only returns memory above the soft limit quickly; below it, pages freed
// by a burst stay resident for minutes. It returns when ctx ends.
func returnMemory(ctx context.Context, b *membudget.Budget, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		used, peak := b.Used()
		if peak > b.Total()/2 && used < b.Total()/8 {
			debug.FreeOSMemory()
			b.ResetPeak()
		}
	}
}
