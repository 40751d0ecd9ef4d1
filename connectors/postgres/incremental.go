package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/javaser"
	"github.com/tributary-cdc/tributary/connectors/postgres/signal"
	"github.com/tributary-cdc/tributary/schema"
)

// snapshotMarkIncremental is source.snapshot on incremental snapshot rows.
const snapshotMarkIncremental = "incremental"

// incremental is the incremental snapshot (DBLog) of Debezium's
// SignalBasedIncrementalSnapshotChangeEventSource and
// AbstractIncrementalSnapshotChangeEventSource, interleaved with streaming:
// it lives in the run goroutine, which also streams. Each chunk of
// incremental.snapshot.chunk.size rows, in key order, is read between an
// open and a close watermark written to the signal table; while the
// stream is between the two, a streamed change to a key of the chunk drops
// that key's row from the chunk (it is stale); when the stream reaches the
// close watermark, the rows left are emitted as op "r" records and the
// next chunk is read. Its state goes into every offset while it runs
// (incContext.store), so a restart resumes at the chunk after the last row
// emitted.
type incremental struct {
	s     *streamer
	t     *Task
	codec keyCodec
	c     *incContext

	// The window: the rows of the chunk read, in key order, by key.
	rows  []winRow
	index map[string]int
	cur   *incTable // the table of the rows

	openedAt time.Time // when the open watermark was written
	// extra holds the offset keys of the running snapshot, nil when none
	// runs.
	extra       map[string]any
	progress    *tableProgress
	rowsScanned int64
	// event is the offset of the event being handled, which notifications
	// carry; pending holds the notifications not queued yet.
	event   map[string]any
	pending []signal.Notification
}

type winRow struct {
	row     []any
	key     []any // the chunk key
	dropped bool
}

// incTable is the table a chunk is read from.
type incTable struct {
	id   string // schema.table
	ct   *capturedTable
	cols []incKeyCol // the chunk key: surrogate key or key columns
}

type incKeyCol struct {
	name string
	oid  uint32 // the base type's
}

func newIncremental(s *streamer, stored map[string]any) (*incremental, error) {
	inc := &incremental{s: s, t: s.t, codec: javaKeys{}, index: map[string]int{}}
	c, err := loadIncContext(inc.codec, stored)
	if err != nil {
		return nil, fmt.Errorf("loading the incremental snapshot offsets: %w", err)
	}
	inc.c = c
	return inc, inc.refreshExtra()
}

// init resumes a snapshot the stored offset says is running, at the chunk
// after the last row emitted (AbstractIncrementalSnapshotChangeEventSource.init).
func (inc *incremental) init(ctx context.Context) error {
	if !inc.c.running() {
		return nil
	}
	inc.t.log.Info("incremental snapshot in progress; reading the next chunk", "collections", len(inc.c.collections))
	inc.event = inc.t.plan.resumeRaw
	inc.started()
	if err := inc.readChunk(ctx); err != nil {
		return err
	}
	return inc.flush(ctx)
}

// refreshExtra recomputes the offset keys of the running snapshot.
func (inc *incremental) refreshExtra() error {
	if !inc.c.running() {
		inc.extra = nil
		return nil
	}
	m := map[string]any{}
	if err := inc.c.store(inc.codec, m); err != nil {
		return err
	}
	inc.extra = m
	return nil
}

// decorate returns off with the running snapshot's keys, a copy when it
// adds them: nothing modifies an offset once queued.
// An offset that carries the keys of a snapshot no longer running (the
// stored one a restart replays from) loses them.
func (inc *incremental) decorate(off map[string]any) map[string]any {
	if inc == nil || off == nil {
		return off
	}
	if inc.extra == nil {
		if _, stale := off[offIncCollections]; !stale {
			return off
		}
		out := maps.Clone(off)
		for _, k := range []string{offIncCollections, offIncPrimaryKey, offIncMaximumKey, offIncCorrelationID} {
			delete(out, k)
		}
		return out
	}
	out := maps.Clone(off)
	maps.Copy(out, inc.extra)
	return out
}

// signal carries out a signal of channel source at lsn, whose event has
// offset off, or of another channel (lsn 0; off the position reached). A
// signal that cannot be carried out is logged and skipped; only errors of
// the data path are returned.
func (inc *incremental) signal(ctx context.Context, sig signal.Signal, lsn uint64, off map[string]any) error {
	inc.event = off
	if err := inc.act(ctx, sig, lsn, off); err != nil {
		return err
	}
	return inc.flush(ctx)
}

func (inc *incremental) act(ctx context.Context, sig signal.Signal, lsn uint64, off map[string]any) error {
	log := inc.t.log.With("signal_id", sig.ID, "signal_type", sig.Type, "channel", sig.Channel)
	act, err := signal.Parse(sig)
	if err != nil {
		log.Warn("skipping a signal that cannot be carried out", "error", err)
		return nil
	}
	switch a := act.(type) {
	case *signal.SnapshotWindowOpen:
		if sig.Channel != channelSource || !inc.c.expected(sig.ID) {
			log.Debug("ignoring the open window signal of another chunk", "expected", inc.c.chunkID)
			return nil
		}
		inc.c.windowOpen = true
	case *signal.SnapshotWindowClose:
		if sig.Channel != channelSource || !inc.c.expected(sig.ID) {
			log.Debug("ignoring the close window signal of another chunk", "expected", inc.c.chunkID)
			return nil
		}
		inc.c.windowOpen = false
		if err := inc.emitWindow(ctx, lsn, off); err != nil {
			return err
		}
		return inc.readChunk(ctx)
	case *signal.ExecuteSnapshot:
		log.Info("requested a snapshot", "type", a.SnapshotType, "data_collections", a.DataCollections, "surrogate_key", a.SurrogateKey)
		if a.SnapshotType == signal.SnapshotBlocking {
			return inc.s.blockingSnapshot(ctx, a, sig.ID, lsn != 0, off)
		}
		return inc.add(ctx, a, sig.ID)
	case *signal.StopSnapshot:
		log.Info("requested to stop a snapshot", "type", a.SnapshotType, "data_collections", a.DataCollections)
		if a.SnapshotType == signal.SnapshotIncremental && inc.c.running() {
			if len(a.DataCollections) == 0 {
				inc.c.stops = append(inc.c.stops, ".*")
			} else {
				inc.c.stops = append(inc.c.stops, a.DataCollections...)
			}
		}
	case *signal.PauseSnapshot:
		if inc.c.running() && !inc.c.paused {
			inc.t.log.Info("pausing the incremental snapshot")
			inc.c.paused = true
			inc.t.metrics.snapshotPaused(true)
			inc.notify(inc.t.snaps.IncrementalPaused(inc.correlation(), inc.collectionIDs()))
		}
	case *signal.ResumeSnapshot:
		if inc.c.running() && inc.c.paused {
			inc.t.log.Info("resuming the incremental snapshot")
			inc.c.paused = false
			inc.t.metrics.snapshotPaused(false)
			inc.notify(inc.t.snaps.IncrementalResumed(inc.correlation(), inc.collectionIDs()))
			return inc.readChunk(ctx)
		}
	case *signal.Log:
		inc.t.log.Info(signal.FormatLog(a.Message, javaMapString(inc.decorate(off))))
	}
	return nil
}

// add queues the tables of an execute-snapshot and, when no snapshot ran,
// starts reading (addDataCollectionNamesToSnapshot).
func (inc *incremental) add(ctx context.Context, a *signal.ExecuteSnapshot, id string) error {
	if len(inc.t.cfg.SignalTables) == 0 {
		inc.t.log.Warn("an incremental snapshot needs "+KeySignalDataCollection+" for its watermarks; skipping the signal", "signal_id", id)
		return nil
	}
	start := !inc.c.running()
	ids, err := inc.expand(ctx, a.DataCollections)
	if err != nil {
		return err
	}
	for _, name := range ids {
		col := incCollection{ID: name, SurrogateKey: a.SurrogateKey}
		if f := a.FilterFor(name); f != "" {
			col.Condition = "(" + f + ")"
		}
		inc.c.collections = append(inc.c.collections, col)
	}
	inc.c.correlationID = &id
	if err := inc.refreshExtra(); err != nil {
		return err
	}
	if !start || !inc.c.running() {
		return nil
	}
	inc.started()
	inc.notify(inc.t.snaps.IncrementalStarted(inc.correlation(), inc.collectionIDs()))
	return inc.readChunk(ctx)
}

// expand replaces each data collection that is a pattern matching
// captured tables by those tables (expandAndDedupeDataCollectionIds).
func (inc *incremental) expand(ctx context.Context, names []string) ([]string, error) {
	tables, err := listTables(ctx, inc.t.conn, inc.t.cfg.Filter)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(tables))
	for i, tr := range tables {
		ids[i] = tr.Schema + "." + tr.Name
	}
	return signal.ExpandDataCollections(names, ids), nil
}

// started is the metrics' snapshotStarted for an incremental snapshot.
func (inc *incremental) started() {
	m := &inc.t.metrics
	m.snapshotStarted(time.Now())
	tables := make([]*tableProgress, len(inc.c.collections))
	for i, c := range inc.c.collections {
		tables[i] = &tableProgress{id: c.ID}
	}
	m.snapRemaining.Store(int64(len(tables)))
	m.snapTables.Store(&tables)
	inc.progress = nil
	if len(tables) > 0 {
		inc.progress = tables[0]
	}
}

// observe is a streamed change to a key of table oid: inside an open
// window, the chunk's row of that key is stale (deduplicateWindow).
func (inc *incremental) observe(oid uint32, key *schema.Struct) {
	if inc == nil || !inc.c.windowOpen || inc.cur == nil || key == nil || inc.cur.ct.info.OID != oid {
		return
	}
	if i, ok := inc.index[keyID(key.Values)]; ok && !inc.rows[i].dropped {
		inc.rows[i].dropped = true
		inc.t.log.Debug("dropped a chunk row changed in the window", "table", inc.cur.id)
	}
}

// readChunk writes the open watermark, reads the next chunk into the
// window and writes the close watermark (readChunk). Tables that cannot
// be read are skipped with a notification; so is everything a server
// error stops.
func (inc *incremental) readChunk(ctx context.Context) error {
	c := inc.c
	if err := inc.applyStops(); err != nil {
		return err
	}
	if !c.running() {
		return inc.refreshExtra()
	}
	if c.paused {
		inc.t.log.Info("the incremental snapshot is paused")
		return nil
	}
	if len(inc.t.cfg.SignalTables) == 0 {
		// A snapshot the stored offsets say is running, on a connector
		// whose signal table has since been unset.
		return fmt.Errorf("incremental snapshot: the offsets hold a running incremental snapshot, and its watermarks need %s; "+
			"set it again (or send stop-snapshot through another channel after setting it)", KeySignalDataCollection)
	}
	inc.clearWindow()
	c.chunkID = newUUID()
	// A watermark that cannot be written stops the snapshot where it is:
	// the task fails, as Debezium's readChunk throws, rather than skip a
	// table the window was not about.
	if err := inc.writeOpen(ctx); err != nil {
		return fmt.Errorf("incremental snapshot: writing the open window signal: %w", err)
	}
	for c.running() {
		ok, err := inc.prepareTable(ctx)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if c.maxKey == nil {
			mk, err := inc.queryMaxKey(ctx)
			if err != nil {
				if err := inc.serverError(err, "reading the maximum key"); err != nil {
					return err
				}
				continue
			}
			if mk == nil {
				inc.t.log.Info("incremental snapshot of an empty table finished", "table", inc.cur.id)
				inc.tableDone(signal.ScanEmpty)
				continue
			}
			c.maxKey = mk
			inc.t.log.Info("incremental snapshot of a table will end at its maximum key", "table", inc.cur.id)
		}
		n, err := inc.readRows(ctx)
		if err != nil {
			inc.clearWindow()
			if err := inc.serverError(err, "reading a chunk"); err != nil {
				return err
			}
			continue
		}
		if n == 0 {
			inc.t.log.Info("incremental snapshot of a table finished", "table", inc.cur.id)
			inc.tableDone(signal.ScanSucceeded)
			continue
		}
		inc.notify(inc.t.snaps.IncrementalInProgress(inc.correlation(), inc.collectionIDs(), inc.cur.id,
			keyStrings(c.maxKey), keyStrings(c.chunkEnd)))
		break
	}
	if err := inc.writeClose(ctx); err != nil {
		return fmt.Errorf("incremental snapshot: writing the close window signal: %w", err)
	}
	return inc.refreshExtra()
}

// serverError skips the current table after an error the server reported
// (a SQLException in Debezium: warnAndSkip with SQL_EXCEPTION); any other
// error, such as a broken connection, fails the task.
func (inc *incremental) serverError(err error, doing string) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) && !errors.Is(err, errChunkKey) {
		return fmt.Errorf("incremental snapshot: %s: %w", doing, err)
	}
	id := ""
	if cur := inc.c.current(); cur != nil {
		id = cur.ID
	}
	inc.t.log.Warn("incremental snapshot of a table skipped after an error", "table", id, "while", doing, "error", err)
	inc.tableDone(signal.ScanSQLException)
	return inc.refreshExtra()
}

// tableDone ends the current table's snapshot with status and moves to
// the next table (notifyTableScanCompleted, nextDataCollection).
func (inc *incremental) tableDone(status signal.TableScanStatus) {
	cur := inc.c.current()
	if cur == nil {
		return
	}
	inc.notify(inc.t.snaps.IncrementalTableScanCompleted(inc.correlation(), inc.collectionIDs(), cur.ID, inc.rowsScanned, status))
	inc.rowsScanned = 0
	inc.cur = nil
	inc.c.nextCollection()
	m := &inc.t.metrics
	m.snapRemaining.Add(-1)
	inc.progress = nil
	if tables := m.snapTables.Load(); tables != nil {
		for _, p := range *tables {
			if cur := inc.c.current(); cur != nil && p.id == cur.ID {
				inc.progress = p
				break
			}
		}
	}
	if !inc.c.running() {
		inc.t.log.Info("incremental snapshot completed")
		m.snapshotEnded(true, time.Now())
		inc.notify(inc.t.snaps.IncrementalCompleted(inc.correlation()))
		inc.c.correlationID = nil
	}
}

// applyStops carries out the stop-snapshot signals received
// (checkAndProcessStopFlag): the tables matching them leave the snapshot.
func (inc *incremental) applyStops() error {
	c := inc.c
	if len(c.stops) == 0 {
		return nil
	}
	// The patterns match the snapshot's tables as data-collections match
	// the captured ones (expandAndDedupeDataCollectionIds).
	names := signal.ExpandDataCollections(c.stops, inc.collectionIDs())
	c.stops = nil
	var stopped []string
	var keep []incCollection
	stopCurrent := false
	for i, col := range c.collections {
		match := slices.Contains(names, col.ID)
		switch {
		case match && i == 0:
			// The current table leaves last, through nextCollection.
			stopCurrent = true
			keep = append(keep, col)
		case match:
			stopped = append(stopped, col.ID)
		default:
			keep = append(keep, col)
		}
	}
	c.collections = keep
	if stopCurrent {
		stopped = append(stopped, keep[0].ID)
		inc.clearWindow()
		inc.cur = nil
		inc.rowsScanned = 0
		c.nextCollection()
	}
	inc.t.log.Info("removed tables from the incremental snapshot", "data_collections", stopped)
	inc.notify(inc.t.snaps.IncrementalAborted(inc.correlation(), stopped))
	if !c.running() {
		inc.t.log.Info("incremental snapshot stopped")
		inc.t.metrics.snapshotEnded(false, time.Now())
		c.correlationID = nil
	}
	return inc.refreshExtra()
}

// prepareTable resolves the current table and its chunk key; it reports
// false, having skipped the table with a notification, when the table
// cannot be snapshotted incrementally.
func (inc *incremental) prepareTable(ctx context.Context) (bool, error) {
	col := inc.c.current()
	schemaName, table, ok := strings.Cut(col.ID, ".")
	if !ok {
		return inc.skip(signal.ScanUnknownSchema, "not a schema.table name")
	}
	if captured, _ := inc.t.cfg.Filter.Captures(schemaName, table); !captured {
		return inc.skip(signal.ScanUnknownSchema, "the table is not captured")
	}
	var oid uint32
	err := inc.t.conn.QueryRow(ctx, `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, schemaName, table).Scan(&oid)
	if errors.Is(err, pgx.ErrNoRows) {
		return inc.skip(signal.ScanUnknownSchema, "the table does not exist")
	}
	if err != nil {
		return false, fmt.Errorf("incremental snapshot: looking up %s: %w", col.ID, err)
	}
	// The chunk is read with the table's current shape.
	info, err := loadTable(ctx, inc.t.conn, oid)
	if errors.Is(err, errTableGone) {
		return inc.skip(signal.ScanUnknownSchema, "the table does not exist")
	}
	if err != nil {
		return false, fmt.Errorf("incremental snapshot: %w", err)
	}
	ct := inc.t.table(info)
	names := info.PK
	if custom, ok := inc.t.cfg.KeyColumns.columns(info); ok {
		names = custom
	}
	if col.SurrogateKey != "" {
		names = []string{col.SurrogateKey}
	}
	if len(names) == 0 {
		return inc.skip(signal.ScanNoPrimaryKey, "the table has no primary key; name a surrogate-key")
	}
	cols := make([]incKeyCol, 0, len(names))
	for _, n := range names {
		var ci *columnInfo
		for i := range info.Columns {
			if info.Columns[i].Name == n {
				ci = &info.Columns[i]
			}
		}
		switch {
		case ci == nil:
			return inc.skip(signal.ScanSQLException, fmt.Sprintf("the key column %q does not exist", n))
		case !ci.NotNull && !slices.Contains(info.PK, n):
			return inc.skip(signal.ScanSkipped, fmt.Sprintf("the key column %q is nullable", n))
		case !supportedKeyType(ci.TypeOID):
			return inc.skip(signal.ScanSkipped, fmt.Sprintf("the key column %q is of type %s, which chunk keys do not support (smallint, integer, bigint, numeric, text, varchar, char, uuid)", n, ci.TypeName))
		}
		cols = append(cols, incKeyCol{name: n, oid: ci.TypeOID})
	}
	// Keys stored by an earlier run (or by Debezium) for a table whose key
	// has changed since cannot bound its chunks: its snapshot starts over,
	// which re-reads rows rather than lose any.
	if c := inc.c; (c.chunkEnd != nil && len(c.chunkEnd) != len(cols)) || (c.maxKey != nil && len(c.maxKey) != len(cols)) {
		inc.t.log.Warn("the stored incremental snapshot keys do not match the table's key; its snapshot starts over",
			"table", col.ID, "key_columns", len(cols), "stored_key_values", max(len(c.chunkEnd), len(c.maxKey)))
		c.chunkEnd, c.maxKey = nil, nil
	}
	inc.cur = &incTable{id: col.ID, ct: ct, cols: cols}
	return true, nil
}

// skip skips the current table with a notification.
func (inc *incremental) skip(status signal.TableScanStatus, why string) (bool, error) {
	inc.t.log.Warn("incremental snapshot of a table skipped", "table", inc.c.current().ID, "reason", why, "status", status)
	inc.tableDone(status)
	return false, inc.refreshExtra()
}

// PostgreSQL type oids a chunk key may have.
const (
	oidInt2    = 21
	oidInt4    = 23
	oidInt8    = 20
	oidText    = 25
	oidVarchar = 1043
	oidBpchar  = 1042
	oidUUID    = 2950
	oidNumeric = 1700
)

func supportedKeyType(oid uint32) bool {
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidText, oidVarchar, oidBpchar, oidUUID, oidNumeric:
		return true
	}
	return false
}

// errChunkKey is a key value the chunk key cannot hold (a numeric NaN or
// infinity): the table is skipped.
var errChunkKey = errors.New("unsupported chunk key value")

// keyValue converts a key column's text to the value Debezium's JDBC read
// gives it (see keyCodec).
func keyValue(oid uint32, text string) (any, error) {
	switch oid {
	case oidInt2, oidInt4:
		n, err := strconv.ParseInt(text, 10, 32)
		return int32(n), err
	case oidInt8:
		return strconv.ParseInt(text, 10, 64)
	case oidUUID:
		var u javaser.UUID
		b, err := hex.DecodeString(strings.ReplaceAll(text, "-", ""))
		if err != nil || len(b) != len(u) {
			return nil, fmt.Errorf("%w: uuid %q", errChunkKey, text)
		}
		copy(u[:], b)
		return u, nil
	case oidNumeric:
		return parseBigDecimal(text)
	}
	return text, nil
}

// parseBigDecimal reads numeric's text as BigDecimal(String) does, keeping
// its scale.
func parseBigDecimal(text string) (javaser.BigDecimal, error) {
	intPart, frac, _ := strings.Cut(text, ".")
	digits := intPart + frac
	u, ok := new(big.Int).SetString(digits, 10)
	if !ok || strings.ContainsAny(digits, "eE") {
		return javaser.BigDecimal{}, fmt.Errorf("%w: numeric %q", errChunkKey, text)
	}
	return javaser.BigDecimal{Unscaled: u, Scale: int32(len(frac))}, nil
}

// keyText is a key value as a text-format query parameter.
func keyText(v any) []byte {
	switch x := v.(type) {
	case int16:
		return strconv.AppendInt(nil, int64(x), 10)
	case int32:
		return strconv.AppendInt(nil, int64(x), 10)
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case string:
		return []byte(x)
	case javaser.UUID:
		h := hex.EncodeToString(x[:])
		return []byte(h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:])
	case javaser.BigDecimal:
		return []byte(decimalText(x))
	}
	return []byte(fmt.Sprint(v))
}

// decimalText is BigDecimal.toPlainString.
func decimalText(d javaser.BigDecimal) string {
	if d.Unscaled == nil {
		return "0"
	}
	s := new(big.Int).Abs(d.Unscaled).String()
	sign := ""
	if d.Unscaled.Sign() < 0 {
		sign = "-"
	}
	switch {
	case d.Scale <= 0:
		return sign + s + strings.Repeat("0", int(-d.Scale))
	case int(d.Scale) >= len(s):
		return sign + "0." + strings.Repeat("0", int(d.Scale)-len(s)) + s
	}
	return sign + s[:len(s)-int(d.Scale)] + "." + s[len(s)-int(d.Scale):]
}

// keyColumnsSQL lists the chunk key columns, quoted.
func (tb *incTable) keyColumnsSQL(suffix string) string {
	parts := make([]string, len(tb.cols))
	for i, c := range tb.cols {
		parts[i] = pgx.Identifier{c.name}.Sanitize() + suffix
	}
	return strings.Join(parts, ", ")
}

// row is ROW(k1, k2) or k1 for one column, as
// RowValueConstructorChunkQueryBuilder writes it; params from $first.
func (tb *incTable) row(params bool, first int) string {
	var s string
	if params {
		ps := make([]string, len(tb.cols))
		for i := range tb.cols {
			ps[i] = "$" + strconv.Itoa(first+i)
		}
		s = strings.Join(ps, ", ")
	} else {
		s = tb.keyColumnsSQL("")
	}
	if len(tb.cols) > 1 {
		return "ROW(" + s + ")"
	}
	return s
}

// queryMaxKey reads the table's largest key (buildMaxPrimaryKeyQuery).
func (inc *incremental) queryMaxKey(ctx context.Context) ([]any, error) {
	tb := inc.cur
	sql := "SELECT " + tb.keyColumnsSQL("") + " FROM " + tb.ct.info.quoted()
	if cond := inc.c.current().Condition; cond != "" {
		sql += " WHERE " + cond
	}
	sql += " ORDER BY " + tb.keyColumnsSQL(" DESC") + " LIMIT 1"
	rr := inc.t.conn.PgConn().ExecParams(ctx, sql, nil, nil, nil, nil)
	var key []any
	for rr.NextRow() {
		vals := rr.Values()
		key = make([]any, len(vals))
		for i, v := range vals {
			k, err := keyValue(tb.cols[i].oid, string(v))
			if err != nil {
				_, _ = rr.Close()
				return nil, err
			}
			key[i] = k
		}
	}
	if _, err := rr.Close(); err != nil {
		return nil, err
	}
	return key, nil
}

// readRows reads the next chunk into the window and returns its size
// (createDataEventsForTable).
func (inc *incremental) readRows(ctx context.Context) (int, error) {
	tb, c := inc.cur, inc.c
	var where []string
	var params [][]byte
	var oids []uint32
	if c.chunkEnd != nil {
		where = append(where, tb.row(false, 0)+" > "+tb.row(true, 1), tb.row(false, 0)+" <= "+tb.row(true, 1+len(tb.cols)))
		for _, k := range [][]any{c.chunkEnd, c.maxKey} {
			for i, v := range k {
				params = append(params, keyText(v))
				oids = append(oids, tb.cols[i].oid)
			}
		}
	}
	if cond := c.current().Condition; cond != "" {
		where = append(where, cond)
	}
	sql := "SELECT * FROM " + tb.ct.info.quoted()
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY " + tb.keyColumnsSQL("") + " LIMIT " + strconv.Itoa(inc.t.cfg.IncrementalChunkSize)
	rr := inc.t.conn.PgConn().ExecParams(ctx, sql, params, oids, nil, nil)
	fields := rr.FieldDescriptions()
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	keyPos := make([]int, len(tb.cols))
	for i, kc := range tb.cols {
		keyPos[i] = -1
		for j, n := range names {
			if n == kc.name {
				keyPos[i] = j
			}
		}
	}
	layout := tb.ct.layout(names)
	n := 0
	for rr.NextRow() {
		vals := rr.Values()
		key := make([]any, len(tb.cols))
		for i, p := range keyPos {
			if p < 0 {
				_, _ = rr.Close()
				return 0, fmt.Errorf("the chunk key column %q is not in the result", tb.cols[i].name)
			}
			k, err := keyValue(tb.cols[i].oid, string(vals[p]))
			if err != nil {
				_, _ = rr.Close()
				return 0, err
			}
			key[i] = k
		}
		row, err := layout.Text(vals)
		if err != nil {
			_, _ = rr.Close()
			return 0, fmt.Errorf("decoding a row of %s: %w", tb.id, err)
		}
		id := keyID(key)
		if ks := tb.ct.KeyStruct(row); ks != nil {
			id = keyID(ks.Values)
		}
		inc.index[id] = len(inc.rows)
		inc.rows = append(inc.rows, winRow{row: row, key: key})
		n++
	}
	if _, err := rr.Close(); err != nil {
		inc.clearWindow()
		return 0, err
	}
	if n > 0 {
		c.chunkEnd = inc.rows[len(inc.rows)-1].key
	}
	inc.rowsScanned += int64(n)
	if inc.progress != nil {
		inc.progress.rows.Add(int64(n))
	}
	return n, nil
}

func (inc *incremental) clearWindow() {
	inc.rows = inc.rows[:0]
	clear(inc.index)
}

// writeOpen writes the open watermark (emitWindowOpen).
func (inc *incremental) writeOpen(ctx context.Context) error {
	inc.openedAt = time.Now()
	data := `{"openWindowTimestamp": "` + javaInstant(inc.openedAt) + `"}`
	_, err := inc.t.conn.Exec(ctx, "INSERT INTO "+inc.signalTable()+" VALUES ($1, $2, $3)",
		inc.c.chunkID+"-open", signal.TypeSnapshotWindowOpen, data)
	return err
}

// writeClose writes the close watermark: an insert (InsertWindowCloser),
// or the deletion of the open one (DeleteWindowCloser).
func (inc *incremental) writeClose(ctx context.Context) error {
	if inc.t.cfg.WatermarkInsertDelete {
		_, err := inc.t.conn.Exec(ctx, "DELETE FROM "+inc.signalTable()+" WHERE id = $1", inc.c.chunkID+"-open")
		return err
	}
	data := `{"openWindowTimestamp": "` + javaInstant(inc.openedAt) + `", "closeWindowTimestamp": "` + javaInstant(time.Now()) + `"}`
	_, err := inc.t.conn.Exec(ctx, "INSERT INTO "+inc.signalTable()+" VALUES ($1, $2, $3)",
		inc.c.chunkID+"-close", signal.TypeSnapshotWindowClose, data)
	return err
}

func (inc *incremental) signalTable() string {
	s := inc.t.cfg.SignalTables[0]
	return pgx.Identifier{s.Schema, s.Name}.Sanitize()
}

// emitWindow sends the rows left in the window as op "r" records
// (sendWindowEvents). Each carries the offset of the event that closed
// the window, marked as an incremental snapshot's, with the row's key as
// the last one sent.
func (inc *incremental) emitWindow(ctx context.Context, lsn uint64, off map[string]any) error {
	tb := inc.cur
	if tb == nil || len(inc.rows) == 0 {
		inc.clearWindow()
		return nil
	}
	ct := tb.ct
	now := time.Now()
	src := (&envelope.Source{
		Name: inc.t.cfg.TopicPrefix, DB: inc.t.db, Schema: ct.Schema, Table: ct.Name, TsUs: now.UnixMicro(),
		Snapshot: snapshotMarkIncremental, LastCommitLSN: inc.s.pos.lastCommit, LSN: lsn,
	}).Struct()
	// PostgresSourceInfoStructMaker leaves txId, lsn and xmin out of
	// incremental snapshot rows; the sequence keeps the position.
	src.Values[srcPos.lsn] = nil
	src.Values[srcPos.txID] = nil
	base := maps.Clone(off)
	base[offSnapshot] = snapshotIncremental
	base[offLastSnapshotRecord] = false
	base[offSnapshotCompleted] = false
	base[offTsUsec] = now.UnixMicro()
	if err := inc.c.store(inc.codec, base); err != nil {
		return err
	}
	for i := range inc.rows {
		w := &inc.rows[i]
		if w.dropped {
			continue
		}
		inc.c.lastSent = w.key
		pk, err := encodeKey(inc.codec, w.key)
		if err != nil {
			return fmt.Errorf("encoding %s: %w", offIncPrimaryKey, err)
		}
		o := maps.Clone(base)
		o[offIncPrimaryKey] = pk
		env := ct.Envelope(envelope.OpRead, nil, ct.Value(w.row), src, now)
		rec := inc.t.record(ct, ct.KeyStruct(w.row), env, o)
		if err := inc.t.send(ctx, rec, inc.s); err != nil {
			return err
		}
	}
	inc.clearWindow()
	return inc.refreshExtra()
}

// notify keeps a notification for flush to queue.
func (inc *incremental) notify(n signal.Notification) {
	inc.pending = append(inc.pending, n)
}

// flush hands the pending notifications to the notification channels,
// queuing the sink channel's records with the offset of the event being
// handled.
func (inc *incremental) flush(ctx context.Context) error {
	pending := inc.pending
	inc.pending = nil
	for _, n := range pending {
		if err := inc.t.sendNotification(ctx, n, inc.decorate(inc.event), inc.s); err != nil {
			return err
		}
	}
	return nil
}

// correlation is the running snapshot's correlation id, "" for none.
func (inc *incremental) correlation() string {
	if inc.c.correlationID == nil {
		return ""
	}
	return *inc.c.correlationID
}

func (inc *incremental) collectionIDs() []string {
	out := make([]string, len(inc.c.collections))
	for i, c := range inc.c.collections {
		out[i] = c.ID
	}
	return out
}

// keyStrings shows a chunk key's values as Java's toString does, nil for
// none.
func keyStrings(key []any) []string {
	if key == nil {
		return nil
	}
	out := make([]string, len(key))
	for i, v := range key {
		switch v.(type) {
		case nil:
			out[i] = signal.NullKeyPart
		default:
			out[i] = string(keyText(v))
		}
	}
	return out
}

// javaMapString shows an offset as Java's Map.toString does ({k=v, …}),
// keys sorted.
func javaMapString(m map[string]any) string {
	if m == nil {
		return "<none>"
	}
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		if m[k] == nil {
			b.WriteString("null")
		} else {
			fmt.Fprint(&b, m[k])
		}
	}
	b.WriteByte('}')
	return b.String()
}

// keyID identifies a key by its values, for the window's index.
func keyID(vals []any) string {
	var b []byte
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			b = append(b, 'N')
		case []byte:
			b = append(b, 'B')
			b = strconv.AppendInt(b, int64(len(x)), 10)
			b = append(b, ':')
			b = append(b, x...)
		case string:
			b = append(b, 'S')
			b = strconv.AppendInt(b, int64(len(x)), 10)
			b = append(b, ':')
			b = append(b, x...)
		case javaser.UUID, javaser.BigDecimal:
			b = append(b, 'K')
			b = append(b, keyText(x)...)
		default:
			b = fmt.Appendf(b, "%T=", v)
			b = appendJavaString(b, v)
		}
		b = append(b, 0)
	}
	return string(b)
}

// javaInstant formats t as java.time.Instant.toString does: UTC, with the
// fraction in groups of three digits, none when zero.
func javaInstant(t time.Time) string {
	t = t.UTC()
	s := t.Format("2006-01-02T15:04:05")
	ns := t.Nanosecond()
	switch {
	case ns == 0:
	case ns%1_000_000 == 0:
		s += fmt.Sprintf(".%03d", ns/1_000_000)
	case ns%1_000 == 0:
		s += fmt.Sprintf(".%06d", ns/1_000)
	default:
		s += fmt.Sprintf(".%09d", ns)
	}
	return s + "Z"
}
