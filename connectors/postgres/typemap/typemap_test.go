package typemap

import (
	"errors"
	"math/big"
	"reflect"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// numericMod builds the atttypmod of numeric(p,s).
func numericMod(p, s int) int32 { return int32(p<<16|(s&0x7ff)) + 4 }

// Expected values come from debezium-values.md.
func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		col  Column
		in   string
		want any
	}{
		{"bool", Column{TypeOID: OIDBool}, "t", true},
		{"int2", Column{TypeOID: OIDInt2}, "-7", int16(-7)},
		{"int4", Column{TypeOID: OIDInt4}, "2147483647", int32(2147483647)},
		{"int8", Column{TypeOID: OIDInt8}, "-9223372036854775808", int64(-9223372036854775808)},
		{"float4", Column{TypeOID: OIDFloat4}, "1.5", float32(1.5)},
		{"float8 NaN-free", Column{TypeOID: OIDFloat8}, "-2.25e-05", -2.25e-05},
		{"float8 infinity", Column{TypeOID: OIDFloat8}, "Infinity", posInf()},
		{"bpchar keeps padding", Column{TypeOID: OIDBpchar}, "ab ", "ab "},
		{"bytea", Column{TypeOID: OIDBytea}, `\x00ff10`, []byte{0, 0xff, 0x10}},
		{"bytea empty", Column{TypeOID: OIDBytea}, `\x`, []byte{}},
		{"numeric(10,2) 12.50", Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2)}, "12.50",
			schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}},
		{"numeric(10,2) rescales 12.5", Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2)}, "12.5",
			schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}},
		{"numeric(10,2) negative", Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2)}, "-0.05",
			schema.Decimal{Unscaled: big.NewInt(-5), Scale: 2}},
		{"numeric(5,-2)", Column{TypeOID: OIDNumeric, TypeMod: numericMod(5, -2)}, "1200",
			schema.Decimal{Unscaled: big.NewInt(12), Scale: -2}},
		{"numeric NaN", Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2)}, "NaN", nil},
		{"date", Column{TypeOID: OIDDate}, "2016-01-16", int32(16816)},
		{"date before epoch", Column{TypeOID: OIDDate}, "1969-12-31", int32(-1)},
		{"date BC", Column{TypeOID: OIDDate}, "0001-12-31 BC", int32(-719163)},
		{"time", Column{TypeOID: OIDTime, TypeMod: -1}, "11:51:02.123456", int64(42662123456)},
		{"time 24:00", Column{TypeOID: OIDTime, TypeMod: -1}, "24:00:00", int64(86400000000)},
		{"time(3)", Column{TypeOID: OIDTime, TypeMod: 3}, "11:51:02.123", int32(42662123)},
		{"timetz", Column{TypeOID: OIDTimetz}, "11:51:02.5+00", "11:51:02.5Z"},
		{"timetz shifted", Column{TypeOID: OIDTimetz}, "13:51:30.123789+02", "11:51:30.123789Z"},
		{"timetz whole", Column{TypeOID: OIDTimetz}, "00:30:02-01:30", "02:00:02Z"},
		{"timestamp(3)", Column{TypeOID: OIDTimestamp, TypeMod: 3}, "2020-04-01 11:51:02.123", int64(1585741862123)},
		{"timestamp", Column{TypeOID: OIDTimestamp, TypeMod: -1}, "2020-04-01 11:51:02.123456", int64(1585741862123456)},
		{"timestamp short fraction", Column{TypeOID: OIDTimestamp, TypeMod: -1}, "2020-04-01 11:51:02.5", int64(1585741862500000)},
		{"timestamp before epoch", Column{TypeOID: OIDTimestamp, TypeMod: 3}, "1969-12-31 23:59:59.999", int64(-1)},
		{"timestamp infinity", Column{TypeOID: OIDTimestamp, TypeMod: -1}, "infinity", PositiveInfinityTimestamp},
		{"timestamp -infinity", Column{TypeOID: OIDTimestamp, TypeMod: -1}, "-infinity", NegativeInfinityTimestamp},
		{"timestamptz", Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "2020-04-01 11:51:02.123456+00", "2020-04-01T11:51:02.123456Z"},
		{"timestamptz pads to scale", Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "2020-04-01 11:51:02.5+00", "2020-04-01T11:51:02.500000Z"},
		{"timestamptz(3)", Column{TypeOID: OIDTimestamptz, TypeMod: 3}, "2020-04-01 11:51:02.5+00", "2020-04-01T11:51:02.500Z"},
		{"timestamptz(0)", Column{TypeOID: OIDTimestamptz, TypeMod: 0}, "2020-04-01 11:51:02+00", "2020-04-01T11:51:02Z"},
		{"timestamptz offset", Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "2020-04-01 05:21:02+05:30", "2020-03-31T23:51:02.000000Z"},
		{"timestamptz year 10000", Column{TypeOID: OIDTimestamptz, TypeMod: 0}, "10000-01-01 00:00:00+00", "+10000-01-01T00:00:00Z"},
		{"timestamptz infinity", Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "infinity", "infinity"},
		{"timestamptz -infinity", Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "-infinity", "-infinity"},
		{"uuid", Column{TypeOID: OIDUUID}, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{"json keeps text", Column{TypeOID: OIDJSON}, `{"k": [1]}`, `{"k": [1]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := For(tc.col)
			if err != nil {
				t.Fatalf("For: %v", err)
			}
			got, err := m.Decode([]byte(tc.in))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Decode(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func posInf() float64 { return float64(1) / zero }

var zero float64

func TestVariableScaleDecimal(t *testing.T) {
	m, err := For(Column{TypeOID: OIDNumeric, TypeMod: -1, Optional: true})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Schema
	if s.Name != VariableScaleDecimalName || s.Version != 1 || s.Doc != "Variable scaled decimal" || !s.Optional ||
		len(s.Fields) != 2 || s.Fields[0].Name != "scale" || s.Fields[0].Schema.Type != schema.TypeInt32 ||
		s.Fields[1].Name != "value" || s.Fields[1].Schema.Type != schema.TypeBytes {
		t.Fatalf("schema %+v", s)
	}
	for in, want := range map[string][]any{
		"1.23":    {int32(2), []byte{0x7b}},
		"1.230":   {int32(2), []byte{0x7b}},
		"100.00":  {int32(0), []byte{0x64}},
		"0.00":    {int32(0), []byte{0}},
		"-1":      {int32(0), []byte{0xff}},
		"128":     {int32(0), []byte{0, 0x80}},
		"-128.0":  {int32(0), []byte{0x80}},
		"-129":    {int32(0), []byte{0xff, 0x7f}},
		"1200":    {int32(0), []byte{0x04, 0xb0}},
		"0.00100": {int32(3), []byte{1}},
	} {
		got, err := m.Decode([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		st := got.(*schema.Struct)
		if st.Schema != s || !reflect.DeepEqual(st.Values, want) {
			t.Errorf("%s: got %v, want %v", in, st.Values, want)
		}
	}
}

func TestSchemas(t *testing.T) {
	for _, tc := range []struct {
		col  Column
		want *schema.Schema
	}{
		{Column{TypeOID: OIDInt4, Default: "nextval('t_id_seq'::regclass)"}, &schema.Schema{Type: schema.TypeInt32, Default: int32(0), HasDefault: true}},
		{Column{TypeOID: OIDInt8, Optional: true}, schema.OptionalInt64Schema},
		{Column{TypeOID: OIDFloat4}, schema.Float32Schema},
		{Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2), Optional: true}, schema.DecimalSchema(2, 10, true)},
		{Column{TypeOID: OIDDate}, &schema.Schema{Type: schema.TypeInt32, Name: DateName, Version: 1}},
		{Column{TypeOID: OIDTime, TypeMod: 3}, &schema.Schema{Type: schema.TypeInt32, Name: TimeName, Version: 1}},
		{Column{TypeOID: OIDTime, TypeMod: -1}, &schema.Schema{Type: schema.TypeInt64, Name: MicroTimeName, Version: 1}},
		{Column{TypeOID: OIDTimestamp, TypeMod: 3}, &schema.Schema{Type: schema.TypeInt64, Name: TimestampName, Version: 1}},
		{Column{TypeOID: OIDTimestamp, TypeMod: 4}, &schema.Schema{Type: schema.TypeInt64, Name: MicroTimestampName, Version: 1}},
		{Column{TypeOID: OIDTimestamptz, TypeMod: -1, Optional: true}, &schema.Schema{Type: schema.TypeString, Name: ZonedTimestampName, Version: 1, Optional: true}},
		{Column{TypeOID: OIDUUID}, &schema.Schema{Type: schema.TypeString, Name: UUIDName, Version: 1}},
		{Column{TypeOID: OIDJSONB}, &schema.Schema{Type: schema.TypeString, Name: JSONName, Version: 1}},
		{Column{TypeOID: OIDBytea}, schema.BytesSchema},
	} {
		m, err := For(tc.col)
		if err != nil {
			t.Fatalf("%+v: %v", tc.col, err)
		}
		if !reflect.DeepEqual(m.Schema, tc.want) {
			t.Errorf("%+v: schema %+v, want %+v", tc.col, m.Schema, tc.want)
		}
	}
	if _, err := For(Column{TypeOID: 603, TypeName: "box"}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("box: %v, want ErrUnsupported", err)
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	for _, tc := range []struct {
		col Column
		in  string
	}{
		{Column{TypeOID: OIDInt2}, "70000"},
		{Column{TypeOID: OIDBool}, "yes"},
		{Column{TypeOID: OIDBytea}, `\xzz`},
		{Column{TypeOID: OIDBytea}, `abc`},
		{Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2)}, "1.234"},
		{Column{TypeOID: OIDNumeric, TypeMod: -1}, "1..2"},
		{Column{TypeOID: OIDDate}, "2020-13-01"},
		{Column{TypeOID: OIDDate}, "infinity"},
		{Column{TypeOID: OIDTimestamp, TypeMod: -1}, "2020-04-01T11:51:02"},
		{Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "2020-04-01 11:51:02"},
		{Column{TypeOID: OIDTimetz}, "11:51:02+0"},
	} {
		m, err := For(tc.col)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := m.Decode([]byte(tc.in)); err == nil {
			t.Errorf("oid %d %q: got %#v, want an error", tc.col.TypeOID, tc.in, v)
		}
	}
}

func TestFallbacks(t *testing.T) {
	for _, tc := range []struct {
		col  Column
		want any
	}{
		{Column{TypeOID: OIDInt4}, int32(0)},
		{Column{TypeOID: OIDText}, ""},
		{Column{TypeOID: OIDBool}, false},
		{Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2)}, schema.Decimal{Unscaled: new(big.Int), Scale: 2}},
		{Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "1970-01-01T00:00:00.000000Z"},
	} {
		m, _ := For(tc.col)
		if !reflect.DeepEqual(m.Fallback, tc.want) {
			t.Errorf("oid %d: fallback %#v, want %#v", tc.col.TypeOID, m.Fallback, tc.want)
		}
	}
}
