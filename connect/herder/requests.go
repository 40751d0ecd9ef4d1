package herder

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/storage"
)

// The herder is the listener of its config store's request records.
var _ storage.ConfigListener = (*Herder)(nil)

// NotAssignedError answers a request that only the worker running a task
// can serve, as Kafka Connect's NotAssignedException does: URL is that
// worker's REST URL, empty when no worker is known to run it.
type NotAssignedError struct {
	Task connect.TaskID
	URL  string
}

func (e *NotAssignedError) Error() string {
	msg := fmt.Sprintf("task %s-%d is not assigned to this worker", e.Task.Connector, e.Task.Task)
	if e.URL != "" {
		msg += "; it runs on " + e.URL
	}
	return msg
}

// ForwardURL is the REST URL of the worker to forward the request to.
func (e *NotAssignedError) ForwardURL() string { return e.URL }

// notAssigned names the worker the status topic says runs the task.
func (h *Herder) notAssigned(id connect.TaskID) error {
	err := &NotAssignedError{Task: id}
	if st, ok := h.cfg.Statuses.Task(id); ok && st.WorkerID != "" && st.WorkerID != h.cfg.WorkerID &&
		st.State != connect.StateUnassigned {
		scheme := h.cfg.RESTScheme
		if scheme == "" {
			scheme = "http"
		}
		err.URL = scheme + "://" + st.WorkerID
	}
	return err
}

// requestRestart writes a restart-connector-<name> record.
func (h *Herder) requestRestart(ctx context.Context, req storage.RestartRequest) error {
	if err := h.cfg.Configs.PutRestartRequest(ctx, req); err != nil {
		return fmt.Errorf("requesting a restart: %w", err)
	}
	return nil
}

// RestartRequested queues a restart request read from the config topic for
// the watcher (storage.ConfigListener). It never blocks. Requests for the
// same connector that are still pending merge into the widest one.
func (h *Herder) RestartRequested(req storage.RestartRequest) {
	h.dirtyMu.Lock()
	if prev, ok := h.restarts[req.Connector]; ok {
		req.IncludeTasks = req.IncludeTasks || prev.IncludeTasks
		req.OnlyFailed = req.OnlyFailed && prev.OnlyFailed
	}
	h.restarts[req.Connector] = req
	h.dirtyMu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// takeRestarts returns the pending restart requests, by connector name.
func (h *Herder) takeRestarts() []storage.RestartRequest {
	h.dirtyMu.Lock()
	defer h.dirtyMu.Unlock()
	out := make([]storage.RestartRequest, 0, len(h.restarts))
	for _, name := range slices.Sorted(maps.Keys(h.restarts)) {
		out = append(out, h.restarts[name])
	}
	clear(h.restarts)
	return out
}

// restartLocked applies a restart request to what this worker runs: the
// connector instance if it owns it, and with IncludeTasks the tasks it runs
// (only the FAILED ones with OnlyFailed).
func (h *Herder) restartLocked(ctx context.Context, req storage.RestartRequest) error {
	name := req.Connector
	st, ok := h.cfg.Configs.Connector(name)
	if !ok || st.Config == nil {
		return nil
	}
	if h.ownsConnectorLocked(name) {
		cs, _ := h.cfg.Statuses.Connector(name)
		if t := st.TargetState; (t == "" || t == TargetStarted) && (!req.OnlyFailed || cs.State == connect.StateFailed) {
			// Reconciling writes RUNNING again.
			if err := h.putConnectorStatus(ctx, name, connect.StateRestarting); err != nil {
				return err
			}
		}
	}
	var ids []connect.TaskID
	if req.IncludeTasks {
		for i := range st.Tasks {
			id := connect.TaskID{Connector: name, Task: i}
			if !h.runsTaskLocked(id) {
				continue
			}
			failed := h.failed[id]
			if ts, ok := h.cfg.Statuses.Task(id); ok && ts.State == connect.StateFailed && ts.WorkerID == h.cfg.WorkerID {
				failed = true
			}
			if !req.OnlyFailed || failed {
				ids = append(ids, id)
			}
		}
	}
	h.log.Info("restarting", "connector", name, "tasks", len(ids))
	h.stopTasksLocked(ids, connect.StateRestarting)
	for _, id := range ids {
		delete(h.failed, id)
	}
	return h.reconcileLocked(ctx, name)
}

// SetClusterLoggerLevel answers PUT /admin/loggers/{namespace}?scope=cluster:
// it writes logger-cluster-<namespace>, which every worker applies.
func (h *Herder) SetClusterLoggerLevel(ctx context.Context, namespace, level string) error {
	if err := h.cfg.Configs.PutLoggerLevel(ctx, namespace, level); err != nil {
		return fmt.Errorf("setting the cluster's log level: %w", err)
	}
	return nil
}

// LoggerLevelChanged applies a level set for the whole cluster
// (storage.ConfigListener).
func (h *Herder) LoggerLevelChanged(namespace, level string) {
	if h.cfg.Loggers == nil {
		return
	}
	changed := h.cfg.Loggers.SetLevel(namespace, level)
	h.log.Info("log level set for the cluster", "logger", namespace, "level", level, "changed", changed)
}
