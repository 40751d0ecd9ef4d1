package profile

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// Env names a file prefix: when set, the worker writes a CPU profile
// to PREFIX.cpu for its whole run, an allocation profile to PREFIX.alloc and
// a blocking profile to PREFIX.block when it stops, and PREFIX.heap, the heap
// profile taken when the most heap was in use (sampled twice a second).
// `tributary bench -profile DIR` sets it per scenario.
const Env = "TRIBUTARY_PROFILE"

// Start starts the profiles prefix asks for and returns the function
// that writes them; with an empty prefix both are no-ops.
func Start(prefix string) func() {
	if prefix == "" {
		return func() {}
	}
	cpu, err := os.Create(prefix + ".cpu")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tributary: creating CPU profile:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		fmt.Fprintln(os.Stderr, "tributary: starting CPU profile:", err)
		_ = cpu.Close()
		return func() {}
	}
	runtime.SetBlockProfileRate(int(time.Millisecond))
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { // owned by the returned function, which stops it first
		defer close(stopped)
		watchPeakHeap(prefix+".heap", stop)
	}()
	return func() {
		close(stop)
		<-stopped
		pprof.StopCPUProfile()
		if b, err := os.Create(prefix + ".block"); err == nil {
			_ = pprof.Lookup("block").WriteTo(b, 0)
			_ = b.Close()
		}
		_ = cpu.Close()
		f, err := os.Create(prefix + ".alloc")
		if err != nil {
			fmt.Fprintln(os.Stderr, "tributary: creating allocation profile:", err)
			return
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintln(os.Stderr, "tributary: writing allocation profile:", err)
		}
	}
}

// watchPeakHeap rewrites path with a heap profile whenever the live heap
// after a collection is larger than at any earlier sample, until stop is
// closed.
func watchPeakHeap(path string, stop <-chan struct{}) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 || sample[0].Value.Uint64() <= peak {
			continue
		}
		peak = sample[0].Value.Uint64()
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tributary: creating heap profile:", err)
			return
		}
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tributary: writing heap profile:", err)
			return
		}
	}
}
