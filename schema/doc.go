// Package schema is Tributary's copy of the Kafka Connect data model: schema
// types, named logical types, structs and the values they hold.
//
// It mirrors org.apache.kafka.connect.data closely enough that converters can
// reproduce Kafka Connect's wire output byte for byte: field order, parameter
// order and defaults are all preserved as they were declared; a MAP value may
// be an OrderedMap (string keys) or OrderedPairs (keys of any type) when its
// entry order is part of the output. Equal compares
// values as Java's equals does (Struct.equals, Double.equals,
// BigDecimal.equals): a NaN equals itself, -0.0 does not equal 0.0. The
// package imports only the standard library; converters live in
// sub-packages.
package schema
