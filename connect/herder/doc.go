// Package herder owns the lifecycle of connectors on a worker: it validates
// and stores connector configs in the config topic, derives task configs,
// runs each task through a worker.SourceTaskRunner, and records connector
// and task states in the status topic. The REST layer drives it through the
// rest.Herder interface, which *Herder implements.
//
// Before a task's first record to a topic, the herder readies the topic as
// Kafka Connect does (topics.go): the worker creates it only when
// topic.creation.enable is on and the connector has topic.creation.*
// settings (topiccreation.go: Kafka Connect's TopicCreationConfig keys,
// declared for the default group and each group of topic.creation.groups
// and validated with the rest of the config);
// otherwise the broker creates it on the producer's first metadata request
// if its auto.create.topics.enable allows, and a topic nobody creates fails
// the task.
//
// Connector configs are checked against connect.SourceConnectorConfigDef
// (Kafka Connect's ConnectorConfig and SourceConnectorConfig), the Configs
// of the transformations and predicates they name, and the connector's own
// ConfigDef (configdef.go); create and config/validate run the same checks,
// and validate reports them against the enriched declaration, in Kafka
// Connect's groups (Common, Transforms, Predicates, Error Handling, Topic
// Creation, Exactly Once Support, offsets.topic, "Transforms: <alias>",
// "Predicates: <alias>"), with the keys of the converters a config names.
//
// The config topic is the source of truth: after a restart the herder reads
// it, the group assigns its connectors and tasks again, and every task of a
// connector whose target state is STARTED resumes from its committed
// offsets.
//
// The herder is the membership.Handler of its worker, which is always a
// member of a group (group.id), alone or not: it runs only the connectors
// and tasks its group assignment names, nothing before the first one, gives
// them all up before the worker rejoins under the eager protocol, or only
// what the assignment revokes under a cooperative one, follows config
// records written by this and other workers (ConfigChanged), and, on the
// leader, asks for a rebalance when connectors or task counts change, so a
// new connector starts once the group has assigned it.
//
// Restart requests and cluster-wide log levels travel as config-topic
// records (restart-connector-*, logger-cluster-*) that every worker applies
// to itself (ConfigListener); a task restart for a task running elsewhere
// answers a NotAssignedError naming that worker, for the REST layer to
// forward. Health reports whether the worker has started and whether its
// herder still makes progress.
package herder
