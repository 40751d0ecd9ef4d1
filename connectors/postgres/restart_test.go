package postgres_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

func ids(t *testing.T, recs []connect.SourceRecord) []any {
	t.Helper()
	var out []any
	for _, r := range recs {
		out = append(out, []any{op(t, r), keyOf(r).([]any)[0]})
	}
	return out
}

// TestRestartResumesWithoutLossOrDuplicate stops a task in the middle of a
// delivered transaction and restarts it from the committed offset.
func TestRestartResumesWithoutLossOrDuplicate(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('s1'), ('s2')`)
	h := newHarness(t, pg, nil)
	h.start()

	snap := h.poll(2)
	h.commit(snap[1])
	snapshotLSN := uint64(offsetInt(t, snap[1], "lsn"))
	// The snapshot offsets carry no lsn_proc/lsn_commit; with every record
	// durable, keepalives may move the slot past the consistent point.
	waitConfirmedAtLeast(t, pg, "debezium", snapshotLSN)

	// tx1: ids 3, 4; tx2: ids 5, 6.
	pg.Exec(t, "BEGIN", `INSERT INTO customers(email) VALUES ('t1a')`, `INSERT INTO customers(email) VALUES ('t1b')`, "COMMIT")
	pg.Exec(t, "BEGIN", `INSERT INTO customers(email) VALUES ('t2a')`, `INSERT INTO customers(email) VALUES ('t2b')`, "COMMIT")
	recs := h.poll(4)
	if got, want := ids(t, recs), []any{[]any{"c", int32(3)}, []any{"c", int32(4)}, []any{"c", int32(5)}, []any{"c", int32(6)}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("streamed %v, want %v", got, want)
	}
	if offsetInt(t, recs[0], "txId") != offsetInt(t, recs[1], "txId") || offsetInt(t, recs[1], "txId") == offsetInt(t, recs[2], "txId") {
		t.Fatalf("transactions not as expected:\n%s", describe(recs))
	}
	tx1End := uint64(offsetInt(t, recs[2], "lsn_commit"))
	if tx1End <= uint64(offsetInt(t, recs[1], "lsn")) || tx1End > uint64(offsetInt(t, recs[2], "lsn")) {
		t.Fatalf("lsn_commit %d of tx2's first event is not tx1's end:\n%s", tx1End, describe(recs))
	}

	// Commit tx2's first event only: the slot confirms tx1's end, or a
	// position marker's committed before the event (a keepalive's WAL end,
	// never past tx2's commit), and nothing more: tx2 stays to be resent.
	h.commit(recs[2])
	if c := h.committedFlush(); c < tx1End {
		t.Fatalf("committed offsets allow %d, before tx1's end %d", c, tx1End)
	}
	waitConfirmed(t, pg, "debezium", h.committedFlush())
	h.stop()

	// Restart from the stored offset. PostgreSQL resends tx2 whole; its
	// first event was delivered and must be skipped, the second must come.
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('sentinel')`)
	got := h.pollUntil(func(r connect.SourceRecord) bool {
		a := after(t, r)
		return a != nil && a.Get("email") == "sentinel"
	})
	if g, want := ids(t, got), []any{[]any{"c", int32(6)}, []any{"c", int32(7)}}; !reflect.DeepEqual(g, want) {
		t.Fatalf("after restart got %v, want %v:\n%s", g, want, describe(got))
	}
	if !reflect.DeepEqual(got[0].SourceOffset, recs[3].SourceOffset) {
		t.Errorf("redelivered event offset %v, first delivery %v", got[0].SourceOffset, recs[3].SourceOffset)
	}
	// Nothing committed since the restart: the slot may have moved only
	// up to tx2, which must stay replayable.
	tx2End := uint64(offsetInt(t, got[1], "lsn_commit"))
	if c := confirmedFlush(t, pg, "debezium"); c < tx1End || c >= tx2End {
		t.Fatalf("confirmed %d after restart, want in [%d, %d)", c, tx1End, tx2End)
	}
	h.commit(got[1])
	waitConfirmedAtLeast(t, pg, "debezium", tx2End)
}

// TestIncompleteSnapshotIsRedone restarts with an offset of a snapshot in
// progress: the snapshot runs again (on the existing slot) and streaming
// then continues.
func TestIncompleteSnapshotIsRedone(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, `INSERT INTO customers(email) VALUES ('s1'), ('s2')`)
	h := newHarness(t, pg, nil)
	h.start()
	snap := h.poll(2)
	h.commit(snap[0]) // not the last snapshot record
	h.stop()

	h.start()
	again := h.poll(2)
	for i, r := range again {
		if op(t, r) != "r" || !reflect.DeepEqual(keyOf(r), keyOf(snap[i])) {
			t.Fatalf("re-snapshot record %d: %s %v", i, op(t, r), keyOf(r))
		}
	}
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('after')`)
	if r := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" }); len(r) != 1 {
		t.Fatalf("expected only the insert, got:\n%s", describe(r))
	}
}

// TestDroppedTableIsStreamed: a change to a table dropped before the task
// read its WAL is still delivered, with the shape pgoutput sent.
func TestDroppedTableIsStreamed(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('a')`)
	h.commit(h.poll(1)[0])
	h.stop()

	pg.Exec(t, `CREATE TABLE gone(id int PRIMARY KEY, v text)`, `INSERT INTO gone VALUES (1, 'x')`, `DROP TABLE gone`,
		`INSERT INTO customers(email) VALUES ('sentinel')`)
	h.start()
	got := h.pollUntil(func(r connect.SourceRecord) bool {
		a := after(t, r)
		return a != nil && a.Get("email") == "sentinel"
	})
	if len(got) != 2 || got[0].Topic != "dbserver1.public.gone" || op(t, got[0]) != "c" ||
		!reflect.DeepEqual(keyOf(got[0]), []any{int32(1)}) || !reflect.DeepEqual(after(t, got[0]).Values, []any{int32(1), "x"}) {
		t.Fatalf("got:\n%s", describe(got))
	}
}

// A primary-key change is a delete, a tombstone and a create. Were the
// delete acknowledged and its offset committed before the create reached
// Kafka, a restart from that offset must emit the whole change again, not
// skip the create (the delete and tombstone carry the position before the
// change).
func TestKeyChangeCommittedInPart(t *testing.T) {
	for _, txMeta := range []string{"false", "true"} {
		t.Run("provide.transaction.metadata="+txMeta, func(t *testing.T) {
			pg := pgtest.Start(t)
			pg.Exec(t, "CREATE TABLE public.kv (k int PRIMARY KEY, v int NOT NULL)")
			config := map[string]string{"snapshot.mode": "no_data", "table.include.list": "public.kv", "provide.transaction.metadata": txMeta}
			h := newHarness(t, pg, config)
			h.start()
			pg.Exec(t, "INSERT INTO public.kv VALUES (1, 1)")
			first := h.pollUntil(func(r connect.SourceRecord) bool { return r.Topic == "dbserver1.public.kv" })
			h.commit(first[len(first)-1])
			pg.Exec(t, "UPDATE public.kv SET k = 2 WHERE k = 1")
			got := dataRecords(h.pollUntil(func(r connect.SourceRecord) bool {
				return r.Topic == "dbserver1.public.kv" && r.Value != nil && op(t, r) == "c"
			}))
			if len(got) != 3 || op(t, got[0]) != "d" || got[1].Value != nil || op(t, got[2]) != "c" {
				t.Fatalf("key change:\n%s", describe(got))
			}
			h.commit(got[0])
			h.stop()

			h2 := newHarness(t, pg, config)
			h2.store = h.store
			h2.start()
			again := dataRecords(h2.pollUntil(func(r connect.SourceRecord) bool {
				return r.Topic == "dbserver1.public.kv" && r.Value != nil && op(t, r) == "c"
			}))
			if len(again) != 3 || op(t, again[0]) != "d" || again[1].Value != nil || op(t, again[2]) != "c" || after(t, again[2]).Values[0] != int32(2) {
				t.Fatalf("after a restart from the delete's offset:\n%s", describe(again))
			}
		})
	}
}

// dataRecords keeps the records of captured tables (no transaction
// metadata records).
func dataRecords(rs []connect.SourceRecord) []connect.SourceRecord {
	var out []connect.SourceRecord
	for _, r := range rs {
		if strings.HasPrefix(r.Topic, "dbserver1.public.") {
			out = append(out, r)
		}
	}
	return out
}
