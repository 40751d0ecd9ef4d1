package worker

import (
	"math"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// TestHeaderBytes checks SimpleHeaderConverter's output for the values
// transformations put in headers, as Kafka 3.9's Values.convertToString
// writes them (Values.append: numbers and booleans via toString, lists as
// [a,b] with embedded strings quoted and escaped, bytes Base64, structs as
// {"field":value}).
func TestHeaderBytes(t *testing.T) {
	st := schema.StructOf("s", false,
		schema.NewField("id", schema.Int32Schema),
		schema.NewField("name", &schema.Schema{Type: schema.TypeString, Optional: true, HasDefault: true, Default: "dflt"}))
	for _, c := range []struct {
		v    any
		want string
	}{
		{"plain", "plain"},
		{[]byte("hi"), "hi"},
		{true, "true"},
		{int8(-3), "-3"},
		{int16(300), "300"},
		{int32(7), "7"},
		{int64(1559033904863), "1559033904863"},
		{1.5, "1.5"},
		{float64(10000000), "1.0E7"},
		{0.0001, "1.0E-4"},
		{float32(0.1), "0.1"},
		{math.Inf(-1), "-Infinity"},
		{[]any{}, "[]"},
		{[]any{"first_name", "email"}, `["first_name","email"]`},
		{[]any{`a"b\c`, nil, int64(1), []byte{0xff}}, `["a\"b\\c",null,1,"/w=="]`},
		{[]any{[]any{true}}, "[[true]]"},
		{&schema.Struct{Schema: st, Values: []any{int32(2), nil}}, `{"id":2,"name":"dflt"}`},
	} {
		got, err := headerBytes(connect.Header{Key: "k", Value: c.v})
		if err != nil || string(got) != c.want {
			t.Errorf("headerBytes(%#v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
	if got, err := headerBytes(connect.Header{Key: "k"}); got != nil || err != nil {
		t.Errorf("null header = %q, %v", got, err)
	}
	if _, err := headerBytes(connect.Header{Key: "k", Value: map[int]int{}}); err == nil {
		t.Error("a map header was converted")
	}
}
