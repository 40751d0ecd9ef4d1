// Package postgres is Tributary's Debezium-compatible PostgreSQL source
// connector (io.debezium.connector.postgresql.PostgresConnector): config
// parsing and validation from one ConfigDef with Debezium's property names,
// types, defaults and groups (configdef.go), task fan-out (always one task),
// publication and slot management, the initial snapshot on the slot's
// exported snapshot, pgoutput streaming, Debezium offsets, and confirming
// committed positions to the replication slot.
//
// Invariants:
//   - The slot is confirmed only up to a position the runtime reported as
//     committed through Task.Commit, one the slot had already reached, or
//     one fully processed (a keepalive's WAL end, a commit) at a moment when
//     no transaction was open and every record handed to Poll had been
//     covered by Commit (see inflight).
//   - Snapshot and streaming decode values through the same typemap decoders
//     (both read PostgreSQL's text format), so they produce equal values.
//   - The snapshot → stream hand-off has no gap and no duplicate: streaming
//     starts at the consistent point of the exported snapshot.
//   - The task's goroutines are owned by an errgroup; they feed a bounded
//     channel that Poll drains, and a data-path error ends them and is
//     returned by Poll.
//
// The package imports only schema, connect (the SPI), pgx, pglogrepl and its
// own sub-packages: typemap (types and values), decode (pure pgoutput
// decoding), envelope (Debezium schemas and structs).
package postgres
