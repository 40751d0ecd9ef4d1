package membership

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

// cluster is the shared truth the test members act on: the work in the
// "config topic" and who runs which task right now.
type cluster struct {
	t       *testing.T
	mu      sync.Mutex
	work    map[string]int
	offset  int64
	running map[connect.TaskID]string // task -> worker running it
}

func (c *cluster) setWork(w map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.work = w
	c.offset++
}

// owners returns, for every task of the current work, the worker running
// it, and whether every task runs somewhere.
func (c *cluster) owners() (map[connect.TaskID]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := maps.Clone(c.running)
	for name, n := range c.work {
		for i := range n {
			if _, ok := out[connect.TaskID{Connector: name, Task: i}]; !ok {
				return out, false
			}
		}
	}
	return out, true
}

// worker is a Handler that records what it runs in the cluster and fails
// the test if it is given a task another worker still runs.
type worker struct {
	c    *cluster
	name string
	mine []connect.TaskID
	// revokeTime is how long stopping its tasks takes.
	revokeTime atomic.Int64
}

func (w *worker) ReadConfig(context.Context) (int64, map[string]int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.offset, maps.Clone(w.c.work), nil
}

func (w *worker) Revoke() {
	if d := time.Duration(w.revokeTime.Load()); d > 0 {
		<-time.After(d) // a worker slow to stop its tasks: the fault under test
	}
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	for _, id := range w.mine {
		delete(w.c.running, id)
	}
	w.mine = nil
}

func (w *worker) Assigned(a Assignment, _ int32, _ map[string]int) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	for _, id := range a.Tasks {
		if other, ok := w.c.running[id]; ok {
			w.c.t.Errorf("%s was given %v while %s still runs it", w.name, id, other)
		}
		w.c.running[id] = w.name
	}
	w.mine = a.Tasks
}

func newGroupMember(t *testing.T, brokers []string, c *cluster, name string) (*Group, *worker) {
	t.Helper()
	client, err := sarama.NewClient(brokers, kafkaclient.NewConfig("membership-test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	w := &worker{c: c, name: name}
	g := New(Config{
		Client: client, GroupID: "workers", URL: "http://" + name,
		SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 5 * time.Second,
	})
	g.Start(w)
	return g, w
}

// TestSlowRevokeKeepsMembership has a worker take longer than its session
// timeout to stop its tasks for a rebalance. As in Kafka Connect, it keeps
// heartbeating meanwhile, so it keeps its membership (and member id) and the
// rebalance completes once, with every worker.
func TestSlowRevokeKeepsMembership(t *testing.T) {
	brokers := kafkatest.StartCluster(t, kfake.GroupMinSessionTimeout(500*time.Millisecond)).ListenAddrs()
	c := &cluster{t: t, work: map[string]int{"a": 2}, running: map[connect.TaskID]string{}}
	w1, worker1 := newGroupMember(t, brokers, c, "w1")
	waitUntil(t, "w1 to run everything", func() bool { _, all := c.owners(); return all })
	w1.mu.Lock()
	id := w1.memberID
	w1.mu.Unlock()

	worker1.revokeTime.Store(int64(3 * time.Second)) // the session timeout is 1 s
	newGroupMember(t, brokers, c, "w2")
	waitUntil(t, "the work to spread over both workers", func() bool {
		owners, all := c.owners()
		return all && len(slices.Compact(slices.Sorted(maps.Values(owners)))) == 2
	})
	w1.mu.Lock()
	defer w1.mu.Unlock()
	if w1.memberID != id {
		t.Errorf("w1 lost its membership while stopping its tasks: member id %s, was %s", w1.memberID, id)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, what, testutil.Until(what, cond))
}

func TestGroupSpreadsAndHandsOverWork(t *testing.T) {
	brokers := kafkatest.StartCluster(t, kfake.GroupMinSessionTimeout(500*time.Millisecond)).ListenAddrs()
	c := &cluster{t: t, work: map[string]int{"a": 1, "b": 1, "c": 2}, running: map[connect.TaskID]string{}}

	w1, worker1 := newGroupMember(t, brokers, c, "w1")
	waitUntil(t, "w1 to run everything", func() bool { _, all := c.owners(); return all })

	w2, _ := newGroupMember(t, brokers, c, "w2")
	w3, _ := newGroupMember(t, brokers, c, "w3")
	spread := func() bool {
		owners, all := c.owners()
		workers := map[string]bool{}
		for _, w := range owners {
			workers[w] = true
		}
		return all && len(workers) == 3
	}
	waitUntil(t, "the work to spread over three workers", spread)
	if url := w2.LeaderURL(); url == "" {
		t.Error("no leader URL after the assignment")
	}

	// New work: the leader is told, and the group rebalances.
	c.setWork(map[string]int{"a": 1, "b": 1, "c": 2, "d": 1})
	for _, g := range []*Group{w1, w2, w3} {
		g.Rejoin()
	}
	waitUntil(t, "the new connector to run", func() bool {
		owners, all := c.owners()
		_, ok := owners[connect.TaskID{Connector: "d", Task: 0}]
		return all && ok
	})

	// A graceful leave hands the work over: the worker stops its tasks,
	// then leaves.
	worker1.Revoke()
	w1.Close()
	waitUntil(t, "w2 and w3 to run everything", func() bool {
		owners, all := c.owners()
		return all && !slices.Contains(slices.Collect(maps.Values(owners)), "w1")
	})

	// A member that stops heartbeating without leaving loses its work after
	// the session timeout.
	w3.abandon()
	waitUntil(t, "w2 to run everything", func() bool {
		owners, all := c.owners()
		for _, w := range owners {
			if w != "w2" {
				return false
			}
		}
		return all
	})
	w2.Close()
}

// abandon stops the loop without leaving the group and forgets what the
// member ran, as a killed worker would.
func (g *Group) abandon() {
	g.mu.Lock()
	g.memberID = ""
	g.mu.Unlock()
	g.cancel()
	g.dropCoordinator()
	<-g.done
	g.mu.Lock()
	g.memberID = ""
	g.mu.Unlock()
	g.handler.(*worker).Revoke()
}
