package typemap

import (
	"bytes"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// The numeric decoders take a 64-bit path for values of up to 19 digits.
// These tests hold them to the exact big.Int arithmetic they replace: the
// same Decimal, the same VariableScaleDecimal bytes, the same errors.

// exactDecimal is numeric(p,s) decoding done wholly in big.Int.
func exactDecimal(b []byte, scale int) (*big.Int, error) {
	u, frac, err := exactNumeric(b)
	if err != nil || u == nil {
		return nil, err
	}
	switch {
	case frac < scale:
		u.Mul(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-frac)), nil))
	case frac > scale:
		q, r := new(big.Int).QuoRem(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(frac-scale)), nil), new(big.Int))
		if r.Sign() != 0 {
			return nil, fmt.Errorf("parsing numeric %q: more than %d fraction digits", b, scale)
		}
		u = q
	}
	return u, nil
}

// exactNumeric reads numeric text through big.Int's parser; nil for the
// special values.
func exactNumeric(b []byte) (*big.Int, int, error) {
	switch string(b) {
	case "NaN", "Infinity", "-Infinity":
		return nil, 0, nil
	}
	s, sign := string(b), ""
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	intPart, fracPart, _ := strings.Cut(s, ".")
	digits := intPart + fracPart
	if digits == "" || strings.Count(s, ".") > 1 || strings.Trim(digits, "0123456789") != "" {
		return nil, 0, fmt.Errorf("parsing numeric %q", b)
	}
	u, ok := new(big.Int).SetString(sign+digits, 10)
	if !ok {
		return nil, 0, fmt.Errorf("parsing numeric %q", b)
	}
	return u, len(fracPart), nil
}

// exactVariableScale strips trailing fraction zeros in big.Int.
func exactVariableScale(b []byte) (int32, []byte, bool, error) {
	u, frac, err := exactNumeric(b)
	if err != nil || u == nil {
		return 0, nil, false, err
	}
	for frac > 0 {
		q, m := new(big.Int).QuoRem(u, big.NewInt(10), new(big.Int))
		if m.Sign() != 0 {
			break
		}
		u = q
		frac--
	}
	return int32(frac), schema.BigIntBytes(u), true, nil
}

func checkNumeric(t *testing.T, text string, scale int) {
	t.Helper()
	b := []byte(text)

	want, wantErr := exactDecimal(b, scale)
	got, err := decodeDecimal(b, scale)
	if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("decodeDecimal(%q, %d) error = %v, want %v", text, scale, err, wantErr)
	}
	if err == nil {
		switch d := got.(type) {
		case nil:
			if want != nil {
				t.Fatalf("decodeDecimal(%q, %d) = nil, want %v", text, scale, want)
			}
		case schema.Decimal:
			if want == nil || d.Unscaled.Cmp(want) != 0 || d.Scale != int32(scale) {
				t.Fatalf("decodeDecimal(%q, %d) = %v scale %d, want %v", text, scale, d.Unscaled, d.Scale, want)
			}
			if d.Unscaled.Sign() == 0 && d.Unscaled.String() != "0" {
				t.Fatalf("decodeDecimal(%q, %d): zero prints as %s", text, scale, d.Unscaled)
			}
		default:
			t.Fatalf("decodeDecimal(%q, %d) = %T", text, scale, got)
		}
	}

	for _, optional := range []bool{false, true} {
		wantScale, wantBytes, wantValue, wantErr := exactVariableScale(b)
		got, err := decodeVariableScale(b, optional)
		if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("decodeVariableScale(%q) error = %v, want %v", text, err, wantErr)
		}
		if err != nil {
			continue
		}
		if !wantValue {
			if got != nil {
				t.Fatalf("decodeVariableScale(%q) = %v, want nil", text, got)
			}
			continue
		}
		st, ok := got.(*schema.Struct)
		if !ok || st.Schema != pick(vsdReq, vsdOpt, optional) || len(st.Values) != 2 {
			t.Fatalf("decodeVariableScale(%q) = %#v", text, got)
		}
		if st.Values[0] != wantScale || !bytes.Equal(st.Values[1].([]byte), wantBytes) {
			t.Fatalf("decodeVariableScale(%q) = scale %v bytes %x, want %d %x", text, st.Values[0], st.Values[1], wantScale, wantBytes)
		}
	}

	_, _, wantErr = exactNumeric(b)
	if _, err := decodeNumericString(b); (err != nil) != (wantErr != nil) {
		t.Fatalf("decodeNumericString(%q) error = %v, want %v", text, err, wantErr)
	}
}

func TestNumericMatchesExactArithmetic(t *testing.T) {
	edges := []string{
		"0", "-0", "+0", "0.00", "-0.000", ".5", "5.", "-.5", "+12.340", "007.50", "1", "-1",
		"127", "128", "-128", "-129", "255", "256", "-32768", "-32769", "32767", "32768",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"9999999999999999999", "-9999999999999999999", "999999999999999999.9", "10000000000000000000",
		"18446744073709551615", "18446744073709551616", "-18446744073709551616",
		"0.0000000000000000001", "123456789012345678901234567890.123456789",
		"1844674407370955161.5", "184467440737095516.15",
		"NaN", "Infinity", "-Infinity",
		"", "-", "+", ".", "1.2.3", "1e5", "abc", " 1", "1 ", "--1", "nan", "12,5",
	}
	for _, s := range edges {
		for _, scale := range []int{-3, -1, 0, 1, 2, 5, 18, 19, 20, 40} {
			checkNumeric(t, s, scale)
		}
	}

	// Random values around the 64-bit boundary and across scales.
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := 1 + r.IntN(24)
		var sb strings.Builder
		if r.IntN(3) == 0 {
			sb.WriteByte('-')
		}
		point := r.IntN(n + 1)
		for i := range n {
			if i == point && r.IntN(4) != 0 {
				sb.WriteByte('.')
			}
			if r.IntN(5) == 0 {
				sb.WriteByte('0') // trailing and leading zeros
			} else {
				sb.WriteByte(byte('0' + r.IntN(10)))
			}
		}
		checkNumeric(t, sb.String(), r.IntN(30)-4)
	}
}

func FuzzNumericMatchesExactArithmetic(f *testing.F) {
	for _, s := range []string{"1234.56", "-0.00", "9999999999999999999", "18446744073709551616", "NaN", "1.2.3"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, scale int) {
		if scale < -50 || scale > 50 || len(s) > 60 {
			return
		}
		checkNumeric(t, s, scale)
	})
}

func TestAppendTwosComplementMatchesBigIntBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	check := func(neg bool, mag uint64) {
		x := new(big.Int).SetUint64(mag)
		if neg {
			x.Neg(x)
		}
		want := schema.BigIntBytes(x)
		if got := appendTwosComplement(nil, neg, mag); !bytes.Equal(got, want) {
			t.Fatalf("appendTwosComplement(%v, %d) = %x, want %x", neg, mag, got, want)
		}
	}
	for shift := range 64 {
		for _, d := range []int64{-1, 0, 1} {
			m := uint64(1)<<shift + uint64(d)
			check(false, m)
			check(true, m)
		}
	}
	for range 10000 {
		m := r.Uint64() >> r.IntN(64)
		check(false, m)
		check(true, m)
	}
}
