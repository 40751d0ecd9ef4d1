package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// profileEnv names a file prefix: when set, the worker writes a CPU profile
// to PREFIX.cpu for its whole run and an allocation profile to PREFIX.alloc
// and a blocking profile to PREFIX.block when it stops. `tributary bench -profile DIR` sets it per scenario.
const profileEnv = "TRIBUTARY_PROFILE"

// startProfiles starts the profiles prefix asks for and returns the function
// that writes them; with an empty prefix both are no-ops.
func startProfiles(prefix string) func() {
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
	return func() {
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
