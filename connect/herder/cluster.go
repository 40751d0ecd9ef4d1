package herder

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/membership"
)

// The herder is the membership.Handler of its worker.
var _ membership.Handler = (*Herder)(nil)

// Rejoiner is the part of the worker's group membership the herder uses:
// asking for a rebalance. It must not block.
type Rejoiner interface{ Rejoin() }

// generationSetter is implemented by status stores that record the group
// generation with every status.
type generationSetter interface{ SetGeneration(generation int) }

// ConfigChanged tells the herder that a config-topic record about connector
// name was applied, possibly written by another worker. It never blocks and
// may be called before Start (the herder is its config store's
// storage.ConfigListener).
func (h *Herder) ConfigChanged(name string) {
	h.dirtyMu.Lock()
	h.dirty[name] = true
	h.dirtyMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// watch applies config changes to what this worker runs until Stop.
func (h *Herder) watch() {
	defer close(h.watcherDone)
	for {
		select {
		case <-h.baseCtx.Done():
			return
		case <-h.wake:
		}
		h.dirtyMu.Lock()
		names := slices.Sorted(maps.Keys(h.dirty))
		clear(h.dirty)
		h.dirtyMu.Unlock()
		restarts := h.takeRestarts()
		end := h.stages.begin("applying config changes")
		h.mu.Lock()
		if h.ownedConnectors != nil && !h.closed {
			for _, name := range names {
				if err := h.reconcileLocked(h.baseCtx, name); err != nil {
					h.log.Error("applying a config change", "connector", name, "error", err)
				}
			}
			for _, req := range restarts {
				if err := h.restartLocked(h.baseCtx, req); err != nil {
					h.log.Error("restarting", "connector", req.Connector, "error", err)
				}
			}
		}
		h.checkWorkLocked()
		h.mu.Unlock()
		end()
	}
}

// checkWorkLocked asks for a rebalance when this worker is the leader and
// the config topic's work differs from what it last assigned.
func (h *Herder) checkWorkLocked() {
	if h.leaderWork == nil || h.closed || maps.Equal(h.leaderWork, h.work()) {
		return
	}
	h.leaderWork = nil // one request per assignment
	h.log.Info("connectors or tasks changed, requesting a rebalance")
	if h.cfg.Group != nil {
		h.cfg.Group.Rejoin()
	}
}

// work is the task count of every connector in the config topic.
func (h *Herder) work() map[string]int {
	out := map[string]int{}
	for _, name := range h.cfg.Configs.Connectors() {
		if st, ok := h.cfg.Configs.Connector(name); ok && st.Config != nil {
			out[name] = len(st.Tasks)
		}
	}
	return out
}

// ReadConfig reads the config topic to its end and reports its offset and
// work (membership.Handler).
func (h *Herder) ReadConfig(ctx context.Context) (int64, map[string]int, error) {
	defer h.stages.begin("reading to the end of the config topic")()
	if err := h.cfg.Configs.Refresh(ctx); err != nil {
		return 0, nil, err
	}
	offset := int64(-1)
	if h.cfg.ConfigOffset != nil {
		var err error
		if offset, err = h.cfg.ConfigOffset(ctx); err != nil {
			return 0, nil, fmt.Errorf("reading the config topic offset: %w", err)
		}
	}
	return offset, h.work(), nil
}

// Revoke stops the given connectors and tasks, writing UNASSIGNED as the
// tasks' status once their offsets are committed, and forgets them
// (membership.Handler): everything before an eager rebalance, only what
// moves elsewhere under a cooperative one, so the rest runs on
// uninterrupted. Revoked failed tasks get another chance wherever they go
// next, as in Kafka Connect.
func (h *Herder) Revoke(connectors []string, tasks []connect.TaskID) {
	defer h.stages.begin("stopping revoked tasks for a rebalance")()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.leaderWork = nil
	for _, c := range connectors {
		delete(h.ownedConnectors, c)
	}
	for _, t := range tasks {
		delete(h.ownedTasks, t)
		delete(h.failed, t)
	}
	var running []connect.TaskID
	for _, t := range tasks {
		if _, ok := h.tasks[t]; ok {
			running = append(running, t)
		}
	}
	h.stopTasksLocked(running, connect.StateUnassigned)
}

// Assigned runs what the assignment gives this worker (membership.Handler).
func (h *Herder) Assigned(a membership.Assignment, generation int32, work map[string]int) {
	if g, ok := h.cfg.Statuses.(generationSetter); ok {
		g.SetGeneration(int(generation))
	}
	defer h.ready.Store(true)
	defer h.stages.begin("starting the connectors and tasks of a new assignment")()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.generation = int(generation)
	h.cooperative = a.Version >= 1
	h.leader, h.leaderURL, h.protocolVersion = work != nil, a.LeaderURL, a.Version
	select {
	case h.keyWake <- struct{}{}:
	default:
	}
	h.noteTasksGoneLocked()
	h.ownedConnectors = map[string]bool{}
	for _, c := range a.Connectors {
		h.ownedConnectors[c] = true
	}
	h.ownedTasks = map[connect.TaskID]bool{}
	for _, t := range a.Tasks {
		h.ownedTasks[t] = true
	}
	h.leaderWork = work
	if h.closed {
		return
	}
	h.fenceZombiesLocked(h.baseCtx, work)
	names := map[string]bool{}
	for _, c := range a.Connectors {
		names[c] = true
	}
	for _, t := range a.Tasks {
		names[t.Connector] = true
	}
	// Tasks of a connector whose instance runs elsewhere are reconciled by
	// reconcileLocked too (it starts only the owned ones).
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if err := h.reconcileLocked(h.baseCtx, name); err != nil {
			h.log.Error("starting assigned connector", "connector", name, "error", err)
		}
	}
	// Records that landed while the group synced.
	h.checkWorkLocked()
}

// noteTasksGoneLocked records, for every connector whose config has no
// tasks, the generation of the first assignment completed since this worker
// read it so, and forgets connectors that have tasks again.
func (h *Herder) noteTasksGoneLocked() {
	if h.tasksGone == nil {
		h.tasksGone = map[string]int{}
	}
	seen := map[string]bool{}
	for _, name := range h.cfg.Configs.Connectors() {
		st, ok := h.cfg.Configs.Connector(name)
		if !ok || st.Config == nil || len(st.Tasks) > 0 {
			continue
		}
		seen[name] = true
		if _, known := h.tasksGone[name]; !known {
			h.tasksGone[name] = h.generation
		}
	}
	maps.DeleteFunc(h.tasksGone, func(name string, _ int) bool { return !seen[name] })
}
