package postgres

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/jackc/pglogrepl"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// msgMessage is the offset's messageType of a logical decoding message;
// the records go to <topic.prefix><topic.delimiter>message.
const (
	msgMessage         = "MESSAGE"
	messageTopicSuffix = "message"
)

// collection is the table's name in transaction metadata.
func (ct *capturedTable) collection() string {
	return ct.Schema + "." + ct.Name
}

// messageContent renders a message's content as binary.handling.mode says.
func messageContent(mode string, b []byte) any {
	switch mode {
	case typemap.BinaryBase64:
		return base64.StdEncoding.EncodeToString(b)
	case typemap.BinaryBase64URLSafe:
		return base64.URLEncoding.EncodeToString(b)
	case typemap.BinaryHex:
		return hex.EncodeToString(b)
	}
	return b
}

// message turns a logical decoding message (pg_logical_emit_message) into
// an op "m" record on <topic.prefix>.message, unless its prefix is
// filtered out. A transactional message belongs to the open transaction
// (txId, transaction block); a non-transactional one arrives outside any
// transaction and has neither.
func (s *streamer) message(ctx context.Context, m *pglogrepl.LogicalDecodingMessage) error {
	lsn := uint64(m.LSN)
	transactional := m.Transactional && s.pos.inTx
	var n int64
	var delivered bool
	if transactional {
		n, delivered = s.pos.event(lsn)
	} else {
		// The stored offset may be that of a non-transactional message:
		// it and those before it were delivered.
		delivered = s.pos.message(lsn)
	}
	if delivered || !s.t.cfg.MessagePrefixes.captures(m.Prefix) {
		return nil
	}

	lastCommit := s.pos.lastCommit
	src := &envelope.Source{
		Name: s.t.cfg.TopicPrefix, DB: s.t.db, TsUs: s.lastCommitUs,
		LastCommitLSN: lastCommit, LSN: lsn,
	}
	var off map[string]any
	if transactional {
		src.TsUs, src.TxID, src.HasTxID = s.commitTime.UnixMicro(), int64(s.pos.xid), true
		off = streamOffset(lsn, lastCommit, s.pos.xid, src.TsUs, msgMessage, n)
	} else {
		if src.TsUs == 0 {
			// No transaction seen yet: there is no commit time to carry.
			src.TsUs = time.Now().UnixMicro()
		}
		off = streamOffset(lsn, lastCommit, 0, src.TsUs, msgMessage, 0)
		delete(off, offTxID)
	}
	mt := s.t.message
	value := mt.Value(m.Prefix, messageContent(s.t.cfg.Types.Binary, m.Content), src.Struct(), nil, time.Now().UnixMilli())
	if transactional {
		if err := s.txEvent(ctx, lsn, envelope.MessageCollection, value, off); err != nil {
			return err
		}
	}
	return s.send(ctx, connect.SourceRecord{
		SourcePartition: s.t.partition,
		SourceOffset:    off,
		Topic:           s.t.cfg.TopicPrefix + s.t.cfg.TopicDelimiter + messageTopicSuffix,
		KeySchema:       envelope.MessageKeySchema,
		Key:             mt.Key(m.Prefix),
		ValueSchema:     mt.ValueSchema,
		Value:           value,
		Headers:         s.t.headers,
	})
}
