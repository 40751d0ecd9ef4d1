package rest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
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

// scrape sends method /metrics with the given headers and returns the
// reply as the server sent it (no transparent decompression).
func scrape(t *testing.T, e *env, method string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	tr.DisableCompression = true
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("%s /metrics: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s /metrics: %v", method, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// parseText reads a body in the Prometheus text format with Prometheus's
// own parser. Legacy validation: names a Prometheus server of any version
// accepts.
func parseText(t *testing.T, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("Prometheus's parser refused the body: %v\n%s", err, body)
	}
	return families
}

// digest renders a family independently of sample and label order.
func digest(f *dto.MetricFamily) string {
	var samples []string
	for _, m := range f.GetMetric() {
		var ls []string
		for _, l := range m.GetLabel() {
			ls = append(ls, strconv.Quote(l.GetName())+"="+strconv.Quote(l.GetValue()))
		}
		slices.Sort(ls)
		v := m.GetUntyped().GetValue()
		switch {
		case m.Counter != nil:
			v = m.GetCounter().GetValue()
		case m.Gauge != nil:
			v = m.GetGauge().GetValue()
		}
		samples = append(samples, "{"+strings.Join(ls, ",")+"} "+strconv.FormatFloat(v, 'g', -1, 64))
	}
	slices.Sort(samples)
	return fmt.Sprintf("%s %s help=%q\n%s", f.GetName(), f.GetType(), f.GetHelp(), strings.Join(samples, "\n"))
}

// TestMetricsTextFormat checks GET /metrics in the Prometheus text format
// against the golden file, written from the format's specification: every
// family there comes back with the same help, type, labels and values
// (order and escaping are the encoder's), next to the Go runtime's and the
// process's families and nothing else.
func TestMetricsTextFormat(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Herder = metricsHerder{fakeHerder: c.Herder.(*fakeHerder), samples: testSamples} })
	r := e.do(http.MethodGet, "/metrics", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4; charset=utf-8") {
		t.Errorf("Content-Type = %q", ct)
	}
	got := parseText(t, r.body)
	want := parseText(t, golden(t, "metrics.txt"))
	if len(want) != 5 {
		t.Fatalf("the golden file has %d families, want 5", len(want))
	}
	for name, w := range want {
		if d, wd := digest(got[name]), digest(w); d != wd {
			t.Errorf("family %s:\n got %s\nwant %s", name, d, wd)
		}
	}
	for name := range got {
		if want[name] == nil && !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			t.Errorf("unexpected family %s", name)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "go_gc_duration_seconds", "go_info",
		"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_start_time_seconds"} {
		if got[name] == nil {
			t.Errorf("no family %s", name)
		}
	}
	seen := got["debezium_metrics_TotalNumberOfEventsSeen"]
	if seen.GetType() != dto.MetricType_COUNTER || len(seen.GetMetric()) != 2 {
		t.Fatalf("debezium_metrics_TotalNumberOfEventsSeen = %v", seen)
	}
	var names []string
	for _, m := range seen.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "name" {
				names = append(names, l.GetValue())
			}
		}
	}
	if !slices.Contains(names, `other "db" \ 2`) {
		t.Errorf("escaped label read back as %q", names)
	}
	if help := got["debezium_metrics_MilliSecondsBehindSource"].GetHelp(); !strings.Contains(help, "\n") {
		t.Errorf("help read back as %q", help)
	}

	if r := scrape(t, e, http.MethodHead); r.status != http.StatusOK || len(r.body) != 0 {
		t.Errorf("HEAD /metrics = %d with %d bytes", r.status, len(r.body))
	}
}

// TestMetricsGzip: a scraper that accepts gzip gets the body compressed.
func TestMetricsGzip(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Herder = metricsHerder{fakeHerder: c.Herder.(*fakeHerder), samples: testSamples} })
	r := scrape(t, e, http.MethodGet, "Accept-Encoding", "gzip")
	if r.status != http.StatusOK || r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET /metrics = %d, Content-Encoding %q", r.status, r.header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got := parseText(t, body); got["kafka_connect_worker_task_count"].GetMetric()[0].GetGauge().GetValue() != 2 {
		t.Errorf("kafka_connect_worker_task_count = %v", got["kafka_connect_worker_task_count"])
	}
}

// TestMetricsOpenMetrics: a scraper that asks for OpenMetrics (Prometheus
// does, first) gets it, with the metric names unchanged: a counter without
// the _total suffix is typed unknown rather than renamed.
func TestMetricsOpenMetrics(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Herder = metricsHerder{fakeHerder: c.Herder.(*fakeHerder), samples: testSamples} })
	r := scrape(t, e, http.MethodGet, "Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", r.status, r.body)
	}
	if f := expfmt.ResponseFormat(r.header); f.FormatType() != expfmt.TypeOpenMetrics {
		t.Errorf("Content-Type = %q", r.header.Get("Content-Type"))
	}
	body := string(r.body)
	for _, line := range []string{
		"# TYPE debezium_metrics_TotalNumberOfEventsSeen unknown\n",
		`debezium_metrics_TotalNumberOfEventsSeen{context="streaming",name="dbserver1",plugin="postgres"} 1.234567e+06` + "\n",
		"# TYPE debezium_metrics_MilliSecondsBehindSource gauge\n",
		"kafka_connect_worker_task_count 2.0\n",
	} {
		if !strings.Contains(body, line) {
			t.Errorf("OpenMetrics body lacks %q:\n%s", line, body)
		}
	}
	if !strings.HasSuffix(body, "# EOF\n") {
		t.Errorf("OpenMetrics body does not end with # EOF")
	}
}

// TestMetricsRefusedSample: a sample the registry refuses (a duplicate, a
// label value that is not UTF-8) is logged and left out; the others are
// served.
func TestMetricsRefusedSample(t *testing.T) {
	samples := append(slices.Clone(testSamples),
		connect.Metric{Name: "kafka_connect_worker_task_count", Type: connect.Gauge, Value: 3},
		connect.Metric{Name: "tributary_postgres_bad", Labels: labels("table", "\xff"), Value: 1},
	)
	e := newEnv(t, func(c *Config) { c.Herder = metricsHerder{fakeHerder: c.Herder.(*fakeHerder), samples: samples} })
	r := e.do(http.MethodGet, "/metrics", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", r.status, r.body)
	}
	got := parseText(t, r.body)
	if tc := got["kafka_connect_worker_task_count"].GetMetric(); len(tc) != 1 || tc[0].GetGauge().GetValue() != 2 {
		t.Errorf("kafka_connect_worker_task_count = %v, want the first sample only", tc)
	}
	if got["tributary_postgres_bad"] != nil || got["debezium_metrics_TotalNumberOfEventsSeen"] == nil {
		t.Errorf("families served: %v", slices.Sorted(maps.Keys(got)))
	}
	logs := e.logs.String()
	for _, want := range []string{"serving GET /metrics", "kafka_connect_worker_task_count", "tributary_postgres_bad"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

// TestMetricsWithoutSource: a herder that reports no metrics has no route.
func TestMetricsWithoutSource(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Herder = plainHerder{c.Herder} })
	if r := e.do(http.MethodGet, "/metrics", ""); r.status != http.StatusNotFound {
		t.Errorf("GET /metrics = %d %s, want 404", r.status, r.body)
	}
}
