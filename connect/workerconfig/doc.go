// Package workerconfig loads a worker's properties the way Kafka Connect's
// connect-distributed and the Debezium container image do: a Java
// .properties file, then CONNECT_* and the image's named environment
// variables, then defaults. It turns them into a typed Config and reports
// the property names it does not know so the caller can warn about typos.
// Tributary's own log.format falls back to the LOG_FORMAT variable when
// neither the file nor CONNECT_LOG_FORMAT sets it.
package workerconfig
