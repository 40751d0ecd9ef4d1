// Package transforms holds Tributary's single message transforms: Go
// implementations of the Kafka Connect and Debezium transformation classes
// that connectors name in transforms.<alias>.type, behind the connect
// Transformation SPI.
//
// The package owns each transform's configuration: its ConfigDef (defs.go,
// Transformation.config()), from which the constructor parses and the
// runtime validates and lists it, and the per-property errors; and the per-record rewrite; it does not own the chain
// (ordering, predicates, error tolerance), which belongs to the runtime; it
// also implements Kafka Connect's predicate classes (PredicatePlugins).
//
// Transforms keep the record they are given intact: schemas, structs and
// header slices may be shared with other records, so a rewrite builds new
// ones instead of editing them in place.
package transforms

import "github.com/tributary-cdc/tributary/connect"

// Plugins returns the transformation classes this package implements:
// Debezium's, then Kafka Connect's.
func Plugins() []connect.TransformationPlugin {
	out := []connect.TransformationPlugin{
		{Class: ExtractNewRecordStateClass, New: NewExtractNewRecordState, Config: ExtractNewRecordStateDef},
		{Class: RegexRouterClass, New: NewRegexRouter, Config: RegexRouterDef},
		// The other SMTs of Debezium's PostgreSQL plugin archive
		// (debezium-connect-plugins); TimescaleDb, which reads the
		// database, is registered by the PostgreSQL connector's package.
		{Class: ByLogicalTableRouterClass, New: NewByLogicalTableRouter, Config: ByLogicalTableRouterDef},
		{Class: HeaderToValueClass, New: NewHeaderToValue, Config: HeaderToValueDef},
		{Class: ExtractChangedRecordStateClass, New: NewExtractChangedRecordState, Config: ExtractChangedRecordStateDef},
		{Class: PartitionRoutingClass, New: NewPartitionRouting, Config: PartitionRoutingDef},
		{Class: TimezoneConverterClass, New: NewTimezoneConverter, Config: TimezoneConverterDef},
	}
	out = append(out, outboxPlugins()...)
	out = append(out, scriptingPlugins()...)
	return append(out, kafkaPlugins()...)
}
