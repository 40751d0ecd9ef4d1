package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/errgroup"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/decode"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/schema"
)

// snapshotCursor is the cursor the cursor reader reads a table through.
const snapshotCursor = "tributary_snapshot"

// snapshotJob is one table the snapshot reads.
type snapshotJob struct {
	ct *capturedTable
	// stmt is the SELECT that reads the table: SELECT * or its
	// snapshot.select.statement.overrides entry.
	stmt string
	// first and last: the job is the first (last) table in snapshot order,
	// whose first (last) row is the first (last) record of the snapshot.
	first, last bool
	// override: stmt is the table's snapshot.select.statement.overrides
	// entry.
	override bool
	// ranges, when set, are the statements of the key ranges the table is
	// read in (splitJob) instead of stmt.
	ranges []string
	// progress counts the rows read, for Metrics.
	progress tableProgress

	// While the table is read: the stamp of its records, the number of
	// its parts not yet read, whether a record of it is queued, and the
	// last row of an ended part, held until the next part ends.
	mu      sync.Mutex
	st      *tableStamp
	open    int
	started bool
	tail    []any
}

// tableReader reads the rows stmt selects from job's table on conn,
// calling row with each row decoded through the layout of the statement's
// result columns.
// The row slice is owned by the callee.
type tableReader func(ctx context.Context, conn *pgconn.PgConn, job *snapshotJob, stmt string, fetchSize int,
	row func([]any) error) error

// snapshot reads the captured tables selected by
// snapshot.include.collection.list, in REPEATABLE READ READ ONLY
// transactions that all see one snapshot: the slot's exported snapshot when
// the slot was just created, so that streaming from the consistent point
// continues without gap or duplicate. With snapshot.max.threads > 1 tables
// are read in parallel by that many connections, each importing the same
// snapshot, and a large table with a primary key is split into that many
// key ranges read in parallel (splitJob).
//
// The exported snapshot stays valid only while the replication connection
// that created the slot runs no other command: that connection is left
// untouched until streaming starts, after every reader has imported it.
func (t *Task) snapshot(ctx context.Context) (err error) {
	if err := t.snapshotDelay(ctx); err != nil {
		return err
	}
	// As Debezium, the snapshot metrics start after snapshot.delay.ms and
	// end with the snapshot, aborted on any error.
	t.metrics.snapshotStarted(time.Now())
	defer func() { t.metrics.snapshotEnded(err == nil, time.Now()) }()
	opts, readerBegin := t.snapshotTxOptions()
	t.log.Info("opening the snapshot transaction", "isolation", opts.IsoLevel, "deferrable", opts.DeferrableMode == pgx.Deferrable,
		"exported_snapshot", t.plan.exported)
	tx, err := t.conn.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("beginning the snapshot transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.Background())
		}
	}()
	if t.plan.exported != "" {
		if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT "+quoteLiteral(t.plan.exported)); err != nil {
			return fmt.Errorf("setting the exported snapshot: %w", err)
		}
	}
	if err := t.lockSnapshotTables(ctx, tx); err != nil {
		return err
	}
	var txID int64
	if err := tx.QueryRow(ctx, "SELECT txid_current()").Scan(&txID); err != nil {
		return fmt.Errorf("reading the snapshot transaction id: %w", err)
	}
	if t.trig != nil {
		// Streaming delivers exactly the queued changes of the
		// transactions this snapshot does not see.
		if err := tx.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&t.trig.handoff); err != nil {
			return fmt.Errorf("reading the snapshot's transaction snapshot: %w", err)
		}
	}
	jobs, err := t.snapshotJobs(ctx)
	if err != nil {
		return err
	}
	t.metrics.snapshotTables(jobs)
	parts := 0
	for _, job := range jobs {
		if err := splitJob(ctx, t.conn, job, t.cfg.SnapshotMaxThreads); err != nil {
			return err
		}
		if len(job.ranges) > 0 {
			t.log.Info("table split into key ranges read in parallel", "table", job.progress.id, "ranges", len(job.ranges))
		}
		parts += max(1, len(job.ranges))
	}
	readers := max(1, min(t.cfg.SnapshotMaxThreads, parts))
	t.log.Info("snapshot started", "tables", len(jobs), "readers", readers, "lsn", t.plan.snapshotLSN)

	conns := []*pgconn.PgConn{t.conn.PgConn()}
	if readers > 1 {
		shared := t.plan.exported
		if shared == "" {
			// Not on a slot's exported snapshot (e.g. snapshot.mode=always on
			// an existing slot): this transaction exports its own, which the
			// other readers import, so all of them still see one state.
			if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot()").Scan(&shared); err != nil {
				return fmt.Errorf("exporting the snapshot for parallel readers: %w", err)
			}
		}
		extra, err := t.openSnapshotReaders(ctx, readers-1, shared, readerBegin)
		defer closeSnapshotReaders(extra)
		if err != nil {
			return err
		}
		conns = append(conns, extra...)
	}

	em := newSnapshotEmitter(t, t.plan.snapshotLSN, txID, len(jobs) > 0 && jobs[0].first)
	if t.trig != nil {
		em.offsetFor = func(tsUs int64, last bool) map[string]any { return t.trig.snapshotOffset(txID, tsUs, last) }
	}
	if err := em.run(ctx, conns, jobs, t.readTable); err != nil {
		return err
	}
	if err := em.finish(ctx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("ending the snapshot transaction: %w", err)
	}
	t.log.Info("snapshot completed", "records", em.count)
	return nil
}

// snapshotJobs loads, in the snapshot transaction, the shape of every
// table the snapshot reads, in snapshot order. Loading them all before any
// reader starts keeps t.tables owned by one goroutine.
func (t *Task) snapshotJobs(ctx context.Context) ([]*snapshotJob, error) {
	var jobs []*snapshotJob
	for _, ref := range t.plan.tables {
		full := ref.Schema + "." + ref.Name
		if len(t.cfg.SnapshotInclude) > 0 && !anyMatch(t.cfg.SnapshotInclude, full) {
			continue
		}
		info, err := loadTable(ctx, t.conn, ref.OID)
		if errors.Is(err, errTableGone) {
			t.log.Warn("table dropped before the snapshot read it", "table", full)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("snapshotting %s: %w", ref.quoted(), err)
		}
		stmt := "SELECT * FROM " + info.quoted()
		s, override := t.cfg.SnapshotSelects[full]
		if override {
			stmt = strings.TrimRight(strings.TrimSpace(s), "; \t\n")
			t.log.Info("snapshot select overridden", "table", full, "statement", stmt)
		}
		jobs = append(jobs, &snapshotJob{ct: t.table(info), stmt: stmt, override: override, progress: tableProgress{id: full}})
	}
	if len(jobs) > 0 {
		jobs[0].first = true
		jobs[len(jobs)-1].last = true
	}
	return jobs, nil
}

// openSnapshotReaders opens n connections, each in a transaction begun
// with begin that imports the snapshot named shared.
func (t *Task) openSnapshotReaders(ctx context.Context, n int, shared, begin string) ([]*pgconn.PgConn, error) {
	cfg, err := t.cfg.connConfig(false)
	if err != nil {
		return nil, err
	}
	var out []*pgconn.PgConn
	for range n {
		c, err := pgconn.ConnectConfig(ctx, cfg)
		if err != nil {
			return out, fmt.Errorf("opening a snapshot reader connection: %w", err)
		}
		out = append(out, c)
		if _, err := c.Exec(ctx, begin+"; SET TRANSACTION SNAPSHOT "+quoteLiteral(shared)).ReadAll(); err != nil {
			return out, fmt.Errorf("importing the snapshot into a reader: %w", err)
		}
	}
	return out, nil
}

// closeSnapshotReaders closes the extra readers; closing ends their
// read-only transactions, which have nothing to commit.
func closeSnapshotReaders(conns []*pgconn.PgConn) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	for _, c := range conns {
		_ = c.Close(ctx)
	}
}

// readTable is the reader the snapshot uses: COPY, measured faster than
// the cursor with equal values (see BenchmarkSnapshotRead).
func (t *Task) readTable(ctx context.Context, conn *pgconn.PgConn, job *snapshotJob, stmt string, fetchSize int, row func([]any) error) error {
	return readTableCopy(ctx, conn, job, stmt, fetchSize, row)
}

// resultLayout describes the statement to learn its result columns, which
// an override may choose and order freely. Describing it also takes the
// table's ACCESS SHARE lock for the rest of the transaction, so its shape
// cannot change before the rows are read.
func resultLayout(ctx context.Context, conn *pgconn.PgConn, job *snapshotJob, stmt string) (decode.Layout, error) {
	sd, err := conn.Prepare(ctx, "", stmt, nil)
	if err != nil {
		return decode.Layout{}, fmt.Errorf("preparing %q: %w", stmt, err)
	}
	names := make([]string, len(sd.Fields))
	for i, f := range sd.Fields {
		names[i] = f.Name
	}
	return job.ct.layout(names), nil
}

// readTableCursor reads a table through a cursor, fetchSize rows per
// round trip, in text format. The snapshot reads with COPY, which is
// faster; this reader is the reference the COPY reader is checked against.
func readTableCursor(ctx context.Context, pg *pgconn.PgConn, job *snapshotJob, stmt string, fetchSize int, emit func([]any) error) error {
	decl := "DECLARE " + snapshotCursor + " NO SCROLL CURSOR FOR " + stmt
	if _, err := pg.Exec(ctx, decl).ReadAll(); err != nil {
		return fmt.Errorf("declaring the cursor: %w", err)
	}
	fetch := "FETCH " + strconv.Itoa(fetchSize) + " FROM " + snapshotCursor
	for {
		rr := pg.ExecParams(ctx, fetch, nil, nil, nil, nil)
		fields := rr.FieldDescriptions()
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.Name
		}
		layout := job.ct.layout(names)
		n := 0
		for rr.NextRow() {
			row, err := layout.Text(rr.Values())
			if err == nil {
				err = emit(row)
			}
			if err != nil {
				_, _ = rr.Close()
				return err
			}
			n++
		}
		if _, err := rr.Close(); err != nil {
			return fmt.Errorf("fetching rows: %w", err)
		}
		if n == 0 {
			break
		}
	}
	if _, err := pg.Exec(ctx, "CLOSE "+snapshotCursor).ReadAll(); err != nil {
		return fmt.Errorf("closing the cursor: %w", err)
	}
	return nil
}

// snapshotPart is what one reader reads at a time: a whole table, or one
// key range of a table split by splitJob.
type snapshotPart struct {
	job  *snapshotJob
	stmt string
}

// run reads every job on the given connections, one part (a table or a key
// range of one) per connection at a time, parts taken in snapshot order.
// Rows of one part are emitted in the order its reader reads them.
func (e *snapshotEmitter) run(ctx context.Context, conns []*pgconn.PgConn, jobs []*snapshotJob, read tableReader) error {
	parts := snapshotParts(jobs)
	work := make(chan snapshotPart, len(parts))
	for _, p := range parts {
		work <- p
	}
	close(work)
	g, gctx := errgroup.WithContext(ctx)
	for _, c := range conns {
		g.Go(func() error {
			for p := range work {
				if err := e.readPart(gctx, c, p, read); err != nil {
					return fmt.Errorf("snapshotting %s: %w", p.job.ct.info.quoted(), err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// snapshotParts lists the parts of jobs in snapshot order and sets how many
// parts of each job remain to be read.
func snapshotParts(jobs []*snapshotJob) []snapshotPart {
	var parts []snapshotPart
	for _, j := range jobs {
		if len(j.ranges) == 0 {
			j.open = 1
			parts = append(parts, snapshotPart{job: j, stmt: j.stmt})
			continue
		}
		j.open = len(j.ranges)
		for _, r := range j.ranges {
			parts = append(parts, snapshotPart{job: j, stmt: r})
		}
	}
	return parts
}

// readPart reads one part of a table, holding back its latest row until the
// next one shows whether it is the part's last. The last row of each part
// waits in the job (tail) until another part ends or the table is read:
// the table's last record is the one queued when its last part ends.
func (e *snapshotEmitter) readPart(ctx context.Context, conn *pgconn.PgConn, p snapshotPart, read tableReader) error {
	job := p.job
	if !job.first {
		if err := e.waitFirst(ctx); err != nil {
			return err
		}
	}
	st := e.jobStamp(job)
	var held []any
	n := 0
	err := read(ctx, conn, job, p.stmt, e.t.cfg.SnapshotFetchSize, func(row []any) error {
		switch {
		case n == 1:
			// The part's first row may be the table's first record.
			job.mu.Lock()
			err := e.emitTableLocked(ctx, job, st, held, false)
			job.mu.Unlock()
			if err != nil {
				return err
			}
		case n > 1:
			if err := e.emit(ctx, st, held, envelope.SnapshotTrue); err != nil {
				return err
			}
		}
		held = row
		n++
		job.progress.rows.Add(1)
		return nil
	})
	if err != nil {
		return err
	}
	return e.endPart(ctx, job, st, held)
}

// jobStamp returns the stamp of a job's records, made when its first part
// starts.
func (e *snapshotEmitter) jobStamp(job *snapshotJob) *tableStamp {
	job.mu.Lock()
	defer job.mu.Unlock()
	if job.st == nil {
		job.st = e.stamp(job.ct)
	}
	return job.st
}

// endPart ends a part whose last row is held: the row held in the job
// before it is queued, and this one takes its place. When the table's last
// part ends, the held row is the table's last record.
func (e *snapshotEmitter) endPart(ctx context.Context, job *snapshotJob, st *tableStamp, held []any) error {
	job.mu.Lock()
	defer job.mu.Unlock()
	job.open--
	if held != nil {
		if job.tail != nil {
			if err := e.emitTableLocked(ctx, job, st, job.tail, false); err != nil {
				return err
			}
		}
		job.tail = held
	}
	if job.open > 0 {
		return nil
	}
	// Debezium's dataCollectionSnapshotCompleted: every row of the table
	// has been read and handed on (its last one held, as Debezium's
	// buffering receiver holds it).
	e.t.metrics.snapRemaining.Add(-1)
	if job.first {
		// However the first table ends, the other tables may go on.
		defer e.firstOnce.Do(func() { close(e.firstDone) })
	}
	tail := job.tail
	job.tail = nil
	if tail == nil {
		return nil
	}
	return e.emitTableLocked(ctx, job, st, tail, true)
}

// emitTableLocked queues a row whose mark depends on the rows of its table
// queued before it, holding job.mu: the table's first record is "first"
// (in the first table) or "first_in_data_collection", and its last one
// (end) "last_in_data_collection" unless it is "first". The last record of
// the last table waits until every other table is read (see finish).
func (e *snapshotEmitter) emitTableLocked(ctx context.Context, job *snapshotJob, st *tableStamp, row []any, end bool) error {
	mark := envelope.SnapshotTrue
	if !job.started {
		mark = envelope.SnapshotFirstInTable
		if job.first {
			mark = envelope.SnapshotFirst
		}
	}
	if end && mark != envelope.SnapshotFirst {
		mark = envelope.SnapshotLastInTable
	}
	job.started = true
	if end && job.last && !job.first {
		e.mu.Lock()
		e.final = &heldRow{st: st, row: row, mark: mark}
		e.mu.Unlock()
		return nil
	}
	if err := e.emit(ctx, st, row, mark); err != nil {
		return err
	}
	if mark == envelope.SnapshotFirst {
		e.firstOnce.Do(func() { close(e.firstDone) })
	}
	return nil
}

func (e *snapshotEmitter) waitFirst(ctx context.Context) error {
	if !e.hasFirst {
		return nil
	}
	select {
	case <-e.firstDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// snapshotEmitter turns rows into records and queues them. It holds back
// the latest record until the next one shows whether it ends the snapshot,
// which decides its mark and offset. Marks follow Debezium's: "first" is
// the first row of the first table in snapshot order and is queued before
// any other row; "first_in_data_collection" / "last_in_data_collection"
// open and close every other table; "last" is the last row of the last
// table, queued after every other table is read — or, if that table is
// empty, whichever record was queued last.
type snapshotEmitter struct {
	t    *Task
	lsn  uint64
	txID int64

	hasFirst  bool
	firstDone chan struct{}
	firstOnce sync.Once

	// offsetFor makes the offset of a table's records (read at tsUs) and
	// of the last record; keep, when set, is kept while the snapshot
	// runs (a blocking snapshot's streamer).
	offsetFor func(tsUs int64, last bool) map[string]any
	keep      keeper

	mu         sync.Mutex
	count      int
	pending    pendingRecord
	hasPending bool
	final      *heldRow
}

// tableStamp is what the records of one table share: as in Debezium, the
// source timestamp (and the offset's ts_usec) is the time the table's read
// began, so the source struct of each mark and the offset are built once
// per table and shared by its records, which nothing modifies once queued.
// The readers of a table's parts share its stamp, read-only.
type tableStamp struct {
	ct      *capturedTable
	tsUs    int64
	off     map[string]any
	sources map[string]*schema.Struct
}

// stampMarks are the marks of the records built with a stamp's sources;
// "last" is built once, by finish.
var stampMarks = []string{envelope.SnapshotFirst, envelope.SnapshotTrue, envelope.SnapshotFirstInTable, envelope.SnapshotLastInTable}

func (e *snapshotEmitter) stamp(ct *capturedTable) *tableStamp {
	ts := time.Now().UnixMicro()
	st := &tableStamp{ct: ct, tsUs: ts, off: e.offsetFor(ts, false), sources: make(map[string]*schema.Struct, len(stampMarks))}
	for _, m := range stampMarks {
		st.sources[m] = e.source(st, m)
	}
	return st
}

// source builds the source struct of a mark.
func (e *snapshotEmitter) source(st *tableStamp, mark string) *schema.Struct {
	return (&envelope.Source{
		Name: e.t.cfg.TopicPrefix, DB: e.t.db, Schema: st.ct.Schema, Table: st.ct.Name,
		TsUs: st.tsUs, Snapshot: mark, LSN: e.lsn, TxID: e.txID, HasTxID: true,
	}).Struct()
}

type heldRow struct {
	st   *tableStamp
	row  []any
	mark string
}

// pendingRecord is the record held back, with its key and value structs,
// from which finish rebuilds it as the snapshot's last.
type pendingRecord struct {
	st         *tableStamp
	key, after *schema.Struct
	rec        connect.SourceRecord
}

func newSnapshotEmitter(t *Task, lsn uint64, txID int64, hasFirst bool) *snapshotEmitter {
	return &snapshotEmitter{t: t, lsn: lsn, txID: txID, hasFirst: hasFirst, firstDone: make(chan struct{}),
		offsetFor: func(tsUs int64, last bool) map[string]any { return snapshotOffset(lsn, txID, tsUs, last) }}
}

// build makes the record of a row with a mark. The row becomes the value
// struct's values (ValueOver, after the key is read from it): every row is
// built once, and its slice is not used again.
func (e *snapshotEmitter) build(st *tableStamp, row []any, mark string) pendingRecord {
	p := pendingRecord{st: st, key: st.ct.KeyStructPacked(row)}
	p.after = st.ct.ValueOver(row)
	p.rec = e.record(st, p.key, p.after, st.sources[mark], st.off)
	return p
}

// record makes a row's record from its key and value structs.
func (e *snapshotEmitter) record(st *tableStamp, key, after, src *schema.Struct, off map[string]any) connect.SourceRecord {
	env := st.ct.Envelope(envelope.OpRead, nil, after, src, time.Now())
	return e.t.record(st.ct, key, env, off)
}

// emit builds the record of a row (outside the lock, so parallel readers
// build in parallel) and queues the one held before it.
func (e *snapshotEmitter) emit(ctx context.Context, st *tableStamp, row []any, mark string) error {
	p := e.build(st, row, mark)

	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.flushLocked(ctx); err != nil {
		return err
	}
	e.pending, e.hasPending = p, true
	return nil
}

func (e *snapshotEmitter) flushLocked(ctx context.Context) error {
	if !e.hasPending {
		return nil
	}
	rec := e.pending.rec
	e.pending, e.hasPending = pendingRecord{}, false
	e.count++
	if e.keep != nil && !time.Now().Before(e.keep.keepBy()) {
		if err := e.keep.keep(ctx); err != nil {
			return err
		}
	}
	return e.t.send(ctx, rec, e.keep)
}

// finish queues the last row of the last table, then sends the held record
// as the last of the snapshot, rebuilt with its own source and an offset
// that marks the snapshot completed. It runs after every reader has ended.
func (e *snapshotEmitter) finish(ctx context.Context) error {
	if f := e.final; f != nil {
		e.final = nil
		if err := e.emit(ctx, f.st, f.row, f.mark); err != nil {
			return err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.hasPending {
		// No row at all: an offset-only record makes the completed
		// snapshot durable, so a restart streams instead of snapshotting
		// again.
		return e.t.send(ctx, connect.SourceRecord{
			SourcePartition: e.t.partition,
			SourceOffset:    e.offsetFor(time.Now().UnixMicro(), true),
		}, e.keep)
	}
	p := &e.pending
	p.rec = e.record(p.st, p.key, p.after, e.source(p.st, envelope.SnapshotLast), e.offsetFor(p.st.tsUs, true))
	return e.flushLocked(ctx)
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string {
	out := make([]byte, 0, len(s)+2)
	out = append(out, '\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
