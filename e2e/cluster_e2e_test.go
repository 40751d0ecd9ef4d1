package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// clusterStatus is the part of GET /connectors?expand=status the cluster
// test compares across workers.
type clusterStatus map[string]struct {
	Status struct {
		Connector struct {
			State    string `json:"state"`
			WorkerID string `json:"worker_id"`
		} `json:"connector"`
		Tasks []struct {
			ID       int    `json:"id"`
			State    string `json:"state"`
			WorkerID string `json:"worker_id"`
		} `json:"tasks"`
	} `json:"status"`
}

func (w *process) clusterStatus() clusterStatus {
	w.t.Helper()
	code, body := w.do("GET", "/connectors?expand=status", nil)
	if code != http.StatusOK {
		w.t.Fatalf("GET /connectors?expand=status on %s = %d %s", w.rest, code, body)
	}
	var st clusterStatus
	if err := json.Unmarshal(body, &st); err != nil {
		w.t.Fatal(err)
	}
	return st
}

// settled reports whether every connector and task of st is RUNNING on one
// of the given workers.
func (st clusterStatus) settled(connectors []string, workers map[string]bool) bool {
	if len(st) != len(connectors) {
		return false
	}
	for _, name := range connectors {
		s, ok := st[name]
		if !ok || s.Status.Connector.State != "RUNNING" || !workers[s.Status.Connector.WorkerID] || len(s.Status.Tasks) != 1 {
			return false
		}
		for _, task := range s.Status.Tasks {
			if task.State != "RUNNING" || !workers[task.WorkerID] {
				return false
			}
		}
	}
	return true
}

// taskWorkers maps each connector to the worker running its task.
func (st clusterStatus) taskWorkers() map[string]string {
	out := map[string]string{}
	for name, s := range st {
		for _, task := range s.Status.Tasks {
			out[name] = task.WorkerID
		}
	}
	return out
}

// waitConsistent waits until every worker in ws reports the same status, in
// which everything runs on ws and spread holds, and returns it.
func waitConsistent(t *testing.T, ws []*process, connectors []string, spread func(clusterStatus) bool) clusterStatus {
	t.Helper()
	alive := map[string]bool{}
	for _, w := range ws {
		alive[strings.TrimPrefix(w.rest, "http://")] = true
	}
	var st clusterStatus
	waitFor(t, 60*time.Second, "a consistent, settled status on every worker", func() bool {
		st = ws[0].clusterStatus()
		if !st.settled(connectors, alive) || !spread(st) {
			return false
		}
		for _, w := range ws[1:] {
			if !reflect.DeepEqual(w.clusterStatus(), st) {
				return false
			}
		}
		return true
	})
	return st
}

// TestClusterSurvivesKill runs three workers on one embedded broker, spreads
// four connectors over them, kills a worker that runs a task with SIGKILL
// while changes stream, and checks that the survivors take its work over
// with no change lost and agree on the cluster's status.
func TestClusterSurvivesKill(t *testing.T) {
	pg := pgtest.Start(t)
	const tables = 4
	var connectors []string
	for i := 1; i <= tables; i++ {
		pg.Exec(t, fmt.Sprintf(`CREATE TABLE t%d (id INTEGER PRIMARY KEY, v TEXT)`, i))
		connectors = append(connectors, fmt.Sprintf("c%d", i))
	}

	group := []string{
		"CONNECT_SESSION_TIMEOUT_MS=6000",
		"CONNECT_HEARTBEAT_INTERVAL_MS=1000",
		"CONNECT_REBALANCE_TIMEOUT_MS=20000",
	}
	host := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data"), extraEnv: group})
	joined := append([]string{"CONNECT_BOOTSTRAP_SERVERS=" + host.kafka}, group...)
	w2 := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: joined})
	w3 := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: joined})
	workers := []*process{host, w2, w3}

	// Each connector is created through a different worker.
	for i, name := range connectors {
		body := inventoryConfig(t, pg, func(c map[string]string) {
			c["topic.prefix"] = name
			c["slot.name"] = "slot_" + name
			c["publication.name"] = "pub_" + name
			c["table.include.list"] = fmt.Sprintf("public.t%d", i+1)
		})
		body = []byte(strings.Replace(string(body), `"name":"inventory"`, `"name":"`+name+`"`, 1))
		if code, resp := workers[i%len(workers)].do("POST", "/connectors", body); code != http.StatusCreated {
			t.Fatalf("POST /connectors (%s) = %d %s", name, code, resp)
		}
	}
	// Four tasks over three workers: every worker runs at least one.
	onAll := func(st clusterStatus) bool {
		running := map[string]bool{}
		for _, w := range st.taskWorkers() {
			running[w] = true
		}
		return len(running) == len(workers)
	}
	st := waitConsistent(t, workers, connectors, onAll)

	insert := func(from, to int) {
		t.Helper()
		for i := 1; i <= tables; i++ {
			pg.Exec(t, fmt.Sprintf(`INSERT INTO t%d SELECT g, 'row ' || g FROM generate_series(%d, %d) g`, i, from, to))
		}
	}
	topic := func(i int) string { return fmt.Sprintf("c%d.public.t%d", i, i) }
	ids := func(i int) map[int]bool {
		out := map[int]bool{}
		for _, m := range consume(t, host.kafka, topic(i)) {
			if ev := decodeEvent(t, m); ev.after != nil {
				out[int(ev.after["id"].(float64))] = true
			}
		}
		return out
	}

	// Changes stream; the worker goes down once some of them are out.
	victim := w3
	victimID := strings.TrimPrefix(victim.rest, "http://")
	var victimConn int
	for name, w := range st.taskWorkers() {
		if w == victimID {
			fmt.Sscanf(name, "c%d", &victimConn)
		}
	}
	insert(1, 200)
	waitFor(t, 30*time.Second, "the victim's task to stream", func() bool { return len(ids(victimConn)) > 0 })
	victim.kill()
	insert(201, 400)

	survivors := []*process{host, w2}
	anywhere := func(clusterStatus) bool { return true }
	st = waitConsistent(t, survivors, connectors, anywhere)
	for name, w := range st.taskWorkers() {
		if w == victimID {
			t.Fatalf("task of %s still on the killed worker", name)
		}
	}
	for i := 1; i <= tables; i++ {
		waitFor(t, 60*time.Second, "every change of t"+fmt.Sprint(i), func() bool {
			got := ids(i)
			for id := 1; id <= 400; id++ {
				if !got[id] {
					return false
				}
			}
			return true
		})
	}

	// A graceful leave hands the work over without a session timeout.
	w2.stop()
	st = waitConsistent(t, []*process{host}, connectors, anywhere)
	if len(st.taskWorkers()) != tables {
		t.Fatalf("tasks after the leave: %v", st.taskWorkers())
	}
}
