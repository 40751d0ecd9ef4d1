package herder

import (
	"maps"
	"slices"
	"strconv"

	"github.com/tributary-cdc/tributary/connect"
)

// Metrics returns this worker's metrics: Kafka Connect's worker counts and
// task status (named as the Prometheus JMX exporter names Kafka Connect's
// MBeans), the worker's memory budget when it has one, then the metrics of
// every running task that reports some.
func (h *Herder) Metrics() []connect.Metric {
	h.mu.Lock()
	ids := slices.SortedFunc(maps.Keys(h.tasks), func(a, b connect.TaskID) int {
		if a.Connector != b.Connector {
			if a.Connector < b.Connector {
				return -1
			}
			return 1
		}
		return a.Task - b.Task
	})
	connectors := len(h.ownedConnectors)
	var reporters []connect.MetricsReporter
	var errorMetrics []connect.Metric
	out := []connect.Metric{
		{Name: "kafka_connect_worker_connector_count", Type: connect.Gauge,
			Help: "The number of connectors run in this worker.", Value: float64(connectors)},
		{Name: "kafka_connect_worker_task_count", Type: connect.Gauge,
			Help: "The number of tasks run in this worker.", Value: float64(len(ids))},
	}
	for _, id := range ids {
		out = append(out, connect.Metric{
			Name: "kafka_connect_connector_status", Type: connect.Gauge,
			Help:   "The status of a task run in this worker (1 for the status it has).",
			Labels: []connect.Label{{Name: "connector", Value: id.Connector}, {Name: "task", Value: strconv.Itoa(id.Task)}, {Name: "status", Value: "running"}},
			Value:  1,
		})
		if m := h.tasks[id].errors; m != nil {
			errorMetrics = append(errorMetrics, m.Metrics(id)...)
		}
		if r, ok := h.tasks[id].task.(connect.MetricsReporter); ok {
			reporters = append(reporters, r)
		}
	}
	h.mu.Unlock()
	if b := h.cfg.MemoryBudget; b != nil {
		used, _ := b.Used()
		out = append(out,
			connect.Metric{Name: "tributary_worker_memory_budget_bytes", Type: connect.Gauge,
				Help: "The worker's memory budget (memory.budget.bytes): the bytes the records held by all its tasks may take.", Value: float64(b.Total())},
			connect.Metric{Name: "tributary_worker_memory_budget_used_bytes", Type: connect.Gauge,
				Help: "The bytes of the worker's memory budget its tasks' records hold now.", Value: float64(used)},
			connect.Metric{Name: "tributary_worker_memory_budget_blocked_tasks", Type: connect.Gauge,
				Help: "The number of tasks waiting for room in the worker's memory budget.", Value: float64(b.Blocked())})
	}
	out = append(out, errorMetrics...)
	for _, r := range reporters {
		out = append(out, r.Metrics()...)
	}
	return out
}
