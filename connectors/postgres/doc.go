// Package postgres is Tributary's Debezium-compatible PostgreSQL source
// connector (io.debezium.connector.postgresql.PostgresConnector): config
// parsing and validation from one ConfigDef with Debezium's property names,
// types, defaults and groups (configdef.go), task fan-out (always one task),
// publication and slot management, the initial snapshot on the slot's
// exported snapshot, pgoutput streaming, Debezium offsets, and confirming
// committed positions to the replication slot. Signals inserted into the
// signal table (signal.data.collection) are read from the WAL and start,
// pause, resume or stop ad-hoc snapshots: incremental ones (DBLog chunks
// between watermarks, interleaved with streaming, their progress in the
// offsets) and blocking ones (streaming paused while tables are read).
//
// Invariants:
//   - The slot is confirmed only up to a position an offset passed to
//     Task.Commit allows (lsn_commit, else lsn_proc), or one it had already
//     reached. Under the runtime's commit contract (connect.SourceTask)
//     such an offset is in the offsets topic and every record polled before
//     it is in Kafka, so the task keeps no list of delivered records. A
//     position no record carries (a keepalive's WAL end, the end of a
//     filtered-out transaction) reaches Commit in a position marker: an
//     offset-only record set between transactions, which Poll hands out
//     after the records queued before it and before those queued since.
//   - Streaming is a position state machine (walPosition: what was
//     received, what the stored offset covers, what was acknowledged, what
//     to report and when), pure and tested without PostgreSQL, inside the
//     I/O of the replication loop (streamer).
//   - Snapshot and streaming records reach Poll through one send path
//     (Task.send), which measures each record once for
//     max.queue.size.in.bytes.
//   - Snapshot and streaming decode values through the same typemap decoders
//     (both read PostgreSQL's text format), so they produce equal values.
//   - The snapshot → stream hand-off has no gap and no duplicate: streaming
//     starts at the consistent point of the exported snapshot.
//   - Every snapshot reader imports the same snapshot. A table split into
//     primary-key ranges (snapshot.max.threads > 1) is covered by its
//     ranges exactly once; its first record queued is marked as the
//     table's first and the one queued when its last range ends as its
//     last.
//   - An incremental snapshot runs in the streaming goroutine: a chunk is
//     read between two watermarks written to the signal table, a streamed
//     change inside that window drops the chunk's stale row of its key,
//     and the rest is queued when the stream reaches the closing
//     watermark, so no stale row follows a newer change of its key. While
//     it runs, every offset carries its state (Debezium's
//     incremental_snapshot_* keys).
//   - Signals of the file and kafka channels are read by a goroutine of
//     the task's errgroup into a bounded channel; the streaming goroutine
//     carries them out between two replication messages, so only it acts
//     on the snapshot state and the connections.
//   - The task's goroutines are owned by an errgroup; they feed a bounded
//     channel that Poll drains, and a data-path error ends them and is
//     returned by Poll.
//
// NewTriggerTask is the same task reading, instead of a slot, a queue
// table that triggers fill (trigger*.go; the connector is package
// pgtrigger): it shares the configuration, filters, type mapping,
// envelopes, initial snapshot, record queue and Poll, and its offsets hold
// a queue position whose rows are deleted once an offset covering them is
// committed.
//
// The package imports only schema, connect (the SPI), pgx, pglogrepl and its
// own sub-packages: typemap (types and values), decode (pure pgoutput
// decoding), envelope (Debezium schemas and structs).
package postgres
