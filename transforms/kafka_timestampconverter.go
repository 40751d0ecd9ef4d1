package transforms

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Properties and values of TimestampConverter (TimestampConverter.java).
const (
	propTargetType    = "target.type"
	propFormat        = "format"
	propUnixPrecision = "unix.precision"

	tsTypeString    = "string"
	tsTypeUnix      = "unix"
	tsTypeDate      = "Date"
	tsTypeTime      = "Time"
	tsTypeTimestamp = "Timestamp"

	unixMillis  = "milliseconds"
	unixMicros  = "microseconds"
	unixNanos   = "nanoseconds"
	unixSeconds = "seconds"
)

// timestampConverter is TimestampConverter$Key or $Value: it converts a
// field, or the whole key or value, between a formatted string, a Unix
// time (int64) and Connect's Date, Time and Timestamp, in UTC.
type timestampConverter struct {
	side                   side
	class                  string
	field                  string
	target                 string
	format                 *dateFormat // nil without a format
	precision              string
	replaceNullWithDefault bool
	cache                  derivedCache[*schema.Schema]
}

// isBlank is Utils.isBlank.
func isBlank(s string) bool { return javaTrim(s) == "" }

// newTimestampConverter returns the constructor of TimestampConverter$Key
// or $Value, which parses TimestampConverterDef.
func newTimestampConverter(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := TimestampConverterDef.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		t := &timestampConverter{side: s, class: s.class(TimestampConverterKeyClass, TimestampConverterValueClass),
			field: v.String(propField), target: v.String(propTargetType), precision: v.String(propUnixPrecision),
			replaceNullWithDefault: v.Bool(propReplaceNullWithDefault)}
		pattern := v.String(propFormat)
		if t.target == tsTypeString && isBlank(pattern) {
			return nil, []connect.ConfigError{{Name: propFormat, Message: "TimestampConverter requires format option to be specified when using string timestamps"}}
		}
		if !isBlank(pattern) {
			f, err := compileDateFormat(pattern)
			if err != nil {
				return nil, []connect.ConfigError{{Name: propFormat,
					Message: "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: " + pattern + " (" + err.Error() + ")"}}
			}
			t.format = f
		}
		return t, nil
	}
}

func (t *timestampConverter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if sch == nil {
		if v == nil {
			return r, true, nil
		}
		return r, false, fmt.Errorf("%s: schemaless data (%T without a schema) is not supported; only values with a schema are", t.class, v)
	}
	if t.field == "" {
		from, err := timestampType(sch)
		if err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		out, err := t.convert(v, from)
		if err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		t.side.set(&r, t.targetSchema(sch.Optional), out)
		return r, true, nil
	}
	var st *schema.Struct
	if v != nil {
		var err error
		if st, err = requireStruct(t.class, "converting timestamp formats", sch, v); err != nil {
			return r, false, err
		}
	}
	updated, ok := t.cache.get(sch)
	if !ok {
		var err error
		if updated, err = t.updatedSchema(sch); err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		t.cache.put(sch, updated)
	}
	out, err := t.convertStruct(st, updated)
	if err != nil {
		return r, false, fmt.Errorf("%s: %w", t.class, err)
	}
	if out == nil {
		t.side.set(&r, updated, nil)
	} else {
		t.side.set(&r, updated, out)
	}
	return r, true, nil
}

// updatedSchema is the struct schema with the field's schema replaced by
// the target type's, its default converted too.
func (t *timestampConverter) updatedSchema(in *schema.Schema) (*schema.Schema, error) {
	if in.Type != schema.TypeStruct {
		return nil, fmt.Errorf("Only Struct objects supported for [converting timestamp formats], found: %s", in.Type)
	}
	fields := make([]schema.Field, 0, len(in.Fields))
	for _, f := range in.Fields {
		if f.Name == t.field {
			fields = append(fields, schema.NewField(f.Name, t.targetSchema(f.Schema.Optional)))
		} else {
			fields = append(fields, schema.NewField(f.Name, f.Schema))
		}
	}
	out, err := buildStruct(in, fields)
	if err != nil {
		return nil, err
	}
	out.Optional = in.Optional
	if d := defaultStruct(in); d != nil {
		cd, err := t.convertStruct(d, out)
		if err != nil {
			return nil, err
		}
		out.Default, out.HasDefault = cd, true
	}
	return out, nil
}

// convertStruct is applyValueWithSchema.
func (t *timestampConverter) convertStruct(st *schema.Struct, updated *schema.Schema) (*schema.Struct, error) {
	if st == nil {
		return nil, nil
	}
	out := schema.NewStruct(updated)
	for i, f := range st.Schema.Fields {
		fv := fieldValue(st, i, t.replaceNullWithDefault)
		if f.Name == t.field {
			from, err := timestampType(f.Schema)
			if err != nil {
				return nil, err
			}
			if fv, err = t.convert(fv, from); err != nil {
				return nil, err
			}
		}
		out.Set(f.Name, fv)
	}
	return out, nil
}

// timestampSchemas are the target types' schemas, required and optional.
var timestampSchemas = map[string][2]*schema.Schema{
	tsTypeString:    {schema.StringSchema, schema.OptionalStringSchema},
	tsTypeUnix:      {schema.Int64Schema, schema.OptionalInt64Schema},
	tsTypeDate:      {{Type: schema.TypeInt32, Name: schema.DateName, Version: 1}, {Type: schema.TypeInt32, Name: schema.DateName, Version: 1, Optional: true}},
	tsTypeTime:      {{Type: schema.TypeInt32, Name: schema.TimeName, Version: 1}, {Type: schema.TypeInt32, Name: schema.TimeName, Version: 1, Optional: true}},
	tsTypeTimestamp: {requiredTimestampSchema, optionalTimestampSchema},
}

func (t *timestampConverter) targetSchema(optional bool) *schema.Schema {
	if optional {
		return timestampSchemas[t.target][1]
	}
	return timestampSchemas[t.target][0]
}

// timestampType is timestampTypeFromSchema.
func timestampType(s *schema.Schema) (string, error) {
	switch {
	case s.Name == schema.TimestampName:
		return tsTypeTimestamp, nil
	case s.Name == schema.DateName:
		return tsTypeDate, nil
	case s.Name == schema.TimeName:
		return tsTypeTime, nil
	case s.Type == schema.TypeString:
		return tsTypeString, nil
	case s.Type == schema.TypeInt64:
		return tsTypeUnix, nil
	}
	name := ""
	if s.Name != "" {
		name = s.Name + ":"
	}
	return "", fmt.Errorf("Schema Schema{%s%s} does not correspond to a known timestamp type format", name, strings.ToUpper(s.Type.String()))
}

const millisPerDay = 24 * 3600 * 1000

// convert is convertTimestamp: v read as type from, written as the target.
func (t *timestampConverter) convert(v any, from string) (any, error) {
	if v == nil {
		return nil, nil
	}
	var ms int64 // the java.util.Date in between
	switch from {
	case tsTypeString:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("Expected string timestamp to be a String, but found %T", v)
		}
		if t.format == nil {
			return nil, errors.New("TimestampConverter requires the format option to parse string timestamps")
		}
		tm, err := t.format.parse(s, time.Now())
		if err != nil {
			return nil, fmt.Errorf("Could not parse timestamp: value (%s) does not match pattern (%s)", s, t.format.pattern)
		}
		ms = tm.UnixMilli()
	case tsTypeUnix:
		n, ok := v.(int64)
		if !ok {
			return nil, fmt.Errorf("Expected Unix timestamp to be a Long, but found %T", v)
		}
		switch t.precision {
		case unixSeconds:
			ms = saturatingMul(n, 1000)
		case unixMicros:
			ms = n / 1000
		case unixNanos:
			ms = n / 1000000
		default:
			ms = n
		}
	default:
		tm, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("Expected %s to be a java.util.Date, but found %T", from, v)
		}
		ms = tm.UnixMilli()
	}
	switch t.target {
	case tsTypeString:
		return t.format.format(time.UnixMilli(ms)), nil
	case tsTypeUnix:
		switch t.precision {
		case unixSeconds:
			return ms / 1000, nil
		case unixMicros:
			return saturatingMul(ms, 1000), nil
		case unixNanos:
			return saturatingMul(ms, 1000000), nil
		}
		return ms, nil
	case tsTypeDate:
		return time.UnixMilli(floorDiv(ms, millisPerDay) * millisPerDay).UTC(), nil
	case tsTypeTime:
		return time.UnixMilli(ms - floorDiv(ms, millisPerDay)*millisPerDay).UTC(), nil
	}
	return time.UnixMilli(ms).UTC(), nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// saturatingMul is TimeUnit's conversion to a finer unit: it saturates at
// Long.MAX_VALUE and Long.MIN_VALUE.
func saturatingMul(n, m int64) int64 {
	switch {
	case n > math.MaxInt64/m:
		return math.MaxInt64
	case n < math.MinInt64/m:
		return math.MinInt64
	}
	return n * m
}
