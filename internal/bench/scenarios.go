package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// brokerHost is a second tributary process with no connectors whose
// embedded broker the external-broker runs and the produce ceilings use;
// it is started on first use and stopped by cleanup.
func (b *bench) brokerHost(ctx context.Context) (*benchWorker, error) {
	if b.host != nil {
		return b.host, nil
	}
	host, err := startBenchWorker(ctx, b.tempDir(), "",
		"CONNECT_GROUP_ID=broker-host",
		"CONNECT_CONFIG_STORAGE_TOPIC=broker-host-configs",
		"CONNECT_OFFSET_STORAGE_TOPIC=broker-host-offsets",
		"CONNECT_STATUS_STORAGE_TOPIC=broker-host-status")
	if err != nil {
		return nil, fmt.Errorf("starting the broker host: %w", err)
	}
	b.host = host
	return host, nil
}

// workerSpec is a fresh worker named name: with the embedded broker, or
// (mode external) a client of the broker host under its own group and
// internal topics. broker is where its records land.
func (b *bench) workerSpec(ctx context.Context, mode, name string, env ...string) (spec workerSpec, broker string, err error) {
	spec = workerSpec{dir: b.tempDir(), env: slices.Clone(env)}
	if b.opts.profile != "" {
		spec.profilePrefix = filepath.Join(b.opts.profile, name)
	}
	if mode != brokerExternal {
		return spec, "", nil
	}
	host, err := b.brokerHost(ctx)
	if err != nil {
		return spec, "", err
	}
	spec.env = append(spec.env, "CONNECT_BOOTSTRAP_SERVERS="+host.broker,
		"CONNECT_GROUP_ID="+name,
		"CONNECT_CONFIG_STORAGE_TOPIC="+name+"-configs",
		"CONNECT_OFFSET_STORAGE_TOPIC="+name+"-offsets",
		"CONNECT_STATUS_STORAGE_TOPIC="+name+"-status")
	return spec, host.broker, nil
}

// startSpec starts a worker from spec; with an external broker its
// records are read from the broker host.
func startSpec(ctx context.Context, spec workerSpec, broker string) (*benchWorker, error) {
	w, err := startWorkerSpec(ctx, spec)
	if err != nil {
		return nil, err
	}
	if broker != "" {
		w.broker = broker
	}
	return w, nil
}

// stopRun stops a run's worker, keeps its log with the profiles and frees
// its data directory.
func (b *bench) stopRun(w *benchWorker, name string) {
	w.stop()
	if b.opts.profile != "" {
		_ = os.WriteFile(filepath.Join(b.opts.profile, name+".log"), w.log.Bytes(), 0o644)
	}
	_ = os.RemoveAll(w.spec.dir)
}

// runMeasure is one Tributary run: wall time from creating the connector
// to the last record in the broker, the worker's CPU time over it, its
// peak RSS, and what its slot's walsender spilled.
type runMeasure struct {
	secs, cpu, rss float64
	cond           string // what its slot's walsender spilled, when streaming
}

// measure starts a worker (mode), creates the connector config and waits
// for records in topic; keep, when set, sees the worker before it stops.
func (b *bench) measure(ctx context.Context, mode, name string, config map[string]string, topic string, records int,
	env []string, keep func(w *benchWorker) error) (runMeasure, error) {
	spec, broker, err := b.workerSpec(ctx, mode, name, env...)
	if err != nil {
		return runMeasure{}, err
	}
	if broker != "" && config["value.converter"] == benchConverterAvro {
		// A worker with bootstrap.servers runs no schema registry of its
		// own: the broker host's serves.
		config["key.converter.schema.registry.url"] = b.host.registry
		config["value.converter.schema.registry.url"] = b.host.registry
	}
	w, err := startSpec(ctx, spec, broker)
	if err != nil {
		return runMeasure{}, err
	}
	defer b.stopRun(w, name)
	cpu0, err := w.cpuSeconds()
	if err != nil {
		return runMeasure{}, err
	}
	start := time.Now()
	if err := w.createConnector(ctx, config); err != nil {
		return runMeasure{}, err
	}
	if err := w.waitRecords(ctx, topic, records); err != nil {
		return runMeasure{}, err
	}
	m := runMeasure{secs: time.Since(start).Seconds()}
	cpu1, err := w.cpuSeconds()
	if err != nil {
		return runMeasure{}, err
	}
	m.cpu = cpu1 - cpu0
	if m.rss, err = w.peakRSS(); err != nil {
		return runMeasure{}, err
	}
	if slot := config["slot.name"]; slot != "" && config["snapshot.mode"] == "no_data" {
		sp, err := b.slotSpill(ctx, slot)
		if err != nil {
			return runMeasure{}, err
		}
		m.cond = sp.String()
	}
	if keep != nil {
		if err := keep(w); err != nil {
			return runMeasure{}, err
		}
	}
	if mode == brokerExternal {
		deleteTopic(w.broker, topic)
	}
	return m, nil
}

// refRuns collects a reference's runs.
type refRuns struct {
	order []string
	runs  map[string][]float64
	conds map[string][]string
}

func (r *refRuns) add(name string, d time.Duration, cond string) {
	if r.runs == nil {
		r.runs, r.conds = map[string][]float64{}, map[string][]string{}
	}
	if _, ok := r.runs[name]; !ok {
		r.order = append(r.order, name)
	}
	r.runs[name] = append(r.runs[name], d.Seconds())
	r.conds[name] = append(r.conds[name], cond)
}

func (r *refRuns) results() []refResult {
	var out []refResult
	for _, name := range r.order {
		out = append(out, refResult{Name: name, Seconds: median(r.runs[name]), Runs: r.runs[name],
			Conditions: conditions(r.conds[name])})
	}
	return out
}

// tribRuns collects Tributary's runs with one broker mode.
type tribRuns struct {
	secs, cpu []float64
	rss       float64
	conds     []string
}

func (t *tribRuns) add(m runMeasure) {
	t.secs = append(t.secs, m.secs)
	t.cpu = append(t.cpu, m.cpu)
	t.rss = max(t.rss, m.rss)
	t.conds = append(t.conds, m.cond)
}

// ceilings produces the sample's bytes, records times, into the broker
// host with sarama and with kgo.
func (b *bench) ceilings(ctx context.Context, refs *refRuns, s *sample, records int, name string, lz4 bool) error {
	host, err := b.brokerHost(ctx)
	if err != nil {
		return err
	}
	settings := kafkaclient.DefaultProducerSettings()
	if lz4 {
		settings.Compression = sarama.CompressionLZ4
	}
	cond := fmt.Sprintf("%.0f B/record (key+value)", s.avgBytes())
	d, err := produceSarama(ctx, host.broker, name+"_sarama", s, records, settings)
	if err != nil {
		return fmt.Errorf("produce ceiling (sarama): %w", err)
	}
	refs.add(refSarama, d, cond)
	d, err = produceKgo(ctx, host.broker, name+"_kgo", s, records, lz4)
	if err != nil {
		return fmt.Errorf("produce ceiling (kgo): %w", err)
	}
	refs.add(refKgo, d, cond)
	return nil
}

// streamCase is one streaming scenario.
type streamCase struct {
	name      string
	converter string
	workload  func(context.Context, string) (int, error)
	env       []string          // the worker's
	config    map[string]string // the connector's, over connectorConfig
	lz4       bool
}

func (b *bench) runStream(ctx context.Context) error {
	for _, conv := range b.converters {
		cases := []streamCase{
			{name: "stream: 1 transaction", converter: conv, workload: b.oneTransaction},
			{name: "stream: mixed small transactions", converter: conv, workload: b.mixedTransactions},
		}
		if conv == benchConverterJSON {
			// Debezium JSON records with schemas are large and repetitive:
			// the same run with the worker's producer compressing, and
			// without the schemas.
			cases = append(cases,
				streamCase{name: "stream: 1 transaction, producer.compression.type=lz4", converter: conv,
					workload: b.oneTransaction, env: []string{"CONNECT_PRODUCER_COMPRESSION_TYPE=lz4"}, lz4: true},
				streamCase{name: "stream: 1 transaction, schemas.enable=false", converter: conv,
					workload: b.oneTransaction, config: map[string]string{
						"key.converter.schemas.enable": "false", "value.converter.schemas.enable": "false"}})
		}
		for _, c := range cases {
			if err := b.streamScenario(ctx, c); err != nil {
				return fmt.Errorf("%s (%s): %w", c.name, shortConverter(c.converter), err)
			}
		}
	}
	return nil
}

// streamScenario commits the workload once and drains its WAL -runs
// times, interleaved: pg_recvlogical, the walsender limit, Tributary with
// each broker, then the produce ceilings of Tributary's bytes.
func (b *bench) streamScenario(ctx context.Context, c streamCase) error {
	table := b.next("bench_s")
	if err := b.createTable(ctx, table); err != nil {
		return err
	}
	defer b.dropSlots(table)
	records, err := c.workload(ctx, table)
	if err != nil {
		return err
	}
	end, err := b.insertLSN(ctx)
	if err != nil {
		return err
	}
	events := records
	if strings.Contains(c.name, "mixed") {
		events = records / 4 * 3
	}
	base, pub := table+"_ref", table+"_pub"
	var refs refRuns
	trib := map[string]*tribRuns{}
	var smp *sample
	for run := 1; run <= b.opts.runs; run++ {
		d, sp, err := b.slotRun(ctx, base, fmt.Sprintf("%s_rl%d", table, run), pub, end, b.recvlogical)
		if err != nil {
			return err
		}
		refs.add(refRecvlogical, d, sp.String())
		d, sp, err = b.slotRun(ctx, base, fmt.Sprintf("%s_ws%d", table, run), pub, end, b.walsender)
		if err != nil {
			return err
		}
		refs.add(refWalsender, d, sp.String())
		for _, mode := range b.brokers {
			name := fmt.Sprintf("%s_%s%d", table, mode[:3], run)
			slot := name
			if err := b.copySlot(ctx, base, slot); err != nil {
				return err
			}
			prefix := fmt.Sprintf("b%s%d", mode[:3], run)
			topic := prefix + ".public." + table
			cfg := b.connectorConfig(table, c.converter, "no_data")
			cfg["slot.name"], cfg["topic.prefix"] = slot, prefix
			for k, v := range c.config {
				cfg[k] = v
			}
			var keep func(w *benchWorker) error
			if smp == nil {
				keep = func(w *benchWorker) (err error) {
					smp, err = captureSample(ctx, w.broker, topic)
					return err
				}
			}
			m, err := b.measure(ctx, mode, name, cfg, topic, records, c.env, keep)
			if err != nil {
				return err
			}
			if err := b.dropSlot(ctx, slot); err != nil {
				return err
			}
			if trib[mode] == nil {
				trib[mode] = &tribRuns{}
			}
			trib[mode].add(m)
		}
		if err := b.ceilings(ctx, &refs, smp, records, fmt.Sprintf("ceiling_%s_%d", table, run), c.lz4); err != nil {
			return err
		}
	}
	b.addRuns(c.name, c.converter, events, refRecvlogical, refs.results(), trib)
	return nil
}

// addRuns adds one result per broker mode, each with the same references.
func (b *bench) addRuns(name, converter string, events int, primary string, refs []refResult, trib map[string]*tribRuns) {
	for _, mode := range b.brokers {
		t := trib[mode]
		r := benchResult{Scenario: name, Converter: converter, Broker: mode, Events: events,
			Seconds: median(t.secs), Runs: t.secs, CPUSecs: median(t.cpu), PeakRSSMB: t.rss, Refs: refs,
			Conditions: conditions(t.conds)}
		for _, ref := range refs {
			if ref.Name == primary {
				r.RefName, r.RefSecs = ref.Name, ref.Seconds
			}
		}
		b.add(r)
	}
}

// dropSlots drops what is left of a scenario's slots, so that the next
// scenarios find free ones (max_replication_slots).
func (b *bench) dropSlots(table string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_ = b.exec(ctx, fmt.Sprintf(
		`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '%s\_%%'`, table))
}

func (b *bench) runSnapshot(ctx context.Context) error {
	for _, conv := range b.converters {
		if err := b.snapshotScenario(ctx, conv); err != nil {
			return fmt.Errorf("snapshot (%s): %w", shortConverter(conv), err)
		}
	}
	return nil
}

const (
	snapshotScenarioName = "snapshot"
	snapshotThreadsPart  = ", snapshot.max.threads="
)

// snapshotName is the snapshot scenario's name in the report, which names
// snapshot.max.threads when the table is read by more than one reader.
func snapshotName(threads int) string {
	if threads > 1 {
		return snapshotScenarioName + snapshotThreadsPart + strconv.Itoa(threads)
	}
	return snapshotScenarioName
}

// snapshotScenario reads one table -runs times, interleaved: COPY TO
// STDOUT, Tributary's initial snapshot with each broker, then the produce
// ceilings of Tributary's bytes.
func (b *bench) snapshotScenario(ctx context.Context, converter string) error {
	table := b.next("bench_snap")
	if err := b.exec(ctx,
		fmt.Sprintf(`CREATE TABLE %s (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric(12,2))`, table),
		fmt.Sprintf(`INSERT INTO %s SELECT g, g %% 1000, 'row ' || g, now(), g / 100.0 FROM generate_series(1, %d) g`, table, b.opts.rows),
		fmt.Sprintf(`VACUUM ANALYZE %s`, table),
	); err != nil {
		return err
	}
	defer b.dropSlots(table)
	var refs refRuns
	trib := map[string]*tribRuns{}
	var smp *sample
	for run := 1; run <= b.opts.runs; run++ {
		d, err := b.copyOut(ctx, table)
		if err != nil {
			return err
		}
		refs.add(refCopy, d, "")
		for _, mode := range b.brokers {
			name := fmt.Sprintf("%s_%s%d", table, mode[:3], run)
			prefix := fmt.Sprintf("b%s%d", mode[:3], run)
			topic := prefix + ".public." + table
			cfg := b.connectorConfig(table, converter, "initial")
			cfg["slot.name"], cfg["topic.prefix"] = name, prefix
			if b.opts.snapshotThreads > 1 {
				cfg["snapshot.max.threads"] = strconv.Itoa(b.opts.snapshotThreads)
			}
			var keep func(w *benchWorker) error
			if smp == nil {
				keep = func(w *benchWorker) (err error) {
					smp, err = captureSample(ctx, w.broker, topic)
					return err
				}
			}
			m, err := b.measure(ctx, mode, name, cfg, topic, b.opts.rows, nil, keep)
			if err != nil {
				return err
			}
			if err := b.dropSlot(ctx, name); err != nil {
				return err
			}
			if trib[mode] == nil {
				trib[mode] = &tribRuns{}
			}
			trib[mode].add(m)
		}
		if err := b.ceilings(ctx, &refs, smp, b.opts.rows, fmt.Sprintf("ceiling_%s_%d", table, run), false); err != nil {
			return err
		}
	}
	b.addRuns(snapshotName(b.opts.snapshotThreads), converter, b.opts.rows, refCopy, refs.results(), trib)
	return nil
}

// maxJSONRate is the highest median rate of the JSON streaming scenarios
// with Kafka Connect's default converter settings, per broker mode.
func (b *bench) maxJSONRate(mode string) float64 {
	best := 0.0
	for _, r := range b.results {
		if strings.HasPrefix(r.Scenario, "stream:") && r.Converter == benchConverterJSON && r.Broker == mode &&
			!strings.Contains(r.Scenario, ",") && r.Seconds > 0 {
			best = max(best, r.rate())
		}
	}
	return best
}

// runLatency measures commit-to-acknowledged latency at -rate events/s
// and at half of the maximum JSON rate the stream scenario measured.
func (b *bench) runLatency(ctx context.Context) error {
	for _, mode := range b.brokers {
		r, err := b.latency(ctx, mode, b.opts.rate, fmt.Sprintf("latency at %d events/s", b.opts.rate))
		if err != nil {
			return err
		}
		b.add(r)
		if top := b.maxJSONRate(mode); top > 0 {
			half := int(top / 2)
			r, err := b.latency(ctx, mode, half,
				fmt.Sprintf("latency at half the maximum JSON rate (%.0f/s)", top))
			if err != nil {
				return err
			}
			r.HalfMax = true
			b.add(r)
		}
	}
	return nil
}

// latency writes at a steady rate and measures, per record, the time from
// the row's clock_timestamp() (in its committing transaction) to its
// arrival at a consumer reading the topic meanwhile. One second of the same
// load runs first and is not counted: it creates the topic and loads the
// table's definition, which happen once per connector, not per record.
func (b *bench) latency(ctx context.Context, mode string, rate int, name string) (benchResult, error) {
	converter := benchConverterJSON
	table := b.next("bench_lat")
	if err := b.createTable(ctx, table); err != nil {
		return benchResult{}, err
	}
	defer b.dropSlots(table)
	spec, broker, err := b.workerSpec(ctx, mode, table)
	if err != nil {
		return benchResult{}, err
	}
	w, err := startSpec(ctx, spec, broker)
	if err != nil {
		return benchResult{}, err
	}
	defer b.stopRun(w, table)
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
	perTick := max(1, rate*int(tick)/int(time.Second))
	id := 0
	load := func(ticks int) error {
		t := time.NewTicker(tick)
		defer t.Stop()
		for range ticks {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
			if _, err := conn.Exec(ctx, fmt.Sprintf(
				`INSERT INTO %s SELECT g, 1, 'latency', clock_timestamp(), 1.5 FROM generate_series(%d, %d) g`,
				table, id+1, id+perTick)); err != nil {
				return err
			}
			id += perTick
		}
		return nil
	}
	topic := "bench.public." + table
	if err := load(int(time.Second / tick)); err != nil {
		return benchResult{}, err
	}
	if err := w.waitRecords(ctx, topic, id); err != nil {
		return benchResult{}, err
	}
	ticks := b.opts.latencyS * int(time.Second/tick)
	consumer, err := w.consumeLatencies(ctx, topic, perTick, ticks*perTick)
	if err != nil {
		return benchResult{}, err
	}
	defer consumer.close()
	// Every record is due well within this once its load has ended.
	waitCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := load(1); err != nil {
		return benchResult{}, err
	}
	if err := consumer.fetching(waitCtx); err != nil {
		return benchResult{}, fmt.Errorf("consuming %s: %w", topic, err)
	}
	if err := load(ticks); err != nil {
		return benchResult{}, err
	}
	samples, err := consumer.wait(waitCtx)
	if err != nil {
		return benchResult{}, fmt.Errorf("consuming %s: %w", topic, err)
	}
	if err := b.writeTimeline(table, samples); err != nil {
		return benchResult{}, err
	}
	rss, err := w.peakRSS()
	if err != nil {
		return benchResult{}, err
	}
	if mode == brokerExternal {
		deleteTopic(w.broker, topic)
	}
	lat := make([]time.Duration, len(samples))
	for i, s := range samples {
		lat[i] = s.received.Sub(s.written)
	}
	slices.Sort(lat)
	return benchResult{Scenario: name, Converter: converter, Broker: mode,
		Events: len(samples), Seconds: float64(b.opts.latencyS), P50: lat[len(lat)/2], P99: lat[len(lat)*99/100], PeakRSSMB: rss}, nil
}

// writeTimeline writes a latency run's samples next to its worker's
// profiles (name.latency.csv), when there are any: per record, the row's
// clock_timestamp(), the record's CreateTime and its arrival at the
// consumer, in Unix microseconds. Whether the tail is one stall, a few
// periodic ones or a queue that keeps growing is read from that.
func (b *bench) writeTimeline(name string, samples []latencySample) error {
	if b.opts.profile == "" {
		return nil
	}
	f, err := os.Create(filepath.Join(b.opts.profile, name+".latency.csv"))
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	for _, s := range samples {
		if _, err := fmt.Fprintf(bw, "%d,%d,%d\n", s.written.UnixMicro(), s.created.UnixMicro(), s.received.UnixMicro()); err != nil {
			break
		}
	}
	return errors.Join(bw.Flush(), f.Close())
}

// runRestart measures, with each broker, a worker process restarted with
// an existing connector: from process start to the first record delivered,
// and to the last record of a -backlog-row transaction committed while it
// was down.
func (b *bench) runRestart(ctx context.Context) error {
	for _, mode := range b.brokers {
		if err := b.restart(ctx, mode); err != nil {
			return fmt.Errorf("restart (%s broker): %w", mode, err)
		}
	}
	return nil
}

func (b *bench) restart(ctx context.Context, mode string) error {
	converter := benchConverterJSON
	table := b.next("bench_rs")
	if err := b.createTable(ctx, table); err != nil {
		return err
	}
	defer b.dropSlots(table)
	spec, broker, err := b.workerSpec(ctx, mode, table)
	if err != nil {
		return err
	}
	w, err := startSpec(ctx, spec, broker)
	if err != nil {
		return err
	}
	topic := "bench.public." + table
	insert := func(from, to int) error {
		return b.exec(ctx, fmt.Sprintf(
			`INSERT INTO %s SELECT g, g %% 1000, 'row ' || g, now(), g / 100.0 FROM generate_series(%d, %d) g`, table, from, to))
	}
	if err := w.createConnector(ctx, b.connectorConfig(table, converter, "no_data")); err != nil {
		w.stop()
		return err
	}
	if err := w.waitRunning(ctx); err != nil {
		w.stop()
		return err
	}
	if err := insert(1, 1); err != nil {
		w.stop()
		return err
	}
	if err := w.waitRecords(ctx, topic, 1); err != nil {
		w.stop()
		return err
	}
	w.stop()

	// One change waits while the worker is down; the worker starts again
	// on the same data directory and listeners.
	if err := insert(2, 2); err != nil {
		return err
	}
	start := time.Now()
	w, err = startSpec(ctx, w.spec, broker)
	if err != nil {
		return err
	}
	if err := w.waitRecords(ctx, topic, 2); err != nil {
		w.stop()
		return err
	}
	first := time.Since(start)
	firstRSS, err := w.peakRSS()
	w.stop()
	if err != nil {
		return err
	}
	b.add(benchResult{Scenario: "restart: process start → first record, existing connector", Converter: converter,
		Broker: mode, Events: 1, FirstRecord: first, PeakRSSMB: firstRSS,
		Detail: fmt.Sprintf("%d ms", first.Milliseconds())})

	if err := insert(3, b.opts.backlog+2); err != nil {
		return err
	}
	start = time.Now()
	w, err = startSpec(ctx, w.spec, broker)
	if err != nil {
		return err
	}
	defer b.stopRun(w, table)
	if err := w.waitRecords(ctx, topic, b.opts.backlog+2); err != nil {
		return err
	}
	elapsed := time.Since(start)
	cpu, err := w.cpuSeconds()
	if err != nil {
		return err
	}
	rss, err := w.peakRSS()
	if err != nil {
		return err
	}
	if mode == brokerExternal {
		deleteTopic(w.broker, topic)
	}
	b.add(benchResult{Scenario: fmt.Sprintf("restart on a %d-row backlog (1 transaction), process start included", b.opts.backlog),
		Converter: converter, Broker: mode, Events: b.opts.backlog, Seconds: elapsed.Seconds(), CPUSecs: cpu, PeakRSSMB: rss})
	return nil
}

func (b *bench) runOutage(ctx context.Context) error {
	r, err := b.brokerOutage(ctx, b.converters[0])
	if err != nil {
		return err
	}
	r.Broker = brokerExternal
	b.add(r)
	return nil
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
