package rest

import (
	"bufio"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// MetricsSource is implemented by herders that report metrics; GET /metrics
// serves them in the Prometheus text exposition format (version 0.0.4).
// Without it the route is unknown.
type MetricsSource interface {
	Metrics() []connect.Metric
}

// metricsContentType is the Prometheus text format's media type.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

func (h *handler) metrics(w http.ResponseWriter, r *http.Request) {
	src, ok := h.herder.(MetricsSource)
	if !ok {
		h.fail(w, r, errRouteNotFound, subject{})
		return
	}
	w.Header().Set("Content-Type", metricsContentType)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	bw := bufio.NewWriter(w)
	writeMetrics(bw, src.Metrics())
	_ = bw.Flush() // the client went away
}

// writeMetrics writes samples in the text format: the samples of one metric
// together, under its HELP and TYPE lines, metrics in order of first
// appearance.
func writeMetrics(w *bufio.Writer, samples []connect.Metric) {
	var order []string
	byName := map[string][]connect.Metric{}
	for _, m := range samples {
		if _, ok := byName[m.Name]; !ok {
			order = append(order, m.Name)
		}
		byName[m.Name] = append(byName[m.Name], m)
	}
	for _, name := range order {
		ms := byName[name]
		if help := ms[0].Help; help != "" {
			w.WriteString("# HELP " + name + " " + helpEscaper.Replace(help) + "\n")
		}
		if typ := ms[0].Type; typ != "" {
			w.WriteString("# TYPE " + name + " " + string(typ) + "\n")
		}
		for _, m := range ms {
			w.WriteString(name)
			if len(m.Labels) > 0 {
				w.WriteByte('{')
				for i, l := range m.Labels {
					if i > 0 {
						w.WriteByte(',')
					}
					w.WriteString(l.Name + `="` + labelEscaper.Replace(l.Value) + `"`)
				}
				w.WriteByte('}')
			}
			w.WriteByte(' ')
			w.WriteString(formatValue(m.Value))
			w.WriteByte('\n')
		}
	}
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// formatValue writes a sample value: +Inf, -Inf, NaN, an integer (counts,
// bytes and LSNs are integers below 2^53) in plain digits, any other value
// as the shortest decimal that reads back as the same float.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
