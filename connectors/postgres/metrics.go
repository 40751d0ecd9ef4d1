package postgres

import (
	"sync/atomic"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// Metric names. The debezium_metrics_* ones are Debezium's connector-metrics
// MBean attributes as the usual Prometheus JMX exporter rule names them
// (debezium.postgres<type=connector-metrics, context=..., server=...><>Attr
// → debezium_metrics_Attr{plugin, name, context}), so that dashboards built
// for Debezium keep working.
const (
	debeziumMetricPrefix = "debezium_metrics_"
	metricWALEnd         = "tributary_postgres_server_wal_end_lsn"
	metricConfirmedFlush = "tributary_postgres_confirmed_flush_lsn"
	metricSlotLag        = "tributary_postgres_slot_lag_bytes"
)

// Snapshot states, as Debezium's SnapshotMeter flags: at most one of
// running, completed and aborted is set.
const (
	snapshotNotStarted int32 = iota
	snapshotRunning
	snapshotCompleted
	snapshotAborted
)

// taskMetrics is the state behind Task.Metrics. The run goroutine (and the
// snapshot's parallel readers) write it; Metrics reads it from any
// goroutine. Everything is an atomic, so neither side ever waits.
type taskMetrics struct {
	// Streaming, as Debezium's DefaultStreamingChangeEventSourceMetrics.
	connected atomic.Bool
	// Events by operation; their sum is TotalNumberOfEventsSeen (truncates
	// count only there), which saves an atomic add per event.
	creates, updates, deletes, truncates atomic.Int64
	// transactions is NumberOfCommittedTransactions (see streamer.seen).
	transactions atomic.Int64
	// lastEventMs is when the last event was processed (Unix ms), 0 before
	// any; lagMs is that event's MilliSecondsBehindSource. lagMs is stored
	// first, so a reader that sees lastEventMs set sees the lag of that
	// event or of a later one, never the initial zero.
	lagMs       atomic.Int64
	lastEventMs atomic.Int64

	// Slot position: the highest WAL end the server reported and the LSN
	// last sent to it as flushed. walEnd stays 0 until streaming has begun
	// and the server has reported one.
	walEnd  atomic.Uint64
	flushed atomic.Uint64

	// Snapshot, as Debezium's SnapshotMeter.
	snapState     atomic.Int32
	snapStartMs   atomic.Int64
	snapStopMs    atomic.Int64
	snapTables    atomic.Pointer[[]*tableProgress]
	snapRemaining atomic.Int64
	// snapPaused is SnapshotPaused: an incremental snapshot is paused.
	snapPaused atomic.Bool
}

// tableProgress is the snapshot progress of one table. Its reader owns the
// writes; Metrics reads rows.
type tableProgress struct {
	// id is the key of Debezium's RowsScanned map: the TableId identifier,
	// "schema.table" on PostgreSQL (TableId with a null catalog).
	id   string
	rows atomic.Int64
}

// snapshotStarted is SnapshotMeter.snapshotStarted: called after
// snapshot.delay.ms, before the captured tables are known.
func (m *taskMetrics) snapshotStarted(now time.Time) {
	m.snapStartMs.Store(now.UnixMilli())
	m.snapStopMs.Store(0)
	m.snapState.Store(snapshotRunning)
}

// snapshotTables is SnapshotMeter.monitoredDataCollectionsDetermined: the
// tables the snapshot reads (RelationalSnapshotChangeEventSource's
// capturedTables, i.e. after snapshot.include.collection.list).
func (m *taskMetrics) snapshotTables(jobs []*snapshotJob) {
	tables := make([]*tableProgress, len(jobs))
	for i, j := range jobs {
		tables[i] = &j.progress
	}
	m.snapRemaining.Store(int64(len(jobs)))
	m.snapTables.Store(&tables)
}

// snapshotPaused is SnapshotMeter.snapshotPaused and snapshotResumed.
func (m *taskMetrics) snapshotPaused(paused bool) { m.snapPaused.Store(paused) }

// snapshotEnded is SnapshotMeter.snapshotCompleted or snapshotAborted
// (AbstractSnapshotChangeEventSource: aborted on any error, Stop included).
func (m *taskMetrics) snapshotEnded(ok bool, now time.Time) {
	m.snapStopMs.Store(now.UnixMilli())
	if ok {
		m.snapState.Store(snapshotCompleted)
	} else {
		m.snapState.Store(snapshotAborted)
	}
}

// event accounts one change event as Debezium's streaming metrics do when
// the EventDispatcher hands them an event (CommonEventMeter.onEvent,
// StreamingMeter.onEvent): counted is the operation's counter, commitMs
// the event's source ts_ms (the commit time), now the processing time.
func (m *taskMetrics) event(counted *atomic.Int64, commitMs int64, now time.Time) {
	counted.Add(1)
	nowMs := now.UnixMilli()
	// LagBehindSourceMeasurement: Duration.between(source ts, now) in ms.
	m.lagMs.Store(nowMs - commitMs)
	m.lastEventMs.Store(nowMs)
}

// walEndReported records a WAL end the server reported, if higher. Only
// the run goroutine writes walEnd, so no compare-and-swap is needed.
func (m *taskMetrics) walEndReported(lsn uint64) {
	if lsn > m.walEnd.Load() {
		m.walEnd.Store(lsn)
	}
}

var _ connect.MetricsReporter = (*Task)(nil)

// Metrics implements connect.MetricsReporter: Debezium's streaming and
// snapshot metrics, then the replication slot's position once streaming
// has begun. It only reads atomics, so it never waits for the task.
func (t *Task) Metrics() []connect.Metric {
	if !t.started.Load() {
		return nil
	}
	m := &t.metrics
	now := time.Now()
	b := metricsBuilder{prefix: t.cfg.TopicPrefix, out: make([]connect.Metric, 0, 32)}

	// Streaming.
	const streaming = "streaming"
	creates, updates, deletes := m.creates.Load(), m.updates.Load(), m.deletes.Load()
	total := creates + updates + deletes + m.truncates.Load()
	lag, since := int64(-1), int64(-1)
	if last := m.lastEventMs.Load(); last != 0 {
		lag = m.lagMs.Load()
		since = now.UnixMilli() - last
	}
	b.debezium(streaming, "Connected", connect.Gauge,
		"Whether the connector's replication stream is open (1) or not (0).", gaugeBool(m.connected.Load()))
	b.debezium(streaming, "MilliSecondsBehindSource", connect.Gauge,
		"Milliseconds between the last event's source timestamp (its commit time) and its processing; -1 before any event.", float64(lag))
	b.debezium(streaming, "TotalNumberOfEventsSeen", connect.Counter,
		"The total number of change events the connector has streamed.", float64(total))
	b.debezium(streaming, "TotalNumberOfCreateEventsSeen", connect.Counter,
		"The number of create events the connector has streamed.", float64(creates))
	b.debezium(streaming, "TotalNumberOfUpdateEventsSeen", connect.Counter,
		"The number of update events the connector has streamed.", float64(updates))
	b.debezium(streaming, "TotalNumberOfDeleteEventsSeen", connect.Counter,
		"The number of delete events the connector has streamed.", float64(deletes))
	b.debezium(streaming, "NumberOfCommittedTransactions", connect.Counter,
		"The number of transactions whose change events the connector has streamed.", float64(m.transactions.Load()))
	b.debezium(streaming, "MilliSecondsSinceLastEvent", connect.Gauge,
		"Milliseconds since the connector processed its last event; -1 before any event.", float64(since))
	// ChangeEventQueue: totalCapacity is max.queue.size, remainingCapacity
	// what it has free.
	capacity := t.records.limit
	b.debezium(streaming, "QueueTotalCapacity", connect.Gauge,
		"The number of records the queue between the connector and the runtime can hold (max.queue.size).", float64(capacity))
	b.debezium(streaming, "QueueRemainingCapacity", connect.Gauge,
		"The number of records the queue can still take.", float64(capacity-t.records.len()))
	b.debezium(streaming, "MaxQueueSizeInBytes", connect.Gauge,
		"The queue's bound in bytes (max.queue.size.in.bytes); 0 when unbounded.", float64(t.cfg.MaxQueueBytes))
	b.debezium(streaming, "CurrentQueueSizeInBytes", connect.Gauge,
		"The estimated bytes of the records in the queue; 0 when max.queue.size.in.bytes is unbounded.", float64(t.queued.used.Load()))

	// Snapshot.
	const snapshot = "snapshot"
	state := m.snapState.Load()
	var tables []*tableProgress
	if p := m.snapTables.Load(); p != nil {
		tables = *p
	}
	b.debezium(snapshot, "SnapshotRunning", connect.Gauge,
		"Whether the snapshot is running (1) or not (0).", gaugeBool(state == snapshotRunning))
	b.debezium(snapshot, "SnapshotCompleted", connect.Gauge,
		"Whether the snapshot completed (1) or not (0).", gaugeBool(state == snapshotCompleted))
	b.debezium(snapshot, "SnapshotAborted", connect.Gauge,
		"Whether the snapshot was aborted (1) or not (0).", gaugeBool(state == snapshotAborted))
	b.debezium(snapshot, "SnapshotPaused", connect.Gauge,
		"Whether the incremental snapshot is paused (1) or not (0).", gaugeBool(m.snapPaused.Load()))
	b.debezium(snapshot, "TotalTableCount", connect.Gauge,
		"The number of tables the snapshot reads.", float64(len(tables)))
	b.debezium(snapshot, "RemainingTableCount", connect.Gauge,
		"The number of tables the snapshot has yet to finish reading.", float64(m.snapRemaining.Load()))
	b.debezium(snapshot, "SnapshotDurationInSeconds", connect.Gauge,
		"Whole seconds the snapshot has taken so far, or took; 0 before it starts.", float64(snapshotSeconds(m, now)))
	for _, tp := range tables {
		b.debezium(snapshot, "RowsScanned", connect.Counter,
			"The number of rows the snapshot has read from a table.", float64(tp.rows.Load()),
			connect.Label{Name: "table", Value: tp.id})
	}

	// Replication slot, once streaming has begun and the server reported
	// its WAL end (the first status update is sent before any message is
	// received, so flushed is set by then).
	if walEnd := m.walEnd.Load(); walEnd != 0 {
		flushed := m.flushed.Load()
		var lagBytes uint64
		if walEnd > flushed {
			lagBytes = walEnd - flushed
		}
		b.slot(t.cfg.SlotName, metricWALEnd,
			"The highest WAL end the server reported on the replication connection (keepalives, XLogData), as a number.", float64(walEnd))
		b.slot(t.cfg.SlotName, metricConfirmedFlush,
			"The LSN last sent to the server as flushed, which the slot confirms, as a number.", float64(flushed))
		b.slot(t.cfg.SlotName, metricSlotLag,
			"The server's WAL end minus the confirmed flush LSN: the WAL the slot keeps for this connector.", float64(lagBytes))
	}
	return b.out
}

// snapshotSeconds is SnapshotMeter.getSnapshotDurationInSeconds: 0 before
// the start, up to now while running, up to the stop once ended.
func snapshotSeconds(m *taskMetrics, now time.Time) int64 {
	start := m.snapStartMs.Load()
	if start <= 0 {
		return 0
	}
	stop := m.snapStopMs.Load()
	if stop == 0 {
		stop = now.UnixMilli()
	}
	return (stop - start) / 1000
}

// metricsBuilder appends samples; each gets its own label slice, so the
// caller may keep or modify them.
type metricsBuilder struct {
	prefix string // topic.prefix: Debezium's server, the name label
	out    []connect.Metric
}

// debezium appends a Debezium sample, labelled plugin, name, context (the
// JMX exporter rule's order), then extra.
func (b *metricsBuilder) debezium(context, attr string, typ connect.MetricType, help string, v float64, extra ...connect.Label) {
	labels := make([]connect.Label, 0, 3+len(extra))
	labels = append(labels,
		connect.Label{Name: "plugin", Value: "postgres"},
		connect.Label{Name: "name", Value: b.prefix},
		connect.Label{Name: "context", Value: context})
	b.out = append(b.out, connect.Metric{
		Name: debeziumMetricPrefix + attr, Help: help, Type: typ, Labels: append(labels, extra...), Value: v,
	})
}

// slot appends a gauge of the replication slot, labelled name and slot.
func (b *metricsBuilder) slot(slot, name, help string, v float64) {
	b.out = append(b.out, connect.Metric{
		Name: name, Help: help, Type: connect.Gauge, Value: v,
		Labels: []connect.Label{{Name: "name", Value: b.prefix}, {Name: "slot", Value: slot}},
	})
}

func gaugeBool(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
