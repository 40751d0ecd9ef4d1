package typemap

import "testing"

// BenchmarkDecode decodes one text value per column type of the bench
// table, plus the other temporal types.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		name string
		col  Column
		text string
	}{
		{"int8", Column{TypeOID: OIDInt8}, "123456"},
		{"int4", Column{TypeOID: OIDInt4}, "456"},
		{"text", Column{TypeOID: OIDText}, "row 123456"},
		{"timestamptz", Column{TypeOID: OIDTimestamptz, TypeMod: -1}, "2026-11-27 11:43:58.123456+00"},
		{"timestamp", Column{TypeOID: OIDTimestamp, TypeMod: -1}, "2026-11-27 11:43:58.123456"},
		{"timetz", Column{TypeOID: OIDTimetz}, "13:51:30.123789+02"},
		{"numeric(12,2)", Column{TypeOID: OIDNumeric, TypeMod: int32(12<<16|2) + 4}, "1234.56"},
		{"numeric(12,2) rescaled", Column{TypeOID: OIDNumeric, TypeMod: int32(12<<16|2) + 4}, "-1234.5"},
		{"numeric", Column{TypeOID: OIDNumeric, TypeMod: -1}, "1234.5600"},
		{"numeric(38,2) long", Column{TypeOID: OIDNumeric, TypeMod: int32(38<<16|2) + 4}, "123456789012345678901234.56"},
		{"date", Column{TypeOID: OIDDate}, "2026-11-27"},
	} {
		m, err := For(c.col)
		if err != nil {
			b.Fatal(err)
		}
		text := []byte(c.text)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Decode(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
