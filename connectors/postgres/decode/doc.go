// Package decode is the pure half of streaming: it turns pgoutput protocol
// version 1 messages (the payload of XLogData) into typed messages and
// tuples into rows of Connect values. It performs no I/O and holds no
// state; the relation cache belongs to the stream that calls it.
//
// Malformed input yields an error, never a panic: the package is a trust
// boundary and is fuzzed.
package decode
