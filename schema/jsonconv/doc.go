// Package jsonconv is Kafka Connect's JsonConverter
// (org.apache.kafka.connect.json.JsonConverter), reproduced byte for byte.
//
// FromConnect turns a Connect schema and value into the bytes Java Connect
// writes: the {"schema":…,"payload":…} envelope when schemas.enable=true (the
// default), the bare payload otherwise. Output has no whitespace; schema keys
// come in JsonConverter's order (type, fields|items|keys+values, optional,
// name, version, doc, parameters, default, field); strings are escaped as
// Jackson escapes them (control characters only, never '/', '<', '>', '&' or
// non-ASCII); doubles and floats use Java's Double.toString/Float.toString
// shapes ("1.0", "1.0E10"), with NaN and infinities quoted as Jackson does.
//
// ToConnect parses that output back into a schema and a value, in both
// schemas.enable modes. It is stricter than Java where Java would silently
// produce garbage (a string where an int32 belongs is an error here, not 0).
//
// Values follow package schema's model: int8…int64, float32, float64, bool,
// string and []byte for the primitives; *schema.Struct for structs; []any for
// arrays; map[string]any, map[string]string or map[any]any for maps;
// schema.Decimal (or raw unscaled two's-complement []byte) for Decimal and
// time.Time for Connect's Date, Time and Timestamp.
//
// Invariants: a *schema.Schema is immutable once used, so its JSON, and the
// envelope head {"schema":…,"payload": that holds it, are serialised once and
// cached per Converter (bounded by schemas.cache.size); the per-record path
// writes the record without reflection or encoding/json, either into the
// caller's buffer (AppendConnect: no allocation) or into a pooled one, then
// copied out at its exact size (FromConnect: one allocation). Map entries
// are written in sorted key order (Java writes HashMap order, which has no
// portable equivalent); readers parse them as JSON so the order carries no
// meaning. A Converter is safe for concurrent use.
package jsonconv
