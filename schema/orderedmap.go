package schema

// OrderedMap is a string-keyed MAP value whose entries the converters write
// in the given order. It carries the iteration order of a Java map that
// Kafka Connect's JsonConverter and Confluent's AvroConverter would have
// written entry by entry (Debezium's hstore maps are java.util.HashMaps),
// where a Go map has no order and plain maps are written sorted.
type OrderedMap []MapEntry

// MapEntry is one entry of an OrderedMap.
type MapEntry struct {
	Key   string
	Value any
}
