package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/schema"
)

// snapshotCursor is the cursor the snapshot reads a table through.
const snapshotCursor = "tributary_snapshot"

// snapshot reads every captured table in one REPEATABLE READ transaction:
// on the slot's exported snapshot when the slot was just created, so that
// streaming from the consistent point continues without gap or duplicate.
func (t *Task) snapshot(ctx context.Context) (err error) {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
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
	var txID int64
	if err := tx.QueryRow(ctx, "SELECT txid_current()").Scan(&txID); err != nil {
		return fmt.Errorf("reading the snapshot transaction id: %w", err)
	}
	t.log.Info("snapshot started", "tables", len(t.plan.tables), "lsn", t.plan.snapshotLSN)

	em := &snapshotEmitter{t: t, lsn: t.plan.snapshotLSN, txID: txID}
	for i, ref := range t.plan.tables {
		info, err := loadTable(ctx, t.conn, ref.OID)
		if errors.Is(err, errTableGone) {
			t.log.Warn("table dropped before the snapshot read it", "table", ref.Schema+"."+ref.Name)
			continue
		}
		if err != nil {
			return fmt.Errorf("snapshotting %s: %w", ref.quoted(), err)
		}
		ct := t.table(info)
		if err := t.snapshotTable(ctx, em, ct, i == 0); err != nil {
			return fmt.Errorf("snapshotting %s: %w", ref.quoted(), err)
		}
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

// snapshotTable reads one table through a cursor, snapshot.fetch.size rows
// at a time, in text format.
func (t *Task) snapshotTable(ctx context.Context, em *snapshotEmitter, ct *capturedTable, firstTable bool) error {
	pg := t.conn.PgConn()
	decl := "DECLARE " + snapshotCursor + " NO SCROLL CURSOR FOR SELECT * FROM " + ct.info.quoted()
	if _, err := pg.Exec(ctx, decl).ReadAll(); err != nil {
		return fmt.Errorf("declaring the cursor: %w", err)
	}
	fetch := "FETCH " + strconv.Itoa(t.cfg.SnapshotFetchSize) + " FROM " + snapshotCursor
	rowInTable := 0
	for {
		rr := pg.ExecParams(ctx, fetch, nil, nil, nil, nil)
		fields := rr.FieldDescriptions()
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.Name
		}
		layout := ct.layout(names)
		n := 0
		for rr.NextRow() {
			row, err := layout.Text(rr.Values())
			if err != nil {
				_, _ = rr.Close()
				return err
			}
			mark := envelope.SnapshotTrue
			switch {
			case rowInTable == 0 && firstTable:
				mark = envelope.SnapshotFirst
			case rowInTable == 0:
				mark = envelope.SnapshotFirstInTable
			}
			if err := em.emit(ctx, ct, row, mark); err != nil {
				_, _ = rr.Close()
				return err
			}
			rowInTable++
			n++
		}
		if _, err := rr.Close(); err != nil {
			return fmt.Errorf("fetching rows: %w", err)
		}
		if n == 0 {
			break
		}
	}
	em.tableDone(ct)
	if _, err := pg.Exec(ctx, "CLOSE "+snapshotCursor).ReadAll(); err != nil {
		return fmt.Errorf("closing the cursor: %w", err)
	}
	return nil
}

// snapshotEmitter holds back the latest snapshot record until the next one
// shows whether it ends its table or the snapshot, which decides its mark.
type snapshotEmitter struct {
	t     *Task
	lsn   uint64
	txID  int64
	count int

	pending *pendingRecord
}

type pendingRecord struct {
	table  *capturedTable
	source *schema.Struct
	mark   string
	rec    connect.SourceRecord
}

func (e *snapshotEmitter) emit(ctx context.Context, ct *capturedTable, row []any, mark string) error {
	if err := e.flush(ctx); err != nil {
		return err
	}
	now := time.Now()
	ts := now.UnixMicro()
	src := (&envelope.Source{
		Name: e.t.cfg.TopicPrefix, DB: e.t.db, Schema: ct.Schema, Table: ct.Name,
		TsUs: ts, Snapshot: mark, LSN: e.lsn, TxID: e.txID, HasTxID: true,
	}).Struct()
	env := ct.Envelope(envelope.OpRead, nil, ct.Value(row), src, now)
	rec := e.t.record(ct, ct.KeyStruct(row), env, snapshotOffset(e.lsn, e.txID, ts, false))
	e.pending = &pendingRecord{table: ct, source: src, mark: mark, rec: rec}
	return nil
}

// tableDone marks the held record as the last of its table, unless it is
// the first record of the snapshot.
func (e *snapshotEmitter) tableDone(ct *capturedTable) {
	if p := e.pending; p != nil && p.table == ct && p.mark != envelope.SnapshotFirst {
		p.mark = envelope.SnapshotLastInTable
	}
}

func (e *snapshotEmitter) flush(ctx context.Context) error {
	p := e.pending
	if p == nil {
		return nil
	}
	e.pending = nil
	envelope.SetSnapshot(p.source, p.mark)
	e.count++
	return e.t.send(ctx, p.rec)
}

// finish sends the held record as the last of the snapshot; its offset
// marks the snapshot completed.
func (e *snapshotEmitter) finish(ctx context.Context) error {
	p := e.pending
	if p == nil {
		// No row at all: an offset-only record makes the completed
		// snapshot durable, so a restart streams instead of snapshotting
		// again.
		return e.t.send(ctx, connect.SourceRecord{
			SourcePartition: e.t.partition,
			SourceOffset:    snapshotOffset(e.lsn, e.txID, time.Now().UnixMicro(), true),
		})
	}
	p.mark = envelope.SnapshotLast
	p.rec.SourceOffset[offLastSnapshotRecord] = true
	p.rec.SourceOffset[offSnapshotCompleted] = true
	return e.flush(ctx)
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
