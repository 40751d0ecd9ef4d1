package herder

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

const flakyClass = "com.example.FlakySourceConnector"

// flakyConnector's task emits "batch" (10) records per run, resuming after the
// committed offset, then fails: with a retriable error for its first
// "retriable.failures" runs ("-1": always), then with a fatal one if
// "fatal" is set. Otherwise it idles. Every start is counted.
type flakyConnector struct {
	starts *atomic.Int64
}

func (flakyConnector) Class() string   { return flakyClass }
func (flakyConnector) Type() string    { return "source" }
func (flakyConnector) Version() string { return "1.0" }
func (flakyConnector) Validate(context.Context, map[string]string) []connect.ConfigError {
	return nil
}

func (flakyConnector) TaskConfigs(config map[string]string, _ int) ([]map[string]string, error) {
	return []map[string]string{config}, nil
}

func (c flakyConnector) NewTask() connect.SourceTask { return &flakyTask{starts: c.starts} }

type flakyTask struct {
	starts      *atomic.Int64
	run         int64
	next, until int64
	failures    int64
	fatal       bool
}

func (f *flakyTask) Start(ctx context.Context, tc connect.TaskContext, config map[string]string) error {
	f.run = f.starts.Add(1)
	var err error
	if f.failures, err = strconv.ParseInt(config["retriable.failures"], 10, 64); err != nil {
		return fmt.Errorf("parsing retriable.failures: %w", err)
	}
	f.fatal = config["fatal"] == "true"
	off, err := tc.Offset(ctx, map[string]any{"task": "flaky"})
	if err != nil {
		return err
	}
	if off != nil {
		f.next = off["n"].(int64) + 1
	}
	batch := int64(10)
	if v, ok := config["batch"]; ok {
		if batch, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("parsing batch: %w", err)
		}
	}
	f.until = f.next + batch
	return nil
}

func (f *flakyTask) Poll(ctx context.Context) ([]connect.SourceRecord, error) {
	if f.next < f.until {
		var out []connect.SourceRecord
		for ; f.next < f.until; f.next++ {
			out = append(out, connect.SourceRecord{
				SourcePartition: map[string]any{"task": "flaky"}, SourceOffset: map[string]any{"n": f.next},
				Topic: "flaky", ValueSchema: schema.Int64Schema, Value: f.next,
			})
		}
		return out, nil
	}
	switch {
	case f.failures < 0 || f.run <= f.failures:
		return nil, fmt.Errorf("reading the source: %w", connect.Retriable(errors.New("connection lost")))
	case f.fatal:
		return nil, errors.New("corrupt source data")
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (f *flakyTask) Commit(context.Context, map[string]any, map[string]any) error { return nil }
func (f *flakyTask) Stop() error                                                  { return nil }

func newFlakyHerder(t *testing.T) (*Herder, *stores, *statusLog, *atomic.Int64) {
	t.Helper()
	s := openStores(t, newBroker(t))
	starts := new(atomic.Int64)
	log := &statusLog{StatusStore: s.statuses}
	h := newHerder(t, s, func(c *Config) {
		c.Plugins = []func() connect.Connector{func() connect.Connector { return flakyConnector{starts: starts} }}
		c.Statuses = log
	})
	return h, s, log, starts
}

func flakyConfig(extra ...string) map[string]string {
	c := map[string]string{"connector.class": flakyClass, "retriable.restart.connector.wait.ms": "20"}
	for i := 0; i < len(extra); i += 2 {
		c[extra[i]] = extra[i+1]
	}
	return c
}

func flakyCommitted(t *testing.T, s *stores) int64 {
	t.Helper()
	off, err := s.offsets.Get(t.Context(), "flaky", map[string]any{"task": "flaky"})
	if err != nil {
		t.Fatal(err)
	}
	if off == nil {
		return -1
	}
	return off["n"].(int64)
}

// TestRetriableFailureRestartsTask: a task failing with retriable errors is
// restarted (RESTARTING in between) and resumes from its committed offset
// each time, until it runs.
func TestRetriableFailureRestartsTask(t *testing.T) {
	h, s, log, starts := newFlakyHerder(t)
	if _, err := h.CreateConnector(t.Context(), "flaky", flakyConfig("retriable.failures", "3")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the fourth start", func() bool { return starts.Load() == 4 })
	waitState(t, h, "flaky", connect.StateRunning, connect.StateRunning)
	// Each run resumed after the previous one's committed offset: 4 runs of
	// 10 records.
	waitFor(t, "offsets of the fourth run", func() bool { return flakyCommitted(t, s) == 39 })
	want := []string{"RUNNING", "RESTARTING", "RUNNING", "RESTARTING", "RUNNING", "RESTARTING", "RUNNING"}
	if got := log.taskStates(); !slices.Equal(got, want) {
		t.Fatalf("task states %v, want %v", got, want)
	}
}

// TestRetriesExhaustedFails: with errors.max.retries=2 a task that keeps
// failing is restarted twice, then FAILED with the cause in its trace.
func TestRetriesExhaustedFails(t *testing.T) {
	h, _, log, starts := newFlakyHerder(t)
	// Progress resets the budget, so this task makes none.
	cfg := flakyConfig("retriable.failures", "-1", "errors.max.retries", "2", "batch", "0")
	if _, err := h.CreateConnector(t.Context(), "flaky", cfg); err != nil {
		t.Fatal(err)
	}
	st := waitState(t, h, "flaky", connect.StateRunning, connect.StateFailed)
	if !strings.Contains(st.Tasks[0].Trace, "connection lost") {
		t.Fatalf("trace %q does not carry the cause", st.Tasks[0].Trace)
	}
	if n := starts.Load(); n != 3 {
		t.Fatalf("%d starts, want 3 (one run and two retries)", n)
	}
	want := []string{"RUNNING", "RESTARTING", "RUNNING", "RESTARTING", "RUNNING", "FAILED"}
	if got := log.taskStates(); !slices.Equal(got, want) {
		t.Fatalf("task states %v, want %v", got, want)
	}
}

// TestProgressResetsRetryBudget: a task that commits offsets between its
// failures is restarted more often than errors.max.retries in all.
func TestProgressResetsRetryBudget(t *testing.T) {
	h, s, _, starts := newFlakyHerder(t)
	cfg := flakyConfig("retriable.failures", "3", "errors.max.retries", "1")
	if _, err := h.CreateConnector(t.Context(), "flaky", cfg); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "offsets of the fourth run", func() bool { return flakyCommitted(t, s) == 39 })
	waitState(t, h, "flaky", connect.StateRunning, connect.StateRunning)
	if n := starts.Load(); n != 4 {
		t.Fatalf("%d starts, want 4", n)
	}
}

// TestFatalFailureIsNotRetried: a non-retriable error fails the task at
// once.
func TestFatalFailureIsNotRetried(t *testing.T) {
	h, _, log, starts := newFlakyHerder(t)
	if _, err := h.CreateConnector(t.Context(), "flaky", flakyConfig("retriable.failures", "0", "fatal", "true")); err != nil {
		t.Fatal(err)
	}
	st := waitState(t, h, "flaky", connect.StateRunning, connect.StateFailed)
	if !strings.Contains(st.Tasks[0].Trace, "corrupt source data") {
		t.Fatalf("trace %q", st.Tasks[0].Trace)
	}
	if n := starts.Load(); n != 1 {
		t.Fatalf("%d starts, want 1", n)
	}
	if got, want := log.taskStates(), []string{"RUNNING", "FAILED"}; !slices.Equal(got, want) {
		t.Fatalf("task states %v, want %v", got, want)
	}
}

// TestManualRestartDuringRetryWait: a task waiting for its restart can be
// restarted by hand at once; the herder stops without waiting out the
// wait.
func TestManualRestartDuringRetryWait(t *testing.T) {
	h, _, _, starts := newFlakyHerder(t)
	cfg := flakyConfig("retriable.failures", "1", "retriable.restart.connector.wait.ms", "3600000")
	if _, err := h.CreateConnector(t.Context(), "flaky", cfg); err != nil {
		t.Fatal(err)
	}
	waitState(t, h, "flaky", connect.StateRunning, connect.StateRestarting)
	if err := h.RestartTask(t.Context(), connect.TaskID{Connector: "flaky"}); err != nil {
		t.Fatal(err)
	}
	waitState(t, h, "flaky", connect.StateRunning, connect.StateRunning)
	if n := starts.Load(); n != 2 {
		t.Fatalf("%d starts, want 2", n)
	}
}

func TestRestartPolicyValidation(t *testing.T) {
	h, _, _, _ := newFlakyHerder(t)
	for key, bad := range map[string]string{KeyRetriableRestartWait: "-5", KeyErrorsMaxRetries: "many"} {
		_, err := h.CreateConnector(t.Context(), "flaky", flakyConfig("retriable.failures", "0", key, bad))
		var verr *connect.ValidationError
		if !errors.As(err, &verr) || len(verr.Errors) != 1 || verr.Errors[0].Name != key {
			t.Fatalf("%s=%s: create = %v, want a ValidationError naming it", key, bad, err)
		}
	}
	p, errs := parseRestartPolicy(map[string]string{})
	if len(errs) != 0 || p.wait != defaultRetriableRestartWait || p.maxRetries != -1 {
		t.Fatalf("defaults = %+v %v", p, errs)
	}
}
