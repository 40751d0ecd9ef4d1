// Package workerconfig loads a worker's properties the way Kafka Connect's
// connect-distributed and the Debezium container image do: a Java
// .properties file, then CONNECT_* and the image's named environment
// variables. Tributary's own log.format falls back to the LOG_FORMAT
// variable when neither the file nor CONNECT_LOG_FORMAT sets it.
//
// Def declares the properties Tributary reads, as a configdef.Def: the keys
// of Kafka Connect's WorkerConfig, RestServerConfig and DistributedConfig
// with Kafka's types, validators and documentation (and Tributary's
// defaults where Kafka requires a value or defaults otherwise, said in the
// documentation), then Tributary's own in the Tributary group. Load parses
// with it into a typed Config, reporting every invalid property in Kafka's
// words, and returns the names of properties that are neither declared nor
// among the Kafka Connect properties and prefixes Tributary accepts without
// reading (known.go), so the caller can warn about typos. The README's
// worker property table is generated from Def (internal/docs). One default
// depends on the rest of the configuration: listeners is loopback-only when
// no properties file and no bootstrap.servers are given (DefaultListener).
package workerconfig
