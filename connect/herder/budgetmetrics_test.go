package herder

import (
	"bytes"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/membudget"
)

// metricsText renders ms in the Prometheus text format, as GET /metrics
// serves them, and parses the result with Prometheus's own parser.
func metricsText(t *testing.T, ms []connect.Metric) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewRegistry()
	for _, m := range ms {
		if m.Name == "tributary_worker_memory_budget_bytes" || m.Name == "tributary_worker_memory_budget_used_bytes" ||
			m.Name == "tributary_worker_memory_budget_blocked_tasks" {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: m.Name, Help: m.Help}, func() float64 { return m.Value }))
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	parsed, err := p.TextToMetricFamilies(&buf)
	if err != nil {
		t.Fatalf("Prometheus's parser refused the metrics: %v\n%s", err, buf.String())
	}
	return parsed
}

// A worker with a memory budget reports it, what its tasks hold of it and
// how many of them wait for room; the records of a task that has delivered
// everything are given back.
func TestMetricsOfTheMemoryBudget(t *testing.T) {
	s := openStores(t, newBroker(t))
	budget := membudget.New(4096)
	h := newHerder(t, s, func(c *Config) { c.MemoryBudget = budget })
	if fams := metricsText(t, h.Metrics()); fams["tributary_worker_memory_budget_bytes"].GetMetric()[0].GetGauge().GetValue() != 4096 {
		t.Fatalf("budget metric %v, want 4096", fams["tributary_worker_memory_budget_bytes"])
	}
	if _, err := h.CreateConnector(t.Context(), "counter", config()); err != nil {
		t.Fatal(err)
	}
	gauge := func(fams map[string]*dto.MetricFamily, name string) float64 {
		f := fams[name]
		if f == nil || len(f.GetMetric()) != 1 || f.GetType() != dto.MetricType_GAUGE {
			t.Fatalf("%s missing or not one gauge: %v", name, f)
		}
		return f.GetMetric()[0].GetGauge().GetValue()
	}
	// The task's 250 records pass through the budget, and are given back
	// once acknowledged.
	waitFor(t, "the task's 250 records delivered and their bytes given back", func() bool {
		ms := h.Metrics()
		polled := 0.0
		for _, m := range ms {
			if m.Name == "counting_records_polled_total" {
				polled = m.Value
			}
		}
		fams := metricsText(t, ms)
		return polled == 250 && gauge(fams, "tributary_worker_memory_budget_used_bytes") == 0 &&
			gauge(fams, "tributary_worker_memory_budget_blocked_tasks") == 0
	})
	if _, peak := budget.Used(); peak == 0 {
		t.Fatal("the task's records took nothing from the budget")
	}
}
