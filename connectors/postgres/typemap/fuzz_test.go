package typemap

import (
	"maps"
	"slices"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// fuzzColumns are the columns FuzzDecode decodes text for: every built-in
// type, typmod variants, extension types, an enum and arrays.
func fuzzColumns() []Column {
	var cols []Column
	for _, oid := range slices.Sorted(maps.Keys(builders)) {
		cols = append(cols, Column{TypeOID: oid, TypeMod: -1})
	}
	cols = append(cols,
		Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2)},
		Column{TypeOID: OIDNumeric, TypeMod: numericMod(5, -2)},
		Column{TypeOID: OIDTime, TypeMod: 3},
		Column{TypeOID: OIDTimestamp, TypeMod: 0},
		Column{TypeOID: OIDTimestamptz, TypeMod: 3},
		Column{TypeOID: OIDBpchar, TypeMod: 4 + 3},
		Column{TypeOID: OIDBit, TypeMod: 1},
		Column{TypeOID: OIDBit, TypeMod: 12},
		Column{TypeOID: 90001, TypeName: "hstore"},
		Column{TypeOID: 90002, TypeName: "ltree"},
		Column{TypeOID: 90003, TypeName: "citext"},
		Column{TypeOID: 90004, TypeName: "mood", TypeKind: KindEnum, EnumLabels: "sad,ok,happy"},
		Column{TypeOID: 90005, TypeName: "_int4", ElemOID: OIDInt4, ElemName: "int4"},
		Column{TypeOID: 90006, TypeName: "_text", ElemOID: OIDText, ElemName: "text"},
		Column{TypeOID: 90007, TypeName: "_numeric", TypeMod: numericMod(6, 2), ElemOID: OIDNumeric, ElemName: "numeric"},
		Column{TypeOID: 90008, TypeName: "_timestamptz", ElemOID: OIDTimestamptz, ElemName: "timestamptz"},
		Column{TypeOID: 90009, TypeName: "_mood", ElemOID: 90004, ElemName: "mood", ElemKind: KindEnum, ElemLabels: "sad,ok,happy"},
		Column{TypeOID: 90010, TypeName: GeometryTypeName},
		Column{TypeOID: 90011, TypeName: GeographyTypeName},
		Column{TypeOID: 90012, TypeName: "_geometry", ElemOID: 90010, ElemName: GeometryTypeName},
		Column{TypeOID: 90013, TypeName: VectorTypeName},
		Column{TypeOID: 90014, TypeName: HalfVectorTypeName},
		Column{TypeOID: 90015, TypeName: SparseVectorTypeName},
		Column{TypeOID: 90016, TypeName: "_vector", ElemOID: 90013, ElemName: VectorTypeName},
	)
	return cols
}

// fuzzOptions are the type-handling modes FuzzDecode tries.
func fuzzOptions() []*Options {
	def := DefaultOptions()
	other := &Options{Decimal: DecimalString, Time: TimeConnect, Binary: BinaryHex, Hstore: HstoreMap,
		Interval: IntervalString, MoneyDigits: 0}
	double := &Options{Decimal: DecimalDouble, Time: TimeAdaptiveMicros, Binary: BinaryBytes, Hstore: HstoreJSON,
		Interval: IntervalNumeric, MoneyDigits: 4}
	return []*Options{def, other, double}
}

// FuzzDecode decodes arbitrary text as every type the connector maps, under
// several modes. The text comes from PostgreSQL's output functions, a trust
// boundary: a decoder may refuse it, but must not panic, and a value it
// accepts must be one its schema allows (the JsonConverter encodes it).
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"0", "-7", "12.50", "NaN", "Infinity", "-infinity", "t", `\x00ff`, "2020-04-01 11:51:02.123456+00",
		"0001-12-31 BC", "24:00:00", "11:51:02.5-01:30", "1 year 2 mons 3 days 04:05:06.7", "$1,234.56", "-$0.01",
		`"a"=>"1", "b"=>NULL`, "{1,2,NULL}", `{{"a","b"},{"c",NULL}}`, "[0:1]={7,8}", "(1.5,2)", "[1,5)", "empty",
		"101", "sad", "a.b.c", "'a':1 'b':2", "192.168.0.1/24", "08:00:2b:01:02:03", "<a/>", `{"k":[1]}`,
		"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "0101000020E6100000000000000000F03F0000000000000040",
		"{0101000000000000000000F03F0000000000000040:NULL}", "[1,2.5,-3e-05]", "{1:1.5,3:2,17:-1}/20",
		`{"[1,2]",NULL}`,
	} {
		f.Add([]byte(s), uint16(0))
	}
	cols := fuzzColumns()
	opts := fuzzOptions()
	conv, err := jsonconv.New(map[string]string{"schemas.enable": "true"}, false)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text []byte, pick uint16) {
		c := cols[int(pick)%len(cols)]
		o := opts[int(pick)/len(cols)%len(opts)]
		m, err := o.For(c)
		if err != nil {
			return // a type this mode omits
		}
		v, err := m.Decode(text)
		if err != nil || v == nil {
			return
		}
		s := schema.StructOf("fuzz.Value", false, schema.NewField("v", m.Schema))
		st := schema.NewStruct(s).Set("v", v)
		if _, err := conv.FromConnect("fuzz", s, st); err != nil {
			t.Fatalf("type %d (%s) under %+v: %q decoded to %#v, which the JsonConverter refuses: %v", c.TypeOID, c.TypeName, *o, text, v, err)
		}
	})
}

// FuzzTimestamptzUTCText checks the copy of a timestamptz written at UTC
// (formatUTCText) against parsing the instant and formatting it: wherever
// the copy applies, the two give the same text.
func FuzzTimestamptzUTCText(f *testing.F) {
	for _, s := range []string{
		"2026-11-27 11:43:58.123456+00", "2026-11-27 11:43:58+00", "2026-11-27 11:43:58.5+00",
		"2024-02-29 23:59:59.999999+00", "2023-02-29 00:00:00+00", "0000-02-29 00:00:00+00", "1900-02-29 00:00:00+00",
		"2026-11-27 24:00:00+00", "2026-11-27 11:43:60+00", "2026-13-01 00:00:00+00", "2026-11-27 11:43:58.1234567+00",
		"2026-11-27 11:43:58.+00", "2026-11-27 11:43:58+05:30", "0044-03-15 12:00:00+00 BC", "10000-01-01 00:00:00+00",
	} {
		f.Add(s, 6)
		f.Add(s, 0)
		f.Add(s, 3)
	}
	// The text PostgreSQL writes at UTC is copied, not converted.
	for _, s := range []string{"2026-11-27 11:43:58.123456+00", "2026-11-27 11:43:58+00", "2024-02-29 23:59:59.5+00"} {
		if _, ok := formatUTCText([]byte(s), 6); !ok {
			f.Fatalf("%q is not copied", s)
		}
	}
	f.Fuzz(func(t *testing.T, s string, digits int) {
		digits = min(max(digits, 0), 9)
		fast, ok := formatUTCText([]byte(s), digits)
		if !ok {
			return
		}
		slow, err := decodeTimestamptzConverted([]byte(s), digits)
		if err != nil || slow != fast {
			t.Fatalf("%q with %d digits: copied %q, converted %v (%v)", s, digits, fast, slow, err)
		}
	})
}
