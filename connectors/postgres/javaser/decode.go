package javaser

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
)

// Decode reads a key Debezium stored in the offsets: hex digits (either
// case, as HexConverter.convertFromHex accepts) of an Object[] written by
// ObjectOutputStream. The null array decodes to a nil slice.
func Decode(s string) ([]any, error) {
	if len(s)%2 != 0 {
		return nil, fmt.Errorf("%w: odd number of hex digits", ErrMalformed)
	}
	b := make([]byte, len(s)/2)
	for i := range b {
		hi, ok1 := hexDigit(s[2*i])
		lo, ok2 := hexDigit(s[2*i+1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w: non-hex character at index %d", ErrMalformed, 2*i)
		}
		b[i] = hi<<4 | lo
	}
	return Unmarshal(b)
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Unmarshal reads the bytes of an Object[] written by ObjectOutputStream.
// The stream must hold exactly the stream header and one array or null.
func Unmarshal(b []byte) ([]any, error) {
	d := decoder{b: b}
	key, err := d.stream()
	if err != nil {
		var uc *UnsupportedClassError
		if errors.As(err, &uc) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: at byte %d: %w", ErrMalformed, d.off, err)
	}
	return key, nil
}

// handle is an entry of the stream's handle table: a class descriptor, a
// string, a decoded value, or an object still being read.
type handle struct {
	desc    *class
	str     *string
	value   any // int16, int32, int64, UUID, BigDecimal, *big.Int or []byte
	pending bool
}

type decoder struct {
	b       []byte
	off     int
	handles []handle
}

var errShort = errors.New("unexpected end of data")

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.b)-d.off {
		return nil, errShort
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p, nil
}

func (d *decoder) byte() (byte, error) {
	p, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return p[0], nil
}

func (d *decoder) uint16() (uint16, error) {
	p, err := d.take(2)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(p), nil
}

func (d *decoder) int32() (int32, error) {
	p, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return int32(binary.BigEndian.Uint32(p)), nil
}

func (d *decoder) int64() (int64, error) {
	p, err := d.take(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.BigEndian.Uint64(p)), nil
}

// assign adds an entry to the handle table and returns its index.
func (d *decoder) assign(h handle) int {
	d.handles = append(d.handles, h)
	return len(d.handles) - 1
}

// lookup reads the handle after TC_REFERENCE.
func (d *decoder) lookup() (*handle, error) {
	h, err := d.int32()
	if err != nil {
		return nil, err
	}
	i := int64(h) - baseWireHandle
	if i < 0 || i >= int64(len(d.handles)) {
		return nil, fmt.Errorf("reference to unknown handle 0x%x", uint32(h))
	}
	return &d.handles[i], nil
}

// stream reads the header and the one top-level object.
func (d *decoder) stream() ([]any, error) {
	magic, err := d.uint16()
	if err != nil {
		return nil, err
	}
	version, err := d.uint16()
	if err != nil {
		return nil, err
	}
	if magic != streamMagic || version != streamVersion {
		return nil, fmt.Errorf("stream header %04x %04x, want aced 0005", magic, version)
	}
	tc, err := d.byte()
	if err != nil {
		return nil, err
	}
	var key []any
	switch tc {
	case tcNull:
	case tcArray:
		if key, err = d.array(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("type code 0x%02x where the key array belongs", tc)
	}
	if d.off != len(d.b) {
		return nil, fmt.Errorf("%d bytes after the key", len(d.b)-d.off)
	}
	return key, nil
}

// array reads the Object[] after TC_ARRAY: its descriptor, length and
// elements.
func (d *decoder) array() ([]any, error) {
	c, err := d.classDesc()
	if err != nil {
		return nil, err
	}
	if c != classObjectArray {
		return nil, unsupportedOrNull(c)
	}
	// The array's handle: ObjectInputStream would return the array for a
	// reference to it; none can come, as no element may be an array.
	d.assign(handle{pending: true})
	n, err := d.int32()
	if err != nil {
		return nil, err
	}
	// Every element takes at least one byte: a length beyond the bytes
	// left is corrupt, and is refused before anything is allocated.
	if n < 0 || int(n) > len(d.b)-d.off {
		return nil, fmt.Errorf("array length %d with %d bytes left", n, len(d.b)-d.off)
	}
	key := make([]any, n)
	for i := range key {
		if key[i], err = d.element(); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func unsupportedOrNull(c *class) error {
	if c == nil {
		return errors.New("null class descriptor")
	}
	return &UnsupportedClassError{Class: c.name}
}

// classDesc reads a class descriptor: TC_CLASSDESC and its body, a
// reference to one already read, or TC_NULL (nil). A class other than the
// known ones is an UnsupportedClassError as soon as its name is read; a
// known class must match its descriptor exactly.
func (d *decoder) classDesc() (*class, error) {
	tc, err := d.byte()
	if err != nil {
		return nil, err
	}
	switch tc {
	case tcNull:
		return nil, nil
	case tcReference:
		h, err := d.lookup()
		if err != nil {
			return nil, err
		}
		if h.desc == nil {
			return nil, errors.New("class descriptor reference to a handle that is not one")
		}
		return h.desc, nil
	case tcProxyClassDesc:
		return nil, &UnsupportedClassError{Class: "dynamic proxy class"}
	case tcClassDesc:
	default:
		return nil, fmt.Errorf("type code 0x%02x where a class descriptor belongs", tc)
	}
	name, err := d.utf()
	if err != nil {
		return nil, err
	}
	c, ok := knownClasses[name]
	if !ok {
		return nil, &UnsupportedClassError{Class: name}
	}
	d.assign(handle{desc: c})
	suid, err := d.int64()
	if err != nil {
		return nil, err
	}
	if suid != c.suid {
		return nil, fmt.Errorf("class %s: serialVersionUID %d, want %d", name, suid, c.suid)
	}
	flags, err := d.byte()
	if err != nil {
		return nil, err
	}
	if flags != c.flags {
		return nil, fmt.Errorf("class %s: flags 0x%02x, want 0x%02x", name, flags, c.flags)
	}
	n, err := d.uint16()
	if err != nil {
		return nil, err
	}
	if int(n) != len(c.fields) {
		return nil, fmt.Errorf("class %s: %d fields, want %d", name, n, len(c.fields))
	}
	for _, want := range c.fields {
		code, err := d.byte()
		if err != nil {
			return nil, err
		}
		fname, err := d.utf()
		if err != nil {
			return nil, err
		}
		if code != want.code || fname != want.name {
			return nil, fmt.Errorf("class %s: field %c %s, want %c %s", name, code, fname, want.code, want.name)
		}
		if want.sig != "" {
			sig, err := d.typeString()
			if err != nil {
				return nil, err
			}
			if sig != want.sig {
				return nil, fmt.Errorf("class %s: field %s of type %s, want %s", name, fname, sig, want.sig)
			}
		}
	}
	// ObjectOutputStream.annotateClass writes nothing: the annotation is
	// only its end marker.
	if tc, err = d.byte(); err != nil {
		return nil, err
	}
	if tc != tcEndBlockData {
		return nil, fmt.Errorf("class %s: annotation type code 0x%02x, want TC_ENDBLOCKDATA", name, tc)
	}
	super, err := d.classDesc()
	if err != nil {
		return nil, err
	}
	if super != c.super {
		got := "none"
		if super != nil {
			got = super.name
		}
		return nil, fmt.Errorf("class %s: superclass %s", name, got)
	}
	return c, nil
}

// typeString reads a field's type signature: a string object or a reference
// to one.
func (d *decoder) typeString() (string, error) {
	tc, err := d.byte()
	if err != nil {
		return "", err
	}
	switch tc {
	case tcString, tcLongString:
		return d.newString(tc)
	case tcReference:
		h, err := d.lookup()
		if err != nil {
			return "", err
		}
		if h.str == nil {
			return "", errors.New("type signature reference to a handle that is not a string")
		}
		return *h.str, nil
	}
	return "", fmt.Errorf("type code 0x%02x where a type signature belongs", tc)
}

// utf reads DataInput.readUTF: a two-byte length and modified UTF-8.
func (d *decoder) utf() (string, error) {
	n, err := d.uint16()
	if err != nil {
		return "", err
	}
	p, err := d.take(int(n))
	if err != nil {
		return "", err
	}
	return decodeMUTF8(p)
}

// newString reads the body of TC_STRING (two-byte length) or TC_LONGSTRING
// (eight-byte length) and gives the string a handle.
func (d *decoder) newString(tc byte) (string, error) {
	var n int64
	if tc == tcString {
		u, err := d.uint16()
		if err != nil {
			return "", err
		}
		n = int64(u)
	} else {
		var err error
		if n, err = d.int64(); err != nil {
			return "", err
		}
	}
	if n < 0 || n > int64(len(d.b)-d.off) {
		return "", fmt.Errorf("string length %d with %d bytes left", n, len(d.b)-d.off)
	}
	p, _ := d.take(int(n))
	s, err := decodeMUTF8(p)
	if err != nil {
		return "", err
	}
	d.assign(handle{str: &s})
	return s, nil
}

// element reads one element of the key.
func (d *decoder) element() (any, error) {
	tc, err := d.byte()
	if err != nil {
		return nil, err
	}
	switch tc {
	case tcNull:
		return nil, nil
	case tcString, tcLongString:
		return d.newString(tc)
	case tcReference:
		h, err := d.lookup()
		if err != nil {
			return nil, err
		}
		switch {
		case h.pending:
			return nil, errors.New("reference to an object still being read")
		case h.str != nil:
			return *h.str, nil
		case h.desc != nil:
			return nil, &UnsupportedClassError{Class: "java.io.ObjectStreamClass"}
		}
		return copyValue(h.value)
	case tcObject:
		c, err := d.classDesc()
		if err != nil {
			return nil, err
		}
		switch c {
		case classShort, classInteger, classLong:
			return d.boxed(c)
		case classUUID:
			return d.uuid()
		case classBigDecimal:
			return d.bigDecimal()
		}
		return nil, unsupportedOrNull(c)
	case tcClass:
		return nil, &UnsupportedClassError{Class: "java.lang.Class"}
	case tcArray, tcEnum:
		// The class of a nested array or an enum constant: none is a
		// supported key element.
		c, err := d.classDesc()
		if err != nil {
			return nil, err
		}
		return nil, unsupportedOrNull(c)
	}
	return nil, fmt.Errorf("type code 0x%02x where a key element belongs", tc)
}

// copyValue returns a value read earlier for a back reference, copying what
// the caller could otherwise change in both places.
func copyValue(v any) (any, error) {
	switch v := v.(type) {
	case int16, int32, int64, UUID:
		return v, nil
	case BigDecimal:
		return BigDecimal{Unscaled: new(big.Int).Set(v.Unscaled), Scale: v.Scale}, nil
	case *big.Int:
		return nil, &UnsupportedClassError{Class: classBigInteger.name}
	case []byte:
		return nil, &UnsupportedClassError{Class: classByteArray.name}
	}
	return nil, fmt.Errorf("reference to a %T", v)
}

// boxed reads the data of a Short, Integer or Long (Number has none).
func (d *decoder) boxed(c *class) (any, error) {
	h := d.assign(handle{pending: true})
	var v any
	var err error
	switch c {
	case classShort:
		var u uint16
		u, err = d.uint16()
		v = int16(u)
	case classInteger:
		v, err = d.int32()
	default:
		v, err = d.int64()
	}
	if err != nil {
		return nil, err
	}
	d.handles[h] = handle{value: v}
	return v, nil
}

// uuid reads a UUID's leastSigBits then mostSigBits.
func (d *decoder) uuid() (any, error) {
	h := d.assign(handle{pending: true})
	p, err := d.take(16)
	if err != nil {
		return nil, err
	}
	var u UUID
	copy(u[:8], p[8:])
	copy(u[8:], p[:8])
	d.handles[h] = handle{value: u}
	return u, nil
}

// endOfCustomData reads the TC_ENDBLOCKDATA that ends the data of a class
// with a writeObject method; BigInteger and BigDecimal write no data of
// their own beyond their fields.
func (d *decoder) endOfCustomData(c *class) error {
	tc, err := d.byte()
	if err != nil {
		return err
	}
	if tc != tcEndBlockData {
		return fmt.Errorf("%s: type code 0x%02x after the fields, want TC_ENDBLOCKDATA", c.name, tc)
	}
	return nil
}

// bigDecimal reads a BigDecimal's scale and intVal, which must not be null
// (as BigDecimal.readObject checks).
func (d *decoder) bigDecimal() (any, error) {
	h := d.assign(handle{pending: true})
	scale, err := d.int32()
	if err != nil {
		return nil, err
	}
	tc, err := d.byte()
	if err != nil {
		return nil, err
	}
	var unscaled *big.Int
	switch tc {
	case tcObject:
		c, err := d.classDesc()
		if err != nil {
			return nil, err
		}
		if c != classBigInteger {
			if c == nil {
				return nil, errors.New("BigDecimal intVal with a null class descriptor")
			}
			return nil, fmt.Errorf("BigDecimal intVal of class %s", c.name)
		}
		if unscaled, err = d.bigInteger(); err != nil {
			return nil, err
		}
	case tcReference:
		r, err := d.lookup()
		if err != nil {
			return nil, err
		}
		v, ok := r.value.(*big.Int)
		if !ok {
			return nil, errors.New("BigDecimal intVal references something other than a BigInteger")
		}
		unscaled = new(big.Int).Set(v)
	case tcNull:
		return nil, errors.New("BigDecimal: null intVal in stream")
	default:
		return nil, fmt.Errorf("type code 0x%02x where BigDecimal intVal belongs", tc)
	}
	if err := d.endOfCustomData(classBigDecimal); err != nil {
		return nil, err
	}
	v := BigDecimal{Unscaled: unscaled, Scale: scale}
	d.handles[h] = handle{value: v}
	return copyValue(v)
}

// bigInteger reads a BigInteger's fields as its readObject does: signum
// -1, 0 or 1, a big-endian magnitude (leading zeros allowed) that is zero
// exactly when signum is; the legacy fields are ignored.
func (d *decoder) bigInteger() (*big.Int, error) {
	h := d.assign(handle{pending: true})
	var signum int32
	for i := range 5 {
		v, err := d.int32()
		if err != nil {
			return nil, err
		}
		if i == 4 {
			signum = v
		}
	}
	if signum < -1 || signum > 1 {
		return nil, errors.New("BigInteger: Invalid signum value")
	}
	mag, err := d.magnitude()
	if err != nil {
		return nil, err
	}
	if err := d.endOfCustomData(classBigInteger); err != nil {
		return nil, err
	}
	v := new(big.Int).SetBytes(mag)
	if (v.Sign() == 0) != (signum == 0) {
		return nil, errors.New("BigInteger: signum-magnitude mismatch")
	}
	if signum < 0 {
		v.Neg(v)
	}
	d.handles[h] = handle{value: v}
	return v, nil
}

// magnitude reads BigInteger's magnitude field: a byte[] or a reference to
// one.
func (d *decoder) magnitude() ([]byte, error) {
	tc, err := d.byte()
	if err != nil {
		return nil, err
	}
	switch tc {
	case tcArray:
		c, err := d.classDesc()
		if err != nil {
			return nil, err
		}
		if c != classByteArray {
			return nil, errors.New("BigInteger magnitude is not a byte[]")
		}
		h := d.assign(handle{pending: true})
		n, err := d.int32()
		if err != nil {
			return nil, err
		}
		if n < 0 || int(n) > len(d.b)-d.off {
			return nil, fmt.Errorf("byte[] length %d with %d bytes left", n, len(d.b)-d.off)
		}
		p, _ := d.take(int(n))
		d.handles[h] = handle{value: p}
		return p, nil
	case tcReference:
		r, err := d.lookup()
		if err != nil {
			return nil, err
		}
		p, ok := r.value.([]byte)
		if !ok {
			return nil, errors.New("BigInteger magnitude references something other than a byte[]")
		}
		return p, nil
	case tcNull:
		return nil, errors.New("BigInteger: Magnitude not present in stream")
	}
	return nil, fmt.Errorf("type code 0x%02x where BigInteger magnitude belongs", tc)
}
