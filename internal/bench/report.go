package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchResult is one scenario's outcome with one converter and broker.
type benchResult struct {
	Scenario  string
	Converter string
	Broker    string // embedded or external; empty when it does not apply
	Events    int
	Seconds   float64   // Tributary's median over the runs
	Runs      []float64 // each run's seconds
	CPUSecs   float64   // the worker's user and system CPU seconds (median)
	// RefName and RefSecs are the scenario's main reference; Refs every
	// reference measured with it.
	RefName   string
	RefSecs   float64
	Refs      []refResult
	PeakRSSMB float64 // the highest of the runs
	P50, P99  time.Duration
	// HalfMax marks the latency run at half the measured maximum JSON rate.
	HalfMax bool
	// FirstRecord is the restart scenario's process start to first record.
	FirstRecord time.Duration
	// Conditions are what changes the result, e.g. the walsender's spills.
	Conditions string
	// Detail, when set, is the Tributary column of a scenario without a
	// reference or latencies.
	Detail string
}

// refResult is a reference's median over the interleaved runs.
type refResult struct {
	Name       string
	Seconds    float64
	Runs       []float64
	Conditions string
}

func (r benchResult) rate() float64 { return float64(r.Events) / r.Seconds }

// scenarioBase is the scenario's name without the snapshot readers
// (snapshotName): the snapshot's targets hold however many read it.
func (r benchResult) scenarioBase() string {
	if base, _, ok := strings.Cut(r.Scenario, snapshotThreadsPart); ok && base == snapshotScenarioName {
		return base
	}
	return r.Scenario
}

// refs are the result's references, its main one at least.
func (r benchResult) refs() []refResult {
	if len(r.Refs) == 0 && r.RefName != "" {
		return []refResult{{Name: r.RefName, Seconds: r.RefSecs}}
	}
	return r.Refs
}

// ref is the named reference's rate in events/s, 0 when not measured.
func (r benchResult) ref(name string) float64 {
	for _, ref := range r.refs() {
		if ref.Name == name && ref.Seconds > 0 {
			return float64(r.Events) / ref.Seconds
		}
	}
	return 0
}

// cpuPerMillion is the worker's CPU seconds per million events.
func (r benchResult) cpuPerMillion() string {
	if r.CPUSecs <= 0 || r.Events == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", r.CPUSecs/float64(r.Events)*1e6)
}

func shortConverter(class string) string {
	if class == benchConverterAvro {
		return "Avro"
	}
	return "JSON"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// tributary is the Tributary column of a result.
func (r benchResult) tributary() string {
	switch {
	case r.Detail != "":
		return r.Detail
	case r.P99 > 0:
		return fmt.Sprintf("p50 %s, p99 %s", r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond))
	case r.Seconds > 0:
		return fmt.Sprintf("%.0f/s (%.2f s)", r.rate(), r.Seconds)
	}
	return "–"
}

func (r benchResult) runs() string {
	var s []string
	for _, x := range r.Runs {
		s = append(s, fmt.Sprintf("%.2f", x))
	}
	return strings.Join(s, ", ")
}

func (r benchResult) line() string {
	s := fmt.Sprintf("%s (%s, %s broker): %d events, %s, CPU %s s per million events, peak RSS %.0f MB",
		r.Scenario, shortConverter(r.Converter), orDash(r.Broker), r.Events, r.tributary(), r.cpuPerMillion(), r.PeakRSSMB)
	for _, ref := range r.refs() {
		s += fmt.Sprintf("; %s %.0f/s", ref.Name, float64(r.Events)/ref.Seconds)
	}
	return s
}

func (b *bench) report(results []benchResult) string {
	var s strings.Builder
	host, cpu := hostAndCPU()
	fmt.Fprintf(&s, "Measured %s on %s (%d CPUs, %s, %s), PostgreSQL from %s.\n",
		time.Now().UTC().Format("2006-01-02"), host, runtime.NumCPU(), cpu, runtime.Version(), b.pg.BinDir())
	fmt.Fprintf(&s, "PostgreSQL settings that change the references: %s.\n", b.pgSettings())
	threads := ""
	if b.opts.snapshotThreads > 1 {
		threads = fmt.Sprintf(" -snapshot-threads %d", b.opts.snapshotThreads)
	}
	fmt.Fprintf(&s, "Command: `tributary bench -rows %d -runs %d -broker %s -backlog %d -latency-seconds %d -rate %d -outage %s -converter %s -scenarios %s%s`.\n\n",
		b.opts.rows, b.opts.runs, b.opts.broker, b.opts.backlog, b.opts.latencyS, b.opts.rate, b.opts.outage,
		b.opts.converter, b.opts.scenarios, threads)
	fmt.Fprintf(&s, "Tributary and every reference: the median of %d interleaved runs (per run: pg_recvlogical, the walsender limit "+
		"or COPY, Tributary with each broker, then the produce ceilings), each run a fresh worker process. "+
		"Broker embedded: in the worker's process; external: a second tributary process with no connectors, "+
		"which the produce ceilings also write to. CPU: the worker's user+system seconds from creating the connector "+
		"to the last record in the broker, per million events.\n\n", b.opts.runs)

	s.WriteString("| Scenario | Converter | Broker | Events | Tributary | Runs (s) | CPU s / M events | Peak RSS | Conditions |\n" +
		"|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(&s, "| %s | %s | %s | %d | %s | %s | %s | %.0f MB | %s |\n",
			r.Scenario, shortConverter(r.Converter), orDash(r.Broker), r.Events, r.tributary(), orDash(r.runs()),
			r.cpuPerMillion(), r.PeakRSSMB, orDash(r.Conditions))
	}

	s.WriteString("\nReferences, measured in the same run on the same WAL, table or record bytes:\n\n" +
		"| Scenario | Converter | Reference | Rate | Runs (s) | Tributary ÷ reference | Conditions |\n|---|---|---|---|---|---|---|\n")
	seen := map[string]bool{}
	for i, r := range results {
		key := r.Scenario + "\x00" + r.Converter
		if seen[key] || len(r.refs()) == 0 {
			continue
		}
		seen[key] = true
		for _, ref := range r.refs() {
			var ratios []string
			for _, o := range results[i:] {
				if o.Scenario == r.Scenario && o.Converter == r.Converter && o.Seconds > 0 {
					ratios = append(ratios, fmt.Sprintf("%.2f× (%s)", ref.Seconds/o.Seconds, orDash(o.Broker)))
				}
			}
			var runs []string
			for _, x := range ref.Runs {
				runs = append(runs, fmt.Sprintf("%.2f", x))
			}
			fmt.Fprintf(&s, "| %s | %s | %s | %.0f/s | %s | %s | %s |\n", r.Scenario, shortConverter(r.Converter),
				ref.Name, float64(r.Events)/ref.Seconds, orDash(strings.Join(runs, ", ")), strings.Join(ratios, ", "),
				orDash(ref.Conditions))
		}
	}

	s.WriteString("\nTargets, computed from the tables above. Every throughput target reads \"or ≥ 0.8× the produce " +
		"ceiling (sarama) for the same bytes, whichever is lower\". A real Kafka broker adds " +
		"`group.initial.rebalance.delay.ms` (3 s by default) to the first record of a fresh group; the restart " +
		"scenario's groups are not fresh.\n\n| Target | Scenario | Broker | Result | Status |\n|---|---|---|---|---|\n")
	for _, t := range targets(results) {
		fmt.Fprintf(&s, "| %s | %s | %s | %s | %s |\n", t.target, t.scenario, orDash(t.broker), t.result, t.status)
	}
	return s.String()
}

// pgSettings are the server settings the references depend on.
func (b *bench) pgSettings() string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var out []string
	for _, name := range []string{"server_version", "logical_decoding_work_mem", "synchronous_commit", "fsync", "wal_level"} {
		var v string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			return "unknown (" + err.Error() + ")"
		}
		out = append(out, name+"="+v)
	}
	return strings.Join(out, ", ") + " (the latency load commits with synchronous_commit=on)"
}

type targetRow struct {
	target, scenario, broker, result, status string
}

// throughputTarget is "converter in scenarios ≥ factor × reference".
type throughputTarget struct {
	text      string
	converter string
	scenarios []string
	ref       string
	factor    float64
}

var throughputTargets = []throughputTarget{
	{"Streaming JSON ≥ 1.0× pg_recvlogical", benchConverterJSON,
		[]string{"stream: 1 transaction", "stream: mixed small transactions"}, refRecvlogical, 1.0},
	{"Streaming schemaless JSON ≥ 1.5× pg_recvlogical", benchConverterJSON,
		[]string{"stream: 1 transaction, schemas.enable=false"}, refRecvlogical, 1.5},
	{"Streaming Avro ≥ 0.8× the walsender limit", benchConverterAvro,
		[]string{"stream: 1 transaction", "stream: mixed small transactions"}, refWalsender, 0.8},
	{"Snapshot Avro ≥ 0.5× COPY", benchConverterAvro, []string{snapshotScenarioName}, refCopy, 0.5},
	{"Snapshot JSON ≥ 0.8× the produce ceiling", benchConverterJSON, []string{snapshotScenarioName}, refSarama, 0.8},
}

const (
	firstRecordTarget = time.Second
	rssExternalMB     = 100
	rssEmbeddedMB     = 150
	p99Target         = 25 * time.Millisecond
)

func status(met bool, have, need float64) string {
	if met {
		return "met"
	}
	if have <= 0 {
		return "not met"
	}
	return fmt.Sprintf("not met: %.2f× short", need/have)
}

// targets evaluates every target the results allow.
func targets(results []benchResult) []targetRow {
	var rows []targetRow
	for _, t := range throughputTargets {
		for _, r := range results {
			if r.Converter != t.converter || !slices.Contains(t.scenarios, r.scenarioBase()) || r.Seconds <= 0 {
				continue
			}
			ref := r.ref(t.ref)
			if ref == 0 {
				continue
			}
			need := t.factor * ref
			result := fmt.Sprintf("%.0f/s = %.2f× %s (%.0f/s)", r.rate(), r.rate()/ref, t.ref, ref)
			if ceiling := r.ref(refSarama); ceiling > 0 && 0.8*ceiling < need {
				need = 0.8 * ceiling
				result += fmt.Sprintf("; produce ceiling %.0f/s is below the target, so ≥ 0.8× of it (%.0f/s) applies", ceiling, need)
			}
			rows = append(rows, targetRow{t.text, r.Scenario, r.Broker, result, status(r.rate() >= need, r.rate(), need)})
		}
	}
	for _, r := range results {
		if r.FirstRecord > 0 {
			rows = append(rows, targetRow{"First record < 1 s after process start", r.Scenario, r.Broker,
				fmt.Sprintf("%d ms", r.FirstRecord.Milliseconds()),
				status(r.FirstRecord < firstRecordTarget, firstRecordTarget.Seconds(), r.FirstRecord.Seconds())})
		}
	}
	for _, lim := range []struct {
		broker string
		mb     float64
	}{{brokerExternal, rssExternalMB}, {brokerEmbedded, rssEmbeddedMB}} {
		var peak benchResult
		for _, r := range results {
			if r.Broker == lim.broker && r.PeakRSSMB > peak.PeakRSSMB {
				peak = r
			}
		}
		if peak.PeakRSSMB == 0 {
			continue
		}
		met := peak.PeakRSSMB < lim.mb
		st := "met"
		if !met {
			st = fmt.Sprintf("not met: %.0f MB over", peak.PeakRSSMB-lim.mb)
		}
		rows = append(rows, targetRow{fmt.Sprintf("Worker peak RSS < %.0f MB, %s broker", lim.mb, lim.broker),
			"highest: " + peak.Scenario + " (" + shortConverter(peak.Converter) + ")", lim.broker,
			fmt.Sprintf("%.0f MB", peak.PeakRSSMB), st})
	}
	for _, r := range results {
		if r.HalfMax {
			rows = append(rows, targetRow{"p99 commit to acknowledged < 25 ms at half the maximum JSON rate", r.Scenario,
				r.Broker, fmt.Sprintf("p99 %s", r.P99.Round(10*time.Microsecond)),
				status(r.P99 < p99Target, p99Target.Seconds(), r.P99.Seconds())})
		}
	}
	return rows
}

// writeResults replaces the text between the results markers of path (or
// appends a results section).
// hostAndCPU names the machine and its CPU model for the reports.
func hostAndCPU() (host, cpu string) {
	host, _ = os.Hostname()
	cpu = "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				return host, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
			}
		}
	}
	return host, cpu
}

func writeResults(path, report string) error {
	return writeSection(path, resultsBegin, resultsEnd, "\n## End to end (`make bench`)\n\n", report)
}

// writeSection replaces the text between begin and end in path, or appends
// heading and the section when the markers are missing.
func writeSection(path, begin, end, heading, report string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	text := string(old)
	section := begin + "\n" + report + end
	if i, j := strings.Index(text, begin), strings.Index(text, end); i >= 0 && j > i {
		text = text[:i] + section + text[j+len(end):]
	} else {
		text += heading + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
