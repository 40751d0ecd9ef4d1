package connect

// MetricType is a metric's Prometheus type.
type MetricType string

// Metric types.
const (
	Gauge   MetricType = "gauge"
	Counter MetricType = "counter"
)

// Label is one label of a metric sample.
type Label struct{ Name, Value string }

// Metric is one sample of a metric, exposed by GET /metrics in Prometheus's
// exposition formats. Samples of one metric (same Name) share Help and Type
// and differ by Labels.
type Metric struct {
	Name   string // a Prometheus metric name, e.g. debezium_metrics_MilliSecondsBehindSource
	Help   string
	Type   MetricType
	Labels []Label
	Value  float64
}

// MetricsReporter is implemented by a SourceTask that reports metrics. The
// runtime calls Metrics from any goroutine between Start and Stop; it must
// not block.
type MetricsReporter interface {
	Metrics() []Metric
}
