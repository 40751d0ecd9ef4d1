package rest

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tributary-cdc/tributary/connect"
)

// metricsHerder is a herder that reports metrics.
type metricsHerder struct {
	*fakeHerder
	samples []connect.Metric
}

func (h metricsHerder) Metrics() []connect.Metric { return h.samples }

func labels(kv ...string) []connect.Label {
	var out []connect.Label
	for i := 0; i < len(kv); i += 2 {
		out = append(out, connect.Label{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

var testSamples = []connect.Metric{
	{Name: "kafka_connect_worker_task_count", Type: connect.Gauge, Help: "The number of tasks run in this worker.", Value: 2},
	{Name: "debezium_metrics_TotalNumberOfEventsSeen", Type: connect.Counter, Help: "The total number of events this connector has seen.",
		Labels: labels("plugin", "postgres", "name", "dbserver1", "context", "streaming"), Value: 1234567},
	{Name: "debezium_metrics_MilliSecondsBehindSource", Type: connect.Gauge,
		Help:   "Milliseconds between the last event's timestamp and\nits processing; -1 before any event.",
		Labels: labels("plugin", "postgres", "name", "dbserver1", "context", "streaming"), Value: -1},
	// A second connector: its samples join the metrics already written.
	{Name: "debezium_metrics_TotalNumberOfEventsSeen", Type: connect.Counter, Help: "The total number of events this connector has seen.",
		Labels: labels("plugin", "postgres", "name", `other "db" \ 2`, "context", "streaming"), Value: 0},
	{Name: "debezium_metrics_MilliSecondsBehindSource", Type: connect.Gauge,
		Help:   "Milliseconds between the last event's timestamp and\nits processing; -1 before any event.",
		Labels: labels("plugin", "postgres", "name", `other "db" \ 2`, "context", "streaming"), Value: 12.5},
	{Name: "tributary_postgres_slot_lag_bytes", Type: connect.Gauge,
		Labels: labels("name", "dbserver1", "slot", "debezium"), Value: 1 << 52},
	{Name: "tributary_postgres_untyped", Value: posInf},
	{Name: "tributary_postgres_untyped", Labels: labels("x", "y"), Value: 1e300},
}

var posInf = func() float64 { v := 1.0; return v / 0 }()

// TestMetricsTextFormat pins GET /metrics to the Prometheus text format
// (golden file written from the format's specification) and checks that
// Prometheus's own parser reads back every sample.
func TestMetricsTextFormat(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Herder = metricsHerder{fakeHerder: c.Herder.(*fakeHerder), samples: testSamples} })
	r := e.do(http.MethodGet, "/metrics", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	want, err := os.ReadFile("testdata/metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.body, want) {
		t.Errorf("GET /metrics body:\n%s\nwant:\n%s", r.body, want)
	}

	// Legacy validation: names a Prometheus server of any version accepts.
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("Prometheus's parser refused the body: %v", err)
	}
	if len(families) != 5 {
		t.Errorf("%d metric families, want 5", len(families))
	}
	seen := families["debezium_metrics_TotalNumberOfEventsSeen"]
	if seen == nil || seen.GetType().String() != "COUNTER" || len(seen.GetMetric()) != 2 {
		t.Fatalf("debezium_metrics_TotalNumberOfEventsSeen = %v", seen)
	}
	if got := seen.GetMetric()[1].GetLabel()[1].GetValue(); got != `other "db" \ 2` {
		t.Errorf("escaped label read back as %q", got)
	}
	if got := seen.GetMetric()[0].GetCounter().GetValue(); got != 1234567 {
		t.Errorf("counter read back as %v", got)
	}
	if got := families["tributary_postgres_slot_lag_bytes"].GetMetric()[0].GetGauge().GetValue(); got != 1<<52 {
		t.Errorf("slot lag read back as %v", got)
	}
	if help := families["debezium_metrics_MilliSecondsBehindSource"].GetHelp(); !strings.Contains(help, "\n") {
		t.Errorf("help read back as %q", help)
	}
	if r := e.do(http.MethodHead, "/metrics", ""); r.status != http.StatusOK || len(r.body) != 0 {
		t.Errorf("HEAD /metrics = %d with %d bytes", r.status, len(r.body))
	}
}

// TestMetricsWithoutSource: a herder that reports no metrics has no route.
func TestMetricsWithoutSource(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Herder = plainHerder{c.Herder} })
	if r := e.do(http.MethodGet, "/metrics", ""); r.status != http.StatusNotFound {
		t.Errorf("GET /metrics = %d %s, want 404", r.status, r.body)
	}
}
