package avro

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/schema"
)

// The direct encoder must write exactly goavro's bytes. These tests encode
// the same values both ways: the hand-written golden schemas (every type
// mapping of types.json, the customers key and envelope) with fixed and
// seeded random values, and a fuzz target over random values.

// gen builds random Connect values for a Connect schema.
type gen struct {
	r *rand.Rand
	// multiEntryMap is set when a generated map has more than one entry:
	// goavro writes map entries in Go's random map order, so such values
	// are compared decoded rather than byte for byte.
	multiEntryMap bool
	// invalid lets the generator put a value of the wrong Go type in a
	// field now and then: both encoders must refuse it.
	invalid bool
}

func (g *gen) value(s *schema.Schema) any {
	if (s.Optional || hasDefault(s)) && g.r.IntN(5) == 0 {
		return nil
	}
	if g.invalid && g.r.IntN(40) == 0 {
		return struct{}{}
	}
	switch s.Name {
	case schema.DecimalName:
		if s.Type == schema.TypeBytes {
			scale, _, _ := decimalParams(s)
			return schema.Decimal{Unscaled: g.bigInt(), Scale: int32(scale)}
		}
	case schema.DateName:
		if s.Type == schema.TypeInt32 {
			days := g.r.Int64N(200000) - 100000
			if g.r.IntN(2) == 0 {
				return time.UnixMilli(days * millisPerDay).UTC()
			}
			return int32(days)
		}
	case schema.TimeName:
		if s.Type == schema.TypeInt32 {
			ms := g.r.Int64N(millisPerDay)
			if g.r.IntN(2) == 0 {
				return time.UnixMilli(ms).UTC()
			}
			return int32(ms)
		}
	case schema.TimestampName:
		if s.Type == schema.TypeInt64 {
			ms := g.r.Int64N(1<<44) - 1<<43
			if g.r.IntN(2) == 0 {
				return time.UnixMilli(ms).UTC()
			}
			return ms
		}
	}
	switch s.Type {
	case schema.TypeInt8:
		return int8(g.int64())
	case schema.TypeInt16:
		return int16(g.int64())
	case schema.TypeInt32:
		return int32(g.int64())
	case schema.TypeInt64:
		return g.int64()
	case schema.TypeFloat32:
		return float32(g.float())
	case schema.TypeFloat64:
		return g.float()
	case schema.TypeBoolean:
		return g.r.IntN(2) == 0
	case schema.TypeString:
		return g.string()
	case schema.TypeBytes:
		b := make([]byte, g.r.IntN(20))
		for i := range b {
			b[i] = byte(g.r.Uint32())
		}
		return b
	case schema.TypeStruct:
		st := &schema.Struct{Schema: s, Values: make([]any, len(s.Fields))}
		for i, f := range s.Fields {
			st.Values[i] = g.value(f.Schema)
		}
		return st
	case schema.TypeArray:
		items := make([]any, g.r.IntN(5))
		for i := range items {
			items[i] = g.value(s.Items)
		}
		return items
	case schema.TypeMap:
		n := g.r.IntN(4)
		if s.Keys.Type != schema.TypeString && g.r.IntN(2) == 0 {
			// Both encoders keep the entries' order.
			p := schema.OrderedPairs{}
			seen := map[any]bool{}
			for range n {
				k := g.value(s.Keys)
				if !seen[k] {
					seen[k] = true
					p = append(p, schema.Pair{Key: k, Value: g.value(s.Values)})
				}
			}
			return p
		}
		if n > 1 {
			g.multiEntryMap = true
		}
		if s.Keys.Type == schema.TypeString {
			m := map[string]any{}
			for range n {
				m[g.string()] = g.value(s.Values)
			}
			return m
		}
		m := map[any]any{}
		for range n {
			m[g.value(s.Keys)] = g.value(s.Values)
		}
		return m
	}
	panic(fmt.Sprintf("no generator for %s", s.Type))
}

func (g *gen) int64() int64 {
	switch g.r.IntN(6) {
	case 0:
		return []int64{0, -1, 1, math.MaxInt64, math.MinInt64, math.MaxInt32, math.MinInt32, 63, -64, 64, -65}[g.r.IntN(11)]
	case 1:
		return int64(g.r.Uint64())
	}
	return g.r.Int64N(1<<uint(g.r.IntN(62)+1)) - g.r.Int64N(1<<uint(g.r.IntN(62)+1))
}

func (g *gen) float() float64 {
	switch g.r.IntN(8) {
	case 0:
		return []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64,
			math.SmallestNonzeroFloat64}[g.r.IntN(7)]
	case 1:
		return math.Float64frombits(g.r.Uint64())
	}
	return g.r.NormFloat64() * 1e6
}

func (g *gen) bigInt() *big.Int {
	switch g.r.IntN(4) {
	case 0:
		return big.NewInt([]int64{0, -1, 1, 127, 128, -128, -129, 255, 256, -256, -257}[g.r.IntN(11)])
	case 1:
		b := make([]byte, g.r.IntN(40)+1)
		for i := range b {
			b[i] = byte(g.r.Uint32())
		}
		n := new(big.Int).SetBytes(b)
		if g.r.IntN(2) == 0 {
			n.Neg(n)
		}
		return n
	}
	return big.NewInt(g.int64())
}

func (g *gen) string() string {
	runes := []rune("aZ09 _-\"\\\n\té€😀\u0000")
	out := make([]rune, g.r.IntN(12))
	for i := range out {
		out[i] = runes[g.r.IntN(len(runes))]
	}
	return string(out)
}

// sameEncoding encodes v with both encoders and reports a difference.
func sameEncoding(t testing.TB, c *Codec, v any, multiEntryMap bool) {
	t.Helper()
	prefix := []byte{0, 0, 0, 0, 7}
	want, werr := c.appendGoavro(bytes.Clone(prefix), v)
	got, gerr := c.appendDirect(bytes.Clone(prefix), c.Connect, v)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("goavro error %v, direct error %v for %#v", werr, gerr, v)
	}
	if werr != nil {
		return
	}
	if !multiEntryMap {
		if !bytes.Equal(got, want) {
			t.Fatalf("direct encoder differs from goavro for %s\n got % x\nwant % x", show(v), got, want)
		}
		return
	}
	// Map entries in another order: compare what goavro decodes.
	gn, grest, err := c.codec.NativeFromBinary(got[len(prefix):])
	if err != nil || len(grest) != 0 {
		t.Fatalf("goavro cannot decode the direct encoding % x: %v", got, err)
	}
	wn, _, err := c.codec.NativeFromBinary(want[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || fmt.Sprint(canonical(gn)) != fmt.Sprint(canonical(wn)) {
		t.Fatalf("direct encoder decodes differently from goavro for %s\n got %v\nwant %v", show(v), gn, wn)
	}
}

// canonical sorts the MapEntry arrays of a decoded goavro value (maps with
// non-string keys), whose order follows Go's map iteration in goavro.
func canonical(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = canonical(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		entries := len(x) > 0
		for i, e := range x {
			out[i] = canonical(e)
			m, ok := out[i].(map[string]any)
			_, hasKey := m["key"]
			entries = entries && ok && len(m) == 2 && hasKey
		}
		if entries {
			slices.SortFunc(out, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		}
		return out
	}
	return v
}

func show(v any) string {
	if st, ok := v.(*schema.Struct); ok {
		return fmt.Sprintf("%v", st.Values)
	}
	return fmt.Sprintf("%#v", v)
}

// typeCodecs compiles one struct per types.json mapping (its field c).
func typeCodecs(t testing.TB) (names []string, codecs []*Codec) {
	t.Helper()
	var cases []typeCase
	if err := json.Unmarshal(readFile(t, "types.json"), &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		var field map[string]any
		if err := json.Unmarshal(tc.Connect, &field); err != nil {
			t.Fatal(err)
		}
		field["field"] = "c"
		env, _ := json.Marshal(map[string]any{
			"schema":  map[string]any{"type": "struct", "name": "t.Value", "optional": true, "fields": []any{field}},
			"payload": nil,
		})
		s, _ := connectFromJSON(t, env)
		c, err := NewCodec(s, DefaultSchemaOptions)
		if err != nil {
			t.Fatalf("%s: %v", tc.Name, err)
		}
		names, codecs = append(names, tc.Name), append(codecs, c)
	}
	return names, codecs
}

// TestDirectEncoderMatchesGoavroPerType: for every type mapping, null, the
// default and 300 seeded random values, under both settings of
// ignore.default.for.nullables.
func TestDirectEncoderMatchesGoavroPerType(t *testing.T) {
	names, codecs := typeCodecs(t)
	for i, c := range codecs {
		t.Run(names[i], func(t *testing.T) {
			for _, useDefault := range []bool{true, false} {
				c.useDefaultForNull = useDefault
				f := c.Connect.Fields[0].Schema
				sameEncoding(t, c, &schema.Struct{Schema: c.Connect, Values: []any{nil}}, false)
				if hasDefault(f) {
					sameEncoding(t, c, &schema.Struct{Schema: c.Connect, Values: []any{f.Default}}, false)
				}
				g := &gen{r: rand.New(rand.NewPCG(uint64(i), 1))}
				for range 300 {
					g.multiEntryMap = false
					v := &schema.Struct{Schema: c.Connect, Values: []any{g.value(f)}}
					sameEncoding(t, c, v, g.multiEntryMap)
				}
			}
			c.useDefaultForNull = true
		})
	}
}

// TestDirectEncoderGoldenEnvelope: the hand-written customers key and
// envelope of the reference, with their reference values, and every
// fixed value of the mappings that have one.
func TestDirectEncoderGoldenEnvelope(t *testing.T) {
	for _, name := range []string{"connect-customers-key.json", "connect-customers-value.json"} {
		s, v := connectFromJSON(t, readFile(t, name))
		c, err := NewCodec(s, DefaultSchemaOptions)
		if err != nil {
			t.Fatal(err)
		}
		sameEncoding(t, c, v, false)
		g := &gen{r: rand.New(rand.NewPCG(7, 7))}
		for range 200 {
			sameEncoding(t, c, g.value(s), false)
		}
	}
	// Fixed values whose bytes are known by hand: zigzag ints, decimals as
	// shortest two's complement, a single-block array.
	s := schema.StructOf("g.V", false,
		schema.NewField("i", schema.Int32Schema),
		schema.NewField("l", schema.Int64Schema),
		schema.NewField("d", schema.DecimalSchema(2, 10, false)),
		schema.NewField("a", &schema.Schema{Type: schema.TypeArray, Items: schema.OptionalStringSchema}))
	c, err := NewCodec(s, DefaultSchemaOptions)
	if err != nil {
		t.Fatal(err)
	}
	v := &schema.Struct{Schema: s, Values: []any{int32(-65), int64(64), schema.Decimal{Unscaled: big.NewInt(-129), Scale: 2},
		[]any{"x", nil}}}
	want := []byte{0x81, 0x01, 0x80, 0x01, 0x04, 0xff, 0x7f, 0x04, 0x02, 0x02, 'x', 0x00, 0x00}
	got, err := c.AppendBinary(nil, v)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got % x (%v), want % x", got, err, want)
	}
	sameEncoding(t, c, v, false)
}

// TestDirectEncoderInvalidValues: a wrong Go type anywhere is refused by
// both encoders.
func TestDirectEncoderInvalidValues(t *testing.T) {
	names, codecs := typeCodecs(t)
	for i, c := range codecs {
		g := &gen{r: rand.New(rand.NewPCG(uint64(i), 2)), invalid: true}
		for range 200 {
			g.multiEntryMap = false
			v := &schema.Struct{Schema: c.Connect, Values: []any{g.value(c.Connect.Fields[0].Schema)}}
			t.Run(names[i], func(t *testing.T) { sameEncoding(t, c, v, g.multiEntryMap) })
		}
	}
}

// FuzzDirectEncoderMatchesGoavro draws a random value of every type
// mapping, all in one record, from the fuzzer's seed.
func FuzzDirectEncoderMatchesGoavro(f *testing.F) {
	_, codecs := typeCodecs(f)
	fields := make([]schema.Field, len(codecs))
	for i, c := range codecs {
		fields[i] = schema.NewField(fmt.Sprintf("c%d", i), c.Connect.Fields[0].Schema)
	}
	s := schema.StructOf("fuzz.V", false, fields...)
	c, err := NewCodec(s, DefaultSchemaOptions)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []uint64{0, 1, 2, 42, math.MaxUint64} {
		f.Add(binary.LittleEndian.AppendUint64(nil, seed), false)
	}
	f.Fuzz(func(t *testing.T, seed []byte, ignoreDefault bool) {
		var s1, s2 uint64
		if len(seed) >= 8 {
			s1 = binary.LittleEndian.Uint64(seed)
		}
		if len(seed) >= 16 {
			s2 = binary.LittleEndian.Uint64(seed[8:])
		}
		cc := *c
		cc.useDefaultForNull = !ignoreDefault
		g := &gen{r: rand.New(rand.NewPCG(s1, s2)), invalid: len(seed)%3 == 0}
		v := g.value(s)
		sameEncoding(t, &cc, v, g.multiEntryMap)
	})
}
