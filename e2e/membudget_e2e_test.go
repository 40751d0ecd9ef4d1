package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

// budgetScenario sizes TestEndToEndMemoryBudget: a small one in make test,
// Issue-size (40 tasks × 5,000 rows under a 256 MiB limit) with
// MEMORY_BUDGET_SCALE=1 (make budget-scale).
type budgetScenario struct {
	tasks, rows int
	payload     int   // bytes of each row's text column
	limit       int64 // the cgroup memory.max the worker reads
}

func memoryBudgetScenario() budgetScenario {
	if os.Getenv("MEMORY_BUDGET_SCALE") != "" {
		return budgetScenario{tasks: 40, rows: 5000, payload: 1000, limit: 256 << 20}
	}
	return budgetScenario{tasks: 10, rows: 2000, payload: 1000, limit: 128 << 20}
}

// TestEndToEndMemoryBudget: busy tasks under a small worker memory budget.
// The worker derives its budget from a cgroup-style memory.max the test
// writes (TRIBUTARY_CGROUP_ROOT), runs against a broker in its own process
// (a tributary with no connectors, as the broker-outage scenario starts
// one), and every table receives a burst at once. Everything is delivered,
// and the worker's peak resident memory (VmHWM) stays within the limit:
// the budget twice over plus the documented fixed overhead.
func TestEndToEndMemoryBudget(t *testing.T) {
	sc := memoryBudgetScenario()
	slots := strconv.Itoa(sc.tasks + 5)
	pg := pgtest.Start(t, "max_replication_slots="+slots, "max_wal_senders="+slots, "max_connections=200")
	var ddl []string
	for i := 1; i <= sc.tasks; i++ {
		ddl = append(ddl, fmt.Sprintf("CREATE TABLE public.b%d (id int PRIMARY KEY, payload text)", i))
	}
	pg.Exec(t, ddl...)

	cgroup := t.TempDir()
	if err := os.WriteFile(filepath.Join(cgroup, "memory.max"), []byte(strconv.FormatInt(sc.limit, 10)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	host := startWorker(t, brokerHostEnv(filepath.Join(t.TempDir(), "broker"), freePort(t)))
	w := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: []string{
		"CONNECT_BOOTSTRAP_SERVERS=" + host.kafka,
		"TRIBUTARY_CGROUP_ROOT=" + cgroup,
	}})
	// The budget follows the limit file: (limit − 96 MiB overhead) / 2.
	wantBudget := strconv.FormatInt((sc.limit-96<<20)/2, 10)
	if got := logAttr(w.log(), "memory budget derived from the memory limit", "budget_bytes"); got != wantBudget {
		t.Fatalf("budget_bytes = %q, want %s from memory.max = %d", got, wantBudget, sc.limit)
	}

	for i := 1; i <= sc.tasks; i++ {
		name := fmt.Sprintf("b%d", i)
		createConnector(t, w, connectorJSON(t, name, pg, name, "public."+name, map[string]string{"snapshot.mode": "no_data"}))
	}
	for i := 1; i <= sc.tasks; i++ {
		name := fmt.Sprintf("b%d", i)
		waitFor(t, 3*time.Minute, name+" streaming", func() bool {
			state, _ := taskStatus(t, w, name)
			return state == "RUNNING" && pgCount(t, pg, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1 AND active", "slot_"+name) == 1
		})
	}

	// The burst: every table at once, each in one transaction.
	start := time.Now()
	burst := make(chan error, sc.tasks)
	for i := 1; i <= sc.tasks; i++ {
		go func() {
			burst <- pg.Server.Exec(t.Context(), fmt.Sprintf(
				"INSERT INTO public.b%d SELECT g, repeat(md5(g::text), %d) FROM generate_series(1, %d) g", i, sc.payload/32, sc.rows))
		}()
	}
	for range sc.tasks {
		if err := <-burst; err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= sc.tasks; i++ {
		topic := fmt.Sprintf("b%d.public.b%d", i, i)
		waitFor(t, 10*time.Minute, "all rows on "+topic, func() bool {
			n, err := kcatOffsets(host.kafka, topic)
			return err == nil && n >= int64(sc.rows)
		})
	}
	elapsed := time.Since(start)
	hwm := vmHWM(t, w.cmd.Process.Pid)
	total := sc.tasks * sc.rows
	t.Logf("%d tasks × %d rows of %d bytes under memory.max = %d MiB: delivered in %v (%.0f rows/s), worker VmHWM %d MiB",
		sc.tasks, sc.rows, sc.payload, sc.limit>>20, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds(), hwm>>20)
	if hwm > sc.limit {
		t.Fatalf("worker VmHWM %d MiB above its memory limit %d MiB (budget %s bytes)", hwm>>20, sc.limit>>20, wantBudget)
	}
	// Once the burst is over the worker gives the memory back.
	testutil.Eventually(t, 2*time.Minute, "memory returned after the burst", func() error {
		if rss := procStatus(t, w.cmd.Process.Pid, "VmRSS"); rss > hwm*3/4 {
			return fmt.Errorf("VmRSS %d MiB, peak %d MiB", rss>>20, hwm>>20)
		}
		return nil
	})
	// Every row, once: one topic read in full.
	ids := map[string]int{}
	for _, m := range consume(t, host.kafka, "b1.public.b1") {
		if m.Key != nil {
			ids[*m.Key]++
		}
	}
	if len(ids) != sc.rows {
		t.Fatalf("b1 delivered %d distinct keys, want %d", len(ids), sc.rows)
	}
	w.stop()
	host.stop()
}

// vmHWM is the peak resident set of process pid, from /proc/<pid>/status.
func vmHWM(t *testing.T, pid int) int64 { return procStatus(t, pid, "VmHWM") }

// procStatus is a kB field of /proc/<pid>/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/<pid>/status", field)
	return 0
}
