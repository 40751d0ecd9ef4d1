// Package javaser reads and writes the incremental snapshot key arrays
// that Debezium keeps in a connector's offsets: the values of
// incremental_snapshot_primary_key and incremental_snapshot_maximum_key.
//
// Debezium (AbstractIncrementalSnapshotContext.arrayToSerializedString and
// serializedStringToArray, debezium-connector-common 3.5) writes the chunk's
// key as new ObjectOutputStream(bos).writeObject(Object[]) and turns the
// bytes into a string with io.debezium.util.HexConverter: two lower-case hex
// digits per byte. Encode produces exactly that string; Decode reads it back.
// The stream format is the one of the Java Object Serialization
// Specification, chapter 6 (stream protocol version 2, as
// java.io.ObjectOutputStream writes it by default).
//
// Key elements map between Go and Java as follows:
//
//	nil         null
//	int16       java.lang.Short
//	int32       java.lang.Integer
//	int64       java.lang.Long
//	string      java.lang.String (valid UTF-8; written in modified UTF-8)
//	UUID        java.util.UUID
//	BigDecimal  java.math.BigDecimal (its unscaled value a java.math.BigInteger)
//
// A nil slice is the null array (Debezium writes one while no key has been
// sent yet); an empty non-nil slice is an empty array. Decode returns the
// same Go types. Encoding any other Go type fails with an
// UnsupportedTypeError naming it; decoding an element of any other Java
// class fails with an UnsupportedClassError naming the class.
//
// Java shares one object, and so writes a back reference (TC_REFERENCE)
// instead of a second copy, where the same instance appears twice. The JDK
// hands out shared instances for boxed values: Short.valueOf,
// Integer.valueOf and Long.valueOf (autoboxing, as the PostgreSQL JDBC
// driver's getObject does) return cached objects for -128..127, and
// BigDecimal.writeObject inflates a compact unscaled value with
// BigInteger.valueOf, which returns cached objects for -16..16. Encode
// follows those caches so that its output is byte for byte what Debezium
// writes for such keys. Any other sharing depends on how the Java objects
// were made and cannot be known here; ObjectInputStream reads either form to
// the same values, and Decode accepts back references wherever Java allows
// them.
//
// Decode is a trust boundary (offsets come from Kafka): it checks every
// length against the bytes left before allocating, accepts only the class
// descriptors of the classes above (and of Number, BigInteger and byte[]
// within them) with their exact serialVersionUID, flags and fields, and
// never panics. Where it is stricter than ObjectInputStream: hex digits are
// ASCII only (HexConverter uses Character.digit, which also takes other
// Unicode digits), bytes after the key are refused (Java ignores them), and
// so is a string holding an unpaired UTF-16 surrogate, which a Go string of
// valid UTF-8 cannot carry. None of these occurs in what Debezium writes.
package javaser
