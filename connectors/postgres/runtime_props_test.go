package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// sessionProbe is a snapshot SELECT whose email column reports the
// settings of the session and transaction that read the table.
const sessionProbe = `SELECT id, current_setting('application_name') || ',' || current_setting('statement_timeout') || ',' ||
 current_setting('transaction_isolation') || ',' || current_setting('transaction_read_only') || ',' ||
 current_setting('transaction_deferrable') AS email FROM public.customers`

// TestInitialStatementsAndSnapshotIsolation checks that
// database.initial.statements run on the query connections (not the
// replication connection) and the snapshot's transaction: REPEATABLE READ
// on the slot's exported snapshot, then snapshot.isolation.mode on an
// existing slot (default SERIALIZABLE, READ ONLY, DEFERRABLE).
func TestInitialStatementsAndSnapshotIsolation(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('a')`)
	h := newHarness(t, pg, map[string]string{
		"snapshot.mode":                                        "always",
		"database.initial.statements":                          "SET application_name = 'init;;app'; SET statement_timeout = 4321",
		"snapshot.select.statement.overrides":                  "public.customers",
		"snapshot.select.statement.overrides.public.customers": sessionProbe,
	})
	h.start()
	if got := after(t, h.poll(1)[0]).Get("email"); got != "init;app,4321ms,repeatable read,on,off" {
		t.Errorf("exported-snapshot transaction: %v", got)
	}
	// The walsender keeps the application name of the startup packet.
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var walsenderApp string
	if err := conn.QueryRow(t.Context(), "SELECT application_name FROM pg_stat_activity WHERE backend_type = 'walsender'").Scan(&walsenderApp); err != nil {
		t.Fatal(err)
	}
	if walsenderApp != "tributary" {
		t.Errorf("walsender application_name %q: the initial statements ran on the replication connection", walsenderApp)
	}
	h.stop()

	for mode, want := range map[string]string{
		"":               "init;app,4321ms,serializable,on,on",
		"read_committed": "init;app,4321ms,read committed,on,off",
	} {
		h.config["snapshot.isolation.mode"] = mode
		h.start()
		if got := after(t, h.poll(1)[0]).Get("email"); got != want {
			t.Errorf("snapshot.isolation.mode=%q: %v, want %v", mode, got, want)
		}
		h.stop()
	}
}

// TestSnapshotSharedLockTimeout checks snapshot.locking.mode=shared: the
// snapshot locks the captured tables IN ACCESS SHARE MODE and fails,
// naming snapshot.lock.timeout.ms, when a lock is not granted in time.
func TestSnapshotSharedLockTimeout(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('a')`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start() // creates the slot
	h.stop()

	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(t.Context(), "LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	h.config["snapshot.mode"] = "always"
	h.config["snapshot.locking.mode"] = "shared"
	h.config["snapshot.lock.timeout.ms"] = "200"
	h.start()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	for {
		recs, err := h.task.Poll(ctx)
		if err != nil {
			if !strings.Contains(err.Error(), "snapshot.lock.timeout.ms") || !strings.Contains(err.Error(), "customers") {
				t.Fatalf("Poll error %v, want the lock timeout naming the table", err)
			}
			return
		}
		if len(recs) > 0 {
			t.Fatalf("records %s while the table is locked", describe(recs))
		}
	}
}

// TestSnapshotDelayAndPollInterval checks that Poll returns an empty batch
// after poll.interval.ms while snapshot.delay.ms holds the snapshot back,
// and that Stop ends the delay.
func TestSnapshotDelayAndPollInterval(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('a')`)
	h := newHarness(t, pg, map[string]string{"snapshot.delay.ms": "3600000", "poll.interval.ms": "20"})
	h.start()
	for range 3 {
		recs, err := h.task.Poll(t.Context())
		if err != nil || len(recs) != 0 {
			t.Fatalf("Poll during the snapshot delay = %s, %v; want an empty batch", describe(recs), err)
		}
	}
	stopped := make(chan error, 1)
	go func() { stopped <- h.task.Stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Stop did not end the snapshot delay")
	}
}

// TestSkipMessagesWithoutChange checks that, with REPLICA IDENTITY FULL, an
// update that changes only excluded columns emits nothing when
// skip.messages.without.change is set, and an update otherwise.
func TestSkipMessagesWithoutChange(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `ALTER TABLE customers REPLICA IDENTITY FULL`)
	for _, skip := range []string{"true", "false"} {
		slot := "skip_" + skip
		h := newHarness(t, pg, map[string]string{
			"slot.name": slot, "snapshot.mode": "no_data", "skip.messages.without.change": skip,
			"column.exclude.list": `public\.customers\.balance`,
		})
		h.start()
		pg.Exec(t, `INSERT INTO customers(email, balance) VALUES ('`+slot+`', 1)`,
			`UPDATE customers SET balance = 2 WHERE email = '`+slot+`'`,
			`UPDATE customers SET email = '`+slot+`-2' WHERE email = '`+slot+`'`)
		recs := h.pollUntil(func(r connect.SourceRecord) bool {
			return r.Value != nil && op(t, r) == "u" && after(t, r).Get("email") == slot+"-2"
		})
		var ops []string
		for _, r := range recs {
			if r.Value != nil {
				ops = append(ops, op(t, r))
			}
		}
		want := "c,u,u"
		if skip == "true" {
			want = "c,u"
		}
		if got := strings.Join(ops, ","); got != want {
			t.Errorf("skip.messages.without.change=%s: ops %s, want %s\n%s", skip, got, want, describe(recs))
		}
		h.stop()
	}
}

// TestSlotStreamParamsAndFailover checks that slot.stream.params reach
// START_REPLICATION (pgoutput rejects an option it does not know, and
// takes one it knows), and that slot.failover on a server older than 17
// creates an ordinary slot, as Debezium does.
func TestSlotStreamParamsAndFailover(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data", "slot.stream.params": "no_such_option=1"})
	h.start()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	for {
		polled, err := h.task.Poll(ctx)
		recs := h.records(polled)
		if err != nil {
			if !strings.Contains(err.Error(), "no_such_option") {
				t.Fatalf("Poll error %v, want pgoutput refusing no_such_option", err)
			}
			break
		}
		if len(recs) > 0 {
			t.Fatalf("unexpected records %s", describe(recs))
		}
	}
	h.stop()

	h.config["slot.stream.params"] = "streaming=off;malformed"
	h.config["slot.failover"] = "true"
	h.config["slot.name"] = "failover_slot"
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('streamed')`)
	if got := after(t, h.poll(1)[0]).Get("email"); got != "streamed" {
		t.Fatalf("streamed %v", got)
	}
}
