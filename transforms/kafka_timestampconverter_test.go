package transforms

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// The instants of Kafka's TimestampConverterTest.
var (
	tcDatePlusTime       = time.UnixMilli(86401234).UTC() // 1970-01-02T00:00:01.234Z
	tcDate               = time.UnixMilli(86400000).UTC()
	tcTime               = time.UnixMilli(1234).UTC()
	tcDatePlusTimeUnix   = int64(86401234)
	tcDatePlusTimeString = "1970 01 02 00 00 01 234 UTC"
	tcStringFormat       = "yyyy MM dd HH mm ss SSS z"
	tcDateSchema         = &schema.Schema{Type: schema.TypeInt32, Name: schema.DateName, Version: 1}
	tcTimeSchema         = &schema.Schema{Type: schema.TypeInt32, Name: schema.TimeName, Version: 1}
)

// TimestampConverterTest.testConfigNoTargetType, testConfigInvalidTargetType,
// testConfigInvalidUnixPrecision, testConfigValidUnixPrecision,
// testConfigMissingFormat, testConfigInvalidFormat
func TestTimestampConverterConfig(t *testing.T) {
	wantConfigError(t, TimestampConverterValueClass, nil, "target.type", `Missing required configuration "target.type" which has no default value.`)
	wantConfigError(t, TimestampConverterValueClass, map[string]string{"target.type": "invalid"},
		"target.type", "Invalid value invalid for configuration target.type: String must be one of: string, unix, Date, Time, Timestamp")
	wantConfigError(t, TimestampConverterValueClass, map[string]string{"target.type": "unix", "unix.precision": "invalid"},
		"unix.precision", "Invalid value invalid for configuration unix.precision: String must be one of: nanoseconds, microseconds, milliseconds, seconds")
	kafkaTransform(t, TimestampConverterValueClass, map[string]string{"target.type": "unix", "unix.precision": "seconds"})
	wantConfigError(t, TimestampConverterValueClass, map[string]string{"target.type": "string"},
		"format", "TimestampConverter requires format option to be specified when using string timestamps")
	wantConfigError(t, TimestampConverterValueClass, map[string]string{"target.type": "string", "format": "bad-format"},
		"format", "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: bad-format (Illegal pattern character 'b')")
}

// TimestampConverterTest.testWithSchema*: every source type to every
// target type, for the whole value and for a field.
func TestTimestampConverterWithSchema(t *testing.T) {
	for _, c := range []struct {
		name     string
		config   map[string]string
		in       *schema.Schema
		v        any
		wantType *schema.Schema
		want     any
	}{
		{"Identity", map[string]string{"target.type": "Timestamp"}, requiredTimestampSchema, tcDatePlusTime, requiredTimestampSchema, tcDatePlusTime},
		{"TimestampToDate", map[string]string{"target.type": "Date"}, requiredTimestampSchema, tcDatePlusTime, tcDateSchema, tcDate},
		{"TimestampToTime", map[string]string{"target.type": "Time"}, requiredTimestampSchema, tcDatePlusTime, tcTimeSchema, tcTime},
		{"TimestampToUnix", map[string]string{"target.type": "unix"}, requiredTimestampSchema, tcDatePlusTime, schema.Int64Schema, tcDatePlusTimeUnix},
		{"TimestampToString", map[string]string{"target.type": "string", "format": tcStringFormat}, requiredTimestampSchema, tcDatePlusTime, schema.StringSchema, tcDatePlusTimeString},
		{"DateToTimestamp", map[string]string{"target.type": "Timestamp"}, tcDateSchema, tcDate, requiredTimestampSchema, tcDate},
		{"TimeToTimestamp", map[string]string{"target.type": "Timestamp"}, tcTimeSchema, tcTime, requiredTimestampSchema, tcTime},
		{"UnixToTimestamp", map[string]string{"target.type": "Timestamp"}, schema.Int64Schema, tcDatePlusTimeUnix, requiredTimestampSchema, tcDatePlusTime},
		{"StringToTimestamp", map[string]string{"target.type": "Timestamp", "format": tcStringFormat}, schema.StringSchema, tcDatePlusTimeString, requiredTimestampSchema, tcDatePlusTime},
		// testWithSchemaUnixToTimestampWithPrecision, testWithSchemaTimestampToUnixWithPrecision
		{"UnixSecondsToTimestamp", map[string]string{"target.type": "Timestamp", "unix.precision": "seconds"}, schema.Int64Schema, int64(86401), requiredTimestampSchema, time.UnixMilli(86401000).UTC()},
		{"UnixMicrosToTimestamp", map[string]string{"target.type": "Timestamp", "unix.precision": "microseconds"}, schema.Int64Schema, int64(86401234123), requiredTimestampSchema, tcDatePlusTime},
		{"UnixNanosToTimestamp", map[string]string{"target.type": "Timestamp", "unix.precision": "nanoseconds"}, schema.Int64Schema, int64(86401234123456), requiredTimestampSchema, tcDatePlusTime},
		{"TimestampToUnixSeconds", map[string]string{"target.type": "unix", "unix.precision": "seconds"}, requiredTimestampSchema, tcDatePlusTime, schema.Int64Schema, int64(86401)},
		{"TimestampToUnixMicros", map[string]string{"target.type": "unix", "unix.precision": "microseconds"}, requiredTimestampSchema, tcDatePlusTime, schema.Int64Schema, int64(86401234000)},
		{"TimestampToUnixNanos", map[string]string{"target.type": "unix", "unix.precision": "nanoseconds"}, requiredTimestampSchema, tcDatePlusTime, schema.Int64Schema, int64(86401234000000)},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The whole value, then a field (testWithSchemaFieldConversion).
			tr := kafkaTransform(t, TimestampConverterValueClass, c.config)
			out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: c.in, Value: c.v})
			if !reflect.DeepEqual(out.ValueSchema, c.wantType) || !reflect.DeepEqual(out.Value, c.want) {
				t.Errorf("whole value: %+v %#v, want %+v %#v", out.ValueSchema, out.Value, c.wantType, c.want)
			}
			config := map[string]string{"field": "ts"}
			for k, v := range c.config {
				config[k] = v
			}
			tr = kafkaTransform(t, TimestampConverterKeyClass, config)
			s := schema.StructOf("", false, schema.NewField("ts", c.in), schema.NewField("other", schema.StringSchema))
			out = mustKeep(t, tr, connect.SourceRecord{Topic: "topic", KeySchema: s, Key: schema.NewStruct(s).Set("ts", c.v).Set("other", "test")})
			k := out.Key.(*schema.Struct)
			if !reflect.DeepEqual(out.KeySchema.Field("ts").Schema, c.wantType) || out.KeySchema.Field("other").Schema != schema.StringSchema {
				t.Errorf("field schema %+v", out.KeySchema.Fields)
			}
			if !reflect.DeepEqual(k.Get("ts"), c.want) || k.Get("other") != "test" {
				t.Errorf("field: %v", k.Values)
			}
		})
	}
}

// TimestampConverterTest.testWithSchemaNullValueConversion,
// testWithSchemaNullFieldConversion and their optional schemas
func TestTimestampConverterNulls(t *testing.T) {
	for _, target := range []string{"string", "unix", "Date", "Time", "Timestamp"} {
		config := map[string]string{"target.type": target, "format": tcStringFormat}
		tr := kafkaTransform(t, TimestampConverterValueClass, config)
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: optionalTimestampSchema})
		if out.Value != nil || !out.ValueSchema.Optional {
			t.Errorf("%s: whole null value gave %+v %v", target, out.ValueSchema, out.Value)
		}
		config["field"] = "ts"
		tr = kafkaTransform(t, TimestampConverterValueClass, config)
		s := schema.StructOf("", true, schema.NewField("ts", optionalTimestampSchema), schema.NewField("other", schema.StringSchema))
		out = mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: schema.NewStruct(s).Set("other", "x")})
		if v := out.Value.(*schema.Struct); v.Get("ts") != nil || !out.ValueSchema.Field("ts").Schema.Optional || !out.ValueSchema.Optional {
			t.Errorf("%s: null field gave %+v", target, v.Values)
		}
		// A null struct of an optional schema stays null.
		out = mustKeep(t, tr, connect.SourceRecord{Topic: "topic", KeySchema: s, ValueSchema: s})
		if out.Value != nil {
			t.Errorf("%s: null struct gave %v", target, out.Value)
		}
		// A tombstone (no schema) passes.
		if out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic"}); out.Value != nil || out.ValueSchema != nil {
			t.Errorf("%s: tombstone changed", target)
		}
	}
}

// TimestampConverterTest.testWithSchemaFieldWithDefaultValue and
// replace.null.with.default
func TestTimestampConverterFieldDefault(t *testing.T) {
	for _, c := range []struct {
		replace string
		want    any
	}{{"true", int64(0)}, {"false", nil}} {
		tr := kafkaTransform(t, TimestampConverterValueClass, map[string]string{"target.type": "unix", "field": "ts", "replace.null.with.default": c.replace})
		fs := &schema.Schema{Type: schema.TypeInt64, Name: schema.TimestampName, Version: 1, Optional: true, Default: time.UnixMilli(0).UTC(), HasDefault: true}
		s := schema.StructOf("", false, schema.NewField("ts", fs))
		out := mustKeep(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: s, Value: schema.NewStruct(s)})
		if got := out.Value.(*schema.Struct).Get("ts"); got != c.want {
			t.Errorf("replace %s: ts = %#v, want %#v", c.replace, got, c.want)
		}
	}
}

// A schema that is no timestamp type fails the record, naming the schema
// as ConnectSchema.toString does.
func TestTimestampConverterUnknownType(t *testing.T) {
	tr := kafkaTransform(t, TimestampConverterValueClass, map[string]string{"target.type": "unix"})
	msg := kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: schema.Int32Schema, Value: int32(1)})
	if !strings.HasSuffix(msg, "Schema Schema{INT32} does not correspond to a known timestamp type format") {
		t.Errorf("error %q", msg)
	}
	tr = kafkaTransform(t, TimestampConverterValueClass, map[string]string{"target.type": "unix", "format": "yyyy-MM-dd"})
	msg = kafkaApplyErr(t, tr, connect.SourceRecord{Topic: "topic", ValueSchema: schema.StringSchema, Value: "not a date"})
	if !strings.HasSuffix(msg, "Could not parse timestamp: value (not a date) does not match pattern (yyyy-MM-dd)") {
		t.Errorf("error %q", msg)
	}
}
