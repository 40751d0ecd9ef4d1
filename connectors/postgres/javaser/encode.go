package javaser

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// Encode returns the key as Debezium stores it in the offsets: the bytes of
// ObjectOutputStream.writeObject(Object[]) as lower-case hex
// (io.debezium.util.HexConverter.convertToHexString). A nil key is the null
// array.
func Encode(key []any) (string, error) {
	b, err := Marshal(key)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// Marshal returns the bytes ObjectOutputStream writes for the key as an
// Object[]: the stream header and the array (or null for a nil key).
func Marshal(key []any) ([]byte, error) {
	e := encoder{
		buf:         binary.BigEndian.AppendUint16(nil, streamMagic),
		next:        baseWireHandle,
		descs:       map[*class]int32{},
		typeStrings: map[string]int32{},
		shared:      map[sharedKey]int32{},
	}
	e.buf = binary.BigEndian.AppendUint16(e.buf, streamVersion)
	if key == nil {
		e.buf = append(e.buf, tcNull)
		return e.buf, nil
	}
	if len(key) > math.MaxInt32 {
		return nil, fmt.Errorf("javaser: key of %d elements is longer than a Java array", len(key))
	}
	// ObjectOutputStream.writeArray: TC_ARRAY, the class descriptor, a new
	// handle for the array, its length, then each element as an object.
	e.buf = append(e.buf, tcArray)
	e.classDesc(classObjectArray)
	e.assign()
	e.int32(int32(len(key)))
	for i, v := range key {
		if err := e.element(i, v); err != nil {
			return nil, err
		}
	}
	return e.buf, nil
}

// sharedKey names a JDK-cached instance (see the package documentation):
// the class and the value.
type sharedKey struct {
	class *class
	value int64
}

// encoder follows java.io.ObjectOutputStream: every class descriptor, string
// and object written gets the next handle, and a second occurrence of the
// same one is written as TC_REFERENCE to it.
type encoder struct {
	buf         []byte
	next        int32
	descs       map[*class]int32
	typeStrings map[string]int32    // field type signatures (interned in Java)
	shared      map[sharedKey]int32 // JDK-cached boxed values and BigIntegers
}

func (e *encoder) assign() int32 {
	h := e.next
	e.next++
	return h
}

func (e *encoder) int16(v int16) { e.buf = binary.BigEndian.AppendUint16(e.buf, uint16(v)) }
func (e *encoder) int32(v int32) { e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(v)) }
func (e *encoder) int64(v int64) { e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(v)) }

func (e *encoder) reference(h int32) {
	e.buf = append(e.buf, tcReference)
	e.int32(h)
}

// utf writes s as DataOutput.writeUTF: a two-byte length and modified UTF-8.
// Only class and field names go through here, all short ASCII.
func (e *encoder) utf(s string) {
	e.buf = binary.BigEndian.AppendUint16(e.buf, uint16(mutf8Len(s)))
	e.buf = appendMUTF8(e.buf, s)
}

// classDesc writes a class descriptor (ObjectOutputStream.writeClassDesc and
// writeNonProxyDesc, ObjectStreamClass.writeNonProxy): TC_CLASSDESC, a new
// handle, the name, serialVersionUID, flags, the fields, an empty class
// annotation (TC_ENDBLOCKDATA) and the superclass descriptor; a descriptor
// already written is a reference; no superclass is TC_NULL.
func (e *encoder) classDesc(c *class) {
	if c == nil {
		e.buf = append(e.buf, tcNull)
		return
	}
	if h, ok := e.descs[c]; ok {
		e.reference(h)
		return
	}
	e.buf = append(e.buf, tcClassDesc)
	e.descs[c] = e.assign()
	e.utf(c.name)
	e.int64(c.suid)
	e.buf = append(e.buf, c.flags)
	e.int16(int16(len(c.fields)))
	for _, f := range c.fields {
		e.buf = append(e.buf, f.code)
		e.utf(f.name)
		if f.sig != "" {
			e.typeString(f.sig)
		}
	}
	e.buf = append(e.buf, tcEndBlockData)
	e.classDesc(c.super)
}

// typeString writes a field's type signature as ObjectOutputStream's
// writeTypeString: a string object, or a reference to the same string.
func (e *encoder) typeString(s string) {
	if h, ok := e.typeStrings[s]; ok {
		e.reference(h)
		return
	}
	e.typeStrings[s] = e.assign()
	e.stringBody(s)
}

// stringBody writes TC_STRING and a two-byte length, or TC_LONGSTRING and an
// eight-byte length when the modified UTF-8 form is longer than 65535 bytes
// (ObjectOutputStream.writeString), then the bytes.
func (e *encoder) stringBody(s string) {
	n := mutf8Len(s)
	if n <= 0xffff {
		e.buf = append(e.buf, tcString)
		e.int16(int16(uint16(n)))
	} else {
		e.buf = append(e.buf, tcLongString)
		e.int64(int64(n))
	}
	e.buf = appendMUTF8(e.buf, s)
}

// object starts an ordinary object (ObjectOutputStream.writeOrdinaryObject):
// TC_OBJECT, its class descriptor and a new handle, which it returns.
func (e *encoder) object(c *class) int32 {
	e.buf = append(e.buf, tcObject)
	e.classDesc(c)
	return e.assign()
}

// cached writes a reference and reports true when the value is a JDK-cached
// instance already written; otherwise it reports whether the value is one
// the JDK caches, so that the caller records the handle it assigns.
func (e *encoder) cached(k sharedKey, lo, hi int64) (written, cacheable bool) {
	if k.value < lo || k.value > hi {
		return false, false
	}
	if h, ok := e.shared[k]; ok {
		e.reference(h)
		return true, true
	}
	return false, true
}

// boxed writes a Short, Integer or Long: the Number superclass has no data,
// then the value field. Short.valueOf, Integer.valueOf and Long.valueOf
// share instances for -128..127.
func (e *encoder) boxed(c *class, v int64) {
	k := sharedKey{class: c, value: v}
	written, cacheable := e.cached(k, -128, 127)
	if written {
		return
	}
	h := e.object(c)
	if cacheable {
		e.shared[k] = h
	}
	switch c {
	case classShort:
		e.int16(int16(v))
	case classInteger:
		e.int32(int32(v))
	default:
		e.int64(v)
	}
}

func (e *encoder) element(i int, v any) error {
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, tcNull)
	case int16:
		e.boxed(classShort, int64(v))
	case int32:
		e.boxed(classInteger, int64(v))
	case int64:
		e.boxed(classLong, v)
	case string:
		if !utf8.ValidString(v) {
			return fmt.Errorf("javaser: key element %d: string is not valid UTF-8", i)
		}
		// Every String is its own object: a new handle each time.
		e.assign()
		e.stringBody(v)
	case UUID:
		// UUID's fields in descriptor order: leastSigBits, mostSigBits.
		e.object(classUUID)
		e.buf = append(e.buf, v[8:]...)
		e.buf = append(e.buf, v[:8]...)
	case BigDecimal:
		if v.Unscaled == nil {
			return fmt.Errorf("javaser: key element %d: BigDecimal without an unscaled value", i)
		}
		// BigInteger's range ends below 2^Integer.MAX_VALUE in magnitude.
		if v.Unscaled.BitLen() >= math.MaxInt32 {
			return fmt.Errorf("javaser: key element %d: BigDecimal beyond the range of java.math.BigInteger", i)
		}
		e.bigDecimal(v)
	default:
		return &UnsupportedTypeError{Index: i, Type: fmt.Sprintf("%T", v)}
	}
	return nil
}

// bigDecimal writes a BigDecimal as its writeObject does: defaultWriteObject
// (scale, then intVal as an object) and the end of its custom data.
func (e *encoder) bigDecimal(d BigDecimal) {
	e.object(classBigDecimal)
	e.int32(d.Scale)
	e.bigInteger(d.Unscaled)
	e.buf = append(e.buf, tcEndBlockData)
}

// bigInteger writes a BigInteger as its writeObject does: putFields with
// bitCount -1, bitLength -1, firstNonzeroByteNum -2, lowestSetBit -2 (the
// legacy values), signum and the magnitude as a big-endian byte[] without
// leading zeros (magSerializedForm), then the end of its custom data.
// BigDecimal.writeObject inflates a compact value with BigInteger.valueOf,
// which shares instances for -16..16.
func (e *encoder) bigInteger(v *big.Int) {
	k := sharedKey{class: classBigInteger}
	var cacheable, written bool
	if v.IsInt64() {
		k.value = v.Int64()
		written, cacheable = e.cached(k, -16, 16)
		if written {
			return
		}
	}
	h := e.object(classBigInteger)
	if cacheable {
		e.shared[k] = h
	}
	e.int32(-1)
	e.int32(-1)
	e.int32(-2)
	e.int32(-2)
	e.int32(int32(v.Sign()))
	mag := v.Bytes()
	e.buf = append(e.buf, tcArray)
	e.classDesc(classByteArray)
	e.assign()
	e.int32(int32(len(mag)))
	e.buf = append(e.buf, mag...)
	e.buf = append(e.buf, tcEndBlockData)
}
