// Package herder owns the lifecycle of connectors on a worker: it validates
// and stores connector configs in the config topic, derives task configs,
// runs each task through a worker.SourceTaskRunner, and records connector
// and task states in the status topic. The REST layer drives it through the
// rest.Herder interface, which *Herder implements.
//
// The config topic is the source of truth: after a restart the herder reads
// it and starts every connector whose target state is STARTED, and each task
// resumes from its committed offsets.
package herder
