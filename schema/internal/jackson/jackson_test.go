package jackson

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"unicode/utf8"
)

// Expected strings are what Java 19+ Double.toString / Float.toString print
// (the JDK's documented shortest-decimal algorithm), which Jackson writes.
func TestJavaDouble(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{1, "1.0"},
		{12.5, "12.5"},
		{-2.5, "-2.5"},
		{100, "100.0"},
		{0.1, "0.1"},
		{tenth + fifth, "0.30000000000000004"},
		{1234567, "1234567.0"},
		{9999999, "9999999.0"},
		{1e7, "1.0E7"},
		{12345678, "1.2345678E7"},
		{1e10, "1.0E10"},
		{1e21, "1.0E21"},
		{1e23, "1.0E23"},
		{0.001, "0.001"},
		{0.0015, "0.0015"},
		{1e-4, "1.0E-4"},
		{1.5e-7, "1.5E-7"},
		{123456.789, "123456.789"},
		{math.MaxFloat64, "1.7976931348623157E308"},
		{0x1p-1022, "2.2250738585072014E-308"},
		{math.SmallestNonzeroFloat64, "4.9E-324"},
		{2 * math.SmallestNonzeroFloat64, "9.9E-324"},
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"Infinity"`},
		{math.Inf(-1), `"-Infinity"`},
	} {
		if got := string(AppendJavaFloat(nil, tc.f, 64)); got != tc.want {
			t.Errorf("double %v: got %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestJavaFloat(t *testing.T) {
	for _, tc := range []struct {
		f    float32
		want string
	}{
		{1, "1.0"},
		{1.1, "1.1"},
		{1.5, "1.5"},
		{0.1, "0.1"},
		{3.14159, "3.14159"},
		{16777216, "1.6777216E7"},
		{1e10, "1.0E10"},
		{math.MaxFloat32, "3.4028235E38"},
		{math.SmallestNonzeroFloat32, "1.4E-45"},
		{-0.001, "-0.001"},
	} {
		if got := string(AppendJavaFloat(nil, float64(tc.f), 32)); got != tc.want {
			t.Errorf("float %v: got %s, want %s", tc.f, got, tc.want)
		}
	}
}

func TestJacksonStringEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\t\r\b\f", `"\n\t\r\b\f"`},
		{"\x00\x01\x1f", `"\u0000\u0001\u001F"`},
		{"\x7f", "\"\x7f\""},
		{"/<>&'", `"/<>&'"`},
		{"é€😀\u2028\u2029", "\"é€😀\u2028\u2029\""},
		{"a\xffb", "\"a\uFFFDb\""},
		{`["24023040","24023128"]`, `"[\"24023040\",\"24023128\"]"`},
	} {
		if got := string(AppendString(nil, tc.in)); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// BigDecimal.toString, what Jackson writes under decimal.format=NUMERIC.
func TestBigDecimalString(t *testing.T) {
	ten30, _ := new(big.Int).SetString("1000000000000000000000000000000", 10)
	for _, tc := range []struct {
		unscaled *big.Int
		scale    int32
		want     string
	}{
		{big.NewInt(1250), 2, "12.50"},
		{big.NewInt(0), 0, "0"},
		{big.NewInt(0), 2, "0.00"},
		{big.NewInt(-5), 1, "-0.5"},
		{big.NewInt(1), 6, "0.000001"},
		{big.NewInt(1), 7, "1E-7"},
		{big.NewInt(12345), 10, "0.0000012345"},
		{big.NewInt(12345), 11, "1.2345E-7"},
		{big.NewInt(123), -2, "1.23E+4"},
		{big.NewInt(5), -1, "5E+1"},
		{big.NewInt(-123456789), 3, "-123456.789"},
		{ten30, 0, "1000000000000000000000000000000"},
		{ten30, 31, "0.1000000000000000000000000000000"},
	} {
		if got := string(AppendBigDecimal(nil, tc.unscaled, tc.scale)); got != tc.want {
			t.Errorf("%s scale %d: got %s, want %s", tc.unscaled, tc.scale, got, tc.want)
		}
	}
}

// BigInteger.toByteArray: minimal big-endian two's complement.

// naiveEscape is appendString written the plain way, one rune at a time.
func naiveEscape(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r) // RuneError for invalid bytes writes U+FFFD
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestAppendStringEveryPosition puts each kind of special byte at every
// offset of strings long enough to take the 8-byte fast path.
func TestAppendStringEveryPosition(t *testing.T) {
	specials := []string{"\x00", "\x1f", "\x20", `"`, `\`, "\x7f", "\x80", "\xff", "é", "😀", "\u2028", "\\\"", "\xe2\x82"}
	for _, sp := range specials {
		for n := 0; n <= 24; n++ {
			for pos := 0; pos <= n; pos++ {
				s := strings.Repeat("a", pos) + sp + strings.Repeat("b", n-pos)
				if got, want := string(AppendString(nil, s)), naiveEscape(s); got != want {
					t.Fatalf("%q: got %s, want %s", s, got, want)
				}
			}
		}
	}
	// Every byte value on its own and inside a long run.
	for c := range 256 {
		s := strings.Repeat("x", 9) + string([]byte{byte(c)}) + strings.Repeat("y", 9)
		if got, want := string(AppendString(nil, s)), naiveEscape(s); got != want {
			t.Fatalf("byte %#x: got %s, want %s", c, got, want)
		}
	}
}
