package postgres

import (
	"context"
	"log/slog"
	"reflect"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// readTask is a task connected to pg with its captured tables planned and a
// record queue that a goroutine drains, counting records: the snapshot's
// read side in isolation from the runtime and Kafka.
type readTask struct {
	*Task
	mu      sync.Mutex
	records []connect.SourceRecord
	keep    bool
	count   int
	stop    chan struct{}
	drained chan struct{}
}

func newReadTask(tb testing.TB, pg *pgtest.Server, extra map[string]string, keep bool) *readTask {
	tb.Helper()
	props := map[string]string{
		"topic.prefix": "dbserver1", "database.hostname": pg.Host(), "database.port": strconv.Itoa(pg.Port()),
		"database.user": "postgres", "database.dbname": "postgres",
	}
	for k, v := range extra {
		props[k] = v
	}
	cfg, errs := ParseConfig(props)
	if len(errs) > 0 {
		tb.Fatalf("config: %v", errs)
	}
	t := NewTask()
	t.cfg = cfg
	t.log = slog.New(slog.DiscardHandler)
	t.partition = map[string]any{partitionKey: cfg.TopicPrefix}
	if err := t.connect(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(t.closeConns)
	tables, err := listTables(tb.Context(), t.conn, cfg.Filter)
	if err != nil {
		tb.Fatal(err)
	}
	t.plan.tables = tables
	t.records = newRecordQueue(cfg.MaxQueueSize)
	t.queued = queueBytes{limit: cfg.MaxQueueBytes, freed: make(chan struct{}, 1)}
	rt := &readTask{Task: t, keep: keep, stop: make(chan struct{}), drained: make(chan struct{})}
	go func() {
		defer close(rt.drained)
		for {
			select {
			case <-t.records.ready:
				for r, ok := t.records.pop(); ok; r, ok = t.records.pop() {
					rt.mu.Lock()
					rt.count++
					if keep {
						rt.records = append(rt.records, r.rec)
					}
					rt.mu.Unlock()
					t.queued.release(r.size)
				}
			case <-rt.stop:
				return
			}
		}
	}()
	tb.Cleanup(rt.close)
	return rt
}

func (rt *readTask) close() {
	select {
	case <-rt.stop:
	default:
		close(rt.stop)
	}
	<-rt.drained
}

// readAll runs the snapshot's read side with read on one connection, in a
// REPEATABLE READ transaction, and returns the decoded rows by table.
func readAll(t *testing.T, rt *readTask, read tableReader) map[string][][]any {
	t.Helper()
	ctx := t.Context()
	tx, err := rt.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	jobs, err := rt.snapshotJobs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]any{}
	for _, job := range jobs {
		err := read(ctx, rt.conn.PgConn(), job, job.stmt, rt.cfg.SnapshotFetchSize, func(row []any) error {
			out[job.ct.Name] = append(out[job.ct.Name], row)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", job.ct.Name, err)
		}
	}
	return out
}

// wideCopyDDL has one column per type the type tests cover, plus text and
// bytea values that exercise every escape of COPY's text format.
const wideCopyDDL = `CREATE EXTENSION hstore; CREATE EXTENSION citext; CREATE EXTENSION ltree;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE public.wide(
	id int PRIMARY KEY,
	c_bool bool, c_int2 smallint, c_int8 bigint, c_real real, c_float8 float8,
	c_num numeric, c_dec numeric(10,2), c_money money,
	c_bit1 bit(1), c_bits bit(10), c_varbit varbit(16),
	c_char char(3), c_varchar varchar(20), c_text text, c_citext citext, c_name name,
	c_bytea bytea, c_json json, c_jsonb jsonb, c_xml xml, c_uuid uuid,
	c_mood mood, c_hstore hstore, c_inet inet, c_cidr cidr, c_macaddr macaddr,
	c_int4range int4range, c_ltree ltree, c_tsvector tsvector, c_point point,
	c_date date, c_time time, c_time3 time(3), c_timetz timetz,
	c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz, c_tstz0 timestamptz(0),
	c_ts_inf timestamp, c_tstz_ninf timestamptz, c_interval interval, c_domain posint,
	c_int_arr int[], c_text_arr text[], c_mood_arr mood[], c_box box,
	c_def_text text NOT NULL DEFAULT 'hello', c_def_int integer DEFAULT 42)`

const wideCopyRow1 = `INSERT INTO public.wide VALUES (1, true, 7, -9000000000, 1.5, 2.25,
	1.23, 12.50, 12.34,
	B'1', B'1000000001', B'101',
	'ab', 'v', 't', 'CiT', 'nm',
	'\x0102ff', '{"k": [1]}', '{"a":1}', '<a>1</a>', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
	'ok', 'b=>NULL, aa=>x', '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
	'[1,5)', 'a.b.c', 'fat cat', '(1,2)',
	'2016-01-16', '11:51:02.123456', '11:51:02.123', '11:51:02.5+00',
	'2020-04-01 11:51:02.123456', '2020-04-01 11:51:02.123', '2020-04-01 11:51:02.5+00', '2020-04-01 11:51:02+00',
	'infinity', '-infinity', '1 year 2 mons 3 days 04:05:06.78', 5,
	'{1,2,3}', '{a,NULL,"b c"}', '{sad,happy}', '(1,1),(0,0)',
	'x', 1)`

// Row 2: escapes in text, json, arrays and hstore; row 3: NULL in every
// nullable column; row 4: the literal text \N, which is not NULL.
const wideCopyRows = `INSERT INTO public.wide (id, c_text, c_varchar, c_bytea, c_json, c_text_arr, c_hstore, c_char, c_citext)
	VALUES (2, E'tab\there\nnew\\line\rcr\bbs\ffeed\vvt end\\', E'a\\b', '\x5c0a09ff00', '{"k": "a\\nb\ttab"}',
		ARRAY[E'x\ty', E'q"\\z', NULL], E'"k\\\\\t"=>"v\nw"', E'\t\n\\', E'\\N');
	INSERT INTO public.wide (id, c_def_text) VALUES (3, 'd');
	INSERT INTO public.wide (id, c_text, c_varchar) VALUES (4, E'\\N', 'N')`

// TestCopyReaderMatchesCursorReader reads every type the type tests cover,
// plus values with every escape of COPY's text format, NULLs and a literal
// \N, through both readers: the decoded values must be identical.
func TestCopyReaderMatchesCursorReader(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, wideCopyDDL, wideCopyRow1, wideCopyRows)
	modes := []map[string]string{
		nil,
		{"decimal.handling.mode": "string", "time.precision.mode": "connect", "binary.handling.mode": "base64", "hstore.handling.mode": "map"},
		{"decimal.handling.mode": "double", "time.precision.mode": "adaptive_time_microseconds", "binary.handling.mode": "hex",
			"interval.handling.mode": "string", "include.unknown.datatypes": "true"},
	}
	for i, mode := range modes {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			rt := newReadTask(t, pg, mode, false)
			cursor := readAll(t, rt, readTableCursor)
			copied := readAll(t, rt, readTableCopy)
			rows := cursor["wide"]
			if len(rows) != 4 {
				t.Fatalf("cursor read %d rows, want 4", len(rows))
			}
			if !reflect.DeepEqual(cursor, copied) {
				for r := range rows {
					if r >= len(copied["wide"]) {
						break
					}
					for c := range rows[r] {
						if !reflect.DeepEqual(rows[r][c], copied["wide"][r][c]) {
							t.Errorf("row %d column %d: cursor %#v, copy %#v", r, c, rows[r][c], copied["wide"][r][c])
						}
					}
				}
				t.Fatalf("copy read %d rows, cursor %d", len(copied["wide"]), len(rows))
			}
		})
	}
}

// TestUnescapeCopyText covers the escapes PostgreSQL's COPY reader accepts,
// including those its writer never produces.
func TestUnescapeCopyText(t *testing.T) {
	cases := map[string]string{
		`plain`:        "plain",
		`a\tb\nc\\d`:   "a\tb\nc\\d",
		`\b\f\r\v`:     "\b\f\r\v",
		`\101\60\0x`:   "A0\x00x",
		`\x41\x4g\xz`:  "A\x04gxz",
		`\q\.`:         "q.",
		`\1234`:        "S4",
		`end\\`:        `end\`,
		`\N-not-alone`: "N-not-alone",
	}
	for in, want := range cases {
		got, err := unescapeCopyText(nil, []byte(in))
		if err != nil || string(got) != want {
			t.Errorf("unescape(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := unescapeCopyText(nil, []byte(`bad\`)); err == nil {
		t.Error("a trailing lone backslash was accepted")
	}
	fields, _, err := splitCopyText([]byte("1\t\\N\t\t\\\\N\tx\\ty"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("1"), nil, {}, []byte(`\N`), []byte("x\ty")}
	if len(fields) != len(want) {
		t.Fatalf("split into %q", fields)
	}
	for i := range want {
		if (fields[i] == nil) != (want[i] == nil) || string(fields[i]) != string(want[i]) {
			t.Errorf("field %d = %q, want %q", i, fields[i], want[i])
		}
	}
}

// TestCopyRowWriterReassemblesRows feeds a COPY stream cut at every
// position: the rows are the same as from one write.
func TestCopyRowWriterReassemblesRows(t *testing.T) {
	stream := []byte("1\ta\\tb\n2\t\\N\n3\tlast\\\\\n")
	read := func(chunks ...[]byte) ([][]string, *copyRowWriter) {
		var rows [][]string
		w := &copyRowWriter{row: func(f [][]byte) error {
			row := make([]string, len(f))
			for i, v := range f {
				if v == nil {
					row[i] = "<null>"
				} else {
					row[i] = string(v)
				}
			}
			rows = append(rows, row)
			return nil
		}}
		for _, c := range chunks {
			// The writer must not keep c: overwrite it after the call.
			buf := append([]byte(nil), c...)
			if _, err := w.Write(buf); err != nil {
				t.Fatal(err)
			}
			for i := range buf {
				buf[i] = '#'
			}
		}
		return rows, w
	}
	whole, _ := read(stream)
	want := [][]string{{"1", "a\tb"}, {"2", "<null>"}, {"3", `last\`}}
	if !reflect.DeepEqual(whole, want) {
		t.Fatalf("rows %q, want %q", whole, want)
	}
	for cut := 1; cut < len(stream); cut++ {
		for cut2 := cut; cut2 < len(stream); cut2++ {
			got, w := read(stream[:cut], stream[cut:cut2], stream[cut2:])
			if !reflect.DeepEqual(got, want) || len(w.partial) != 0 {
				t.Fatalf("cut at %d and %d: rows %q, want %q (partial %q)", cut, cut2, got, want, w.partial)
			}
		}
	}
}

// BenchmarkSnapshotRead reads a 100k-row table through the snapshot path
// (record building included) into a queue that discards, with each reader
// and with the full snapshot on several connections. rows/s is reported.
func BenchmarkSnapshotRead(b *testing.B) {
	const rows = 100_000
	pg := pgtest.Start(b)
	pg.Exec(b, `CREATE TABLE public.bench (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))`,
		`INSERT INTO public.bench SELECT i, i % 1000, 'row ' || i || ' of the benchmark table',
			now() - i * interval '1 second', i / 100.0 FROM generate_series(1, `+strconv.Itoa(rows)+`) i`,
		`VACUUM ANALYZE public.bench`)
	readers := map[string]tableReader{"cursor": readTableCursor, "copy": readTableCopy}
	for _, name := range []string{"cursor", "copy"} {
		b.Run(name, func(b *testing.B) {
			rt := newReadTask(b, pg, nil, false)
			for b.Loop() {
				runSnapshotWith(b, rt, readers[name], 1)
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
	// The table split into key ranges, read by two connections.
	b.Run("copy-2-ranges", func(b *testing.B) {
		rt := newReadTask(b, pg, map[string]string{"snapshot.max.threads": "2"}, false)
		for b.Loop() {
			runSnapshotWith(b, rt, readTableCopy, 2)
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

// runSnapshotWith runs the snapshot's emitter with read, as Task.snapshot
// does: on one connection, or with readers > 1 on that many sharing its
// snapshot, every table with a primary key split into key ranges.
func runSnapshotWith(b *testing.B, rt *readTask, read tableReader, readers int) {
	ctx := b.Context()
	tx, err := rt.conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	jobs, err := rt.snapshotJobs(ctx)
	if err != nil {
		b.Fatal(err)
	}
	conns := []*pgconn.PgConn{rt.conn.PgConn()}
	if readers > 1 {
		old := snapshotSplitMinPages.Swap(0)
		defer snapshotSplitMinPages.Store(old)
		for _, job := range jobs {
			if err := splitJob(ctx, rt.conn, job, readers); err != nil {
				b.Fatal(err)
			}
		}
		var shared string
		if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&shared); err != nil {
			b.Fatal(err)
		}
		extra, err := rt.openSnapshotReaders(ctx, readers-1, shared, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
		defer closeSnapshotReaders(extra)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, extra...)
	}
	em := newSnapshotEmitter(rt.Task, 1, 1, true)
	if err := em.run(ctx, conns, jobs, read); err != nil {
		b.Fatal(err)
	}
	if err := em.finish(ctx); err != nil {
		b.Fatal(err)
	}
}
