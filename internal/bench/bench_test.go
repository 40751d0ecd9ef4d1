package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// TestBenchCommandSmall runs `tributary bench` at a tiny scale, one run of
// each reference, both converters and both brokers, the snapshot with two
// readers: every scenario and reference must complete and the results
// section of the report file must be rewritten in place with the
// references and the targets table. No timing is asserted.
func TestBenchCommandSmall(t *testing.T) {
	report := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	before := "# Benchmarks\n\nprose kept\n\n" + resultsBegin + "\nstale results\n" + resultsEnd + "\n\nmore prose\n"
	if err := os.WriteFile(report, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.Binary(t), "bench", "-rows", "2000", "-runs", "1", "-latency-seconds", "1",
		"-rate", "500", "-outage", "2s", "-backlog", "2000", "-converter", "both", "-broker", "both", "-snapshot-threads", "2",
		"-out", report)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tributary bench: %v\n%s", err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		"prose kept", "more prose",
		"| stream: 1 transaction | JSON | embedded | 2000 |", "| stream: 1 transaction | JSON | external | 2000 |",
		"| stream: mixed small transactions | JSON | embedded | 1998 |",
		"| stream: 1 transaction, producer.compression.type=lz4 | JSON | external | 2000 |",
		"| stream: 1 transaction, schemas.enable=false | JSON | embedded | 2000 |",
		"| stream: 1 transaction | Avro | external | 2000 |", "| stream: mixed small transactions | Avro | embedded | 1998 |",
		"-snapshot-threads 2`",
		"| snapshot, snapshot.max.threads=2 | JSON | embedded | 2000 |",
		"| snapshot, snapshot.max.threads=2 | Avro | external | 2000 |",
		"| latency at 500 events/s | JSON | embedded | 500 |", "| latency at half the maximum JSON rate (",
		"| restart: process start → first record, existing connector | JSON | external | 1 |",
		"| restart on a 2000-row backlog (1 transaction), process start included | JSON | embedded | 2000 |",
		"| memory: 1 transaction committed during a 2s broker outage | JSON | external | 2000 | all delivered ",
		"| stream: 1 transaction | JSON | pg_recvlogical |", "| stream: 1 transaction | Avro | walsender limit |",
		"| stream: 1 transaction | JSON | produce ceiling (sarama) |", "| snapshot, snapshot.max.threads=2 | Avro | produce ceiling (franz-go kgo) |",
		"| snapshot, snapshot.max.threads=2 | JSON | COPY TO STDOUT |", "spill",
		"| Streaming JSON ≥ 1.0× pg_recvlogical | stream: mixed small transactions | external |",
		"| Streaming schemaless JSON ≥ 1.5× pg_recvlogical |", "| Streaming Avro ≥ 0.8× the walsender limit |",
		"| Snapshot Avro ≥ 0.5× COPY | snapshot, snapshot.max.threads=2 |",
		"| Snapshot JSON ≥ 0.8× the produce ceiling | snapshot, snapshot.max.threads=2 |",
		"| First record < 1 s after process start |", "| Worker peak RSS < 100 MB, external broker |",
		"| Worker peak RSS < 150 MB, embedded broker |", "| p99 commit to acknowledged < 25 ms at half the maximum JSON rate |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "stale results") || strings.Count(got, resultsBegin) != 1 {
		t.Errorf("results section not replaced:\n%s", got)
	}
}

// TestTargets checks the target arithmetic: a ratio against the named
// reference, the produce ceiling's 0.8× when it is lower, and limits that
// are met or missed by a stated factor.
func TestTargets(t *testing.T) {
	results := []benchResult{
		{Scenario: "stream: 1 transaction", Converter: benchConverterJSON, Broker: brokerEmbedded, Events: 1000, Seconds: 1,
			Refs: []refResult{{Name: refRecvlogical, Seconds: 0.5}, {Name: refSarama, Seconds: 0.1}}, PeakRSSMB: 120},
		// The ceiling (1000/s) is below the target (2 × 1000/s): 0.8× of
		// it, 800/s, applies, which 900/s meets.
		{Scenario: "stream: 1 transaction, schemas.enable=false", Converter: benchConverterJSON, Broker: brokerExternal,
			Events: 900, Seconds: 1, Refs: []refResult{{Name: refRecvlogical, Seconds: 0.9}, {Name: refSarama, Seconds: 0.9}},
			PeakRSSMB: 101},
		{Scenario: "restart: process start → first record, existing connector", Broker: brokerEmbedded,
			FirstRecord: 500 * time.Millisecond, Events: 1},
		{Scenario: "latency", Broker: brokerEmbedded, HalfMax: true, P99: 50 * time.Millisecond},
		// The snapshot's targets hold however many readers read the table.
		{Scenario: snapshotName(2), Converter: benchConverterAvro, Broker: brokerEmbedded, Events: 600, Seconds: 1,
			Refs: []refResult{{Name: refCopy, Seconds: 0.5}}},
	}
	rows := targets(results)
	want := map[string]string{
		"Streaming JSON ≥ 1.0× pg_recvlogical":                             "not met: 2.00× short",
		"Streaming schemaless JSON ≥ 1.5× pg_recvlogical":                  "met",
		"First record < 1 s after process start":                           "met",
		"Worker peak RSS < 100 MB, external broker":                        "not met: 1 MB over",
		"Worker peak RSS < 150 MB, embedded broker":                        "met",
		"p99 commit to acknowledged < 25 ms at half the maximum JSON rate": "not met: 2.00× short",
		"Snapshot Avro ≥ 0.5× COPY":                                        "met",
	}
	if len(rows) != len(want) {
		t.Errorf("%d targets, want %d: %+v", len(rows), len(want), rows)
	}
	for _, r := range rows {
		if w, ok := want[r.target]; !ok || r.status != w {
			t.Errorf("%s (%s): status %q, want %q (result %s)", r.target, r.scenario, r.status, w, r.result)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestProcCPUSeconds(t *testing.T) {
	// Burn some CPU so that the figure is above zero.
	deadline := time.Now().Add(50 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	got, err := procCPUSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if got <= 0 {
		t.Errorf("CPU seconds = %v, want > 0", got)
	}
}
