// Package connect is the connector SPI: the interfaces a connector implements
// and the values it exchanges with the runtime, in the shape of Kafka
// Connect's org.apache.kafka.connect.{connector,source} packages.
//
// Connectors declare their properties with package configdef (Kafka's
// ConfigDef); ConfigError, ConfigKey and ConfigValueInfo are its types, and
// SourceConnectorConfigDef declares the framework's connector properties.
//
// Connectors import this package and package schema, never the runtime. The
// runtime (sub-packages of connect, and rest) drives connectors only through
// these interfaces.
//
// The commit contract: the runtime alone tracks the records a task has
// returned from Poll until they are in Kafka, and acknowledges positions
// back through SourceTask.Commit in poll order, each one covering every
// record polled before it. A task keeps no list of delivered records: what
// a committed offset says it covers is durable. A position no record
// carries (progress with nothing to produce) is acknowledged by returning
// an offset-only record that holds it. Commit comes only after the offset
// is in the offset store, so what a task releases on Commit (e.g. WAL a
// database may recycle) is never needed again: a restart resumes from that
// offset or a later one.
package connect
