package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// TestScaleScenarioSmall runs `tributary bench -scenarios scale` with two
// connectors on two workers under both protocols: every phase must
// complete, the scale section of the report file must be rewritten in
// place and the other results section left alone. The one behaviour
// asserted is eager's: every connector change restarts the running tasks.
// No timing is asserted.
func TestScaleScenarioSmall(t *testing.T) {
	report := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	other := resultsBegin + "\nother results\n" + resultsEnd
	before := "# Benchmarks\n\n" + other + "\n\nprose kept\n\n" + scaleBegin + "\nstale results\n" + scaleEnd + "\n\nmore prose\n"
	if err := os.WriteFile(report, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testutil.Binary(t), "bench", "-scenarios", "scale", "-connectors", "2", "-scale-workers", "2",
		"-scale-burst-rows", "100", "-scale-deletions", "1", "-scale-max-delay", "1s", "-scale-probe-rate", "20",
		"-scale-budget", strconv.Itoa(64<<20), "-out", report)
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
		"prose kept", "more prose", other,
		"| connect.protocol | eager | sessioned |",
		"| time to create 2 connectors | ",
		"| `kill -9` of a worker: until its tasks deliver again | ",
		"| burst: 100 rows into each table at once | ",
		"memory.budget.bytes=67108864 (64 MiB) per worker, scheduled.rebalance.max.delay.ms=1000",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "stale results") || strings.Count(got, scaleBegin) != 1 {
		t.Errorf("scale section not replaced:\n%s", got)
	}
	// Under eager every rebalance stops and starts every running task: the
	// probe's at least, for each connector created and deleted.
	for _, row := range []string{"task restarts per connector created", "task restarts per connector deleted"} {
		m := regexp.MustCompile(`\| ` + row + ` \| [0-9.]+ \(([0-9]+) in`).FindStringSubmatch(got)
		if m == nil {
			t.Errorf("report lacks %q:\n%s", row, got)
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n == 0 {
			t.Errorf("eager: %s: no restart counted:\n%s", row, got)
		}
	}
}
