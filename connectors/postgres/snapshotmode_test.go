package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// emails returns the after.email of each record.
func emails(t *testing.T, recs []connect.SourceRecord) []any {
	t.Helper()
	out := make([]any, len(recs))
	for i, r := range recs {
		out[i] = after(t, r).Get("email")
	}
	return out
}

func slotActive(t *testing.T, pg *pgtest.Server, slot string) bool {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var active bool
	if err := conn.QueryRow(t.Context(), "SELECT active FROM pg_replication_slots WHERE slot_name = $1", slot).Scan(&active); err != nil {
		t.Fatal(err)
	}
	return active
}

// expectIdle checks that the task has nothing to deliver: Poll blocks until
// its context ends.
func (h *harness) expectIdle() {
	h.t.Helper()
	if len(h.rest) > 0 {
		h.t.Fatalf("unexpected records:\n%s", describe(h.rest))
	}
	ctx, cancel := context.WithTimeout(h.t.Context(), 300*time.Millisecond)
	defer cancel()
	for {
		polled, err := h.task.Poll(ctx)
		recs := h.records(polled) // position markers are not records to deliver
		if len(recs) > 0 || (err != nil && !errors.Is(err, context.DeadlineExceeded)) {
			h.t.Fatalf("Poll = %v, %v; want no records until the deadline\n%s", len(recs), err, describe(recs))
		}
		if err != nil {
			return
		}
	}
}

// TestSnapshotModeAlways snapshots on every start, then streams.
func TestSnapshotModeAlways(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('s1'), ('s2')`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "always"})
	h.start()
	snap := h.poll(2)
	for _, r := range snap {
		if op(t, r) != "r" {
			t.Fatalf("first start:\n%s", describe(snap))
		}
	}
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('c3')`)
	// Past c3's commit record (which synchronous_commit=off may not have
	// written yet: pg_current_wal_lsn could be before it).
	w := queryLSN(t, pg, "SELECT pg_current_wal_insert_lsn()::text")
	c3 := h.poll(1)[0]
	if op(t, c3) != "c" || after(t, c3).Get("email") != "c3" {
		t.Fatalf("streamed:\n%s", describe([]connect.SourceRecord{c3}))
	}
	h.commit(snap[1])
	h.commit(c3)
	// Everything delivered is committed: position markers take the slot
	// past c3's transaction.
	h.awaitConfirmedAtLeast("debezium", w)
	h.stop()

	pg.Exec(t, `UPDATE customers SET email = 'c3x' WHERE email = 'c3'`)
	h.start()
	again := h.poll(3)
	want := []any{"s1", "s2", "c3x"}
	for i, r := range again {
		if op(t, r) != "r" || after(t, r).Get("email") != want[i] {
			t.Fatalf("second start, want a snapshot of %v:\n%s", want, describe(again))
		}
	}
	if sourceField(t, again[0], "snapshot") != "first" || sourceField(t, again[2], "snapshot") != "last" {
		t.Errorf("snapshot marks %v, %v", sourceField(t, again[0], "snapshot"), sourceField(t, again[2], "snapshot"))
	}
	// Streaming follows; the update made while stopped may be streamed
	// again (at least once), then the new insert.
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('c4')`)
	rest := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" })
	for _, r := range rest[:len(rest)-1] {
		if op(t, r) != "u" || after(t, r).Get("email") != "c3x" {
			t.Fatalf("after the second snapshot:\n%s", describe(rest))
		}
	}
	if after(t, rest[len(rest)-1]).Get("email") != "c4" {
		t.Fatalf("after the second snapshot:\n%s", describe(rest))
	}
}

// TestSnapshotModeInitialOnly snapshots once and never streams: the task
// stays running with nothing to deliver, also after a restart.
func TestSnapshotModeInitialOnly(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('s1'), ('s2')`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "initial_only"})
	h.start()
	snap := h.poll(2)
	if got := emails(t, snap); got[0] != "s1" || got[1] != "s2" || op(t, snap[1]) != "r" {
		t.Fatalf("snapshot:\n%s", describe(snap))
	}
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('c3')`)
	h.expectIdle()
	if slotActive(t, pg, "debezium") {
		t.Fatal("the slot is being streamed from")
	}
	h.commit(snap[1])
	h.stop()

	h.start()
	h.expectIdle()
	if slotActive(t, pg, "debezium") {
		t.Fatal("the slot is being streamed from after a restart")
	}
}

// TestSnapshotModeWhenNeeded snapshots without offsets, and resumes
// streaming without a snapshot when the offsets and the slot are there.
func TestSnapshotModeWhenNeeded(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('s1')`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "when_needed"})
	h.start()
	snap := h.poll(1)
	if op(t, snap[0]) != "r" {
		t.Fatalf("snapshot:\n%s", describe(snap))
	}
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('c2')`)
	c2 := h.poll(1)[0]
	h.commit(snap[0])
	h.commit(c2)
	h.stop()

	pg.Exec(t, `INSERT INTO customers(email) VALUES ('c3')`)
	h.start()
	got := h.poll(1)
	if op(t, got[0]) != "c" || after(t, got[0]).Get("email") != "c3" {
		t.Fatalf("after restart, want only the insert of c3:\n%s", describe(got))
	}
}

// TestEmptySnapshotIsDurable: a snapshot of empty tables still commits its
// completion (an offset-only record), so a restart streams instead of
// snapshotting again.
func TestEmptySnapshotIsDurable(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, nil)
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('first')`)
	if r := h.poll(1)[0]; op(t, r) != "c" {
		t.Fatalf("first record after an empty snapshot: %s", describe([]connect.SourceRecord{r}))
	}
	if len(h.committed) == 0 || h.committed[0]["snapshot_completed"] != true {
		t.Fatalf("offsets committed after the empty snapshot %v; want the first to have snapshot_completed", h.committed)
	}
	h.stop()
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('second')`)
	got := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" && after(t, r).Get("email") == "second" })
	for _, r := range got {
		if op(t, r) == "r" {
			t.Fatalf("restart took a new snapshot:\n%s", describe(got))
		}
	}
}
