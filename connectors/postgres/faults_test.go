package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// pollError polls until Poll fails and returns the error.
func (h *harness) pollError() error {
	h.t.Helper()
	return h.pollErrorDuring(func() {})
}

// pollErrorDuring runs during while polling, as the runtime does (a
// PostgreSQL shutdown waits for the slot to confirm what was sent), and
// returns the error Poll then fails with.
func (h *harness) pollErrorDuring(during func()) error {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), waitTimeout)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		during()
	}()
	defer func() { <-done }()
	for {
		recs, err := h.task.Poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				h.t.Fatal("Poll did not fail in time")
			}
			return err
		}
		h.rest = append(h.rest, h.records(recs)...)
	}
}

// startError starts a fresh task that must fail to start.
func (h *harness) startError() error {
	h.t.Helper()
	task := postgres.New().NewTask().(*postgres.Task)
	ctx, cancel := context.WithTimeout(h.t.Context(), waitTimeout)
	defer cancel()
	err := task.Start(ctx, h.store, h.config)
	if err == nil {
		_ = task.Stop()
		h.t.Fatal("the task started")
	}
	return err
}

func streamingHarness(t *testing.T, pg *pgtest.Server, extra map[string]string) *harness {
	t.Helper()
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, extra)
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('a')`)
	h.commit(h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" })[0])
	return h
}

// TestWalsenderTerminatedIsRetriable: pg_terminate_backend of the
// walsender fails the task with a retriable error.
func TestWalsenderTerminatedIsRetriable(t *testing.T) {
	pg := pgtest.Start(t)
	h := streamingHarness(t, pg, nil)
	pg.Exec(t, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'debezium'`)
	err := h.pollError()
	if !connect.IsRetriable(err) {
		t.Fatalf("Poll = %v, want a retriable error", err)
	}
	_ = h.task.Stop()

	// The restarted task resumes from the committed offset.
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('b')`)
	got := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" })
	if len(got) != 1 || after(t, got[0]).Get("email") != "b" {
		t.Fatalf("after restart:\n%s", describe(got))
	}
}

// TestServerRestartIsRetriable: a PostgreSQL restart fails the task with a
// retriable error, and so does starting it while the server is down.
func TestServerRestartIsRetriable(t *testing.T) {
	pg := pgtest.Start(t)
	h := streamingHarness(t, pg, nil)
	err := h.pollErrorDuring(func() { pg.Stop(t) })
	t.Logf("Poll: %v", err)
	if !connect.IsRetriable(err) {
		t.Fatalf("Poll = %v, want a retriable error", err)
	}
	_ = h.task.Stop()
	if err := h.startError(); !connect.IsRetriable(err) {
		t.Fatalf("Start with the server down = %v, want a retriable error", err)
	}
	pg.Restart(t)
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('b')`)
	if got := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" }); len(got) != 1 {
		t.Fatalf("after restart:\n%s", describe(got))
	}
}

// TestPermissionDeniedIsFatal: a user lacking privileges (a configuration
// error) fails the task for good.
func TestPermissionDeniedIsFatal(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE ROLE cdc LOGIN REPLICATION`)
	h := newHarness(t, pg, map[string]string{"database.user": "cdc"})
	err := h.startError()
	if connect.IsRetriable(err) || !strings.Contains(err.Error(), "42501") {
		t.Fatalf("Start = %v, want a fatal error", err)
	}
}

// TestDroppedSlotIsReported: a slot dropped while the task was stopped is
// an error naming it, never a silent gap.
func TestDroppedSlotIsReported(t *testing.T) {
	pg := pgtest.Start(t)
	h := streamingHarness(t, pg, nil)
	h.stop()
	dropInactiveSlot(t, pg, "debezium")
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('lost')`)
	err := h.startError()
	if connect.IsRetriable(err) || !strings.Contains(err.Error(), "replication slot debezium does not exist") ||
		!strings.Contains(err.Error(), "snapshot.mode=when_needed") {
		t.Fatalf("Start = %v, want a fatal error naming the slot", err)
	}
	if slotExists(t, pg, "debezium") {
		t.Fatal("the failed start created the slot")
	}
}

// TestDroppedSlotResnapshotsWhenNeeded: under snapshot.mode=when_needed a
// dropped slot leads to a new snapshot that covers the changes made while
// it was missing.
func TestDroppedSlotResnapshotsWhenNeeded(t *testing.T) {
	pg := pgtest.Start(t)
	h := streamingHarness(t, pg, map[string]string{"snapshot.mode": "when_needed"})
	h.stop()
	dropInactiveSlot(t, pg, "debezium")
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('lost')`)
	h.start()
	got := h.pollUntil(func(r connect.SourceRecord) bool {
		return op(t, r) == "r" && after(t, r).Get("email") == "lost"
	})
	for _, r := range got {
		if op(t, r) != "r" {
			t.Fatalf("expected snapshot records:\n%s", describe(got))
		}
	}
}

// dropInactiveSlot drops a slot once the walsender of a stopped task has
// released it.
func dropInactiveSlot(t *testing.T, pg *pgtest.Server, slot string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var dropped bool
		err := conn.QueryRow(t.Context(), `SELECT count(pg_drop_replication_slot(slot_name)) = 1
			FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NULL`, slot).Scan(&dropped)
		var pgErr *pgconn.PgError
		switch {
		case err == nil && dropped:
			return
		case err != nil && (!errors.As(err, &pgErr) || pgErr.Code != "55006"):
			t.Fatalf("dropping slot %s: %v", slot, err)
		case time.Now().After(deadline):
			t.Fatalf("slot %s still active", slot)
		}
		<-tick.C
	}
}

func slotExists(t *testing.T, pg *pgtest.Server, slot string) bool {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", slot).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}
