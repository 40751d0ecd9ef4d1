package javaser

import (
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzUnmarshal checks the decoder at the trust boundary (offsets come from
// Kafka): arbitrary bytes never panic, every failure is an ErrMalformed or
// an UnsupportedClassError, and whatever decodes encodes again and decodes
// to the same key. The seeds are the goldens and their hex forms are fed
// through Decode too.
func FuzzUnmarshal(f *testing.F) {
	for _, g := range goldens {
		f.Add(readGolden(f, g.file))
	}
	f.Add([]byte{0xac, 0xed, 0x00, 0x05, tcArray, 0x71, 0x00, 0x7e, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		key, err := Unmarshal(in)
		if err != nil {
			var uc *UnsupportedClassError
			if !errors.Is(err, ErrMalformed) && !errors.As(err, &uc) {
				t.Fatalf("error of an unexpected kind: %v", err)
			}
			return
		}
		viaHex, err := Decode(hex.EncodeToString(in))
		if err != nil || !equalKeys(viaHex, key) {
			t.Fatalf("Decode of the same bytes in hex: %#v, %v", viaHex, err)
		}
		out, err := Marshal(key)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", key, err)
		}
		again, err := Unmarshal(out)
		if err != nil || !equalKeys(again, key) {
			t.Fatalf("round trip of %#v: %#v, %v", key, again, err)
		}
	})
}
