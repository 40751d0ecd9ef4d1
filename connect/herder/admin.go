package herder

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// Replies of the offsets API (KIP-875) as Kafka Connect words them for a
// source connector whose alterOffsets is not overridden (Debezium's case).
const (
	OffsetsAlteredMessage = "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses."
	OffsetsResetMessage   = "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses."
)

// generateTasks asks the connector for its task configs, from the raw
// (placeholder-keeping) connector config.
func (h *Herder) generateTasks(config map[string]string) ([]map[string]string, error) {
	p := h.plugin(config)
	if p == nil {
		return nil, fmt.Errorf("connector class %q is not available", config["connector.class"])
	}
	maxTasks := 1
	if n, err := strconv.Atoi(strings.TrimSpace(config["tasks.max"])); err == nil && n > 0 {
		maxTasks = n
	}
	tasks, err := p().TaskConfigs(config, maxTasks)
	if err != nil {
		return nil, fmt.Errorf("computing task configs: %w", err)
	}
	return tasks, nil
}

// StopConnector stops the connector and releases its tasks (KIP-875): the
// target state becomes STOPPED and an empty task set is committed, so that
// status shows STOPPED with no tasks. Resume generates the tasks anew.
func (h *Herder) StopConnector(ctx context.Context, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.notLeaderLocked("Only the leader can transition connectors to the STOPPED state."); err != nil {
		return err
	}
	if _, err := h.state(name); err != nil {
		return err
	}
	if err := h.cfg.Configs.PutTargetState(ctx, name, TargetStopped); err != nil {
		return fmt.Errorf("writing target state: %w", err)
	}
	h.stopConnectorTasksLocked(name, connect.StateUnassigned)
	if err := h.cfg.Configs.PutTaskConfigs(ctx, name, nil); err != nil {
		return fmt.Errorf("writing empty task configs: %w", err)
	}
	h.clearFailedLocked(name)
	return h.reconcileLocked(ctx, name)
}

// PatchConnectorConfig applies patch to the connector's config (KIP-477): a
// nil value removes the key. The result is validated and stored as PUT does.
// The read, the patch and the write happen on the leader under the
// herder's lock, so that concurrent patches each see the other's result.
func (h *Herder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (connect.ConnectorInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	// On the leader only, so that patches sent to different workers are
	// serialised too.
	if err := h.notLeaderLocked("Only the leader can set connector configs."); err != nil {
		return connect.ConnectorInfo{}, err
	}
	st, err := h.state(name)
	if err != nil {
		return connect.ConnectorInfo{}, err
	}
	config := st.Config
	for k, v := range patch {
		if v == nil {
			delete(config, k)
		} else {
			config[k] = *v
		}
	}
	info, _, err := h.putConfigLocked(ctx, name, config, true, TargetStarted)
	return info, err
}

// ConnectorOffsets answers GET /connectors/{name}/offsets from the offsets
// topic, in any state.
func (h *Herder) ConnectorOffsets(ctx context.Context, name string) (connect.ConnectorOffsets, error) {
	if _, err := h.state(name); err != nil {
		return connect.ConnectorOffsets{}, err
	}
	if err := h.cfg.Offsets.Refresh(ctx); err != nil {
		return connect.ConnectorOffsets{}, fmt.Errorf("reading offsets: %w", err)
	}
	out := connect.ConnectorOffsets{Offsets: []connect.ConnectorOffset{}}
	for _, e := range h.cfg.Offsets.Partitions(name) {
		out.Offsets = append(out.Offsets, connect.ConnectorOffset{Partition: e.Partition, Offset: e.Offset})
	}
	return out, nil
}

// AlterConnectorOffsets writes the given offsets (a nil offset resets its
// partition) for a STOPPED connector and returns Kafka Connect's reply.
func (h *Herder) AlterConnectorOffsets(ctx context.Context, name string, offsets []connect.ConnectorOffset) (string, error) {
	if len(offsets) == 0 {
		return "", &connect.BadRequestError{Message: "Partitions / offsets need to be provided for an alter offsets request"}
	}
	for _, o := range offsets {
		if o.Partition == nil {
			return "", &connect.BadRequestError{Message: "Source partitions may not be null"}
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.notLeaderLocked("Only the leader can process external offsets modification requests"); err != nil {
		return "", err
	}
	if err := h.checkStoppedLocked(name); err != nil {
		return "", err
	}
	for _, o := range offsets {
		if err := h.cfg.Offsets.Put(ctx, name, o.Partition, o.Offset); err != nil {
			return "", fmt.Errorf("altering offsets: %w", err)
		}
	}
	return OffsetsAlteredMessage, nil
}

// ResetConnectorOffsets writes a tombstone for every partition of a STOPPED
// connector and returns Kafka Connect's reply.
func (h *Herder) ResetConnectorOffsets(ctx context.Context, name string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.notLeaderLocked("Only the leader can process external offsets modification requests"); err != nil {
		return "", err
	}
	if err := h.checkStoppedLocked(name); err != nil {
		return "", err
	}
	if err := h.cfg.Offsets.Refresh(ctx); err != nil {
		return "", fmt.Errorf("resetting offsets: %w", err)
	}
	for _, e := range h.cfg.Offsets.Partitions(name) {
		if err := h.cfg.Offsets.Put(ctx, name, e.Partition, nil); err != nil {
			return "", fmt.Errorf("resetting offsets: %w", err)
		}
	}
	return OffsetsResetMessage, nil
}

// checkStoppedLocked is Kafka Connect's precondition for modifying offsets:
// the connector exists, is STOPPED, has no tasks and none is still running.
func (h *Herder) checkStoppedLocked(name string) error {
	st, err := h.state(name)
	if err != nil {
		return err
	}
	running := h.runsElsewhereLocked(name)
	for id := range h.tasks {
		running = running || id.Connector == name
	}
	if st.TargetState != TargetStopped || len(st.Tasks) > 0 || running {
		return &connect.BadRequestError{Message: "Connectors must be in the STOPPED state before their offsets can be modified. " +
			"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/" + name + "/stop' endpoint"}
	}
	return nil
}

// runsElsewhereLocked reports whether the status topic says another worker
// still runs a task of the connector: a RUNNING, PAUSED or RESTARTING status
// that is not stale. Under the eager protocol every rebalance stops every
// task, so a status from an earlier generation than the current one is
// stale (its worker died before it could report the task UNASSIGNED).
// Under a cooperative protocol tasks run on across generations, so the
// line comes later. Let Z be the first round this worker completed after it
// read that the connector has no task configs. Every member joined round
// Z+1 after that, so its leader read the change and revoked the tasks from
// whoever held them; each holder stops what it is revoked before it
// rejoins, so round Z+2 completes only once every live member has stopped
// them and written UNASSIGNED. From then on a status written before Z+2 is
// stale; before then none is.
func (h *Herder) runsElsewhereLocked(name string) bool {
	staleBefore := int64(h.generation)
	if h.cooperative {
		staleBefore = -1 // nothing is known to be stale
		if z, ok := h.tasksGone[name]; ok && h.generation >= z+2 {
			staleBefore = int64(z + 2)
		}
	}
	for _, ts := range h.cfg.Statuses.TaskStatuses(name) {
		switch ts.State.State {
		case connect.StateRunning, connect.StatePaused, connect.StateRestarting:
		default:
			continue
		}
		if ts.State.WorkerID == h.cfg.WorkerID {
			continue // this worker knows what it runs: h.tasks
		}
		if ts.Generation >= staleBefore {
			return true
		}
	}
	return false
}

// ConnectorTopics answers GET /connectors/{name}/topics: the topics its
// tasks have produced to since the last reset.
func (h *Herder) ConnectorTopics(_ context.Context, name string) ([]string, error) {
	if _, err := h.state(name); err != nil {
		return nil, err
	}
	return h.cfg.Statuses.Topics(name), nil
}

// ResetConnectorTopics forgets the connector's active topics.
func (h *Herder) ResetConnectorTopics(ctx context.Context, name string) error {
	if _, err := h.state(name); err != nil {
		return err
	}
	return h.cfg.Statuses.ResetTopics(ctx, name)
}
