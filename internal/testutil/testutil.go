// Package testutil holds what the project's tests share: polling for a
// condition with a deadline (never sleeping a fixed time as
// synchronisation), building the tributary binary once per test process,
// and skipping tests that need external systems under -short.
package testutil

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// PollInterval is how often Eventually checks its condition.
const PollInterval = 20 * time.Millisecond

// Eventually calls cond until it returns nil, and fails the test if it has
// not after timeout, with the last error cond returned.
func Eventually(tb testing.TB, timeout time.Duration, what string, cond func() error) {
	tb.Helper()
	if err := Poll(timeout, cond); err != nil {
		tb.Fatalf("timed out after %s waiting for %s: %v", timeout, what, err)
	}
}

// Poll calls cond until it returns nil or timeout passes, and returns the
// last error cond returned.
func Poll(timeout time.Duration, cond func() error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(PollInterval)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return nil
		}
		select {
		case <-deadline.C:
			return err
		case <-tick.C:
		}
	}
}

// Until adapts a boolean condition to Eventually: false becomes an error
// saying what is not yet true.
func Until(what string, cond func() bool) func() error {
	return func() error {
		if cond() {
			return nil
		}
		return fmt.Errorf("%s: not yet", what)
	}
}

// NeedsExternal skips the test under -short: it needs PostgreSQL, kcat,
// node or a built binary. `go test -short ./...` runs the rest.
func NeedsExternal(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("needs PostgreSQL, kcat, node or the built binary; skipped under -short")
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds the tributary command once per test process and returns
// its path. Tests that run the binary are skipped under -short.
func Binary(tb testing.TB) string {
	tb.Helper()
	NeedsExternal(tb)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tributary-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "tributary")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/tributary-cdc/tributary").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// AllocCeiling fails the test when f allocates more than ceiling times per
// call on average (testing.AllocsPerRun). It guards a per-event path: the
// ceiling is what the path needs today, with a comment at the call naming
// what allocates. Under the race detector the counts are not the program's
// (its sync.Pool drops items), so the test is skipped there; make test runs
// the ceilings without it.
func AllocCeiling(tb testing.TB, ceiling float64, f func()) {
	tb.Helper()
	if RaceEnabled {
		tb.Skip("allocation counts differ under the race detector; make test-allocs checks them")
	}
	if n := testing.AllocsPerRun(200, f); n > ceiling {
		tb.Errorf("%v allocations per call, ceiling %v", n, ceiling)
	}
}

// TrickleBody opens a connection to addr, sends head (a request line,
// headers announcing a long body, and perhaps its start) and then one byte
// of body every 20 ms, as a slow or malicious client does, until the
// connection fails. The caller reads conn to see the server end it, closes
// conn, and then waits for done.
func TrickleBody(tb testing.TB, addr, head string) (conn net.Conn, done <-chan struct{}) {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	if _, err := io.WriteString(conn, head); err != nil {
		tb.Fatal(err)
	}
	trickled := make(chan struct{})
	go func() { // ends when the connection fails: closed by the server or the caller
		defer close(trickled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			if _, err := conn.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	return conn, trickled
}
