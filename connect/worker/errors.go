package worker

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// ErrorHandling is a connector's errors.* configuration, applied to the
// transformation and conversion of each record as Kafka Connect 3.9's
// RetryWithToleranceOperator and LogReporter.Source apply it.
type ErrorHandling struct {
	// ToleranceAll is errors.tolerance=all: a record a transformation or a
	// converter fails on is skipped (logged when LogEnable) and its offset
	// committed in order; otherwise the failure fails the task.
	ToleranceAll bool
	// RetryTimeout is errors.retry.timeout: how long a retriable failure
	// (connect.RetriableError) is retried; negative is forever, 0 never.
	RetryTimeout time.Duration
	// RetryDelayMax is errors.retry.delay.max.ms.
	RetryDelayMax time.Duration
	// LogEnable is errors.log.enable; LogIncludeMessages is
	// errors.log.include.messages.
	LogEnable, LogIncludeMessages bool
	// KeyConverterClass and ValueConverterClass name the converters in
	// the error log.
	KeyConverterClass, ValueConverterClass string
}

// Kafka Connect's stages (errors.Stage) the runner executes under the
// operator.
const (
	stageTransformation  = "TRANSFORMATION"
	stageKeyConverter    = "KEY_CONVERTER"
	stageValueConverter  = "VALUE_CONVERTER"
	stageHeaderConverter = "HEADER_CONVERTER"
	headerConverterClass = "org.apache.kafka.connect.storage.SimpleHeaderConverter"
)

// firstRetryDelay is RetryWithToleranceOperator.RETRIES_DELAY_MIN_MS.
const firstRetryDelay = 300 * time.Millisecond

// ClassedTransformation is implemented by a transformation that knows the
// class it was configured as, named in the error log.
type ClassedTransformation interface {
	TransformClass() string
}

// ErrorMetrics are a task's error counters, Kafka Connect's
// ErrorHandlingMetrics (task-error-metrics). Safe for concurrent use.
type ErrorMetrics struct {
	failures, errors, skipped, retries, logged atomic.Int64
	lastErrorMs                                atomic.Int64
}

// Metrics reports the counters with the names the Prometheus JMX exporter's
// usual rule gives the task-error-metrics MBean's attributes
// (kafka_connect_task_error_<attribute>), labelled with the task.
func (m *ErrorMetrics) Metrics(id connect.TaskID) []connect.Metric {
	labels := []connect.Label{{Name: "connector", Value: id.Connector}, {Name: "task", Value: strconv.Itoa(id.Task)}}
	metric := func(name, help string, typ connect.MetricType, v int64) connect.Metric {
		return connect.Metric{Name: "kafka_connect_task_error_" + name, Help: help, Type: typ, Labels: labels, Value: float64(v)}
	}
	return []connect.Metric{
		metric("total_record_failures", "The number of record processing failures in this task.", connect.Counter, m.failures.Load()),
		metric("total_record_errors", "The number of record processing errors in this task.", connect.Counter, m.errors.Load()),
		metric("total_records_skipped", "The number of records skipped due to errors.", connect.Counter, m.skipped.Load()),
		metric("total_retries", "The number of operations retried.", connect.Counter, m.retries.Load()),
		metric("total_errors_logged", "The number of errors that were logged.", connect.Counter, m.logged.Load()),
		metric("deadletterqueue_produce_requests", "The number of attempted writes to the dead letter queue.", connect.Counter, 0),
		metric("deadletterqueue_produce_failures", "The number of failed writes to the dead letter queue.", connect.Counter, 0),
		metric("last_error_timestamp", "The epoch timestamp when this task last encountered an error.", connect.Gauge, m.lastErrorMs.Load()),
	}
}

// operator executes the stages of one record (RetryWithToleranceOperator):
// a retriable failure is retried until RetryTimeout; any other is counted,
// logged when errors.log.enable says so, and then skips the record under
// errors.tolerance=all or fails the task. A retriable failure that outlasts
// its retries fails the task whatever the tolerance (Kafka Connect skips
// the record), so that a passing outage never drops records.
type operator struct {
	cfg     ErrorHandling
	id      connect.TaskID
	log     *slog.Logger
	metrics *ErrorMetrics
	now     func() time.Time
}

func newOperator(cfg ErrorHandling, id connect.TaskID, log *slog.Logger, metrics *ErrorMetrics) *operator {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if metrics == nil {
		metrics = &ErrorMetrics{}
	}
	return &operator{cfg: cfg, id: id, log: log, metrics: metrics, now: time.Now}
}

// attempt counts the tries of one stage of one record.
type attempt struct {
	n     int
	start time.Time
}

func (o *operator) begin() attempt { return attempt{n: 1} }

// failed handles err, the failure of try a of stage (of class) on the
// record original (as polled). It returns retry after backing off, when
// err is retriable and errors.retry.timeout allows another try
// (execAndRetry, backoff: 300 ms doubling per try, a random delay below
// errors.retry.delay.max.ms once past it, never past the deadline);
// otherwise the outcome: skip the record, or the error failing the task.
func (o *operator) failed(ctx context.Context, stage, class string, original connect.SourceRecord, a *attempt, err error) (retry, skip bool, _ error) {
	retriable := connect.IsRetriable(err)
	o.metrics.failures.Add(1)
	if retriable && ctx.Err() == nil {
		if a.start.IsZero() {
			a.start = o.now()
		}
		remaining := time.Duration(1<<63 - 1)
		if o.cfg.RetryTimeout >= 0 {
			remaining = o.cfg.RetryTimeout - o.now().Sub(a.start)
		}
		if remaining > 0 {
			delay := firstRetryDelay << min(a.n-1, 20)
			if delay > o.cfg.RetryDelayMax {
				delay = time.Duration(rand.Int64N(max(int64(o.cfg.RetryDelayMax), 1)))
			}
			a.n++
			o.metrics.retries.Add(1)
			t := time.NewTimer(min(delay, remaining))
			select {
			case <-ctx.Done():
				t.Stop()
				return false, false, err
			case <-t.C:
				return true, false, nil
			}
		}
	}
	o.metrics.errors.Add(1)
	o.metrics.lastErrorMs.Store(o.now().UnixMilli())
	o.report(stage, class, &original, err)
	if !o.cfg.ToleranceAll || retriable {
		return false, false, err
	}
	o.metrics.skipped.Add(1)
	return false, true, nil
}

// report logs the failure as LogReporter.Source does, at ERROR with the
// error, when errors.log.enable is true: "Error encountered in task
// <connector>-<task>. Executing stage '<STAGE>' with class '<class>'[,
// where source record is = <record>]."
func (o *operator) report(stage, class string, original *connect.SourceRecord, err error) {
	if !o.cfg.LogEnable {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Error encountered in task %s-%d. Executing stage '%s' with class '%s'", o.id.Connector, o.id.Task, stage, class)
	if o.cfg.LogIncludeMessages {
		b.WriteString(", where source record is = ")
		writeSourceRecord(&b, original)
	}
	b.WriteByte('.')
	o.log.Error(b.String(), "error", err)
	o.metrics.logged.Add(1)
}

// writeSourceRecord writes a record as SourceRecord.toString does:
// "SourceRecord{sourcePartition=…, sourceOffset=…} ConnectRecord{topic='…',
// kafkaPartition=…, key=…, keySchema=…, value=…, valueSchema=…,
// timestamp=…, headers=…}", values in Go's %v form.
func writeSourceRecord(b *strings.Builder, r *connect.SourceRecord) {
	partition := "null"
	if r.Partition != nil {
		partition = strconv.Itoa(int(*r.Partition))
	}
	timestamp := "null"
	if !r.Timestamp.IsZero() {
		timestamp = strconv.FormatInt(r.Timestamp.UnixMilli(), 10)
	}
	fmt.Fprintf(b, "SourceRecord{sourcePartition=%v, sourceOffset=%v} ConnectRecord{topic='%s', kafkaPartition=%s, key=%v, keySchema=%v, value=%v, valueSchema=%v, timestamp=%s, headers=%v}",
		r.SourcePartition, r.SourceOffset, r.Topic, partition, r.Key, schemaString(r.KeySchema), r.Value, schemaString(r.ValueSchema), timestamp, r.Headers)
}

// schemaString is ConnectSchema.toString: Schema{name:TYPE} or
// Schema{TYPE}; null for no schema.
func schemaString(s *schema.Schema) string {
	if s == nil {
		return "null"
	}
	if s.Name != "" {
		return "Schema{" + s.Name + ":" + strings.ToUpper(s.Type.String()) + "}"
	}
	return "Schema{" + strings.ToUpper(s.Type.String()) + "}"
}
