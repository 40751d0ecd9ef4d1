package bench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgserver"
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
	fs.StringVar(&o.scenarios, "scenarios", "stream,snapshot,latency,outage", "comma-separated scenarios to run: stream, snapshot, latency, outage")
	fs.DurationVar(&o.outage, "outage", 2*time.Minute, "how long the broker stays down in the outage scenario")
	if err := fs.Parse(args); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, sc := range strings.Split(o.scenarios, ",") {
		switch sc = strings.TrimSpace(sc); sc {
		case "stream", "snapshot", "latency", "outage":
			want[sc] = true
		default:
			return fmt.Errorf("unknown scenario %q in -scenarios", sc)
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

func (b *bench) tempDir() string {
	d, err := os.MkdirTemp("", "tributary-bench")
	if err != nil {
		panic(err)
	}
	b.temps = append(b.temps, d)
	return d
}
