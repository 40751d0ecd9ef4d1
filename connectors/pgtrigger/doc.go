// Package pgtrigger is the trigger-based PostgreSQL source connector
// (io.tributary.connector.postgresql.TriggerConnector), for databases where
// logical replication is not available or not allowed: no replication
// slot, no REPLICATION role, any wal_level.
//
// On start the task installs, in a schema of its own (trigger.schema), one
// queue table per connector and, on every captured table, an AFTER INSERT
// OR UPDATE OR DELETE row trigger and an AFTER TRUNCATE statement trigger.
// The trigger writes the operation, the old and new row in their composite
// text form (each column's own text output, so the logical-replication
// connector's text decoders apply unchanged), the columns' type OIDs, the
// transaction id (xid8), a sequence value and a timestamp, then
// pg_notify()s the queue's channel. With trigger.autocreate.mode=disabled
// the task only checks that all of it exists and logs the DDL otherwise.
//
// The task (package postgres, NewTriggerTask) shares the connector's
// configuration, filters, type mapping, envelopes, initial snapshot and
// record queue. Invariants of its streaming:
//   - Delivery goes in rounds, each bounded by a transaction snapshot
//     (pg_current_snapshot()): a round delivers, in sequence order, the
//     queued rows of the transactions visible in its snapshot and not in
//     the previous one. So no committed row is skipped, whatever order
//     transactions took sequence values and committed in, and the changes
//     of one key come in the order PostgreSQL serialised them: a change
//     that waited for another's row lock commits after it.
//   - The initial snapshot's own transaction snapshot is the first round's
//     previous one: the hand-off is exact (pg_visible_in_snapshot).
//   - The position (both snapshots and the last sequence value delivered)
//     is the source offset, stored in the offsets topic; queue rows are
//     deleted only once an offset covering them was passed to Commit.
//   - A LISTEN connection wakes the task at once; poll.interval.ms bounds
//     the wait when a notification is lost.
package pgtrigger
