package postgres_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// debeziumLabels are the labels the Prometheus JMX exporter rule gives
// Debezium's connector-metrics MBean of the harness's connector
// (topic.prefix dbserver1), in the rule's order.
func debeziumLabels(context string, extra ...connect.Label) []connect.Label {
	return append([]connect.Label{
		{Name: "plugin", Value: "postgres"}, {Name: "name", Value: "dbserver1"}, {Name: "context", Value: context},
	}, extra...)
}

// slotLabels are the labels of the slot metrics of the harness's connector.
var slotLabels = []connect.Label{{Name: "name", Value: "dbserver1"}, {Name: "slot", Value: "debezium"}}

// sample finds the sample with exactly these name and labels.
func sample(ms []connect.Metric, name string, labels []connect.Label) (connect.Metric, bool) {
	for _, m := range ms {
		if m.Name == name && reflect.DeepEqual(m.Labels, labels) {
			return m, true
		}
	}
	return connect.Metric{}, false
}

// streamingValue is a Debezium streaming metric, failing the test if it is
// missing.
func streamingValue(t *testing.T, ms []connect.Metric, attr string) float64 {
	t.Helper()
	return mustSample(t, ms, "debezium_metrics_"+attr, debeziumLabels("streaming")).Value
}

func snapshotValue(t *testing.T, ms []connect.Metric, attr string) float64 {
	t.Helper()
	return mustSample(t, ms, "debezium_metrics_"+attr, debeziumLabels("snapshot")).Value
}

func slotValue(t *testing.T, ms []connect.Metric, name string) float64 {
	t.Helper()
	return mustSample(t, ms, name, slotLabels).Value
}

func mustSample(t *testing.T, ms []connect.Metric, name string, labels []connect.Label) connect.Metric {
	t.Helper()
	m, ok := sample(ms, name, labels)
	if !ok {
		t.Fatalf("no sample %s%v in:\n%s", name, labels, describeMetrics(ms))
	}
	return m
}

// has reports whether the sample exists and has value v.
func has(ms []connect.Metric, name string, labels []connect.Label, v float64) bool {
	m, ok := sample(ms, name, labels)
	return ok && m.Value == v
}

// waitMetrics polls Metrics until ok accepts them and returns them.
func waitMetrics(t *testing.T, task *postgres.Task, what string, ok func([]connect.Metric) bool) []connect.Metric {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	return waitMetricsWhile(t, task, what, ok, func() { <-tick.C })
}

// awaitMetrics is waitMetrics while the harness polls as the runtime does
// (see harness.pollBriefly).
func (h *harness) awaitMetrics(what string, ok func([]connect.Metric) bool) []connect.Metric {
	h.t.Helper()
	return waitMetricsWhile(h.t, h.task, what, ok, h.pollBriefly)
}

func waitMetricsWhile(t *testing.T, task *postgres.Task, what string, ok func([]connect.Metric) bool, between func()) []connect.Metric {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		ms := task.Metrics()
		if ok(ms) {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed %s:\n%s", what, describeMetrics(ms))
		}
		between()
	}
}

func describeMetrics(ms []connect.Metric) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  %s%v %v\n", m.Name, m.Labels, m.Value)
	}
	return b.String()
}

// TestMetricsSnapshotAndStreaming checks the snapshot and streaming metrics
// against Debezium's semantics (SnapshotMeter, CommonEventMeter,
// StreamingMeter, ChangeEventQueue) and the slot lag through a snapshot and
// two streamed transactions.
func TestMetricsSnapshotAndStreaming(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL,
		`CREATE TABLE public.items(id int PRIMARY KEY, name text)`,
		`CREATE TABLE public.ignored(id int PRIMARY KEY)`,
		`INSERT INTO customers(email) VALUES ('a'), ('b'), ('c'), ('d')`,
		`INSERT INTO items VALUES (1, 'x'), (2, 'y')`,
		`INSERT INTO ignored VALUES (1)`)
	h := newHarness(t, pg, map[string]string{
		"table.include.list":      "public.customers,public.items",
		"max.queue.size.in.bytes": "1000000",
	})
	h.start()

	snap := h.poll(6)
	h.commit(snap[len(snap)-1])
	ms := waitMetrics(t, h.task, "a completed snapshot", func(ms []connect.Metric) bool {
		return has(ms, "debezium_metrics_SnapshotCompleted", debeziumLabels("snapshot"), 1)
	})
	for attr, want := range map[string]float64{
		"SnapshotRunning": 0, "SnapshotAborted": 0,
		// SnapshotMeter: the tables the snapshot reads (captured ones only),
		// each removed from the remaining ones once read.
		"TotalTableCount": 2, "RemainingTableCount": 0,
	} {
		if got := snapshotValue(t, ms, attr); got != want {
			t.Errorf("%s = %v, want %v", attr, got, want)
		}
	}
	if got := snapshotValue(t, ms, "SnapshotDurationInSeconds"); got < 0 {
		t.Errorf("SnapshotDurationInSeconds = %v", got)
	}
	// RowsScanned is keyed by the TableId identifier, "schema.table" on
	// PostgreSQL (Debezium's PostgresMetricsIT: CapturedTables
	// ["public.simple"]).
	var rows []connect.Metric
	for _, m := range ms {
		if m.Name == "debezium_metrics_RowsScanned" {
			rows = append(rows, m)
		}
	}
	wantRows := map[string]float64{"public.customers": 4, "public.items": 2}
	if len(rows) != len(wantRows) {
		t.Errorf("RowsScanned samples:\n%s", describeMetrics(rows))
	}
	for table, want := range wantRows {
		m := mustSample(t, ms, "debezium_metrics_RowsScanned", debeziumLabels("snapshot", connect.Label{Name: "table", Value: table}))
		if m.Value != want || m.Type != connect.Counter {
			t.Errorf("RowsScanned of %s = %v (%s), want %v (counter)", table, m.Value, m.Type, want)
		}
	}
	if typ := mustSample(t, ms, "debezium_metrics_SnapshotRunning", debeziumLabels("snapshot")).Type; typ != connect.Gauge {
		t.Errorf("SnapshotRunning is a %s, want a gauge", typ)
	}

	// Streaming, before any streamed event: the snapshot's events belong to
	// the snapshot context.
	ms = waitMetrics(t, h.task, "an open replication stream", func(ms []connect.Metric) bool {
		return has(ms, "debezium_metrics_Connected", debeziumLabels("streaming"), 1)
	})
	for attr, want := range map[string]float64{
		"TotalNumberOfEventsSeen": 0, "NumberOfCommittedTransactions": 0,
		"MilliSecondsBehindSource": -1, "MilliSecondsSinceLastEvent": -1,
		// max.queue.size's default, and the configured byte bound.
		"QueueTotalCapacity": 8192, "QueueRemainingCapacity": 8192, "MaxQueueSizeInBytes": 1000000,
	} {
		if got := streamingValue(t, ms, attr); got != want {
			t.Errorf("before streaming: %s = %v, want %v", attr, got, want)
		}
	}
	txBefore := streamingValue(t, ms, "NumberOfCommittedTransactions")

	// Two transactions: 3 inserts and an update, then an update and a
	// delete (with its tombstone, which is no event).
	pg.Exec(t,
		`INSERT INTO customers(email) VALUES ('e'), ('f'), ('g'); UPDATE customers SET email = 'a2' WHERE id = 1`,
		`UPDATE customers SET email = 'b2' WHERE id = 2; DELETE FROM customers WHERE id = 3`)
	ms = waitMetrics(t, h.task, "6 streamed events, all queued", func(ms []connect.Metric) bool {
		return has(ms, "debezium_metrics_TotalNumberOfEventsSeen", debeziumLabels("streaming"), 6) &&
			has(ms, "debezium_metrics_QueueRemainingCapacity", debeziumLabels("streaming"), 8192-7)
	})
	for attr, want := range map[string]float64{
		"TotalNumberOfCreateEventsSeen": 3, "TotalNumberOfUpdateEventsSeen": 2, "TotalNumberOfDeleteEventsSeen": 1,
		"NumberOfCommittedTransactions": txBefore + 2, "Connected": 1,
	} {
		if got := streamingValue(t, ms, attr); got != want {
			t.Errorf("%s = %v, want %v", attr, got, want)
		}
	}
	for _, attr := range []string{"MilliSecondsBehindSource", "MilliSecondsSinceLastEvent"} {
		if got := streamingValue(t, ms, attr); got < 0 {
			t.Errorf("%s = %v after events, want >= 0", attr, got)
		}
	}
	if got := streamingValue(t, ms, "CurrentQueueSizeInBytes"); got <= 0 {
		t.Errorf("CurrentQueueSizeInBytes = %v with 7 records queued", got)
	}
	for attr, typ := range map[string]connect.MetricType{
		"TotalNumberOfEventsSeen": connect.Counter, "NumberOfCommittedTransactions": connect.Counter,
		"MilliSecondsBehindSource": connect.Gauge, "QueueRemainingCapacity": connect.Gauge,
	} {
		if got := mustSample(t, ms, "debezium_metrics_"+attr, debeziumLabels("streaming")).Type; got != typ {
			t.Errorf("%s is a %s, want a %s", attr, got, typ)
		}
	}

	// Nothing streamed is committed yet: the slot keeps the WAL of both
	// transactions.
	ms = waitMetrics(t, h.task, "a slot lag", func(ms []connect.Metric) bool {
		m, ok := sample(ms, "tributary_postgres_slot_lag_bytes", slotLabels)
		return ok && m.Value > 0
	})
	if end, flushed := slotValue(t, ms, "tributary_postgres_server_wal_end_lsn"), slotValue(t, ms, "tributary_postgres_confirmed_flush_lsn"); end-flushed != slotValue(t, ms, "tributary_postgres_slot_lag_bytes") {
		t.Errorf("slot lag %v, want WAL end %v - confirmed %v", slotValue(t, ms, "tributary_postgres_slot_lag_bytes"), end, flushed)
	}

	recs := h.poll(7)
	ms = h.task.Metrics()
	if got := streamingValue(t, ms, "QueueRemainingCapacity"); got != 8192 {
		t.Errorf("QueueRemainingCapacity = %v after Poll took every record", got)
	}
	if got := streamingValue(t, ms, "CurrentQueueSizeInBytes"); got != 0 {
		t.Errorf("CurrentQueueSizeInBytes = %v after Poll took every record", got)
	}
	last := recs[len(recs)-1]
	h.commit(last)
	commitLSN := offsetInt(t, last, "lsn_commit")
	ms = h.awaitMetrics("no slot lag once committed", func(ms []connect.Metric) bool {
		return has(ms, "tributary_postgres_slot_lag_bytes", slotLabels, 0)
	})
	flushed := slotValue(t, ms, "tributary_postgres_confirmed_flush_lsn")
	if flushed < float64(commitLSN) {
		t.Errorf("confirmed flush %v, want at least the last commit %d", flushed, commitLSN)
	}
	// The metric is set when the status update is sent, so the server's
	// position never passes it.
	if server := confirmedFlush(t, pg, "debezium"); float64(server) > flushed {
		t.Errorf("the slot confirmed %d, beyond the reported %v", server, flushed)
	}
}

// TestMetricsSnapshotAborted: a snapshot that fails is aborted, as Debezium's
// AbstractSnapshotChangeEventSource marks any snapshot that ends in an
// error, and its table stays remaining.
func TestMetricsSnapshotAborted(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('a')`)
	h := newHarness(t, pg, map[string]string{
		"table.include.list":                                   "public.customers",
		"snapshot.select.statement.overrides":                  "public.customers",
		"snapshot.select.statement.overrides.public.customers": "SELECT * FROM public.customers WHERE no_such_column = 1",
	})
	h.start()
	if err := h.pollError(); err == nil {
		t.Fatal("the snapshot did not fail")
	}
	ms := h.task.Metrics()
	for attr, want := range map[string]float64{
		"SnapshotRunning": 0, "SnapshotCompleted": 0, "SnapshotAborted": 1,
		"TotalTableCount": 1, "RemainingTableCount": 1,
	} {
		if got := snapshotValue(t, ms, attr); got != want {
			t.Errorf("%s = %v, want %v", attr, got, want)
		}
	}
	if got := streamingValue(t, ms, "Connected"); got != 0 {
		t.Errorf("Connected = %v, but streaming never started", got)
	}
	if _, ok := sample(ms, "tributary_postgres_slot_lag_bytes", slotLabels); ok {
		t.Error("slot metrics reported before streaming started")
	}
}

// TestMetricsConcurrentWithTask calls Metrics continuously while a task
// snapshots with parallel readers and then streams (run it with -race), and
// checks that counters never go back.
func TestMetricsConcurrentWithTask(t *testing.T) {
	pg := pgtest.Start(t)
	createSnapTables(t, pg)
	h := newHarness(t, pg, map[string]string{"snapshot.max.threads": "3"})
	h.start()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var problems []string
	for range 2 {
		wg.Go(func() {
			seen := map[string]float64{}
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, m := range h.task.Metrics() {
					if m.Type != connect.Counter {
						continue
					}
					key := fmt.Sprint(m.Name, m.Labels)
					if prev, ok := seen[key]; ok && m.Value < prev {
						mu.Lock()
						problems = append(problems, fmt.Sprintf("%s went from %v to %v", key, prev, m.Value))
						mu.Unlock()
					}
					seen[key] = m.Value
				}
			}
		})
	}
	stopReaders := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	defer stopReaders()

	total := 0
	for _, tb := range snapTables {
		total += tb.rows
	}
	snap := h.poll(total)
	h.commit(snap[len(snap)-1])
	ms := waitMetrics(t, h.task, "a completed snapshot", func(ms []connect.Metric) bool {
		return has(ms, "debezium_metrics_SnapshotCompleted", debeziumLabels("snapshot"), 1)
	})
	for _, tb := range snapTables {
		m := mustSample(t, ms, "debezium_metrics_RowsScanned", debeziumLabels("snapshot", connect.Label{Name: "table", Value: "public." + tb.name}))
		if m.Value != float64(tb.rows) {
			t.Errorf("RowsScanned of %s = %v, want %d", tb.name, m.Value, tb.rows)
		}
	}

	pg.Exec(t, `INSERT INTO public.p1(v) SELECT 'n' || i FROM generate_series(1, 20) i`)
	recs := h.poll(20)
	h.commit(recs[len(recs)-1])
	waitMetrics(t, h.task, "20 streamed creates", func(ms []connect.Metric) bool {
		return has(ms, "debezium_metrics_TotalNumberOfCreateEventsSeen", debeziumLabels("streaming"), 20)
	})

	stopReaders()
	for _, p := range problems {
		t.Error(p)
	}
}
