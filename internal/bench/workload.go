package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// createTable makes a bench table, its publication and two slots created
// before any workload: one for pg_recvlogical, one for Tributary.
func (b *bench) createTable(ctx context.Context, table string) error {
	return b.exec(ctx,
		fmt.Sprintf(`CREATE TABLE %s (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))`, table),
		fmt.Sprintf(`CREATE PUBLICATION %s_pub FOR TABLE %s`, table, table),
		fmt.Sprintf(`SELECT pg_create_logical_replication_slot('%s_ref', 'pgoutput')`, table),
		fmt.Sprintf(`SELECT pg_create_logical_replication_slot('%s_trib', 'pgoutput')`, table),
	)
}

// oneTransaction writes rows inserts in a single transaction; it returns the
// number of Kafka records they make.
func (b *bench) oneTransaction(ctx context.Context, table string) (int, error) {
	return b.opts.rows, b.exec(ctx, fmt.Sprintf(
		`INSERT INTO %s SELECT g, g %% 1000, 'row ' || g, now(), g / 100.0 FROM generate_series(1, %d) g`, table, b.opts.rows))
}

// mixedTransactions runs pgbench: each transaction inserts a row, updates it
// and deletes it (three row changes, four Kafka records with the tombstone).
func (b *bench) mixedTransactions(ctx context.Context, table string) (int, error) {
	txns := b.opts.rows / 3
	script := filepath.Join(b.tempDir(), "mixed.sql")
	body := fmt.Sprintf(`BEGIN;
INSERT INTO %[1]s VALUES (nextval('%[1]s_seq'), 1, 'mixed', now(), 1.5);
UPDATE %[1]s SET a = a + 1 WHERE id = currval('%[1]s_seq');
DELETE FROM %[1]s WHERE id = currval('%[1]s_seq');
END;
`, table)
	if err := os.WriteFile(script, []byte(body), 0o644); err != nil {
		return 0, err
	}
	if err := os.Chmod(filepath.Dir(script), 0o755); err != nil {
		return 0, err
	}
	if err := b.exec(ctx, fmt.Sprintf(`CREATE SEQUENCE %s_seq`, table)); err != nil {
		return 0, err
	}
	clients := 2
	cmd := exec.CommandContext(ctx, filepath.Join(b.pg.BinDir(), "pgbench"), "-n",
		"-h", b.pg.Host(), "-p", strconv.Itoa(b.pg.Port()), "-U", "postgres",
		"-c", strconv.Itoa(clients), "-j", strconv.Itoa(clients), "-t", strconv.Itoa(txns/clients),
		"-f", script, "postgres")
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("running pgbench: %w\n%s", err, out)
	}
	return (txns / clients) * clients * 4, nil
}

// insertLSN is the WAL insert position: with synchronous_commit off the
// write position can trail the last commits. A transaction committed with
// synchronous_commit on then flushes the WAL past it, so that a walsender
// reaches it without waiting for the WAL writer.
func (b *bench) insertLSN(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var lsn string
	if err := conn.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, `SET synchronous_commit = on`); err != nil {
		return "", err
	}
	_, err = conn.Exec(ctx, `SELECT txid_current()`)
	return lsn, err
}
