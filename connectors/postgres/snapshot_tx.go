package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// snapshotTxOptions returns how the snapshot transaction begins, and the
// BEGIN of the extra readers that import its snapshot.
//
// On a slot created now the snapshot reads the slot's exported snapshot,
// which needs REPEATABLE READ (Debezium: "SET TRANSACTION ISOLATION LEVEL
// REPEATABLE READ; SET TRANSACTION SNAPSHOT ..."). Otherwise, as Debezium,
// snapshot.isolation.mode decides, always READ ONLY, and the default
// serializable is SERIALIZABLE, READ ONLY, DEFERRABLE.
//
// With snapshot.max.threads > 1 every reader must see the same state, which
// only an imported snapshot gives, and only REPEATABLE READ or SERIALIZABLE
// transactions import one: read_committed and read_uncommitted then run
// as repeatable_read. A reader importing into SERIALIZABLE cannot be
// DEFERRABLE (PostgreSQL refuses it); the snapshot it imports was taken
// by the deferrable transaction, so it is safe all the same.
func (t *Task) snapshotTxOptions() (pgx.TxOptions, string) {
	rr := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	rrBegin := "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	if t.plan.exported != "" {
		return rr, rrBegin
	}
	// The trigger-based capture's hand-off needs the snapshot's one
	// transaction snapshot, as parallel readers do.
	parallel := t.cfg.SnapshotMaxThreads > 1 || t.trig != nil
	switch t.cfg.SnapshotIsolation {
	case IsolationRepeatableRead:
		return rr, rrBegin
	case IsolationReadCommitted, IsolationReadUncommitted:
		if parallel {
			t.log.Info("parallel snapshot readers share one snapshot: running the snapshot as repeatable_read",
				KeySnapshotIsolation, t.cfg.SnapshotIsolation, KeySnapshotMaxThreads, t.cfg.SnapshotMaxThreads)
			return rr, rrBegin
		}
		level := pgx.ReadCommitted
		if t.cfg.SnapshotIsolation == IsolationReadUncommitted {
			level = pgx.ReadUncommitted
		}
		return pgx.TxOptions{IsoLevel: level, AccessMode: pgx.ReadOnly}, ""
	}
	return pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadOnly, DeferrableMode: pgx.Deferrable},
		"BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"
}

// lockSnapshotTables takes, with snapshot.locking.mode=shared, an ACCESS
// SHARE lock on every captured table for the rest of the snapshot
// transaction, waiting at most snapshot.lock.timeout.ms for each, as
// Debezium's SharedSnapshotLock does: writes go on, schema changes wait
// until the snapshot ends. The lock timeout is set for this transaction
// only (Debezium's SET outlives it on its connection).
func (t *Task) lockSnapshotTables(ctx context.Context, tx pgx.Tx) error {
	if !t.cfg.SnapshotLockShared || len(t.plan.tables) == 0 {
		return nil
	}
	ms := t.cfg.SnapshotLockTimeout.Milliseconds()
	if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL lock_timeout = %d", ms)); err != nil {
		return fmt.Errorf("setting the snapshot lock timeout: %w", err)
	}
	t.log.Info("locking captured tables for the snapshot", "tables", len(t.plan.tables), "timeout_ms", ms)
	for _, ref := range t.plan.tables {
		if _, err := tx.Exec(ctx, "LOCK TABLE "+ref.quoted()+" IN ACCESS SHARE MODE"); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "55P03" {
				return fmt.Errorf("locking %s for the snapshot: not granted within %s=%d: %w",
					ref.quoted(), KeySnapshotLockTimout, ms, err)
			}
			return fmt.Errorf("locking %s for the snapshot: %w", ref.quoted(), err)
		}
	}
	return nil
}

// snapshotDelay waits snapshot.delay.ms before the snapshot starts; Stop
// ends the wait.
func (t *Task) snapshotDelay(ctx context.Context) error {
	if t.cfg.SnapshotDelay <= 0 {
		return nil
	}
	t.log.Info("waiting before the snapshot", KeySnapshotDelayMs, t.cfg.SnapshotDelay.Milliseconds())
	timer := time.NewTimer(t.cfg.SnapshotDelay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// useFailoverSlot reports whether the slot is created as a failover slot:
// slot.failover is set and the server is a PostgreSQL 17+ primary. As in
// Debezium, on an older server or a standby the slot is created without
// it; Tributary logs a warning saying so.
func (t *Task) useFailoverSlot(ctx context.Context) (bool, error) {
	if !t.cfg.SlotFailover {
		return false, nil
	}
	var version int
	var standby bool
	if err := t.conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int, pg_is_in_recovery()").Scan(&version, &standby); err != nil {
		return false, fmt.Errorf("checking whether a failover slot can be created: %w", err)
	}
	switch {
	case version < 170000:
		t.log.Warn("failover slots need PostgreSQL 17 or newer; creating a slot without failover",
			KeySlotFailover, true, "server_version_num", version)
		return false, nil
	case standby:
		t.log.Warn("failover slots can only be created on a primary; creating a slot without failover", KeySlotFailover, true)
		return false, nil
	}
	return true, nil
}
