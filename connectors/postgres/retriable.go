package postgres

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connect"
)

var (
	// errReplicationEnded is the server closing the replication stream.
	errReplicationEnded = errors.New("the server ended replication")
	// errSlotMissing: the slot the stored offset needs was dropped or lost
	// its WAL. A restart cannot cure it.
	errSlotMissing = errors.New("cannot resume streaming")
)

// retriableCode reports whether a server error is one a restart may cure:
// connection exceptions (class 08), the server shutting down or
// restarting, the walsender terminated (57P01 admin_shutdown), the server
// not accepting connections yet, the slot still held by another walsender
// (after slot.max.retries) and too many connections.
func retriableCode(code string) bool {
	switch code {
	case "57P01", // admin_shutdown: pg_terminate_backend, fast/smart shutdown
		"57P02", // crash_shutdown
		"57P03", // cannot_connect_now: starting up, shutting down, recovery
		"55006", // object_in_use: replication slot is active for PID
		"53300": // too_many_connections
		return true
	}
	return strings.HasPrefix(code, "08")
}

// isRetriable reports whether err is a lost or refused connection, or a
// server error a restart may cure. Configuration and data errors (bad
// credentials, a missing publication, undecodable rows) are not.
func isRetriable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return retriableCode(pgErr.Code)
	}
	var netErr net.Error
	return errors.Is(err, errReplicationEnded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) ||
		errors.As(err, &netErr)
}

// classify marks err retriable when it is (see isRetriable) or when one of
// the task's connections was closed under it: whatever the call reported,
// the cause is the lost connection.
func (t *Task) classify(err error) error {
	if err == nil || connect.IsRetriable(err) || errors.Is(err, errSlotMissing) {
		return err
	}
	var pgErr *pgconn.PgError
	lost := !errors.As(err, &pgErr) && ((t.conn != nil && t.conn.IsClosed()) || (t.repl != nil && t.repl.IsClosed()))
	if lost || isRetriable(err) {
		return connect.Retriable(err)
	}
	return err
}
