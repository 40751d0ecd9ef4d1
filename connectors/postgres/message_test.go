package postgres_test

import (
	"bytes"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

func messageBlock(t *testing.T, r connect.SourceRecord) *schema.Struct {
	t.Helper()
	return valueStruct(t, r).Get("message").(*schema.Struct)
}

// TestLogicalDecodingMessages streams pg_logical_emit_message calls:
// transactional ones inside their transaction, non-transactional ones on
// their own, prefixes filtered by message.prefix.exclude.list, and a
// delivered non-transactional message not resent after a restart.
func TestLogicalDecodingMessages(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, map[string]string{
		"snapshot.mode":               "no_data",
		"message.prefix.exclude.list": "skip.*",
	})
	h.start()
	pg.Exec(t, `BEGIN;
		INSERT INTO customers(email) VALUES ('a@x.io');
		SELECT pg_logical_emit_message(true, 'skipped', 'x');
		SELECT pg_logical_emit_message(true, 'audit', 'hello');
		COMMIT`)
	recs := h.poll(2)
	if op(t, recs[0]) != "c" || recs[1].Topic != "dbserver1.message" || op(t, recs[1]) != "m" {
		t.Fatalf("records:\n%s", describe(recs))
	}
	m := recs[1]
	if sourceField(t, m, "txId") != sourceField(t, recs[0], "txId") || sourceField(t, m, "txId") == nil {
		t.Errorf("message txId %v, insert txId %v", sourceField(t, m, "txId"), sourceField(t, recs[0], "txId"))
	}
	if m.SourceOffset["messageType"] != "MESSAGE" || m.SourceOffset["txId"] == nil {
		t.Errorf("message offset %v", m.SourceOffset)
	}

	assertGoldenJSON(t, m, "message_key.json", "message_value.json",
		[]string{"payload", "source", "ts_ms"}, []string{"payload", "source", "ts_us"}, []string{"payload", "source", "ts_ns"},
		[]string{"payload", "source", "sequence"}, []string{"payload", "source", "txId"}, []string{"payload", "source", "lsn"},
		[]string{"payload", "ts_ms"})

	// Non-transactional: no txId, no transaction; excluded prefixes dropped.
	pg.Exec(t, `SELECT pg_logical_emit_message(false, 'skip.me', 'x')`,
		`SELECT pg_logical_emit_message(false, 'audit', 'bye')`)
	nt := h.poll(1)[0]
	if nt.Topic != "dbserver1.message" || !bytes.Equal(messageBlock(t, nt).Get("content").([]byte), []byte("bye")) {
		t.Fatalf("non-transactional message:\n%s", describe([]connect.SourceRecord{nt}))
	}
	if sourceField(t, nt, "txId") != nil || sourceField(t, nt, "schema") != "" || sourceField(t, nt, "table") != "" {
		t.Errorf("non-transactional source txId=%v schema=%q table=%q", sourceField(t, nt, "txId"),
			sourceField(t, nt, "schema"), sourceField(t, nt, "table"))
	}
	if _, ok := nt.SourceOffset["txId"]; ok {
		t.Errorf("non-transactional offset has txId: %v", nt.SourceOffset)
	}

	// After a restart from the non-transactional message's offset, the
	// next record is the next message.
	h.commit(recs[0])
	h.commit(recs[1])
	h.commit(nt)
	h.stop()
	h.start()
	pg.Exec(t, `SELECT pg_logical_emit_message(false, 'audit', 'again')`)
	next := h.poll(1)[0]
	if got := string(messageBlock(t, next).Get("content").([]byte)); got != "again" {
		t.Fatalf("after restart got message %q, want \"again\":\n%s", got, describe([]connect.SourceRecord{next}))
	}
}

// TestLogicalDecodingMessagesTxMetadata checks a transactional message's
// transaction block and the string content of binary.handling.mode=hex,
// and message.prefix.include.list.
func TestLogicalDecodingMessagesTxMetadata(t *testing.T) {
	pg := pgtest.Start(t)
	h := newHarness(t, pg, map[string]string{
		"snapshot.mode":                "no_data",
		"provide.transaction.metadata": "true",
		"binary.handling.mode":         "hex",
		"message.prefix.include.list":  "audit,ops\\..*",
	})
	h.start()
	pg.Exec(t, `BEGIN;
		SELECT pg_logical_emit_message(true, 'other', 'x');
		SELECT pg_logical_emit_message(true, 'ops.1', 'hi');
		COMMIT`)
	recs := h.poll(3) // BEGIN, message, END
	if recs[0].Topic != "dbserver1.transaction" || recs[2].Topic != "dbserver1.transaction" || recs[1].Topic != "dbserver1.message" {
		t.Fatalf("records:\n%s", describe(recs))
	}
	m := recs[1]
	if got := messageBlock(t, m).Get("content"); got != "6869" {
		t.Errorf("hex content = %#v, want \"6869\"", got)
	}
	if got := messageBlock(t, m).Get("prefix"); got != "ops.1" {
		t.Errorf("prefix = %#v", got)
	}
	block, _ := valueStruct(t, m).Get("transaction").(*schema.Struct)
	if block == nil || block.Get("total_order") != int64(1) || block.Get("data_collection_order") != int64(1) {
		t.Errorf("transaction block %v", block)
	}
	end := valueStruct(t, recs[2])
	if end.Get("status") != "END" || end.Get("event_count") != int64(1) {
		t.Errorf("END %v", end.Values)
	}
}
