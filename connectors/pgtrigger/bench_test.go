package pgtrigger_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/pgtrigger"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// taskContext is the runtime's side of a task for the benchmark: the
// stored offset, set by the test.
type taskContext struct{ stored map[string]any }

func (c *taskContext) Offset(context.Context, map[string]any) (map[string]any, error) {
	return c.stored, nil
}

func (*taskContext) Logger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// pgbenchTPS runs pgbench's TPC-B-like script and returns its TPS.
func pgbenchTPS(t *testing.T, pg *pgtest.Server, args ...string) float64 {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), filepath.Join(pg.BinDir(), "pgbench"),
		append([]string{"-h", pg.Host(), "-p", strconv.Itoa(pg.Port()), "-U", "postgres"}, append(args, "postgres")...)...)
	// Without waiting for each commit's WAL flush, the runs measure the
	// work of the transactions, not the disk.
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c synchronous_commit=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %v: %v\n%s", args, err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return 0
	}
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return tps
}

func queued(t *testing.T, pg *pgtest.Server) int {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), filepath.Join(pg.BinDir(), "psql"), "-h", pg.Host(), "-p", strconv.Itoa(pg.Port()),
		"-U", "postgres", "-At", "-c", "SELECT count(*) FROM tributary_cdc.bench", "postgres").CombinedOutput()
	if err != nil {
		t.Fatalf("counting the queue: %v\n%s", err, out)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTriggerBench measures the write overhead of the capture triggers
// (pgbench's TPC-B-like transactions, TPS without and with them) and the
// rate at which the task delivers a backlog of queued changes through
// Poll. `make bench-trigger` runs it for TRIGGER_BENCH_SECONDS (default 30)
// per pgbench run and writes the figures into BENCHMARKS.md; `make test`
// runs it for 2 seconds and checks only that every queued change is
// delivered.
func TestTriggerBench(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL and pgbench")
	}
	seconds := 2
	if s, err := strconv.Atoi(os.Getenv("TRIGGER_BENCH_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	pg := pgtest.Start(t)
	pgbenchTPS(t, pg, "-i", "-q", "-s", "1")
	run := []string{"-n", "-c", "2", "-j", "2", "-T", strconv.Itoa(seconds)}
	without := pgbenchTPS(t, pg, run...)

	config := map[string]string{
		"connector.class":    pgtrigger.ConnectorClass,
		"topic.prefix":       "bench",
		"database.hostname":  pg.Host(),
		"database.port":      strconv.Itoa(pg.Port()),
		"database.user":      "postgres",
		"database.dbname":    "postgres",
		"snapshot.mode":      "no_data",
		"table.include.list": "public.pgbench_.*",
		"max.batch.size":     "2048",
		"max.queue.size":     "8192",
	}
	// A first start installs the triggers and stores its position (the
	// position marker of its first, empty, round); the task is stopped
	// while pgbench runs, so the queue holds a backlog.
	tc := &taskContext{}
	task := pgtrigger.New().NewTask()
	if err := task.Start(t.Context(), tc, config); err != nil {
		t.Fatal(err)
	}
	for tc.stored == nil {
		recs, err := task.Poll(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			tc.stored = r.SourceOffset
		}
	}
	if err := task.Stop(); err != nil {
		t.Fatal(err)
	}
	with := pgbenchTPS(t, pg, run...)
	backlog := queued(t, pg)

	task = pgtrigger.New().NewTask()
	if err := task.Start(t.Context(), tc, config); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	t.Cleanup(func() { _ = task.Stop() })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	events := 0
	var last connect.SourceRecord
	for events < backlog {
		recs, err := task.Poll(ctx)
		if err != nil {
			t.Fatalf("polling after %d of %d events: %v", events, backlog, err)
		}
		for _, r := range recs {
			if r.Topic != "" && r.Value != nil {
				events++
				last = r
			}
		}
	}
	elapsed := time.Since(begin)
	if last.SourceOffset == nil {
		t.Fatal("no event delivered")
	}
	if err := task.Commit(ctx, last.SourcePartition, last.SourceOffset); err != nil {
		t.Fatal(err)
	}
	rate := float64(events) / elapsed.Seconds()
	report := fmt.Sprintf(`Measured %s on %d CPUs, %s, PostgreSQL from %s; TRIGGER_BENCH_SECONDS=%d.

| Measure | Result |
|---|---|
| pgbench TPC-B-like, 2 clients, scale 1, synchronous_commit=off, no triggers | %.0f TPS |
| the same with the capture triggers on the 4 pgbench tables | %.0f TPS (%.2f×) |
| trigger capture: a backlog of %d queued changes delivered through Poll | %.0f events/s (%.2f s) |
`, time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), runtime.Version(), pg.BinDir(), seconds,
		without, with, with/without, backlog, rate, elapsed.Seconds())
	t.Log("\n" + report)
	if path := os.Getenv("TRIGGER_BENCH_OUT"); path != "" {
		if err := writeSection(path, report); err != nil {
			t.Fatal(err)
		}
	}
}

// writeSection replaces the text between the trigger bench markers.
func writeSection(path, body string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	begin, end := "<!-- trigger bench begin -->", "<!-- trigger bench end -->"
	text := string(old)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		return fmt.Errorf("markers %s … %s not found in %s", begin, end, path)
	}
	return os.WriteFile(path, []byte(text[:i]+begin+"\n"+body+text[j:]), 0o644)
}
