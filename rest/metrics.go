package rest

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tributary-cdc/tributary/connect"
)

// MetricsSource is implemented by herders that report metrics; GET /metrics
// serves them, with the Go runtime's and the process's metrics, in the
// format the scraper asks for (Prometheus text, OpenMetrics). Without it the
// route is unknown.
type MetricsSource interface {
	Metrics() []connect.Metric
}

// newMetricsHandler serves src's samples, gathered at each scrape, and the
// Go and process collectors from a registry of its own. Content negotiation
// and compression are promhttp's. A sample the registry refuses (a
// duplicate, a label value that is not UTF-8) is logged at Error and left
// out, and so is a panic of the source, which the registry recovers; the
// other metrics are served.
func newMetricsHandler(src MetricsSource, log *slog.Logger) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		sourceCollector{src},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:          errorLog{log},
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

func (h *handler) metrics(w http.ResponseWriter, r *http.Request) {
	if h.metricsHandler == nil {
		h.fail(w, r, errRouteNotFound, subject{})
		return
	}
	h.metricsHandler.ServeHTTP(w, r)
}

// sourceCollector turns a MetricsSource's samples into constant metrics at
// each scrape. It describes nothing, so the registry takes it as unchecked:
// the set of metrics changes as connectors come and go.
type sourceCollector struct{ src MetricsSource }

func (sourceCollector) Describe(chan<- *prometheus.Desc) {}

// Collect sends every sample. The samples of one name share the first
// sample's help and type, as connect.Metric promises.
func (c sourceCollector) Collect(ch chan<- prometheus.Metric) {
	type family struct {
		help string
		typ  prometheus.ValueType
	}
	families := map[string]family{}
	for _, m := range c.src.Metrics() {
		f, ok := families[m.Name]
		if !ok {
			f = family{help: m.Help, typ: valueType(m.Type)}
			families[m.Name] = f
		}
		names := make([]string, len(m.Labels))
		values := make([]string, len(m.Labels))
		for i, l := range m.Labels {
			names[i], values[i] = l.Name, l.Value
		}
		desc := prometheus.NewDesc(m.Name, f.help, names, nil)
		metric, err := prometheus.NewConstMetric(desc, f.typ, m.Value, values...)
		if err != nil {
			metric = prometheus.NewInvalidMetric(desc, fmt.Errorf("metric %s%v: %w", m.Name, m.Labels, err))
		}
		ch <- metric
	}
}

func valueType(t connect.MetricType) prometheus.ValueType {
	switch t {
	case connect.Counter:
		return prometheus.CounterValue
	case connect.Gauge:
		return prometheus.GaugeValue
	default:
		return prometheus.UntypedValue
	}
}

// errorLog logs promhttp's errors at Error.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) {
	l.log.Error("serving GET /metrics", "error", strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}
