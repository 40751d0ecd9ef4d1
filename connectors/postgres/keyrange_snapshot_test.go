package postgres_test

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// logCapture is a slog handler keeping every record's message and
// attributes.
type logCapture struct {
	mu   sync.Mutex
	recs []map[string]any
}

func (c *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *logCapture) WithGroup(string) slog.Handler            { return c }
func (c *logCapture) Handle(_ context.Context, r slog.Record) error {
	m := map[string]any{"msg": r.Message}
	r.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.Any()
		return true
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, m)
	return nil
}

// splits returns the number of key ranges each split table was read in.
func (c *logCapture) splits() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int64{}
	for _, m := range c.recs {
		if m["msg"] == "table split into key ranges read in parallel" {
			out[m["table"].(string)] = m["ranges"].(int64)
		}
	}
	return out
}

// keyRangeDDL: a table with one column of most types (integer key), one
// with a composite key, one with a text key whose values need quoting and
// sort by collation, and one without a primary key.
var keyRangeDDL = []string{
	`CREATE TABLE public.kr_wide(id int PRIMARY KEY, c_bool bool, c_int2 smallint, c_int8 bigint, c_real real,
		c_float8 float8, c_num numeric, c_dec numeric(10,2), c_text text, c_varchar varchar(20), c_bytea bytea,
		c_json json, c_jsonb jsonb, c_uuid uuid, c_date date, c_time time, c_ts timestamp, c_tstz timestamptz,
		c_interval interval, c_int_arr int[], c_text_arr text[], c_inet inet)`,
	`INSERT INTO public.kr_wide SELECT i, i % 2 = 0, (i % 300)::smallint, i::bigint * 100000007, i / 7.0, i / 3.0,
		i * 1.000001, (i % 1000) / 3.0, E'row\t' || i || E'\n\\x', 'v' || i, ('\x' || lpad(to_hex(i), 8, '0'))::bytea,
		json_build_object('i', i), jsonb_build_object('t', 'a"b', 'i', i), md5(i::text)::uuid,
		DATE '2020-01-01' + i, TIME '00:00' + i * INTERVAL '1 second', TIMESTAMP '2020-01-01' + i * INTERVAL '1 minute',
		TIMESTAMPTZ '2020-01-01 00:00+00' + i * INTERVAL '1 hour', i * INTERVAL '1 day 1 second',
		ARRAY[i, i + 1], ARRAY['a' || i, NULL], ('10.0.' || (i % 250) || '.1')::inet
		FROM generate_series(1, 1200) i`,
	`UPDATE public.kr_wide SET c_text = NULL, c_json = NULL, c_tstz = NULL, c_int_arr = NULL WHERE id % 7 = 0`,
	`CREATE TABLE public.kr_comp(a int, b text, v text, PRIMARY KEY (b, a))`,
	`INSERT INTO public.kr_comp SELECT i % 5, 'k' || (i % 97), 'v' || i FROM generate_series(1, 485) i`,
	`CREATE TABLE public.kr_text(k text PRIMARY KEY, n int)`,
	`INSERT INTO public.kr_text SELECT (ARRAY['', 'Ä ', 'it''s ', 'back\slash ', E'tab\t', 'Zed ', 'zed ', '日本 '])[i % 8 + 1] || i, i
		FROM generate_series(1, 800) i`,
	`CREATE TABLE public.kr_nopk(n int, v text)`,
	`INSERT INTO public.kr_nopk SELECT i, 'v' || i FROM generate_series(1, 30) i`,
}

// TestKeyRangeSnapshotMatchesSingleReader snapshots the same tables once
// with one reader and once with four, every table with a primary key split
// into four key ranges: each row arrives exactly once with Debezium's
// marks, each range in key order, and every key and value is identical to
// the single reader's.
func TestKeyRangeSnapshotMatchesSingleReader(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, keyRangeDDL...)
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// Position of every key in the table's key order, by the text of the
	// record key.
	keyRank := map[string]map[string]int{}
	count := map[string]int{}
	for tb, order := range map[string]string{"kr_wide": "id", "kr_comp": "b, a", "kr_text": "k", "kr_nopk": "n"} {
		rows, err := conn.Query(t.Context(), "SELECT row_number() OVER (ORDER BY "+order+"), "+keyText(tb)+
			" FROM public."+tb+" ORDER BY "+order)
		if err != nil {
			t.Fatal(err)
		}
		keyRank[tb] = map[string]int{}
		var n int
		var k string
		if _, err := pgx.ForEachRow(rows, []any{&n, &k}, func() error {
			keyRank[tb][k] = n
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		count[tb] = len(keyRank[tb])
	}
	total := 0
	for _, n := range count {
		total += n
	}

	snapshot := func(threads string) ([]connect.SourceRecord, *logCapture) {
		logs := &logCapture{}
		h := newHarness(t, pg, map[string]string{
			"snapshot.max.threads": threads, "slot.name": "kr_" + threads, "publication.name": "kr_" + threads,
			"table.include.list": "public.kr_.*",
		})
		h.store.log = slog.New(logs)
		h.start()
		snap := h.poll(total)
		h.stop()
		return snap, logs
	}
	postgres.SplitSnapshotTablesFrom(t, 0)
	one, _ := snapshot("1")
	four, logs := snapshot("4")

	if got, want := logs.splits(), map[string]int64{"public.kr_wide": 4, "public.kr_comp": 4, "public.kr_text": 4}; !reflect.DeepEqual(got, want) {
		t.Fatalf("tables split %v, want %v", got, want)
	}
	rank := func(r connect.SourceRecord) int {
		tb := tableOf(t, r)
		k, ok := keyRank[tb][recordKeyText(t, tb, r)]
		if !ok {
			t.Fatalf("%s: record key %s is not a key of the table", tb, recordKeyText(t, tb, r))
		}
		return k
	}
	checkSnapshotMarks(t, one, "kr_comp", "kr_wide", 1, func(connect.SourceRecord) int { return 0 })
	checkSnapshotMarks(t, four, "kr_comp", "kr_wide", 4, rank)

	byKey := func(recs []connect.SourceRecord) map[string]connect.SourceRecord {
		out := map[string]connect.SourceRecord{}
		for _, r := range recs {
			tb := tableOf(t, r)
			k := tb + "/" + recordKeyText(t, tb, r)
			if _, dup := out[k]; dup {
				t.Fatalf("%s delivered twice", k)
			}
			out[k] = r
		}
		return out
	}
	a, b := byKey(one), byKey(four)
	if len(a) != total || len(b) != total {
		t.Fatalf("%d and %d distinct rows, want %d", len(a), len(b), total)
	}
	for k, ra := range a {
		rb, ok := b[k]
		if !ok {
			t.Fatalf("%s read by one reader only", k)
		}
		if !reflect.DeepEqual(ra.Key, rb.Key) || !reflect.DeepEqual(after(t, ra), after(t, rb)) || ra.Topic != rb.Topic {
			t.Fatalf("%s differs:\none reader:  %v %v\nfour readers: %v %v", k, keyOf(ra), after(t, ra).Values, keyOf(rb), after(t, rb).Values)
		}
	}
}

// keyText is the SQL text of a kr table's row identity, as recordKeyText
// writes it from a record.
func keyText(tb string) string {
	switch tb {
	case "kr_wide":
		return "id::text"
	case "kr_comp":
		return "b || '/' || a"
	case "kr_text":
		return "k"
	}
	return "n::text"
}

func recordKeyText(t *testing.T, tb string, r connect.SourceRecord) string {
	t.Helper()
	switch tb {
	case "kr_wide":
		return fmt.Sprint(after(t, r).Get("id"))
	case "kr_comp":
		return fmt.Sprintf("%v/%v", after(t, r).Get("b"), after(t, r).Get("a"))
	case "kr_text":
		return after(t, r).Get("k").(string)
	}
	return fmt.Sprint(after(t, r).Get("n"))
}

// TestIncompleteKeyRangeSnapshotIsRedone stops a task in the middle of a
// snapshot whose table is read as key ranges, with an offset of that
// snapshot committed: the restarted task snapshots again, every row once,
// and then streams.
func TestIncompleteKeyRangeSnapshotIsRedone(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.kr(id int PRIMARY KEY, v text)`,
		`INSERT INTO public.kr SELECT i, 'v' || i FROM generate_series(1, 600) i`)
	postgres.SplitSnapshotTablesFrom(t, 0)
	h := newHarness(t, pg, map[string]string{"snapshot.max.threads": "3", "max.queue.size": "64", "max.batch.size": "16"})
	h.start()
	n := 0
	part := h.pollUntil(func(connect.SourceRecord) bool { n++; return n == 100 })
	if done, _ := part[99].SourceOffset["snapshot_completed"].(bool); done || part[99].SourceOffset["snapshot"] != "INITIAL" {
		t.Fatalf("offset in the middle of the snapshot: %v", part[99].SourceOffset)
	}
	h.commit(part[99])
	h.stop()

	h.start()
	snap := h.pollUntil(func(r connect.SourceRecord) bool { return r.SourceOffset["snapshot_completed"] == true })
	if len(snap) != 600 {
		t.Fatalf("the snapshot again read %d rows, want 600", len(snap))
	}
	checkSnapshotMarks(t, snap, "kr", "kr", 3, idRank)
	seen := map[int32]bool{}
	for _, r := range snap {
		if seen[idOf(r)] {
			t.Fatalf("id %d read twice", idOf(r))
		}
		seen[idOf(r)] = true
	}
	pg.Exec(t, `INSERT INTO public.kr VALUES (601, 'after')`)
	if r := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" }); len(r) != 1 || idOf(r[0]) != 601 {
		t.Fatalf("expected only the insert, got:\n%s", describe(r))
	}
}
