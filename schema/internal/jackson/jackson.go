// Package jackson writes JSON text exactly as Kafka Connect's Jackson-based
// converters and Avro's schema writer do: Jackson's string escaping, and the
// JDK's text for doubles, floats and BigDecimals. It is where Go's
// encoding/json and strconv output differ from Java's.
package jackson

import (
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

const hexUpper = "0123456789ABCDEF"

// AppendString appends s as a JSON string escaped the way Jackson's
// generator does: '"' and '\\', the short escapes \b \t \n \f \r, every other
// control character as \u00XX (uppercase hex), and nothing else (no HTML
// escaping, non-ASCII written as UTF-8). Invalid UTF-8 becomes U+FFFD, as a
// Java string decoded from those bytes would hold.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && !wordNeedsCare(load64(s, i)) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		if !needsCare[s[i]] {
			i++
			continue
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// load64 reads 8 bytes of s from i, little-endian (one load once compiled).
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// wordNeedsCare reports whether any of the 8 bytes in x is one needsCare
// marks, using the "has a byte less than n / equal to b" bit tricks.
func wordNeedsCare(x uint64) bool {
	ctl := (x - lsb*0x20) & ^x
	q := x ^ (lsb * '"')
	quote := (q - lsb) & ^q
	bs := x ^ (lsb * '\\')
	backslash := (bs - lsb) & ^bs
	return (ctl|quote|backslash|x)&msb != 0
}

// needsCare marks the bytes AppendString cannot copy as they are: those it
// escapes and the non-ASCII bytes whose UTF-8 it checks.
var needsCare = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// Smallest normal values: below them a float has so few significant bits
// that Java may prefer a two-digit decimal to the shortest one-digit one.
const (
	minNormal64 = 0x1p-1022
	minNormal32 = 0x1p-126
)

// AppendJavaFloat appends f as Jackson writes a double (bitSize 64) or a
// float (bitSize 32): Double.toString/Float.toString (JDK 19+, shortest
// form), e.g. 1.0, 12.5, 1234567.0, 1.0E7, 0.001, 1.0E-4, 4.9E-324. NaN and
// the infinities are written as quoted strings (Jackson's default
// QUOTE_NON_NUMERIC_NUMBERS).
func AppendJavaFloat(b []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	case f == 0:
		if math.Signbit(f) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if f < 0 {
		b = append(b, '-')
		f = -f
	}
	var buf [32]byte
	digits, exp := decimalDigits(buf[:0], f, bitSize)
	if len(digits) == 1 && (bitSize == 64 && f < minNormal64 || bitSize == 32 && f < minNormal32) {
		// JDK 19+: when the shortest decimal has one digit, the closest
		// decimal with two digits wins if it also rounds to f.
		var buf2 [32]byte
		s2 := strconv.AppendFloat(buf2[:0], f, 'e', 1, bitSize)
		if g, err := strconv.ParseFloat(string(s2), bitSize); err == nil && g == f {
			digits, exp = splitExp(s2, buf[:0])
			for len(digits) > 1 && digits[len(digits)-1] == '0' {
				digits = digits[:len(digits)-1]
			}
		}
	}
	// digits d1d2…dn stand for d1.d2…dn × 10^exp.
	if exp >= -3 && exp < 7 {
		if exp < 0 {
			b = append(b, '0', '.')
			for i := exp + 1; i < 0; i++ {
				b = append(b, '0')
			}
			return append(b, digits...)
		}
		intLen := exp + 1
		if len(digits) <= intLen {
			b = append(b, digits...)
			for i := len(digits); i < intLen; i++ {
				b = append(b, '0')
			}
			return append(b, '.', '0')
		}
		b = append(b, digits[:intLen]...)
		b = append(b, '.')
		return append(b, digits[intLen:]...)
	}
	b = append(b, digits[0], '.')
	if len(digits) > 1 {
		b = append(b, digits[1:]...)
	} else {
		b = append(b, '0')
	}
	b = append(b, 'E')
	return strconv.AppendInt(b, int64(exp), 10)
}

// decimalDigits returns the shortest decimal digits of f (> 0) that round
// trip, and the exponent of the first digit.
func decimalDigits(dst []byte, f float64, bitSize int) ([]byte, int) {
	var buf [32]byte
	return splitExp(strconv.AppendFloat(buf[:0], f, 'e', -1, bitSize), dst)
}

// splitExp splits "d.ddde±xx" into the digits (appended to dst) and the exponent.
func splitExp(s, dst []byte) ([]byte, int) {
	e := 0
	for i, c := range s {
		if c == 'e' {
			e = i
			break
		}
	}
	for _, c := range s[:e] {
		if c != '.' {
			dst = append(dst, c)
		}
	}
	exp, neg := 0, false
	for _, c := range s[e+1:] {
		switch {
		case c == '-':
			neg = true
		case c >= '0' && c <= '9':
			exp = exp*10 + int(c-'0')
		}
	}
	if neg {
		exp = -exp
	}
	return dst, exp
}

// AppendBigDecimal appends unscaled × 10^-scale as Java's
// BigDecimal.toString does (what Jackson writes for a DecimalNode): plain
// notation when the scale is not negative and the adjusted exponent is at
// least -6, scientific ("1E-7", "1.23E+4") otherwise.
func AppendBigDecimal(b []byte, unscaled *big.Int, scale int32) []byte {
	var buf [40]byte
	var coeff []byte
	if unscaled.IsInt64() {
		coeff = strconv.AppendInt(buf[:0], unscaled.Int64(), 10)
	} else {
		coeff = unscaled.Append(buf[:0], 10)
	}
	if coeff[0] == '-' {
		b = append(b, '-')
		coeff = coeff[1:]
	}
	adjusted := -int64(scale) + int64(len(coeff)-1)
	switch {
	case scale == 0:
		return append(b, coeff...)
	case scale > 0 && adjusted >= -6:
		point := len(coeff) - int(scale)
		if point > 0 {
			b = append(b, coeff[:point]...)
			b = append(b, '.')
			return append(b, coeff[point:]...)
		}
		b = append(b, '0', '.')
		for ; point < 0; point++ {
			b = append(b, '0')
		}
		return append(b, coeff...)
	}
	b = append(b, coeff[0])
	if len(coeff) > 1 {
		b = append(b, '.')
		b = append(b, coeff[1:]...)
	}
	b = append(b, 'E')
	if adjusted > 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, adjusted, 10)
}
