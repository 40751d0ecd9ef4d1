package herder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/membership"
	"github.com/tributary-cdc/tributary/connect/storage"
	"github.com/tributary-cdc/tributary/connect/worker"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

const testClass = "com.example.CountingSourceConnector"

// countingConnector is a minimal source connector: its task emits
// "records" records to "topic" (a comma-separated list: record n goes to
// topic n modulo their number), resuming after the committed offset, and
// fails on the next poll when "fail" is set.
type countingConnector struct{}

func (countingConnector) Class() string   { return testClass }
func (countingConnector) Type() string    { return "source" }
func (countingConnector) Version() string { return "1.0" }

func (countingConnector) Validate(_ context.Context, config map[string]string) []connect.ConfigError {
	if config["topic"] == "" {
		return []connect.ConfigError{{Name: "topic", Message: `Missing required configuration "topic" which has no default value.`}}
	}
	return nil
}

func (countingConnector) TaskConfigs(config map[string]string, _ int) ([]map[string]string, error) {
	return []map[string]string{config}, nil
}

func (countingConnector) NewTask() connect.SourceTask { return &countingTask{} }

type countingTask struct {
	topics     []string
	next, last int64
	fail       bool
	stopErr    bool          // Stop fails, as a task whose last flush failed
	block      chan struct{} // Poll ignores cancellation until it is closed
	polled     atomic.Int64  // records returned by Poll, for Metrics
}

// Metrics reports the records polled (connect.MetricsReporter).
func (c *countingTask) Metrics() []connect.Metric {
	return []connect.Metric{{Name: "counting_records_polled_total", Type: connect.Counter, Value: float64(c.polled.Load())}}
}

// failedOnce holds the "fail.once" keys of tasks that have failed already.
var failedOnce sync.Map

// blockers holds, by "block" key, channels whose closing lets a blocked
// task's Poll return.
var blockers sync.Map

func (c *countingTask) Start(ctx context.Context, tc connect.TaskContext, config map[string]string) error {
	c.topics, c.fail = strings.Split(config["topic"], ","), config["fail"] == "true"
	c.stopErr = config["stop.error"] == "true"
	if key := config["fail.once"]; key != "" {
		if _, failed := failedOnce.LoadOrStore(key, true); !failed {
			c.fail = true
		}
	}
	if key := config["block"]; key != "" {
		ch, _ := blockers.Load(key)
		c.block = ch.(chan struct{})
	}
	n, err := strconv.ParseInt(config["records"], 10, 64)
	if err != nil {
		return fmt.Errorf("parsing records: %w", err)
	}
	c.last = n - 1
	off, err := tc.Offset(ctx, map[string]any{"task": "counting"})
	if err != nil {
		return err
	}
	if off != nil {
		c.next = off["n"].(int64) + 1
	}
	return nil
}

func (c *countingTask) Poll(ctx context.Context) ([]connect.SourceRecord, error) {
	if c.next > c.last {
		if c.fail {
			return nil, errors.New("simulated source failure")
		}
		<-ctx.Done()
		if c.block != nil {
			<-c.block
		}
		return nil, ctx.Err()
	}
	var out []connect.SourceRecord
	for ; c.next <= c.last && len(out) < 100; c.next++ {
		out = append(out, connect.SourceRecord{
			SourcePartition: map[string]any{"task": "counting"}, SourceOffset: map[string]any{"n": c.next},
			Topic: c.topics[c.next%int64(len(c.topics))], ValueSchema: schema.Int64Schema, Value: c.next,
		})
	}
	c.polled.Add(int64(len(out)))
	return out, nil
}

func (c *countingTask) Commit(context.Context, map[string]any, map[string]any) error { return nil }

func (c *countingTask) Stop() error {
	if c.stopErr {
		return errors.New("simulated failure while stopping")
	}
	return nil
}

// stores is one worker's view of the three topics, and what internal/app wires
// to them: the herder told of every config record and the worker's group
// membership.
type stores struct {
	brokers  []string
	client   sarama.Client
	configs  *storage.ConfigStore
	statuses *storage.StatusStore
	offsets  *storage.OffsetStore
	admin    sarama.ClusterAdmin
	// group is the worker's membership once newHerder has joined it.
	group *membership.Group
}

// newBroker starts a broker that creates a topic when a producer first asks
// for its metadata, as Kafka's brokers do by default
// (auto.create.topics.enable=true).
func newBroker(t *testing.T, opts ...kfake.Opt) []string {
	t.Helper()
	return kafkatest.StartCluster(t, append([]kfake.Opt{kfake.AllowAutoTopicCreation()}, opts...)...).ListenAddrs()
}

// openStores opens the three topics as one worker does.
func openStores(t *testing.T, brokers []string) *stores {
	t.Helper()
	cfg := func(topic string, parts int32) kafkalog.Config {
		return kafkalog.Config{Brokers: brokers, Topic: topic, Partitions: parts, ReplicationFactor: -1, ClientID: "test"}
	}
	s := &stores{brokers: brokers}
	var err error
	if s.configs, err = storage.OpenConfigStore(t.Context(), cfg("connect-configs", 1)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.configs.Close() })
	if s.statuses, err = storage.OpenStatusStore(t.Context(), cfg("connect-status", 5)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.statuses.Close() })
	if s.offsets, err = storage.OpenOffsetStore(t.Context(), cfg("connect-offsets", 25)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.offsets.Close() })
	if s.client, err = sarama.NewClient(brokers, kafkaclient.NewConfig("test")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.client.Close() })
	if s.admin, err = sarama.NewClusterAdminFromClient(s.client); err != nil {
		t.Fatal(err)
	}
	return s
}

// startHerder starts a herder over s, following its config records as
// internal/app's does. It runs nothing until it is given an assignment: by
// newHerder's group, or by the test, as the group protocol would.
func startHerder(t *testing.T, s *stores, mutate ...func(*Config)) *Herder {
	t.Helper()
	cfg := Config{
		WorkerID: "10.0.0.5:8083",
		Plugins:  []func() connect.Connector{func() connect.Connector { return countingConnector{} }},
		Converters: func(class string, props map[string]string, isKey bool) (worker.Converter, error) {
			if class != "org.apache.kafka.connect.json.JsonConverter" {
				return nil, fmt.Errorf("class %s could not be found", class)
			}
			return jsonconv.New(props, isKey)
		},
		KeyConverter: "org.apache.kafka.connect.json.JsonConverter", ValueConverter: "org.apache.kafka.connect.json.JsonConverter",
		Configs: s.configs, Statuses: s.statuses, Offsets: s.offsets,
		NewProducer: func(ps kafkaclient.ProducerSettings) (sarama.AsyncProducer, error) {
			pc := kafkaclient.NewConfig("test")
			ps.Apply(pc)
			return sarama.NewAsyncProducer(s.brokers, pc)
		},
		ProducerSettings: kafkaclient.DefaultProducerSettings(),
		Admin:            s.admin,
		Client:           s.client,
		FlushInterval:    20 * time.Millisecond,
		FlushTimeout:     5 * time.Second,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	h := New(cfg)
	s.configs.SetListener(h)
	if err := h.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Stop)
	return h
}

// newHerder starts a worker as internal/app does: a herder over s, member of a
// group of its own, which it asks to rebalance when connectors or tasks
// change. It returns once the herder has its first assignment. The worker
// stops, herder then group, when the test ends; s.group is its membership.
func newHerder(t *testing.T, s *stores, mutate ...func(*Config)) *Herder {
	t.Helper()
	var group *membership.Group
	h := startHerder(t, s, append(mutate, func(c *Config) {
		c.ConfigOffset = func(context.Context) (int64, error) {
			next, err := s.client.GetOffset("connect-configs", 0, sarama.OffsetNewest)
			return next - 1, err
		}
		group = membership.New(membership.Config{
			Client: s.client, GroupID: "connect-cluster", URL: "http://" + c.WorkerID,
			SessionTimeout: 10 * time.Second, HeartbeatInterval: time.Second, RebalanceTimeout: 10 * time.Second,
		})
		c.Group = group
	})...)
	s.group = group
	group.Start(h)
	t.Cleanup(func() {
		h.Stop()
		group.Close()
	})
	waitFor(t, "the first assignment", h.ready.Load)
	return h
}

// runningTasks is the number of tasks the herder runs.
func runningTasks(h *Herder) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.tasks)
}

// statusLog records every connector and task state the herder writes.
type statusLog struct {
	*storage.StatusStore
	mu                sync.Mutex
	connectors, tasks []string
}

func (s *statusLog) PutConnector(ctx context.Context, name string, st connect.State) error {
	s.mu.Lock()
	s.connectors = append(s.connectors, st.State)
	s.mu.Unlock()
	return s.StatusStore.PutConnector(ctx, name, st)
}

func (s *statusLog) PutTask(ctx context.Context, id connect.TaskID, st connect.State) error {
	s.mu.Lock()
	s.tasks = append(s.tasks, st.State)
	s.mu.Unlock()
	return s.StatusStore.PutTask(ctx, id, st)
}

// connectorStates and taskStates are the states written so far.
func (s *statusLog) connectorStates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.connectors)
}

func (s *statusLog) taskStates() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tasks)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, 20*time.Second, what, testutil.Until(what, cond))
}

func waitState(t *testing.T, h *Herder, name, connState, taskState string) connect.ConnectorStateInfo {
	t.Helper()
	var st connect.ConnectorStateInfo
	waitFor(t, fmt.Sprintf("%s to be %s/%s", name, connState, taskState), func() bool {
		var err error
		st, err = h.ConnectorStatus(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		return st.Connector.State == connState && len(st.Tasks) == 1 && st.Tasks[0].State == taskState
	})
	return st
}

func committed(t *testing.T, s *stores) int64 {
	t.Helper()
	off, err := s.offsets.Get(t.Context(), "counter", map[string]any{"task": "counting"})
	if err != nil {
		t.Fatal(err)
	}
	if off == nil {
		return -1
	}
	return off["n"].(int64)
}

func config(extra ...string) map[string]string {
	c := map[string]string{"connector.class": testClass, "topic": "numbers", "records": "250"}
	for i := 0; i < len(extra); i += 2 {
		c[extra[i]] = extra[i+1]
	}
	return c
}

func TestCreateRunsTasksAndCommitsOffsets(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)

	info, err := h.CreateConnector(t.Context(), "counter", config())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "counter" || info.Type != "source" || info.Config["name"] != "counter" ||
		len(info.Tasks) != 1 || info.Tasks[0] != (connect.TaskID{Connector: "counter", Task: 0}) {
		t.Fatalf("ConnectorInfo = %+v", info)
	}
	st := waitState(t, h, "counter", connect.StateRunning, connect.StateRunning)
	if st.Connector.WorkerID != "10.0.0.5:8083" || st.Tasks[0].WorkerID != "10.0.0.5:8083" {
		t.Fatalf("worker ids in %+v", st)
	}
	waitFor(t, "all 250 offsets committed", func() bool { return committed(t, s) == 249 })

	if _, err := h.CreateConnector(t.Context(), "counter", config()); !errors.Is(err, connect.ErrAlreadyExists) {
		t.Fatalf("second create = %v, want ErrAlreadyExists", err)
	}
	if names, _ := h.Connectors(t.Context()); len(names) != 1 || names[0] != "counter" {
		t.Fatalf("Connectors = %v", names)
	}

	// A new herder over the same topics (a worker restart) resumes the task
	// from its committed offset: more records are produced after it.
	h.Stop()
	s.group.Close()
	if _, _, err := h.PutConnectorConfig(t.Context(), "counter", config()); err == nil {
		t.Fatal("a stopped herder accepted a config")
	}
	cfg := config("records", "300")
	cfg["name"] = "counter"
	if err := s.configs.PutConnectorConfig(t.Context(), "counter", cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.configs.PutTaskConfigs(t.Context(), "counter", []map[string]string{cfg}); err != nil {
		t.Fatal(err)
	}
	h2 := newHerder(t, s)
	waitState(t, h2, "counter", connect.StateRunning, connect.StateRunning)
	waitFor(t, "offsets of the resumed task", func() bool { return committed(t, s) == 299 })
}

func TestCreateRejectsInvalidConfigsAndCreatesNothing(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	cases := []struct {
		name   string
		config map[string]string
		field  string
	}{
		{"unknown class", config("connector.class", "com.example.Nope"), "connector.class"},
		{"missing class", func() map[string]string { c := config(); delete(c, "connector.class"); return c }(), "connector.class"},
		{"bad tasks.max", config("tasks.max", "zero"), "tasks.max"},
		{"unknown converter", config("value.converter", "com.example.NoConverter"), "value.converter"},
		{"bad converter setting", config("key.converter.decimal.format", "ROMAN"), "key.converter"},
		{"connector validation", config("topic", ""), "topic"},
		{"bad producer override", config("producer.override.compression.type", "brotli"), "producer.override.compression.type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.CreateConnector(t.Context(), "bad", tc.config)
			var verr *connect.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("create = %v, want a ValidationError", err)
			}
			found := false
			for _, e := range verr.Errors {
				found = found || e.Name == tc.field
			}
			if !found || !strings.HasPrefix(verr.Error(), "Connector configuration is invalid and contains the following") {
				t.Fatalf("errors %+v do not name %s (message %q)", verr.Errors, tc.field, verr.Error())
			}
		})
	}
	if names, _ := h.Connectors(t.Context()); len(names) != 0 {
		t.Fatalf("invalid configs created %v", names)
	}
	if _, err := h.ConnectorStatus(t.Context(), "bad"); !errors.Is(err, connect.ErrNotFound) {
		t.Fatalf("status of a rejected connector = %v, want ErrNotFound", err)
	}
}

func TestFailedTaskReportsTraceAndRestarts(t *testing.T) {
	s := openStores(t, newBroker(t))
	log := &statusLog{StatusStore: s.statuses}
	h := newHerder(t, s, func(c *Config) { c.Statuses = log })
	if _, err := h.CreateConnector(t.Context(), "counter", config("fail", "true", "records", "10")); err != nil {
		t.Fatal(err)
	}
	st := waitState(t, h, "counter", connect.StateRunning, connect.StateFailed)
	if !strings.Contains(st.Tasks[0].Trace, "simulated source failure") {
		t.Fatalf("trace %q does not carry the cause", st.Tasks[0].Trace)
	}
	// The records before the failure were delivered and committed.
	waitFor(t, "offsets before the failure", func() bool { return committed(t, s) == 9 })

	// A plain connector restart leaves a failed task failed. The request
	// travels through the config topic; the worker applies it by writing
	// RESTARTING, then RUNNING, under the herder's lock.
	connectorStates, taskStates := len(log.connectorStates()), len(log.taskStates())
	if err := h.RestartConnector(t.Context(), "counter"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the connector restart to be applied", func() bool {
		return slices.Equal(log.connectorStates()[connectorStates:], []string{connect.StateRestarting, connect.StateRunning})
	})
	if n := runningTasks(h); n != 0 {
		t.Fatalf("%d tasks run after a connector restart, want the failed one still down", n)
	}
	if ts, _ := h.TaskStatus(t.Context(), connect.TaskID{Connector: "counter"}); ts.State != connect.StateFailed {
		t.Fatalf("after connector restart task is %s, want FAILED", ts.State)
	}
	if got := log.taskStates()[taskStates:]; len(got) != 0 {
		t.Fatalf("a connector restart wrote task states %v", got)
	}
	// Fix the config: the task runs again.
	if _, created, err := h.PutConnectorConfig(t.Context(), "counter", config("records", "10")); err != nil || created {
		t.Fatalf("PutConnectorConfig = created %v, %v", created, err)
	}
	waitState(t, h, "counter", connect.StateRunning, connect.StateRunning)

	// Restart with includeTasks reports RESTARTING and comes back RUNNING:
	// both the connector and its task go through RESTARTING.
	connectorStates, taskStates = len(log.connectorStates()), len(log.taskStates())
	rs, err := h.RestartConnectorAndTasks(t.Context(), "counter", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Connector.State != connect.StateRestarting || rs.Tasks[0].State != connect.StateRestarting {
		t.Fatalf("restart status %+v", rs)
	}
	restarted := []string{connect.StateRestarting, connect.StateRunning}
	waitFor(t, "the connector and its task to restart", func() bool {
		return slices.Equal(log.connectorStates()[connectorStates:], restarted) &&
			slices.Equal(log.taskStates()[taskStates:], restarted)
	})
	waitState(t, h, "counter", connect.StateRunning, connect.StateRunning)
	if _, err := h.TaskStatus(t.Context(), connect.TaskID{Connector: "counter", Task: 3}); !errors.Is(err, connect.ErrNotFound) {
		t.Fatalf("status of task 3 = %v, want ErrNotFound", err)
	}
}

func TestPauseResumeDelete(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	if _, err := h.CreateConnector(t.Context(), "counter", config()); err != nil {
		t.Fatal(err)
	}
	waitState(t, h, "counter", connect.StateRunning, connect.StateRunning)
	if err := h.PauseConnector(t.Context(), "counter"); err != nil {
		t.Fatal(err)
	}
	waitState(t, h, "counter", connect.StatePaused, connect.StatePaused)
	if st, _ := s.configs.Connector("counter"); st.TargetState != TargetPaused {
		t.Fatalf("target state %q, want PAUSED", st.TargetState)
	}
	if err := h.ResumeConnector(t.Context(), "counter"); err != nil {
		t.Fatal(err)
	}
	waitState(t, h, "counter", connect.StateRunning, connect.StateRunning)

	if err := h.DeleteConnector(t.Context(), "counter"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.ConnectorInfo(t.Context(), "counter"); !errors.Is(err, connect.ErrNotFound) {
		t.Fatalf("info after delete = %v", err)
	}
	if err := h.DeleteConnector(t.Context(), "counter"); !errors.Is(err, connect.ErrNotFound) {
		t.Fatalf("second delete = %v, want ErrNotFound", err)
	}
	if _, ok := s.statuses.Connector("counter"); ok {
		t.Fatal("status of a deleted connector remains")
	}
	// The name can be used again. The worker the group gives the new
	// connector reports it STOPPED, without tasks.
	if _, err := h.CreateConnectorInState(t.Context(), "counter", config(), connect.StateStopped); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the connector created STOPPED to report it", func() bool {
		st, err := h.ConnectorStatus(t.Context(), "counter")
		if err != nil {
			t.Fatal(err)
		}
		return st.Connector.State == connect.StateStopped && len(st.Tasks) == 0
	})
}

// OnTaskCount follows the number of running tasks (the worker sizes its
// memory limit by it).
// TestMetricsOfWorkerAndTasks: the worker counts its connectors and tasks,
// reports each task's status, and adds the metrics of tasks that report
// some; a deleted connector's task is gone from them.
func TestMetricsOfWorkerAndTasks(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	if _, err := h.CreateConnector(t.Context(), "counter", config()); err != nil {
		t.Fatal(err)
	}
	value := func(ms []connect.Metric, name string) (float64, bool) {
		for _, m := range ms {
			if m.Name == name {
				return m.Value, true
			}
		}
		return 0, false
	}
	waitFor(t, "the task's 250 records in its metrics", func() bool {
		v, _ := value(h.Metrics(), "counting_records_polled_total")
		return v == 250
	})
	ms := h.Metrics()
	if v, _ := value(ms, "kafka_connect_worker_connector_count"); v != 1 {
		t.Errorf("connector count = %v, want 1", v)
	}
	if v, _ := value(ms, "kafka_connect_worker_task_count"); v != 1 {
		t.Errorf("task count = %v, want 1", v)
	}
	want := []connect.Label{{Name: "connector", Value: "counter"}, {Name: "task", Value: "0"}, {Name: "status", Value: "running"}}
	if i := slices.IndexFunc(ms, func(m connect.Metric) bool { return m.Name == "kafka_connect_connector_status" }); i < 0 ||
		!slices.Equal(ms[i].Labels, want) || ms[i].Value != 1 {
		t.Errorf("kafka_connect_connector_status missing or wrong in %+v", ms)
	}

	if err := h.DeleteConnector(t.Context(), "counter"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the deleted connector's task to leave the metrics", func() bool {
		_, ok := value(h.Metrics(), "counting_records_polled_total")
		return !ok
	})
	// The connector leaves the count with the rebalance its deletion asks
	// for.
	waitFor(t, "the deleted connector to leave the connector count", func() bool {
		v, ok := value(h.Metrics(), "kafka_connect_worker_connector_count")
		return ok && v == 0
	})
}

func TestOnTaskCount(t *testing.T) {
	s := openStores(t, newBroker(t))
	var count atomic.Int64
	count.Store(-1)
	h := newHerder(t, s, func(c *Config) {
		c.OnTaskCount = func(n int) { count.Store(int64(n)) }
	})
	if _, err := h.CreateConnector(t.Context(), "counter", config()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "one running task to be reported", func() bool { return count.Load() == 1 })
	if err := h.DeleteConnector(t.Context(), "counter"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "no running task to be reported", func() bool { return count.Load() == 0 })
}

// Connector overrides of the producer's security are checked at create
// time: the override policy and each setting, a 400 naming the property;
// admin.override.* and consumer.override.* security settings are refused.
func TestProducerSecurityOverridesAreValidated(t *testing.T) {
	s := openStores(t, newBroker(t))
	worker := map[string]string{"connector.client.config.override.policy": "Principal"}
	h := newHerder(t, s, func(c *Config) {
		c.ProducerSecurity = func(connector map[string]string, log *slog.Logger) (*security.Config, []connect.ConfigError) {
			return kafkaclient.ProducerSecurity(worker, connector, security.PolicyPrincipal, security.Options{Logger: log})
		}
	})
	for _, tc := range []struct {
		name   string
		config map[string]string
		field  string
	}{
		{"refused by the policy", config("producer.override.ssl.truststore.location", "/t.jks"), "producer.override.ssl.truststore.location"},
		{"unsupported mechanism", config("producer.override.security.protocol", "SASL_PLAINTEXT", "producer.override.sasl.mechanism", "GSSAPI",
			"producer.override.sasl.jaas.config", "x required;"), "producer.override.sasl.mechanism"},
		{"admin override", config("admin.override.sasl.mechanism", "PLAIN"), "admin.override.sasl.mechanism"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.CreateConnector(t.Context(), "bad", tc.config)
			var verr *connect.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("create = %v, want a ValidationError", err)
			}
			found := false
			for _, e := range verr.Errors {
				found = found || e.Name == tc.field
			}
			if !found {
				t.Fatalf("errors %+v do not name %s", verr.Errors, tc.field)
			}
		})
	}
	if names, _ := h.Connectors(t.Context()); len(names) != 0 {
		t.Fatalf("invalid configs created %v", names)
	}
	// A principal override the policy allows is accepted.
	if _, err := h.CreateConnector(t.Context(), "ok", config("producer.override.security.protocol", "PLAINTEXT")); err != nil {
		t.Fatalf("create with an allowed override: %v", err)
	}
}
