package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgserver"
)

// The bench command measures Tributary end to end against references
// measured in the same run, each the median of interleaved runs (reference,
// Tributary, reference, ...): pg_recvlogical and a minimal pgoutput client
// that only acknowledges (the walsender's own limit) draining the same WAL
// from copies of one slot, the same record bytes produced by bare sarama and
// franz-go producers (the produce ceiling), and COPY TO STDOUT (snapshot).
// Each Tributary run is a fresh worker process, with the broker embedded or
// in a second tributary process, whose CPU time and peak RSS are reported.

const (
	benchConverterJSON = "org.apache.kafka.connect.json.JsonConverter"
	benchConverterAvro = "io.confluent.connect.avro.AvroConverter"

	resultsBegin = "<!-- bench results begin -->"
	resultsEnd   = "<!-- bench results end -->"

	brokerEmbedded = "embedded"
	brokerExternal = "external"
)

type benchOptions struct {
	rows      int
	latencyS  int
	rate      int
	out       string
	converter string // json, avro or both
	profile   string // directory for the workers' CPU and allocation profiles
	scenarios string // comma-separated names of the scenarios table
	outage    time.Duration
	runs      int    // interleaved runs of Tributary and each reference
	broker    string // embedded, external or both
	backlog   int    // rows committed while the worker is down (restart)
	// snapshotThreads is the snapshot scenario's snapshot.max.threads.
	snapshotThreads int
}

// scenario is one name -scenarios accepts and what it runs; scenarios run,
// and are reported, in this order. A run adds its results with b.add.
type scenario struct {
	name string
	run  func(b *bench, ctx context.Context) error
}

var scenarios = []scenario{
	{"stream", (*bench).runStream},
	{"snapshot", (*bench).runSnapshot},
	{"latency", (*bench).runLatency},
	{"restart", (*bench).runRestart},
	{"outage", (*bench).runOutage},
}

// scaleScenario runs apart from the others (scale.go); `make bench-scale`.
const scaleScenario = "scale"

func scenarioNames() []string {
	var names []string
	for _, sc := range scenarios {
		names = append(names, sc.name)
	}
	return names
}

// Main runs `tributary bench` with its command-line arguments.
func Main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var o benchOptions
	fs.IntVar(&o.rows, "rows", 1_000_000, "row changes per streaming and snapshot scenario")
	fs.IntVar(&o.latencyS, "latency-seconds", 20, "duration of each latency run")
	fs.IntVar(&o.rate, "rate", 5000, "events per second of the fixed-rate latency run (another runs at half the measured JSON maximum)")
	fs.StringVar(&o.out, "out", "", "rewrite the results section of this Markdown file (e.g. BENCHMARKS.md)")
	fs.StringVar(&o.converter, "converter", "both", "json, avro or both")
	fs.StringVar(&o.profile, "profile", "", "write each scenario worker's CPU and allocation profiles, and each latency run's per-record timeline, into this directory")
	fs.StringVar(&o.scenarios, "scenarios", strings.Join(scenarioNames(), ","),
		"comma-separated scenarios to run: "+strings.Join(scenarioNames(), ", ")+", "+scaleScenario+" (own make target)")
	fs.DurationVar(&o.outage, "outage", 2*time.Minute, "how long the broker stays down in the outage scenario")
	fs.IntVar(&o.runs, "runs", 3, "interleaved runs of Tributary and of each reference; the median is reported")
	fs.StringVar(&o.broker, "broker", "both", "embedded (in the worker's process), external (a second tributary process) or both")
	fs.IntVar(&o.backlog, "backlog", 300_000, "rows committed while the worker is down in the restart scenario")
	fs.IntVar(&o.snapshotThreads, "snapshot-threads", 1,
		"snapshot.max.threads of the snapshot scenario: readers of the table's key ranges on the shared snapshot")
	scale := scaleFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.latencyS < 1 || o.rows < 1 || o.runs < 1 {
		return errors.New("-latency-seconds, -rows and -runs must be at least 1")
	}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return fmt.Errorf("-profile: %w", err)
		}
	}
	want := map[string]bool{}
	for _, name := range strings.Split(o.scenarios, ",") {
		name = strings.TrimSpace(name)
		if name != scaleScenario && !slices.Contains(scenarioNames(), name) {
			return fmt.Errorf("unknown scenario %q in -scenarios", name)
		}
		want[name] = true
	}
	if want[scaleScenario] {
		// Its own PostgreSQL, brokers and worker clusters, and its own
		// section of the results file.
		if err := runScale(ctx, scale, o.out); err != nil {
			return err
		}
		if delete(want, scaleScenario); len(want) == 0 {
			return nil
		}
	}
	b := &bench{opts: o}
	switch o.converter {
	case "json":
		b.converters = []string{benchConverterJSON}
	case "avro":
		b.converters = []string{benchConverterAvro}
	case "both":
		b.converters = []string{benchConverterJSON, benchConverterAvro}
	default:
		return fmt.Errorf("unknown -converter %q", o.converter)
	}
	switch o.broker {
	case brokerEmbedded, brokerExternal:
		b.brokers = []string{o.broker}
	case "both":
		b.brokers = []string{brokerEmbedded, brokerExternal}
	default:
		return fmt.Errorf("unknown -broker %q", o.broker)
	}
	if o.runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	if o.snapshotThreads < 1 {
		return fmt.Errorf("-snapshot-threads must be at least 1")
	}

	pg, err := pgserver.Launch()
	if err != nil {
		return fmt.Errorf("starting PostgreSQL: %w", err)
	}
	defer pg.Close()
	b.pg = pg
	defer b.cleanup()

	for _, sc := range scenarios {
		if want[sc.name] {
			if err := sc.run(b, ctx); err != nil {
				return fmt.Errorf("scenario %s: %w", sc.name, err)
			}
		}
	}
	report := b.report(b.results)
	fmt.Println(report)
	if o.out != "" {
		return writeResults(o.out, report)
	}
	return nil
}

type bench struct {
	pg         *pgserver.Server
	opts       benchOptions
	converters []string
	brokers    []string
	n          int
	temps      []string
	results    []benchResult
	host       *benchWorker // the broker in its own process, started on first use
}

// add records a result and prints its line.
func (b *bench) add(r benchResult) {
	fmt.Fprintln(os.Stderr, r.line())
	b.results = append(b.results, r)
}

func (b *bench) cleanup() {
	if b.host != nil {
		b.host.stop()
	}
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

func (b *bench) tempDir() string {
	d, err := os.MkdirTemp("", "tributary-bench")
	if err != nil {
		panic(err)
	}
	b.temps = append(b.temps, d)
	return d
}
