package postgres_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

// queryLSN runs a query returning one pg_lsn.
func queryLSN(t *testing.T, pg *pgtest.Server, q string) uint64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(t.Context(), q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	lsn, err := pglogrepl.ParseLSN(s)
	if err != nil {
		t.Fatalf("parsing %q: %v", s, err)
	}
	return uint64(lsn)
}

// churn commits n transactions on the uncaptured table and returns the WAL
// position before the last one.
func churn(t *testing.T, pg *pgtest.Server, n int) uint64 {
	t.Helper()
	for range n - 1 {
		pg.Exec(t, `INSERT INTO public.churn(v) SELECT 'x' FROM generate_series(1, 20)`)
	}
	w := queryLSN(t, pg, "SELECT pg_current_wal_lsn()::text")
	pg.Exec(t, `INSERT INTO public.churn(v) VALUES ('last')`)
	return w
}

// TestIdleConnectorDoesNotPinWAL churns a table the connector does not
// capture and checks that the slot's confirmed_flush_lsn advances although
// no record is produced (debezium-values.md #46): through keepalives when
// the publication holds only the captured table (PostgreSQL 15 then sends
// nothing for the churn), and through the commits of filtered-out
// transactions when it holds all tables.
func TestIdleConnectorDoesNotPinWAL(t *testing.T) {
	for _, mode := range []string{"filtered", "all_tables"} {
		t.Run(mode, func(t *testing.T) {
			pg := pgtest.Start(t)
			pg.Exec(t, `CREATE TABLE public.cap(id int PRIMARY KEY, v text)`,
				`CREATE TABLE public.churn(id serial PRIMARY KEY, v text)`)
			h := newHarness(t, pg, map[string]string{
				"table.include.list": "public.cap", "snapshot.mode": "no_data",
				"publication.autocreate.mode": mode,
			})
			h.start()
			w := churn(t, pg, 5)
			h.awaitConfirmedAtLeast("debezium", w)

			// Again after a restart from the offset a position marker
			// stored.
			if o := h.store.offsets[`{"server":"dbserver1"}`]; o == nil || o["messageType"] != "COMMIT" {
				t.Fatalf("stored offset %v, want a position marker's", o)
			}
			h.stop()
			h.start()
			w = churn(t, pg, 5)
			h.awaitConfirmedAtLeast("debezium", w)

			pg.Exec(t, `INSERT INTO public.cap VALUES (1, 'sentinel')`)
			got := h.pollUntil(func(connect.SourceRecord) bool { return true })
			if len(got) != 1 || got[0].Topic != "dbserver1.public.cap" || op(t, got[0]) != "c" {
				t.Fatalf("want only the sentinel insert, got:\n%s", describe(got))
			}
		})
	}
}

// TestHeartbeatsAndInFlightRecords checks heartbeat records (topic, key,
// value, debezium-values.md #32) and the confirmation invariant: while a
// delivered record is not committed, keepalives do not move the slot past
// it; once everything is committed they do.
func TestHeartbeatsAndInFlightRecords(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.cap(id int PRIMARY KEY, v text)`,
		`CREATE TABLE public.churn(id serial PRIMARY KEY, v text)`)
	h := newHarness(t, pg, map[string]string{
		"table.include.list": "public.cap", "snapshot.mode": "no_data",
		"publication.autocreate.mode": "filtered", "heartbeat.interval.ms": "50",
	})
	h.start()
	pg.Exec(t, `INSERT INTO public.cap VALUES (1, 'a')`)
	rec := h.pollUntil(func(r connect.SourceRecord) bool { return r.Topic == "dbserver1.public.cap" })
	insert := rec[len(rec)-1]
	w := churn(t, pg, 5)

	// A heartbeat that has seen the churn's keepalives.
	var hb connect.SourceRecord
	h.pollUntil(func(r connect.SourceRecord) bool {
		if r.Topic != "__debezium-heartbeat.dbserver1" {
			t.Fatalf("unexpected record:\n%s", describe([]connect.SourceRecord{r}))
		}
		hb = r
		return uint64(offsetInt(t, r, "lsn_commit")) >= w
	})
	key, _ := hb.Key.(*schema.Struct)
	val, _ := hb.Value.(*schema.Struct)
	if key == nil || key.Schema.Name != "io.debezium.connector.common.ServerNameKey" || key.Schema.Version != 1 ||
		!reflect.DeepEqual(key.Values, []any{"dbserver1"}) || key.Schema.Fields[0].Name != "serverName" {
		t.Errorf("heartbeat key %+v", hb.Key)
	}
	if val == nil || val.Schema.Name != "io.debezium.connector.common.Heartbeat" || val.Schema.Version != 1 ||
		len(val.Values) != 1 || val.Schema.Fields[0].Name != "ts_ms" || val.Values[0].(int64) <= 0 {
		t.Errorf("heartbeat value %+v", hb.Value)
	}
	if !reflect.DeepEqual(hb.SourcePartition, map[string]any{"server": "dbserver1"}) {
		t.Errorf("heartbeat partition %v", hb.SourcePartition)
	}

	// Committing the insert confirms its lsn_commit, or the position of a
	// marker polled next to it, and nothing past: the heartbeats polled
	// since are still in flight.
	h.commit(insert)
	if c := h.committedFlush(); c < uint64(offsetInt(t, insert, "lsn_commit")) {
		t.Fatalf("committed offsets allow %d, before the insert's lsn_commit", c)
	}
	waitConfirmed(t, pg, "debezium", h.committedFlush())

	// Committing the heartbeat covers everything: the slot moves past the
	// churn.
	h.commit(hb)
	waitConfirmedAtLeast(t, pg, "debezium", w)
	if o := h.store.offsets[`{"server":"dbserver1"}`]; o == nil || o["lsn_commit"].(float64) < float64(w) {
		t.Errorf("stored offset %v does not reach %d", o, w)
	}
}

// TestHeartbeatActionQuery runs heartbeat.action.query on every heartbeat.
func TestHeartbeatActionQuery(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.hb(id serial PRIMARY KEY, ts timestamptz)`)
	h := newHarness(t, pg, map[string]string{
		"snapshot.mode": "no_data", "heartbeat.interval.ms": "50",
		"heartbeat.action.query": "INSERT INTO public.hb(ts) VALUES (now())",
		"topic.heartbeat.prefix": "beats",
	})
	h.start()
	sawBeat := false
	h.pollUntil(func(r connect.SourceRecord) bool {
		sawBeat = sawBeat || r.Topic == "beats.dbserver1"
		return r.Topic == "dbserver1.public.hb"
	})
	h.pollUntil(func(r connect.SourceRecord) bool {
		sawBeat = sawBeat || r.Topic == "beats.dbserver1"
		return sawBeat
	})
}

// TestTransactionMetadata checks BEGIN/END records and the transaction
// block (debezium-values.md #33, #34; debezium.md §4.3).
func TestTransactionMetadata(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.t1(id int PRIMARY KEY)`, `CREATE TABLE public.t2(id int PRIMARY KEY)`)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data", "provide.transaction.metadata": "true"})
	h.start()
	pg.Exec(t, "BEGIN", `INSERT INTO public.t1 VALUES (1)`, `INSERT INTO public.t1 VALUES (2)`,
		`INSERT INTO public.t2 VALUES (1)`, "COMMIT")
	recs := h.poll(5)
	topics := []string{}
	for _, r := range recs {
		topics = append(topics, r.Topic)
	}
	if want := []string{"dbserver1.transaction", "dbserver1.public.t1", "dbserver1.public.t1", "dbserver1.public.t2",
		"dbserver1.transaction"}; !reflect.DeepEqual(topics, want) {
		t.Fatalf("topics %v, want %v", topics, want)
	}
	xid := strconv.FormatInt(offsetInt(t, recs[1], "txId"), 10)
	tsMs := sourceField(t, recs[1], "ts_ms").(int64)
	lsnOf := func(r connect.SourceRecord) string { return strconv.FormatInt(offsetInt(t, r, "lsn"), 10) }

	begin := valueStruct(t, recs[0])
	beginKey := recs[0].Key.(*schema.Struct)
	if beginKey.Schema.Name != "io.debezium.connector.common.TransactionMetadataKey" ||
		begin.Schema.Name != "io.debezium.connector.common.TransactionMetadataValue" {
		t.Errorf("schema names %s, %s", beginKey.Schema.Name, begin.Schema.Name)
	}
	// BEGIN is emitted with the first event's position.
	wantID := xid + ":" + lsnOf(recs[1])
	if !reflect.DeepEqual(begin.Values, []any{"BEGIN", wantID, nil, nil, tsMs}) ||
		!reflect.DeepEqual(beginKey.Values, []any{wantID}) {
		t.Errorf("BEGIN key %v value %v, want id %s", beginKey.Values, begin.Values, wantID)
	}
	for i, want := range [][2]int64{{1, 1}, {2, 2}, {3, 1}} {
		r := recs[1+i]
		block, _ := valueStruct(t, r).Get("transaction").(*schema.Struct)
		if block == nil || !reflect.DeepEqual(block.Values, []any{xid + ":" + lsnOf(r), want[0], want[1]}) {
			t.Errorf("event %d transaction block %v, want id %s:%s orders %v", i, block, xid, lsnOf(r), want)
		}
		if r.SourceOffset["transaction_id"] != xid {
			t.Errorf("event %d offset %v", i, r.SourceOffset)
		}
	}
	if o := recs[2].SourceOffset; o["transaction_data_collection_order_public.t1"] != int64(2) {
		t.Errorf("second event offset %v", o)
	}
	end := valueStruct(t, recs[4])
	endID := xid + ":" + lsnOf(recs[4])
	colls, _ := end.Values[3].([]any)
	if end.Values[0] != "END" || end.Values[1] != endID || end.Values[2] != int64(3) || end.Values[4] != tsMs ||
		len(colls) != 2 ||
		!reflect.DeepEqual(colls[0].(*schema.Struct).Values, []any{"public.t1", int64(2)}) ||
		!reflect.DeepEqual(colls[1].(*schema.Struct).Values, []any{"public.t2", int64(1)}) {
		t.Errorf("END %v", end.Values)
	}
	if colls[0].(*schema.Struct).Schema.Name != "event.collection" {
		t.Errorf("collection schema %s", colls[0].(*schema.Struct).Schema.Name)
	}
	// Committing END confirms the transaction's end.
	h.commit(recs[4])
	waitConfirmedAtLeast(t, pg, "debezium", uint64(offsetInt(t, recs[4], "lsn_commit")))
}

// TestSlotAndPublicationManagement checks publication.autocreate.mode
// disabled (a validation error naming it), no_tables,
// replica.identity.autoset.values and slot.drop.on.stop.
func TestSlotAndPublicationManagement(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.ri(id int PRIMARY KEY, v text)`)
	h := newHarness(t, pg, map[string]string{
		"publication.autocreate.mode": "disabled", "publication.name": "missing_pub",
	})
	errs := postgres.New().Validate(t.Context(), h.config)
	if len(errs) != 1 || errs[0].Name != "publication.autocreate.mode" {
		t.Fatalf("validation errors %+v, want one naming publication.autocreate.mode", errs)
	}

	h = newHarness(t, pg, map[string]string{
		"publication.autocreate.mode": "no_tables", "publication.name": "empty_pub", "slot.name": "dropme",
		"slot.drop.on.stop": "true", "replica.identity.autoset.values": "public.r.*:FULL", "snapshot.mode": "no_data",
	})
	if errs := postgres.New().Validate(t.Context(), h.config); len(errs) != 0 {
		t.Fatalf("validation errors %+v", errs)
	}
	h.start()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ident string
	var pubTables int
	if err := conn.QueryRow(t.Context(), `SELECT relreplident::text FROM pg_class WHERE oid = 'public.ri'::regclass`).Scan(&ident); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_publication_tables WHERE pubname = 'empty_pub'`).Scan(&pubTables); err != nil {
		t.Fatal(err)
	}
	if ident != "f" || pubTables != 0 {
		t.Errorf("replica identity %q, publication tables %d; want f, 0", ident, pubTables)
	}
	h.stop()
	var slots int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'dropme'`).Scan(&slots); err != nil {
		t.Fatal(err)
	}
	if slots != 0 {
		t.Errorf("slot dropme still exists after stop with slot.drop.on.stop")
	}
}
