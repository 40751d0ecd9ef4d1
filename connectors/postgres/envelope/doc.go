// Package envelope builds Debezium's change-event shapes for PostgreSQL:
// per-table key, value and envelope schemas, the source block, and the
// structs that fill them, in Debezium 3.5's field order
// (before, after, source, transaction, op, ts_ms, ts_us, ts_ns).
//
// A Table's schemas are built once and shared by every record of the table;
// converters cache by schema pointer, so a Table is rebuilt only when the
// table's shape changes. The package is pure.
package envelope
