// Package avro is Confluent's AvroConverter for Tributary: it turns a Connect
// schema into the Avro schema text that Confluent's AvroData would produce
// (record names and namespaces, ["null", T] unions with null defaults, the
// connect.* properties in AvroData's insertion order, logical types), encodes
// Connect values with github.com/linkedin/goavro/v2, and frames them in the
// Confluent wire format: a zero magic byte, the 4-byte big-endian schema id
// and the Avro binary body.
//
// Schema ids come from a Confluent-compatible schema registry through
// schema/registry. They are cached per Connect schema and topic, so the
// registry is asked once per new schema and never again on the per-record
// path. ParseRegistryOptions reads the registry client's settings as
// Confluent's client does: basic.auth.credentials.source URL or USER_INFO
// (basic.auth.user.info, or its schema.registry.basic.auth.user.info alias,
// which wins), bearer.auth.credentials.source STATIC_TOKEN, and the
// schema.registry.ssl.* trust and key stores; the other credential sources
// (SASL_INHERIT, OAUTHBEARER, CUSTOM …) are refused by name.
package avro
