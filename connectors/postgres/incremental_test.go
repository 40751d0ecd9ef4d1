package postgres_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/javaser"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

// signalDDL is the signal table of Debezium's documentation.
const signalDDL = `CREATE TABLE public.debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)`

const (
	bigTopic    = "dbserver1.public.big"
	otherTopic  = "dbserver1.public.other"
	signalTopic = "dbserver1.public.debezium_signal"

	notificationTopic = "tributary-notifications"
)

// notice is a notification record's id, type, and additional data.
type notice struct {
	id, typ string
	data    map[string]string
}

func notices(t *testing.T, recs []connect.SourceRecord) []notice {
	var out []notice
	for _, r := range recs {
		if r.Topic != notificationTopic {
			continue
		}
		v := valueStruct(t, r)
		n := notice{id: v.Get("id").(string), typ: v.Get("type").(string), data: map[string]string{}}
		if m, ok := v.Get("additional_data").(schema.OrderedMap); ok {
			for _, e := range m {
				n.data[e.Key] = e.Value.(string)
			}
		}
		if v.Get("aggregate_type") != "Incremental Snapshot" && v.Get("aggregate_type") != "Initial Snapshot" {
			t.Fatalf("notification %v", v)
		}
		out = append(out, n)
	}
	return out
}

// incrementalRows is the size of the table the incremental snapshot tests
// add, def unless TRIBUTARY_INCREMENTAL_ROWS sets it (e.g. to 200000 for a
// longer run than make test's).
func incrementalRows(t *testing.T, def int) int {
	if s := os.Getenv("TRIBUTARY_INCREMENTAL_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("TRIBUTARY_INCREMENTAL_ROWS: %v", err)
		}
		return n
	}
	return def
}

// incrementalHarness starts a connector capturing public.other with the
// signal table configured, and takes its initial snapshot.
func incrementalHarness(t *testing.T, pg *pgtest.Server, extra map[string]string) *harness {
	pg.Exec(t, signalDDL, `CREATE TABLE public.other(id serial PRIMARY KEY, v int NOT NULL)`,
		`INSERT INTO public.other(v) VALUES (1)`)
	config := map[string]string{
		"table.include.list":              "public.other",
		"signal.data.collection":          "public.debezium_signal",
		"publication.autocreate.mode":     "filtered",
		"incremental.snapshot.chunk.size": "500",
		"max.batch.size":                  "1000",
		"max.queue.size":                  "4000",
		"notification.enabled.channels":   "sink,log",
		"notification.sink.topic.name":    notificationTopic,
	}
	for k, v := range extra {
		config[k] = v
	}
	h := newHarness(t, pg, config)
	h.start()
	recs := h.poll(1)
	if recs[0].Topic != otherTopic {
		t.Fatalf("initial snapshot: %s", describe(recs))
	}
	h.commit(recs[0])
	return h
}

// addBigTable creates public.big with n rows (id, v = 0) and restarts the
// task with it in table.include.list, as the runtime does on a config
// change.
func addBigTable(t *testing.T, pg *pgtest.Server, h *harness, n int) {
	pg.Exec(t, `CREATE TABLE public.big(id int PRIMARY KEY, v int NOT NULL, pad text)`,
		fmt.Sprintf(`INSERT INTO public.big SELECT g, 0, repeat('x', 20) FROM generate_series(1, %d) g`, n))
	h.stop()
	h.config["table.include.list"] = "public.other,public.big"
	h.start()
}

func signalSQL(id, typ, data string) string {
	return fmt.Sprintf(`INSERT INTO public.debezium_signal VALUES ('%s', '%s', '%s')`, id, typ, data)
}

// collector polls the task as the runtime does, committing as it goes.
type collector struct {
	h    *harness
	recs []connect.SourceRecord
	// hold stops committing what is polled.
	hold bool
}

// until polls until done accepts a record, and returns every record
// polled so far.
func (c *collector) until(what string, done func(connect.SourceRecord) bool) {
	h := c.h
	h.t.Helper()
	deadline := time.Now().Add(4 * waitTimeout)
	for {
		ctx, cancel := context.WithTimeout(h.t.Context(), waitTimeout)
		polled, err := h.task.Poll(ctx)
		cancel()
		if err != nil {
			h.t.Fatalf("polling for %s after %d records: %v", what, len(c.recs), err)
		}
		recs := h.records(polled)
		if len(h.rest) > 0 {
			recs = append(h.rest, recs...)
			h.rest = nil
		}
		for i, r := range recs {
			c.recs = append(c.recs, r)
			if done(r) {
				h.rest = recs[i+1:]
				if !c.hold {
					h.commit(r)
				}
				return
			}
		}
		if len(recs) > 0 && !c.hold {
			h.commit(recs[len(recs)-1])
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no %s after %d records", what, len(c.recs))
		}
	}
}

func isRead(t *testing.T, r connect.SourceRecord) bool {
	return r.Topic == bigTopic && r.Value != nil && op(t, r) == "r"
}

func hasIncrementalOffset(r connect.SourceRecord) bool {
	_, ok := r.SourceOffset["incremental_snapshot_collections"]
	return ok
}

// writer updates (v+1) and deletes random rows of public.big, and inserts
// rows into public.other, until stopped.
type writer struct {
	stop    chan struct{}
	done    chan error
	mu      sync.Mutex
	inserts int
}

func startWriter(t *testing.T, pg *pgtest.Server, rows int) *writer {
	w := &writer{stop: make(chan struct{}), done: make(chan error, 1)}
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer conn.Close(context.Background())
		rnd := rand.New(rand.NewPCG(1, 2))
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				w.done <- nil
				return
			default:
			}
			id := 1 + rnd.IntN(rows)
			var err error
			switch i % 10 {
			case 9:
				_, err = conn.Exec(context.Background(), `DELETE FROM public.big WHERE id = $1`, id)
			case 5:
				_, err = conn.Exec(context.Background(), `INSERT INTO public.other(v) VALUES ($1)`, i)
				w.mu.Lock()
				w.inserts++
				w.mu.Unlock()
			default:
				_, err = conn.Exec(context.Background(), `UPDATE public.big SET v = v + 1 WHERE id = $1`, id)
			}
			if err != nil {
				w.done <- err
				return
			}
		}
	}()
	return w
}

func (w *writer) finish(t *testing.T) int {
	close(w.stop)
	if err := <-w.done; err != nil {
		t.Fatalf("writer: %v", err)
	}
	return w.inserts
}

// finalBig reads public.big: id → v.
func finalBig(t *testing.T, pg *pgtest.Server) map[int32]int32 {
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), `SELECT id, v FROM public.big`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int32{}
	var id, v int32
	if _, err := pgx.ForEachRow(rows, []any{&id, &v}, func() error { out[id] = v; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// validateBig checks the records of public.big against its final state:
// every row present is emitted, its last record has its final value; a
// deleted row's last record is its delete or tombstone; per key, values
// never go back (a stale chunk row emitted after a newer change would)
// and nothing follows a delete but its tombstone.
//
// With readsAhead (a blocking snapshot), a read may show a value newer
// than the streamed changes that follow it: it reads the table as it is
// when the snapshot runs, and the changes committed between the signal and
// that moment are streamed after it. Streamed changes then keep their
// order among themselves.
func validateBig(t *testing.T, recs []connect.SourceRecord, final map[int32]int32, readsAhead bool) (reads int) {
	t.Helper()
	type state struct {
		v, streamed int32
		deleted     bool
		last        string
	}
	seen := map[int32]*state{}
	for _, r := range recs {
		if r.Topic != bigTopic {
			continue
		}
		id := r.Key.(*schema.Struct).Get("id").(int32)
		st := seen[id]
		if st == nil {
			st = &state{v: -1, streamed: -1}
			seen[id] = st
		}
		o := op(t, r)
		st.last = o
		switch o {
		case "tombstone":
			if !st.deleted {
				t.Fatalf("id %d: tombstone without delete", id)
			}
		case "d":
			st.deleted = true
		default:
			if st.deleted {
				t.Fatalf("id %d: %s after its delete: a deleted row came back", id, o)
			}
			v := after(t, r).Get("v").(int32)
			switch {
			case o == "r" && readsAhead:
				reads++
			case readsAhead:
				if v < st.streamed {
					t.Fatalf("id %d: %s with v=%d after a streamed v=%d: out of order", id, o, v, st.streamed)
				}
				st.streamed = v
			default:
				if v < st.v {
					t.Fatalf("id %d: %s with v=%d after v=%d: out of order", id, o, v, st.v)
				}
				if o == "r" {
					reads++
				}
			}
			st.v = v
		}
	}
	for id, v := range final {
		st := seen[id]
		if st == nil {
			t.Fatalf("id %d (v=%d) present at the end was never emitted", id, v)
		}
		if st.deleted || st.v != v {
			t.Fatalf("id %d: last value %d (deleted %v), final %d", id, st.v, st.deleted, v)
		}
	}
	for id, st := range seen {
		if _, ok := final[id]; !ok && !st.deleted {
			t.Fatalf("id %d was deleted but its last record is %s", id, st.last)
		}
	}
	return reads
}

// TestIncrementalSnapshotAddTable is the "add a table" flow: a running
// connector gets a new table in table.include.list and an execute-snapshot
// signal; a writer updates and deletes the table's rows and inserts into
// another table throughout. Every row present at the end is emitted with
// its final value last, no deleted row comes back from a stale chunk, and
// the other table's changes keep flowing during the snapshot.
func TestIncrementalSnapshotAddTable(t *testing.T) {
	// The add-a-table flow at its full size with the default strategy,
	// and smaller with the other.
	for strategy, rows := range map[string]int{"insert_insert": 50000, "insert_delete": 5000} {
		t.Run(strategy, func(t *testing.T) { testIncrementalSnapshotAddTable(t, strategy, rows) })
	}
}

func testIncrementalSnapshotAddTable(t *testing.T, strategy string, rows int) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, map[string]string{"incremental.snapshot.watermarking.strategy": strategy})
	n := incrementalRows(t, rows)
	addBigTable(t, pg, h, n)

	w := startWriter(t, pg, n)
	pg.Exec(t, signalSQL("ad-hoc-1", "execute-snapshot", `{"data-collections": ["public.big"], "type": "incremental"}`))
	c := &collector{h: h}
	sawRead := false
	otherDuring := 0
	var lags []time.Duration
	c.until("the end of the incremental snapshot", func(r connect.SourceRecord) bool {
		if isRead(t, r) {
			if !sawRead && !has(h.task.Metrics(), "debezium_metrics_SnapshotRunning", debeziumLabels("snapshot"), 1) {
				t.Fatalf("SnapshotRunning is not 1 during the incremental snapshot:\n%s", describeMetrics(h.task.Metrics()))
			}
			sawRead = true
			if !hasIncrementalOffset(r) || r.SourceOffset["snapshot"] != "INCREMENTAL" {
				t.Fatalf("read record offset %v", r.SourceOffset)
			}
			if sourceField(t, r, "snapshot") != "incremental" || sourceField(t, r, "lsn") != nil {
				t.Fatalf("read record source %v", valueStruct(t, r).Get("source"))
			}
			return false
		}
		if sawRead && r.Topic == otherTopic {
			otherDuring++
			// The lag of a live change while the snapshot runs: from its
			// commit (source.ts_ms) to its arrival here.
			if ts, ok := sourceField(t, r, "ts_ms").(int64); ok {
				lags = append(lags, time.Duration(time.Now().UnixMilli()-ts)*time.Millisecond)
			}
		}
		return sawRead && !hasIncrementalOffset(r)
	})
	inserts := w.finish(t)
	pg.Exec(t, `INSERT INTO public.other(v) VALUES (-1)`)
	c.until("the sentinel", func(r connect.SourceRecord) bool {
		return r.Topic == otherTopic && r.Value != nil && after(t, r).Get("v") == int32(-1)
	})

	final := finalBig(t, pg)
	reads := validateBig(t, c.recs, final, false)
	others := 0
	for _, r := range c.recs {
		if r.Topic == otherTopic && r.Value != nil && op(t, r) == "c" {
			others++
		}
	}
	if others != inserts+1 {
		t.Fatalf("%d inserts into other streamed, want %d", others, inserts+1)
	}
	// With 50 chunks the writer's changes of other interleave with the
	// snapshot's windows; a small table may be read before the writer
	// is scheduled at all on a busy machine.
	if otherDuring == 0 && n >= 20000 {
		t.Fatal("no change of public.other streamed while the snapshot ran")
	}
	// The notifications of IncrementalSnapshotNotificationService, with
	// the signal's id.
	ns := notices(t, c.recs)
	var types []string
	for _, n := range ns {
		if n.id != "ad-hoc-1" {
			t.Fatalf("notification %+v: want id ad-hoc-1", n)
		}
		if len(types) == 0 || types[len(types)-1] != n.typ {
			types = append(types, n.typ)
		}
	}
	if want := []string{"STARTED", "IN_PROGRESS", "TABLE_SCAN_COMPLETED", "COMPLETED"}; !slices.Equal(types, want) {
		t.Fatalf("notifications %v, want %v", types, want)
	}
	if done := ns[len(ns)-2]; done.data["status"] != "SUCCEEDED" || done.data["scanned_collection"] != "public.big" || done.data["connector_name"] != "dbserver1" {
		t.Fatalf("table scan notification %+v", done)
	}
	ms := h.task.Metrics()
	if !has(ms, "debezium_metrics_SnapshotCompleted", debeziumLabels("snapshot"), 1) {
		t.Fatalf("SnapshotCompleted is not 1:\n%s", describeMetrics(ms))
	}
	if m := mustSample(t, ms, "debezium_metrics_RowsScanned", debeziumLabels("snapshot", connect.Label{Name: "table", Value: "public.big"})); m.Value < float64(reads) {
		t.Fatalf("RowsScanned %v, fewer than the %d rows emitted", m.Value, reads)
	}
	if len(lags) != otherDuring {
		t.Fatalf("%d changes of other during the snapshot, %d with a source.ts_ms", otherDuring, len(lags))
	}
	slices.Sort(lags)
	lag := "none streamed during it"
	if len(lags) > 0 {
		lag = fmt.Sprintf("median %v, max %v", lags[len(lags)/2], lags[len(lags)-1])
	}
	t.Logf("%d rows, %d read records, %d final rows, %d records of other during the snapshot, their lag: %s",
		n, reads, len(final), otherDuring, lag)
}

// sentinel inserts a row into public.other and polls until it arrives.
func (c *collector) sentinel(t *testing.T, pg *pgtest.Server, v int) {
	t.Helper()
	pg.Exec(t, fmt.Sprintf(`INSERT INTO public.other(v) VALUES (%d)`, v))
	c.until(fmt.Sprintf("sentinel %d", v), func(r connect.SourceRecord) bool {
		return r.Topic == otherTopic && r.Value != nil && after(t, r).Get("v") == int32(v)
	})
}

// readIDs counts the read records of public.big per id, from record from.
func readIDs(t *testing.T, recs []connect.SourceRecord, from int) map[int32]int {
	out := map[int32]int{}
	for _, r := range recs[from:] {
		if isRead(t, r) {
			out[r.Key.(*schema.Struct).Get("id").(int32)]++
		}
	}
	return out
}

// TestIncrementalSnapshotAdditionalConditions: additional-conditions limit
// the rows read, and a surrogate key snapshots a table without primary key.
func TestIncrementalSnapshotAdditionalConditions(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, nil)
	addBigTable(t, pg, h, 1000)
	c := &collector{h: h}
	pg.Exec(t, signalSQL("cond-1", "execute-snapshot",
		`{"data-collections": ["public.big"], "additional-conditions": [{"data-collection": "PUBLIC.BIG", "filter": "id > 100 AND id <= 250"}]}`))
	c.sentinel(t, pg, -1) // the signal is read
	var fromRead int
	c.until("the end of the snapshot", func(r connect.SourceRecord) bool {
		if isRead(t, r) && fromRead == 0 {
			fromRead = len(c.recs)
		}
		return fromRead > 0 && !isRead(t, r) && !hasIncrementalOffset(r)
	})
	got := readIDs(t, c.recs, 0)
	if len(got) != 150 {
		t.Fatalf("%d rows read, want the 150 of the condition", len(got))
	}
	for id, n := range got {
		if id <= 100 || id > 250 || n != 1 {
			t.Fatalf("id %d read %d times", id, n)
		}
	}

	// A table without a primary key is refused, unless a surrogate key
	// names the chunk key.
	pg.Exec(t, `CREATE TABLE public.nopk(id int NOT NULL, v int NOT NULL)`,
		`INSERT INTO public.nopk SELECT g, g FROM generate_series(1, 30) g`)
	h.stop()
	h.config["table.include.list"] = "public.other,public.big,public.nopk"
	h.start()
	pg.Exec(t, signalSQL("nopk-1", "execute-snapshot", `{"data-collections": ["public.nopk"]}`))
	c.sentinel(t, pg, -2)
	pg.Exec(t, signalSQL("nopk-2", "execute-snapshot", `{"data-collections": ["public.nopk"], "surrogate-key": "id"}`))
	c.until("the surrogate key snapshot", func(r connect.SourceRecord) bool {
		return r.Topic == "dbserver1.public.nopk" && r.Value != nil && op(t, r) == "r" && after(t, r).Get("id") == int32(30)
	})
	reads := 0
	for _, r := range c.recs {
		if r.Topic == "dbserver1.public.nopk" && r.Value != nil && op(t, r) == "r" {
			reads++
		}
	}
	if reads != 30 {
		t.Fatalf("%d rows of nopk read, want 30 (the surrogate key snapshot only)", reads)
	}
}

// TestIncrementalSnapshotPauseResumeStop: pause-snapshot stops the reading
// after the chunk in flight, resume-snapshot continues it to the end;
// stop-snapshot ends it and its state leaves the offsets.
func TestIncrementalSnapshotPauseResumeStop(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, map[string]string{"incremental.snapshot.chunk.size": "100"})
	n := 2000
	addBigTable(t, pg, h, n)
	c := &collector{h: h}
	pg.Exec(t, signalSQL("run-1", "execute-snapshot", `{"data-collections": ["public.big"]}`))
	c.until("a first read", func(r connect.SourceRecord) bool { return isRead(t, r) })

	pg.Exec(t, signalSQL("pause-1", "pause-snapshot", ""))
	c.sentinel(t, pg, -1)
	// The chunk written before the pause was seen may still come; after a
	// second sentinel nothing more does.
	c.sentinel(t, pg, -2)
	paused := len(c.recs)
	c.sentinel(t, pg, -3)
	if got := readIDs(t, c.recs, paused); len(got) != 0 {
		t.Fatalf("%d rows read while paused", len(got))
	}
	if r := c.recs[len(c.recs)-1]; !hasIncrementalOffset(r) {
		t.Fatalf("a paused snapshot left the offsets: %v", r.SourceOffset)
	}
	before := len(readIDs(t, c.recs, 0))
	if before == 0 || before >= n {
		t.Fatalf("%d rows read before the pause", before)
	}

	pg.Exec(t, signalSQL("resume-1", "resume-snapshot", ""))
	c.until("more reads", func(r connect.SourceRecord) bool { return isRead(t, r) })
	pg.Exec(t, signalSQL("stop-1", "stop-snapshot", `{"data-collections": ["public.big"], "type": "incremental"}`))
	c.sentinel(t, pg, -4)
	c.sentinel(t, pg, -5)
	stopped := len(c.recs)
	c.sentinel(t, pg, -6)
	if got := readIDs(t, c.recs, stopped); len(got) != 0 {
		t.Fatalf("%d rows read after the stop", len(got))
	}
	if r := c.recs[len(c.recs)-1]; hasIncrementalOffset(r) {
		t.Fatalf("a stopped snapshot is still in the offsets: %v", r.SourceOffset)
	}
	all := readIDs(t, c.recs, 0)
	if len(all) <= before || len(all) >= n {
		t.Fatalf("%d rows read in all, %d before the pause, of %d", len(all), before, n)
	}
}

// TestIncrementalSnapshotResumesAfterRestart: a task stopped in the middle
// of an incremental snapshot resumes, from the committed offset, at the
// chunk after the last row committed: every row is read, and rows read
// twice are bounded by a chunk.
func TestIncrementalSnapshotResumesAfterRestart(t *testing.T) {
	pg := pgtest.Start(t)
	const chunk = 100
	h := incrementalHarness(t, pg, map[string]string{"incremental.snapshot.chunk.size": strconv.Itoa(chunk)})
	n := 2000
	addBigTable(t, pg, h, n)
	c := &collector{h: h}
	pg.Exec(t, signalSQL("restart-1", "execute-snapshot", `{"data-collections": ["public.big"]}`))
	reads := 0
	var committed connect.SourceRecord
	c.hold = true
	c.until("some chunks", func(r connect.SourceRecord) bool {
		if isRead(t, r) {
			reads++
			if reads == 2*chunk+chunk/2 {
				committed = r
			}
		}
		return reads == 3*chunk+chunk/2
	})
	// The runtime committed up to a row in the middle of a chunk only.
	h.commit(committed)
	c.hold = false
	h.stop()
	h.start()
	c.until("the end of the snapshot", func(r connect.SourceRecord) bool {
		return !isRead(t, r) && !hasIncrementalOffset(r) && r.Topic == signalTopic
	})
	got := readIDs(t, c.recs, 0)
	if len(got) != n {
		t.Fatalf("%d rows read, want %d", len(got), n)
	}
	twice := 0
	for _, k := range got {
		twice += k - 1
	}
	if twice < chunk || twice > 2*chunk {
		t.Fatalf("%d rows read again after the restart; want the chunk after the committed row and what was polled of the next", twice)
	}
	t.Logf("%d rows read again after the restart", twice)
}

// TestMalformedSignals: signals with bad JSON, an unknown type or an
// unknown table are logged and skipped; the task keeps streaming and
// carries out the next good signal.
func TestMalformedSignals(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, nil)
	addBigTable(t, pg, h, 50)
	c := &collector{h: h}
	pg.Exec(t,
		signalSQL("bad-1", "execute-snapshot", `{"data-collections": [`),
		signalSQL("bad-2", "frobnicate", `{}`),
		signalSQL("bad-3", "execute-snapshot", `{"data-collections": ["public.nope"]}`),
		signalSQL("bad-4", "execute-snapshot", `{"type": "incremental"}`),
		signalSQL("bad-5", "execute-snapshot", `{"data-collections": ["public.big"], "type": "sideways"}`),
		signalSQL("bad-6", "execute-snapshot", `{"data-collections": ["public.big"], "additional-conditions": [{"data-collection": "public.big", "filter": "no_such_column > 1"}]}`),
		`INSERT INTO public.debezium_signal VALUES ('bad-7', 'execute-snapshot', NULL)`,
	)
	c.sentinel(t, pg, -1)
	if got := readIDs(t, c.recs, 0); len(got) != 0 {
		t.Fatalf("malformed signals read %d rows", len(got))
	}
	statuses := map[string]string{}
	for _, n := range notices(t, c.recs) {
		if n.typ == "TABLE_SCAN_COMPLETED" {
			statuses[n.id+" "+n.data["scanned_collection"]] = n.data["status"]
		}
	}
	if want := map[string]string{"bad-3 public.nope": "UNKNOWN_SCHEMA", "bad-6 public.big": "SQL_EXCEPTION"}; !maps.Equal(statuses, want) {
		t.Fatalf("table scans %v, want %v", statuses, want)
	}
	pg.Exec(t, signalSQL("good-1", "execute-snapshot", `{"data-collections": ["public.big"]}`))
	c.until("the good snapshot's last row", func(r connect.SourceRecord) bool {
		return isRead(t, r) && r.Key.(*schema.Struct).Get("id") == int32(50)
	})
	if got := readIDs(t, c.recs, 0); len(got) != 50 {
		t.Fatalf("%d rows read, want 50", len(got))
	}
}

// TestBlockingSnapshotUnderLoad: a blocking snapshot of a table a writer
// keeps changing pauses streaming, reads the table as an initial snapshot
// would (the additional condition applied), and streaming resumes where it
// paused: nothing is lost, and the last record of every key is its final
// state.
func TestBlockingSnapshotUnderLoad(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, nil)
	n := incrementalRows(t, 5000) / 2
	addBigTable(t, pg, h, n)
	c := &collector{h: h}
	w := startWriter(t, pg, n)
	c.sentinel(t, pg, -1)
	pg.Exec(t, signalSQL("block-1", "execute-snapshot",
		`{"data-collections": ["public.big"], "type": "blocking", "additional-conditions": [{"data-collection": "public.big", "filter": "id % 2 = 0"}]}`))
	first := -1
	c.until("the blocking snapshot's last record", func(r connect.SourceRecord) bool {
		if r.Topic != bigTopic || r.Value == nil || op(t, r) != "r" {
			return false
		}
		if first < 0 {
			first = len(c.recs) - 1
		}
		if r.SourceOffset["snapshot"] != "BLOCKING" {
			t.Fatalf("blocking snapshot record offset %v", r.SourceOffset)
		}
		return sourceField(t, r, "snapshot") == "last"
	})
	if sourceField(t, c.recs[first], "snapshot") != "first" {
		t.Fatalf("first blocking record marked %v", sourceField(t, c.recs[first], "snapshot"))
	}
	inserts := w.finish(t)
	c.sentinel(t, pg, -2)
	var types []string
	for _, n := range notices(t, c.recs) {
		types = append(types, n.typ)
	}
	if want := []string{"STARTED", "COMPLETED"}; !slices.Equal(types, want) {
		t.Fatalf("blocking snapshot notifications %v, want %v", types, want)
	}

	// Every even row present when the snapshot read is read once; odd rows
	// only stream.
	got := readIDs(t, c.recs, 0)
	for id, k := range got {
		if id%2 != 0 || k != 1 {
			t.Fatalf("id %d read %d times", id, k)
		}
	}
	// The changes before the snapshot were streamed in full: all but the
	// rows the writer touched are final as read or as streamed.
	final := finalBig(t, pg)
	initial := map[int32]int32{}
	for id, v := range final {
		initial[id] = v
	}
	// Rows never streamed nor read (odd, untouched) are not in the records:
	// compare only the keys that have records.
	keys := map[int32]bool{}
	for _, r := range c.recs {
		if r.Topic == bigTopic {
			keys[r.Key.(*schema.Struct).Get("id").(int32)] = true
		}
	}
	for id := range initial {
		if !keys[id] {
			if id%2 == 0 {
				t.Fatalf("even id %d present at the end was never emitted", id)
			}
			delete(initial, id)
		}
	}
	validateBig(t, c.recs, initial, true)
	others := 0
	for _, r := range c.recs {
		if r.Topic == otherTopic && r.Value != nil && op(t, r) == "c" {
			others++
		}
	}
	if others != inserts+2 {
		t.Fatalf("%d inserts into other streamed, want %d", others, inserts+2)
	}
	t.Logf("%d rows, %d read by the blocking snapshot", n, len(got))
}

// TestIncrementalSnapshotSchemaChange: a column added to a table during its
// incremental snapshot appears in the rows of the chunks read after it;
// the snapshot goes on to the end.
func TestIncrementalSnapshotSchemaChange(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, map[string]string{"incremental.snapshot.chunk.size": "100"})
	n := 1000
	addBigTable(t, pg, h, n)
	c := &collector{h: h}
	pg.Exec(t, signalSQL("ddl-1", "execute-snapshot", `{"data-collections": ["public.big"]}`))
	c.until("a first read", func(r connect.SourceRecord) bool { return isRead(t, r) })
	pg.Exec(t, `ALTER TABLE public.big ADD COLUMN extra int NOT NULL DEFAULT 7`, `UPDATE public.big SET v = 1 WHERE id = 1`)
	var last connect.SourceRecord
	c.until("the last row", func(r connect.SourceRecord) bool {
		if isRead(t, r) {
			last = r
		}
		return isRead(t, r) && r.Key.(*schema.Struct).Get("id") == int32(n)
	})
	if got := readIDs(t, c.recs, 0); len(got) != n {
		t.Fatalf("%d rows read, want %d", len(got), n)
	}
	if v := after(t, last).Get("extra"); v != int32(7) {
		t.Fatalf("the last row read has extra=%v, want 7: %v", v, after(t, last))
	}
}

// storeSnapshotOffset stores, over the task's last committed offset, an
// incremental snapshot of public.big as Debezium writes one: last row sent
// and maximum key Java-serialized. It returns the stored maximum key.
func storeSnapshotOffset(t *testing.T, h *harness, last, maximum []any, correlation string) string {
	t.Helper()
	lastHex, err := javaser.Encode(last)
	if err != nil {
		t.Fatal(err)
	}
	maxHex, err := javaser.Encode(maximum)
	if err != nil {
		t.Fatal(err)
	}
	off := maps.Clone(h.committed[len(h.committed)-1])
	off["incremental_snapshot_collections"] = `[{"incremental_snapshot_collections_id":"public.big","incremental_snapshot_collections_additional_condition":null,"incremental_snapshot_collections_surrogate_key":null}]`
	off["incremental_snapshot_primary_key"] = lastHex
	off["incremental_snapshot_maximum_key"] = maxHex
	off["incremental_snapshot_correlation_id"] = correlation
	h.store.store(t, map[string]any{"server": "dbserver1"}, off)
	return maxHex
}

// TestIncrementalSnapshotResumesFromDebeziumOffset is a cut-over in the
// middle of an incremental snapshot: the stored offset is one Debezium
// wrote (its incremental_snapshot_* keys, the keys Java-serialized), and
// the task goes on at the chunk after the last row Debezium sent, up to
// the maximum key Debezium recorded.
func TestIncrementalSnapshotResumesFromDebeziumOffset(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, map[string]string{"incremental.snapshot.chunk.size": "300"})
	addBigTable(t, pg, h, 1200)
	c := &collector{h: h}
	c.sentinel(t, pg, -1)
	h.stop()

	maxKey := storeSnapshotOffset(t, h, []any{int32(250)}, []any{int32(1000)}, "debezium-1")

	h.start()
	from := len(c.recs)
	c.until("the end of the snapshot", func(r connect.SourceRecord) bool {
		return !isRead(t, r) && !hasIncrementalOffset(r) && r.Topic == signalTopic
	})
	got := readIDs(t, c.recs, from)
	if len(got) != 750 {
		t.Fatalf("%d rows read, want 251..1000", len(got))
	}
	for id, k := range got {
		if id <= 250 || id > 1000 || k != 1 {
			t.Fatalf("id %d read %d times", id, k)
		}
	}
	for _, r := range c.recs[from:] {
		if isRead(t, r) {
			pk, _ := r.SourceOffset["incremental_snapshot_primary_key"].(string)
			key, err := javaser.Decode(pk)
			if err != nil || len(key) != 1 || key[0] != r.Key.(*schema.Struct).Get("id") {
				t.Fatalf("read record of %v has incremental_snapshot_primary_key %q (%v, %v)", keyOf(r), pk, key, err)
			}
			if r.SourceOffset["incremental_snapshot_maximum_key"] != maxKey || r.SourceOffset["incremental_snapshot_correlation_id"] != "debezium-1" {
				t.Fatalf("read record offset %v", r.SourceOffset)
			}
		}
	}
}

// TestIncrementalSnapshotStoredKeyOfAnotherShape: stored chunk keys with
// more values than the table's key has columns (the key changed since the
// snapshot began) start the table's snapshot over instead of failing the
// worker; every row is read.
func TestIncrementalSnapshotStoredKeyOfAnotherShape(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, map[string]string{"incremental.snapshot.chunk.size": "300"})
	addBigTable(t, pg, h, 700)
	c := &collector{h: h}
	c.sentinel(t, pg, -1)
	h.stop()

	storeSnapshotOffset(t, h, []any{int32(250), "x"}, []any{int32(1000), "y"}, "reshaped-1")

	h.start()
	from := len(c.recs)
	c.until("the end of the snapshot", func(r connect.SourceRecord) bool {
		return !isRead(t, r) && !hasIncrementalOffset(r) && r.Topic == signalTopic
	})
	got := readIDs(t, c.recs, from)
	if len(got) != 700 {
		t.Fatalf("%d rows read, want all 700", len(got))
	}
}

// TestIncrementalSnapshotFromFileChannel: an execute-snapshot signal
// written to signal.file starts an incremental snapshot as one inserted
// into the signal table does.
func TestIncrementalSnapshotFromFileChannel(t *testing.T) {
	pg := pgtest.Start(t)
	file := t.TempDir() + "/signals.txt"
	h := incrementalHarness(t, pg, map[string]string{
		"signal.enabled.channels": "source,file", "signal.file": file, "signal.poll.interval.ms": "50",
	})
	addBigTable(t, pg, h, 120)
	c := &collector{h: h}
	line := `{"id":"file-1","type":"execute-snapshot","data":{"data-collections":["public.big"],"type":"incremental"}}` + "\n"
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	c.until("the last row", func(r connect.SourceRecord) bool {
		return isRead(t, r) && r.Key.(*schema.Struct).Get("id") == int32(120)
	})
	if got := readIDs(t, c.recs, 0); len(got) != 120 {
		t.Fatalf("%d rows read, want 120", len(got))
	}
	if ns := notices(t, c.recs); len(ns) == 0 || ns[0].id != "file-1" || ns[0].typ != "STARTED" {
		t.Fatalf("notifications %+v", ns)
	}
}

// TestBlockingSnapshotRerunsAfterRestart: a task stopped before a blocking
// snapshot's last record was committed runs the snapshot again from the
// signal when it restarts.
func TestBlockingSnapshotRerunsAfterRestart(t *testing.T) {
	pg := pgtest.Start(t)
	h := incrementalHarness(t, pg, map[string]string{"max.queue.size": "1001"})
	n := 3000
	addBigTable(t, pg, h, n)
	c := &collector{h: h}
	c.sentinel(t, pg, -1)
	pg.Exec(t, signalSQL("block-r", "execute-snapshot", `{"data-collections": ["public.big"], "type": "blocking"}`))
	reads := 0
	var committed connect.SourceRecord
	c.hold = true
	c.until("part of the blocking snapshot", func(r connect.SourceRecord) bool {
		if isRead(t, r) {
			reads++
			if reads == 400 {
				committed = r
			}
		}
		return reads == 500
	})
	h.commit(committed)
	c.hold = false
	h.stop()
	h.start()
	from := len(c.recs)
	c.until("the blocking snapshot's last record", func(r connect.SourceRecord) bool {
		return isRead(t, r) && sourceField(t, r, "snapshot") == "last"
	})
	if got := readIDs(t, c.recs, from); len(got) != n {
		t.Fatalf("%d rows read after the restart, want all %d", len(got), n)
	}
	c.sentinel(t, pg, -2)
	for id, k := range readIDs(t, c.recs, from) {
		if k != 1 {
			t.Fatalf("id %d read %d times after the restart: the snapshot ran more than once", id, k)
		}
	}
}
