// Package converters builds Kafka Connect converters by class name:
// JsonConverter (schema/jsonconv), Confluent's AvroConverter (schema/avro
// with a schema/registry client), StringConverter and ByteArrayConverter.
// It also lists the classes for GET /connector-plugins.
package converters
