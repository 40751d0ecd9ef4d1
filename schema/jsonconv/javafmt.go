package jsonconv

import (
	"encoding/binary"
	"math/big"

	"github.com/tributary-cdc/tributary/schema"
)

// appendUnscaledBase64 appends the quoted base64 of x's minimal big-endian
// two's-complement bytes, as BigInteger.toByteArray gives them.
func appendUnscaledBase64(b []byte, x *big.Int) []byte {
	if x.IsInt64() {
		var tmp [8]byte
		binary.BigEndian.PutUint64(tmp[:], uint64(x.Int64()))
		i := 0
		for i < 7 && (tmp[i] == 0 && tmp[i+1]&0x80 == 0 || tmp[i] == 0xFF && tmp[i+1]&0x80 != 0) {
			i++
		}
		return appendBase64(b, tmp[i:])
	}
	return appendBase64(b, schema.BigIntBytes(x))
}
