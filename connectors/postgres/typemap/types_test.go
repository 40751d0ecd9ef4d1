package typemap

import (
	"math/big"
	"reflect"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// Expected values follow debezium.md §6 and debezium-values.md.
func TestDecodeModes(t *testing.T) {
	opts := func(f func(o *Options)) *Options {
		o := DefaultOptions()
		f(o)
		return o
	}
	def := DefaultOptions()
	urlSafe := opts(func(o *Options) { o.Binary = BinaryBase64URLSafe })
	str := opts(func(o *Options) { o.Decimal = DecimalString; o.Interval = IntervalString })
	money0 := opts(func(o *Options) { o.MoneyDigits = 0 })
	tests := []struct {
		name string
		o    *Options
		col  Column
		in   string
		want any
	}{
		{"bit(24)", def, Column{TypeOID: OIDBit, TypeMod: 24}, "000000110000001000000001", []byte{1, 2, 3}},
		{"bit(2) zeros", def, Column{TypeOID: OIDBit, TypeMod: 2}, "00", []byte{}},
		{"bit(10) low bit", def, Column{TypeOID: OIDBit, TypeMod: 10}, "0000000001", []byte{1}},
		{"bit(1)", def, Column{TypeOID: OIDBit, TypeMod: 1}, "0", false},
		{"money", def, Column{TypeOID: OIDMoney}, "$1,234.56", schema.Decimal{Unscaled: big.NewInt(123456), Scale: 2}},
		{"money negative", def, Column{TypeOID: OIDMoney}, "-$0.05", schema.Decimal{Unscaled: big.NewInt(-5), Scale: 2}},
		{"money rounds half up", money0, Column{TypeOID: OIDMoney}, "$2.50", schema.Decimal{Unscaled: big.NewInt(3), Scale: 0}},
		{"money string", str, Column{TypeOID: OIDMoney}, "-$0.05", "-0.05"},
		{"numeric string NaN", str, Column{TypeOID: OIDNumeric, TypeMod: -1}, "NaN", "NAN"},
		{"interval 1 day 2 hours", def, Column{TypeOID: OIDInterval}, "1 day 02:00:00", int64(26 * 3600 * 1_000_000)},
		{"interval negative days", def, Column{TypeOID: OIDInterval}, "-1 days +02:00:00", int64(-22 * 3600 * 1_000_000)},
		{"interval negative time", def, Column{TypeOID: OIDInterval}, "-02:00:00.5", int64(-7_200_500_000)},
		{"interval months", def, Column{TypeOID: OIDInterval}, "1 mon", int64(2_629_800_000_000)},
		{"interval ISO", str, Column{TypeOID: OIDInterval}, "1 year 2 mons 3 days 04:05:06.78", "P1Y2M3DT4H5M6.78S"},
		{"interval ISO zero", str, Column{TypeOID: OIDInterval}, "00:00:00", "P0Y0M0DT0H0M0S"},
		{"interval ISO negative", str, Column{TypeOID: OIDInterval}, "-02:00:00.5", "P0Y0M0DT-2H0M-0.5S"},
		{"bytea base64-url-safe", urlSafe, Column{TypeOID: OIDBytea}, `\x0102ff`, "AQL_"},
		{"text array quoting", def, Column{TypeOID: 1009, ElemOID: OIDText}, `{"a,b","q\"x",NULL,"NULL"}`, []any{"a,b", `q"x`, nil, "NULL"}},
		{"array bounds", def, Column{TypeOID: 1007, ElemOID: OIDInt4}, `[0:1]={5,6}`, []any{int32(5), int32(6)}},
		{"empty array", def, Column{TypeOID: 1007, ElemOID: OIDInt4}, `{}`, []any{}},
		{"bpchar array keeps padding", def, Column{TypeOID: 1014, ElemOID: OIDBpchar}, `{"cone      "}`, []any{"cone      "}},
		{"hstore escapes", def, Column{TypeName: "hstore"}, `"a"=>"say \"hi\"\\", "k"=>NULL`, `{"a":"say \"hi\"\\","k":null}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.o.For(tc.col)
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

// TestHstoreHashMapOrder pins java.util.HashMap's iteration order, across a
// table resize (13 keys make the table grow from 16 to 32 buckets).
func TestHstoreHashMapOrder(t *testing.T) {
	// String.hashCode: "a"=97 (bucket 1 of 16), "aa"=3104 (bucket 0).
	if got := hstoreJSON([]hstorePair{{key: "b", null: true}, {key: "aa", value: "x"}}); got != `{"aa":"x","b":null}` {
		t.Errorf("got %s", got)
	}
	// Single-letter keys hash to their code point: 97..109 go to buckets
	// 1..13 of 32 in code-point order, so "m" (109) comes last even though
	// it is put first; "q" (113) lands in bucket 17.
	pairs := []hstorePair{{key: "q", value: "1"}, {key: "m", value: "1"}}
	for c := 'a'; c < 'l'; c++ {
		pairs = append(pairs, hstorePair{key: string(c), value: "1"})
	}
	want := `{"a":"1","b":"1","c":"1","d":"1","e":"1","f":"1","g":"1","h":"1","i":"1","j":"1","k":"1","m":"1","q":"1"}`
	if got := hstoreJSON(pairs); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestUnsupportedArrays(t *testing.T) {
	for _, elem := range []uint32{OIDMoney, OIDName, OIDInterval, OIDVarbit, OIDXML, OIDPoint} {
		if _, err := For(Column{TypeOID: 1, ElemOID: elem}); err == nil {
			t.Errorf("array of oid %d: mapped, want omitted", elem)
		}
	}
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		col  Column
		want any // nil: no default
	}{
		{Column{TypeOID: OIDInt4, Default: "nextval('t_id_seq'::regclass)"}, int32(0)},
		{Column{TypeOID: OIDInt8, Default: "'-5'::integer"}, int64(-5)},
		{Column{TypeOID: OIDNumeric, TypeMod: numericMod(10, 2), Default: "12.50"}, schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}},
		{Column{TypeOID: OIDText, Default: "'it''s'::text"}, "it's"},
		{Column{TypeOID: OIDBool, Default: "true"}, true},
		{Column{TypeOID: OIDUUID, Default: "gen_random_uuid()"}, "00000000-0000-0000-0000-000000000000"},
		{Column{TypeOID: OIDDate, Default: "'2016-01-16'::date"}, int32(16816)},
		{Column{TypeOID: OIDText, Default: "upper('x'::text)"}, nil},
		{Column{TypeOID: OIDText, Default: "NULL::text"}, nil},
	} {
		m, err := For(tc.col)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == nil {
			if m.Schema.HasDefault {
				t.Errorf("%q: default %#v, want none", tc.col.Default, m.Schema.Default)
			}
			continue
		}
		if !m.Schema.HasDefault || !reflect.DeepEqual(m.Schema.Default, tc.want) {
			t.Errorf("%q: default %#v (%v), want %#v", tc.col.Default, m.Schema.Default, m.Schema.HasDefault, tc.want)
		}
	}
}
