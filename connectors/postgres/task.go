package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/sync/errgroup"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/signal"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema"
)

// closeTimeout bounds closing connections on Stop.
const closeTimeout = 5 * time.Second

// Task is the source task. Start opens its connections and sets up the
// publication and slot; one goroutine (owned by an errgroup) then snapshots
// and streams into a bounded channel that Poll drains.
type Task struct {
	log       *slog.Logger
	cfg       *Config
	partition map[string]any
	headers   []connect.Header
	db        string

	// conn (queries) and repl (replication) belong to the run goroutine
	// once Start has returned.
	conn *pgx.Conn
	repl *pgconn.PgConn
	plan plan
	// tables holds the built schemas by table OID, shared by snapshot and
	// streaming so that a table keeps its schema pointers across both.
	tables map[uint32]*capturedTable
	// message holds the schemas of logical decoding message records.
	message *envelope.Message
	// notifier delivers notifications to notification.enabled.channels;
	// snaps builds the snapshot ones.
	notifier *signal.Notifier
	snaps    signal.Snapshots
	// channels are the signal channels besides the signal table; a
	// goroutine of the group reads them into external, which the
	// streaming loop drains.
	channels []signal.Channel
	external chan signal.Signal

	records *recordQueue
	// queued bounds the records queue by estimated bytes as well.
	queued queueBytes
	// sent counts the records queued; only the goroutine queuing them (the
	// run goroutine, or a snapshot reader under the emitter's lock) uses
	// it. taken counts the records Poll took; only Poll uses it.
	sent, taken int64
	// marker is the pending position marker (see positionMarker); markerSet
	// (capacity 1) wakes a Poll waiting for records when one is set.
	marker    atomic.Pointer[positionMarker]
	markerSet chan struct{}
	// keepTimer is send's wait for its keeper, reused.
	keepTimer *time.Timer
	// committed is the highest LSN the offsets passed to Commit allow the
	// slot to confirm. The runtime's commit contract makes every record
	// polled before such an offset durable, so the task keeps no account
	// of delivered records.
	committed atomic.Uint64
	wake      waker
	// metrics is what Metrics reports; its zero value is ready.
	metrics taskMetrics
	// trig is set in a task of the trigger-based capture (NewTriggerTask),
	// which reads a queue table instead of a replication slot.
	trig *triggerRun
	// started is set once Start has set up the fields Metrics reads (cfg,
	// records, queued): Metrics may be called while Start runs.
	started atomic.Bool

	cancel context.CancelFunc
	group  *errgroup.Group
	done   chan struct{} // closed when the run goroutine has ended
	err    error         // the run goroutine's error; read after done
}

// NewTask returns an unstarted task.
func NewTask() *Task {
	return &Task{wake: waker{ch: make(chan struct{}, 1)}, tables: map[uint32]*capturedTable{}, markerSet: make(chan struct{}, 1)}
}

// table returns the schemas of a table, rebuilding them only when the
// catalog shows a different shape.
func (t *Task) table(info *tableInfo) *capturedTable {
	ct := t.tables[info.OID]
	if ct == nil || !ct.info.equal(info) {
		ct = buildTable(t.cfg, info, t.log)
		t.tables[info.OID] = ct
	}
	return ct
}

var _ connect.SourceTask = (*Task)(nil)

// plan is what Start decided the run goroutine will do.
type plan struct {
	snapshot bool
	// exported is the snapshot exported by a slot created now, "" when the
	// slot existed.
	exported    string
	snapshotLSN uint64
	tables      []tableRef

	stream   bool
	startLSN uint64
	// resume is the stored offset when streaming resumes from it; events
	// it already covers are skipped. resumeRaw is the same offset as
	// stored, carried by heartbeats until the resumed transaction is passed.
	resume    *offset
	resumeRaw map[string]any
	// floor is the slot's confirmed position at start: confirming it again
	// is a no-op.
	floor uint64
}

// Start connects, reads the stored offset, prepares the publication and the
// slot, and starts the snapshot and/or streaming goroutine.
func (t *Task) Start(ctx context.Context, tc connect.TaskContext, config map[string]string) (err error) {
	parse := ParseConfig
	if t.trig != nil {
		parse = ParseTriggerConfig
	}
	cfg, errs := parse(config)
	if len(errs) > 0 {
		msgs := make([]error, len(errs))
		for i, e := range errs {
			msgs[i] = errors.New(e.Message)
		}
		return fmt.Errorf("parsing config: %w", errors.Join(msgs...))
	}
	t.cfg = cfg
	t.message = envelope.NewMessage(cfg.Types.Binary != typemap.BinaryBytes)
	t.log = tc.Logger().With("component", "postgres")
	t.partition = map[string]any{partitionKey: cfg.TopicPrefix}
	if cfg.ExtendedHeaders {
		t.headers = contextHeaders(cfg.TopicPrefix)
	}
	for _, w := range cfg.Warnings {
		t.log.Warn(w)
	}
	t.queued = queueBytes{limit: cfg.MaxQueueBytes, freed: make(chan struct{}, 1)}
	if t.notifier, err = signal.NewNotifier(cfg.Notifications, t.log); err != nil {
		return err
	}
	t.snaps = signal.Snapshots{ConnectorName: cfg.TopicPrefix}
	if m, ok := tc.(connect.MemoryAccounter); ok {
		t.queued.mem = m.MemoryAccount()
	}
	defer func() {
		if err != nil {
			err = t.classify(err)
			_ = signal.CloseChannels(t.channels)
			t.channels = nil
			t.closeConns()
		}
	}()
	if err := t.connect(ctx); err != nil {
		return err
	}
	stored, err := tc.Offset(ctx, t.partition)
	if err != nil {
		return fmt.Errorf("reading offsets: %w", err)
	}
	off, err := loadOffset(stored)
	if err != nil {
		return fmt.Errorf("loading offset: %w", err)
	}
	tables, err := listTables(ctx, t.conn, cfg.Filter)
	if err != nil {
		return err
	}
	if t.trig != nil {
		if err := t.trig.prepare(ctx, stored, off, tables); err != nil {
			return err
		}
		if err := t.trig.openListener(ctx); err != nil {
			return err
		}
	} else {
		if err := t.ensurePublication(ctx, tables); err != nil {
			return err
		}
		if err := t.setReplicaIdentities(ctx, tables); err != nil {
			return err
		}
		if err := t.makePlan(ctx, off, tables); err != nil {
			return err
		}
		if t.plan.resume != nil {
			t.plan.resumeRaw = stored
		}
		if t.channels, err = signal.OpenChannels(ctx, cfg.Signals, tc, t.log); err != nil {
			return fmt.Errorf("opening the signal channels: %w", err)
		}
	}
	t.external = make(chan signal.Signal, externalSignals)

	t.records = newRecordQueue(cfg.MaxQueueSize)
	t.done = make(chan struct{})
	runCtx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	g, gctx := errgroup.WithContext(runCtx)
	t.group = g
	t.started.Store(true)
	g.Go(func() error {
		err := t.run(gctx)
		switch {
		case gctx.Err() == nil:
			err = t.classify(err)
		case runCtx.Err() == nil:
			// Not stopped: a sibling (the trigger LISTEN loop, a signal
			// channel) failed, and its error is why the run ended; Poll
			// must report it rather than the cancellation it caused.
			err = context.Cause(gctx)
		}
		t.err = err
		close(t.done)
		return err
	})
	if len(t.channels) > 0 {
		g.Go(func() error { return t.readSignals(gctx) })
	}
	if t.trig != nil {
		g.Go(func() error { return t.trig.listenLoop(gctx) })
	}
	return nil
}

func (t *Task) connect(ctx context.Context) error {
	pc, err := t.cfg.pgxConfig()
	if err != nil {
		return err
	}
	if t.conn, err = pgx.ConnectConfig(ctx, pc); err != nil {
		return fmt.Errorf("connecting to %s:%d: %w", t.cfg.Host, t.cfg.Port, err)
	}
	if err := t.conn.QueryRow(ctx, "SELECT current_database()").Scan(&t.db); err != nil {
		return fmt.Errorf("reading the database name: %w", err)
	}
	if t.trig != nil {
		return nil
	}
	rc, err := t.cfg.connConfig(true)
	if err != nil {
		return err
	}
	if t.repl, err = pgconn.ConnectConfig(ctx, rc); err != nil {
		return fmt.Errorf("opening a replication connection to %s:%d: %w", t.cfg.Host, t.cfg.Port, err)
	}
	return nil
}

// ensurePublication creates the publication if it is missing, as
// publication.autocreate.mode says; filtered also resets its table list.
func (t *Task) ensurePublication(ctx context.Context, tables []tableRef) error {
	name := pgx.Identifier{t.cfg.PublicationName}.Sanitize()
	var exists bool
	if err := t.conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)",
		t.cfg.PublicationName).Scan(&exists); err != nil {
		return fmt.Errorf("looking up publication %s: %w", t.cfg.PublicationName, err)
	}
	var stmt string
	switch t.cfg.PublicationMode {
	case PublicationDisabled:
		if !exists {
			return fmt.Errorf("publication %s does not exist and %s is disabled",
				t.cfg.PublicationName, KeyPublicationAutocreate)
		}
	case PublicationAllTables:
		if !exists {
			stmt = "CREATE PUBLICATION " + name + " FOR ALL TABLES"
		}
	case PublicationNoTables:
		if !exists {
			stmt = "CREATE PUBLICATION " + name
		}
	case PublicationFiltered:
		list := ""
		for i, tr := range tables {
			if i > 0 {
				list += ", "
			}
			list += tr.quoted()
		}
		switch {
		case !exists && list == "":
			stmt = "CREATE PUBLICATION " + name
		case !exists:
			stmt = "CREATE PUBLICATION " + name + " FOR TABLE " + list
		case list != "":
			stmt = "ALTER PUBLICATION " + name + " SET TABLE " + list
		}
	}
	if stmt == "" {
		return nil
	}
	if t.cfg.PublishViaPartitionRoot && strings.HasPrefix(stmt, "CREATE ") {
		// As Debezium: only a publication it creates gets the option; an
		// existing one keeps its own.
		stmt += " WITH (publish_via_partition_root = true)"
	}
	if _, err := t.conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("preparing publication %s: %w", t.cfg.PublicationName, err)
	}
	t.log.Info("prepared publication", "statement", stmt)
	return nil
}

// setReplicaIdentities applies replica.identity.autoset.values to the
// captured tables: the first matching rule wins.
func (t *Task) setReplicaIdentities(ctx context.Context, tables []tableRef) error {
	for _, tr := range tables {
		for _, rule := range t.cfg.ReplicaIdentities {
			if !rule.table.MatchString(tr.Schema + "." + tr.Name) {
				continue
			}
			stmt := "ALTER TABLE " + tr.quoted() + " REPLICA IDENTITY " + rule.identity
			if _, err := t.conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("setting the replica identity of %s.%s (%s): %w", tr.Schema, tr.Name, KeyReplicaIdentityAutoset, err)
			}
			t.log.Info("set replica identity", "statement", stmt)
			break
		}
	}
	return nil
}

// makePlan decides between snapshot and streaming, creating the slot if it
// is missing.
func (t *Task) makePlan(ctx context.Context, off *offset, tables []tableRef) error {
	mode := t.cfg.SnapshotMode
	completed := off != nil && off.snapshotDone()
	var slotPos pglogrepl.LSN
	var slotFound bool
	var pos, walStatus *string
	err := t.conn.QueryRow(ctx, "SELECT confirmed_flush_lsn::text, wal_status FROM pg_replication_slots WHERE slot_name = $1",
		t.cfg.SlotName).Scan(&pos, &walStatus)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return fmt.Errorf("looking up slot %s: %w", t.cfg.SlotName, err)
	default:
		slotFound = true
		if pos != nil {
			if slotPos, err = pglogrepl.ParseLSN(*pos); err != nil {
				return fmt.Errorf("parsing the position of slot %s: %w", t.cfg.SlotName, err)
			}
		}
	}

	if slotFound && walStatus != nil && *walStatus == "lost" {
		// The WAL the slot needs was removed (max_slot_wal_keep_size).
		if mode != SnapshotWhenNeeded {
			return fmt.Errorf("%w: replication slot %s has lost the WAL it needs; the changes since its position %s are gone (set %s=%s to take a new snapshot)",
				errSlotMissing, t.cfg.SlotName, slotPos, KeySnapshotMode, SnapshotWhenNeeded)
		}
		t.log.Warn("replication slot lost its WAL; dropping it and taking a new snapshot", "slot", t.cfg.SlotName)
		if _, err := t.conn.Exec(ctx, "SELECT pg_drop_replication_slot($1)", t.cfg.SlotName); err != nil {
			return fmt.Errorf("dropping replication slot %s: %w", t.cfg.SlotName, err)
		}
		slotFound, slotPos = false, 0
	}

	p := &t.plan
	p.tables = tables
	switch mode {
	case SnapshotInitial, SnapshotInitialOnly:
		p.snapshot = !completed
	case SnapshotAlways:
		p.snapshot = true
	case SnapshotWhenNeeded:
		p.snapshot = !completed || !slotFound
	}
	p.stream = mode != SnapshotInitialOnly

	if !slotFound && off != nil && p.stream && !p.snapshot {
		// Creating the slot now would silently skip every change between
		// the stored offset and now.
		return fmt.Errorf("%w: replication slot %s does not exist, but the stored offset (lsn %s) needs it; the changes since then are gone (set %s=%s to take a new snapshot, or reset the connector's offsets)",
			errSlotMissing, t.cfg.SlotName, pglogrepl.LSN(off.resumeLSN()), KeySnapshotMode, SnapshotWhenNeeded)
	}
	if !slotFound {
		action := "NOEXPORT_SNAPSHOT"
		if p.snapshot {
			action = "EXPORT_SNAPSHOT"
		}
		if failover, err := t.useFailoverSlot(ctx); err != nil {
			return err
		} else if failover {
			// The option list syntax (PostgreSQL 15+) is the only one
			// that takes FAILOVER.
			action = "(SNAPSHOT 'nothing', FAILOVER)"
			if p.snapshot {
				action = "(SNAPSHOT 'export', FAILOVER)"
			}
		}
		res, err := pglogrepl.CreateReplicationSlot(ctx, t.repl, t.cfg.SlotName, "pgoutput",
			pglogrepl.CreateReplicationSlotOptions{Mode: pglogrepl.LogicalReplication, SnapshotAction: action})
		if err != nil {
			return fmt.Errorf("creating replication slot %s: %w", t.cfg.SlotName, err)
		}
		if slotPos, err = pglogrepl.ParseLSN(res.ConsistentPoint); err != nil {
			return fmt.Errorf("parsing the consistent point of slot %s: %w", t.cfg.SlotName, err)
		}
		p.exported = res.SnapshotName
		if off != nil {
			t.log.Warn("the slot was missing although offsets exist; taking a new snapshot", "slot", t.cfg.SlotName)
		}
		t.log.Info("created replication slot", "slot", t.cfg.SlotName, "consistent_point", slotPos)
	}
	p.floor = uint64(slotPos)
	switch {
	case p.snapshot:
		p.snapshotLSN = uint64(slotPos)
		p.startLSN = p.snapshotLSN
	case off != nil && off.resumeLSN() != 0:
		p.startLSN = off.resumeLSN()
		if !off.Snapshot {
			p.resume = off
		}
	default:
		p.startLSN = uint64(slotPos)
	}
	t.log.Info("starting", "snapshot_mode", mode, "snapshot", p.snapshot, "stream", p.stream,
		"start_lsn", pglogrepl.LSN(p.startLSN), "tables", len(tables))
	return nil
}

// run is the body of the task's goroutine.
func (t *Task) run(ctx context.Context) error {
	if t.plan.snapshot {
		if err := t.snapshot(ctx); err != nil {
			return err
		}
		if t.trig != nil {
			t.trig.afterSnapshot()
		}
	}
	if !t.plan.stream {
		return nil
	}
	if t.trig != nil {
		return t.trig.stream(ctx)
	}
	return t.stream(ctx)
}

// Poll returns the queued records, at most max.batch.size, with the
// pending position marker where it belongs among them. It waits up to
// poll.interval.ms for a first record and returns an empty batch if none
// came, as Debezium's ChangeEventQueue does (which, unlike Poll, also keeps
// waiting within that interval for a full batch). Once the goroutine has
// failed and the queue is drained, Poll returns its error.
func (t *Task) Poll(ctx context.Context) ([]connect.SourceRecord, error) {
	// The runtime is done with the previous batch.
	t.queued.handOut(0)
	first, ok := t.records.pop()
	if !ok {
		if batch := t.placeMarker(nil); batch != nil {
			return batch, nil
		}
		timer := time.NewTimer(t.cfg.PollInterval)
		defer timer.Stop()
	wait:
		for {
			select {
			case <-t.records.ready:
				if first, ok = t.records.pop(); ok {
					break wait
				}
			case <-t.markerSet:
				if batch := t.placeMarker(nil); batch != nil {
					return batch, nil
				}
			case <-t.done:
				if first, ok = t.records.pop(); ok {
					break wait
				}
				if t.err != nil {
					return nil, t.err
				}
				// Finished without error (initial_only): nothing more
				// will come.
				select {
				case <-timer.C:
					return nil, nil
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			case <-timer.C:
				return nil, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	// Room for the records queued now, and a marker.
	batch := make([]connect.SourceRecord, 1, min(t.cfg.MaxBatchSize, t.records.len()+1)+1)
	batch[0] = first.rec
	batch, size := t.records.popInto(batch, t.cfg.MaxBatchSize)
	size += first.size
	t.queued.release(size)
	t.queued.handOut(size)
	return t.placeMarker(batch), nil
}

// positionMarker asks the runtime to acknowledge a position that no record
// carries (a keepalive's WAL end, the end of a transaction that produced no
// records): Poll hands it out as an offset-only record at its place in the
// queue, after the records queued before it was set and before those
// queued since. Under the runtime's commit contract its Commit comes once
// every record before it is durable, and the slot may then confirm the
// position. A newer marker replaces one not handed out yet.
type positionMarker struct {
	offset map[string]any
	after  int64 // Task.sent when the marker was set
}

// setMarker makes offset the pending position marker. The goroutine that
// queues records calls it.
func (t *Task) setMarker(offset map[string]any) {
	t.marker.Store(&positionMarker{offset: offset, after: t.sent})
	select {
	case t.markerSet <- struct{}{}:
	default:
	}
}

// placeMarker accounts for batch, the records Poll just took, and returns
// it with the pending position marker inserted at its place if that place
// is in it (or right after it). Loaded after the batch's records were
// received, the marker is any set before the last of them was queued, or
// a newer one. With an empty batch it returns the marker alone, or nil.
func (t *Task) placeMarker(batch []connect.SourceRecord) []connect.SourceRecord {
	from := t.taken
	t.taken += int64(len(batch))
	m := t.marker.Load()
	if m == nil || m.after > t.taken || !t.marker.CompareAndSwap(m, nil) {
		// None, or its place is further on (or a newer one was set just
		// now: the next Poll places that one).
		return batch
	}
	if m.after < from {
		// Records queued after it have been handed out already: its
		// position would move the stored offset back. A later one will
		// cover it.
		return batch
	}
	return slices.Insert(batch, int(m.after-from), connect.SourceRecord{SourcePartition: t.partition, SourceOffset: m.offset})
}

// Commit lets the slot confirm what off covers: lsn_commit, else lsn_proc.
// Under the runtime's commit contract every record polled before the one
// that carried off is durable, so the position needs no other check. It is
// handed to the goroutine that owns the replication connection.
func (t *Task) Commit(_ context.Context, partition, off map[string]any) error {
	if t.cfg == nil || off == nil || partition[partitionKey] != t.cfg.TopicPrefix {
		return nil
	}
	if t.trig != nil {
		return t.trig.commit(off)
	}
	var o offset
	if err := o.decode(off); err != nil {
		return err
	}
	lsn := o.flushLSN()
	for {
		cur := t.committed.Load()
		if lsn <= cur {
			return nil
		}
		if t.committed.CompareAndSwap(cur, lsn) {
			t.wake.wake()
			return nil
		}
	}
}

// Stop cancels the goroutine, waits for it and closes the connections. The
// slot is kept unless slot.drop.on.stop is set.
func (t *Task) Stop() error {
	if t.cancel != nil {
		t.cancel()
		_ = t.group.Wait()
	}
	err := signal.CloseChannels(t.channels)
	t.channels = nil
	if t.cfg != nil && t.cfg.SlotDropOnStop && t.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		if t.repl != nil {
			_ = t.repl.Close(ctx)
			t.repl = nil
		}
		err = errors.Join(err, t.dropSlot(ctx))
		cancel()
	}
	t.closeConns()
	return err
}

// dropSlot drops the replication slot, waiting for the walsender of the
// closed replication connection to release it.
func (t *Task) dropSlot(ctx context.Context) error {
	for {
		_, err := t.conn.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1",
			t.cfg.SlotName)
		var pgErr *pgconn.PgError
		if err == nil {
			t.log.Info("dropped replication slot", "slot", t.cfg.SlotName)
			return nil
		}
		if !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			return fmt.Errorf("dropping replication slot %s: %w", t.cfg.SlotName, err)
		}
		timer := time.NewTimer(50 * time.Millisecond)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("dropping replication slot %s: %w", t.cfg.SlotName, err)
		case <-timer.C:
		}
	}
}

func (t *Task) closeConns() {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if t.repl != nil {
		_ = t.repl.Close(ctx)
		t.repl = nil
	}
	if t.conn != nil {
		_ = t.conn.Close(ctx)
		t.conn = nil
	}
	if t.trig != nil && t.trig.listen != nil {
		_ = t.trig.listen.Close(ctx)
		t.trig.listen = nil
	}
}

// record assembles a source record; a nil key has a nil key schema.
func (t *Task) record(ct *capturedTable, key *schema.Struct, value *schema.Struct, off map[string]any) connect.SourceRecord {
	r := connect.SourceRecord{
		SourcePartition: t.partition,
		SourceOffset:    off,
		Topic:           ct.Topic,
		Headers:         t.headers,
	}
	if key != nil {
		r.KeySchema, r.Key = ct.KeySchema, key
	}
	if value != nil {
		r.ValueSchema, r.Value = ct.EnvelopeSchema, value
	}
	return r
}

// contextHeaders are Debezium's __debezium.context.* headers for one run.
func contextHeaders(prefix string) []connect.Header {
	h := func(k, v string) connect.Header {
		return connect.Header{Key: "__debezium.context." + k, Schema: schema.StringSchema, Value: v}
	}
	return []connect.Header{
		h("connectorLogicalName", prefix),
		h("taskId", "0"),
		h("connectorName", envelope.ConnectorName),
		h("runId", newUUID()),
	}
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// waker lets Commit interrupt the goroutine that owns the replication
// connection, whether it is waiting for a message or for queue space.
type waker struct {
	mu     sync.Mutex
	cancel context.CancelFunc // the armed receive, if any
	ch     chan struct{}      // capacity 1: a wake-up not consumed yet
}

func (w *waker) wake() {
	w.mu.Lock()
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
	w.mu.Unlock()
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// arm registers the cancel func of a receive about to start. It returns
// false, consuming the wake-up, if one is pending: the caller then handles
// it instead of blocking.
func (w *waker) arm(cancel context.CancelFunc) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.ch:
		return false
	default:
	}
	w.cancel = cancel
	return true
}

func (w *waker) disarm() {
	w.mu.Lock()
	w.cancel = nil
	w.mu.Unlock()
}
