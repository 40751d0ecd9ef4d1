package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/decode"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/schema"
)

// Offset keys of the trigger-based capture: the queue position. Rows of
// transactions visible in trigger_prev are delivered; of those visible in
// trigger_cur but not in trigger_prev, the ones up to trigger_seq are.
const (
	offTriggerPrev = "trigger_prev"
	offTriggerCur  = "trigger_cur"
	offTriggerSeq  = "trigger_seq"
)

// triggerPageSize bounds the queue rows one query reads.
const triggerPageSize = 1024

// NewTriggerTask returns an unstarted task of the trigger-based capture:
// triggers write every change of the captured tables to a queue table,
// which the task reads, instead of a replication slot.
func NewTriggerTask() *Task {
	t := NewTask()
	t.trig = &triggerRun{t: t, notified: make(chan struct{}, 1), shapes: map[uint32]*queuedShape{}}
	return t
}

// triggerPos is a position in the queue. Delivery goes in rounds: a round
// reads the current snapshot (cur) and delivers, in sequence order, the
// rows of the transactions visible in it but not in the previous round's
// snapshot (prev): every row once, and each key's changes in the order
// their transactions committed, since a change that waited for another
// one's row lock commits after it. After is the last sequence value of the
// round delivered.
type triggerPos struct {
	Prev, Cur string
	After     int64
}

func (p triggerPos) offset(m map[string]any) map[string]any {
	m[offTriggerPrev] = p.Prev
	m[offTriggerCur] = p.Cur
	m[offTriggerSeq] = p.After
	return m
}

// loadTriggerPos reads the position of an offset; ok is false when it has
// none.
func loadTriggerPos(m map[string]any) (p triggerPos, ok bool, err error) {
	prev, ok := m[offTriggerPrev].(string)
	if !ok || prev == "" {
		return p, false, nil
	}
	p.Prev = prev
	p.Cur, _ = m[offTriggerCur].(string)
	if p.After, _, err = int64Value(m[offTriggerSeq]); err != nil {
		return p, false, fmt.Errorf("reading offset key %s: %w", offTriggerSeq, err)
	}
	return p, true, nil
}

// queuedShape is how a captured table's queued rows are decoded: the
// table's columns as its triggers see them (attnum order, generated ones
// too), mapped onto its captured columns.
type queuedShape struct {
	ct     *capturedTable
	types  []uint32
	layout decode.Layout
}

// triggerRun is the trigger-based capture's state in a Task. Only the run
// goroutine uses it, except notified (the listener's wake-ups) and
// committed (set by Commit).
type triggerRun struct {
	t     *Task
	queue string // the quoted queue table
	// listen is the connection that LISTENs; its goroutine signals
	// notified.
	listen   *pgconn.PgConn
	notified chan struct{}
	// start is where streaming starts: the stored position, or the
	// snapshot a new start reads or the initial snapshot saw.
	start triggerPos
	// handoff is the snapshot the initial snapshot read the tables in.
	handoff string
	// committed is the position the last offset passed to Commit holds;
	// deleted is the one the queue was last cleared up to.
	committed atomic.Pointer[triggerPos]
	deleted   triggerPos
	shapes    map[uint32]*queuedShape
	pos       triggerPos
	// prevAfter is pos.After before the row being delivered: the
	// position of a record that leaves a later one of the same row to
	// come (see change).
	prevAfter int64
	marked    string
}

// triggerName is the name of the triggers on the captured tables.
func (r *triggerRun) triggerName() string { return "tributary_" + r.t.cfg.Trigger.Queue }

func (r *triggerRun) function() string {
	return pgx.Identifier{r.t.cfg.Trigger.Schema, r.t.cfg.Trigger.Queue + "_capture"}.Sanitize()
}

// queueDDL creates the schema, the queue table and the trigger function.
// The function runs as its owner (SECURITY DEFINER: writers need no right
// on the queue) with the session settings that make each column's text
// form the one the decoders read, whatever the writer's session has.
func (r *triggerRun) queueDDL() []string {
	tc := r.t.cfg.Trigger
	sch := pgx.Identifier{tc.Schema}.Sanitize()
	idx := pgx.Identifier{tc.Queue + "_xid"}.Sanitize()
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + sch,
		"CREATE TABLE IF NOT EXISTS " + r.queue + ` (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  op "char" NOT NULL,
  rel oid NOT NULL,
  types oid[],
  old_row text,
  new_row text,
  ts timestamptz NOT NULL DEFAULT clock_timestamp())`,
		"CREATE INDEX IF NOT EXISTS " + idx + " ON " + r.queue + " (xid)",
		"CREATE OR REPLACE FUNCTION " + r.function() + `() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET "TimeZone" = 'UTC' SET "DateStyle" = 'ISO, MDY'
SET "IntervalStyle" = 'postgres' SET bytea_output = 'hex' SET extra_float_digits = 1
AS $tributary$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    INSERT INTO ` + r.queue + ` (op, rel) VALUES ('t', TG_RELID);
  ELSE
    INSERT INTO ` + r.queue + ` (op, rel, types, old_row, new_row) VALUES (
      CASE TG_OP WHEN 'INSERT' THEN 'c' WHEN 'UPDATE' THEN 'u' ELSE 'd' END, TG_RELID,
      ARRAY(SELECT atttypid FROM pg_attribute WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped ORDER BY attnum),
      CASE WHEN TG_OP <> 'INSERT' THEN OLD::text END,
      CASE WHEN TG_OP <> 'DELETE' THEN NEW::text END);
  END IF;
  PERFORM pg_notify(` + quoteLiteral(tc.Channel()) + `, '');
  RETURN NULL;
END
$tributary$`,
	}
}

// tableDDL creates the triggers of one captured table.
func (r *triggerRun) tableDDL(tr tableRef) []string {
	name := r.triggerName()
	return []string{
		"CREATE OR REPLACE TRIGGER " + pgx.Identifier{name}.Sanitize() + " AFTER INSERT OR UPDATE OR DELETE ON " + tr.quoted() +
			" FOR EACH ROW EXECUTE FUNCTION " + r.function() + "()",
		"CREATE OR REPLACE TRIGGER " + pgx.Identifier{name + "_truncate"}.Sanitize() + " AFTER TRUNCATE ON " + tr.quoted() +
			" FOR EACH STATEMENT EXECUTE FUNCTION " + r.function() + "()",
	}
}

// prepare installs (or checks) the queue and the triggers and decides what
// the run goroutine does: it replaces the publication, slot and plan steps
// of logical replication.
func (r *triggerRun) prepare(ctx context.Context, stored map[string]any, off *offset, tables []tableRef) error {
	t := r.t
	tc := t.cfg.Trigger
	r.queue = pgx.Identifier{tc.Schema, tc.Queue}.Sanitize()
	// The connector's own schema is never captured.
	tables = slices.DeleteFunc(tables, func(tr tableRef) bool { return tr.Schema == tc.Schema })
	var parted []string
	if err := t.conn.QueryRow(ctx, `SELECT coalesce(array_agg(oid::regclass::text ORDER BY oid), '{}') FROM pg_class
		WHERE oid = ANY($1::oid[]) AND relkind = 'p'`, tableOIDs(tables)).Scan(&parted); err != nil {
		return fmt.Errorf("checking for partitioned tables: %w", err)
	}
	if len(parted) > 0 {
		return fmt.Errorf("the trigger-based capture does not capture partitioned tables (%s): capture their partitions instead",
			strings.Join(parted, ", "))
	}
	if err := r.install(ctx, tables); err != nil {
		return err
	}
	p := &t.plan
	p.tables = tables
	completed := off != nil && off.snapshotDone()
	switch t.cfg.SnapshotMode {
	case SnapshotInitial, SnapshotInitialOnly, SnapshotWhenNeeded:
		p.snapshot = !completed
	case SnapshotAlways:
		p.snapshot = true
	}
	p.stream = t.cfg.SnapshotMode != SnapshotInitialOnly
	pos, ok, err := loadTriggerPos(stored)
	if err != nil {
		return err
	}
	switch {
	case p.snapshot:
	case ok:
		r.start = pos
	default:
		// No snapshot and no position: capture what commits from now on.
		if err := t.conn.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&r.start.Prev); err != nil {
			return fmt.Errorf("reading the current snapshot: %w", err)
		}
	}
	if ok && !p.snapshot {
		r.committed.Store(&pos)
	}
	t.log.Info("starting trigger-based capture", "queue", tc.Schema+"."+tc.Queue, "snapshot_mode", t.cfg.SnapshotMode,
		"snapshot", p.snapshot, "stream", p.stream, "tables", len(tables))
	return nil
}

// install creates the queue, the function and the triggers
// (trigger.autocreate.mode=all), dropping the connector's triggers from
// tables it no longer captures, or checks that they exist (disabled).
func (r *triggerRun) install(ctx context.Context, tables []tableRef) error {
	t := r.t
	tc := t.cfg.Trigger
	missing, queue, bare, err := r.missing(ctx, tables)
	if err != nil {
		return err
	}
	if tc.Mode == TriggerAutocreateDisabled {
		if len(missing) > 0 {
			ddl := r.queueDDL()
			for _, tr := range tables {
				ddl = append(ddl, r.tableDDL(tr)...)
			}
			t.log.Error("the trigger-based capture is not installed; run this DDL as the owner of the captured tables",
				KeyTriggerAutocreate, tc.Mode, "ddl", strings.Join(ddl, ";\n")+";")
			return fmt.Errorf("%s=%s and these are missing: %s (the DDL that installs them is in the log)",
				KeyTriggerAutocreate, tc.Mode, strings.Join(missing, ", "))
		}
		return nil
	}
	// Only what is missing is created, and the function replaced: the
	// table DDL waits for the writers of its table, so a restart does not
	// run it again.
	ddl := r.queueDDL()
	if queue {
		ddl = ddl[len(ddl)-1:]
	}
	for _, tr := range bare {
		ddl = append(ddl, r.tableDDL(tr)...)
	}
	for _, stmt := range ddl {
		if _, err := t.conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("installing the trigger-based capture (%s): %w", firstLine(stmt), err)
		}
	}
	rows, err := t.conn.Query(ctx, `SELECT format('DROP TRIGGER %I ON %s', tg.tgname, tg.tgrelid::regclass)
		FROM pg_trigger tg WHERE tg.tgname::text IN ($1::text, $1::text || '_truncate') AND tg.tgparentid = 0
		  AND NOT tg.tgrelid = ANY($2::oid[]) AND tg.tgfoid = to_regprocedure($3)`, r.triggerName(), tableOIDs(tables), r.function()+"()")
	if err != nil {
		return fmt.Errorf("listing the capture triggers: %w", err)
	}
	drops, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("listing the capture triggers: %w", err)
	}
	for _, stmt := range drops {
		if _, err := t.conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("dropping a trigger of a table no longer captured (%s): %w", stmt, err)
		}
		t.log.Info("dropped the capture trigger of a table no longer captured", "statement", stmt)
	}
	t.log.Info("installed the trigger-based capture", "queue", tc.Schema+"."+tc.Queue, "tables", len(tables))
	return nil
}

// missing lists what the capture needs and the database lacks; queue
// reports whether the queue table exists, bare lists the tables without
// both triggers.
func (r *triggerRun) missing(ctx context.Context, tables []tableRef) (out []string, queue bool, bare []tableRef, err error) {
	t := r.t
	tc := t.cfg.Trigger
	var fn bool
	if err := t.conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL, to_regprocedure($2) IS NOT NULL`,
		r.queue, r.function()+"()").Scan(&queue, &fn); err != nil {
		return nil, false, nil, fmt.Errorf("checking the trigger-based capture: %w", err)
	}
	if !queue {
		out = append(out, "queue table "+tc.Schema+"."+tc.Queue)
	}
	if !fn {
		out = append(out, "function "+r.function())
	}
	for _, tr := range tables {
		// A trigger of the same name that runs another function is another
		// connector's (same trigger.queue.table in another trigger.schema):
		// replacing it would silently end that connector's capture.
		var n, foreign int
		if err := t.conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE tgfoid = to_regprocedure($3) AND tgenabled <> 'D'),
				count(*) FILTER (WHERE tgfoid IS DISTINCT FROM to_regprocedure($3))
			FROM pg_trigger WHERE tgrelid = $1 AND tgname::text IN ($2::text, $2::text || '_truncate')`,
			tr.OID, r.triggerName(), r.function()+"()").Scan(&n, &foreign); err != nil {
			return nil, false, nil, fmt.Errorf("checking the triggers of %s: %w", tr.quoted(), err)
		}
		if foreign > 0 {
			return nil, false, nil, fmt.Errorf("%s has a trigger named %s that runs another function than %s: another connector uses %s=%s; give this one its own %s",
				tr.quoted(), r.triggerName(), r.function(), KeyTriggerQueue, tc.Queue, KeyTriggerQueue)
		}
		if n != 2 {
			out = append(out, "triggers on "+tr.Schema+"."+tr.Name)
			bare = append(bare, tr)
		}
	}
	return out, queue, bare, nil
}

func tableOIDs(tables []tableRef) []uint32 {
	oids := make([]uint32, len(tables))
	for i, tr := range tables {
		oids[i] = tr.OID
	}
	return oids
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// snapshotOffset is the offset of an initial snapshot record: the
// snapshot keys, and the position streaming continues from.
func (r *triggerRun) snapshotOffset(txID int64, tsUs int64, last bool) map[string]any {
	return triggerPos{Prev: r.handoff}.offset(snapshotOffset(0, txID, tsUs, last))
}

// afterSnapshot makes the snapshot's transaction snapshot where streaming
// starts: exactly the rows of the transactions it did not see follow.
func (r *triggerRun) afterSnapshot() { r.start = triggerPos{Prev: r.handoff} }

// listenLoop LISTENs on the queue's channel and signals notified for each
// notification, until ctx ends. A lost connection fails the task (to be
// restarted); a lost notification only delays, as the loop polls.
func (r *triggerRun) listenLoop(ctx context.Context) error {
	for {
		if err := r.listen.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return connect.Retriable(fmt.Errorf("waiting for notifications: %w", err))
		}
	}
}

// openListener opens the LISTEN connection.
func (r *triggerRun) openListener(ctx context.Context) error {
	pc, err := r.t.cfg.connConfig(false)
	if err != nil {
		return err
	}
	pc.OnNotification = func(*pgconn.PgConn, *pgconn.Notification) {
		select {
		case r.notified <- struct{}{}:
		default:
		}
	}
	if r.listen, err = pgconn.ConnectConfig(ctx, pc); err != nil {
		return fmt.Errorf("opening the LISTEN connection to %s:%d: %w", r.t.cfg.Host, r.t.cfg.Port, err)
	}
	if _, err := r.listen.Exec(ctx, "LISTEN "+pgx.Identifier{r.t.cfg.Trigger.Channel()}.Sanitize()).ReadAll(); err != nil {
		return fmt.Errorf("listening on %s: %w", r.t.cfg.Trigger.Channel(), err)
	}
	return nil
}

// stream delivers the queue, round by round, from r.start.
func (r *triggerRun) stream(ctx context.Context) error {
	t := r.t
	r.pos = r.start
	for {
		if err := r.clear(ctx); err != nil {
			return err
		}
		if r.pos.Cur == "" {
			if err := t.conn.QueryRow(ctx, "SELECT pg_current_snapshot()::text").Scan(&r.pos.Cur); err != nil {
				return fmt.Errorf("reading the current snapshot: %w", err)
			}
		}
		n, err := r.page(ctx)
		if err != nil {
			return err
		}
		if n == triggerPageSize {
			continue
		}
		delivered := r.pos.After != 0
		r.pos = triggerPos{Prev: r.pos.Cur}
		if delivered {
			// More may have committed meanwhile.
			continue
		}
		if r.marked != r.pos.Prev {
			// Nothing new: let the stored position move on, so that a
			// restart reads less and the queue can be cleared.
			r.marked = r.pos.Prev
			t.setMarker(r.pos.offset(map[string]any{}))
		}
		timer := time.NewTimer(t.cfg.PollInterval)
		select {
		case <-r.notified:
		case <-t.wake.ch:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
		timer.Stop()
	}
}

// queueRow is one row of the queue.
type queueRow struct {
	seq      int64
	xid      uint64
	op       string
	rel      uint32
	types    []uint32
	old, new []byte
	tsUs     int64
}

// page delivers the next rows of the round, at most triggerPageSize, and
// returns how many it read.
func (r *triggerRun) page(ctx context.Context) (int, error) {
	t := r.t
	rows, err := t.conn.Query(ctx, `SELECT seq, xid::text::int8, op::text, rel, types, old_row, new_row,
			(extract(epoch FROM ts) * 1000000)::int8
		FROM `+r.queue+`
		WHERE xid >= pg_snapshot_xmin($1::text::pg_snapshot) AND NOT pg_visible_in_snapshot(xid, $1::text::pg_snapshot)
		  AND pg_visible_in_snapshot(xid, $2::text::pg_snapshot) AND seq > $3
		ORDER BY seq LIMIT $4`, r.pos.Prev, r.pos.Cur, r.pos.After, triggerPageSize)
	if err != nil {
		return 0, fmt.Errorf("reading the queue: %w", err)
	}
	var batch []queueRow
	var q queueRow
	var xid int64
	_, err = pgx.ForEachRow(rows, []any{&q.seq, &xid, &q.op, &q.rel, &q.types, &q.old, &q.new, &q.tsUs}, func() error {
		q.xid = uint64(xid)
		batch = append(batch, q)
		q = queueRow{}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("reading the queue: %w", err)
	}
	for i := range batch {
		r.prevAfter, r.pos.After = r.pos.After, batch[i].seq
		if err := r.deliver(ctx, &batch[i]); err != nil {
			return 0, err
		}
	}
	return len(batch), nil
}

// shape returns how rows of table rel written with column types are
// decoded, loading the table's shape again if those differ from the
// cached one; nil if the table is no longer captured.
func (r *triggerRun) shape(ctx context.Context, rel uint32, types []uint32) (*queuedShape, error) {
	if s := r.shapes[rel]; s != nil && (s.ct == nil || types == nil || slices.Equal(s.types, types)) {
		return s, nil
	}
	t := r.t
	info, err := loadTable(ctx, t.conn, rel)
	if errors.Is(err, errTableGone) {
		return nil, fmt.Errorf("a queued change of table %d, which no longer exists: %w", rel, err)
	}
	if err != nil {
		return nil, err
	}
	if ok, _ := t.cfg.Filter.Captures(info.Schema, info.Name); !ok || info.Schema == t.cfg.Trigger.Schema {
		// Queued before the filters changed: the table is no longer
		// captured.
		t.log.Warn("skipping the queued changes of a table the filters no longer capture", "table", info.Schema+"."+info.Name)
		r.shapes[rel] = &queuedShape{}
		return nil, nil
	}
	rows, err := t.conn.Query(ctx, `SELECT attname::text, atttypid FROM pg_attribute
		WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, rel)
	if err != nil {
		return nil, fmt.Errorf("loading columns of %s: %w", info.quoted(), err)
	}
	var names []string
	var have []uint32
	var name string
	var oid uint32
	if _, err := pgx.ForEachRow(rows, []any{&name, &oid}, func() error {
		names, have = append(names, name), append(have, oid)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("loading columns of %s: %w", info.quoted(), err)
	}
	if types != nil && !slices.Equal(types, have) {
		return nil, fmt.Errorf("a queued change of %s has column types %v, the table now has %v: its columns changed while changes were queued",
			info.quoted(), types, have)
	}
	ct := t.table(info)
	s := &queuedShape{ct: ct, types: have, layout: ct.layout(names)}
	r.shapes[rel] = s
	return s, nil
}

// deliver turns one queued change into records.
func (r *triggerRun) deliver(ctx context.Context, q *queueRow) error {
	t := r.t
	s, err := r.shape(ctx, q.rel, q.types)
	if err != nil || s == nil || s.ct == nil {
		return err
	}
	ct := s.ct
	now := time.Now()
	src := (&envelope.Source{Name: t.cfg.TopicPrefix, DB: t.db, Schema: ct.Schema, Table: ct.Name,
		TsUs: q.tsUs, TxID: int64(uint32(q.xid)), HasTxID: true}).Struct()
	off := r.pos.offset(map[string]any{offTxID: int64(uint32(q.xid)), offTsUsec: q.tsUs})
	if q.op == "t" {
		if t.cfg.Skipped["t"] {
			return nil
		}
		t.metrics.event(&t.metrics.truncates, q.tsUs/1000, now)
		return t.send(ctx, t.record(ct, nil, ct.Envelope(envelope.OpTruncate, nil, nil, src, now), off), r)
	}
	skipped := t.cfg.Skipped
	if (q.op == "c" && skipped["c"]) || (q.op == "u" && skipped["u"]) || (q.op == "d" && skipped["d"]) {
		return nil
	}
	row := func(text []byte) ([]any, error) {
		if text == nil {
			return nil, nil
		}
		tuple, err := recordTuple(text)
		if err != nil {
			return nil, err
		}
		return s.layout.Row(tuple)
	}
	oldRow, err := row(q.old)
	if err == nil {
		var newRow []any
		newRow, err = row(q.new)
		if err == nil {
			return r.change(ctx, q.op, ct, oldRow, newRow, src, off, q.tsUs/1000, now)
		}
	}
	err = fmt.Errorf("decoding queued change %d of %s: %w", q.seq, ct.Topic, err)
	switch t.cfg.FailureMode {
	case FailureWarn:
		t.log.Warn("skipping an event that could not be processed", KeyFailureHandling, FailureWarn, "error", err)
		return nil
	case FailureSkip, FailureIgnore:
		t.log.Debug("skipping an event that could not be processed", KeyFailureHandling, t.cfg.FailureMode, "error", err)
		return nil
	}
	return err
}

// change emits a create, update or delete as the streamer does for the
// same change; the before of an update or delete is always the full row.
func (r *triggerRun) change(ctx context.Context, op string, ct *capturedTable, oldRow, newRow []any,
	src *schema.Struct, off map[string]any, tsMs int64, now time.Time,
) error {
	t := r.t
	switch op {
	case "c":
		if newRow == nil {
			return fmt.Errorf("queued insert of %s without a new row", ct.Topic)
		}
		t.metrics.event(&t.metrics.creates, tsMs, now)
		env := ct.Envelope(envelope.OpCreate, nil, ct.Value(newRow), src, now)
		return t.send(ctx, t.record(ct, ct.KeyStruct(newRow), env, off), r)
	case "u":
		if oldRow == nil || newRow == nil {
			return fmt.Errorf("queued update of %s without both rows", ct.Topic)
		}
		oldKey, newKey := ct.KeyStruct(oldRow), ct.KeyStruct(newRow)
		before, after := ct.Value(oldRow), ct.Value(newRow)
		if oldKey != nil && !oldKey.Equal(newKey) {
			// The delete and tombstone go to other partitions than the
			// create and may be acknowledged first: their offset must not
			// cover the row, or a restart then would never deliver the
			// create (its queue row deleted on that offset's commit).
			early := r.pos
			early.After = r.prevAfter
			earlyOff := early.offset(maps.Clone(off))
			t.metrics.event(&t.metrics.deletes, tsMs, now)
			del := t.record(ct, oldKey, ct.Envelope(envelope.OpDelete, before, nil, src, now), earlyOff)
			del.Headers = slices.Concat(del.Headers, []connect.Header{keyHeader(headerNewKey, newKey)})
			if err := t.send(ctx, del, r); err != nil {
				return err
			}
			if t.cfg.TombstonesOnDelete {
				if err := t.send(ctx, t.record(ct, oldKey, nil, maps.Clone(earlyOff)), r); err != nil {
					return err
				}
			}
			t.metrics.event(&t.metrics.creates, tsMs, now)
			create := t.record(ct, newKey, ct.Envelope(envelope.OpCreate, nil, after, src, now), off)
			create.Headers = slices.Concat(create.Headers, []connect.Header{keyHeader(headerOldKey, oldKey)})
			return t.send(ctx, create, r)
		}
		if t.cfg.SkipUnchanged && before.Equal(after) {
			return nil
		}
		t.metrics.event(&t.metrics.updates, tsMs, now)
		return t.send(ctx, t.record(ct, newKey, ct.Envelope(envelope.OpUpdate, before, after, src, now), off), r)
	case "d":
		if oldRow == nil {
			return fmt.Errorf("queued delete of %s without an old row", ct.Topic)
		}
		t.metrics.event(&t.metrics.deletes, tsMs, now)
		key := ct.KeyStruct(oldRow)
		delOff := off
		if t.cfg.TombstonesOnDelete && key != nil {
			// As for a key change: the tombstone is what covers the row.
			early := r.pos
			early.After = r.prevAfter
			delOff = early.offset(maps.Clone(off))
		}
		if err := t.send(ctx, t.record(ct, key, ct.Envelope(envelope.OpDelete, ct.Value(oldRow), nil, src, now), delOff), r); err != nil {
			return err
		}
		if t.cfg.TombstonesOnDelete && key != nil {
			return t.send(ctx, t.record(ct, key, nil, off), r)
		}
		return nil
	}
	return fmt.Errorf("queued change of %s with unknown operation %q", ct.Topic, op)
}

// keepBy and keep make the run goroutine clear the queue while it waits
// for room in the task's queue (see Task.send).
func (r *triggerRun) keepBy() time.Time { return time.Now().Add(r.t.cfg.PollInterval) }

func (r *triggerRun) keep(ctx context.Context) error { return r.clear(ctx) }

// commit records the queue position of an offset passed to Task.Commit.
func (r *triggerRun) commit(off map[string]any) error {
	pos, ok, err := loadTriggerPos(off)
	if err != nil || !ok {
		return err
	}
	r.committed.Store(&pos)
	r.t.wake.wake()
	return nil
}

// clear deletes the queue rows the committed position covers: under the
// runtime's commit contract their records are in Kafka and the offset is
// stored.
func (r *triggerRun) clear(ctx context.Context) error {
	c := r.committed.Load()
	if c == nil || *c == r.deleted {
		return nil
	}
	pos := *c
	if _, err := r.t.conn.Exec(ctx, `DELETE FROM `+r.queue+`
		WHERE xid < pg_snapshot_xmax($1::text::pg_snapshot) AND pg_visible_in_snapshot(xid, $1::text::pg_snapshot)`, pos.Prev); err != nil {
		return fmt.Errorf("clearing the queue: %w", err)
	}
	if pos.Cur != "" && pos.After > 0 {
		if _, err := r.t.conn.Exec(ctx, `DELETE FROM `+r.queue+`
			WHERE xid < pg_snapshot_xmax($1::text::pg_snapshot) AND pg_visible_in_snapshot(xid, $1::text::pg_snapshot) AND seq <= $2`,
			pos.Cur, pos.After); err != nil {
			return fmt.Errorf("clearing the queue: %w", err)
		}
	}
	r.deleted = pos
	return nil
}
