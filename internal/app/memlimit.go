package app

import (
	"runtime/debug"
	"strings"
)

// The worker's buffers are bounded per task (the connector's queue, the
// records in flight to Kafka and their offsets), so its live heap grows
// with the number of tasks it runs: about 20 MB plus up to 50 MB per task
// with the default budgets. Unless GOMEMLIMIT is set, the worker keeps Go's
// soft memory limit at memoryBase + memoryPerTask × max(tasks, 1): the
// garbage collector then works harder as the heap nears that bound instead
// of letting it double, which keeps one task's worker under 150 MB of
// resident memory (BENCHMARKS.md). The limit is soft: a heap that needs more
// gets it, at the cost of more collection.
const (
	memoryBase    = 64 << 20
	memoryPerTask = 64 << 20
)

// memoryLimiter returns the function to call with the number of running
// tasks; it sets the initial limit at once. With GOMEMLIMIT in environ the
// runtime's own setting stands and the function does nothing.
func memoryLimiter(environ []string) func(tasks int) {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "GOMEMLIMIT=") {
			return func(int) {}
		}
	}
	set := func(tasks int) { debug.SetMemoryLimit(memoryLimitFor(tasks)) }
	set(0)
	return set
}

func memoryLimitFor(tasks int) int64 {
	return memoryBase + memoryPerTask*int64(max(tasks, 1))
}
