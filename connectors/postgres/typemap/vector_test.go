package typemap

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// pgvector's text forms: vector and halfvec "[1,2.5,3]", sparsevec
// "{1:0.5,3:2}/5" (1-based indices, as Debezium keeps them).
func TestVectorDecode(t *testing.T) {
	m, err := For(Column{TypeOID: 90200, TypeName: VectorTypeName, Optional: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Schema; s.Type != schema.TypeArray || s.Name != DoubleVectorName || s.Version != 1 || !s.Optional ||
		s.Items.Type != schema.TypeFloat64 || s.Items.Optional {
		t.Errorf("vector schema %+v", s)
	}
	v, err := m.Decode([]byte("[1,2.5,-3e-05,1e+38]"))
	if want := []any{1.0, 2.5, -3e-05, 1e+38}; err != nil || !reflect.DeepEqual(v, want) {
		t.Errorf("vector: %v, %v", v, err)
	}

	h, err := For(Column{TypeOID: 90201, TypeName: HalfVectorTypeName})
	if err != nil {
		t.Fatal(err)
	}
	if s := h.Schema; s.Type != schema.TypeArray || s.Name != FloatVectorName || s.Version != 1 || s.Optional ||
		s.Items.Type != schema.TypeFloat32 {
		t.Errorf("halfvec schema %+v", s)
	}
	// Float.parseFloat rounds the decimal text to the nearest float.
	v, err = h.Decode([]byte("[0.1, 65504,-2]"))
	if want := []any{float32(0.1), float32(65504), float32(-2)}; err != nil || !reflect.DeepEqual(v, want) {
		t.Errorf("halfvec: %v, %v", v, err)
	}
	if f := v.([]any)[0].(float32); math.Float32bits(f) != 0x3dcccccd {
		t.Errorf("halfvec 0.1 = %x", math.Float32bits(f))
	}

	for _, bad := range []string{"", "[]", "1,2", "[1,,2]", "[1,x]", "[1,2"} {
		if v, err := m.Decode([]byte(bad)); err == nil {
			t.Errorf("vector %q decoded to %v", bad, v)
		}
	}

	sp, err := For(Column{TypeOID: 90202, TypeName: SparseVectorTypeName, Optional: true})
	if err != nil {
		t.Fatal(err)
	}
	s := sp.Schema
	if s.Type != schema.TypeStruct || s.Name != SparseDoubleVectorName || s.Version != 1 || s.Doc != "Sparse double vector" ||
		len(s.Fields) != 2 || s.Fields[0].Name != "dimensions" || s.Fields[0].Schema.Type != schema.TypeInt16 ||
		s.Fields[1].Name != "vector" || s.Fields[1].Schema.Type != schema.TypeMap ||
		s.Fields[1].Schema.Keys.Type != schema.TypeInt16 || s.Fields[1].Schema.Values.Type != schema.TypeFloat64 {
		t.Errorf("sparsevec schema %+v", s)
	}
	for _, bad := range []string{"", "{1:1}", "{1:1}/", "{1:1}/x", "{1:1}/40000", "1:1/5", "{1}/5", "{1:1:2}/5", "{x:1}/5", "{1:x}/5", "{70000:1}/5"} {
		if v, err := sp.Decode([]byte(bad)); err == nil {
			t.Errorf("sparsevec %q decoded to %v", bad, v)
		}
	}
	for _, c := range []Column{{TypeName: VectorTypeName}, {TypeName: HalfVectorTypeName}, {TypeName: SparseVectorTypeName}} {
		c.TypeOID, c.Default = 90203, "'[1,2]'::vector"
		m, err := For(c)
		if err != nil || m.Schema.HasDefault {
			t.Errorf("%s: a default (%v) or %v", c.TypeName, m.Schema.Default, err)
		}
	}
}

// The sparse vector's entries come out in the iteration order of the
// HashMap Debezium fills, through the JsonConverter as [[index, value], …]
// pairs; the golden orders are the JDK's own (testdata/README.md).
func TestSparseVectorOrder(t *testing.T) {
	raw, err := os.ReadFile("testdata/sparsevec_order.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Text       string    `json:"text"`
		Dimensions int16     `json:"dimensions"`
		Keys       []int16   `json:"keys"`
		Values     []float64 `json:"values"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	m, err := For(Column{TypeOID: 90202, TypeName: SparseVectorTypeName})
	if err != nil {
		t.Fatal(err)
	}
	conv, err := jsonconv.New(map[string]string{"schemas.enable": "false"}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		v, err := m.Decode([]byte(tc.Text))
		if err != nil {
			t.Errorf("%s: %v", tc.Text, err)
			continue
		}
		b, err := conv.FromConnect("t", m.Schema, v)
		if err != nil {
			t.Fatalf("%s: %v", tc.Text, err)
		}
		var got struct {
			Dimensions int16       `json:"dimensions"`
			Vector     [][]float64 `json:"vector"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %s: %v", tc.Text, b, err)
		}
		keys, values := []int16{}, []float64{}
		for _, p := range got.Vector {
			keys, values = append(keys, int16(p[0])), append(values, p[1])
		}
		if got.Dimensions != tc.Dimensions || !reflect.DeepEqual(keys, tc.Keys) || !reflect.DeepEqual(values, tc.Values) {
			t.Errorf("%s: JSON %s, want keys %v values %v", tc.Text, b, tc.Keys, tc.Values)
		}
	}
}
