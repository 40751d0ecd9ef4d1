package membudget

import (
	"github.com/tributary-cdc/tributary/schema"
)

// Sizes of what holds a value in memory, on a 64-bit platform: an
// interface, a string header, a slice header, a schema.Struct, and a map
// with its buckets, per map and per entry.
const (
	ifaceSize    = 16
	stringHeader = 16
	sliceHeader  = 24
	structHeader = 8 + sliceHeader
	mapHeader    = 48
	mapPerEntry  = 8 // control byte and load-factor slack, besides key and value
)

// SizeOf estimates the bytes of memory v holds, as a value stored in an
// interface: its own box (8 bytes per scalar, a string's or slice's header)
// and, for strings and byte slices, their bytes; for structs, slices and
// maps, the slots holding their elements and the elements' sizes. Values
// shared by several holders are counted in each, so the estimate errs on
// the high side.
func SizeOf(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		return stringHeader + int64(len(x))
	case []byte:
		return sliceHeader + int64(len(x))
	case *schema.Struct:
		if x == nil {
			return 0
		}
		n := structHeader + ifaceSize*int64(len(x.Values))
		for _, f := range x.Values {
			n += SizeOf(f)
		}
		return n
	case []any:
		n := sliceHeader + ifaceSize*int64(len(x))
		for _, e := range x {
			n += SizeOf(e)
		}
		return n
	case map[string]any:
		n := mapHeader + (stringHeader+ifaceSize+mapPerEntry)*int64(len(x))
		for k, e := range x {
			n += int64(len(k)) + SizeOf(e)
		}
		return n
	case map[any]any:
		n := mapHeader + (2*ifaceSize+mapPerEntry)*int64(len(x))
		for k, e := range x {
			n += SizeOf(k) + SizeOf(e)
		}
		return n
	case schema.OrderedMap:
		n := sliceHeader + (stringHeader+ifaceSize)*int64(len(x))
		for _, e := range x {
			n += int64(len(e.Key)) + SizeOf(e.Value)
		}
		return n
	case schema.OrderedPairs:
		n := sliceHeader + 2*ifaceSize*int64(len(x))
		for _, e := range x {
			n += SizeOf(e.Key) + SizeOf(e.Value)
		}
		return n
	case schema.Decimal:
		if x.Unscaled == nil {
			return 16
		}
		// The big.Int and its words.
		return 16 + 32 + int64(len(x.Unscaled.Bits()))*8
	}
	return 8
}
