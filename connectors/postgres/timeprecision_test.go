package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/linkedin/goavro/v2"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
	"github.com/tributary-cdc/tributary/schema/registry"
)

const temporalDDL = `CREATE TABLE public.temporal(
	id int PRIMARY KEY,
	c_date date, c_time time, c_time0 time(0), c_time3 time(3), c_time24 time, c_timetz timetz,
	c_ts timestamp, c_ts0 timestamp(0), c_ts3 timestamp(3), c_ts_old timestamp,
	c_ts_inf timestamp, c_ts_ninf timestamp,
	c_tstz timestamptz, c_tstz0 timestamptz(0), c_tstz_inf timestamptz,
	c_def date DEFAULT '2016-01-16')`

const temporalValues = `'2016-01-16', '11:51:02.123456', '11:51:02', '11:51:02.12', '24:00:00', '11:51:02.5+02',
	'2020-04-01 11:51:02.123456', '2020-04-01 11:51:02', '2020-04-01 11:51:02.12', '1900-01-01 00:00:00.5',
	'infinity', '-infinity',
	'2020-04-01 11:51:02.5+02', '2020-04-01 11:51:02+00', 'infinity',
	DEFAULT`

// temporalField is the expected JsonConverter schema and value of a column.
type temporalField struct {
	typ, name string
	value     any // nil for a null value
}

// temporalWant gives, per time.precision.mode, the expected field of each
// column. The values come from Debezium's converters (TemporalPrecisionMode,
// JdbcValueConverters, io.debezium.time.Iso*/Micro*/Nano*,
// PostgresValueConverter); typemap's TestTimePrecisionModes lists the
// derivation of each one.
func temporalWant() map[string]map[string]temporalField {
	iso := func(name, v string) temporalField { return temporalField{"string", name, v} }
	i64 := func(name string, v int64) temporalField { return temporalField{"int64", name, v} }
	zoned := map[string]temporalField{
		"c_timetz":   {"string", typemap.ZonedTimeName, "09:51:02.5Z"},
		"c_tstz":     {"string", typemap.ZonedTimestampName, "2020-04-01T09:51:02.500000Z"},
		"c_tstz0":    {"string", typemap.ZonedTimestampName, "2020-04-01T11:51:02Z"},
		"c_tstz_inf": {"string", typemap.ZonedTimestampName, "infinity"},
	}
	withZoned := func(m map[string]temporalField) map[string]temporalField {
		for k, v := range zoned {
			m[k] = v
		}
		return m
	}
	return map[string]map[string]temporalField{
		typemap.TimeISOString: withZoned(map[string]temporalField{
			"c_date":    iso(typemap.IsoDateName, "2016-01-16Z"),
			"c_def":     iso(typemap.IsoDateName, "2016-01-16Z"),
			"c_time":    iso(typemap.IsoTimeName, "11:51:02.123456Z"),
			"c_time0":   iso(typemap.IsoTimeName, "11:51:02Z"),
			"c_time3":   iso(typemap.IsoTimeName, "11:51:02.12Z"),
			"c_time24":  iso(typemap.IsoTimeName, "00:00:00Z"),
			"c_ts":      iso(typemap.IsoTimestampName, "2020-04-01T11:51:02.123456Z"),
			"c_ts0":     iso(typemap.IsoTimestampName, "2020-04-01T11:51:02Z"),
			"c_ts3":     iso(typemap.IsoTimestampName, "2020-04-01T11:51:02.12Z"),
			"c_ts_old":  iso(typemap.IsoTimestampName, "1900-01-01T00:00:00.5Z"),
			"c_ts_inf":  iso(typemap.IsoTimestampName, "+294247-01-10T04:00:25.2Z"),
			"c_ts_ninf": iso(typemap.IsoTimestampName, "-290308-12-21T19:59:27.6Z"),
		}),
		typemap.TimeMicroseconds: withZoned(map[string]temporalField{
			"c_date":    {"int32", typemap.DateName, int32(16816)},
			"c_def":     {"int32", typemap.DateName, int32(16816)},
			"c_time":    i64(typemap.MicroTimeName, 42662123456),
			"c_time0":   i64(typemap.MicroTimeName, 42662000000),
			"c_time3":   i64(typemap.MicroTimeName, 42662120000),
			"c_time24":  i64(typemap.MicroTimeName, 86400000000),
			"c_ts":      i64(typemap.MicroTimestampName, 1585741862123456),
			"c_ts0":     i64(typemap.MicroTimestampName, 1585741862000000),
			"c_ts3":     i64(typemap.MicroTimestampName, 1585741862120000),
			"c_ts_old":  i64(typemap.MicroTimestampName, -2208988799500000),
			"c_ts_inf":  i64(typemap.MicroTimestampName, typemap.PositiveInfinityTimestamp),
			"c_ts_ninf": i64(typemap.MicroTimestampName, typemap.NegativeInfinityTimestamp),
		}),
		typemap.TimeNanoseconds: withZoned(map[string]temporalField{
			"c_date":   {"int32", typemap.DateName, int32(16816)},
			"c_def":    {"int32", typemap.DateName, int32(16816)},
			"c_time":   i64(typemap.NanoTimeName, 42662123456000),
			"c_time0":  i64(typemap.NanoTimeName, 42662000000000),
			"c_time3":  i64(typemap.NanoTimeName, 42662120000000),
			"c_time24": i64(typemap.NanoTimeName, 86400000000000),
			"c_ts":     i64(typemap.NanoTimestampName, 1585741862123456000),
			"c_ts0":    i64(typemap.NanoTimestampName, 1585741862000000000),
			"c_ts3":    i64(typemap.NanoTimestampName, 1585741862120000000),
			"c_ts_old": i64(typemap.NanoTimestampName, -2208988799500000000),
			// Out of NanoTimestamp's range: Debezium's converter gives
			// null for a nullable column.
			"c_ts_inf":  {"int64", typemap.NanoTimestampName, nil},
			"c_ts_ninf": {"int64", typemap.NanoTimestampName, nil},
		}),
	}
}

// TestTimePrecisionModesEndToEnd snapshots and streams a row of every
// temporal type under the isostring, microseconds and nanoseconds modes
// and checks that the snapshot value, the streamed value and Debezium's
// value agree, through the JsonConverter and the AvroConverter.
func TestTimePrecisionModesEndToEnd(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, temporalDDL, `INSERT INTO public.temporal VALUES (1, `+temporalValues+`)`)
	want := temporalWant()
	for i, mode := range []string{typemap.TimeISOString, typemap.TimeMicroseconds, typemap.TimeNanoseconds} {
		t.Run(mode, func(t *testing.T) {
			name := fmt.Sprintf("temporal_%d", i)
			h := newHarness(t, pg, map[string]string{
				"table.include.list":  "public.temporal",
				"slot.name":           name,
				"publication.name":    name,
				"time.precision.mode": mode,
			})
			h.start()
			snap := h.poll(1)[0]
			id := 100 + i
			pg.Exec(t, fmt.Sprintf(`INSERT INTO public.temporal VALUES (%d, %s)`, id, temporalValues))
			streamed := h.poll(1)[0]
			// The next mode's snapshot must see only row 1.
			pg.Exec(t, fmt.Sprintf(`DELETE FROM public.temporal WHERE id = %d`, id))
			if op(t, snap) != "r" || op(t, streamed) != "c" {
				t.Fatalf("ops %s, %s", op(t, snap), op(t, streamed))
			}
			for _, r := range []connect.SourceRecord{snap, streamed} {
				path := map[string]string{"r": "snapshot", "c": "streaming"}[op(t, r)]
				checkTemporalJSON(t, path, r, want[mode])
				checkTemporalAvro(t, path, r, want[mode])
			}
		})
	}
}

// checkTemporalJSON renders the record with the JsonConverter and checks
// each column's field schema and value, and c_def's schema default.
func checkTemporalJSON(t *testing.T, path string, r connect.SourceRecord, want map[string]temporalField) {
	t.Helper()
	fields, _ := renderAfter(t, r)
	after := afterJSONNumbers(t, r)
	for col, w := range want {
		f := fields[col]
		if f["type"] != w.typ || f["name"] != w.name || f["version"] != float64(1) || f["optional"] != true {
			t.Errorf("%s %s schema %v, want %s %s version 1 optional", path, col, f, w.typ, w.name)
		}
		if got := after[col]; !jsonEqual(got, w.value) {
			t.Errorf("%s %s = %v, want %v", path, col, got, w.value)
		}
	}
	if d := fields["c_def"]["default"]; !jsonEqual(d, want["c_def"].value) {
		t.Errorf("%s c_def default %v, want %v", path, d, want["c_def"].value)
	}
	if n := len(fields); n != len(want)+1 {
		t.Errorf("%s: %d after fields, want %d", path, n, len(want)+1)
	}
}

// afterJSONNumbers is the after payload of the JsonConverter output with
// numbers kept exact (nanosecond values do not fit a float64).
func afterJSONNumbers(t *testing.T, r connect.SourceRecord) map[string]any {
	t.Helper()
	conv, err := jsonconv.New(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := conv.FromConnect(r.Topic, r.ValueSchema, r.Value)
	if err != nil {
		t.Fatalf("rendering: %v", err)
	}
	var doc struct {
		Payload struct {
			After map[string]any `json:"after"`
		} `json:"payload"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return doc.Payload.After
}

// jsonEqual compares a decoded JSON value (numbers as json.Number or
// float64) with an expected Go value.
func jsonEqual(got, want any) bool {
	if want == nil || got == nil {
		return got == nil && want == nil
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}

// checkTemporalAvro encodes the record with the AvroConverter, decodes the
// Confluent-framed bytes with the registered schema and checks each column.
func checkTemporalAvro(t *testing.T, path string, r connect.SourceRecord, want map[string]temporalField) {
	t.Helper()
	reg := &memRegistry{}
	conv, err := avro.New(map[string]string{}, false, reg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := conv.FromConnect(r.Topic, r.ValueSchema, r.Value)
	if err != nil {
		t.Fatalf("%s: Avro encoding: %v", path, err)
	}
	id, body, err := avro.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	text := reg.text(id)
	for _, w := range want {
		if !strings.Contains(text, `"connect.name":"`+w.name+`"`) {
			t.Errorf("%s: Avro schema lacks connect.name %s: %s", path, w.name, text)
		}
	}
	codec, err := goavro.NewCodec(text)
	if err != nil {
		t.Fatal(err)
	}
	native, _, err := codec.NativeFromBinary(body)
	if err != nil {
		t.Fatalf("%s: decoding Avro: %v", path, err)
	}
	after := unionValue(native.(map[string]any)["after"]).(map[string]any)
	for col, w := range want {
		got := unionValue(after[col])
		if !reflect.DeepEqual(got, w.value) {
			t.Errorf("%s Avro %s = %#v, want %#v", path, col, got, w.value)
		}
	}
}

// unionValue unwraps goavro's {"branch": value} form of a union value (the
// records here have many fields, so a one-key map is always a union).
func unionValue(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, inner := range m {
			return inner
		}
	}
	return v
}

// memRegistry is an in-process schema registry: ids in registration order.
type memRegistry struct {
	mu    sync.Mutex
	texts []string
}

func (m *memRegistry) Register(_ context.Context, _, text string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, s := range m.texts {
		if s == text {
			return i + 1, nil
		}
	}
	m.texts = append(m.texts, text)
	return len(m.texts), nil
}

func (m *memRegistry) LookupID(ctx context.Context, subject, text string) (int, error) {
	return m.Register(ctx, subject, text)
}

func (m *memRegistry) Latest(context.Context, string) (*registry.Schema, error) {
	return nil, fmt.Errorf("no latest schema in memRegistry")
}

func (m *memRegistry) text(id int) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.texts[id-1]
}
