package workerconfig

import (
	"slices"
	"strings"
)

// acceptedNames are the worker properties of Kafka Connect 3.9
// (WorkerConfig, RestServerConfig, DistributedConfig, StandaloneConfig) and
// the client settings a worker accepts at top level that Tributary does not
// read: they are accepted without a warning, as Kafka Connect accepts them.
// The properties Tributary reads are declared by Def, the clients' security
// settings (security.*, ssl.*, sasl.*) among them: an ssl.* or sasl.* name
// Kafka does not define is reported as unknown.
var acceptedNames = setOf(
	// WorkerConfig
	"client.dns.lookup", "header.converter", "task.shutdown.graceful.timeout.ms",
	"plugin.path", "plugin.discovery",
	"metrics.sample.window.ms", "metrics.num.samples", "metrics.recording.level", "metric.reporters",
	"auto.include.jmx.reporter", "rest.host.name", "rest.port",
	// DistributedConfig
	"worker.sync.timeout.ms", "worker.unsync.backoff.ms",
	// StandaloneConfig
	"offset.storage.file.filename",
	// Common client settings
	"client.id", "connections.max.idle.ms", "receive.buffer.bytes", "send.buffer.bytes",
	"request.timeout.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms",
	"retry.backoff.ms", "retry.backoff.max.ms",
	"socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms",
	"metadata.max.age.ms", "metadata.recovery.strategy", "metadata.recovery.rebootstrap.trigger.ms",
)

// knownPrefixes introduce settings passed through to clients, converters,
// config providers and metrics.
var knownPrefixes = []string{
	"key.converter.", "value.converter.", "header.converter.",
	"producer.", "consumer.", "admin.",
	"config.providers.",
	"metrics.context.",
}

func setOf(names ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(names))
	for _, n := range names {
		m[n] = struct{}{}
	}
	return m
}

// withoutEffect names worker settings Kafka Connect reads that configure
// something Tributary does not run, and what Kafka Connect does with them.
var withoutEffect = []struct{ prefix, reason string }{
	{"consumer.", "Kafka Connect configures sink tasks' consumers with consumer.*; Tributary runs source connectors only"},
}

// WithoutEffect returns, sorted, the properties in props that Kafka Connect
// reads but that have no effect in Tributary, each with the reason, for the
// worker to warn about by name.
func WithoutEffect(props map[string]string) [][2]string {
	var out [][2]string
	for k := range props {
		for _, w := range withoutEffect {
			if strings.HasPrefix(k, w.prefix) {
				out = append(out, [2]string{k, w.reason})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}
