package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgserver"
	"github.com/tributary-cdc/tributary/internal/profile"
)

// The bench command measures Tributary end to end against references
// measured in the same run: pg_recvlogical draining the same WAL from its own
// slot (streaming) and COPY TO STDOUT (snapshot). Each scenario runs a fresh
// worker process (embedded broker included) whose peak RSS is reported.

const (
	benchConverterJSON = "org.apache.kafka.connect.json.JsonConverter"
	benchConverterAvro = "io.confluent.connect.avro.AvroConverter"

	resultsBegin = "<!-- bench results begin -->"
	resultsEnd   = "<!-- bench results end -->"
)

type benchOptions struct {
	rows      int
	latencyS  int
	rate      int
	out       string
	converter string // json, avro or both
	profile   string // directory for the workers' CPU and allocation profiles
	scenarios string // comma-separated: stream, snapshot, latency, outage
	outage    time.Duration
}

type benchResult struct {
	Scenario  string
	Converter string
	Events    int
	Seconds   float64
	RefName   string
	RefSecs   float64
	PeakRSSMB float64
	P50, P99  time.Duration
	// Detail, when set, is the Tributary column of a scenario without a
	// reference or latencies.
	Detail string
}

func (r benchResult) rate() float64    { return float64(r.Events) / r.Seconds }
func (r benchResult) refRate() float64 { return float64(r.Events) / r.RefSecs }

// Main runs `tributary bench` with its command-line arguments.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o benchOptions
	fs.IntVar(&o.rows, "rows", 1_000_000, "row changes per streaming and snapshot scenario")
	fs.IntVar(&o.latencyS, "latency-seconds", 20, "duration of the latency scenario")
	fs.IntVar(&o.rate, "rate", 5000, "events per second in the latency scenario")
	fs.StringVar(&o.out, "out", "", "rewrite the results section of this Markdown file (e.g. BENCHMARKS.md)")
	fs.StringVar(&o.converter, "converter", "both", "json, avro or both")
	fs.StringVar(&o.profile, "profile", "", "write each scenario worker's CPU and allocation profiles into this directory")
	fs.StringVar(&o.scenarios, "scenarios", "stream,snapshot,latency,outage", "comma-separated scenarios to run: stream, snapshot, latency, outage, scale")
	fs.DurationVar(&o.outage, "outage", 2*time.Minute, "how long the broker stays down in the outage scenario")
	scale := scaleFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, sc := range strings.Split(o.scenarios, ",") {
		switch sc = strings.TrimSpace(sc); sc {
		case "stream", "snapshot", "latency", "outage", "scale":
			want[sc] = true
		default:
			return fmt.Errorf("unknown scenario %q in -scenarios", sc)
		}
	}
	if want["scale"] {
		if err := runScale(ctx, scale, o.out); err != nil {
			return err
		}
		if delete(want, "scale"); len(want) == 0 {
			return nil
		}
	}
	var converters []string
	switch o.converter {
	case "json":
		converters = []string{benchConverterJSON}
	case "avro":
		converters = []string{benchConverterAvro}
	case "both":
		converters = []string{benchConverterJSON, benchConverterAvro}
	default:
		return fmt.Errorf("unknown -converter %q", o.converter)
	}

	pg, err := pgserver.Launch()
	if err != nil {
		return fmt.Errorf("starting PostgreSQL: %w", err)
	}
	defer pg.Close()
	b := &bench{pg: pg, opts: o}
	defer b.cleanup()

	var results []benchResult
	run := func(r benchResult, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, r.line())
		results = append(results, r)
		return nil
	}
	for _, conv := range converters {
		if !want["stream"] {
			break
		}
		if err := run(b.streaming(ctx, "stream: 1 transaction", conv, b.oneTransaction)); err != nil {
			return err
		}
		if err := run(b.streaming(ctx, "stream: mixed small transactions", conv, b.mixedTransactions)); err != nil {
			return err
		}
		if conv == benchConverterJSON {
			// Debezium JSON records with schemas are large and repetitive:
			// the same run with the worker's producer compressing.
			if err := run(b.streaming(ctx, "stream: 1 transaction, producer.compression.type=lz4", conv, b.oneTransaction,
				"CONNECT_PRODUCER_COMPRESSION_TYPE=lz4")); err != nil {
				return err
			}
		}
	}
	if want["snapshot"] {
		if err := run(b.snapshot(ctx, converters[0])); err != nil {
			return err
		}
	}
	if want["latency"] {
		if err := run(b.latency(ctx, converters[0])); err != nil {
			return err
		}
	}
	if want["outage"] {
		if err := run(b.brokerOutage(ctx, converters[0])); err != nil {
			return err
		}
	}
	report := b.report(results)
	fmt.Println(report)
	if o.out != "" {
		return writeResults(o.out, report)
	}
	return nil
}

type bench struct {
	pg    *pgserver.Server
	opts  benchOptions
	n     int
	temps []string
}

func (b *bench) cleanup() {
	for _, d := range b.temps {
		_ = os.RemoveAll(d)
	}
}

func (b *bench) next(prefix string) string {
	b.n++
	return fmt.Sprintf("%s%d", prefix, b.n)
}

// finish stops the scenario's worker and drops the scenario's slots, so
// that the next scenarios find free ones (max_replication_slots).
func (b *bench) finish(w *benchWorker, table string) {
	w.stop()
	if b.opts.profile != "" {
		_ = os.WriteFile(filepath.Join(b.opts.profile, table+".log"), w.log.Bytes(), 0o644)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = b.exec(ctx, fmt.Sprintf(
		`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '%s\_%%'`, table))
}

func (b *bench) exec(ctx context.Context, sql ...string) error { return b.pg.Exec(ctx, sql...) }

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

func (b *bench) tempDir() string {
	d, err := os.MkdirTemp("", "tributary-bench")
	if err != nil {
		panic(err)
	}
	b.temps = append(b.temps, d)
	return d
}

// insertLSN is the WAL insert position: with synchronous_commit off the
// write position can trail the last commits.
func (b *bench) insertLSN(ctx context.Context) (string, error) {
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var lsn string
	err = conn.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn)
	return lsn, err
}

// recvlogical drains slot up to endpos with pg_recvlogical into /dev/null.
func (b *bench) recvlogical(ctx context.Context, slot, publication, endpos string) (time.Duration, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, filepath.Join(b.pg.BinDir(), "pg_recvlogical"),
		"-h", b.pg.Host(), "-p", strconv.Itoa(b.pg.Port()), "-U", "postgres", "-d", "postgres",
		"--slot", slot, "--start", "--endpos", endpos, "--no-loop", "-f", "/dev/null",
		"-o", "proto_version=1", "-o", "publication_names="+publication)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("running pg_recvlogical: %w\n%s", err, out)
	}
	return time.Since(start), nil
}

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

// benchWorker is a tributary worker process started for one scenario.
type benchWorker struct {
	cmd      *exec.Cmd
	rest     string
	broker   string
	registry string
	done     chan error
	log      bytes.Buffer
}

// startWorker starts a worker for the scenario on table, profiled when
// -profile is set.
func (b *bench) startWorker(ctx context.Context, table string, extraEnv ...string) (*benchWorker, error) {
	prefix := ""
	if b.opts.profile != "" {
		prefix = filepath.Join(b.opts.profile, table)
	}
	return startBenchWorker(ctx, b.tempDir(), prefix, extraEnv...)
}

func startBenchWorker(ctx context.Context, dir, profilePrefix string, extraEnv ...string) (*benchWorker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	w := &benchWorker{
		rest:     fmt.Sprintf("http://127.0.0.1:%d", ports[0]),
		broker:   fmt.Sprintf("127.0.0.1:%d", ports[1]),
		registry: fmt.Sprintf("http://127.0.0.1:%d", ports[2]),
		done:     make(chan error, 1),
	}
	w.cmd = exec.Command(exe)
	w.cmd.Env = append(os.Environ(),
		"CONNECT_LISTENERS="+w.rest,
		"CONNECT_EMBEDDED_KAFKA_LISTENERS="+w.broker,
		"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS="+w.registry,
		"CONNECT_EMBEDDED_DATA_DIR="+filepath.Join(dir, "data"),
		"CONNECT_OFFSET_FLUSH_INTERVAL_MS=1000",
		profile.Env+"="+profilePrefix,
	)
	w.cmd.Env = append(w.cmd.Env, extraEnv...)
	w.cmd.Stdout, w.cmd.Stderr = io.Discard, &w.log
	if err := w.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting worker: %w", err)
	}
	go func() { w.done <- w.cmd.Wait() }()
	if err := poll(ctx, time.Minute, "the worker's REST API", func() (bool, error) {
		select {
		case err := <-w.done:
			return false, fmt.Errorf("worker exited: %v\n%s", err, w.log.String())
		default:
		}
		resp, err := http.Get(w.rest + "/")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

func (w *benchWorker) stop() {
	// The worker's exit status is of no interest once the scenario has
	// its numbers; an error from Signal means it has exited already.
	_ = w.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-w.done:
		_ = err
	case <-time.After(30 * time.Second):
		_ = w.cmd.Process.Kill()
		err := <-w.done
		_ = err
	}
}

func (w *benchWorker) createConnector(ctx context.Context, config map[string]string) error {
	body, err := json.Marshal(map[string]any{"name": "bench", "config": config})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.rest+"/connectors", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("creating connector: %s: %s", resp.Status, msg)
	}
	return nil
}

func (w *benchWorker) waitRunning(ctx context.Context) error {
	return poll(ctx, time.Minute, "the connector to run", func() (bool, error) {
		resp, err := http.Get(w.rest + "/connectors/bench/status")
		if err != nil {
			return false, nil
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if bytes.Contains(body, []byte(`"FAILED"`)) {
			return false, fmt.Errorf("connector failed: %s", body)
		}
		return bytes.Count(body, []byte(`"RUNNING"`)) == 2, nil
	})
}

// waitRecords waits until the broker holds n records in topic.
func (w *benchWorker) waitRecords(ctx context.Context, topic string, n int) error {
	client, err := sarama.NewClient([]string{w.broker}, kafkaclient.NewConfig("bench"))
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	return poll(ctx, 30*time.Minute, fmt.Sprintf("%d records in %s", n, topic), func() (bool, error) {
		if err := w.failed(); err != nil {
			return false, err
		}
		if err := client.RefreshMetadata(topic); err != nil {
			return false, nil
		}
		parts, err := client.Partitions(topic)
		if err != nil {
			return false, nil
		}
		total := int64(0)
		for _, p := range parts {
			off, err := client.GetOffset(topic, p, sarama.OffsetNewest)
			if err != nil {
				return false, nil
			}
			total += off
		}
		return total >= int64(n), nil
	})
}

// failed reports a FAILED task or a worker that exited.
func (w *benchWorker) failed() error {
	select {
	case err := <-w.done:
		w.done <- err
		return fmt.Errorf("worker exited: %v\n%s", err, w.log.String())
	default:
	}
	resp, err := http.Get(w.rest + "/connectors/bench/status")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if bytes.Contains(body, []byte(`"FAILED"`)) {
		return fmt.Errorf("connector failed: %s", body)
	}
	return nil
}

// latencies reads the topic and returns CreateTime − c for each record.
func (w *benchWorker) latencies(ctx context.Context, topic string, n int, converter string) ([]time.Duration, error) {
	if converter != benchConverterJSON {
		return nil, errors.New("the latency scenario decodes JSON records only")
	}
	consumer, err := sarama.NewConsumer([]string{w.broker}, kafkaclient.NewConfig("bench-latency"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = consumer.Close() }()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		return nil, err
	}
	defer func() { _ = pc.Close() }()
	out := make([]time.Duration, 0, n)
	for len(out) < n {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case m := <-pc.Messages():
			var v struct {
				Payload struct {
					After struct {
						C string `json:"c"`
					} `json:"after"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(m.Value, &v); err != nil {
				return nil, fmt.Errorf("decoding record: %w", err)
			}
			written, err := time.Parse(time.RFC3339Nano, v.Payload.After.C)
			if err != nil {
				return nil, fmt.Errorf("parsing c %q: %w", v.Payload.After.C, err)
			}
			out = append(out, m.Timestamp.Sub(written))
		}
	}
	return out, nil
}

// peakRSS is the worker process's peak resident set (VmHWM) in MB.
func (w *benchWorker) peakRSS() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", w.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("VmHWM not found")
}

func poll(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-t.C:
		}
	}
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func shortConverter(class string) string {
	if class == benchConverterAvro {
		return "Avro"
	}
	return "JSON"
}

func (r benchResult) line() string {
	if r.Detail != "" {
		return fmt.Sprintf("%s (%s): %d events, %s, peak RSS %.0f MB",
			r.Scenario, shortConverter(r.Converter), r.Events, r.Detail, r.PeakRSSMB)
	}
	if r.RefName == "" {
		return fmt.Sprintf("%s (%s): %d events, p50 %s, p99 %s, peak RSS %.0f MB",
			r.Scenario, shortConverter(r.Converter), r.Events, r.P50, r.P99, r.PeakRSSMB)
	}
	return fmt.Sprintf("%s (%s): %d events in %.2fs = %.0f/s; %s %.2fs = %.0f/s; ratio %.2f×; peak RSS %.0f MB",
		r.Scenario, shortConverter(r.Converter), r.Events, r.Seconds, r.rate(), r.RefName, r.RefSecs, r.refRate(),
		r.rate()/r.refRate(), r.PeakRSSMB)
}

func (b *bench) report(results []benchResult) string {
	var s strings.Builder
	host, _ := os.Hostname()
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	fmt.Fprintf(&s, "Measured %s on %s (%d CPUs, %s, %s), PostgreSQL from %s.\n",
		time.Now().UTC().Format("2006-01-02"), host, runtime.NumCPU(), cpu, runtime.Version(), b.pg.BinDir())
	fmt.Fprintf(&s, "Command: `tributary bench -rows %d -latency-seconds %d -rate %d -outage %s -scenarios %s`.\n\n",
		b.opts.rows, b.opts.latencyS, b.opts.rate, b.opts.outage, b.opts.scenarios)
	s.WriteString("| Scenario | Converter | Events | Tributary | Reference | Ratio | Peak RSS |\n|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		if r.Detail != "" {
			fmt.Fprintf(&s, "| %s | %s | %d | %s | – | – | %.0f MB |\n",
				r.Scenario, shortConverter(r.Converter), r.Events, r.Detail, r.PeakRSSMB)
			continue
		}
		if r.RefName == "" {
			fmt.Fprintf(&s, "| %s | %s | %d | p50 %s, p99 %s | – | – | %.0f MB |\n",
				r.Scenario, shortConverter(r.Converter), r.Events, r.P50, r.P99, r.PeakRSSMB)
			continue
		}
		fmt.Fprintf(&s, "| %s | %s | %d | %.0f/s (%.2f s) | %s %.0f/s (%.2f s) | %.2f× | %.0f MB |\n",
			r.Scenario, shortConverter(r.Converter), r.Events, r.rate(), r.Seconds, r.RefName, r.refRate(), r.RefSecs,
			r.rate()/r.refRate(), r.PeakRSSMB)
	}
	return s.String()
}

// writeResults replaces the text between the results markers of path (or
// appends a results section).
func writeResults(path, report string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	section := resultsBegin + "\n" + report + resultsEnd
	if i, j := strings.Index(text, resultsBegin), strings.Index(text, resultsEnd); i >= 0 && j > i {
		text = text[:i] + section + text[j+len(resultsEnd):]
	} else {
		text += "\n## End to end (`make bench`)\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
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
