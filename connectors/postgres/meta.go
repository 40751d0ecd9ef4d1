package postgres

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/schema"
)

// Offset keys of transaction metadata (Debezium's TransactionContext).
const (
	offTransactionID     = "transaction_id"
	offTransactionPrefix = "transaction_data_collection_order_"
	msgCommit            = "COMMIT"
)

// maybeHeartbeat runs heartbeat.action.query and emits a heartbeat record
// when the interval has expired and no transaction is open. The record
// carries the position fully processed so far, so committing it lets the
// slot and the stored offset advance.
func (s *streamer) maybeHeartbeat(ctx context.Context) error {
	if s.nextHeartbeat.IsZero() || s.pos.inTx {
		return nil
	}
	now := time.Now()
	if now.Before(s.nextHeartbeat) {
		return nil
	}
	s.nextHeartbeat = now.Add(s.t.cfg.HeartbeatInterval)
	if q := s.t.cfg.HeartbeatActionQuery; q != "" {
		if _, err := s.t.conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("executing %s: %w", KeyHeartbeatActionQuery, err)
		}
	}
	return s.send(ctx, s.t.heartbeatRecord(s.positionOffset(), now))
}

// heartbeatRecord is a record on the heartbeat topic.
func (t *Task) heartbeatRecord(off map[string]any, now time.Time) connect.SourceRecord {
	return connect.SourceRecord{
		SourcePartition: t.partition,
		SourceOffset:    off,
		Topic:           t.cfg.HeartbeatTopic,
		KeySchema:       envelope.HeartbeatKeySchema,
		Key:             &schema.Struct{Schema: envelope.HeartbeatKeySchema, Values: []any{t.cfg.TopicPrefix}},
		ValueSchema:     envelope.HeartbeatValueSchema,
		Value:           &schema.Struct{Schema: envelope.HeartbeatValueSchema, Values: []any{now.UnixMilli()}},
	}
}

// positionOffset is the offset of the position reached between
// transactions. While a partly delivered transaction is being replayed it
// is the stored offset, which still says what to skip.
func (s *streamer) positionOffset() map[string]any {
	if s.pos.resume != nil && s.t.plan.resumeRaw != nil {
		return maps.Clone(s.t.plan.resumeRaw)
	}
	p := int64(s.pos.resting())
	m := map[string]any{
		offLSN:             p,
		offLSNProc:         p,
		offLSNCommit:       p,
		offMessageType:     msgCommit,
		offEventsProcessed: int64(0),
	}
	if s.hasLastXid {
		m[offTxID] = int64(s.lastXid)
		m[offTsUsec] = s.lastCommitUs
	}
	return m
}

// beginTx resets the transaction metadata at BEGIN. A transaction replayed
// after a restart continues from the counts its stored offset holds.
func (s *streamer) beginTx() {
	s.tx = txState{}
	o := s.pos.resume
	if !s.t.cfg.ProvideTxMetadata || o == nil || s.t.plan.resumeRaw == nil ||
		!o.HasTxID || uint32(o.TxID) != s.pos.xid {
		return
	}
	raw := s.t.plan.resumeRaw
	if id, _ := raw[offTransactionID].(string); id != strconv.FormatUint(uint64(s.pos.xid), 10) {
		return
	}
	s.tx.begun = true
	for k, v := range raw {
		table, ok := strings.CutPrefix(k, offTransactionPrefix)
		if !ok {
			continue
		}
		if n, ok, err := int64Value(v); err == nil && ok {
			s.tx.counts = append(s.tx.counts, envelope.TxCount{Table: table, Count: n})
			s.tx.total += n
		}
	}
}

// txID is the transaction id Debezium writes on PostgreSQL: the xid and the
// LSN of the current event.
func txID(xid uint32, lsn uint64) string {
	return strconv.FormatUint(uint64(xid), 10) + ":" + strconv.FormatUint(lsn, 10)
}

// putTx adds the transaction keys to an offset.
func (s *streamer) putTx(off map[string]any) {
	off[offTransactionID] = strconv.FormatUint(uint64(s.pos.xid), 10)
	for _, c := range s.tx.counts {
		off[offTransactionPrefix+c.Table] = c.Count
	}
}

// txEvent accounts one data event of the open transaction when
// provide.transaction.metadata is set: the first one emits BEGIN, and the
// event gets its transaction block and offset keys.
func (s *streamer) txEvent(ctx context.Context, lsn uint64, collection string, env *schema.Struct, off map[string]any) error {
	if !s.t.cfg.ProvideTxMetadata {
		return nil
	}
	id := txID(s.pos.xid, lsn)
	if !s.tx.begun {
		s.tx.begun = true
		// The BEGIN offset does not cover the event that follows it.
		boff := maps.Clone(off)
		boff[offEventsProcessed] = s.pos.atLSN - 1
		s.putTx(boff)
		if err := s.send(ctx, s.t.txRecord(envelope.TxBegin, id, &s.tx, s.commitTime, boff)); err != nil {
			return err
		}
	}
	order := s.tx.count(collection)
	envelope.SetTransaction(env, envelope.Block(id, s.tx.total, order))
	s.putTx(off)
	return nil
}

// endTx emits END for a transaction that had events; lsn is the commit
// message's position.
func (s *streamer) endTx(ctx context.Context, lsn, end uint64) error {
	if !s.t.cfg.ProvideTxMetadata || !s.tx.begun {
		return nil
	}
	off := streamOffset(lsn, end, s.pos.xid, s.commitTime.UnixMicro(), msgCommit, 0)
	off[offLSNProc] = int64(end)
	s.putTx(off)
	rec := s.t.txRecord(envelope.TxEnd, txID(s.pos.xid, lsn), &s.tx, s.commitTime, off)
	s.tx = txState{}
	return s.send(ctx, rec)
}

// txRecord is a BEGIN or END record on the transaction topic.
func (t *Task) txRecord(status, id string, tx *txState, commit time.Time, off map[string]any) connect.SourceRecord {
	return connect.SourceRecord{
		SourcePartition: t.partition,
		SourceOffset:    off,
		Topic:           t.cfg.TransactionTopic,
		KeySchema:       envelope.TxKeySchema,
		Key:             &schema.Struct{Schema: envelope.TxKeySchema, Values: []any{id}},
		ValueSchema:     envelope.TxValueSchema,
		Value:           envelope.TxValue(status, id, tx.total, tx.counts, commit.UnixMilli()),
		Headers:         t.headers,
	}
}
