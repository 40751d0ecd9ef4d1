package javaser

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// randomString draws runes from ASCII, U+0000, two- and three-byte BMP
// characters and supplementary characters (surrogate pairs in Java).
func randomString(r *rand.Rand) string {
	var sb strings.Builder
	for range r.IntN(12) {
		switch r.IntN(5) {
		case 0:
			sb.WriteRune(rune(0x20 + r.IntN(0x5f)))
		case 1:
			sb.WriteRune(0)
		case 2:
			sb.WriteRune(rune(0x80 + r.IntN(0x780)))
		case 3:
			c := rune(0x800 + r.IntN(0xf800))
			if !utf8.ValidRune(c) { // the surrogate range
				c = 0xfffd
			}
			sb.WriteRune(c)
		default:
			sb.WriteRune(rune(0x10000 + r.IntN(0x100000)))
		}
	}
	return sb.String()
}

// randomSmall favours values around the JDK caches' bounds.
func randomSmall(r *rand.Rand) int64 {
	edges := []int64{-129, -128, -127, -17, -16, -15, -1, 0, 1, 15, 16, 17, 126, 127, 128}
	return edges[r.IntN(len(edges))]
}

func randomElement(r *rand.Rand) any {
	switch r.IntN(8) {
	case 0:
		return nil
	case 1:
		if r.IntN(2) == 0 {
			return int16(randomSmall(r))
		}
		return int16(r.Uint32())
	case 2:
		if r.IntN(2) == 0 {
			return int32(randomSmall(r))
		}
		return int32(r.Uint32())
	case 3:
		if r.IntN(2) == 0 {
			return randomSmall(r)
		}
		return int64(r.Uint64())
	case 4:
		return randomString(r)
	case 5:
		var u UUID
		binary.BigEndian.PutUint64(u[:8], r.Uint64())
		binary.BigEndian.PutUint64(u[8:], r.Uint64())
		return u
	default:
		var v *big.Int
		switch r.IntN(3) {
		case 0:
			v = big.NewInt(randomSmall(r))
		case 1:
			v = big.NewInt(int64(r.Uint64()))
		default:
			buf := make([]byte, 1+r.IntN(40))
			for i := range buf {
				buf[i] = byte(r.Uint32())
			}
			v = new(big.Int).SetBytes(buf)
			if r.IntN(2) == 0 {
				v.Neg(v)
			}
		}
		return BigDecimal{Unscaled: v, Scale: int32(r.Uint32()) >> r.IntN(32)}
	}
}

// TestRoundTrip is the property Debezium relies on across a restart: any
// key of supported elements decodes to what was encoded, and encoding is
// deterministic.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		key := make([]any, r.IntN(6))
		for i := range key {
			key[i] = randomElement(r)
		}
		s, err := Encode(key)
		if err != nil {
			t.Fatalf("case %d: Encode(%#v): %v", n, key, err)
		}
		got, err := Decode(s)
		if err != nil {
			t.Fatalf("case %d: Decode(Encode(%#v)): %v\n%s", n, key, err, s)
		}
		if !equalKeys(got, key) {
			t.Fatalf("case %d: Decode(Encode(%#v)) = %#v", n, key, got)
		}
		again, err := Encode(got)
		if err != nil || again != s {
			t.Fatalf("case %d: re-encoding differs: %v\n%s\n%s", n, err, s, again)
		}
	}
}

// stringPrefix returns the bytes of new Object[]{s} from the stream header
// up to the element: string_abc.txt without its six element bytes.
func stringPrefix(t *testing.T) []byte {
	t.Helper()
	g := readGolden(t, "string_abc.txt")
	return g[:len(g)-6]
}

// TestLongString checks the switch between TC_STRING (two-byte length) and
// TC_LONGSTRING (eight-byte length) at 65535 bytes of modified UTF-8, not
// 65535 characters (ObjectOutputStream.writeString).
func TestLongString(t *testing.T) {
	prefix := stringPrefix(t)
	cases := []struct {
		s    string
		head []byte
	}{
		{strings.Repeat("a", 0xffff), []byte{tcString, 0xff, 0xff}},
		{strings.Repeat("a", 0x10000), []byte{tcLongString, 0, 0, 0, 0, 0, 1, 0, 0}},
		// 21846 × U+20AC is 65538 bytes in three-byte form.
		{strings.Repeat("€", 21846), []byte{tcLongString, 0, 0, 0, 0, 0, 1, 0, 2}},
		// 32768 × U+0000 is 65536 bytes of C0 80.
		{strings.Repeat("\x00", 0x8000), []byte{tcLongString, 0, 0, 0, 0, 0, 1, 0, 0}},
	}
	for _, c := range cases {
		body := []byte(c.s)
		if c.s[0] == 0 {
			body = bytes.Repeat([]byte{0xc0, 0x80}, len(c.s))
		}
		want := append(append(append([]byte(nil), prefix...), c.head...), body...)
		got, err := Marshal([]any{c.s})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d-byte string: stream differs at the head %x", len(c.s), got[len(prefix):len(prefix)+9])
		}
		key, err := Unmarshal(want)
		if err != nil || len(key) != 1 || key[0] != c.s {
			t.Fatalf("%d-byte string: Unmarshal: %v", len(c.s), err)
		}
	}
}

// TestSharedInstances checks which equal values become back references:
// only the JDK's cached instances, per class.
func TestSharedInstances(t *testing.T) {
	intDesc := []byte{0x71, 0x00, 0x7e, 0x00, 0x02}
	cases := []struct {
		name string
		key  []any
		tail []byte // the bytes of the second element
	}{
		{"Integer 127 is cached", []any{int32(127), int32(127)}, []byte{0x71, 0x00, 0x7e, 0x00, 0x04}},
		{"Integer 128 is not", []any{int32(128), int32(128)}, append(append([]byte{tcObject}, intDesc...), 0, 0, 0, 0x80)},
		{"Integer -128 is cached", []any{int32(-128), int32(-128)}, []byte{0x71, 0x00, 0x7e, 0x00, 0x04}},
		{"Integer -129 is not", []any{int32(-129), int32(-129)}, append(append([]byte{tcObject}, intDesc...), 0xff, 0xff, 0xff, 0x7f)},
		{"Short -1 is cached", []any{int16(-1), int16(-1)}, []byte{0x71, 0x00, 0x7e, 0x00, 0x04}},
		{"Long 0 is cached", []any{int64(0), int64(0)}, []byte{0x71, 0x00, 0x7e, 0x00, 0x04}},
		{"String is never shared", []any{"a", "a"}, []byte{tcString, 0, 1, 'a'}},
		// BigInteger -16 is the cached negConst[16]; 17 is a new object.
		{"BigInteger -16 is cached", []any{dec(-16, 0), dec(-16, 3)},
			[]byte{tcObject, 0x71, 0x00, 0x7e, 0x00, 0x02, 0, 0, 0, 3, 0x71, 0x00, 0x7e, 0x00, 0x08, tcEndBlockData}},
		{"BigInteger 17 is not", []any{dec(17, 0), dec(17, 0)},
			[]byte{tcObject, 0x71, 0x00, 0x7e, 0x00, 0x02, 0, 0, 0, 0,
				tcObject, 0x71, 0x00, 0x7e, 0x00, 0x06,
				0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe,
				0, 0, 0, 1,
				tcArray, 0x71, 0x00, 0x7e, 0x00, 0x09, 0, 0, 0, 1, 17,
				tcEndBlockData, tcEndBlockData}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first, err := Marshal(c.key[:1])
			if err != nil {
				t.Fatal(err)
			}
			both, err := Marshal(c.key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(both, c.tail) || len(both) != len(first)+len(c.tail) {
				t.Fatalf("second element: got %x, want %x", both[len(first):], c.tail)
			}
			key, err := Unmarshal(both)
			if err != nil || !equalKeys(key, c.key) {
				t.Fatalf("Unmarshal = %#v, %v", key, err)
			}
		})
	}
	// A Short and a Long of the same value are different objects.
	mixed, err := Marshal([]any{int16(1), int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	if key, err := Unmarshal(mixed); err != nil || !equalKeys(key, []any{int16(1), int64(1)}) {
		t.Fatalf("Short 1, Long 1: %#v, %v", key, err)
	}
}

// TestDecodeSharesNothing checks that a back reference decodes to a value
// of its own: changing one decoded BigDecimal leaves the other alone.
func TestDecodeSharesNothing(t *testing.T) {
	key, err := Unmarshal(readGolden(t, "bigdecimal_shared.txt"))
	if err != nil {
		t.Fatal(err)
	}
	key[0].(BigDecimal).Unscaled.SetInt64(99)
	if key[1].(BigDecimal).Unscaled.Int64() != 1 {
		t.Fatal("the two decoded BigDecimals share their unscaled value")
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, c := range []struct {
		elem any
		typ  string
	}{
		{7, "int"},
		{int8(7), "int8"},
		{uint32(7), "uint32"},
		{1.5, "float64"},
		{true, "bool"},
		{[]byte{1}, "[]uint8"},
		{&BigDecimal{Unscaled: big.NewInt(1)}, "*javaser.BigDecimal"},
		{big.NewInt(1), "*big.Int"},
		{[]any{int32(1)}, "[]interface {}"},
	} {
		_, err := Encode([]any{int32(1), c.elem})
		var ut *UnsupportedTypeError
		if !errors.As(err, &ut) || ut.Type != c.typ || ut.Index != 1 {
			t.Errorf("Encode(%#v): %v, want an UnsupportedTypeError for %s at 1", c.elem, err, c.typ)
		}
		if err != nil && !strings.Contains(err.Error(), c.typ) {
			t.Errorf("error %q does not name %s", err, c.typ)
		}
	}
	for _, elem := range []any{"bad \xff utf-8", BigDecimal{Scale: 2}} {
		if _, err := Encode([]any{elem}); err == nil {
			t.Errorf("Encode(%#v) succeeded", elem)
		}
	}
}

// streamWith returns new Object[]{…} with the given element bytes: the
// header and array of string_abc.txt, with the element count set.
func streamWith(t *testing.T, count int32, elems ...byte) []byte {
	t.Helper()
	b := stringPrefix(t)
	binary.BigEndian.PutUint32(b[len(b)-4:], uint32(count))
	return append(b, elems...)
}

// classDescBytes spells a class descriptor with no fields and the given
// flags and superclass bytes.
func classDescBytes(name string, suid int64, flags byte, rest ...byte) []byte {
	b := []byte{tcClassDesc}
	b = binary.BigEndian.AppendUint16(b, uint16(len(name)))
	b = append(b, name...)
	b = binary.BigEndian.AppendUint64(b, uint64(suid))
	b = append(b, flags)
	return append(b, rest...)
}

func TestDecodeUnsupportedClass(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	// Only the class name matters: decoding stops there.
	timestamp := classDescBytes("java.sql.Timestamp", 2745179027874758501, scSerializable, 0, 1, 'I', 0, 5, 'n', 'a', 'n', 'o', 's')
	cases := []struct {
		name  string
		elems []byte
		class string
	}{
		{"object", cat([]byte{tcObject}, timestamp), "java.sql.Timestamp"},
		{"enum", cat([]byte{tcEnum}, classDescBytes("java.time.DayOfWeek", 0, 0x12)), "java.time.DayOfWeek"},
		{"nested Object[]", cat([]byte{tcArray, 0x71, 0x00, 0x7e, 0x00, 0x00, 0, 0, 0, 0}), "[Ljava.lang.Object;"},
		{"byte[]", cat([]byte{tcArray}, classDescBytes("[B", -5984413125824719648, scSerializable, 0, 0, tcEndBlockData, tcNull), []byte{0, 0, 0, 0}), "[B"},
		{"Class", cat([]byte{tcClass}, classDescBytes("java.lang.String", -6849794470754667710, scSerializable, 0, 0, tcEndBlockData, tcNull)), "java.lang.Class"},
		{"abstract Number", cat([]byte{tcObject}, classDescBytes("java.lang.Number", -8742448824652078965, scSerializable, 0, 0, tcEndBlockData, tcNull)), "java.lang.Number"},
		{"proxy", []byte{tcObject, tcProxyClassDesc, 0, 0, 0, 0}, "dynamic proxy class"},
		{"class descriptor as element", []byte{0x71, 0x00, 0x7e, 0x00, 0x00}, "java.io.ObjectStreamClass"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Unmarshal(streamWith(t, 1, c.elems...))
			var uc *UnsupportedClassError
			if !errors.As(err, &uc) || uc.Class != c.class {
				t.Fatalf("got %v, want an UnsupportedClassError for %s", err, c.class)
			}
			if !strings.Contains(err.Error(), c.class) {
				t.Fatalf("error %q does not name %s", err, c.class)
			}
		})
	}
	// A BigInteger element: a known class, but not a supported element.
	g := readGolden(t, "bigdecimal_123_45.txt")
	var uc *UnsupportedClassError
	if _, err := Unmarshal(streamWith(t, 2, append(bytes.Clone(g[len(stringPrefix(t)):]), 0x71, 0x00, 0x7e, 0x00, 0x08)...)); !errors.As(err, &uc) || uc.Class != "java.math.BigInteger" {
		t.Fatalf("BigInteger element: %v", err)
	}
}

// TestDecodeMalformed feeds streams Java would not write, or would refuse
// to read, and checks each is an ErrMalformed.
func TestDecodeMalformed(t *testing.T) {
	integer := readGolden(t, "integer_1.txt")
	bigdec := readGolden(t, "bigdecimal_123_45.txt")
	with := func(b []byte, i int, v byte) []byte {
		c := bytes.Clone(b)
		c[i] = v
		return c
	}
	// cut returns a copy of b's first n bytes followed by tail.
	cut := func(b []byte, n int, tail ...byte) []byte {
		return append(bytes.Clone(b[:n]), tail...)
	}
	// The Object[] descriptor: name at 8, serialVersionUID at 27, flags at
	// 35, field count at 36, annotation at 38.
	// Offsets into bigdecimal_123_45.txt, from its annotations.
	bigIntSignum := bytes.Index(bigdec, []byte{0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe}) + 8
	cases := map[string]struct {
		in   []byte
		want string // in the error text
	}{
		"empty":                    {[]byte{}, "unexpected end of data"},
		"bad magic":                {[]byte{0xac, 0xee, 0, 5, tcNull}, "stream header acee"},
		"bad version":              {[]byte{0xac, 0xed, 0, 4, tcNull}, "stream header aced 0004"},
		"top-level string":         {[]byte{0xac, 0xed, 0, 5, tcString, 0, 0}, "where the key array belongs"},
		"trailing bytes":           {[]byte{0xac, 0xed, 0, 5, tcNull, tcNull}, "1 bytes after the key"},
		"trailing after array":     {cut(integer, len(integer), 0), "1 bytes after the key"},
		"negative length":          {streamWith(t, -1), "array length -1"},
		"length beyond input":      {streamWith(t, 0x7fffffff, tcNull), "array length 2147483647"},
		"wrong array class uid":    {with(integer, 34, 0x6d), "class [Ljava.lang.Object;: serialVersionUID"},
		"wrong Integer uid":        {with(integer, bytes.Index(integer, []byte{0x12, 0xe2}), 0x13), "class java.lang.Integer: serialVersionUID"},
		"wrong flags":              {with(integer, 35, 0x03), "flags 0x03, want 0x02"},
		"wrong field name":         {with(integer, bytes.Index(integer, []byte("value")), 'V'), "field I Value, want I value"},
		"wrong field code":         {with(integer, bytes.Index(integer, []byte("value"))-3, 'J'), "field J value, want I value"},
		"class annotation":         {with(integer, 38, tcNull), "annotation type code 0x70"},
		"missing superclass":       {cut(integer, bytes.Index(integer, []byte{0x72, 0x00, 0x10}), tcNull, 0, 0, 0, 1), "superclass none"},
		"unknown handle":           {streamWith(t, 1, tcObject, 0x71, 0x00, 0x7e, 0x00, 0x09), "unknown handle 0x7e0009"},
		"handle below base":        {streamWith(t, 1, tcObject, 0x71, 0x00, 0x00, 0x00, 0x00), "unknown handle 0x0"},
		"reference to array":       {streamWith(t, 1, 0x71, 0x00, 0x7e, 0x00, 0x01), "still being read"},
		"object with null desc":    {streamWith(t, 1, tcObject, tcNull), "null class descriptor"},
		"block data element":       {streamWith(t, 1, tcBlockData, 0), "type code 0x77 where a key element belongs"},
		"reset":                    {streamWith(t, 1, tcReset), "type code 0x79 where a key element belongs"},
		"end block element":        {streamWith(t, 1, tcEndBlockData), "type code 0x78 where a key element belongs"},
		"malformed utf":            {streamWith(t, 1, tcString, 0, 1, 0x80), "malformed modified UTF-8"},
		"truncated utf":            {streamWith(t, 1, tcString, 0, 2, 0xe2, 0x82), "malformed modified UTF-8"},
		"unpaired high":            {streamWith(t, 1, tcString, 0, 3, 0xed, 0xa0, 0xbd), "unpaired UTF-16 surrogate"},
		"unpaired low":             {streamWith(t, 1, tcString, 0, 3, 0xed, 0xb8, 0x80), "unpaired UTF-16 surrogate"},
		"high then ascii":          {streamWith(t, 1, tcString, 0, 4, 0xed, 0xa0, 0xbd, 'a'), "unpaired UTF-16 surrogate"},
		"long string too long":     {streamWith(t, 1, tcLongString, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'a'), "string length 9223372036854775807"},
		"long string negative":     {streamWith(t, 1, tcLongString, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'a'), "string length -1"},
		"BigInteger signum 2":      {with(bigdec, bigIntSignum+3, 2), "Invalid signum value"},
		"signum 0, magnitude":      {with(bigdec, bigIntSignum+3, 0), "signum-magnitude mismatch"},
		"BigDecimal null intVal":   {cut(bigdec, bytes.Index(bigdec, []byte{0, 0, 0, 2, tcObject})+4, tcNull, tcEndBlockData), "null intVal in stream"},
		"BigDecimal no end":        {cut(bigdec, len(bigdec)-1), "unexpected end of data"},
		"BigInteger no end marker": {cut(bigdec, len(bigdec)-2, tcNull, tcEndBlockData), "java.math.BigInteger: type code 0x70 after the fields"},
		"magnitude null":           {cut(bigdec, bigIntSignum+4, tcNull), "Magnitude not present in stream"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			key, err := Unmarshal(c.in)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Unmarshal = %#v, %v; want ErrMalformed: %s", key, err, c.want)
			}
		})
	}
	for _, s := range []string{"a", "aced00057", "aced0005zz", "aced0005\u0660\u0660", "ＡＣ"} {
		if _, err := Decode(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q): %v, want ErrMalformed", s, err)
		}
	}
}

// TestDecodeTruncated cuts every golden at every length short of its end:
// each prefix is an ErrMalformed, never a key.
func TestDecodeTruncated(t *testing.T) {
	for _, g := range goldens {
		b := readGolden(t, g.file)
		for n := range len(b) {
			if key, err := Unmarshal(b[:n]); !errors.Is(err, ErrMalformed) {
				t.Fatalf("%s cut at %d: %#v, %v", g.file, n, key, err)
			}
		}
	}
}

// TestDecodeLenientForms reads forms Java accepts though ObjectOutputStream
// never writes them for these keys: an overlong two-byte ASCII character,
// a type signature given as a reference to an earlier string, leading zero
// bytes in a BigInteger magnitude and a shared magnitude array.
func TestDecodeLenientForms(t *testing.T) {
	key, err := Unmarshal(streamWith(t, 1, tcString, 0, 2, 0xc1, 0x81))
	if err != nil || key[0] != "A" {
		t.Fatalf("overlong 'A': %#v, %v", key, err)
	}

	g := readGolden(t, "bigdecimal_123_45.txt")
	// Magnitude 00 30 39: length 3 with a leading zero.
	end := len(g) - 4
	padded := append(append(bytes.Clone(g[:end-4]), 0, 0, 0, 3, 0), g[end:]...)
	if key, err = Unmarshal(padded); err != nil || !equalKeys(key, []any{dec(12345, 2)}) {
		t.Fatalf("leading zero magnitude: %#v, %v", key, err)
	}

	// A second BigDecimal whose BigInteger is a new object with the "[B"
	// magnitude referring back to the first magnitude array (h 7e000a).
	second := []byte{tcObject, 0x71, 0x00, 0x7e, 0x00, 0x02, 0, 0, 0, 1,
		tcObject, 0x71, 0x00, 0x7e, 0x00, 0x06,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe,
		0xff, 0xff, 0xff, 0xff,
		0x71, 0x00, 0x7e, 0x00, 0x0a,
		tcEndBlockData, tcEndBlockData}
	two := append(streamWith(t, 2, g[len(stringPrefix(t)):]...), second...)
	if key, err = Unmarshal(two); err != nil || !equalKeys(key, []any{dec(12345, 2), dec(-12345, 1)}) {
		t.Fatalf("shared magnitude: %#v, %v", key, err)
	}
}
