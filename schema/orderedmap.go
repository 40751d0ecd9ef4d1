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

// OrderedPairs is a MAP value with keys of any type (an int16-keyed map, say)
// whose entries the converters write in the given order: the iteration
// order of the Java map Kafka Connect's converters would have walked
// (Debezium's sparse vectors are java.util.HashMaps of Short keys).
type OrderedPairs []Pair

// Pair is one entry of an OrderedPairs.
type Pair struct {
	Key   any
	Value any
}
