package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestStartExecRestart(t *testing.T) {
	s := Start(t)
	s.Exec(t, "CREATE TABLE t(id int)", "INSERT INTO t VALUES (7)")

	var got string
	query := func() {
		t.Helper()
		conn, err := pgconn.Connect(t.Context(), s.DSN("postgres"))
		if err != nil {
			t.Fatalf("connecting: %v", err)
		}
		defer conn.Close(context.Background())
		res, err := conn.Exec(t.Context(), "SELECT id::text || ' ' || current_setting('wal_level') FROM t").ReadAll()
		if err != nil {
			t.Fatalf("querying: %v", err)
		}
		got = string(res[0].Rows[0][0])
	}
	query()
	if got != "7 logical" {
		t.Fatalf("got %q, want %q", got, "7 logical")
	}
	port := s.Port()
	s.Restart(t)
	if s.Port() != port {
		t.Fatalf("port changed on restart: %d → %d", port, s.Port())
	}
	query()
	if got != "7 logical" {
		t.Fatalf("after restart got %q", got)
	}
}
