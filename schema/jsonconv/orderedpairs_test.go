package jsonconv

import (
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// An OrderedPairs map is written in its own entry order, as JsonConverter
// walks a Java map: [[key, value], …] for non-string keys, an object for
// string keys.
func TestOrderedPairs(t *testing.T) {
	c := mustNew(t, map[string]string{"schemas.enable": "false"}, false)
	int16Keys := &schema.Schema{Type: schema.TypeMap, Keys: schema.Int16Schema, Values: schema.Float64Schema}
	strKeys := &schema.Schema{Type: schema.TypeMap, Keys: schema.StringSchema, Values: schema.OptionalInt32Schema}
	for _, tc := range []struct {
		s    *schema.Schema
		v    schema.OrderedPairs
		json string
	}{
		{int16Keys, schema.OrderedPairs{{Key: int16(17), Value: 1.0}, {Key: int16(1), Value: -0.5}, {Key: int16(33), Value: 2e-7}},
			`[[17,1.0],[1,-0.5],[33,2.0E-7]]`},
		{int16Keys, schema.OrderedPairs{}, `[]`},
		{strKeys, schema.OrderedPairs{{Key: "b", Value: int32(1)}, {Key: "a", Value: nil}}, `{"b":1,"a":null}`},
	} {
		got, err := c.FromConnect("t", tc.s, tc.v)
		if err != nil || string(got) != tc.json {
			t.Errorf("%v: %s, %v; want %s", tc.v, got, err, tc.json)
		}
	}
	for _, bad := range []struct {
		s *schema.Schema
		v schema.OrderedPairs
	}{
		{int16Keys, schema.OrderedPairs{{Key: "1", Value: 1.0}}},
		{int16Keys, schema.OrderedPairs{{Key: int16(1), Value: "x"}}},
		{strKeys, schema.OrderedPairs{{Key: int32(1), Value: nil}}},
	} {
		if got, err := c.FromConnect("t", bad.s, bad.v); err == nil {
			t.Errorf("%v written as %s", bad.v, got)
		}
	}
}
