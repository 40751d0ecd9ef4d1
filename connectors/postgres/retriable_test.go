package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestIsRetriable(t *testing.T) {
	pgErr := func(code string) error {
		return fmt.Errorf("streaming: %w", &pgconn.PgError{Severity: "FATAL", Code: code, Message: "x"})
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"walsender terminated", pgErr("57P01"), true},
		{"crash shutdown", pgErr("57P02"), true},
		{"starting up", pgErr("57P03"), true},
		{"slot active for PID", pgErr("55006"), true},
		{"connection failure", pgErr("08006"), true},
		{"too many connections", pgErr("53300"), true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("receiving: %w", syscall.ECONNRESET), true},
		{"eof", fmt.Errorf("receiving: %w", io.ErrUnexpectedEOF), true},
		{"server ended replication", fmt.Errorf("streaming: %w", errReplicationEnded), true},
		{"bad password", pgErr("28P01"), false},
		{"undefined table", pgErr("42P01"), false},
		{"WAL removed", pgErr("58P01"), false},
		{"decoding", errors.New("streaming INSERT of t: bad value"), false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		if got := isRetriable(c.err); got != c.want {
			t.Errorf("%s: isRetriable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
