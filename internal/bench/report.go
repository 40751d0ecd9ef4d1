package bench

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

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
