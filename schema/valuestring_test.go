package schema

import (
	"math"
	"math/big"
	"testing"
	"time"
)

// TestValueString checks Values.convertToString's output (Kafka 3.9's
// ValuesTest.shouldConvertStringOfListWithOnlyNumericElementTypesIntoListOfLargestNumericType
// and the dateFormatFor cases), as SimpleHeaderConverter writes header values.
func TestValueString(t *testing.T) {
	s := StructOf("", false, NewField("field1", StringSchema), NewField("field2", Int32Schema),
		NewField("field3", &Schema{Type: TypeBoolean, Optional: true, Default: true, HasDefault: true}))
	for _, c := range []struct {
		in   any
		want string
	}{
		{"a \"quoted\" string", "a \"quoted\" string"},
		{true, "true"},
		{int8(-1), "-1"}, {int16(2), "2"}, {int32(3), "3"}, {int64(-4000000000), "-4000000000"},
		{float32(1.5), "1.5"}, {float64(1e10), "1.0E10"}, {0.001, "0.001"}, {math.NaN(), "NaN"}, {math.Inf(-1), "-Infinity"},
		{Decimal{Unscaled: big.NewInt(12345), Scale: 2}, "123.45"},
		{Decimal{Unscaled: big.NewInt(1), Scale: 7}, "1E-7"},
		{[]byte{0xFE, 0xDC}, "/tw="},
		{[]any{int32(1), "a\\b", nil}, `[1,"a\\b",null]`},
		{map[string]any{"b": int32(2), "a": "x"}, `{"a":"x","b":2}`},
		{OrderedMap{{"z", int32(1)}, {"y", []byte{1}}}, `{"z":1,"y":"AQ=="}`},
		{NewStruct(s).Set("field1", "v").Set("field2", int32(7)), `{"field1":"v","field2":7,"field3":true}`},
		{time.UnixMilli(1234).UTC(), "00:00:01.234Z"},
		{time.UnixMilli(86400000 * 3).UTC(), "1970-01-04"},
		{time.UnixMilli(1483425001864).UTC(), "2017-01-03T06:30:01.864Z"},
	} {
		got, err := ValueString(c.in)
		if err != nil || got != c.want {
			t.Errorf("ValueString(%#v) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := ValueString(struct{}{}); err == nil {
		t.Errorf("an unknown type converted")
	}
}
