package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// TestBenchCommandSmall runs `tributary bench` at a tiny scale: every
// scenario and reference must complete and the results section of the
// report file must be rewritten in place. No timing is asserted.
func TestBenchCommandSmall(t *testing.T) {
	report := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	before := "# Benchmarks\n\nprose kept\n\n" + resultsBegin + "\nstale results\n" + resultsEnd + "\n\nmore prose\n"
	if err := os.WriteFile(report, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.Binary(t), "bench", "-rows", "3000", "-latency-seconds", "1", "-rate", "500",
		"-outage", "2s", "-converter", "both", "-out", report)
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
		"| stream: 1 transaction | JSON | 3000 |", "| stream: mixed small transactions | JSON | 3000 |",
		"| stream: 1 transaction, producer.compression.type=lz4 | JSON | 3000 |",
		"| stream: 1 transaction | Avro | 3000 |", "| stream: mixed small transactions | Avro | 3000 |",
		"| snapshot | JSON | 3000 |", "| latency at 500 events/s | JSON | 500 |", "pg_recvlogical", "COPY TO STDOUT",
		"| memory: 1 transaction committed during a 2s broker outage | JSON | 3000 | all delivered ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "stale results") || strings.Count(got, resultsBegin) != 1 {
		t.Errorf("results section not replaced:\n%s", got)
	}
}
