package connect

import (
	"context"
	"log/slog"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/schema"
)

// Connector is the configuration-level half of a connector: it validates a
// config and splits it into task configs. It holds no resources.
type Connector interface {
	// Class is the Kafka Connect class name, e.g.
	// "io.debezium.connector.postgresql.PostgresConnector".
	Class() string
	// Type is "source" or "sink".
	Type() string
	// Version is reported by /connector-plugins.
	Version() string
	// Validate checks a connector config and returns one entry per problem,
	// each naming the offending property. It may contact external systems
	// (e.g. to check that a database is reachable). An empty result means the
	// config is valid.
	Validate(ctx context.Context, config map[string]string) []ConfigError
	// TaskConfigs returns the configs of the tasks to run, at most maxTasks.
	TaskConfigs(config map[string]string, maxTasks int) ([]map[string]string, error)
	// NewTask returns a fresh, unstarted task.
	NewTask() SourceTask
}

// ConfigError is one validation problem with one property: configdef's
// Error, so that what a configdef.Def parses is what the SPI reports.
type ConfigError = configdef.Error

// SourceTask produces records. The runtime calls Start once, then Poll from a
// single goroutine until it stops the task; Commit may be called concurrently
// with Poll; Stop is called once, after the last Poll has returned.
type SourceTask interface {
	// Start prepares the task. It must return promptly once ctx is done.
	Start(ctx context.Context, tc TaskContext, config map[string]string) error
	// Poll blocks until records are available, ctx is done (returning
	// ctx.Err()) or a fatal error occurs. A nil, empty result is allowed.
	Poll(ctx context.Context) ([]SourceRecord, error)
	// Commit acknowledges a position: offset, the SourceOffset of a record
	// of partition that Poll returned, is durable in the offset store. It
	// is Kafka Connect's SourceTask.commit with the guarantees a task needs
	// to release what its offsets cover (e.g. confirm an LSN) without
	// keeping its own account of delivered records:
	//
	//   - Coverage: every record Poll returned before the one that carried
	//     offset, of any partition, is in Kafka (acknowledged by the broker
	//     or, for an exactly-once task, committed in a transaction no later
	//     than offset's), or produced nothing (an offset-only record, or one
	//     a transformation dropped).
	//   - Order: for each partition, offsets come in poll order, never one
	//     polled before an offset already committed. Not every offset is
	//     reported: one stands for those polled before it.
	//   - Calls do not overlap.
	//
	// A task that wants a position acknowledged which no record carries
	// returns an offset-only record (an empty Topic) holding it: its Commit
	// comes as soon as everything polled before it is in Kafka.
	Commit(ctx context.Context, partition, offset map[string]any) error
	// Stop releases the task's resources.
	Stop() error
}

// TaskContext is what the runtime offers a running task.
type TaskContext interface {
	// Offset returns the last committed offset for partition, or nil.
	Offset(ctx context.Context, partition map[string]any) (map[string]any, error)
	// Logger is the task's logger, with connector and task attributes set.
	Logger() *slog.Logger
}

// Header is a record header; its value is converted with the header converter.
type Header struct {
	Key    string
	Schema *schema.Schema
	Value  any
}

// SourceRecord is one record produced by a source task.
type SourceRecord struct {
	// SourcePartition and SourceOffset locate the record in its source. The
	// runtime writes the offset of the last durable record per partition to
	// the offsets topic. Both are JSON-compatible maps.
	SourcePartition map[string]any
	SourceOffset    map[string]any

	// Topic is the Kafka topic. An empty Topic makes an offset-only record:
	// nothing is produced, and its SourceOffset is committed once every
	// record before it is acknowledged. Tasks use it to make progress
	// durable when there is no record to carry it (e.g. an empty snapshot,
	// or a database position reached with nothing to emit). The runtime
	// commits it as soon as it can, not at its next periodic offset flush
	// (an exactly-once task's, when its transaction commits).
	Topic string
	// Partition, if non-nil, forces the Kafka partition.
	Partition *int32

	KeySchema   *schema.Schema
	Key         any
	ValueSchema *schema.Schema
	Value       any // nil with a nil ValueSchema is a tombstone

	Timestamp time.Time // zero: stamped when the runtime hands the record to the producer, as Kafka Connect does
	Headers   []Header
}

// ExactlyOnceSupport is a connector's answer to whether it can deliver
// exactly once with a given config (Kafka's SourceConnector
// exactlyOnceSupport).
type ExactlyOnceSupport int

const (
	ExactlyOnceUnsupported ExactlyOnceSupport = iota
	ExactlyOnceSupported
)

// ExactlyOnceConnector is implemented by a Connector that declares its
// exactly-once support; exactly.once.support=required is refused for a
// connector that does not implement it, as Kafka Connect refuses one whose
// exactlyOnceSupport returns null.
type ExactlyOnceConnector interface {
	ExactlyOnceSupport(config map[string]string) ExactlyOnceSupport
}

// MemoryAccounter is offered by a TaskContext whose worker bounds the
// bytes its tasks hold with one memory budget, shared in fair parts among
// the running tasks (the worker's memory.budget.bytes). A task asserts its
// TaskContext to it and takes from an account the bytes of what it holds
// before handing it to Poll (a queue of records), giving them back when
// Poll returns them: the runtime then counts them in its own account until
// Kafka acknowledges them.
type MemoryAccounter interface {
	// MemoryAccount returns a new account of the task's share, or nil
	// when the worker runs without a memory budget.
	MemoryAccount() MemoryAccount
}

// MemoryAccount is one holder's bytes in a task's share of the worker's
// memory budget. Its methods are safe for concurrent use.
type MemoryAccount interface {
	// TryAcquire takes n bytes if they fit in the task's share and the
	// worker's budget, or if the account holds nothing (one record always
	// goes, however large). When it does not take them it returns a
	// channel closed once room may have appeared: wait on it (and on
	// whatever else the task must watch), then try again.
	TryAcquire(n int64) (ok bool, changed <-chan struct{})
	// Release gives back n bytes the account took.
	Release(n int64)
}

// TopicReaderOpener is offered by a TaskContext whose runtime can read a
// Kafka topic on a task's behalf: a connector never holds a Kafka client
// of its own (Debezium's KafkaSignalChannel reads its signal topic this
// way). A task asserts its TaskContext to it; the reader it opens is the
// task's to close, and nothing of it goes into the task's offsets.
type TopicReaderOpener interface {
	OpenTopicReader(ctx context.Context, spec TopicReaderSpec) (TopicReader, error)
}

// TopicReaderSpec names what to read and how to connect: one partition of
// one topic, assigned (no group membership), with the group's committed
// offset as the starting point, as a Java KafkaConsumer does after
// assign().
type TopicReaderSpec struct {
	Topic     string
	Partition int32
	// Properties are the Java consumer's properties: bootstrap.servers and
	// group.id (both required), client.id, auto.offset.reset (earliest,
	// latest or none), enable.auto.commit, auto.commit.interval.ms,
	// fetch.min.bytes, fetch.max.wait.ms, max.partition.fetch.bytes,
	// max.poll.records, key.deserializer and value.deserializer (String
	// only), and the client security settings (security.protocol, ssl.*,
	// sasl.*). Any other property is named in a warning and has no effect.
	Properties map[string]string
}

// TopicReader reads one topic partition.
type TopicReader interface {
	// Read returns the messages fetched since the last call, at most
	// max.poll.records of them, waiting up to wait for the first one when
	// none is there (KafkaConsumer.poll). A missing topic reads as empty.
	// The position advances past what it returns; the group's offset
	// follows it (auto-commit, and at Close).
	Read(ctx context.Context, wait time.Duration) ([]TopicMessage, error)
	// Close commits the position and releases the reader.
	Close() error
}

// TopicMessage is one message a TopicReader returns. A nil Key or Value is
// a null one.
type TopicMessage struct {
	Key, Value []byte
	Offset     int64
}
