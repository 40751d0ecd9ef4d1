package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/schema"
)

// failEvery is a transformation that fails on the records whose value is
// "v<i>" with i a multiple of n; it retopics nothing.
type failEvery struct {
	n         int
	retriable bool
}

func (failEvery) TransformClass() string { return "com.example.FailEvery" }

func (f failEvery) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	var i int
	fmt.Sscanf(r.Value.(string), "v%d", &i)
	if i%f.n == 0 {
		err := fmt.Errorf("cannot handle %v", r.Value)
		if f.retriable {
			err = connect.Retriable(err)
		}
		return r, false, err
	}
	return r, true, nil
}

// badValueConverter refuses the value "bad".
type badValueConverter struct{ stringConverter }

func (c badValueConverter) FromConnect(topic string, s *schema.Schema, v any) ([]byte, error) {
	return c.AppendConnect(nil, topic, s, v)
}

func (c badValueConverter) AppendConnect(dst []byte, topic string, s *schema.Schema, v any) ([]byte, error) {
	if v == "bad" {
		return nil, errors.New("not convertible")
	}
	return c.stringConverter.AppendConnect(dst, topic, s, v)
}

// syncBuffer is a log sink shared by the runner's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSpace(s.b.String()), "\n")
}

// tolerated is what runTolerating saw.
type tolerated struct {
	runErr error
	topic  []string // the values in the topic, sorted
	logs   []string // the ERROR log lines
	counts map[string]float64
	task   *scriptedTask
	f      *fixture
}

// runTolerating runs the records through a runner with errors.* set as
// given, against a real broker, until the task has nothing more to poll,
// then stops it.
func runTolerating(t *testing.T, recs []connect.SourceRecord, chain []connect.Transformation, value Converter, errs ErrorHandling) tolerated {
	t.Helper()
	f := newFixture(t)
	task := &scriptedTask{records: recs, commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	p, err := sarama.NewAsyncProducer(f.brokers, kafkaclient.NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	metrics := &ErrorMetrics{}
	errs.KeyConverterClass, errs.ValueConverterClass = "org.apache.kafka.connect.storage.StringConverter", "com.example.ValueConverter"
	r := NewSourceTaskRunner(SourceTaskConfig{
		ID: connect.TaskID{Connector: "conn"}, Task: task, Transforms: chain,
		KeyConverter: stringConverter{}, ValueConverter: value,
		Producer: p, Offsets: f.store, Topics: adminTopics{f.admin},
		FlushInterval: time.Hour, FlushTimeout: 10 * time.Second,
		Errors: errs, ErrorMetrics: metrics,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var runErr error
	select {
	case <-task.polled:
		cancel()
		runErr = <-done
	case runErr = <-done:
	}
	var values []string
	for _, vals := range readTopic(t, f.brokers, "events") {
		values = append(values, vals...)
	}
	slices.Sort(values)
	counts := map[string]float64{}
	for _, m := range metrics.Metrics(connect.TaskID{Connector: "conn"}) {
		counts[strings.TrimPrefix(m.Name, "kafka_connect_task_error_")] = m.Value
	}
	var errorLines []string
	for _, l := range logs.lines() {
		if strings.Contains(l, "level=ERROR") {
			errorLines = append(errorLines, l)
		}
	}
	return tolerated{runErr: runErr, topic: values, logs: errorLines, counts: counts, task: task, f: f}
}

func values(n int, skip func(i int) bool) []string {
	var out []string
	for i := range n {
		if !skip(i) {
			out = append(out, fmt.Sprintf("v%d", i))
		}
	}
	slices.Sort(out)
	return out
}

// TestToleranceAllSkipsFailedRecords: under errors.tolerance=all the
// records a transformation fails on are skipped and logged (LogReporter's
// line, with the record as polled when errors.log.include.messages), the
// others delivered, and the offsets advance past the skipped ones, in
// order; task-error-metrics counts them.
func TestToleranceAllSkipsFailedRecords(t *testing.T) {
	recs := records(20, func(i int) string { return fmt.Sprintf("v%d", i) })
	res := runTolerating(t, recs, []connect.Transformation{failEvery{n: 5}}, stringConverter{},
		ErrorHandling{ToleranceAll: true, LogEnable: true, LogIncludeMessages: true})
	runErr, got, logs, counts, task, f := res.runErr, res.topic, res.logs, res.counts, res.task, res.f
	_, _, _ = logs, task, f // not every test looks at them
	if runErr != nil {
		t.Fatalf("Run = %v, want a clean stop", runErr)
	}
	if want := values(20, func(i int) bool { return i%5 == 0 }); !slices.Equal(got, want) {
		t.Fatalf("topic has %v, want %v", got, want)
	}
	off, err := f.store.Get(t.Context(), "conn", map[string]any{"server": "s"})
	if err != nil || off["pos"] != int64(19) {
		t.Fatalf("stored offset %v (%v), want pos 19", off, err)
	}
	task.mu.Lock()
	if task.badCommit != nil {
		t.Error(task.badCommit)
	}
	task.mu.Unlock()
	if len(logs) != 4 {
		t.Fatalf("error log has %d lines, want 4:\n%s", len(logs), strings.Join(logs, "\n"))
	}
	for i, l := range logs {
		want := fmt.Sprintf(`"Error encountered in task conn-0. Executing stage 'TRANSFORMATION' with class 'com.example.FailEvery', `+
			`where source record is = SourceRecord{sourcePartition=map[server:s], sourceOffset=map[pos:%d]} ConnectRecord{topic='events', kafkaPartition=null, `+
			`key=k%d, keySchema=null, value=v%d, valueSchema=null, timestamp=null, headers=[]}."`, i*5, (i*5)%7, i*5)
		if !strings.Contains(l, "msg="+want) || !strings.Contains(l, fmt.Sprintf("cannot handle v%d", i*5)) {
			t.Errorf("log line %q, want message %s and the error", l, want)
		}
	}
	for name, want := range map[string]float64{"total_record_failures": 4, "total_record_errors": 4, "total_records_skipped": 4,
		"total_errors_logged": 4, "total_retries": 0} {
		if counts[name] != want {
			t.Errorf("%s = %v, want %v", name, counts[name], want)
		}
	}
	if counts["last_error_timestamp"] == 0 {
		t.Error("last_error_timestamp not set")
	}
}

// TestToleranceAllConverterFailure: a record the value converter refuses
// is skipped like one a transformation fails on; without
// errors.log.include.messages the log line carries no record.
func TestToleranceAllConverterFailure(t *testing.T) {
	recs := records(6, func(i int) string {
		if i == 2 {
			return "bad"
		}
		return fmt.Sprintf("v%d", i)
	})
	res := runTolerating(t, recs, nil, badValueConverter{}, ErrorHandling{ToleranceAll: true, LogEnable: true})
	runErr, got, logs, counts, task, f := res.runErr, res.topic, res.logs, res.counts, res.task, res.f
	_, _, _ = logs, task, f // not every test looks at them
	if runErr != nil {
		t.Fatalf("Run = %v", runErr)
	}
	if want := values(6, func(i int) bool { return i == 2 }); !slices.Equal(got, want) {
		t.Fatalf("topic has %v, want %v", got, want)
	}
	if off, _ := f.store.Get(t.Context(), "conn", map[string]any{"server": "s"}); off["pos"] != int64(5) {
		t.Fatalf("stored offset %v, want pos 5", off)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], `msg="Error encountered in task conn-0. Executing stage 'VALUE_CONVERTER' with class 'com.example.ValueConverter'."`) {
		t.Fatalf("error log %q", logs)
	}
	if counts["total_records_skipped"] != 1 {
		t.Errorf("total_records_skipped = %v", counts["total_records_skipped"])
	}
}

// TestToleranceNoneFailsTheTask: errors.tolerance=none (the default) fails
// the task at the first failure; nothing after it is produced or
// committed, and without errors.log.enable nothing is logged by the
// reporter.
func TestToleranceNoneFailsTheTask(t *testing.T) {
	recs := records(10, func(i int) string { return fmt.Sprintf("v%d", i+1) }) // v1..v10: v5 fails
	res := runTolerating(t, recs, []connect.Transformation{failEvery{n: 5}}, stringConverter{}, ErrorHandling{})
	runErr, got, logs, counts, task, f := res.runErr, res.topic, res.logs, res.counts, res.task, res.f
	_, _, _ = logs, task, f // not every test looks at them
	if runErr == nil || !strings.Contains(runErr.Error(), "cannot handle v5") {
		t.Fatalf("Run = %v, want the transformation's failure", runErr)
	}
	if want := []string{"v1", "v2", "v3", "v4"}; !slices.Equal(got, want) {
		t.Fatalf("topic has %v, want %v", got, want)
	}
	if off, _ := f.store.Get(t.Context(), "conn", map[string]any{"server": "s"}); off["pos"] != int64(3) {
		t.Fatalf("stored offset %v, want pos 3 (v4)", off)
	}
	for _, l := range logs {
		if strings.Contains(l, "Error encountered") {
			t.Errorf("reporter logged %q without errors.log.enable", l)
		}
	}
	if counts["total_record_failures"] != 1 || counts["total_records_skipped"] != 0 {
		t.Errorf("metrics %v", counts)
	}
}

// TestRetriableFailureIsRetriedThenFailsTheTask: a retriable failure is
// retried for errors.retry.timeout, then fails the task even under
// errors.tolerance=all (Kafka Connect would skip the record): a passing
// outage never drops records; the worker restarts the task.
func TestRetriableFailureIsRetriedThenFailsTheTask(t *testing.T) {
	recs := records(3, func(i int) string { return fmt.Sprintf("v%d", i+1) }) // v3 fails
	res := runTolerating(t, recs, []connect.Transformation{failEvery{n: 3, retriable: true}}, stringConverter{},
		ErrorHandling{ToleranceAll: true, RetryTimeout: time.Second, RetryDelayMax: time.Minute})
	runErr, got, logs, counts, task, f := res.runErr, res.topic, res.logs, res.counts, res.task, res.f
	_, _, _ = logs, task, f // not every test looks at them
	if !connect.IsRetriable(runErr) || !strings.Contains(runErr.Error(), "cannot handle v3") {
		t.Fatalf("Run = %v, want the retriable failure", runErr)
	}
	if want := []string{"v1", "v2"}; !slices.Equal(got, want) {
		t.Fatalf("topic has %v, want %v", got, want)
	}
	// Waits of 300 ms, 600 ms, … until the 1 s deadline: each failed try
	// is a failure, each wait a retry.
	if counts["total_retries"] < 1 || counts["total_record_failures"] != counts["total_retries"]+1 || counts["total_records_skipped"] != 0 {
		t.Errorf("metrics %v, want retries and one failure more", counts)
	}
}
