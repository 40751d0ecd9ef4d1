package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// snapTables are the tables of the parallel snapshot tests, in snapshot
// order, with the rows each starts with; p3 starts empty.
var snapTables = []struct {
	name string
	rows int
}{{"p1", 120}, {"p2", 40}, {"p3", 0}, {"p4", 1}, {"p5", 200}}

func createSnapTables(t *testing.T, pg *pgtest.Server) {
	t.Helper()
	var stmts []string
	for _, tb := range snapTables {
		stmts = append(stmts,
			fmt.Sprintf(`CREATE TABLE public.%s(id SERIAL PRIMARY KEY, v TEXT)`, tb.name),
			fmt.Sprintf(`INSERT INTO public.%s(v) SELECT 'v' || i FROM generate_series(1, %d) i`, tb.name, tb.rows))
	}
	pg.Exec(t, stmts...)
}

func tableOf(t *testing.T, r connect.SourceRecord) string {
	t.Helper()
	return sourceField(t, r, "table").(string)
}

func idOf(r connect.SourceRecord) int32 { return keyOf(r).([]any)[0].(int32) }

// idRank orders the records of the p tables by their id.
func idRank(r connect.SourceRecord) int { return int(idOf(r)) }

// checkSnapshotMarks checks the records of one snapshot (in queue order)
// against Debezium's marks: "first" on the first row of the first
// non-empty-first table, first/last_in_data_collection around every other
// table, "last" on the final record, which alone completes the snapshot;
// and the rows of each table in at most ranges runs of increasing key
// (rank gives a record's position in key order): a table split into key
// ranges is read range by range in parallel, each range in key order.
func checkSnapshotMarks(t *testing.T, snap []connect.SourceRecord, firstTable, lastTable string, ranges int,
	rank func(connect.SourceRecord) int) {
	t.Helper()
	byTable := map[string][]connect.SourceRecord{}
	var order []string
	for i, r := range snap {
		if op(t, r) != "r" {
			t.Fatalf("record %d is not a snapshot read:\n%s", i, describe(snap))
		}
		tb := tableOf(t, r)
		if byTable[tb] == nil {
			order = append(order, tb)
		}
		byTable[tb] = append(byTable[tb], r)
		completed, _ := r.SourceOffset["snapshot_completed"].(bool)
		if completed != (i == len(snap)-1) {
			t.Fatalf("record %d of %d has snapshot_completed=%v", i, len(snap), completed)
		}
	}
	if got := sourceField(t, snap[0], "snapshot"); got != "first" || tableOf(t, snap[0]) != firstTable {
		t.Fatalf("first record is %v of %s, want first of %s", got, tableOf(t, snap[0]), firstTable)
	}
	end := snap[len(snap)-1]
	if got := sourceField(t, end, "snapshot"); got != "last" || tableOf(t, end) != lastTable {
		t.Fatalf("final record is %v of %s, want last of %s", got, tableOf(t, end), lastTable)
	}
	for _, tb := range order {
		recs := byTable[tb]
		for i, r := range recs {
			want := "true"
			switch {
			case r.SourceOffset["snapshot_completed"] == true:
				want = "last"
			case tb == firstTable && i == 0:
				want = "first"
			case i == len(recs)-1:
				want = "last_in_data_collection"
			case i == 0:
				want = "first_in_data_collection"
			}
			if got := sourceField(t, r, "snapshot"); got != want {
				t.Fatalf("%s row %d of %d (key %v): snapshot=%v, want %s", tb, i, len(recs), keyOf(r), got, want)
			}
		}
		if runs := keyRuns(recs, rank); runs > ranges {
			t.Fatalf("%s: rows in %d runs of increasing key, want at most %d", tb, runs, ranges)
		}
	}
}

// keyRuns is the fewest key intervals recs splits into such that the
// records of each interval are in key order: one plus the number of keys
// queued before the key just below them.
func keyRuns(recs []connect.SourceRecord, rank func(connect.SourceRecord) int) int {
	pos := make(map[int]int, len(recs))
	ranks := make([]int, 0, len(recs))
	for i, r := range recs {
		k := rank(r)
		pos[k] = i
		ranks = append(ranks, k)
	}
	slices.Sort(ranks)
	runs := 1
	for i := 1; i < len(ranks); i++ {
		if pos[ranks[i]] < pos[ranks[i-1]] {
			runs++
		}
	}
	return runs
}

// TestParallelSnapshotWithConcurrentWriter snapshots five tables with three
// readers while a writer keeps inserting into all of them: every row
// arrives exactly once, either read by the snapshot or streamed, rows of a
// table keep their order, and the marks are Debezium's.
func TestParallelSnapshotWithConcurrentWriter(t *testing.T) {
	pg := pgtest.Start(t)
	createSnapTables(t, pg)

	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(context.Background())
	// One row per transaction, round robin over the tables, until
	// streaming has delivered a row: the writes overlap the slot's
	// creation, every reader's snapshot import and the hand-off.
	started, stop := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			select {
			case <-started:
			default:
				close(started)
			}
		}()
		for i := 1; ; i++ {
			if i == 50 {
				close(started)
			}
			select {
			case <-stop:
				return
			default:
			}
			tb := snapTables[i%len(snapTables)].name
			if _, err := conn.Exec(context.Background(), `INSERT INTO public.`+tb+`(v) VALUES ('w')`); err != nil {
				writeErr = err
				return
			}
		}
	}()
	<-started
	postgres.SplitSnapshotTablesFrom(t, 0)
	h := newHarness(t, pg, map[string]string{"snapshot.max.threads": "3"})
	h.start()
	got := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" })
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writing: %v", writeErr)
	}
	pg.Exec(t, `INSERT INTO public.p1(v) VALUES ('sentinel')`)
	got = append(got, h.pollUntil(func(r connect.SourceRecord) bool {
		a := after(t, r)
		return a != nil && a.Get("v") == "sentinel"
	})...)

	nSnap := 0
	for nSnap < len(got) && op(t, got[nSnap]) == "r" {
		nSnap++
	}
	checkSnapshotMarks(t, got[:nSnap], "p1", "p5", 3, idRank)
	for _, r := range got[nSnap:] {
		if op(t, r) == "r" {
			t.Fatalf("a snapshot read after streaming began:\n%s", describe(got))
		}
	}

	// Exactly once per table, without gap up to the highest id delivered.
	seen := map[string]map[int32]string{}
	snapshotted, streamed := 0, 0
	for _, r := range got {
		tb, id := tableOf(t, r), idOf(r)
		if seen[tb] == nil {
			seen[tb] = map[int32]string{}
		}
		if prev, dup := seen[tb][id]; dup {
			t.Fatalf("%s id %d delivered twice (%s, then %s)", tb, id, prev, op(t, r))
		}
		seen[tb][id] = op(t, r)
		if op(t, r) == "r" {
			snapshotted++
		} else {
			streamed++
		}
	}
	for _, tb := range snapTables {
		var n int32
		if err := conn.QueryRow(t.Context(), `SELECT COALESCE(max(id), 0) FROM public.`+tb.name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		for id := int32(1); id <= n; id++ {
			if _, ok := seen[tb.name][id]; !ok {
				t.Fatalf("%s id %d never delivered", tb.name, id)
			}
		}
		if int32(len(seen[tb.name])) != n {
			t.Fatalf("%s: %d ids delivered, table has %d", tb.name, len(seen[tb.name]), n)
		}
	}
	if streamed == 0 || snapshotted <= 361 {
		t.Fatalf("%d snapshotted, %d streamed: the writes did not span the hand-off", snapshotted, streamed)
	}
	t.Logf("%d rows snapshotted, %d streamed", snapshotted, streamed)
}

// TestParallelSnapshotOnOwnExportedSnapshot: snapshot.mode=always on an
// existing slot has no slot-exported snapshot; the readers still share one
// (pg_export_snapshot), so every row is read exactly once.
func TestParallelSnapshotOnOwnExportedSnapshot(t *testing.T) {
	pg := pgtest.Start(t)
	createSnapTables(t, pg)
	postgres.SplitSnapshotTablesFrom(t, 0)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "always", "snapshot.max.threads": "4"})
	h.start()
	total := 0
	for _, tb := range snapTables {
		total += tb.rows
	}
	first := h.poll(total)
	checkSnapshotMarks(t, first, "p1", "p5", 4, idRank)
	h.commit(first[len(first)-1])
	h.stop()

	pg.Exec(t, `INSERT INTO public.p3(v) VALUES ('new')`, `DELETE FROM public.p2 WHERE id <= 10`)
	h.start()
	again := h.pollUntil(func(r connect.SourceRecord) bool { return r.SourceOffset["snapshot_completed"] == true })
	want := total + 1 - 10
	snap := again[:0:0]
	for _, r := range again {
		if op(t, r) == "r" {
			snap = append(snap, r)
		}
	}
	if len(snap) != want {
		t.Fatalf("second snapshot read %d rows, want %d:\n%s", len(snap), want, describe(snap))
	}
	checkSnapshotMarks(t, snap, "p1", "p5", 4, idRank)
	seen := map[string]bool{}
	for _, r := range snap {
		k := fmt.Sprintf("%s/%d", tableOf(t, r), idOf(r))
		if seen[k] {
			t.Fatalf("%s read twice", k)
		}
		seen[k] = true
	}
	if !seen["p3/1"] || seen["p2/10"] || !seen["p2/11"] {
		t.Fatalf("second snapshot does not show the table state: %v", seen)
	}
}

// TestSnapshotSelectOverrides: an override's WHERE clause and column choice
// are applied to its table only.
func TestSnapshotSelectOverrides(t *testing.T) {
	pg := pgtest.Start(t)
	createSnapTables(t, pg)
	postgres.SplitSnapshotTablesFrom(t, 0)
	h := newHarness(t, pg, map[string]string{
		"table.include.list":                                "public.p1,public.p2,public.p5",
		"snapshot.max.threads":                              "2",
		"snapshot.select.statement.overrides":               "public.p1, public.p2",
		"snapshot.select.statement.overrides.public.p1":     "SELECT * FROM public.p1 WHERE id % 2 = 0;",
		"snapshot.select.statement.overrides.public.p2":     "SELECT v, id FROM public.p2 WHERE id > 30",
		"snapshot.select.statement.overrides.public.other":  "SELECT 1",
		"snapshot.select.statement.overrides.public.p5.bad": "ignored: not listed",
	})
	h.start()
	snap := h.poll(60 + 10 + 200)
	checkSnapshotMarks(t, snap, "p1", "p5", 2, idRank)
	counts := map[string]int{}
	for _, r := range snap {
		tb, id := tableOf(t, r), idOf(r)
		counts[tb]++
		switch {
		case tb == "p1" && id%2 != 0:
			t.Fatalf("p1 id %d read despite the override's WHERE", id)
		case tb == "p2" && (id <= 30 || after(t, r).Get("v") != fmt.Sprintf("v%d", id)):
			t.Fatalf("p2 row %v does not match the override", after(t, r).Values)
		}
	}
	if counts["p1"] != 60 || counts["p2"] != 10 || counts["p5"] != 200 {
		t.Fatalf("rows per table %v", counts)
	}
	// The overrides only shape the snapshot: changes stream unfiltered.
	pg.Exec(t, `INSERT INTO public.p1(v) VALUES ('odd')`)
	if r := h.poll(1)[0]; op(t, r) != "c" || idOf(r) != 121 {
		t.Fatalf("streamed:\n%s", describe([]connect.SourceRecord{r}))
	}
}

// TestSnapshotSelectOverrideMissingStatement: a table listed without its
// statement is a configuration error naming the missing property.
func TestSnapshotSelectOverrideMissingStatement(t *testing.T) {
	base := map[string]string{"topic.prefix": "p", "database.hostname": "h",
		"snapshot.select.statement.overrides":           "public.a,public.b",
		"snapshot.select.statement.overrides.public.a":  "SELECT * FROM public.a",
		"snapshot.select.statement.overrides.public.bb": "SELECT * FROM public.b"}
	_, errs := postgres.ParseConfig(base)
	if len(errs) != 1 || errs[0].Name != "snapshot.select.statement.overrides.public.b" ||
		!strings.Contains(errs[0].Message, "snapshot.select.statement.overrides.public.b") {
		t.Fatalf("errors %+v, want one naming snapshot.select.statement.overrides.public.b", errs)
	}
	errs = postgres.New().Validate(t.Context(), base)
	if len(errs) != 1 || errs[0].Name != "snapshot.select.statement.overrides.public.b" {
		t.Fatalf("Validate: %+v", errs)
	}
	for _, bad := range []map[string]string{
		{"snapshot.max.threads": "0"},
		{"snapshot.include.collection.list": "public.(x"},
	} {
		c := map[string]string{"topic.prefix": "p", "database.hostname": "h"}
		for k, v := range bad {
			c[k] = v
		}
		_, errs := postgres.ParseConfig(c)
		for k := range bad {
			if len(errs) != 1 || errs[0].Name != k {
				t.Fatalf("%v: errors %+v", bad, errs)
			}
		}
	}
}

// TestSnapshotIncludeCollectionList: only matching captured tables are
// snapshotted, and the others are still streamed.
func TestSnapshotIncludeCollectionList(t *testing.T) {
	pg := pgtest.Start(t)
	createSnapTables(t, pg)
	h := newHarness(t, pg, map[string]string{
		"snapshot.include.collection.list": `public\.p2,public.p[4-9]`,
		"snapshot.max.threads":             "2",
	})
	h.start()
	snap := h.poll(40 + 1 + 200)
	checkSnapshotMarks(t, snap, "p2", "p5", 1, idRank)
	pg.Exec(t, `INSERT INTO public.p1(v) VALUES ('x')`, `INSERT INTO public.p3(v) VALUES ('y')`)
	streamed := h.poll(2)
	if op(t, streamed[0]) != "c" || tableOf(t, streamed[0]) != "p1" || op(t, streamed[1]) != "c" || tableOf(t, streamed[1]) != "p3" {
		t.Fatalf("streamed:\n%s", describe(streamed))
	}
}
