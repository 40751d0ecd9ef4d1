// Package cloudevents is Debezium's io.debezium.converters.CloudEventsConverter
// (Debezium 3.5, debezium-connect-plugins): a value converter that writes a
// Debezium change event as a CloudEvent in structured mode.
//
// The event's attributes are made as CloudEventsMaker and the PostgreSQL
// connector's PostgresCloudEventsMaker make them: id
// "name:<topic.prefix>;lsn:<lsn>;txId:<txId>;sequence:<sequence>", source
// "/debezium/postgresql/<topic.prefix>", specversion 1.0, type
// "io.debezium.connector.postgresql.DataChangeEvent", time (source.ts_ms in
// RFC 3339, UTC, milliseconds), datacontenttype, dataschema (Avro data
// only), the iodebezium* extension attributes (op, every source field,
// the transaction block), and data: a struct named
// io.debezium.connector.postgresql.Data of the envelope's before and after.
//
// serializer.type (json or avro) is the event's format; data.serializer.type
// (json or avro) the data attribute's. JSON goes through schema/jsonconv
// configured from the json.* properties (the event itself always without
// schemas; the data with them unless json.schemas.enable=false, spliced in
// as Debezium does). Avro goes through the AvroConverter (schema/avro)
// configured from the avro.* properties: data is registered under
// "<topic>-data" when the whole event is Avro, under the topic when only
// the data is.
//
// Only records whose value schema is a Debezium envelope (its name ends in
// ".Envelope") become events; other records (tombstones, transaction
// metadata, heartbeats) are written as Kafka nulls, as Debezium writes them.
// Metadata read from record headers (metadata.source with header, the
// traceparent of opentelemetry.tracing.attributes.enable) is refused by
// name: Debezium parses those headers as JsonConverter wrote them, and the
// worker writes headers with SimpleHeaderConverter.
//
// Converters are built once per task and are safe for concurrent use; the
// per-schema derived schemas are cached (bounded), so the JSON and Avro
// converters underneath see the same schema for every record of a table.
package cloudevents
