package schema

import (
	"math"
	"math/big"
	"testing"
	"time"
)

// TestEqualMatchesJava checks Equal against what Java's equals answers for
// the same Kafka Connect values (Double.equals, BigDecimal.equals,
// ByteBuffer.equals, Struct.equals, List.equals, Map.equals).
func TestEqualMatchesJava(t *testing.T) {
	negZero := math.Copysign(0, -1)
	// A NaN with another payload: doubleToLongBits collapses every NaN.
	otherNaN := math.Float64frombits(0x7ff8000000000001)
	point := StructOf("point", true, NewField("x", Float64Schema), NewField("wkb", OptionalBytesSchema))
	samePoint := StructOf("point", true, NewField("x", Float64Schema), NewField("wkb", OptionalBytesSchema))
	otherPoint := StructOf("other", true, NewField("x", Float64Schema), NewField("wkb", OptionalBytesSchema))
	row := StructOf("row", false, NewField("p", point), NewField("a", &Schema{Type: TypeArray, Items: Float64Schema}))
	dec := func(unscaled int64, scale int32) Decimal {
		return Decimal{Unscaled: big.NewInt(unscaled), Scale: scale}
	}
	nested := func(x float64, wkb any, items ...any) *Struct {
		return &Struct{Schema: row, Values: []any{&Struct{Schema: point, Values: []any{x, wkb}}, items}}
	}
	instant := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

	cases := []struct {
		name string
		a, b any
		want bool
	}{
		{"NaN equals NaN", math.NaN(), math.NaN(), true},
		{"NaNs of any payload are equal", math.NaN(), otherNaN, true},
		{"NaN is not a number", math.NaN(), 0.0, false},
		{"float32 NaN equals NaN", float32(math.NaN()), float32(math.NaN()), true},
		{"-0.0 is not 0.0", negZero, 0.0, false},
		{"-0.0 equals -0.0", negZero, negZero, true},
		{"float32 -0.0 is not 0.0", float32(negZero), float32(0), false},
		{"infinities", math.Inf(1), math.Inf(1), true},
		{"+Inf is not -Inf", math.Inf(1), math.Inf(-1), false},
		{"float32 is not float64", float32(1), 1.0, false},
		{"int32 is not int64", int32(1), int64(1), false},
		{"int16", int16(7), int16(7), true},
		{"strings", "a", "a", true},
		{"booleans differ", true, false, false},

		{"decimal scale matters: 1.0 vs 1.00", dec(10, 1), dec(100, 2), false},
		{"decimal 1.00 vs 1.00", dec(100, 2), Decimal{Unscaled: new(big.Int).SetBytes([]byte{100}), Scale: 2}, true},
		{"decimal zero however its words are held", Decimal{Unscaled: new(big.Int)}, Decimal{Unscaled: new(big.Int).SetBits([]big.Word{})}, true},
		{"decimal value differs", dec(-1, 0), dec(1, 0), false},
		{"big integers by value", big.NewInt(42), new(big.Int).SetInt64(42), true},

		{"bytes by content", []byte{1, 2}, []byte{1, 2}, true},
		{"bytes differ", []byte{1, 2}, []byte{1, 3}, false},
		{"bytes are not a string", []byte("a"), "a", false},

		{"nil equals nil", nil, nil, true},
		{"nil is not zero", nil, int64(0), false},
		{"zero is not nil", int64(0), nil, false},
		{"nil is not empty bytes", nil, []byte{}, false},
		{"nil is not a struct", nil, nested(1, nil), false},
		{"nil struct is not a struct", (*Struct)(nil), nested(1, nil), false},

		{"nested struct with NaN and bytes", nested(math.NaN(), []byte{9}, math.NaN()), nested(math.NaN(), []byte{9}, math.NaN()), true},
		{"nested struct: -0.0 in a list", nested(1, nil, negZero), nested(1, nil, 0.0), false},
		{"nested struct: bytes differ", nested(1, []byte{1}), nested(1, []byte{2}), false},
		{"nested struct: null field vs value", nested(1, nil), nested(1, []byte{}), false},
		{"lists of different length", []any{1.0}, []any{1.0, 2.0}, false},
		{"structurally equal schemas", &Struct{Schema: point, Values: []any{1.0, nil}}, &Struct{Schema: samePoint, Values: []any{1.0, nil}}, true},
		{"different schemas", &Struct{Schema: point, Values: []any{1.0, nil}}, &Struct{Schema: otherPoint, Values: []any{1.0, nil}}, false},

		{"maps in another order", OrderedMap{{"a", "1"}, {"b", math.NaN()}}, OrderedMap{{"b", math.NaN()}, {"a", "1"}}, true},
		{"ordered and plain map", OrderedMap{{"a", "1"}, {"b", nil}}, map[string]any{"b": nil, "a": "1"}, true},
		{"pairs in another order", OrderedPairs{{int16(1), 1.0}, {int16(3), math.NaN()}}, OrderedPairs{{int16(3), math.NaN()}, {int16(1), 1.0}}, true},
		{"pairs with another value", OrderedPairs{{int16(1), 1.0}}, OrderedPairs{{int16(1), 2.0}}, false},
		{"pairs with another key type", OrderedPairs{{int16(1), 1.0}}, OrderedPairs{{int32(1), 1.0}}, false},
		{"pairs of another length", OrderedPairs{{int16(1), 1.0}}, OrderedPairs{{int16(1), 1.0}, {int16(2), 1.0}}, false},
		{"plain and ordered map", map[string]any{"a": "1"}, OrderedMap{{"a", "2"}}, false},
		{"map missing a key", OrderedMap{{"a", nil}}, OrderedMap{{"b", nil}}, false},
		{"maps of different size", map[string]any{"a": "1"}, map[string]any{"a": "1", "b": "2"}, false},

		{"the same instant", instant, instant.In(time.FixedZone("x", 3600)), true},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("%s: Equal(%v, %v) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
		if got := Equal(c.b, c.a); got != c.want {
			t.Errorf("%s: Equal(%v, %v) = %v, want %v (reversed)", c.name, c.b, c.a, got, c.want)
		}
	}
}

// TestSchemaEqualMatchesConnectSchema checks Schema.Equal against
// ConnectSchema.equals: parameters in any order, defaults compared as values.
func TestSchemaEqualMatchesConnectSchema(t *testing.T) {
	withParams := func(params ...Param) *Schema {
		return &Schema{Type: TypeBytes, Name: DecimalName, Version: 1, Params: params}
	}
	withDefault := func(v any) *Schema {
		return &Schema{Type: TypeFloat64, Optional: true, Default: v, HasDefault: true}
	}
	cases := []struct {
		name string
		a, b *Schema
		want bool
	}{
		{"parameters in another order", withParams(Param{"scale", "2"}, Param{"p", "5"}), withParams(Param{"p", "5"}, Param{"scale", "2"}), true},
		{"parameter value differs", withParams(Param{"scale", "2"}), withParams(Param{"scale", "3"}), false},
		{"decimal schemas", DecimalSchema(2, 10, true), DecimalSchema(2, 10, true), true},
		{"NaN defaults", withDefault(math.NaN()), withDefault(math.NaN()), true},
		{"-0.0 default is not 0.0", withDefault(math.Copysign(0, -1)), withDefault(0.0), false},
		{"a null default is no default", withDefault(nil), OptionalFloat64Schema, true},
		{"optionality", Float64Schema, OptionalFloat64Schema, false},
		{"array items", &Schema{Type: TypeArray, Items: Int32Schema}, &Schema{Type: TypeArray, Items: Int64Schema}, false},
		{"nil", nil, Float64Schema, false},
	}
	for _, c := range cases {
		if got := c.a.Equal(c.b); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
		if got := c.b.Equal(c.a); got != c.want {
			t.Errorf("%s (reversed): %v", c.name, got)
		}
	}

	// A struct default that is a value of its own schema.
	self := func() *Schema {
		s := StructOf("s", true, NewField("f", OptionalFloat64Schema))
		s.Default, s.HasDefault = &Struct{Schema: s, Values: []any{math.NaN()}}, true
		return s
	}
	if !self().Equal(self()) {
		t.Errorf("schemas with self-typed struct defaults: not equal")
	}
}
