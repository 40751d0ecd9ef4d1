package typemap

import (
	"errors"
	"fmt"

	"github.com/tributary-cdc/tributary/schema"
)

// Semantic schema names Debezium uses.
const (
	DateName                 = "io.debezium.time.Date"
	TimeName                 = "io.debezium.time.Time"
	MicroTimeName            = "io.debezium.time.MicroTime"
	TimestampName            = "io.debezium.time.Timestamp"
	MicroTimestampName       = "io.debezium.time.MicroTimestamp"
	ZonedTimestampName       = "io.debezium.time.ZonedTimestamp"
	ZonedTimeName            = "io.debezium.time.ZonedTime"
	UUIDName                 = "io.debezium.data.Uuid"
	JSONName                 = "io.debezium.data.Json"
	XMLName                  = "io.debezium.data.Xml"
	VariableScaleDecimalName = "io.debezium.data.VariableScaleDecimal"
)

// UnavailableValue is Debezium's unavailable.value.placeholder default,
// written for unchanged TOASTed values that pgoutput does not send.
const UnavailableValue = "__debezium_unavailable_value"

// PostgreSQL type OIDs of the built-in types this package maps.
const (
	OIDBool        = 16
	OIDBytea       = 17
	OIDName        = 19
	OIDInt8        = 20
	OIDInt2        = 21
	OIDInt4        = 23
	OIDText        = 25
	OIDOid         = 26
	OIDJSON        = 114
	OIDXML         = 142
	OIDCidr        = 650
	OIDFloat4      = 700
	OIDFloat8      = 701
	OIDMacaddr8    = 774
	OIDMacaddr     = 829
	OIDInet        = 869
	OIDBpchar      = 1042
	OIDVarchar     = 1043
	OIDDate        = 1082
	OIDTime        = 1083
	OIDTimestamp   = 1114
	OIDTimestamptz = 1184
	OIDTimetz      = 1266
	OIDNumeric     = 1700
	OIDUUID        = 2950
	OIDJSONB       = 3802
	OIDInt4range   = 3904
	OIDNumrange    = 3906
	OIDTsrange     = 3908
	OIDTstzrange   = 3910
	OIDDaterange   = 3912
	OIDInt8range   = 3926
)

// ErrUnsupported reports a column type this package does not map yet. The
// caller omits such a column, as Debezium does for unknown types.
var ErrUnsupported = errors.New("unsupported column type")

// Decoder turns the PostgreSQL text form of one non-null value into its
// Connect value. It never retains text.
type Decoder func(text []byte) (any, error)

// Column is what the mapping needs to know about a column.
type Column struct {
	TypeOID uint32
	// TypeMod is pg_attribute.atttypmod; -1 means none.
	TypeMod  int32
	Optional bool
	// SerialDefault marks a column whose default is nextval(...): Debezium
	// gives its schema the default 0.
	SerialDefault bool
}

// Mapping is how one column is represented in Connect.
type Mapping struct {
	Schema *schema.Schema
	Decode Decoder
	// Fallback is the value of a NOT NULL column absent from a tuple (e.g.
	// a non-key column of a DELETE under REPLICA IDENTITY DEFAULT).
	Fallback any
	// Unavailable is the value written for an unchanged TOASTed column.
	Unavailable any
}

// builder makes the mapping of one type for a column.
type builder func(c Column) Mapping

// builders is the mapping table, keyed by type OID.
var builders = map[uint32]builder{
	OIDBool:   fixed(schema.BooleanSchema, schema.OptionalBooleanSchema, decodeBool, false),
	OIDInt2:   integer(schema.TypeInt16, decodeInt16, int16(0)),
	OIDInt4:   integer(schema.TypeInt32, decodeInt32, int32(0)),
	OIDInt8:   integer(schema.TypeInt64, decodeInt64, int64(0)),
	OIDOid:    integer(schema.TypeInt64, decodeInt64, int64(0)),
	OIDFloat4: fixed(schema.Float32Schema, schema.OptionalFloat32Schema, decodeFloat32, float32(0)),
	OIDFloat8: fixed(schema.Float64Schema, schema.OptionalFloat64Schema, decodeFloat64, float64(0)),
	OIDBytea:  bytea,

	OIDText:      text,
	OIDVarchar:   text,
	OIDBpchar:    text,
	OIDName:      text,
	OIDInet:      text,
	OIDCidr:      text,
	OIDMacaddr:   text,
	OIDMacaddr8:  text,
	OIDInt4range: text,
	OIDInt8range: text,
	OIDNumrange:  text,
	OIDTsrange:   text,
	OIDTstzrange: text,
	OIDDaterange: text,

	OIDUUID:  named(UUIDName, ""),
	OIDJSON:  named(JSONName, ""),
	OIDJSONB: named(JSONName, ""),
	OIDXML:   named(XMLName, ""),

	OIDNumeric:     numeric,
	OIDDate:        date,
	OIDTime:        timeOfDay,
	OIDTimetz:      timetz,
	OIDTimestamp:   timestamp,
	OIDTimestamptz: timestamptz,
}

// For returns the mapping of a column, or an error wrapping ErrUnsupported.
func For(c Column) (Mapping, error) {
	b, ok := builders[c.TypeOID]
	if !ok {
		return Mapping{}, fmt.Errorf("mapping type oid %d: %w", c.TypeOID, ErrUnsupported)
	}
	m := b(c)
	if m.Unavailable == nil && m.Schema.Type == schema.TypeString {
		m.Unavailable = UnavailableValue
	}
	if m.Unavailable == nil && m.Schema.Type == schema.TypeBytes && m.Schema.Name == "" {
		m.Unavailable = []byte(UnavailableValue)
	}
	return m, nil
}

func pick(required, optional *schema.Schema, opt bool) *schema.Schema {
	if opt {
		return optional
	}
	return required
}

func fixed(required, optional *schema.Schema, dec Decoder, fallback any) builder {
	return func(c Column) Mapping {
		return Mapping{Schema: pick(required, optional, c.Optional), Decode: dec, Fallback: fallback}
	}
}

// integer maps an integer type; a serial column gets the default 0.
func integer(t schema.Type, dec Decoder, zero any) builder {
	req := &schema.Schema{Type: t}
	opt := &schema.Schema{Type: t, Optional: true}
	return func(c Column) Mapping {
		s := pick(req, opt, c.Optional)
		if c.SerialDefault {
			s = &schema.Schema{Type: t, Optional: c.Optional, Default: zero, HasDefault: true}
		}
		return Mapping{Schema: s, Decode: dec, Fallback: zero}
	}
}

func text(c Column) Mapping {
	return Mapping{Schema: pick(schema.StringSchema, schema.OptionalStringSchema, c.Optional), Decode: decodeString, Fallback: ""}
}

func bytea(c Column) Mapping {
	return Mapping{Schema: pick(schema.BytesSchema, schema.OptionalBytesSchema, c.Optional), Decode: decodeBytea, Fallback: []byte{}}
}

// named maps a string type carried as-is under a semantic name.
func named(name string, fallback string) builder {
	req := &schema.Schema{Type: schema.TypeString, Name: name, Version: 1}
	opt := &schema.Schema{Type: schema.TypeString, Name: name, Version: 1, Optional: true}
	return func(c Column) Mapping {
		return Mapping{Schema: pick(req, opt, c.Optional), Decode: decodeString, Fallback: fallback}
	}
}

func namedSchemas(t schema.Type, name string) (req, opt *schema.Schema) {
	return &schema.Schema{Type: t, Name: name, Version: 1},
		&schema.Schema{Type: t, Name: name, Version: 1, Optional: true}
}

var (
	dateReq, dateOpt                     = namedSchemas(schema.TypeInt32, DateName)
	timeReq, timeOpt                     = namedSchemas(schema.TypeInt32, TimeName)
	microTimeReq, microTimeOpt           = namedSchemas(schema.TypeInt64, MicroTimeName)
	timestampReq, timestampOpt           = namedSchemas(schema.TypeInt64, TimestampName)
	microTimestampReq, microTimestampOpt = namedSchemas(schema.TypeInt64, MicroTimestampName)
	zonedTimestampReq, zonedTimestampOpt = namedSchemas(schema.TypeString, ZonedTimestampName)
	zonedTimeReq, zonedTimeOpt           = namedSchemas(schema.TypeString, ZonedTimeName)
	vsdReq                               = vsdSchema(false)
	vsdOpt                               = vsdSchema(true)
)

func vsdSchema(optional bool) *schema.Schema {
	s := schema.StructOf(VariableScaleDecimalName, optional,
		schema.NewField("scale", schema.Int32Schema),
		schema.NewField("value", schema.BytesSchema))
	s.Version = 1
	s.Doc = "Variable scaled decimal"
	return s
}

// temporalPrecision is the fractional-second precision of a time or
// timestamp column: its typmod, or 6 when it has none.
func temporalPrecision(typmod int32) int {
	if typmod < 0 {
		return 6
	}
	return int(typmod)
}

func date(c Column) Mapping {
	return Mapping{Schema: pick(dateReq, dateOpt, c.Optional), Decode: decodeDate, Fallback: int32(0)}
}

func timeOfDay(c Column) Mapping {
	if temporalPrecision(c.TypeMod) <= 3 {
		return Mapping{Schema: pick(timeReq, timeOpt, c.Optional), Decode: decodeTimeMillis, Fallback: int32(0)}
	}
	return Mapping{Schema: pick(microTimeReq, microTimeOpt, c.Optional), Decode: decodeTimeMicros, Fallback: int64(0)}
}

func timetz(c Column) Mapping {
	return Mapping{Schema: pick(zonedTimeReq, zonedTimeOpt, c.Optional), Decode: decodeTimetz, Fallback: "00:00:00Z"}
}

func timestamp(c Column) Mapping {
	if temporalPrecision(c.TypeMod) <= 3 {
		return Mapping{Schema: pick(timestampReq, timestampOpt, c.Optional), Decode: decodeTimestampMillis, Fallback: int64(0)}
	}
	return Mapping{Schema: pick(microTimestampReq, microTimestampOpt, c.Optional), Decode: decodeTimestampMicros, Fallback: int64(0)}
}

func timestamptz(c Column) Mapping {
	digits := temporalPrecision(c.TypeMod)
	return Mapping{
		Schema:   pick(zonedTimestampReq, zonedTimestampOpt, c.Optional),
		Decode:   func(b []byte) (any, error) { return decodeTimestamptz(b, digits) },
		Fallback: formatZoned(0, digits),
	}
}

// numericTypmod splits a numeric typmod into precision and scale (the scale
// may be negative since PostgreSQL 15).
func numericTypmod(typmod int32) (precision, scale int) {
	t := typmod - 4
	return int((t >> 16) & 0xffff), int(((t & 0x7ff) ^ 1024) - 1024)
}

func numeric(c Column) Mapping {
	if c.TypeMod < 0 {
		return Mapping{
			Schema:   pick(vsdReq, vsdOpt, c.Optional),
			Decode:   func(b []byte) (any, error) { return decodeVariableScale(b, c.Optional) },
			Fallback: variableScaleStruct(c.Optional, 0, []byte{0}),
		}
	}
	precision, scale := numericTypmod(c.TypeMod)
	return Mapping{
		Schema:   schema.DecimalSchema(scale, precision, c.Optional),
		Decode:   func(b []byte) (any, error) { return decodeDecimal(b, scale) },
		Fallback: zeroDecimal(scale),
	}
}

// Unchanged is the row value of a column whose unchanged TOASTed value
// pgoutput did not send. Row builders replace it with Mapping.Unavailable.
type Unchanged struct{}
