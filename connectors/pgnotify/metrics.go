package pgnotify

import (
	"sync/atomic"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// Metric names, labelled name (topic.prefix) as the PostgreSQL
// connector's tributary_postgres_* metrics are.
const (
	metricConnected  = "tributary_notify_connected"
	metricReceived   = "tributary_notify_notifications_received_total"
	metricProduced   = "tributary_notify_notifications_produced_total"
	metricSkipped    = "tributary_notify_notifications_skipped_total"
	metricReconnects = "tributary_notify_reconnects_total"
	metricSinceLast  = "tributary_notify_milliseconds_since_last_notification"
	metricQueued     = "tributary_notify_queued_notifications"
)

// metrics is the state behind Task.Metrics: atomics the listening
// goroutine and Poll write, read from any goroutine.
type metrics struct {
	prefix     string
	connected  atomic.Bool
	received   atomic.Int64
	produced   atomic.Int64
	skipped    atomic.Int64
	reconnects atomic.Int64
	// lastMs is when the last notification was received (Unix ms), -1
	// before any.
	lastMs atomic.Int64
}

// Metrics implements connect.MetricsReporter.
func (t *Task) Metrics() []connect.Metric {
	m := &t.m
	since := float64(-1)
	if last := m.lastMs.Load(); last >= 0 {
		since = float64(max(time.Now().UnixMilli()-last, 0))
	}
	connected := float64(0)
	if m.connected.Load() {
		connected = 1
	}
	labels := func() []connect.Label { return []connect.Label{{Name: "name", Value: m.prefix}} }
	return []connect.Metric{
		{Name: metricConnected, Type: connect.Gauge, Labels: labels(), Value: connected,
			Help: "1 while the task is connected to PostgreSQL and listening on its channels."},
		{Name: metricReceived, Type: connect.Counter, Labels: labels(), Value: float64(m.received.Load()),
			Help: "Notifications received from PostgreSQL."},
		{Name: metricProduced, Type: connect.Counter, Labels: labels(), Value: float64(m.produced.Load()),
			Help: "Notifications handed to the worker as records, to be converted and produced to Kafka."},
		{Name: metricSkipped, Type: connect.Counter, Labels: labels(), Value: float64(m.skipped.Load()),
			Help: "Notifications skipped under errors.tolerance=all because their payload is not JSON (notify.payload.format=json)."},
		{Name: metricReconnects, Type: connect.Counter, Labels: labels(), Value: float64(m.reconnects.Load()),
			Help: "Times the listening connection failed and the task reconnected (or tried to)."},
		{Name: metricSinceLast, Type: connect.Gauge, Labels: labels(), Value: since,
			Help: "Milliseconds since the last notification was received; -1 before the first."},
		{Name: metricQueued, Type: connect.Gauge, Labels: labels(), Value: float64(len(t.queue)),
			Help: "Notifications received and not yet handed to the worker (at most max.queue.size)."},
	}
}
