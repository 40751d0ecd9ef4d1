package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connectors/postgres/signal"
)

// blockingSnapshot runs the blocking snapshot an execute-snapshot signal
// asks for (ChangeEventSourceCoordinator.doBlockingSnapshot): streaming
// stops at the signal's event, the tables named are read as the initial
// snapshot reads them (an additional condition restricts a table's rows),
// and streaming goes on from that event. The records are queued before
// the rest of the stream, so nothing is lost or reordered per key relative
// to the changes already streamed; changes committed while the snapshot
// reads follow it, in commit order.
//
// The records carry the signal event's position (off) with the snapshot
// key BLOCKING. For a signal of the signal table (fromSource), until the
// last record, whose offset marks the snapshot completed, that position
// leaves the signal event undelivered: a task restarted before the
// snapshot ended runs it again. The notifications are the initial
// snapshot's, as in Debezium.
func (s *streamer) blockingSnapshot(ctx context.Context, a *signal.ExecuteSnapshot, id string, fromSource bool, off map[string]any) (err error) {
	t := s.t
	log := t.log.With("signal_id", id)
	names, err := s.inc.expand(ctx, a.DataCollections)
	if err != nil {
		return err
	}
	conditions := map[string]string{}
	for _, n := range names {
		conditions[n] = a.FilterFor(n)
	}
	opts, _ := t.snapshotTxOptions()
	tx, err := t.conn.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("blocking snapshot: beginning its transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.Background())
		}
	}()
	var txID int64
	var lsnText string
	if err := tx.QueryRow(ctx, "SELECT txid_current(), pg_current_wal_lsn()::text").Scan(&txID, &lsnText); err != nil {
		return fmt.Errorf("blocking snapshot: reading its position: %w", err)
	}
	lsn, err := pglogrepl.ParseLSN(lsnText)
	if err != nil {
		return fmt.Errorf("blocking snapshot: %w", err)
	}
	var jobs []*snapshotJob
	for _, n := range names {
		schemaName, table, ok := strings.Cut(n, ".")
		if ok {
			ok, _ = t.cfg.Filter.Captures(schemaName, table)
		}
		var oid uint32
		if ok {
			err := tx.QueryRow(ctx, `SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, schemaName, table).Scan(&oid)
			ok = err == nil
		}
		if !ok {
			log.Warn("blocking snapshot: skipping a table that is not captured or does not exist", "table", n)
			continue
		}
		info, err := loadTable(ctx, t.conn, oid)
		if errors.Is(err, errTableGone) {
			continue
		}
		if err != nil {
			return fmt.Errorf("blocking snapshot: %w", err)
		}
		stmt := "SELECT * FROM " + info.quoted()
		if f := conditions[n]; f != "" {
			stmt += " WHERE " + f
		} else if o, ok := t.cfg.SnapshotSelects[n]; ok {
			stmt = strings.TrimRight(strings.TrimSpace(o), "; \t\n")
		}
		jobs = append(jobs, &snapshotJob{ct: t.table(info), stmt: stmt, progress: tableProgress{id: n}})
	}
	if len(jobs) == 0 {
		log.Warn("blocking snapshot: no table to read")
		return tx.Rollback(ctx)
	}
	jobs[0].first = true
	jobs[len(jobs)-1].last = true

	log.Info("blocking snapshot started; streaming paused", "tables", len(jobs))
	t.metrics.snapshotStarted(time.Now())
	t.metrics.snapshotTables(jobs)
	undelivered := maps.Clone(off)
	if n, ok, _ := int64Value(off[offEventsProcessed]); ok && fromSource {
		undelivered[offEventsProcessed] = n - 1
	}
	// Until the snapshot ends, what is queued leaves the signal to be
	// carried out again.
	if err := t.sendNotification(ctx, t.snaps.InitialStarted(), s.inc.decorate(undelivered), s); err != nil {
		return err
	}
	notified := s.inc.decorate(off)
	completed := false
	defer func() {
		t.metrics.snapshotEnded(completed, time.Now())
		if err == nil && !completed {
			err = t.sendNotification(ctx, t.snaps.InitialAborted(), notified, s)
		}
	}()

	em := newSnapshotEmitter(t, uint64(lsn), txID, true)
	em.keep = s
	em.offsetFor = func(tsUs int64, last bool) map[string]any {
		o := maps.Clone(undelivered)
		if last {
			o = maps.Clone(off)
		}
		o[offTsUsec] = tsUs
		o[offSnapshot] = snapshotBlocking
		o[offLastSnapshotRecord] = last
		o[offSnapshotCompleted] = last
		return s.inc.decorate(o)
	}
	err = em.run(ctx, []*pgconn.PgConn{t.conn.PgConn()}, jobs, t.readTable)
	if err == nil {
		err = em.finish(ctx)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// As Debezium, a failed blocking snapshot is logged and streaming
		// goes on.
		log.Warn("blocking snapshot failed; streaming resumes", "error", err)
		_ = tx.Rollback(context.Background())
		return nil
	}
	if err != nil {
		return fmt.Errorf("blocking snapshot: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("blocking snapshot: ending its transaction: %w", err)
	}
	log.Info("blocking snapshot completed; streaming resumes", "records", em.count)
	completed = true
	return t.sendNotification(ctx, t.snaps.InitialCompleted(), notified, s)
}
