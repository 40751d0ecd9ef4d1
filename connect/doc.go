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
package connect
