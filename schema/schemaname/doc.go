// Package schemaname adjusts Kafka Connect schema and field names for the
// converters that restrict them, as Debezium's SchemaNameAdjuster does for
// schema.name.adjustment.mode and field.name.adjustment.mode (none, avro,
// avro_unicode). The connector names its schemas with it, and so do the
// transformations that rename them (ByLogicalTableRouter).
package schemaname
