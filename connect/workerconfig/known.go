package workerconfig

// knownNames are the worker properties of Kafka Connect's WorkerConfig and
// DistributedConfig (Kafka 3.9), the client settings a worker accepts at top
// level, and Tributary's own.
var knownNames = setOf(
	// WorkerConfig
	"bootstrap.servers", "client.dns.lookup", "key.converter", "value.converter", "header.converter",
	"task.shutdown.graceful.timeout.ms", "offset.flush.interval.ms", "offset.flush.timeout.ms",
	"listeners", "rest.advertised.host.name", "rest.advertised.port", "rest.advertised.listener",
	"access.control.allow.origin", "access.control.allow.methods", "admin.listeners",
	"plugin.path", "plugin.discovery", "config.providers", "rest.extension.classes",
	"connector.client.config.override.policy", "response.http.headers.config",
	"topic.tracking.enable", "topic.tracking.allow.reset", "topic.creation.enable",
	"metrics.sample.window.ms", "metrics.num.samples", "metrics.recording.level", "metric.reporters",
	"auto.include.jmx.reporter", "rest.host.name", "rest.port",
	// DistributedConfig
	"group.id", "session.timeout.ms", "heartbeat.interval.ms", "rebalance.timeout.ms",
	"worker.sync.timeout.ms", "worker.unsync.backoff.ms",
	"offset.storage.topic", "offset.storage.partitions", "offset.storage.replication.factor",
	"config.storage.topic", "config.storage.replication.factor",
	"status.storage.topic", "status.storage.partitions", "status.storage.replication.factor",
	"connect.protocol", "scheduled.rebalance.max.delay.ms",
	"inter.worker.key.generation.algorithm", "inter.worker.key.size", "inter.worker.key.ttl.ms",
	"inter.worker.signature.algorithm", "inter.worker.verification.algorithms",
	"exactly.once.source.support",
	// StandaloneConfig
	"offset.storage.file.filename",
	// Common client settings
	"client.id", "connections.max.idle.ms", "receive.buffer.bytes", "send.buffer.bytes",
	"request.timeout.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms",
	"retry.backoff.ms", "retry.backoff.max.ms",
	"socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms",
	"metadata.max.age.ms", "metadata.recovery.strategy", "metadata.recovery.rebootstrap.trigger.ms",
	"security.protocol",
	// Tributary
	PropEmbeddedKafkaListeners, PropEmbeddedDataDir, "embedded.schema.registry.listeners", PropLogFormat,
)

// knownPrefixes introduce settings passed through to clients, converters,
// config providers, REST TLS and metrics.
var knownPrefixes = []string{
	"key.converter.", "value.converter.", "header.converter.",
	"producer.", "consumer.", "admin.",
	"config.providers.", "listeners.https.", "admin.listeners.https.",
	"ssl.", "sasl.", "metrics.context.",
}

func setOf(names ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(names))
	for _, n := range names {
		m[n] = struct{}{}
	}
	return m
}
