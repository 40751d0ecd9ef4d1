// Package typemap maps PostgreSQL column types to Connect schemas and turns
// the PostgreSQL text form of a value into its Connect value, following
// Debezium's mapping under the modes in Options (decimal, time precision,
// binary, hstore and interval handling, money fraction digits, unknown
// types). Mappings are built once per column; decoding a value does no map
// lookups or reflection.
//
// Both the snapshot (which reads rows in text format) and streaming (pgoutput
// sends text) decode through the same Decoder, so a value is identical on
// both paths by construction. The package is pure: no I/O, no global mutable
// state. The mapping is a table keyed by type OID (extension types by name,
// enums and arrays by kind); types without an entry are reported as
// unsupported and the caller omits the column.
//
// Text forms assume the session settings the connector sets on every
// connection: TimeZone=UTC, DateStyle=ISO, bytea_output=hex.
package typemap
