package jsonconv

import (
	"encoding/base64"
	"math"
	"math/big"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// TestUnscaledBytes checks the base64 of BigInteger.toByteArray, including
// the int64 fast path's edges.
func TestUnscaledBytes(t *testing.T) {
	big63 := new(big.Int).Lsh(big.NewInt(1), 63)
	minus63 := new(big.Int).Neg(big63)
	minus63m1 := new(big.Int).Sub(minus63, big.NewInt(1))
	for _, tc := range []struct {
		x    *big.Int
		want []byte
	}{
		{big.NewInt(1250), []byte{0x04, 0xE2}},
		{big.NewInt(1234), []byte{0x04, 0xD2}},
		{big.NewInt(0), []byte{0x00}},
		{big.NewInt(-1), []byte{0xFF}},
		{big.NewInt(127), []byte{0x7F}},
		{big.NewInt(128), []byte{0x00, 0x80}},
		{big.NewInt(-128), []byte{0x80}},
		{big.NewInt(-129), []byte{0xFF, 0x7F}},
		{big.NewInt(math.MaxInt64), []byte{0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
		{big63, []byte{0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}},
		{minus63, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}},
		{minus63m1, []byte{0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
	} {
		want := `"` + base64.StdEncoding.EncodeToString(tc.want) + `"`
		if got := string(appendUnscaledBase64(nil, tc.x)); got != want {
			t.Errorf("%s: got %s, want %s", tc.x, got, want)
		}
		if got := string(appendBase64(nil, schema.BigIntBytes(tc.x))); got != want {
			t.Errorf("%s (big path): got %s, want %s", tc.x, got, want)
		}
		if back := schema.BigIntFromBytes(tc.want); back.Cmp(tc.x) != 0 {
			t.Errorf("%x: decoded %s, want %s", tc.want, back, tc.x)
		}
	}
	// The reference's examples.
	for x, want := range map[int64]string{1250: `"BOI="`, 0: `"AA=="`, -1: `"/w=="`, 1234: `"BNI="`} {
		if got := string(appendUnscaledBase64(nil, big.NewInt(x))); got != want {
			t.Errorf("%d: got %s, want %s", x, got, want)
		}
	}
}
