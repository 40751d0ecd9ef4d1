package schema

import (
	"bytes"
	"math"
	"math/big"
	"reflect"
	"time"
)

// Equal reports whether a and b are equal values, as Java's Objects.equals
// is for the values Kafka Connect and Debezium hold. Kafka Connect's
// Struct.equals compares the schemas, then the values with Arrays.deepEquals,
// which calls each value's own equals:
//
//   - float64 and float32 compare as Double.equals and Float.equals, by
//     doubleToLongBits and floatToIntBits: every NaN equals every NaN, and
//     -0.0 does not equal 0.0.
//   - A Decimal compares as BigDecimal.equals: unscaled value and scale, so
//     1.0 does not equal 1.00. A *big.Int compares as BigInteger.equals.
//   - []byte compares by content, as ByteBuffer.equals (Debezium's BYTES
//     values are ByteBuffers) and Arrays.deepEquals on byte[].
//   - A *Struct compares as Struct.equals; []any as List.equals, element by
//     element; OrderedMap and map[string]any as Map.equals, in any entry
//     order, and OrderedPairs likewise with another OrderedPairs.
//   - time.Time compares as java.util.Date.equals: the same instant.
//   - Values of different types are never equal, as an Integer never equals
//     a Long, and nil equals only nil.
//
// Other types compare with reflect.DeepEqual.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, string, int8, int16, int32, int64, int:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && float64Equal(x, y)
	case float32:
		y, ok := b.(float32)
		return ok && float32Equal(x, y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.Scale == y.Scale && bigIntEqual(x.Unscaled, y.Unscaled)
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && bigIntEqual(x, y)
	case *Struct:
		y, ok := b.(*Struct)
		return ok && x.Equal(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case OrderedMap, map[string]any:
		return mapsEqual(a, b)
	case OrderedPairs:
		y, ok := b.(OrderedPairs)
		return ok && pairsEqual(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	}
	return reflect.DeepEqual(a, b)
}

// Equal reports whether st and o are equal as Kafka Connect's
// Struct.equals: equal schemas and pairwise Equal values. Nil equals only
// nil.
func (st *Struct) Equal(o *Struct) bool {
	if st == o {
		return true
	}
	if st == nil || o == nil || !st.Schema.Equal(o.Schema) || len(st.Values) != len(o.Values) {
		return false
	}
	for i := range st.Values {
		if !Equal(st.Values[i], o.Values[i]) {
			return false
		}
	}
	return true
}

// Equal reports whether s and o are equal as Kafka Connect's
// ConnectSchema.equals: type, optionality, name, version, doc, default,
// parameters (in any order), fields (index, name and schema) and the item,
// key and value schemas. Nil equals only nil.
func (s *Schema) Equal(o *Schema) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil || s.Type != o.Type || s.Optional != o.Optional || s.Name != o.Name ||
		s.Version != o.Version || s.Doc != o.Doc || len(s.Params) != len(o.Params) || len(s.Fields) != len(o.Fields) {
		return false
	}
	for _, p := range s.Params {
		if v, ok := o.Param(p.Key); !ok || v != p.Value {
			return false
		}
	}
	for i := range s.Fields {
		f, g := &s.Fields[i], &o.Fields[i]
		if f.Index != g.Index || f.Name != g.Name || !f.Schema.Equal(g.Schema) {
			return false
		}
	}
	if !s.Items.Equal(o.Items) || !s.Keys.Equal(o.Keys) || !s.Values.Equal(o.Values) {
		return false
	}
	return defaultsEqual(s, o)
}

// defaultsEqual compares the defaults of s and o; no default is a null one,
// as in Java. A struct default that is a value of its own schema is compared
// by its values only: its schema is the one being compared.
func defaultsEqual(s, o *Schema) bool {
	var a, b any
	if s.HasDefault {
		a = s.Default
	}
	if o.HasDefault {
		b = o.Default
	}
	x, xok := a.(*Struct)
	y, yok := b.(*Struct)
	if xok && yok && x != nil && y != nil && x.Schema == s && y.Schema == o {
		return Equal(x.Values, y.Values)
	}
	return Equal(a, b)
}

func float64Equal(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	return math.Float64bits(x) == math.Float64bits(y)
}

func float32Equal(x, y float32) bool {
	if x != x || y != y { // NaN
		return x != x && y != y
	}
	return math.Float32bits(x) == math.Float32bits(y)
}

func bigIntEqual(x, y *big.Int) bool {
	if x == nil || y == nil {
		return x == y
	}
	return x.Cmp(y) == 0
}

// mapsEqual compares two string-keyed MAP values as Java's Map.equals: the
// same keys, each with Equal values, whatever the entry order. a is an
// OrderedMap or a map[string]any.
func mapsEqual(a, b any) bool {
	switch y := b.(type) {
	case OrderedMap:
		if x, ok := a.(OrderedMap); ok && sameOrder(x, y) {
			return true
		}
		m := make(map[string]any, len(y))
		for _, e := range y {
			m[e.Key] = e.Value
		}
		if len(m) != len(y) { // a repeated key: no Java map holds one
			return false
		}
		return mapsEqual(a, m)
	case map[string]any:
		switch x := a.(type) {
		case OrderedMap:
			seen := make(map[string]struct{}, len(x))
			for _, e := range x {
				seen[e.Key] = struct{}{}
				if v, ok := y[e.Key]; !ok || !Equal(e.Value, v) {
					return false
				}
			}
			return len(seen) == len(x) && len(x) == len(y)
		case map[string]any:
			if len(x) != len(y) {
				return false
			}
			for k, e := range x {
				if v, ok := y[k]; !ok || !Equal(e, v) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// sameOrder reports whether x and y hold equal entries in the same order,
// as two decodings of one value do.
func sameOrder(x, y OrderedMap) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i].Key != y[i].Key || !Equal(x[i].Value, y[i].Value) {
			return false
		}
	}
	return true
}

// pairsEqual compares two OrderedPairs as Map.equals: the same keys, each
// with Equal values, whatever the entry order.
func pairsEqual(x, y OrderedPairs) bool {
	if len(x) != len(y) {
		return false
	}
	for _, a := range x {
		found := false
		for _, b := range y {
			if Equal(a.Key, b.Key) {
				found = Equal(a.Value, b.Value)
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
