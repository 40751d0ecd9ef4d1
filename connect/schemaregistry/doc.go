// Package schemaregistry is an embedded Confluent-compatible schema
// registry: subjects, versions and global ids for Avro schemas, lookups,
// compatibility levels (BACKWARD by default) with Avro schema-resolution
// checking, served over Confluent's REST API.
//
// Its state lives in a compacted Kafka topic (_schemas by default) in
// Confluent's record format: keys {"keytype":"SCHEMA","subject",...,
// "version","magic":1} with values {"subject","version","id","schema",
// "deleted"}, and CONFIG keys with {"compatibilityLevel"} values. Ids and
// versions therefore survive restarts, and a registry that reads the same
// topic sees the same schemas.
//
// Its listeners are bounded by internal/httpserve (timeouts, header and
// connection caps); request bodies are capped (413 beyond).
package schemaregistry
