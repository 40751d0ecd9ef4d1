package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// newTriggerHarness drives a task of the trigger-based capture.
func newTriggerHarness(t *testing.T, pg *pgtest.Server, extra map[string]string) *harness {
	h := newHarness(t, pg, map[string]string{"poll.interval.ms": "100"})
	delete(h.config, "plugin.name")
	delete(h.config, "status.update.interval.ms")
	delete(h.config, "slot.retry.delay.ms")
	delete(h.config, "slot.max.retries")
	for k, v := range extra {
		h.config[k] = v
	}
	h.newTask = postgres.NewTriggerTask
	return h
}

func connect1(t *testing.T, pg *pgtest.Server) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func exec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(t.Context(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestTriggerGoldenCustomersInsert: the trigger connector's insert record
// is the logical-replication connector's golden one (Debezium's
// documented customers example), source positions aside.
func TestTriggerGoldenCustomersInsert(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newTriggerHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()
	conn := connect1(t, pg)
	exec(t, conn, `INSERT INTO public.customers(email, balance, created_at) VALUES ('a@x.io', 12.50, '2024-05-01 10:00:00+00')`)
	r := h.poll(1)[0]
	assertGoldenJSON(t, r, "customers_insert_key.json", "customers_insert_value.json",
		[]string{"payload", "source", "ts_ms"}, []string{"payload", "source", "ts_us"}, []string{"payload", "source", "ts_ns"},
		[]string{"payload", "source", "sequence"}, []string{"payload", "source", "txId"}, []string{"payload", "source", "lsn"},
		[]string{"payload", "ts_ms"}, []string{"payload", "ts_us"}, []string{"payload", "ts_ns"})
}

// maskedRecord is a record as JSON through the JsonConverter, with the
// fields the two connectors cannot agree on masked: the source's position
// (lsn, sequence) and times (the trigger sees the change's time, logical
// replication the commit's).
func maskedRecord(t *testing.T, r connect.SourceRecord) string {
	t.Helper()
	keyConv, err := jsonconv.New(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	valueConv, err := jsonconv.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keyConv.FromConnect(r.Topic, r.KeySchema, r.Key)
	if err != nil {
		t.Fatal(err)
	}
	value, err := valueConv.FromConnect(r.Topic, r.ValueSchema, r.Value)
	if err != nil {
		t.Fatal(err)
	}
	var headers []string
	for _, h := range r.Headers {
		if strings.HasPrefix(h.Key, "__debezium.context.") {
			continue
		}
		headers = append(headers, fmt.Sprintf("%s=%v", h.Key, h.Value))
	}
	doc := any(nil)
	if value != nil {
		doc = masked(t, decodeJSON(t, value),
			[]string{"payload", "source", "ts_ms"}, []string{"payload", "source", "ts_us"}, []string{"payload", "source", "ts_ns"},
			[]string{"payload", "source", "sequence"}, []string{"payload", "source", "lsn"},
			[]string{"payload", "ts_ms"}, []string{"payload", "ts_us"}, []string{"payload", "ts_ns"})
	}
	out, err := json.Marshal(map[string]any{"topic": r.Topic, "key": string(key), "value": doc, "headers": headers})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestTriggerMatchesLogicalReplication runs the same changes past both
// connectors and compares their records: topics, keys, values (source
// positions and times aside) and headers are equal. The table has REPLICA
// IDENTITY FULL, under which logical replication also sends full before
// images, as the trigger always does.
func TestTriggerMatchesLogicalReplication(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, typesDDL, "ALTER TABLE public.types REPLICA IDENTITY FULL")
	// The logical-replication connector would capture the queue too.
	only := map[string]string{"snapshot.mode": "no_data", "schema.include.list": "public", "skipped.operations": "none"}
	logical := newHarness(t, pg, only)
	logical.start()
	trig := newTriggerHarness(t, pg, only)
	trig.start()
	conn := connect1(t, pg)
	// A writer whose session settings differ from the connector's: the
	// trigger's own settings keep the text forms the decoders read.
	exec(t, conn, "SET TimeZone = 'America/New_York'")
	exec(t, conn, "SET DateStyle = 'German'")
	exec(t, conn, "SET extra_float_digits = 0")
	exec(t, conn, "SET bytea_output = 'escape'")
	exec(t, conn, "INSERT INTO public.types VALUES (1, "+typesValues+")")
	exec(t, conn, `INSERT INTO public.types (id, c_text, c_bytea, c_vnum, c_f8, c_json) VALUES
		(2, 'quote " back \ comma , paren ) space', '\x00'::bytea, 'NaN', 'Infinity', '[]'), (3, '', NULL, -0.5, 1e-300, 'null')`)
	exec(t, conn, "UPDATE public.types SET c_text = 'changed', c_f4 = 3.3 WHERE id = 1")
	exec(t, conn, "UPDATE public.types SET id = 10 WHERE id = 2")
	exec(t, conn, "DELETE FROM public.types WHERE id = 3")
	exec(t, conn, "BEGIN")
	exec(t, conn, "INSERT INTO public.types (id) VALUES (4)")
	exec(t, conn, "UPDATE public.types SET c_i4 = 5 WHERE id = 4")
	exec(t, conn, "COMMIT")
	exec(t, conn, "TRUNCATE public.types")
	// insert 3, update, key change (delete, tombstone, create), delete and
	// tombstone, insert and update, truncate.
	const n = 3 + 1 + 3 + 2 + 2 + 1
	want := logical.poll(n)
	got := trig.poll(n)
	for i := range want {
		w, g := maskedRecord(t, want[i]), maskedRecord(t, got[i])
		if w != g {
			t.Errorf("record %d:\n logical %s\n trigger %s", i, w, g)
		}
	}
	if sourceField(t, got[0], "txId") != sourceField(t, want[0], "txId") {
		t.Errorf("txId %v, logical replication's %v", sourceField(t, got[0], "txId"), sourceField(t, want[0], "txId"))
	}
}

// queueCount is the number of rows in the connector's queue.
func queueCount(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM tributary_cdc.dbserver1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTriggerHandoffAndCommitOrder: a transaction open while the initial
// snapshot reads is delivered by streaming, once, and none the snapshot saw
// is; a transaction that took its sequence value before another but
// commits after it is still delivered; a restart resumes from the
// committed position without loss, and the queue is cleared only of
// committed rows.
func TestTriggerHandoffAndCommitOrder(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE public.kv (k int PRIMARY KEY, v int NOT NULL)")
	h := newTriggerHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	// A first run installs the triggers and the queue.
	h.start()
	h.stop()
	pg.Exec(t, "INSERT INTO public.kv VALUES (1, 1), (2, 1)")
	open := connect1(t, pg)
	exec(t, open, "BEGIN")
	exec(t, open, "INSERT INTO public.kv VALUES (3, 1)")

	h2 := newTriggerHarness(t, pg, nil)
	h2.start()
	snap := h2.pollUntil(func(r connect.SourceRecord) bool { return r.SourceOffset["last_snapshot_record"] == true })
	if len(snap) != 2 || op(t, snap[0]) != "r" || op(t, snap[1]) != "r" {
		t.Fatalf("snapshot records:\n%s", describe(snap))
	}
	exec(t, open, "COMMIT")
	got := h2.poll(1)
	if op(t, got[0]) != "c" || after(t, got[0]).Values[0] != int32(3) {
		t.Fatalf("after the snapshot:\n%s", describe(got))
	}

	// late takes a sequence value first and commits last.
	late, early := connect1(t, pg), connect1(t, pg)
	exec(t, late, "BEGIN")
	exec(t, late, "UPDATE public.kv SET v = 2 WHERE k = 1")
	exec(t, early, "UPDATE public.kv SET v = 2 WHERE k = 2")
	first := h2.poll(1)
	exec(t, late, "COMMIT")
	second := h2.poll(1)
	if after(t, first[0]).Values[0] != int32(2) || after(t, second[0]).Values[0] != int32(1) {
		t.Fatalf("delivered %s then %s", describe(first), describe(second))
	}
	h2.commit(first[0])
	conn := connect1(t, pg)
	// first's offset covers the snapshot's rows and k=3's insert, but not
	// k=1's update, queued before it.
	deadline := time.Now().Add(waitTimeout)
	for queueCount(t, conn) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("queue holds %d rows, want 1 (the uncommitted update)", queueCount(t, conn))
		}
		h2.pollBriefly()
	}
	h2.stop()

	// Restarted from first's offset: the update of k=1 comes again (at
	// least once), then what was written while stopped.
	pg.Exec(t, "UPDATE public.kv SET v = 3 WHERE k = 1")
	h3 := newTriggerHarness(t, pg, nil)
	h3.store = h2.store
	h3.start()
	again := h3.poll(2)
	if after(t, again[0]).Values[1] != int32(2) || after(t, again[1]).Values[1] != int32(3) {
		t.Fatalf("after the restart:\n%s", describe(again))
	}
	h3.commit(again[1])
	deadline = time.Now().Add(waitTimeout)
	for queueCount(t, conn) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("queue holds %d rows after every record was committed", queueCount(t, conn))
		}
		h3.pollBriefly()
	}
}

// TestTriggerAutocreateDisabled: with trigger.autocreate.mode=disabled a
// missing installation fails the start, naming what is missing, and the
// DDL the connector would run installs what it checks.
func TestTriggerAutocreateDisabled(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE public.kv (k int PRIMARY KEY, v int)")
	h := newTriggerHarness(t, pg, map[string]string{"trigger.autocreate.mode": "disabled"})
	task := postgres.NewTriggerTask()
	err := task.Start(t.Context(), h.store, h.config)
	if err == nil || !strings.Contains(err.Error(), "queue table tributary_cdc.dbserver1") || !strings.Contains(err.Error(), "triggers on public.kv") {
		t.Fatalf("start: %v", err)
	}
	_ = task.Stop()
	all := newTriggerHarness(t, pg, nil)
	all.start()
	all.stop()
	h.start()
	pg.Exec(t, "INSERT INTO public.kv VALUES (1, 1)")
	if r := h.poll(1)[0]; op(t, r) != "c" {
		t.Fatalf("got %s", describe([]connect.SourceRecord{r}))
	}
	if !reflect.DeepEqual(h.rest, []connect.SourceRecord(nil)) && len(h.rest) != 0 {
		t.Fatalf("more records: %s", describe(h.rest))
	}
}

// TestTriggerQueueNameInTwoSchemas: two connectors whose queue tables share
// a name in different trigger schemas leave each other's triggers alone:
// the second neither drops the first's triggers on the tables it does not
// capture nor replaces them on a table both capture, and says why.
func TestTriggerQueueNameInTwoSchemas(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE public.a (k int PRIMARY KEY); CREATE TABLE public.b (k int PRIMARY KEY)")
	first := newTriggerHarness(t, pg, map[string]string{"trigger.queue.table": "q", "table.include.list": "public.a"})
	first.start()
	first.stop()
	conn := connect1(t, pg)
	triggersOn := func(table string) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_trigger
			WHERE tgrelid = $1::regclass AND tgfoid = 'tributary_cdc.q_capture()'::regprocedure`, table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := triggersOn("public.a"); n != 2 {
		t.Fatalf("%d triggers on public.a", n)
	}
	second := newTriggerHarness(t, pg, map[string]string{"trigger.queue.table": "q", "trigger.schema": "other_cdc",
		"topic.prefix": "other", "table.include.list": "public.b"})
	second.start()
	second.stop()
	if n := triggersOn("public.a"); n != 2 {
		t.Fatalf("the second connector dropped the first's triggers: %d left on public.a", n)
	}
	third := newTriggerHarness(t, pg, map[string]string{"trigger.queue.table": "q", "trigger.schema": "other_cdc",
		"topic.prefix": "other", "table.include.list": "public.a,public.b"})
	task := postgres.NewTriggerTask()
	err := task.Start(t.Context(), third.store, third.config)
	_ = task.Stop()
	if err == nil || !strings.Contains(err.Error(), "trigger.queue.table") {
		t.Fatalf("start over another connector's triggers: %v", err)
	}
	if n := triggersOn("public.a"); n != 2 {
		t.Fatalf("the third connector replaced the first's triggers: %d left on public.a", n)
	}
}

// TestTriggerKeyChangeCommittedInPart: the delete (and tombstone) of a key
// change go to other partitions than its create and may be acknowledged
// first; a restart from the delete's committed offset delivers the change
// again, create included, rather than skip it.
func TestTriggerKeyChangeCommittedInPart(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE public.kv (k int PRIMARY KEY, v int NOT NULL)")
	h := newTriggerHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()
	pg.Exec(t, "INSERT INTO public.kv VALUES (1, 1)")
	h.commit(h.poll(1)[0])
	pg.Exec(t, "UPDATE public.kv SET k = 2 WHERE k = 1")
	got := h.poll(3)
	if op(t, got[0]) != "d" || got[1].Value != nil || op(t, got[2]) != "c" {
		t.Fatalf("key change:\n%s", describe(got))
	}
	h.commit(got[0])
	h.stop()

	h2 := newTriggerHarness(t, pg, nil)
	h2.store = h.store
	h2.start()
	again := h2.poll(3)
	if op(t, again[0]) != "d" || again[1].Value != nil || op(t, again[2]) != "c" || after(t, again[2]).Values[0] != int32(2) {
		t.Fatalf("after a restart from the delete's offset:\n%s", describe(again))
	}
}

// A lost LISTEN connection fails the task with a retriable error (the
// worker restarts it), not with the cancellation it causes in the task's
// other goroutines: that one would read as a clean stop, and the task
// would end without a word.
func TestTriggerListenConnectionLostFailsTheTask(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE public.kv (k int PRIMARY KEY, v int NOT NULL)")
	h := newTriggerHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()
	conn := connect1(t, pg)
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminating the LISTEN backend: %d, %v", n, err)
	}
	err := h.pollError()
	if err == nil || errors.Is(err, context.Canceled) || !connect.IsRetriable(err) {
		t.Fatalf("Poll after the LISTEN connection was lost = %v, want a retriable failure", err)
	}
}
