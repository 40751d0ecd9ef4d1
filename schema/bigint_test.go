package schema

import (
	"bytes"
	"math/big"
	"testing"
)

func TestBigIntBytesMatchesJava(t *testing.T) {
	// Expected bytes are BigInteger.valueOf(n).toByteArray().
	cases := []struct {
		n    int64
		want []byte
	}{
		{0, []byte{0x00}}, {1, []byte{0x01}}, {-1, []byte{0xff}}, {127, []byte{0x7f}}, {128, []byte{0x00, 0x80}},
		{-128, []byte{0x80}}, {-129, []byte{0xff, 0x7f}}, {255, []byte{0x00, 0xff}}, {256, []byte{0x01, 0x00}},
		{1250, []byte{0x04, 0xe2}}, {-32768, []byte{0x80, 0x00}}, {-32769, []byte{0xff, 0x7f, 0xff}},
	}
	for _, tc := range cases {
		got := BigIntBytes(big.NewInt(tc.n))
		if !bytes.Equal(got, tc.want) {
			t.Errorf("BigIntBytes(%d) = % x, want % x", tc.n, got, tc.want)
		}
		if back := BigIntFromBytes(tc.want); back.Int64() != tc.n {
			t.Errorf("BigIntFromBytes(% x) = %s, want %d", tc.want, back, tc.n)
		}
	}
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	if back := BigIntFromBytes(BigIntBytes(huge)); back.Cmp(huge) != 0 {
		t.Errorf("round trip of %s = %s", huge, back)
	}
}
