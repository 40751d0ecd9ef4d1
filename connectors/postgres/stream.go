package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/decode"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema"
)

// pgoutput message types carried in the offset's messageType.
const (
	msgInsert   = "INSERT"
	msgUpdate   = "UPDATE"
	msgDelete   = "DELETE"
	msgTruncate = "TRUNCATE"
)

// headerNewKey and headerOldKey carry the other key of a primary-key
// change.
const (
	headerNewKey = "__debezium.newkey"
	headerOldKey = "__debezium.oldkey"
)

// streamer is the streaming loop: the I/O around its position state
// machine (walPosition), and the records it builds. It lives in the run
// goroutine, which owns both connections.
type streamer struct {
	t    *Task
	rels map[uint32]*relation
	pos  *walPosition

	commitTime time.Time // of the open transaction
	// lastXid and lastCommitUs describe the last complete transaction.
	lastXid       uint32
	hasLastXid    bool
	lastCommitUs  int64
	nextHeartbeat time.Time

	tx txState

	// parser decodes each change into the same memory: a change is handled
	// before the next message is read.
	parser decode.Parser
	// cache holds the values the records of a transaction share.
	cache *eventCache
	// interrupted is set when a wake-up cut a receive short by moving the
	// connection's read deadline into the past.
	interrupted atomic.Bool
	// countedXid is the transaction of the last event metrics counted
	// (counted: there was one).
	countedXid uint32
	counted    bool
	// inc is the incremental snapshot, interleaved with streaming.
	inc *incremental
}

// txState is the transaction metadata of the open transaction.
type txState struct {
	begun  bool // BEGIN emitted (or delivered before a restart)
	total  int64
	counts []envelope.TxCount
}

func (x *txState) count(table string) int64 {
	x.total++
	for i := range x.counts {
		if x.counts[i].Table == table {
			x.counts[i].Count++
			return x.counts[i].Count
		}
	}
	x.counts = append(x.counts, envelope.TxCount{Table: table, Count: 1})
	return 1
}

// relation is one pgoutput relation; table is nil when it is not captured.
type relation struct {
	msg    *pglogrepl.RelationMessage
	table  *capturedTable
	layout decode.Layout
	// signal: the relation is a signal table (signal.data.collection).
	signal bool
}

// stream starts replication at the planned position and turns changes into
// records until ctx ends or an error occurs.
func (t *Task) stream(ctx context.Context) error {
	s := &streamer{
		t:     t,
		rels:  map[uint32]*relation{},
		pos:   newWALPosition(t.plan.startLSN, t.plan.floor, t.plan.resume, t.cfg.StatusUpdateInterval),
		cache: newEventCache(t.cfg.TopicPrefix, t.db),
	}
	if o := t.plan.resume; o != nil && o.HasTxID {
		// Until a transaction commits, positions carry the stored one's.
		s.lastXid, s.hasLastXid, s.lastCommitUs = uint32(o.TxID), true, o.TsUsec
	}
	opts := pglogrepl.StartReplicationOptions{PluginArgs: t.cfg.pluginArgs()}
	if err := t.startReplication(ctx, opts); err != nil {
		return err
	}
	inc, err := newIncremental(s, t.plan.resumeRaw)
	if err != nil {
		return err
	}
	s.inc = inc
	if err := inc.init(ctx); err != nil {
		return err
	}
	// Debezium's Connected: set when streaming starts, cleared when it ends.
	t.metrics.connected.Store(true)
	defer t.metrics.connected.Store(false)
	if t.cfg.HeartbeatInterval > 0 {
		s.nextHeartbeat = time.Now().Add(t.cfg.HeartbeatInterval)
	}
	t.log.Info("streaming started", "slot", t.cfg.SlotName, "lsn", pglogrepl.LSN(t.plan.startLSN))
	return s.loop(ctx)
}

// startReplication retries START_REPLICATION while the slot is still held
// by another walsender (e.g. of a task that just stopped): slot.max.retries
// times, slot.retry.delay.ms apart.
func (t *Task) startReplication(ctx context.Context, opts pglogrepl.StartReplicationOptions) error {
	for attempt := 0; ; attempt++ {
		err := pglogrepl.StartReplication(ctx, t.repl, t.cfg.SlotName, pglogrepl.LSN(t.plan.startLSN), opts)
		var pgErr *pgconn.PgError
		if err == nil || attempt >= t.cfg.SlotMaxRetries || !errors.As(err, &pgErr) || pgErr.Code != "55006" {
			if err != nil {
				return fmt.Errorf("starting replication from slot %s: %w", t.cfg.SlotName, err)
			}
			return nil
		}
		t.log.Warn("replication slot in use; retrying", "slot", t.cfg.SlotName, "error", err)
		timer := time.NewTimer(t.cfg.SlotRetryDelay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

// expiredDeadline is a read deadline in the past: it ends a blocked read.
var expiredDeadline = time.Unix(1, 0)

// loop receives replication messages until ctx ends or an error occurs.
// A wait for the next message ends at the next status update (or
// heartbeat), on a wake-up from Commit, or when ctx ends. Rather than a
// context with a deadline per message (each one a timer and a watch by
// pgconn), these set the connection's read deadline: the status deadline
// is set only when it changes, and a wake-up or the end of ctx moves it
// into the past. A read that times out leaves the connection usable
// (pgconn does the same when a context it watches ends).
func (s *streamer) loop(ctx context.Context) error {
	conn := s.t.repl.Conn()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(expiredDeadline) })
	defer func() {
		stop()
		_ = conn.SetReadDeadline(time.Time{})
	}()
	// interrupt runs only while a receive is armed, under the waker's
	// lock; disarm returns after it, so the next iteration sees the flag.
	interrupt := func() {
		_ = conn.SetReadDeadline(expiredDeadline)
		s.interrupted.Store(true)
	}
	var armed time.Time // the read deadline set on conn
	for {
		if err := s.maybeHeartbeat(ctx); err != nil {
			return err
		}
		if err := s.keep(ctx); err != nil {
			return err
		}
		if err := s.externalSignals(ctx); err != nil {
			return err
		}
		deadline := s.pos.wakeAt()
		if !s.nextHeartbeat.IsZero() && !s.pos.inTx && s.nextHeartbeat.Before(deadline) {
			deadline = s.nextHeartbeat
		}
		if s.interrupted.Swap(false) || !deadline.Equal(armed) {
			if err := conn.SetReadDeadline(deadline); err != nil {
				return fmt.Errorf("receiving replication messages: %w", err)
			}
			armed = deadline
		}
		// After the deadline is set: once ctx ends, its AfterFunc expires
		// the deadline again.
		if err := ctx.Err(); err != nil {
			return err
		}
		if !s.t.wake.arm(interrupt) {
			continue
		}
		raw, err := s.t.repl.ReceiveMessage(context.Background())
		s.t.wake.disarm()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A timeout only ends this wait; any other error has made
			// pgconn close the connection (asynchronously), after which it
			// must not be written to.
			if pgconn.Timeout(err) && !s.t.repl.IsClosed() {
				continue
			}
			return fmt.Errorf("receiving replication messages: %w", err)
		}
		switch msg := raw.(type) {
		case *pgproto3.CopyData:
			if err := s.handleCopyData(ctx, msg.Data); err != nil {
				return err
			}
		case *pgproto3.ErrorResponse:
			return fmt.Errorf("streaming: %w", pgconn.ErrorResponseToPgError(msg))
		case *pgproto3.CopyDone:
			return fmt.Errorf("streaming: %w", errReplicationEnded)
		}
	}
}

// keep does what the position state machine says is due: hand out a
// position marker, send a standby status update. It takes in what Commit
// acknowledged first.
func (s *streamer) keep(ctx context.Context) error {
	s.pos.acknowledged(s.t.committed.Load())
	now := time.Now()
	if p, ok := s.pos.markerDue(now); ok {
		s.t.setMarker(s.inc.decorate(s.positionOffset()))
		s.pos.markerSent(p, now)
	}
	lsn, ok := s.pos.statusDue(now)
	if !ok {
		return nil
	}
	pos := pglogrepl.LSN(lsn)
	err := pglogrepl.SendStandbyStatusUpdate(ctx, s.t.repl, pglogrepl.StandbyStatusUpdate{
		WALWritePosition: pos, WALFlushPosition: pos, WALApplyPosition: pos, ClientTime: now,
	})
	if err != nil {
		return fmt.Errorf("sending standby status: %w", err)
	}
	s.pos.statusSent(lsn, now)
	s.t.metrics.flushed.Store(lsn)
	return nil
}

// keepBy is when keep must next run (see keeper).
func (s *streamer) keepBy() time.Time { return s.pos.wakeAt() }

func (s *streamer) handleCopyData(ctx context.Context, data []byte) error {
	if len(data) == 0 {
		return errors.New("streaming: empty CopyData")
	}
	switch data[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
		if err != nil {
			return fmt.Errorf("parsing keepalive: %w", err)
		}
		s.t.metrics.walEndReported(uint64(ka.ServerWALEnd))
		s.pos.keepalive(uint64(ka.ServerWALEnd), ka.ReplyRequested)
		if ka.ReplyRequested {
			return s.keep(ctx)
		}
	case pglogrepl.XLogDataByteID:
		xld, err := pglogrepl.ParseXLogData(data[1:])
		if err != nil {
			return fmt.Errorf("parsing XLogData: %w", err)
		}
		s.t.metrics.walEndReported(uint64(xld.ServerWALEnd))
		msg, err := s.parser.Parse(xld.WALData)
		if err != nil {
			return err
		}
		return s.handle(ctx, uint64(xld.WALStart), msg)
	}
	return nil
}

func (s *streamer) handle(ctx context.Context, lsn uint64, msg pglogrepl.Message) error {
	switch m := msg.(type) {
	case *pglogrepl.RelationMessage:
		return s.relation(ctx, m)
	case *pglogrepl.BeginMessage:
		s.pos.begin(m.Xid)
		s.commitTime = m.CommitTime
		s.beginTx()
	case *pglogrepl.CommitMessage:
		if err := s.endTx(ctx, lsn, uint64(m.TransactionEndLSN)); err != nil {
			return err
		}
		s.pos.commit(uint64(m.TransactionEndLSN))
		s.lastXid, s.hasLastXid, s.lastCommitUs = s.pos.xid, true, s.commitTime.UnixMicro()
	case *pglogrepl.InsertMessage:
		return s.change(ctx, lsn, m.RelationID, msgInsert, nil, 0, m.Tuple)
	case *pglogrepl.UpdateMessage:
		return s.change(ctx, lsn, m.RelationID, msgUpdate, m.OldTuple, m.OldTupleType, m.NewTuple)
	case *pglogrepl.DeleteMessage:
		return s.change(ctx, lsn, m.RelationID, msgDelete, m.OldTuple, m.OldTupleType, nil)
	case *pglogrepl.TruncateMessage:
		return s.truncate(ctx, lsn, m)
	case *pglogrepl.LogicalDecodingMessage:
		return s.message(ctx, m)
	}
	// Origin and Type messages produce no records.
	return nil
}

// truncate emits one op "t" record per captured table, with a null key and
// neither before nor after, unless skipped.operations has t. Each truncated
// relation is an event at the message's LSN.
func (s *streamer) truncate(ctx context.Context, lsn uint64, m *pglogrepl.TruncateMessage) error {
	if !s.pos.inTx {
		return fmt.Errorf("streaming: %s outside a transaction at %s", msgTruncate, pglogrepl.LSN(lsn))
	}
	for _, relID := range m.RelationIDs {
		n, delivered := s.pos.event(lsn)
		r := s.rels[relID]
		if r == nil {
			return fmt.Errorf("streaming: %s for unknown relation %d", msgTruncate, relID)
		}
		if r.table == nil || s.t.cfg.Skipped["t"] || delivered {
			continue
		}
		ct := r.table
		now := time.Now()
		s.seen(&s.t.metrics.truncates, now)
		tb, off, src := s.eventParts(ct, lsn, msgTruncate, n)
		env := ct.Envelope(envelope.OpTruncate, nil, nil, src, now)
		if err := s.txEvent(ctx, lsn, tb.collection, env, off); err != nil {
			return err
		}
		if err := s.send(ctx, s.t.record(ct, nil, env, off)); err != nil {
			return err
		}
	}
	return nil
}

// eventParts returns, from the event cache, the table boxes of ct and the
// offset map and source struct of the open transaction's event at lsn, of
// kind, the n-th at lsn. The offset's lsn and lsn_proc and the source's lsn
// share one box.
func (s *streamer) eventParts(ct *capturedTable, lsn uint64, kind string, n int64) (*tableBoxes, map[string]any, *schema.Struct) {
	lsnBox := any(int64(lsn))
	s.cache.tx(s.pos.xid, s.commitTime.UnixMicro(), s.pos.lastCommit)
	tb := s.cache.table(ct)
	return tb, s.cache.offset(lsnBox, kind, n), s.cache.source(tb, lsn, lsnBox)
}

// relation caches a relation. Every Relation message is taken as Debezium
// takes it (see relationShape): its columns describe the changes that
// follow, even when the catalog has moved on. A captured table's schemas
// are rebuilt only when that shape changed.
func (s *streamer) relation(ctx context.Context, m *pglogrepl.RelationMessage) error {
	r := &relation{msg: m}
	s.rels[m.RelationID] = r
	if ok, _ := s.t.cfg.Filter.Captures(m.Namespace, m.RelationName); !ok {
		return nil
	}
	info, err := loadTable(ctx, s.t.conn, m.RelationID)
	if errors.Is(err, errTableGone) {
		// Dropped since this WAL was written: use the relation's own shape.
		s.t.log.Warn("table no longer in the catalog; using the shape pgoutput sent",
			"table", m.Namespace+"."+m.RelationName)
		info, err = relationInfo(m), nil
	} else if err == nil {
		info, err = relationShape(ctx, s.t.conn, m, info)
	}
	if err != nil {
		return fmt.Errorf("streaming: %w", err)
	}
	ct := s.t.table(info)
	names := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		names[i] = c.Name
	}
	r.table, r.layout = ct, ct.layout(names)
	r.signal = s.t.cfg.isSignalTable(m.Namespace, m.RelationName)
	return nil
}

// change turns one insert, update or delete into records.
func (s *streamer) change(ctx context.Context, lsn uint64, relID uint32, kind string,
	oldTuple *pglogrepl.TupleData, oldType uint8, newTuple *pglogrepl.TupleData,
) error {
	if !s.pos.inTx {
		return fmt.Errorf("streaming: %s outside a transaction at %s", kind, pglogrepl.LSN(lsn))
	}
	n, delivered := s.pos.event(lsn)
	r := s.rels[relID]
	if r == nil {
		return fmt.Errorf("streaming: %s for unknown relation %d", kind, relID)
	}
	if r.table == nil || delivered {
		return nil
	}
	if r.signal && (kind == msgInsert || (kind == msgDelete && s.t.cfg.WatermarkInsertDelete)) {
		// As Debezium's EventDispatcher, a signal is carried out before
		// its row's own record is emitted, whatever skipped.operations.
		if err := s.sourceSignal(ctx, r, lsn, kind, n, oldTuple, newTuple); err != nil {
			return err
		}
	}
	skipped := s.t.cfg.Skipped
	if (kind == msgInsert && skipped["c"]) || (kind == msgUpdate && skipped["u"]) || (kind == msgDelete && skipped["d"]) {
		return nil
	}
	ct := r.table
	// The rows are decoded afresh for this change: their key structs are
	// built first, then the value structs are written over them
	// (ValueOver).
	var oldRow, newRow []any
	var err error
	if oldTuple != nil {
		if oldRow, err = r.layout.Row(oldTuple); err != nil {
			return s.eventFailed(fmt.Errorf("streaming %s of %s at %s: %w", kind, ct.Topic, pglogrepl.LSN(lsn), err))
		}
	}
	if newTuple != nil {
		if newRow, err = r.layout.Row(newTuple); err != nil {
			return s.eventFailed(fmt.Errorf("streaming %s of %s at %s: %w", kind, ct.Topic, pglogrepl.LSN(lsn), err))
		}
	}
	tb, off, src := s.eventParts(ct, lsn, kind, n)
	now := time.Now()

	switch kind {
	case msgInsert:
		s.seen(&s.t.metrics.creates, now)
		key := ct.KeyStructPacked(newRow)
		s.inc.observe(ct.info.OID, key)
		env := ct.Envelope(envelope.OpCreate, nil, ct.ValueOver(newRow), src, now)
		if err := s.txEvent(ctx, lsn, tb.collection, env, off); err != nil {
			return err
		}
		return s.send(ctx, s.t.record(ct, key, env, off))
	case msgUpdate:
		newKey := ct.KeyStructPacked(newRow)
		// Debezium's RelationalChangeRecordEmitter.emitUpdateRecord compares
		// keys and values with Kafka Connect's Struct.equals (schema.Equal):
		// a NaN equals itself, -0.0 differs from 0.0, bytes compare by
		// content.
		if oldRow != nil {
			if oldKey := ct.KeyStructPacked(oldRow); oldKey != nil && !oldKey.Equal(newKey) {
				return s.keyChange(ctx, lsn, ct, tb.collection, oldRow, oldKey, newRow, newKey, src, off, now)
			}
		}
		var before *schema.Struct
		if oldRow != nil && oldType == pglogrepl.UpdateMessageTupleTypeOld {
			before = ct.ValueOver(oldRow)
		}
		afterValue := ct.ValueOver(newRow)
		if s.t.cfg.SkipUnchanged && before != nil && before.Equal(afterValue) {
			// skip.messages.without.change: as Debezium, an update whose
			// value (captured columns, mapped) equals the old one emits
			// nothing; only a full old tuple (REPLICA IDENTITY FULL) can.
			return nil
		}
		s.seen(&s.t.metrics.updates, now)
		s.inc.observe(ct.info.OID, newKey)
		env := ct.Envelope(envelope.OpUpdate, before, afterValue, src, now)
		if err := s.txEvent(ctx, lsn, tb.collection, env, off); err != nil {
			return err
		}
		return s.send(ctx, s.t.record(ct, newKey, env, off))
	default: // msgDelete
		if oldRow == nil {
			return fmt.Errorf("streaming %s of %s: no old tuple", kind, ct.Topic)
		}
		s.seen(&s.t.metrics.deletes, now)
		key := ct.KeyStructPacked(oldRow)
		s.inc.observe(ct.info.OID, key)
		env := ct.Envelope(envelope.OpDelete, ct.ValueOver(oldRow), nil, src, now)
		if err := s.txEvent(ctx, lsn, tb.collection, env, off); err != nil {
			return err
		}
		if err := s.send(ctx, s.t.record(ct, key, env, off)); err != nil {
			return err
		}
		if s.t.cfg.TombstonesOnDelete && key != nil {
			// The tombstone shares the delete's offset: nothing modifies an
			// offset once queued.
			return s.send(ctx, s.t.record(ct, key, nil, off))
		}
		return nil
	}
}

// keyChange emits a primary-key update as Debezium does: a delete of the
// old key (and its tombstone), then a create of the new key.
func (s *streamer) keyChange(ctx context.Context, lsn uint64, ct *capturedTable, collection string, oldRow []any, oldKey *schema.Struct,
	newRow []any, newKey *schema.Struct, src *schema.Struct, off map[string]any, now time.Time,
) error {
	s.seen(&s.t.metrics.deletes, now)
	s.inc.observe(ct.info.OID, oldKey)
	s.inc.observe(ct.info.OID, newKey)
	delEnv := ct.Envelope(envelope.OpDelete, ct.ValueOver(oldRow), nil, src, now)
	// The delete and its tombstone do not cover the change: were only
	// they acknowledged when their offset is committed, a restart would
	// skip the create. They carry the position just before the change
	// (one event fewer processed at its LSN), so a restart from their
	// offset emits the whole change again.
	delOff := maps.Clone(off)
	delOff[offEventsProcessed] = off[offEventsProcessed].(int64) - 1
	if s.t.cfg.ProvideTxMetadata {
		s.putTx(delOff) // the transaction's counts before the change
	}
	if err := s.txEvent(ctx, lsn, collection, delEnv, off); err != nil {
		return err
	}
	del := s.t.record(ct, oldKey, delEnv, delOff)
	del.Headers = slices.Concat(del.Headers, []connect.Header{keyHeader(headerNewKey, newKey)})
	if err := s.send(ctx, del); err != nil {
		return err
	}
	if s.t.cfg.TombstonesOnDelete {
		if err := s.send(ctx, s.t.record(ct, oldKey, nil, delOff)); err != nil {
			return err
		}
	}
	s.seen(&s.t.metrics.creates, now)
	createEnv := ct.Envelope(envelope.OpCreate, nil, ct.ValueOver(newRow), src, now)
	if err := s.txEvent(ctx, lsn, collection, createEnv, off); err != nil {
		return err
	}
	create := s.t.record(ct, newKey, createEnv, off)
	create.Headers = slices.Concat(create.Headers, []connect.Header{keyHeader(headerOldKey, oldKey)})
	return s.send(ctx, create)
}

// seen accounts a change event in the streaming metrics, where Debezium's
// EventDispatcher calls its listener's onEvent: for each create, update,
// delete or truncate record of a captured table that is emitted (neither
// skipped by skipped.operations or skip.messages.without.change nor already
// delivered); a key change is a delete and a create. Tombstones, messages,
// heartbeats and transaction records are not events there.
// NumberOfCommittedTransactions counts, as StreamingMeter.onEvent, each
// event whose transaction differs from the previous event's.
func (s *streamer) seen(counter *atomic.Int64, now time.Time) {
	s.t.metrics.event(counter, s.commitTime.UnixMilli(), now)
	if !s.counted || s.pos.xid != s.countedXid {
		s.counted, s.countedXid = true, s.pos.xid
		s.t.metrics.transactions.Add(1)
	}
}

// send queues a record, keeping the server informed while the queue is
// full (see Task.send).
// While an incremental snapshot runs, the record's offset carries its
// state.
func (s *streamer) send(ctx context.Context, r connect.SourceRecord) error {
	r.SourceOffset = s.inc.decorate(r.SourceOffset)
	return s.t.send(ctx, r, s)
}

// keyHeader is a key-change header. Its value is the key struct as Kafka
// Connect's SimpleHeaderConverter writes a Struct (Struct.toString:
// "Struct{id=2}"), so the header bytes match Debezium's.
func keyHeader(name string, key *schema.Struct) connect.Header {
	b := []byte("Struct{")
	first := true
	for i, v := range key.Values {
		if v == nil {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, key.Schema.Fields[i].Name...)
		b = append(b, '=')
		b = appendJavaString(b, v)
	}
	return connect.Header{Key: name, Schema: schema.StringSchema, Value: string(append(b, '}'))}
}

// appendJavaString writes a key value as Java's toString would.
func appendJavaString(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e7 {
			return strconv.AppendFloat(b, x, 'f', 1, 64)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case schema.Decimal:
		return append(b, typemap.PlainDecimal(x)...)
	}
	return fmt.Append(b, v)
}
