package transforms

import (
	"fmt"
	"math"
	"math/big"
	"time"
	"unicode/utf16"

	"github.com/tributary-cdc/tributary/schema"
)

// javaHashCode is Object.hashCode of the Java value Kafka Connect holds for
// v: String, Integer, Long, Short, Byte, Boolean, Float, Double,
// ByteBuffer (Debezium's BYTES values), BigDecimal, BigInteger,
// java.util.Date and List. Structs and maps, whose hash codes depend on
// Kafka Connect's schema classes, are refused.
func javaHashCode(v any) (int32, error) {
	switch x := v.(type) {
	case string:
		var h int32
		for _, u := range utf16.Encode([]rune(x)) {
			h = 31*h + int32(u)
		}
		return h, nil
	case int32:
		return x, nil
	case int64:
		return int32(x ^ int64(uint64(x)>>32)), nil
	case int16:
		return int32(x), nil
	case int8:
		return int32(x), nil
	case bool:
		if x {
			return 1231, nil
		}
		return 1237, nil
	case float32:
		if x != x {
			return 0x7fc00000, nil
		}
		return int32(math.Float32bits(x)), nil
	case float64:
		bits := int64(0x7ff8000000000000)
		if x == x {
			bits = int64(math.Float64bits(x))
		}
		return int32(bits ^ int64(uint64(bits)>>32)), nil
	case []byte:
		// ByteBuffer.hashCode: from the last byte to the first.
		h := int32(1)
		for i := len(x) - 1; i >= 0; i-- {
			h = 31*h + int32(int8(x[i]))
		}
		return h, nil
	case schema.Decimal:
		return 31*bigIntegerHash(x.Unscaled) + x.Scale, nil
	case *big.Int:
		return bigIntegerHash(x), nil
	case time.Time:
		ms := x.UnixMilli()
		return int32(ms) ^ int32(ms>>32), nil
	case []any:
		h := int32(1)
		for _, e := range x {
			var eh int32
			if e != nil {
				var err error
				if eh, err = javaHashCode(e); err != nil {
					return 0, err
				}
			}
			h = 31*h + eh
		}
		return h, nil
	}
	return 0, fmt.Errorf("the Java hash code of a %T value is not supported", v)
}

// bigIntegerHash is BigInteger.hashCode: the magnitude's 32-bit words, most
// significant first, times the sign.
func bigIntegerHash(b *big.Int) int32 {
	if b == nil {
		return 0
	}
	mag := new(big.Int).Abs(b).Bytes()
	// Pad to whole 32-bit words.
	if pad := (4 - len(mag)%4) % 4; pad > 0 {
		mag = append(make([]byte, pad), mag...)
	}
	var h int32
	for i := 0; i < len(mag); i += 4 {
		w := int32(uint32(mag[i])<<24 | uint32(mag[i+1])<<16 | uint32(mag[i+2])<<8 | uint32(mag[i+3]))
		h = 31*h + w
	}
	return h * int32(b.Sign())
}

// murmurHash is Debezium's MurmurHash3.hash(Object) (io.debezium.util):
// the x64 64-bit variant with seed 9001, its upper 32 bits. Strings are
// hashed over their UTF-8 bytes, other values over the four bytes of
// their Java hash code. Debezium's BYTES values are ByteBuffers, which are hashed by
// hash code, so []byte is too.
func murmurHash(v any) (int32, error) {
	if s, ok := v.(string); ok {
		return int32(uint64(murmur64(javaUTF8(s), 9001)) >> 32), nil
	}
	h, err := javaHashCode(v)
	if err != nil {
		return 0, err
	}
	b := uint32(h)
	return int32(uint64(murmur64([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)}, 9001)) >> 32), nil
}

// javaUTF8 is the UTF-8 MurmurHash3_x64_64_String walks a Java string
// into. A Go string holds no unpaired surrogate (Debezium's '?'); bytes
// that are not UTF-8 are read as U+FFFD, as a Java string decoded from
// them would hold.
func javaUTF8(s string) []byte { return []byte(string([]rune(s))) }

// murmur64 is MurmurHash3.MurmurHash3_x64_64(byte[], seed), with Java's
// sign-extending byte reads in the tail.
func murmur64(key []byte, seed int64) int64 {
	var st murmurState
	st.h1 = -7824752305899900300 ^ seed // 0x9368e53c2f6af274
	st.h2 = 0x586dcd208f7cd3fd ^ seed
	st.c1 = -8663945395140668459 // 0x87c37b91114253d5
	st.c2 = 0x4cf5ad432745937f
	block := func(i int) int64 {
		var v uint64
		for j := 7; j >= 0; j-- {
			v = v<<8 | uint64(key[i+j])
		}
		return int64(v)
	}
	n := len(key)
	for i := 0; i < n/16; i++ {
		st.k1 = block(i * 16)
		st.k2 = block(i*16 + 8)
		st.bmix()
	}
	st.k1, st.k2 = 0, 0
	tail := n >> 4 << 4
	sx := func(i int) int64 { return int64(int8(key[tail+i])) }
	rest := n & 15
	for i := rest - 1; i >= 8; i-- {
		st.k2 ^= sx(i) << (8 * (i - 8))
	}
	for i := min(rest, 8) - 1; i >= 0; i-- {
		st.k1 ^= sx(i) << (8 * i)
	}
	if rest > 0 {
		st.bmix()
	}
	st.h2 ^= int64(n)
	st.h1 += st.h2
	st.h2 += st.h1
	st.h1 = fmix(st.h1)
	st.h2 = fmix(st.h2)
	st.h1 += st.h2
	return st.h1
}

type murmurState struct{ h1, h2, k1, k2, c1, c2 int64 }

func rotl(x int64, r uint) int64 { return int64(uint64(x)<<r | uint64(x)>>(64-r)) }

func (s *murmurState) bmix() {
	s.k1 *= s.c1
	s.k1 = rotl(s.k1, 23)
	s.k1 *= s.c2
	s.h1 ^= s.k1
	s.h1 += s.h2
	s.h2 = rotl(s.h2, 41)
	s.k2 *= s.c2
	s.k2 = rotl(s.k2, 23)
	s.k2 *= s.c1
	s.h2 ^= s.k2
	s.h2 += s.h1
	s.h1 = s.h1*3 + 0x52dce729
	s.h2 = s.h2*3 + 0x38495ab5
	s.c1 = s.c1*5 + 0x7b7d159c
	s.c2 = s.c2*5 + 0x6bce6396
}

func fmix(k int64) int64 {
	u := uint64(k)
	u ^= u >> 33
	u *= 0xff51afd7ed558ccd
	u ^= u >> 33
	u *= 0xc4ceb9fe1a85ec53
	u ^= u >> 33
	return int64(u)
}
