// Package pgnotify is the NOTIFY event connector
// (io.tributary.connector.postgresql.NotifyConnector): it LISTENs on
// PostgreSQL notification channels (notify.channels) over a connection
// configured with the PostgreSQL connector's connection properties
// (postgres.QueryConnConfig) and produces each notification as a record to
// <topic.prefix>.<channel> or the topic notify.topic.mapping names: the
// payload as a string, or parsed as schemaless JSON; the channel as the key
// and, with the sending backend's PID, as headers.
//
// Invariants:
//   - At-most-once, and only that: PostgreSQL keeps no notification for a
//     listener that is not connected, so what is sent while the task is
//     stopped or reconnecting is lost, and so are notifications queued in
//     the task when it stops. Records carry no source partition or offset;
//     nothing is stored in the offsets topic.
//   - One goroutine, owned by the task (Start starts it, Stop ends it and
//     waits), owns the connection: it connects, LISTENs, reads one
//     notification at a time and puts it in a queue of max.queue.size
//     records that Poll drains. A full queue blocks the reader, so the
//     connection is not read and PostgreSQL holds further notifications
//     in its own notification queue: nothing is buffered without bound.
//   - A failed connection is reopened with a bounded, jittered exponential
//     backoff, forever, each failure logged (the driver's errors name the
//     user and database, never the password). A payload that is not JSON
//     under notify.payload.format=json fails the task, or with
//     errors.tolerance=all is skipped and counted.
//   - Notifications from one session arrive in the order it sent them
//     (PostgreSQL delivers in commit order); records are keyed by channel,
//     so each channel's records keep that order in one partition.
//
// The package imports only connect (the SPI), schema, configdef, pgx and
// the PostgreSQL connector's exported connection declarations.
package pgnotify
