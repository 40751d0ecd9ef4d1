package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// taskStatusRecords counts the records of the status topic about each
// connector's task 0: every start and every stop of a task writes one.
func taskStatusRecords(t *testing.T, broker string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, m := range consume(t, broker, "connect-status") {
		if m.Key == nil {
			continue
		}
		if name, ok := strings.CutSuffix(strings.TrimPrefix(*m.Key, "status-task-"), "-0"); ok && name != *m.Key {
			out[name]++
		}
	}
	return out
}

// TestCooperativeRebalancingLeavesOtherTasksRunning runs twenty connectors
// on two workers under connect.protocol=compatible. Creating a connector and
// deleting one start and stop only that connector's task: every other task
// keeps running where it ran, with nothing written to its status history.
// A rolling restart of one worker moves only that worker's tasks.
// A worker killed with SIGKILL has its tasks reassigned to the survivor once
// scheduled.rebalance.max.delay.ms has passed, the survivor's own tasks
// still untouched, and no change is lost.
func TestCooperativeRebalancingLeavesOtherTasksRunning(t *testing.T) {
	pg := pgtest.Start(t)
	const n = 20
	var stmts []string
	for i := 1; i <= n+1; i++ {
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE t%d (id INTEGER PRIMARY KEY, v TEXT)`, i))
	}
	pg.Exec(t, stmts...)

	const maxDelay = 5 * time.Second
	group := []string{
		"CONNECT_SESSION_TIMEOUT_MS=6000",
		"CONNECT_HEARTBEAT_INTERVAL_MS=1000",
		"CONNECT_REBALANCE_TIMEOUT_MS=30000",
		"CONNECT_CONNECT_PROTOCOL=compatible",
		fmt.Sprintf("CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS=%d", maxDelay.Milliseconds()),
	}
	host := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: group})
	w2 := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: append([]string{"CONNECT_BOOTSTRAP_SERVERS=" + host.kafka}, group...)})
	workers := []*process{host, w2}

	create := func(w *process, i int) string {
		t.Helper()
		name := fmt.Sprintf("c%d", i)
		body := inventoryConfig(t, pg, func(c map[string]string) {
			c["topic.prefix"] = name
			c["slot.name"] = "slot_" + name
			c["publication.name"] = "pub_" + name
			c["table.include.list"] = fmt.Sprintf("public.t%d", i)
		})
		body = []byte(strings.Replace(string(body), `"name":"inventory"`, `"name":"`+name+`"`, 1))
		if code, resp := w.do("POST", "/connectors", body); code != http.StatusCreated {
			t.Fatalf("POST /connectors (%s) = %d %s", name, code, resp)
		}
		return name
	}
	var connectors []string
	for i := 1; i <= n; i++ {
		connectors = append(connectors, create(workers[i%2], i))
	}
	evenly := func(st clusterStatus) bool {
		per := map[string]int{}
		for _, w := range st.taskWorkers() {
			per[w]++
		}
		return len(per) == 2 && per[strings.TrimPrefix(host.rest, "http://")] == n/2
	}
	st := waitConsistent(t, workers, connectors, evenly)
	placed := st.taskWorkers()

	insert := func(from, to int) {
		t.Helper()
		var stmts []string
		for i := 1; i <= n; i++ {
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO t%d SELECT g, 'row ' || g FROM generate_series(%d, %d) g`, i, from, to))
		}
		pg.Exec(t, stmts...)
	}
	insert(1, 50)
	history := taskStatusRecords(t, host.kafka)

	// untouched checks that the given connectors' tasks run where they ran,
	// with no status record since history was taken.
	untouched := func(what string, names []string, st clusterStatus) {
		t.Helper()
		now := taskStatusRecords(t, host.kafka)
		where := st.taskWorkers()
		for _, name := range names {
			if now[name] != history[name] {
				t.Errorf("%s: task of %s has %d status records, had %d: it was stopped or restarted", what, name, now[name], history[name])
			}
			if where[name] != placed[name] {
				t.Errorf("%s: task of %s moved from %s to %s", what, name, placed[name], where[name])
			}
		}
	}

	// A new connector starts its task and nobody else's.
	extra := create(host, n+1)
	st = waitConsistent(t, workers, append(connectors, extra), func(clusterStatus) bool { return true })
	untouched("creating a connector", connectors, st)

	// Deleting it stops only its task.
	if code, resp := host.do("DELETE", "/connectors/"+extra, nil); code != http.StatusNoContent {
		t.Fatalf("DELETE /connectors/%s = %d %s", extra, code, resp)
	}
	st = waitConsistent(t, workers, connectors, func(clusterStatus) bool { return true })
	untouched("deleting a connector", connectors, st)

	// A rolling restart of w2: it leaves, its tasks wait for it, and it
	// takes them back when it returns; the host's tasks run on.
	hostID := strings.TrimPrefix(host.rest, "http://")
	var mine []string
	for name, w := range placed {
		if w == hostID {
			mine = append(mine, name)
		}
	}
	history = taskStatusRecords(t, host.kafka)
	w2.stop()
	w2 = startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: append([]string{"CONNECT_BOOTSTRAP_SERVERS=" + host.kafka}, group...)})
	workers = []*process{host, w2}
	st = waitConsistent(t, workers, connectors, evenly)
	untouched("restarting the other worker", mine, st)
	placed = st.taskWorkers()

	// w2 dies: its tasks wait for it for scheduled.rebalance.max.delay.ms
	// (after the session timeout lets the group notice), then move to the
	// host, whose own tasks run on.
	history = taskStatusRecords(t, host.kafka)
	killed := time.Now()
	w2.kill()
	insert(51, 100)
	st = waitConsistent(t, []*process{host}, connectors, func(clusterStatus) bool { return true })
	if waited := time.Since(killed); waited < maxDelay {
		t.Errorf("the dead worker's tasks moved %v after it died, before scheduled.rebalance.max.delay.ms (%v)", waited, maxDelay)
	}
	untouched("a worker dying", mine, st)

	for i := 1; i <= n; i++ {
		topic := fmt.Sprintf("c%d.public.t%d", i, i)
		waitFor(t, 90*time.Second, "every change of t"+fmt.Sprint(i), func() bool {
			got := map[int]bool{}
			for _, m := range consume(t, host.kafka, topic) {
				if ev := decodeEvent(t, m); ev.after != nil {
					got[int(ev.after["id"].(float64))] = true
				}
			}
			for id := 1; id <= 100; id++ {
				if !got[id] {
					return false
				}
			}
			return true
		})
	}
}
