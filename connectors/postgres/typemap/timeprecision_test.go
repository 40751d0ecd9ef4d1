package typemap

import (
	"reflect"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// TestTimePrecisionModes checks the schema and value of every temporal type
// under the isostring, microseconds and nanoseconds modes. Expected values
// follow Debezium's TemporalPrecisionMode (schema per mode),
// JdbcValueConverters.convertDate/convertTime/convertTimestamp (converter
// per mode), io.debezium.time.{IsoDate,IsoTime,IsoTimestamp,MicroTime,
// MicroTimestamp,NanoTime,NanoTimestamp} (Java's ISO_OFFSET_* formatters at
// UTC; epoch arithmetic with overflow checks) and PostgresValueConverter
// (time read as a Duration; ±infinity timestamps as the LocalDateTime of
// pgjdbc's DATE_POSITIVE/NEGATIVE_INFINITY microseconds). The string values
// were produced by those JDK formatters on the same inputs.
func TestTimePrecisionModes(t *testing.T) {
	type want struct {
		typ   schema.Type
		name  string
		value any
	}
	iso := func(name, v string) want { return want{schema.TypeString, name, v} }
	i64 := func(name string, v int64) want { return want{schema.TypeInt64, name, v} }
	day := func(v int32) want { return want{schema.TypeInt32, DateName, v} }
	zt := func(v string) want { return want{schema.TypeString, ZonedTimeName, v} }
	zts := func(v string) want { return want{schema.TypeString, ZonedTimestampName, v} }
	null := func(name string) want { return want{schema.TypeInt64, name, nil} }

	date := Column{TypeOID: OIDDate, Optional: true}
	timeCol := func(p int32) Column { return Column{TypeOID: OIDTime, TypeMod: p, Optional: true} }
	tsCol := func(p int32) Column { return Column{TypeOID: OIDTimestamp, TypeMod: p, Optional: true} }
	timetz := Column{TypeOID: OIDTimetz, TypeMod: -1, Optional: true}
	tstz := Column{TypeOID: OIDTimestamptz, TypeMod: -1, Optional: true}

	tests := []struct {
		name string
		col  Column
		in   string
		// by mode: isostring, microseconds, nanoseconds
		iso, micro, nano want
	}{
		{"date", date, "2016-01-16",
			iso(IsoDateName, "2016-01-16Z"), day(16816), day(16816)},
		{"date before epoch", date, "1969-07-20",
			iso(IsoDateName, "1969-07-20Z"), day(-165), day(-165)},
		{"date 1 BC is year 0", date, "0001-03-15 BC",
			iso(IsoDateName, "0000-03-15Z"), day(-719454), day(-719454)},
		{"date 44 BC", date, "0044-03-15 BC",
			iso(IsoDateName, "-0043-03-15Z"), day(-735160), day(-735160)},
		{"date year 10000", date, "10000-01-01",
			iso(IsoDateName, "+10000-01-01Z"), day(2932897), day(2932897)},

		{"time", timeCol(-1), "11:51:02.123456",
			iso(IsoTimeName, "11:51:02.123456Z"), i64(MicroTimeName, 42662123456), i64(NanoTimeName, 42662123456000)},
		{"time(0)", timeCol(0), "11:51:02",
			iso(IsoTimeName, "11:51:02Z"), i64(MicroTimeName, 42662000000), i64(NanoTimeName, 42662000000000)},
		{"time(3)", timeCol(3), "11:51:02.12",
			iso(IsoTimeName, "11:51:02.12Z"), i64(MicroTimeName, 42662120000), i64(NanoTimeName, 42662120000000)},
		{"time(6) midnight", timeCol(6), "00:00:00",
			iso(IsoTimeName, "00:00:00Z"), i64(MicroTimeName, 0), i64(NanoTimeName, 0)},
		{"time 24:00", timeCol(-1), "24:00:00",
			iso(IsoTimeName, "00:00:00Z"), i64(MicroTimeName, 86400000000), i64(NanoTimeName, 86400000000000)},

		{"timestamp", tsCol(-1), "2020-04-01 11:51:02.123456",
			iso(IsoTimestampName, "2020-04-01T11:51:02.123456Z"),
			i64(MicroTimestampName, 1585741862123456), i64(NanoTimestampName, 1585741862123456000)},
		{"timestamp(0)", tsCol(0), "2020-04-01 11:51:02",
			iso(IsoTimestampName, "2020-04-01T11:51:02Z"),
			i64(MicroTimestampName, 1585741862000000), i64(NanoTimestampName, 1585741862000000000)},
		{"timestamp(3)", tsCol(3), "2020-04-01 11:51:02.12",
			iso(IsoTimestampName, "2020-04-01T11:51:02.12Z"),
			i64(MicroTimestampName, 1585741862120000), i64(NanoTimestampName, 1585741862120000000)},
		{"timestamp before epoch", tsCol(-1), "1900-01-01 00:00:00.5",
			iso(IsoTimestampName, "1900-01-01T00:00:00.5Z"),
			i64(MicroTimestampName, -2208988799500000), i64(NanoTimestampName, -2208988799500000000)},
		{"timestamp 1 BC", tsCol(-1), "0001-01-01 00:00:00 BC",
			iso(IsoTimestampName, "0000-01-01T00:00:00Z"),
			i64(MicroTimestampName, -62167219200000000), null(NanoTimestampName)},
		{"timestamp year 10000", tsCol(-1), "10000-01-01 00:00:00",
			iso(IsoTimestampName, "+10000-01-01T00:00:00Z"),
			i64(MicroTimestampName, 253402300800000000), null(NanoTimestampName)},
		{"timestamp last nanosecond day", tsCol(-1), "2262-04-11 23:47:16.854775",
			iso(IsoTimestampName, "2262-04-11T23:47:16.854775Z"),
			i64(MicroTimestampName, 9223372036854775), i64(NanoTimestampName, 9223372036854775000)},
		{"timestamp past int64 nanos", tsCol(-1), "2262-04-11 23:47:16.854776",
			iso(IsoTimestampName, "2262-04-11T23:47:16.854776Z"),
			i64(MicroTimestampName, 9223372036854776), null(NanoTimestampName)},
		{"timestamp first nanosecond day", tsCol(-1), "1677-09-22 00:00:00",
			iso(IsoTimestampName, "1677-09-22T00:00:00Z"),
			i64(MicroTimestampName, -9223286400000000), i64(NanoTimestampName, -9223286400000000000)},
		// Representable in int64 nanoseconds, but epochDay*nanosPerDay
		// overflows first in NanoTimestamp.toEpochNanos.
		{"timestamp day before", tsCol(-1), "1677-09-21 23:59:59.999999",
			iso(IsoTimestampName, "1677-09-21T23:59:59.999999Z"),
			i64(MicroTimestampName, -9223286400000001), null(NanoTimestampName)},
		{"timestamp infinity", tsCol(-1), "infinity",
			iso(IsoTimestampName, "+294247-01-10T04:00:25.2Z"),
			i64(MicroTimestampName, PositiveInfinityTimestamp), null(NanoTimestampName)},
		{"timestamp -infinity", tsCol(3), "-infinity",
			iso(IsoTimestampName, "-290308-12-21T19:59:27.6Z"),
			i64(MicroTimestampName, NegativeInfinityTimestamp), null(NanoTimestampName)},

		// timetz and timestamptz keep ZonedTime and ZonedTimestamp in
		// every mode but structured.
		{"timetz", timetz, "11:51:02.5+02",
			zt("09:51:02.5Z"), zt("09:51:02.5Z"), zt("09:51:02.5Z")},
		{"timestamptz", tstz, "2020-04-01 11:51:02.5+02",
			zts("2020-04-01T09:51:02.500000Z"), zts("2020-04-01T09:51:02.500000Z"), zts("2020-04-01T09:51:02.500000Z")},
		{"timestamptz infinity", tstz, "infinity",
			zts("infinity"), zts("infinity"), zts("infinity")},
		{"timestamptz -infinity", tstz, "-infinity",
			zts("-infinity"), zts("-infinity"), zts("-infinity")},
	}
	for _, tc := range tests {
		for _, mode := range []struct {
			name string
			want want
		}{{TimeISOString, tc.iso}, {TimeMicroseconds, tc.micro}, {TimeNanoseconds, tc.nano}} {
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				o := DefaultOptions()
				o.Time = mode.name
				m, err := o.For(tc.col)
				if err != nil {
					t.Fatal(err)
				}
				s := m.Schema
				if s.Type != mode.want.typ || s.Name != mode.want.name || s.Version != 1 || !s.Optional {
					t.Errorf("schema %s %q v%d optional=%v, want %s %q v1 optional", s.Type, s.Name, s.Version, s.Optional, mode.want.typ, mode.want.name)
				}
				got, err := m.Decode([]byte(tc.in))
				if err != nil {
					t.Fatalf("Decode(%q): %v", tc.in, err)
				}
				if !reflect.DeepEqual(got, mode.want.value) {
					t.Errorf("Decode(%q) = %#v, want %#v", tc.in, got, mode.want.value)
				}
			})
		}
	}
}

// TestNanoTimestampRequiredOutOfRange: Debezium's handleUnknownData fails a
// NOT NULL column whose value the converter rejects instead of writing null.
func TestNanoTimestampRequiredOutOfRange(t *testing.T) {
	o := DefaultOptions()
	o.Time = TimeNanoseconds
	m, err := o.For(Column{TypeOID: OIDTimestamp, TypeMod: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"infinity", "-infinity", "2262-04-12 00:00:00"} {
		if v, err := m.Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) = %#v, want an error", in, v)
		}
	}
}

// TestTimePrecisionFallbacks: the values JdbcValueConverters gives a NOT
// NULL column without a value (convertDateToUtcIsoString and its siblings:
// "1970-01-01Z", "00:00:00Z", "1970-01-01T00:00:00Z", 0L, 0).
func TestTimePrecisionFallbacks(t *testing.T) {
	for _, tc := range []struct {
		mode string
		col  Column
		want any
	}{
		{TimeISOString, Column{TypeOID: OIDDate}, "1970-01-01Z"},
		{TimeISOString, Column{TypeOID: OIDTime, TypeMod: -1}, "00:00:00Z"},
		{TimeISOString, Column{TypeOID: OIDTimestamp, TypeMod: -1}, "1970-01-01T00:00:00Z"},
		{TimeMicroseconds, Column{TypeOID: OIDDate}, int32(0)},
		{TimeMicroseconds, Column{TypeOID: OIDTime, TypeMod: 3}, int64(0)},
		{TimeMicroseconds, Column{TypeOID: OIDTimestamp, TypeMod: 3}, int64(0)},
		{TimeNanoseconds, Column{TypeOID: OIDTime, TypeMod: -1}, int64(0)},
		{TimeNanoseconds, Column{TypeOID: OIDTimestamp, TypeMod: -1}, int64(0)},
	} {
		o := DefaultOptions()
		o.Time = tc.mode
		m, err := o.For(tc.col)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m.Fallback, tc.want) {
			t.Errorf("%s oid %d: fallback %#v, want %#v", tc.mode, tc.col.TypeOID, m.Fallback, tc.want)
		}
	}
}
