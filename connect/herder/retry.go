package herder

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// Connector properties of the restart policy for retriable task failures,
// as Debezium names them.
const (
	KeyRetriableRestartWait = "retriable.restart.connector.wait.ms"
	KeyErrorsMaxRetries     = "errors.max.retries"

	defaultRetriableRestartWait = 10 * time.Second
	defaultErrorsMaxRetries     = -1 // unlimited
)

// restartPolicy says how a task that failed with a retriable error is
// brought back.
type restartPolicy struct {
	wait       time.Duration // between the failure and the restart
	maxRetries int           // consecutive restarts allowed; < 0 is unlimited
}

// parseRestartPolicy reads the policy from a connector config. Each invalid
// value is reported as a ConfigError and replaced by its default.
func parseRestartPolicy(config map[string]string) (restartPolicy, []connect.ConfigError) {
	p := restartPolicy{wait: defaultRetriableRestartWait, maxRetries: defaultErrorsMaxRetries}
	var errs []connect.ConfigError
	if v, ok := config[KeyRetriableRestartWait]; ok {
		ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || ms < 0 || ms > int64(time.Duration(1<<62)/time.Millisecond) {
			errs = append(errs, connect.ConfigError{Name: KeyRetriableRestartWait,
				Message: fmt.Sprintf("Invalid value %s for configuration %s: Value must be a non-negative number of milliseconds", v, KeyRetriableRestartWait)})
		} else {
			p.wait = time.Duration(ms) * time.Millisecond
		}
	}
	if v, ok := config[KeyErrorsMaxRetries]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < -1 {
			errs = append(errs, connect.ConfigError{Name: KeyErrorsMaxRetries,
				Message: fmt.Sprintf("Invalid value %s for configuration %s: Value must be at least -1 (unlimited)", v, KeyErrorsMaxRetries)})
		} else {
			p.maxRetries = n
		}
	}
	return p, errs
}

// retryState is the herder's bookkeeping of retriable failures.
type retryState struct {
	// mu guards attempts. It is never held while taking Herder.mu.
	mu sync.Mutex
	// attempts counts the restarts of each task since it last made
	// progress (committed an offset), was restarted by hand, or failed for
	// good.
	attempts map[connect.TaskID]int

	// pending holds the restart each waiting task will get; guarded by
	// Herder.mu.
	pending map[connect.TaskID]*pendingRestart
	// wg tracks the restart goroutines; Stop waits for them.
	wg sync.WaitGroup
}

// pendingRestart identifies one scheduled restart (a non-empty struct, so
// that each allocation has its own address).
type pendingRestart struct{ attempt int }

// nextAttempt counts one more restart of id and reports whether the
// policy allows it.
func (r *retryState) nextAttempt(id connect.TaskID, p restartPolicy) (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.attempts[id]
	if p.maxRetries >= 0 && n >= p.maxRetries {
		delete(r.attempts, id)
		return n, false
	}
	if r.attempts == nil {
		r.attempts = make(map[connect.TaskID]int)
	}
	r.attempts[id] = n + 1
	return n + 1, true
}

func (r *retryState) reset(id connect.TaskID) {
	r.mu.Lock()
	delete(r.attempts, id)
	r.mu.Unlock()
}

// taskFailed reports a task that stopped with err: FAILED with the trace,
// or, for a retriable error the policy still allows, RESTARTING (with the
// trace of the cause) and a restart after the policy's wait. It is called
// from the task's goroutine without h.mu held, before rt.done is closed.
func (h *Herder) taskFailed(ctx context.Context, id connect.TaskID, rt *runningTask, connConfig map[string]string, err error, log *slog.Logger) {
	policy, _ := parseRestartPolicy(connConfig)
	attempt, restart := 0, false
	h.mu.Lock()
	if connect.IsRetriable(err) && !h.closed && rt.stopState == "" {
		attempt, restart = h.retry.nextAttempt(id, policy)
		if restart {
			p := &pendingRestart{attempt: attempt}
			if h.retry.pending == nil {
				h.retry.pending = make(map[connect.TaskID]*pendingRestart)
			}
			h.retry.pending[id] = p
			h.retry.wg.Add(1)
			go h.restartLater(id, rt, p, policy.wait, log)
		}
	} else {
		h.retry.reset(id)
	}
	h.mu.Unlock()
	if !restart {
		log.Error("task failed", "error", err, "retriable", connect.IsRetriable(err))
		h.putTaskStatus(ctx, id, connect.StateFailed, trace(err), log)
		return
	}
	log.Warn("task failed with a retriable error; restarting it", "error", err,
		"attempt", attempt, KeyErrorsMaxRetries, policy.maxRetries, "wait", policy.wait)
	h.putTaskStatus(ctx, id, connect.StateRestarting, trace(err), log)
}

// restartLater restarts a task once its goroutine has finished and wait
// has passed, unless the task was restarted, reconfigured or deleted in the
// meantime or the herder stops.
func (h *Herder) restartLater(id connect.TaskID, rt *runningTask, p *pendingRestart, wait time.Duration, log *slog.Logger) {
	defer h.retry.wg.Done()
	select {
	case <-rt.done:
	case <-h.baseCtx.Done():
		return
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-h.baseCtx.Done():
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.retry.pending[id] != p {
		return
	}
	delete(h.retry.pending, id)
	if h.closed || !h.failed[id] {
		// Restarted by hand or reconfigured meanwhile: a fresh budget.
		h.retry.reset(id)
		return
	}
	delete(h.failed, id)
	ctx, cancel := context.WithTimeout(h.baseCtx, 30*time.Second)
	defer cancel()
	log.Info("restarting task after a retriable failure")
	if err := h.reconcileLocked(ctx, id.Connector); err != nil {
		log.Error("restarting task", "error", err)
	}
}

// progressTask resets a task's restart budget whenever it commits an
// offset: it made progress since its last failure.
type progressTask struct {
	connect.SourceTask
	onCommit func()
}

func (h *Herder) watchProgress(id connect.TaskID, task connect.SourceTask) connect.SourceTask {
	return progressTask{SourceTask: task, onCommit: func() { h.retry.reset(id) }}
}

func (t progressTask) Commit(ctx context.Context, partition, offset map[string]any) error {
	if err := t.SourceTask.Commit(ctx, partition, offset); err != nil {
		return err
	}
	t.onCommit()
	return nil
}
