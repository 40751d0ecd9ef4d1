package membudget_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/membudget"
	"github.com/tributary-cdc/tributary/schema"
)

func TestFairShares(t *testing.T) {
	b := membudget.New(1000)
	s1, s2 := b.Share(), b.Share()
	if got := b.FairShare(); got != 500 {
		t.Fatalf("fair share of 2 = %d, want 500", got)
	}
	a1 := s1.Account()
	if ok, _ := a1.TryAcquire(400); !ok {
		t.Fatal("first 400 refused")
	}
	if ok, _ := a1.TryAcquire(200); ok {
		t.Fatal("600 of a 500 share taken")
	}
	// The other task's share is untouched by the first one's use.
	a2 := s2.Account()
	if ok, _ := a2.TryAcquire(300); !ok {
		t.Fatal("second share refused")
	}
	if ok, _ := a2.TryAcquire(200); !ok {
		t.Fatal("second share refused its last 200")
	}
	// One task leaves: the other's fair part grows to the whole budget,
	// less what is held.
	s2.Close()
	if ok, _ := a1.TryAcquire(200); !ok {
		t.Fatal("share did not grow after the other closed")
	}
	if used, peak := b.Used(); used != 600 || peak != 900 {
		t.Fatalf("used %d peak %d, want 600 and 900", used, peak)
	}
	a1.Release(600)
	if used, _ := b.Used(); used != 0 {
		t.Fatalf("used %d after release, want 0", used)
	}
}

// A record larger than the share still goes when its holder holds
// nothing, so one large record cannot wedge a task; the next waits.
func TestOversizedRecordProgresses(t *testing.T) {
	b := membudget.New(100)
	for range 9 {
		b.Share()
	}
	a := b.Share().Account() // fair part 10
	if ok, _ := a.TryAcquire(500); !ok {
		t.Fatal("record larger than the share refused while the account is empty")
	}
	ok, changed := a.TryAcquire(1)
	if ok {
		t.Fatal("second record taken beyond the share")
	}
	if n := b.Blocked(); n != 1 {
		t.Fatalf("%d tasks blocked, want the one refused", n)
	}
	a.Release(500)
	select {
	case <-changed:
	default:
		t.Fatal("release did not signal the waiter")
	}
	if ok, _ := a.TryAcquire(1); !ok {
		t.Fatal("refused after release")
	}
	if n := b.Blocked(); n != 0 {
		t.Fatalf("%d tasks blocked after the waiter was served, want 0", n)
	}
	// A task that stops while waiting is no longer blocked.
	s := b.Share()
	w := s.Account()
	w.TryAcquire(1)
	w.TryAcquire(1 << 20)
	if n := b.Blocked(); n != 1 {
		t.Fatalf("%d tasks blocked, want 1", n)
	}
	s.Close()
	if n := b.Blocked(); n != 0 {
		t.Fatalf("%d tasks blocked after the waiting one stopped, want 0", n)
	}
}

// Two holders of one task (queue and in-flight window): each goes when it
// holds nothing, so the window never waits for the queue to drain.
func TestHoldersOfOneShareDoNotDeadlock(t *testing.T) {
	b := membudget.New(100)
	s := b.Share()
	queue, window := s.Account(), s.Account()
	if ok, _ := queue.TryAcquire(100); !ok {
		t.Fatal("queue refused")
	}
	if ok, _ := window.TryAcquire(10); !ok {
		t.Fatal("empty window refused while the queue holds the share")
	}
}

// Many producers and consumers through a small budget: everything passes,
// and the budget is never exceeded by more than one record per holder.
func TestConcurrentBackpressure(t *testing.T) {
	const tasks, records, size, total = 8, 2000, 100, 4000
	b := membudget.New(total)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for range tasks {
		s := b.Share()
		a := s.Account()
		ch := make(chan int64, records)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range records {
				if err := a.Acquire(ctx, size); err != nil {
					t.Error(err)
					return
				}
				ch <- size
			}
			close(ch)
		}()
		go func() {
			defer wg.Done()
			for n := range ch {
				a.Release(n)
			}
		}()
	}
	wg.Wait()
	used, peak := b.Used()
	if used != 0 || peak > total+tasks*size {
		t.Fatalf("used %d, peak %d: want 0 and at most %d", used, peak, total+tasks*size)
	}
}

func TestAcquireEndsWithContext(t *testing.T) {
	b := membudget.New(10)
	a := b.Share().Account()
	a.TryAcquire(10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Acquire(ctx, 1); err == nil {
		t.Fatal("Acquire beyond the budget with a cancelled context returned nil")
	}
}

func TestUnboundedCounts(t *testing.T) {
	b := membudget.New(0)
	a := b.Share().Account()
	for range 3 {
		if ok, _ := a.TryAcquire(1 << 40); !ok {
			t.Fatal("unbounded budget refused")
		}
	}
	if used, _ := b.Used(); used != 3<<40 {
		t.Fatalf("used %d", used)
	}
}

func TestLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name   string
		v2, v1 string
		env    []string
		want   int64
		source membudget.Source
	}{
		{"v2 limit", write("v2", "268435456\n"), missing, []string{"GOMEMLIMIT=1GiB"}, 256 << 20, membudget.SourceCgroupV2},
		{"v2 max, v1 limit", write("v2max", "max\n"), write("v1", "536870912\n"), nil, 512 << 20, membudget.SourceCgroupV1},
		{"v1 unlimited", missing, write("v1max", "9223372036854771712\n"), []string{"GOMEMLIMIT=300MiB"}, 300 << 20, membudget.SourceGoMemLimit},
		{"none", missing, missing, []string{"HOME=/"}, 0, membudget.SourceNone},
		{"GOMEMLIMIT off", missing, missing, []string{"GOMEMLIMIT=off"}, 0, membudget.SourceNone},
		{"GOMEMLIMIT bytes", missing, missing, []string{"GOMEMLIMIT=1000000"}, 1000000, membudget.SourceGoMemLimit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, src, err := membudget.Limit([]string{tc.v2}, []string{tc.v1}, tc.env)
			if err != nil || got != tc.want || src != tc.source {
				t.Fatalf("Limit = %d %q %v, want %d %q", got, src, err, tc.want, tc.source)
			}
		})
	}
	if _, _, err := membudget.Limit([]string{write("bad", "lots")}, []string{missing}, nil); err == nil {
		t.Fatal("a malformed limit file was accepted")
	}
	if _, _, err := membudget.Limit([]string{missing}, []string{missing}, []string{"GOMEMLIMIT=1GB"}); err == nil {
		t.Fatal("GOMEMLIMIT=1GB (not a Go unit) was accepted")
	}
}

// The limit files of the process's cgroups: its own directory and each
// ancestor's, for the v2 unified line and the v1 memory controller's;
// only the root's without those lines. A path cannot leave the root.
func TestCgroupLimitFiles(t *testing.T) {
	for _, tc := range []struct {
		name, proc string
		v2, v1     []string
	}{
		{"none", "", []string{"/r/memory.max"}, []string{"/r/memory/memory.limit_in_bytes"}},
		{"v2", "0::/a/b\n", []string{"/r/a/b/memory.max", "/r/a/memory.max", "/r/memory.max"}, []string{"/r/memory/memory.limit_in_bytes"}},
		{"v2 root", "0::/\n", []string{"/r/memory.max"}, []string{"/r/memory/memory.limit_in_bytes"}},
		{"v1", "5:cpu:/x\n4:blkio,memory:/d/c\n", []string{"/r/memory.max"},
			[]string{"/r/memory/d/c/memory.limit_in_bytes", "/r/memory/d/memory.limit_in_bytes", "/r/memory/memory.limit_in_bytes"}},
		{"escape", "0::/../../etc\r\n", []string{"/r/etc/memory.max", "/r/memory.max"}, []string{"/r/memory/memory.limit_in_bytes"}},
		{"malformed", "garbage\n0:x\n", []string{"/r/memory.max"}, []string{"/r/memory/memory.limit_in_bytes"}},
	} {
		v2, v1 := membudget.CgroupLimitFiles("/r", []byte(tc.proc))
		if !slices.Equal(v2, tc.v2) || !slices.Equal(v1, tc.v1) {
			t.Errorf("%s: CgroupLimitFiles = %q, %q; want %q, %q", tc.name, v2, v1, tc.v2, tc.v1)
		}
	}
}

func FuzzCgroupLimitFiles(f *testing.F) {
	for _, s := range []string{"0::/a/b\n", "4:memory:/d\n", "0::/../..\n", "::\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v2, v1 := membudget.CgroupLimitFiles("/r", []byte(s))
		for _, p := range append(v2, v1...) {
			if !strings.HasPrefix(p, "/r/") {
				t.Fatalf("%q gives %q, outside the root", s, p)
			}
		}
	})
}

func FuzzParseGoMemLimit(f *testing.F) {
	for _, s := range []string{"off", "1GiB", "512MiB", "100", "1B", "9223372036854775807", "8TiB", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := membudget.ParseGoMemLimit(s)
		if err == nil && n < 0 {
			t.Fatalf("%q parsed to %d", s, n)
		}
	})
}

// SizeOf counts the boxes and headers that hold a value besides its
// bytes: ordered maps (hstore in map mode, sparse vectors) and maps alike.
func TestSizeOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want int64
	}{
		{"nil", nil, 0},
		{"string", "abcd", 16 + 4},
		{"bytes", []byte("ab"), 24 + 2},
		{"scalar", int64(7), 8},
		{"struct", &schema.Struct{Values: []any{"ab", int32(1), nil}}, 32 + 3*16 + (16 + 2) + 8},
		{"map", map[string]any{"k": int64(1)}, 48 + 40 + 1 + 8},
		{"ordered map", schema.OrderedMap{{Key: "abcd", Value: "xy"}, {Key: "e", Value: nil}}, 24 + 2*32 + 4 + (16 + 2) + 1},
		{"ordered pairs", schema.OrderedPairs{{Key: int16(1), Value: 1.0}}, 24 + 32 + 8 + 8},
		{"slice", []any{"a"}, 24 + 16 + 16 + 1},
	} {
		if got := membudget.SizeOf(tc.v); got != tc.want {
			t.Errorf("%s: SizeOf = %d, want %d", tc.name, got, tc.want)
		}
	}
}
