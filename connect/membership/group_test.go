package membership

import (
	"context"
	"fmt"
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
	starts  map[connect.TaskID]int    // how many times each task started
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

func (w *worker) Revoke(_ []string, tasks []connect.TaskID) {
	if d := time.Duration(w.revokeTime.Load()); d > 0 {
		<-time.After(d) // a worker slow to stop its tasks: the fault under test
	}
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	for _, id := range tasks {
		if w.c.running[id] == w.name {
			delete(w.c.running, id)
		}
	}
	w.mine = slices.DeleteFunc(w.mine, func(id connect.TaskID) bool { return slices.Contains(tasks, id) })
}

// revokeAll stops everything the worker runs.
func (w *worker) revokeAll() { w.Revoke(nil, slices.Clone(w.mine)) }

func (w *worker) Assigned(a Assignment, _ int32, _ map[string]int) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	for _, id := range a.Tasks {
		if other, ok := w.c.running[id]; ok && other != w.name {
			w.c.t.Errorf("%s was given %v while %s still runs it", w.name, id, other)
		}
		if !slices.Contains(w.mine, id) {
			w.c.starts[id]++
		}
		w.c.running[id] = w.name
	}
	for _, id := range w.mine {
		if !slices.Contains(a.Tasks, id) {
			w.c.t.Errorf("%s holds %v, which its assignment no longer names, without a revocation", w.name, id)
		}
	}
	w.mine = slices.Clone(a.Tasks)
}

func newGroupMember(t *testing.T, brokers []string, c *cluster, name string, opts ...func(*Config)) (*Group, *worker) {
	t.Helper()
	client, err := sarama.NewClient(brokers, kafkaclient.NewConfig("membership-test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	w := &worker{c: c, name: name}
	cfg := Config{
		Client: client, GroupID: "workers", URL: "http://" + name,
		SessionTimeout: time.Second, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 5 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	g := New(cfg)
	g.Start(w)
	return g, w
}

// TestSlowRevokeKeepsMembership has a worker take longer than its session
// timeout to stop its tasks for a rebalance. As in Kafka Connect, it keeps
// heartbeating meanwhile, so it keeps its membership (and member id) and the
// rebalance completes once, with every worker.
func TestSlowRevokeKeepsMembership(t *testing.T) {
	brokers := kafkatest.StartCluster(t, kfake.GroupMinSessionTimeout(500*time.Millisecond)).ListenAddrs()
	c := &cluster{t: t, work: map[string]int{"a": 2}, running: map[connect.TaskID]string{}, starts: map[connect.TaskID]int{}}
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
	c := &cluster{t: t, work: map[string]int{"a": 1, "b": 1, "c": 2}, running: map[connect.TaskID]string{}, starts: map[connect.TaskID]int{}}

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
	worker1.revokeAll()
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
	g.handler.(*worker).revokeAll()
}

// TestCooperativeRebalancing runs twenty connectors on two workers under
// connect.protocol=compatible: adding or removing a connector starts or
// stops only its own tasks, a worker that joins takes over only its share,
// and the tasks of a worker that disappears wait for
// scheduled.rebalance.max.delay.ms before the other worker takes them.
func TestCooperativeRebalancing(t *testing.T) {
	brokers := kafkatest.StartCluster(t, kfake.GroupMinSessionTimeout(500*time.Millisecond)).ListenAddrs()
	work := map[string]int{}
	for i := range 20 {
		work[fmt.Sprintf("c%02d", i)] = 1 + i%2
	}
	c := &cluster{t: t, work: maps.Clone(work), running: map[connect.TaskID]string{}, starts: map[connect.TaskID]int{}}
	const maxDelay = 2 * time.Second
	coop := func(cfg *Config) { cfg.Protocol = Compatible; cfg.MaxDelay = maxDelay }
	w1, _ := newGroupMember(t, brokers, c, "w1", coop)
	waitUntil(t, "w1 to run everything", func() bool { _, all := c.owners(); return all })

	// A second worker takes half; only the tasks it takes restart.
	w2, _ := newGroupMember(t, brokers, c, "w2", coop)
	waitUntil(t, "the work to spread evenly over both workers", func() bool {
		owners, all := c.owners()
		n := map[string]int{}
		for _, w := range owners {
			n[w]++
		}
		return all && n["w1"] == 15 && n["w2"] == 15
	})
	startsAfterJoin := c.startCounts()
	moved := 0
	for id, n := range startsAfterJoin {
		if n > 2 {
			t.Errorf("task %v started %d times while one worker joined", id, n)
		}
		if n == 2 {
			moved++
		}
	}
	if moved != 15 {
		t.Errorf("%d tasks restarted when w2 joined, want the 15 it took over", moved)
	}

	// A new connector starts its tasks and touches nobody else's.
	work["new"] = 2
	c.setWork(maps.Clone(work))
	w1.Rejoin()
	w2.Rejoin()
	waitUntil(t, "the new connector to run", func() bool {
		owners, all := c.owners()
		_, ok := owners[connect.TaskID{Connector: "new", Task: 1}]
		return all && ok
	})
	c.assertStartsUnchanged(startsAfterJoin, "creating a connector")

	// Deleting one stops only its tasks.
	delete(work, "c03")
	c.setWork(maps.Clone(work))
	w1.Rejoin()
	w2.Rejoin()
	waitUntil(t, "the deleted connector's task to stop", func() bool {
		owners, _ := c.owners()
		_, ok := owners[connect.TaskID{Connector: "c03", Task: 1}]
		return !ok
	})
	c.assertStartsUnchanged(startsAfterJoin, "deleting a connector")

	// w2 vanishes: its tasks wait for it for the scheduled delay, then w1
	// takes them, restarting nothing it already ran.
	ownersBefore, _ := c.owners()
	before := c.startCounts()
	gone := time.Now()
	w2.abandon()
	waitUntil(t, "w1 to run everything", func() bool {
		owners, all := c.owners()
		for _, w := range owners {
			if w != "w1" {
				return false
			}
		}
		return all
	})
	if waited := time.Since(gone); waited < maxDelay {
		t.Errorf("w2's tasks were reassigned after %v, before scheduled.rebalance.max.delay.ms (%v)", waited, maxDelay)
	}
	for id, n := range c.startCounts() {
		if ownersBefore[id] == "w1" && n != before[id] {
			t.Errorf("w1 restarted its task %v when w2 left", id)
		}
	}
	w1.Close()
}

// startCounts returns how many times each task has started.
func (c *cluster) startCounts() map[connect.TaskID]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.starts)
}

// assertStartsUnchanged fails the test if a task that had started before
// started again.
func (c *cluster) assertStartsUnchanged(before map[connect.TaskID]int, what string) {
	c.t.Helper()
	for id, n := range c.startCounts() {
		if b, ok := before[id]; ok && n != b {
			c.t.Errorf("%s restarted task %v (%d starts, was %d)", what, id, n, b)
		}
	}
}

// TestMixedProtocolsFallBackToEager has a cooperative worker and an eager
// one share a group, as in a rolling upgrade: the coordinator picks
// "default", which both offer, no task is handed out while another worker
// still runs it, and the group returns to the cooperative protocol when the
// eager worker leaves.
func TestMixedProtocolsFallBackToEager(t *testing.T) {
	brokers := kafkatest.StartCluster(t, kfake.GroupMinSessionTimeout(500*time.Millisecond)).ListenAddrs()
	c := &cluster{t: t, work: map[string]int{"a": 2, "b": 2}, running: map[connect.TaskID]string{}, starts: map[connect.TaskID]int{}}
	coop := func(cfg *Config) { cfg.Protocol = Sessioned; cfg.MaxDelay = time.Second }
	w1, _ := newGroupMember(t, brokers, c, "w1", coop)
	waitUntil(t, "w1 to run everything", func() bool { _, all := c.owners(); return all })

	w2, worker2 := newGroupMember(t, brokers, c, "w2")
	waitUntil(t, "the work to spread over both workers under the eager protocol", func() bool {
		owners, all := c.owners()
		return all && len(slices.Compact(slices.Sorted(maps.Values(owners)))) == 2
	})
	worker2.revokeAll()
	w2.Close()
	waitUntil(t, "w1 to run everything again", func() bool {
		owners, all := c.owners()
		return all && !slices.Contains(slices.Collect(maps.Values(owners)), "w2")
	})
	// Back on its own, w1 rebalances cooperatively again: a new connector
	// restarts nothing.
	before := c.startCounts()
	c.setWork(map[string]int{"a": 2, "b": 2, "c": 1})
	w1.Rejoin()
	waitUntil(t, "the new connector to run", func() bool {
		owners, all := c.owners()
		_, ok := owners[connect.TaskID{Connector: "c"}]
		return all && ok
	})
	c.assertStartsUnchanged(before, "creating a connector after the eager worker left")
}
