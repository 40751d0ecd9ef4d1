package javaser

import (
	"errors"
	"math/big"
)

// UUID is a java.util.UUID: the 16 bytes of the UUID in network order, as
// PostgreSQL's uuid type holds them. The first eight bytes are Java's
// mostSigBits, the last eight its leastSigBits.
type UUID [16]byte

// BigDecimal is a java.math.BigDecimal: the value Unscaled × 10^-Scale.
// Unscaled must not be nil when encoding.
type BigDecimal struct {
	Unscaled *big.Int
	Scale    int32
}

// ErrMalformed is wrapped by every Decode error about a stream that does not
// follow the serialization protocol or holds a supported class in a form
// Java would not write.
var ErrMalformed = errors.New("javaser: malformed serialized key")

// UnsupportedClassError is returned by Decode for a key element of a Java
// class this package does not map to Go.
type UnsupportedClassError struct {
	Class string // Java class name, as in the stream ("java.sql.Timestamp")
}

func (e *UnsupportedClassError) Error() string {
	return "javaser: unsupported class " + e.Class + " in serialized key"
}

// UnsupportedTypeError is returned by Encode for a key element of a Go type
// this package does not map to a Java class.
type UnsupportedTypeError struct {
	Index int    // position of the element in the key
	Type  string // Go type, as fmt's %T prints it
}

func (e *UnsupportedTypeError) Error() string {
	return "javaser: unsupported Go type " + e.Type + " for a key element"
}

// Stream constants, Java Object Serialization Specification §6.4.2
// (java.io.ObjectStreamConstants).
const (
	streamMagic   = 0xaced
	streamVersion = 5

	tcNull           = 0x70
	tcReference      = 0x71
	tcClassDesc      = 0x72
	tcObject         = 0x73
	tcString         = 0x74
	tcArray          = 0x75
	tcClass          = 0x76
	tcBlockData      = 0x77
	tcEndBlockData   = 0x78
	tcReset          = 0x79
	tcBlockDataLong  = 0x7a
	tcException      = 0x7b
	tcLongString     = 0x7c
	tcProxyClassDesc = 0x7d
	tcEnum           = 0x7e

	baseWireHandle = 0x7e0000

	scWriteMethod  = 0x01
	scSerializable = 0x02
)

// field is one entry of a class descriptor's field list: the type code
// ('I', 'J', 'S', 'L', '['), the name, and for object fields the JVM type
// signature that is written as a string object.
type field struct {
	code byte
	name string
	sig  string
}

// class is a class descriptor as java.io.ObjectStreamClass writes it. The
// fields are in ObjectStreamClass order: primitive fields sorted by name,
// then object fields sorted by name.
type class struct {
	name   string
	suid   int64
	flags  byte
	fields []field
	super  *class
}

// The descriptors of the classes a key may hold. serialVersionUIDs are the
// values declared in OpenJDK's sources (the static serialVersionUID field of
// each class; for arrays the value ObjectStreamClass computes, which is the
// same on every JDK); flags are SC_SERIALIZABLE, plus SC_WRITE_METHOD where
// the class declares a private writeObject.
var (
	// java.lang.Number: abstract, no serializable fields.
	classNumber = &class{name: "java.lang.Number", suid: -8742448824652078965, flags: scSerializable}

	// java.lang.Short: field "short value".
	classShort = &class{name: "java.lang.Short", suid: 7515723908773894738, flags: scSerializable,
		fields: []field{{code: 'S', name: "value"}}, super: classNumber}

	// java.lang.Integer: field "int value".
	classInteger = &class{name: "java.lang.Integer", suid: 1360826667806852920, flags: scSerializable,
		fields: []field{{code: 'I', name: "value"}}, super: classNumber}

	// java.lang.Long: field "long value".
	classLong = &class{name: "java.lang.Long", suid: 4290774380558885855, flags: scSerializable,
		fields: []field{{code: 'J', name: "value"}}, super: classNumber}

	// java.util.UUID: fields mostSigBits and leastSigBits, extends Object.
	classUUID = &class{name: "java.util.UUID", suid: -4856846361193249489, flags: scSerializable,
		fields: []field{{code: 'J', name: "leastSigBits"}, {code: 'J', name: "mostSigBits"}}}

	// java.math.BigInteger: serialPersistentFields signum, magnitude and the
	// legacy bitCount, bitLength, firstNonzeroByteNum, lowestSetBit, written
	// by writeObject through putFields/writeFields.
	classBigInteger = &class{name: "java.math.BigInteger", suid: -8287574255936472291, flags: scSerializable | scWriteMethod,
		fields: []field{
			{code: 'I', name: "bitCount"},
			{code: 'I', name: "bitLength"},
			{code: 'I', name: "firstNonzeroByteNum"},
			{code: 'I', name: "lowestSetBit"},
			{code: 'I', name: "signum"},
			{code: '[', name: "magnitude", sig: "[B"},
		}, super: classNumber}

	// java.math.BigDecimal: fields scale and intVal; writeObject inflates
	// intVal and calls defaultWriteObject.
	classBigDecimal = &class{name: "java.math.BigDecimal", suid: 6108874887143696463, flags: scSerializable | scWriteMethod,
		fields: []field{{code: 'I', name: "scale"}, {code: 'L', name: "intVal", sig: "Ljava/math/BigInteger;"}},
		super:  classNumber}

	// byte[]: BigInteger's magnitude.
	classByteArray = &class{name: "[B", suid: -5984413125824719648, flags: scSerializable}

	// Object[]: the key itself.
	classObjectArray = &class{name: "[Ljava.lang.Object;", suid: -8012369246846506644, flags: scSerializable}
)

// knownClasses indexes the descriptors Decode accepts by class name.
var knownClasses = map[string]*class{
	classNumber.name:      classNumber,
	classShort.name:       classShort,
	classInteger.name:     classInteger,
	classLong.name:        classLong,
	classUUID.name:        classUUID,
	classBigInteger.name:  classBigInteger,
	classBigDecimal.name:  classBigDecimal,
	classByteArray.name:   classByteArray,
	classObjectArray.name: classObjectArray,
}
