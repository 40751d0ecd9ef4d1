package pgtest

import (
	"context"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgserver"
)

// Server is one running PostgreSQL cluster owned by a test.
type Server struct {
	*pgserver.Server
}

// Start initialises and starts a cluster for one test. The cluster is
// stopped and its files removed when the test ends. Under -short the test
// is skipped instead: `go test -short ./...` runs what needs no PostgreSQL.
// Each of settings is a name=value server setting that overrides the
// harness's defaults (max_replication_slots=10, max_wal_senders=10, ...).
func Start(t testing.TB, settings ...string) *Server {
	t.Helper()
	if testing.Short() {
		t.Skip("needs PostgreSQL; skipped under -short")
	}
	s, err := pgserver.Launch(settings...)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(s.Close)
	return &Server{s}
}

// Exec runs each statement on database "postgres", failing the test on the
// first error.
func (s *Server) Exec(t testing.TB, sql ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Server.Exec(ctx, sql...); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// Stop shuts the server down (fast shutdown) and waits for it to exit. The
// data directory is kept, so Restart can bring the cluster back.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.Server.Stop()
}

// Restart stops the server if it runs and starts it again on the same port
// with the same data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.Server.Restart(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}
