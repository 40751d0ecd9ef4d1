package transforms

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// The fixtures are TimezoneConverterTest's: a record schema with every
// temporal type and a source block with table, lsn, ts_* and random.

func tzNamed(name string, t schema.Type) *schema.Schema {
	return &schema.Schema{Type: t, Optional: true, Name: name, Version: 1}
}

var (
	tzSourceSchema = schema.StructOf("", true,
		schema.NewField("table", schema.StringSchema),
		schema.NewField("lsn", schema.Int32Schema),
		schema.NewField("ts_ms", schema.OptionalInt64Schema),
		schema.NewField("ts_us", schema.OptionalInt64Schema),
		schema.NewField("ts_ns", schema.OptionalInt64Schema),
		schema.NewField("random", schema.OptionalInt64Schema))
	tzRecordSchema = schema.StructOf("", true,
		schema.NewField("id", schema.Int8Schema),
		schema.NewField("name", schema.StringSchema),
		schema.NewField("order_date", tzNamed("io.debezium.time.Date", schema.TypeInt32)),
		schema.NewField("ship_date", tzNamed("io.debezium.time.Date", schema.TypeInt32)),
		schema.NewField("order_date_micros", tzNamed(tzMicroTimestamp, schema.TypeInt64)),
		schema.NewField("order_date_nanos", tzNamed(tzNanoTimestamp, schema.TypeInt64)),
		schema.NewField("order_date_timestamp", tzNamed(tzTimestamp, schema.TypeInt64)),
		schema.NewField("order_date_zoned_timestamp", tzNamed(tzZonedTimestamp, schema.TypeString)),
		schema.NewField("shipping_date_zoned_timestamp", tzNamed(tzZonedTimestamp, schema.TypeString)),
		schema.NewField("order_date_zoned_time", tzNamed(tzZonedTime, schema.TypeString)),
		schema.NewField("order_date_kc_timestamp", tzNamed(schema.TimestampName, schema.TypeInt64)))
	tzEnvelopeSchema = schema.StructOf("dummy.Envelope", false,
		schema.NewField("before", tzRecordSchema),
		schema.NewField("after", tzRecordSchema),
		schema.NewField("source", tzSourceSchema),
		schema.NewField("op", schema.StringSchema),
		schema.NewField("ts_ms", schema.OptionalInt64Schema))
)

// tzRecord is a create on topic whose after row has the given fields and
// whose source has the given table and ts_* fields.
func tzRecord(topic string, row, source map[string]any) connect.SourceRecord {
	after := schema.NewStruct(tzRecordSchema)
	after.Set("id", int8(1)).Set("name", "Srikanth")
	for k, v := range row {
		after.Set(k, v)
	}
	src := schema.NewStruct(tzSourceSchema)
	src.Set("table", "orders").Set("lsn", int32(1)).Set("ts_ms", int64(123456789))
	for k, v := range source {
		src.Set(k, v)
	}
	env := &schema.Struct{Schema: tzEnvelopeSchema, Values: []any{nil, after, src, "c", int64(1)}}
	return connect.SourceRecord{Topic: topic, ValueSchema: tzEnvelopeSchema, Value: env}
}

func newTZ(t *testing.T, config map[string]string) connect.Transformation {
	t.Helper()
	tr, errs := NewTimezoneConverter(config)
	if len(errs) > 0 {
		t.Fatalf("NewTimezoneConverter(%v): %v", config, errs)
	}
	return tr
}

func tzApply(t *testing.T, tr connect.Transformation, in connect.SourceRecord) (after, source *schema.Struct) {
	t.Helper()
	out, keep, err := tr.Apply(in)
	if err != nil || !keep {
		t.Fatalf("Apply: %v %v", keep, err)
	}
	if out.ValueSchema != in.ValueSchema {
		t.Error("schema changed")
	}
	env := out.Value.(*schema.Struct)
	return env.Get("after").(*schema.Struct), env.Get("source").(*schema.Struct)
}

const tzTopic = "db.server1.table1"

// TestTimezoneConverter ports TimezoneConverterTest's conversion cases;
// each expects the listed after (and source) values.
func TestTimezoneConverter(t *testing.T) {
	for _, c := range []struct {
		name        string
		config      map[string]string
		topic       string
		row, source map[string]any
		wantAfter   map[string]any
		wantSource  map[string]any
	}{
		{"testMultipleDebeziumTimestamps", map[string]string{"converted.timezone": "+05:30"}, tzTopic,
			map[string]any{"order_date_micros": int64(1529507596945104), "order_date_nanos": int64(1531481025340000104),
				"order_date_timestamp": int64(1514908810123), "order_date_zoned_timestamp": "2018-01-02T11:15:30.123456789+00:00",
				"order_date_zoned_time": "11:15:30.123456789+00:00"}, map[string]any{"table": "orders"},
			map[string]any{"order_date_micros": int64(1529487796945104), "order_date_nanos": int64(1531461225340000104),
				"order_date_timestamp": int64(1514889010123), "order_date_zoned_timestamp": "2018-01-02T16:45:30.123456789+05:30",
				"order_date_zoned_time": "16:45:30.123456789+05:30"},
			map[string]any{"table": "orders", "ts_ms": int64(123456789)}},
		{"testSingleDebeziumTimestamp", map[string]string{"converted.timezone": "Pacific/Easter"}, tzTopic,
			map[string]any{"order_date_zoned_timestamp": "2011-01-11T16:40:30.123456789+00:00", "shipping_date_zoned_timestamp": "2011-02-02T11:04:30.123456789+00:00"}, nil,
			map[string]any{"order_date_zoned_timestamp": "2011-01-11T11:40:30.123456789-05:00", "shipping_date_zoned_timestamp": "2011-02-02T06:04:30.123456789-05:00"}, nil},
		{"testKafkaConnectTimestamp", map[string]string{"converted.timezone": "Africa/Cairo"}, tzTopic,
			map[string]any{"order_date_kc_timestamp": time.Date(2018, 3, 27, 2, 0, 0, 0, time.UTC)}, nil,
			map[string]any{"order_date_kc_timestamp": time.Date(2018, 3, 27, 0, 0, 0, 0, time.UTC)}, nil},
		{"testIncludeListWithTablePrefix", map[string]string{"converted.timezone": "Atlantic/Azores", "include.list": "source:customers:after.order_date_zoned_timestamp"}, tzTopic,
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T11:55:30+00:00", "shipping_date_zoned_timestamp": "2020-05-01T11:55:30+00:00"}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T10:55:30-01:00", "shipping_date_zoned_timestamp": "2020-05-01T11:55:30+00:00"}, nil},
		{"testIncludeListWithTopicPrefix", map[string]string{"converted.timezone": "+05:30", "include.list": "topic:db.server1.table1:order_date_zoned_time"}, tzTopic,
			map[string]any{"order_date_zoned_time": "11:55:30+00:00"}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_time": "17:25:30+05:30"}, nil},
		{"testIncludeListWithNoPrefix", map[string]string{"converted.timezone": "Asia/Kolkata", "include.list": "db.server1.table1:order_date_zoned_time"}, tzTopic,
			map[string]any{"order_date_zoned_time": "11:55:30+00:00"}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_time": "17:25:30+05:30"}, nil},
		{"testExcludeListWithTablePrefix", map[string]string{"converted.timezone": "+05:30", "exclude.list": "source:customers:order_date_zoned_timestamp"}, tzTopic,
			map[string]any{"order_date_zoned_time": "11:55:30+00:00"}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_time": "17:25:30+05:30"}, nil},
		{"testExcludeListWithTopicPrefix", map[string]string{"converted.timezone": "America/Chicago", "exclude.list": "topic:db.server1.table1:order_date_zoned_time"}, tzTopic,
			map[string]any{"order_date_zoned_time": "11:55:30+00:00", "order_date": int32(17109)}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_time": "11:55:30+00:00", "order_date": int32(17109)}, nil},
		{"testExcludeListWithNoPrefix", map[string]string{"converted.timezone": "+08:00:00", "exclude.list": "db.server1.table1:ship_date"}, tzTopic,
			map[string]any{"order_date_zoned_time": "11:55:30+00:00"}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_time": "19:55:30+08:00"}, nil},
		{"testIncludeListMultipleTables customers1", map[string]string{"converted.timezone": "+03:00", "include.list": "source:customers1,orders1,public1"}, "t",
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T11:55:30+00:00", "shipping_date_zoned_timestamp": "2020-01-01T15:40:10+00:00"}, map[string]any{"table": "customers1"},
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T14:55:30+03:00", "shipping_date_zoned_timestamp": "2020-01-01T18:40:10+03:00"}, nil},
		{"testIncludeListMultipleTables orders1", map[string]string{"converted.timezone": "+03:00", "include.list": "source:customers1,orders1,public1"}, "t",
			map[string]any{"order_date_zoned_timestamp": "2023-08-01T11:50:45+00:00", "shipping_date_zoned_timestamp": "2023-09-01T11:55:30+00:00"}, map[string]any{"table": "orders1"},
			map[string]any{"order_date_zoned_timestamp": "2023-08-01T14:50:45+03:00", "shipping_date_zoned_timestamp": "2023-09-01T14:55:30+03:00"}, nil},
		{"testIncludeListMultipleTables other", map[string]string{"converted.timezone": "+03:00", "include.list": "source:customers1,orders1,public1"}, "t",
			map[string]any{"order_date_zoned_timestamp": "2023-08-01T11:50:45+00:00", "shipping_date_zoned_timestamp": "2023-09-01T11:55:30+00:00"}, map[string]any{"table": "other"},
			map[string]any{"order_date_zoned_timestamp": "2023-08-01T11:50:45+00:00", "shipping_date_zoned_timestamp": "2023-09-01T11:55:30+00:00"}, nil},
		{"testExcludeListMultipleTables customers", map[string]string{"converted.timezone": "-06:00", "exclude.list": "topic:db.server1.customers,db.server1.public"}, "db.server1.customers",
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T11:55:30+00:00", "shipping_date_zoned_timestamp": "2020-01-01T15:40:10+00:00"}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T11:55:30+00:00", "shipping_date_zoned_timestamp": "2020-01-01T15:40:10+00:00"}, nil},
		{"testExcludeListMultipleTables orders", map[string]string{"converted.timezone": "-06:00", "exclude.list": "topic:db.server1.customers,db.server1.public"}, "db.server1.orders",
			map[string]any{"order_date_zoned_timestamp": "2023-08-01T11:50:45+00:00", "shipping_date_zoned_timestamp": "2023-09-01T11:55:30+00:00"}, map[string]any{"table": "orders"},
			map[string]any{"order_date_zoned_timestamp": "2023-08-01T05:50:45-06:00", "shipping_date_zoned_timestamp": "2023-09-01T05:55:30-06:00"}, nil},
		{"testExcludeListWithMultipleFields customers", map[string]string{"converted.timezone": "Europe/Moscow",
			"exclude.list": "topic:db.server1.customers:order_date_zoned_time,db.server1.inventory:order_date"}, "db.server1.customers",
			map[string]any{"name": "Amy Rose", "order_date_zoned_time": "10:19:25+00:00"}, map[string]any{"table": "customers"},
			map[string]any{"name": "Amy Rose", "order_date_zoned_time": "10:19:25+00:00"}, nil},
		{"testExcludeListWithMultipleFields inventory", map[string]string{"converted.timezone": "Europe/Moscow",
			"exclude.list": "topic:db.server1.customers:order_date_zoned_time,db.server1.inventory:order_date"}, "db.server1.inventory",
			map[string]any{"name": "Amy Rose", "order_date_zoned_time": "19:19:25+00:00"}, map[string]any{"table": "inventory"},
			map[string]any{"name": "Amy Rose", "order_date_zoned_time": "22:19:25+03:00"}, nil},
		{"testDayLightSavings", map[string]string{"converted.timezone": "Europe/Paris"}, tzTopic,
			map[string]any{"order_date_zoned_timestamp": "2014-06-22T10:15:30Z", "shipping_date_zoned_timestamp": "2014-12-22T10:15:30Z"}, map[string]any{"table": "customers"},
			map[string]any{"order_date_zoned_timestamp": "2014-06-22T12:15:30+02:00", "shipping_date_zoned_timestamp": "2014-12-22T11:15:30+01:00"}, nil},
		{"testSourceBlockTimestamp", map[string]string{"converted.timezone": "Europe/Moscow", "include.list": "source:customers:source.ts_ms"}, tzTopic,
			map[string]any{"order_date_zoned_time": "11:15:30.123456789+00:00"}, map[string]any{"table": "customers", "ts_ms": int64(1234567890)},
			map[string]any{"order_date_zoned_time": "11:15:30.123456789+00:00"}, map[string]any{"ts_ms": int64(1245367890)}},
		{"testEpochTimezoneConversion", map[string]string{"converted.timezone": "Asia/Kolkata",
			"include.list": "source:customers:source.ts_ms,customers:source.ts_ns,customers:source.ts_us,customers:source.random,customers:order_date_zoned_time"}, tzTopic,
			map[string]any{"order_date_zoned_time": "11:00:00.123456789+00:00"},
			map[string]any{"table": "customers", "ts_ms": int64(1762652621071), "ts_ns": int64(1762652621071088000), "ts_us": int64(1762652621071088), "random": int64(125)},
			map[string]any{"order_date_zoned_time": "16:30:00.123456789+05:30"},
			map[string]any{"ts_ms": int64(1762672421071), "ts_ns": int64(1762672421071088000), "ts_us": int64(1762672421071088), "random": int64(125)}},
		{"to UTC", map[string]string{"converted.timezone": "UTC"}, tzTopic,
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T11:55:30.120+02:00"}, nil,
			map[string]any{"order_date_zoned_timestamp": "2020-01-01T09:55:30.12Z"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newTZ(t, c.config)
			in := tzRecord(c.topic, c.row, c.source)
			after, source := tzApply(t, tr, in)
			for k, want := range c.wantAfter {
				if got := after.Get(k); !schema.Equal(got, want) {
					t.Errorf("after.%s = %#v, want %#v", k, got, want)
				}
			}
			for k, want := range c.wantSource {
				if got := source.Get(k); !schema.Equal(got, want) {
					t.Errorf("source.%s = %#v, want %#v", k, got, want)
				}
			}
			// The input record's structs are not edited.
			inAfter := in.Value.(*schema.Struct).Get("after").(*schema.Struct)
			for k, v := range c.row {
				if !schema.Equal(inAfter.Get(k), v) {
					t.Errorf("input after.%s changed to %#v", k, inAfter.Get(k))
				}
			}
		})
	}
}

// TestTimezoneConverterConfig ports testBothIncludeExcludeList,
// testWithNoConfig and testWithInvalidConfig, with the list format check.
func TestTimezoneConverterConfig(t *testing.T) {
	for _, c := range []struct {
		config map[string]string
		want   string
	}{
		{map[string]string{"converted.timezone": "+05:30", "include.list": "topic:db.server1.customers,db.server1.public",
			"exclude.list": "topic:db.server1.customers,db.server1.public"}, "Both include and exclude lists are specified. Please specify only one."},
		{map[string]string{"include.list": "topic:db.server1.customers"},
			"Invalid value null for configuration converted.timezone: The 'converted.timezone' value is invalid: A value is required"},
		{map[string]string{"converted.timezone": "Asia", "include.list": "topic:db.server1.customers"},
			"Invalid timezone format. Please specify either a geographic timezone (e.g. America/Los_Angeles) or a UTC offset in the format of +/-hh:mm, (e.g. +08:00)."},
		{map[string]string{"converted.timezone": "+25:00"},
			"Invalid timezone format. Please specify either a geographic timezone (e.g. America/Los_Angeles) or a UTC offset in the format of +/-hh:mm, (e.g. +08:00)."},
		{map[string]string{"converted.timezone": "UTC", "include.list": "a:b:c:d"},
			`Invalid include list format. Please specify a list of rules in the format of "source:<tablename>:<fieldnames>", "topic:<topicname>:<fieldnames>", "<matchname>:<fieldnames>"`},
		{map[string]string{"converted.timezone": "UTC", "exclude.list": "a-b"},
			`Invalid exclude list format. Please specify a list of rules in the format of "source:<tablename>:<fieldnames>", "topic:<topicname>:<fieldnames>", "<matchname>:<fieldnames>"`},
		{map[string]string{"converted.timezone": "UTC", "include.list": "a(:b"},
			"Invalid value a(:b for configuration include.list: The 'include.list' value is invalid: A comma-separated list of valid regular expressions is expected, but "},
	} {
		tr, errs := NewTimezoneConverter(c.config)
		if tr != nil || len(errs) != 1 || !strings.HasPrefix(errs[0].Message, c.want) {
			t.Errorf("%v: %v, want %q", c.config, errs, c.want)
		}
	}
}

// TestTimezoneConverterUnsupported ports testUnsupportedLogicalTypes: a
// date named in the include list is left alone, with a warning.
func TestTimezoneConverterUnsupported(t *testing.T) {
	tr := newTZ(t, map[string]string{"converted.timezone": "Europe/Moscow", "include.list": "source:customers:order_date"})
	var logs bytes.Buffer
	tr.(connect.LoggingTransformation).SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	after, _ := tzApply(t, tr, tzRecord(tzTopic, map[string]any{"order_date": int32(17109), "ship_date": int32(17111)}, map[string]any{"table": "customers"}))
	if after.Get("order_date") != int32(17109) || after.Get("ship_date") != int32(17111) {
		t.Errorf("after %v", after.Values)
	}
	if !strings.Contains(logs.String(), "Skipping conversion for unsupported logical type: io.debezium.time.Date for field: order_date") {
		t.Errorf("logs %s", logs.String())
	}
}

// TestOffsetAtLocal: ZoneRules.getOffset(LocalDateTime) in a gap and an
// overlap gives the offset before the transition (Europe/Berlin, 2024).
func TestOffsetAtLocal(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		local time.Time
		want  int
	}{
		{time.Date(2024, 3, 31, 2, 30, 0, 0, time.UTC), 3600},
		{time.Date(2024, 10, 27, 2, 30, 0, 0, time.UTC), 7200},
		{time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC), 7200},
		{time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), 3600},
	} {
		if got := offsetAtLocal(berlin, c.local); got != c.want {
			t.Errorf("%v: %d, want %d", c.local, got, c.want)
		}
	}
}
