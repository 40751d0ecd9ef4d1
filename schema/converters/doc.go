// Package converters builds Kafka Connect converters by class name:
// JsonConverter (schema/jsonconv), Confluent's AvroConverter (schema/avro
// with a schema/registry client), StringConverter, ByteArrayConverter and
// Debezium's CloudEventsConverter (schema/cloudevents).
// It also lists the classes for GET /connector-plugins.
package converters
