package bench

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

func (b *bench) streaming(ctx context.Context, name, converter string, workload func(context.Context, string) (int, error), workerEnv ...string) (benchResult, error) {
	table := b.next("bench_s")
	if err := b.createTable(ctx, table); err != nil {
		return benchResult{}, err
	}
	records, err := workload(ctx, table)
	if err != nil {
		return benchResult{}, err
	}
	end, err := b.insertLSN(ctx)
	if err != nil {
		return benchResult{}, err
	}
	ref, err := b.recvlogical(ctx, table+"_ref", table+"_pub", end)
	if err != nil {
		return benchResult{}, err
	}

	w, err := b.startWorker(ctx, table, workerEnv...)
	if err != nil {
		return benchResult{}, err
	}
	defer b.finish(w, table)
	start := time.Now()
	if err := w.createConnector(ctx, b.connectorConfig(table, converter, "no_data")); err != nil {
		return benchResult{}, err
	}
	if err := w.waitRecords(ctx, "bench.public."+table, records); err != nil {
		return benchResult{}, err
	}
	elapsed := time.Since(start)
	rss, err := w.peakRSS()
	if err != nil {
		return benchResult{}, err
	}
	events := records
	if strings.Contains(name, "mixed") {
		events = records / 4 * 3
	}
	return benchResult{Scenario: name, Converter: converter, Events: events, Seconds: elapsed.Seconds(),
		RefName: "pg_recvlogical", RefSecs: ref.Seconds(), PeakRSSMB: rss}, nil
}

func (b *bench) snapshot(ctx context.Context, converter string) (benchResult, error) {
	table := b.next("bench_snap")
	if err := b.exec(ctx,
		fmt.Sprintf(`CREATE TABLE %s (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))`, table),
		fmt.Sprintf(`INSERT INTO %s SELECT g, g %% 1000, 'row ' || g, now(), g / 100.0 FROM generate_series(1, %d) g`, table, b.opts.rows),
		fmt.Sprintf(`VACUUM ANALYZE %s`, table),
	); err != nil {
		return benchResult{}, err
	}
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return benchResult{}, err
	}
	start := time.Now()
	_, err = conn.PgConn().CopyTo(ctx, io.Discard, fmt.Sprintf(`COPY (SELECT * FROM %s) TO STDOUT`, table))
	ref := time.Since(start)
	_ = conn.Close(context.Background())
	if err != nil {
		return benchResult{}, fmt.Errorf("copying: %w", err)
	}

	w, err := b.startWorker(ctx, table)
	if err != nil {
		return benchResult{}, err
	}
	defer b.finish(w, table)
	start = time.Now()
	if err := w.createConnector(ctx, b.connectorConfig(table, converter, "initial")); err != nil {
		return benchResult{}, err
	}
	if err := w.waitRecords(ctx, "bench.public."+table, b.opts.rows); err != nil {
		return benchResult{}, err
	}
	elapsed := time.Since(start)
	rss, err := w.peakRSS()
	if err != nil {
		return benchResult{}, err
	}
	return benchResult{Scenario: "snapshot", Converter: converter, Events: b.opts.rows, Seconds: elapsed.Seconds(),
		RefName: "COPY TO STDOUT", RefSecs: ref.Seconds(), PeakRSSMB: rss}, nil
}

// latency writes at a steady rate and measures, per record, the Kafka
// CreateTime minus the row's commit-time clock_timestamp().
func (b *bench) latency(ctx context.Context, converter string) (benchResult, error) {
	table := b.next("bench_lat")
	if err := b.createTable(ctx, table); err != nil {
		return benchResult{}, err
	}
	w, err := b.startWorker(ctx, table)
	if err != nil {
		return benchResult{}, err
	}
	defer b.finish(w, table)
	if err := w.createConnector(ctx, b.connectorConfig(table, converter, "no_data")); err != nil {
		return benchResult{}, err
	}
	if err := w.waitRunning(ctx); err != nil {
		return benchResult{}, err
	}

	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return benchResult{}, err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	// The server runs with synchronous_commit=off for the throughput
	// scenarios; then a commit reaches the walsender only when the WAL
	// writer flushes (wal_writer_delay, 200 ms), which would dominate the
	// latency. The load commits as PostgreSQL does by default.
	if _, err := conn.Exec(ctx, "SET synchronous_commit = on"); err != nil {
		return benchResult{}, err
	}
	const tick = 10 * time.Millisecond
	perTick := max(1, b.opts.rate*int(tick)/int(time.Second))
	ticks := b.opts.latencyS * int(time.Second/tick)
	t := time.NewTicker(tick)
	defer t.Stop()
	id := 0
	for range ticks {
		select {
		case <-ctx.Done():
			return benchResult{}, ctx.Err()
		case <-t.C:
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf(
			`INSERT INTO %s SELECT g, 1, 'latency', clock_timestamp(), 1.5 FROM generate_series(%d, %d) g`,
			table, id+1, id+perTick)); err != nil {
			return benchResult{}, err
		}
		id += perTick
	}
	topic := "bench.public." + table
	if err := w.waitRecords(ctx, topic, id); err != nil {
		return benchResult{}, err
	}
	lat, err := w.latencies(ctx, topic, id, converter)
	if err != nil {
		return benchResult{}, err
	}
	rss, err := w.peakRSS()
	if err != nil {
		return benchResult{}, err
	}
	slices.Sort(lat)
	return benchResult{Scenario: fmt.Sprintf("latency at %d events/s", b.opts.rate), Converter: converter,
		Events: id, Seconds: float64(b.opts.latencyS), P50: lat[len(lat)/2], P99: lat[len(lat)*99/100], PeakRSSMB: rss}, nil
}

func (b *bench) connectorConfig(table, converter, snapshotMode string) map[string]string {
	return map[string]string{
		"connector.class":             "io.debezium.connector.postgresql.PostgresConnector",
		"database.hostname":           b.pg.Host(),
		"database.port":               strconv.Itoa(b.pg.Port()),
		"database.user":               "postgres",
		"database.dbname":             "postgres",
		"topic.prefix":                "bench",
		"slot.name":                   table + "_trib",
		"publication.name":            table + "_pub",
		"publication.autocreate.mode": "filtered",
		"table.include.list":          "public." + table,
		"snapshot.mode":               snapshotMode,
		"key.converter":               converter,
		"value.converter":             converter,
	}
}

// brokerOutage stops the worker's broker (hosted by another tributary
// process, with its data dir on disk), commits one transaction of -rows
// inserts while it is down, keeps it down for -outage and starts it again
// on the same port and data dir. Every change must then arrive; the
// worker's peak RSS shows that the pipeline waited instead of buffering the
// transaction.
func (b *bench) brokerOutage(ctx context.Context, converter string) (benchResult, error) {
	table := b.next("bench_out")
	if err := b.createTable(ctx, table); err != nil {
		return benchResult{}, err
	}
	hostDir := b.tempDir()
	hostEnv := []string{
		"CONNECT_GROUP_ID=broker-host",
		"CONNECT_CONFIG_STORAGE_TOPIC=broker-host-configs",
		"CONNECT_OFFSET_STORAGE_TOPIC=broker-host-offsets",
		"CONNECT_STATUS_STORAGE_TOPIC=broker-host-status",
	}
	host, err := startBenchWorker(ctx, hostDir, "", hostEnv...)
	if err != nil {
		return benchResult{}, fmt.Errorf("starting the broker host: %w", err)
	}
	defer func() { host.stop() }()
	prefix := ""
	if b.opts.profile != "" {
		prefix = filepath.Join(b.opts.profile, table)
	}
	w, err := startBenchWorker(ctx, b.tempDir(), prefix, "CONNECT_BOOTSTRAP_SERVERS="+host.broker)
	if err != nil {
		return benchResult{}, err
	}
	w.broker = host.broker
	defer b.finish(w, table)
	if err := w.createConnector(ctx, b.connectorConfig(table, converter, "no_data")); err != nil {
		return benchResult{}, err
	}
	if err := w.waitRunning(ctx); err != nil {
		return benchResult{}, err
	}

	host.stop()
	down := time.Now()
	records, err := b.oneTransaction(ctx, table)
	if err != nil {
		return benchResult{}, err
	}
	timer := time.NewTimer(time.Until(down.Add(b.opts.outage)))
	select {
	case <-ctx.Done():
		timer.Stop()
		return benchResult{}, ctx.Err()
	case <-timer.C:
	}
	host, err = startBenchWorker(ctx, hostDir, "", append(hostEnv, "CONNECT_EMBEDDED_KAFKA_LISTENERS="+w.broker)...)
	if err != nil {
		return benchResult{}, fmt.Errorf("restarting the broker host: %w", err)
	}
	back := time.Now()
	if err := w.waitRecords(ctx, "bench.public."+table, records); err != nil {
		return benchResult{}, err
	}
	drained := time.Since(back)
	rss, err := w.peakRSS()
	if err != nil {
		return benchResult{}, err
	}
	hostRSS, err := host.peakRSS()
	if err != nil {
		return benchResult{}, err
	}
	return benchResult{
		Scenario:  fmt.Sprintf("memory: 1 transaction committed during a %s broker outage", b.opts.outage),
		Converter: converter, Events: records, PeakRSSMB: rss,
		Detail: fmt.Sprintf("all delivered %.1f s after the broker returned (broker process: peak RSS %.0f MB)",
			drained.Seconds(), hostRSS),
	}, nil
}
