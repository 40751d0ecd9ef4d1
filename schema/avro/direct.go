package avro

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"

	"github.com/linkedin/goavro/v2"

	"github.com/tributary-cdc/tributary/schema"
)

// The direct encoder writes Avro binary straight from a Connect value,
// walking the Connect schema the writer schema was derived from (schemaText).
// It produces the bytes goavro produces for the same value (golden and
// property tests compare the two), without goavro's intermediate maps. It
// is used only when the writer schema is the derived one; a registered
// schema taken as is (use.latest.version) goes through goavro.

// appendDirect appends the encoding of v under s, a union with null when s
// is optional.
func (c *Codec) appendDirect(b []byte, s *schema.Schema, v any) ([]byte, error) {
	if v == nil {
		switch {
		case c.useDefaultForNull && hasDefault(s):
			v = s.Default
		case s.Optional:
			// ["null",T] has null at index 0; [T,"null"] (a default) at 1.
			if hasDefault(s) {
				return append(b, 0x02), nil
			}
			return append(b, 0x00), nil
		default:
			return b, fmt.Errorf("found null value for non-optional %s schema", s.Type)
		}
	}
	if s.Optional {
		if hasDefault(s) {
			b = append(b, 0x00)
		} else {
			b = append(b, 0x02)
		}
	}
	return c.appendDirectBase(b, s, v)
}

func (c *Codec) appendDirectBase(b []byte, s *schema.Schema, v any) ([]byte, error) {
	switch s.Name {
	case schema.DecimalName:
		if s.Type == schema.TypeBytes {
			u, err := decimalUnscaled(s, v)
			if err != nil {
				return b, err
			}
			return appendTwosComplement(b, u), nil
		}
	case schema.DateName, schema.TimeName:
		if s.Type == schema.TypeInt32 {
			n, err := temporal(s, v)
			if err != nil {
				return b, err
			}
			return binary.AppendVarint(b, int64(int32(n))), nil
		}
	case schema.TimestampName:
		if s.Type == schema.TypeInt64 {
			n, err := temporal(s, v)
			if err != nil {
				return b, err
			}
			return binary.AppendVarint(b, n), nil
		}
	}
	switch s.Type {
	case schema.TypeInt8:
		if x, ok := v.(int8); ok {
			return binary.AppendVarint(b, int64(x)), nil
		}
	case schema.TypeInt16:
		if x, ok := v.(int16); ok {
			return binary.AppendVarint(b, int64(x)), nil
		}
	case schema.TypeInt32:
		if x, ok := v.(int32); ok {
			return binary.AppendVarint(b, int64(x)), nil
		}
	case schema.TypeInt64:
		if x, ok := v.(int64); ok {
			return binary.AppendVarint(b, x), nil
		}
	case schema.TypeFloat32:
		if x, ok := v.(float32); ok {
			return binary.LittleEndian.AppendUint32(b, math.Float32bits(x)), nil
		}
	case schema.TypeFloat64:
		if x, ok := v.(float64); ok {
			return binary.LittleEndian.AppendUint64(b, math.Float64bits(x)), nil
		}
	case schema.TypeBoolean:
		if x, ok := v.(bool); ok {
			if x {
				return append(b, 1), nil
			}
			return append(b, 0), nil
		}
	case schema.TypeString:
		if x, ok := v.(string); ok {
			b = binary.AppendVarint(b, int64(len(x)))
			return append(b, x...), nil
		}
	case schema.TypeBytes:
		if x, ok := v.([]byte); ok {
			b = binary.AppendVarint(b, int64(len(x)))
			return append(b, x...), nil
		}
	case schema.TypeStruct:
		if x, ok := v.(*schema.Struct); ok && x != nil {
			return c.appendDirectStruct(b, s, x)
		}
	case schema.TypeArray:
		if x, ok := v.([]any); ok {
			return c.appendDirectArray(b, s, x)
		}
	case schema.TypeMap:
		return c.appendDirectMap(b, s, v)
	default:
		return b, fmt.Errorf("unsupported schema type %s", s.Type)
	}
	return b, fmt.Errorf("invalid Go type %T for %s schema %q", v, s.Type, s.Name)
}

func (c *Codec) appendDirectStruct(b []byte, s *schema.Schema, st *schema.Struct) ([]byte, error) {
	if st.Schema != s && (st.Schema == nil || len(st.Schema.Fields) != len(s.Fields)) {
		return b, errors.New("struct value does not match its schema")
	}
	if len(st.Values) != len(s.Fields) {
		return b, fmt.Errorf("struct value has %d values for %d fields", len(st.Values), len(s.Fields))
	}
	var err error
	for i, f := range s.Fields {
		if b, err = c.appendDirect(b, f.Schema, st.Values[i]); err != nil {
			return b, fmt.Errorf("field %q: %w", f.Name, err)
		}
	}
	return b, nil
}

// appendDirectArray writes the items in blocks of at most
// goavro.MaxBlockCount, as goavro does, then the closing empty block.
func (c *Codec) appendDirectArray(b []byte, s *schema.Schema, items []any) ([]byte, error) {
	var err error
	for i, item := range items {
		if int64(i)%goavro.MaxBlockCount == 0 {
			b = binary.AppendVarint(b, min(int64(len(items)-i), goavro.MaxBlockCount))
		}
		if b, err = c.appendDirect(b, s.Items, item); err != nil {
			return b, fmt.Errorf("array element %d: %w", i, err)
		}
	}
	return append(b, 0), nil
}

// appendDirectMap writes an Avro map (string keys) or an array of MapEntry
// records (other keys). Entries are written in key order where keys are
// strings (Avro gives map order no meaning), an OrderedMap in its order.
func (c *Codec) appendDirectMap(b []byte, s *schema.Schema, v any) ([]byte, error) {
	type entry struct {
		k any
		v any
	}
	var entries []entry
	switch m := v.(type) {
	case schema.OrderedMap:
		entries = make([]entry, len(m))
		for i, en := range m {
			entries[i] = entry{en.Key, en.Value}
		}
	case map[string]any:
		entries = make([]entry, 0, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			entries = append(entries, entry{k, m[k]})
		}
	case map[string]string:
		entries = make([]entry, 0, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			entries = append(entries, entry{k, m[k]})
		}
	case schema.OrderedPairs:
		entries = make([]entry, len(m))
		for i, en := range m {
			entries[i] = entry{en.Key, en.Value}
		}
	case map[any]any:
		entries = make([]entry, 0, len(m))
		for k, x := range m {
			entries = append(entries, entry{k, x})
		}
		slices.SortFunc(entries, func(a, b entry) int { return compareKeys(a.k, b.k) })
	default:
		return b, fmt.Errorf("invalid Go type %T for map schema", v)
	}
	stringKeys := s.Keys.Type == schema.TypeString && !s.Keys.Optional
	var err error
	for i, e := range entries {
		if int64(i)%goavro.MaxBlockCount == 0 {
			b = binary.AppendVarint(b, min(int64(len(entries)-i), goavro.MaxBlockCount))
		}
		if stringKeys {
			ks, ok := e.k.(string)
			if !ok {
				return b, fmt.Errorf("map key of Go type %T in a string-keyed map", e.k)
			}
			b = binary.AppendVarint(b, int64(len(ks)))
			b = append(b, ks...)
			if b, err = c.appendDirect(b, s.Values, e.v); err != nil {
				return b, fmt.Errorf("map value %q: %w", ks, err)
			}
			continue
		}
		if b, err = c.appendDirect(b, s.Keys, e.k); err != nil {
			return b, fmt.Errorf("map key: %w", err)
		}
		if b, err = c.appendDirect(b, s.Values, e.v); err != nil {
			return b, fmt.Errorf("map value: %w", err)
		}
	}
	return append(b, 0), nil
}

// compareKeys orders map keys of any type: numbers by value, strings
// lexically, anything else by its printed form.
func compareKeys(a, b any) int {
	if x, ok := keyInt(a); ok {
		if y, ok := keyInt(b); ok {
			return cmp.Compare(x, y)
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func keyInt(k any) (int64, bool) {
	switch x := k.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// appendTwosComplement writes n as Avro bytes holding its shortest
// big-endian two's-complement form (twosComplement), without allocating
// when n fits in an int64.
func appendTwosComplement(b []byte, n *big.Int) []byte {
	if !n.IsInt64() {
		tc := schema.BigIntBytes(n)
		b = binary.AppendVarint(b, int64(len(tc)))
		return append(b, tc...)
	}
	x := n.Int64()
	size := 1
	for size < 8 && (x < -(1<<(8*size-1)) || x >= 1<<(8*size-1)) {
		size++
	}
	b = binary.AppendVarint(b, int64(size))
	for i := size - 1; i >= 0; i-- {
		b = append(b, byte(x>>(8*i)))
	}
	return b
}
