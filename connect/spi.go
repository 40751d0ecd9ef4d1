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
	// Commit tells the task that offset, the offset of partition, is durable
	// in Kafka together with every record up to the one that carried it. A
	// task may now release what the offset covers (e.g. confirm an LSN).
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
	// durable when there is no record to carry it (e.g. an empty snapshot).
	Topic string
	// Partition, if non-nil, forces the Kafka partition.
	Partition *int32

	KeySchema   *schema.Schema
	Key         any
	ValueSchema *schema.Schema
	Value       any // nil with a nil ValueSchema is a tombstone

	Timestamp time.Time // zero means "let the producer choose"
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
