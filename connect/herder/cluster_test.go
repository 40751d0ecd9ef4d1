package herder

import (
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/membership"
)

func TestRunsOnlyItsAssignment(t *testing.T) {
	s := openStores(t, newBroker(t))
	rebalances := make(chan struct{}, 10)
	h := startHerder(t, s, func(c *Config) { c.Group = rejoinFunc(func() { rebalances <- struct{}{} }) })
	if _, err := h.CreateConnector(t.Context(), "a", config()); err != nil {
		t.Fatal(err)
	}
	// Not assigned yet: nothing runs, and no status is written.
	if st, err := h.ConnectorStatus(t.Context(), "a"); err != nil || st.Tasks[0].State != connect.StateUnassigned {
		t.Fatalf("status before any assignment = %+v, %v", st, err)
	}
	offset, work, err := h.ReadConfig(t.Context())
	if err != nil || work["a"] != 1 || offset != -1 {
		t.Fatalf("ReadConfig = %d, %v, %v; want -1 (no ConfigOffset), a:1", offset, work, err)
	}

	// As leader, with work computed before the connector existed: it asks
	// for a rebalance.
	id := connect.TaskID{Connector: "a", Task: 0}
	h.Assigned(membership.Assignment{Connectors: []string{"a"}, Tasks: []connect.TaskID{id}}, 1, map[string]int{})
	select {
	case <-rebalances:
	default:
		t.Fatal("no rebalance requested for work the assignment did not cover")
	}
	waitState(t, h, "a", connect.StateRunning, connect.StateRunning)

	// Revoked: the task stops and reports UNASSIGNED.
	h.Revoke([]string{"a"}, []connect.TaskID{id})
	if st, _ := s.statuses.Task(id); st.State != connect.StateUnassigned {
		t.Fatalf("task status after revoke = %+v", st)
	}
	if n := runningTasks(h); n != 0 {
		t.Fatalf("%d tasks still running after revoke", n)
	}

	// The connector alone, its task elsewhere: the task stays down.
	h.Assigned(membership.Assignment{Connectors: []string{"a"}}, 2, nil)
	if n := runningTasks(h); n != 0 {
		t.Fatalf("%d tasks running without being assigned", n)
	}
	select {
	case <-rebalances:
		t.Fatal("a non-leader asked for a rebalance")
	default:
	}
}

// A task that fails while a rebalance stops it runs again when the next
// assignment gives it back: its failure belongs to the revoked run (under
// the eager protocol, as when the broker's restart lost the membership, every
// task is stopped before the group rejoins).
func TestTaskFailingWhileRevokedRunsAgainWhenReassigned(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := startHerder(t, s, func(c *Config) { c.Group = rejoinFunc(func() {}) })
	if _, err := h.CreateConnector(t.Context(), "a", config("stop.error", "true")); err != nil {
		t.Fatal(err)
	}
	id := connect.TaskID{Connector: "a", Task: 0}
	assignment := membership.Assignment{Connectors: []string{"a"}, Tasks: []connect.TaskID{id}}
	h.Assigned(assignment, 1, map[string]int{"a": 1})
	waitState(t, h, "a", connect.StateRunning, connect.StateRunning)

	h.Revoke([]string{"a"}, []connect.TaskID{id})
	if n := runningTasks(h); n != 0 {
		t.Fatalf("%d tasks still running after revoke", n)
	}
	h.Assigned(assignment, 2, map[string]int{"a": 1})
	if n := runningTasks(h); n != 1 {
		t.Fatalf("%d tasks running after the task was assigned again, want 1", n)
	}
	waitState(t, h, "a", connect.StateRunning, connect.StateRunning)
}

// rejoinFunc is a Rejoiner calling itself.
type rejoinFunc func()

func (f rejoinFunc) Rejoin() { f() }
