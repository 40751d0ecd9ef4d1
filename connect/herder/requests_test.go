package herder

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/membership"
)

// levels records the levels set through Config.Loggers.
type levels struct {
	mu  sync.Mutex
	set map[string]string
}

func (l *levels) SetLevel(name, level string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.set[name] = level
	return []string{name}
}

func (l *levels) get(name string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.set[name]
}

// assignedWorker is a herder over its own view of the three topics,
// following the config records of the others as a worker does. The test
// gives it its assignments.
func assignedWorker(t *testing.T, brokers []string, id string, mutate ...func(*Config)) (*Herder, *stores, *levels) {
	t.Helper()
	s := openStores(t, brokers)
	lv := &levels{set: map[string]string{}}
	h := startHerder(t, s, append([]func(*Config){func(c *Config) { c.WorkerID, c.Loggers = id, lv }}, mutate...)...)
	return h, s, lv
}

func TestClusterRestartsReachTheWorkerRunningTheTask(t *testing.T) {
	brokers := newBroker(t)
	ctx := t.Context()
	// The cluster's workers advertise https listeners.
	https := func(c *Config) { c.RESTScheme = "https" }
	a, _, _ := assignedWorker(t, brokers, "a:8083", https)
	b, _, _ := assignedWorker(t, brokers, "b:8083", https)
	if _, err := a.CreateConnector(ctx, "c", config("records", "10", "fail.once", t.Name())); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to read the connector", func() bool { _, err := b.TaskConfigs(ctx, "c"); return err == nil })
	id := connect.TaskID{Connector: "c", Task: 0}
	a.Assigned(membership.Assignment{Connectors: []string{"c"}}, 1, nil)
	b.Assigned(membership.Assignment{Tasks: []connect.TaskID{id}}, 1, nil)

	// The task fails on b; a sees it in the status topic.
	waitState(t, a, "c", connect.StateRunning, connect.StateFailed)
	if ts, _ := a.TaskStatus(ctx, id); ts.WorkerID != "b:8083" {
		t.Fatalf("task status %+v, want it on b", ts)
	}

	// a cannot restart the task itself: it names the worker to forward to.
	var na *NotAssignedError
	if err := a.RestartTask(ctx, id); !errors.As(err, &na) || na.ForwardURL() != "https://b:8083" {
		t.Fatalf("RestartTask on a = %v, want a NotAssignedError naming https://b:8083", err)
	}
	if err := a.RestartTask(ctx, connect.TaskID{Connector: "c", Task: 1}); !errors.Is(err, connect.ErrNotFound) {
		t.Fatalf("RestartTask of an unknown task = %v, want ErrNotFound", err)
	}

	// Restarting the failed tasks through a reaches b through the config
	// topic, and the task comes back RUNNING there.
	rs, err := a.RestartConnectorAndTasks(ctx, "c", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Connector.State != connect.StateRunning || rs.Tasks[0].State != connect.StateRestarting {
		t.Fatalf("restart reply %+v: want the connector RUNNING and the failed task RESTARTING", rs)
	}
	st := waitState(t, a, "c", connect.StateRunning, connect.StateRunning)
	if st.Tasks[0].WorkerID != "b:8083" {
		t.Fatalf("restarted task runs on %s, want b:8083", st.Tasks[0].WorkerID)
	}

	// A plain restart through b restarts the connector on a: its status
	// is written again by a.
	if err := b.RestartConnector(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := b.RestartConnector(ctx, "nope"); !errors.Is(err, connect.ErrNotFound) {
		t.Fatalf("restart of an unknown connector = %v", err)
	}
	waitState(t, b, "c", connect.StateRunning, connect.StateRunning)

	// On b, which runs it, a task restart is local.
	if err := b.RestartTask(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitState(t, a, "c", connect.StateRunning, connect.StateRunning)
}

func TestClusterLoggerLevelReachesEveryWorker(t *testing.T) {
	brokers := newBroker(t)
	a, _, la := assignedWorker(t, brokers, "a:8083")
	_, _, lb := assignedWorker(t, brokers, "b:8083")
	if err := a.SetClusterLoggerLevel(t.Context(), "herder", "DEBUG"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both workers to apply the level", func() bool {
		return la.get("herder") == "DEBUG" && lb.get("herder") == "DEBUG"
	})
}

func TestOffsetsRefusedWhileAnotherWorkerRunsATask(t *testing.T) {
	brokers := newBroker(t)
	ctx := t.Context()
	a, sa, _ := assignedWorker(t, brokers, "a:8083")
	b, _, _ := assignedWorker(t, brokers, "b:8083")
	if _, err := a.CreateConnector(ctx, "counter", config()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to read the connector", func() bool { _, err := b.TaskConfigs(ctx, "counter"); return err == nil })
	id := connect.TaskID{Connector: "counter", Task: 0}
	a.Assigned(membership.Assignment{Connectors: []string{"counter"}}, 1, nil)
	b.Assigned(membership.Assignment{Tasks: []connect.TaskID{id}}, 1, nil)
	waitState(t, a, "counter", connect.StateRunning, connect.StateRunning)

	if err := a.StopConnector(ctx, "counter"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b to stop its task", func() bool {
		st, _ := sa.statuses.Task(id)
		return st.State == connect.StateUnassigned
	})
	patch := []connect.ConnectorOffset{{Partition: map[string]any{"task": "counting"}, Offset: map[string]any{"n": int64(7)}}}
	if _, err := a.AlterConnectorOffsets(ctx, "counter", patch); err != nil {
		t.Fatalf("alter once every task stopped: %v", err)
	}

	// A worker of the current generation still reports the task running.
	if err := sa.statuses.PutTask(ctx, id, connect.State{State: connect.StateRunning, WorkerID: "c:8083"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AlterConnectorOffsets(ctx, "counter", patch); badRequestMessage(t, err) != notStopped {
		t.Fatalf("alter while c:8083 runs a task: %v", err)
	}
	if _, err := a.ResetConnectorOffsets(ctx, "counter"); badRequestMessage(t, err) != notStopped {
		t.Fatalf("reset while c:8083 runs a task: %v", err)
	}
	// A report from an earlier generation is stale: its worker was revoked.
	sa.statuses.SetGeneration(0)
	if err := sa.statuses.PutTask(ctx, id, connect.State{State: connect.StateRunning, WorkerID: "c:8083"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ResetConnectorOffsets(ctx, "counter"); err != nil {
		t.Fatalf("reset with a stale RUNNING status: %v", err)
	}
}

func TestHealth(t *testing.T) {
	brokers := newBroker(t)
	ctx := t.Context()
	h, s, _ := assignedWorker(t, brokers, "a:8083", func(c *Config) { c.HealthTimeout = 100 * time.Millisecond })
	if st, _ := h.Health(ctx); st != HealthStarting {
		t.Fatalf("health before the first assignment = %s, want starting", st)
	}
	h.Assigned(membership.Assignment{Connectors: []string{"counter"}, Tasks: []connect.TaskID{{Connector: "counter"}}}, 1, nil)
	if st, detail := h.Health(ctx); st != HealthHealthy {
		t.Fatalf("health after the assignment = %s %q, want healthy", st, detail)
	}

	// A task that ignores its shutdown keeps the herder stuck in pause.
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock) // before the herder stops, even on failure
	blockers.Store(t.Name(), release)
	if _, err := h.CreateConnector(ctx, "counter", config("block", t.Name())); err != nil {
		t.Fatal(err)
	}
	// Every record is out: the task waits in Poll, where it will block.
	waitFor(t, "all offsets committed", func() bool { return committed(t, s) == 249 })
	paused := make(chan error, 1)
	go func() { paused <- h.PauseConnector(ctx, "counter") }()
	waitFor(t, "the health check to report the stuck herder", func() bool {
		st, detail := h.Health(ctx)
		// The pause or the watcher applying the same change, whichever
		// started first, is what the worker is stuck on.
		return st == HealthUnhealthy && (detail == "The worker is currently waiting for tasks to stop." ||
			detail == "The worker is currently applying config changes.")
	})
	unblock()
	if err := <-paused; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the herder to be healthy again", func() bool { st, _ := h.Health(ctx); return st == HealthHealthy })
}

func TestPatchesOnOneWorkerAreNotLost(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	ctx := t.Context()
	if _, err := h.CreateConnectorInState(ctx, "counter", config(), connect.StateStopped); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			v := "x"
			_, err := h.PatchConnectorConfig(ctx, "counter", map[string]*string{fmt.Sprintf("extra.%d", i): &v})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := h.ConnectorConfig(ctx, "counter")
	for i := range n {
		if cfg[fmt.Sprintf("extra.%d", i)] != "x" {
			t.Fatalf("patch %d lost: config %v", i, cfg)
		}
	}
}

func TestTopicTrackingDisabled(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s, func(c *Config) { c.TopicTrackingDisabled = true })
	if _, err := h.CreateConnector(t.Context(), "counter", config()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "all offsets committed", func() bool { return committed(t, s) == 249 })
	if topics, _ := h.ConnectorTopics(t.Context(), "counter"); len(topics) != 0 {
		t.Fatalf("active topics recorded with tracking disabled: %v", topics)
	}
}

// TestOffsetsUnderCooperativeRebalancing: under a cooperative protocol a
// task keeps running across generations, so a RUNNING status from an
// earlier generation is not stale by itself. It becomes stale two rounds
// after the worker read that the connector has no tasks: by then every live
// member has been revoked the tasks and stopped them.
func TestOffsetsUnderCooperativeRebalancing(t *testing.T) {
	brokers := newBroker(t)
	ctx := t.Context()
	a, sa, _ := assignedWorker(t, brokers, "a:8083")
	if _, err := a.CreateConnector(ctx, "counter", config()); err != nil {
		t.Fatal(err)
	}
	id := connect.TaskID{Connector: "counter", Task: 0}
	coop := func(gen int32, tasks ...connect.TaskID) {
		a.Assigned(membership.Assignment{Version: 1, Connectors: []string{"counter"}, Tasks: tasks}, gen, nil)
	}
	coop(3)
	// Another worker started the task in generation 3 and runs it on.
	sa.statuses.SetGeneration(3)
	if err := sa.statuses.PutTask(ctx, id, connect.State{State: connect.StateRunning, WorkerID: "c:8083"}); err != nil {
		t.Fatal(err)
	}
	if err := a.StopConnector(ctx, "counter"); err != nil {
		t.Fatal(err)
	}
	patch := []connect.ConnectorOffset{{Partition: map[string]any{"task": "counting"}, Offset: map[string]any{"n": int64(7)}}}
	for gen := int32(4); gen <= 5; gen++ {
		// Round 4 is the first after the task configs went (Z), 5 is Z+1:
		// c:8083 may still be stopping what round 5 revoked.
		coop(gen)
		if _, err := a.AlterConnectorOffsets(ctx, "counter", patch); badRequestMessage(t, err) != notStopped {
			t.Fatalf("alter in generation %d while c:8083 may run the task: %v", gen, err)
		}
	}
	coop(6)
	if _, err := a.AlterConnectorOffsets(ctx, "counter", patch); err != nil {
		t.Fatalf("alter in generation Z+2 with a RUNNING status from before Z: %v", err)
	}
	// A status written in Z+2 or later is live.
	sa.statuses.SetGeneration(6)
	if err := sa.statuses.PutTask(ctx, id, connect.State{State: connect.StateRunning, WorkerID: "c:8083"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ResetConnectorOffsets(ctx, "counter"); badRequestMessage(t, err) != notStopped {
		t.Fatalf("reset while c:8083 reports the task running in generation 6: %v", err)
	}
}
