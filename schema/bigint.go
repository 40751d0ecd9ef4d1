package schema

import "math/big"

// BigIntBytes returns Java's BigInteger.toByteArray of x: the shortest
// big-endian two's-complement encoding. It is how Connect's Decimal logical
// type stores an unscaled value (and Avro's decimal, and Debezium's
// VariableScaleDecimal).
func BigIntBytes(x *big.Int) []byte {
	switch x.Sign() {
	case 0:
		return []byte{0}
	case 1:
		b := x.Bytes()
		if b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// -x = ~(x-1): take |x|-1 and invert every byte.
	m := new(big.Int).Neg(x)
	m.Sub(m, big.NewInt(1))
	b := m.Bytes()
	for i := range b {
		b[i] = ^b[i]
	}
	if len(b) == 0 || b[0]&0x80 == 0 {
		b = append([]byte{0xff}, b...)
	}
	return b
}

// BigIntFromBytes is Java's new BigInteger(b): b is big-endian two's
// complement. An empty b is zero.
func BigIntFromBytes(b []byte) *big.Int {
	x := new(big.Int)
	if len(b) == 0 || b[0]&0x80 == 0 {
		return x.SetBytes(b)
	}
	inv := make([]byte, len(b))
	for i, c := range b {
		inv[i] = ^c
	}
	x.SetBytes(inv)
	x.Add(x, big.NewInt(1))
	return x.Neg(x)
}
