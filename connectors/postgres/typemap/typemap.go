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
	NanoTimeName             = "io.debezium.time.NanoTime"
	NanoTimestampName        = "io.debezium.time.NanoTimestamp"
	IsoDateName              = "io.debezium.time.IsoDate"
	IsoTimeName              = "io.debezium.time.IsoTime"
	IsoTimestampName         = "io.debezium.time.IsoTimestamp"
	UUIDName                 = "io.debezium.data.Uuid"
	JSONName                 = "io.debezium.data.Json"
	XMLName                  = "io.debezium.data.Xml"
	VariableScaleDecimalName = "io.debezium.data.VariableScaleDecimal"
	EnumName                 = "io.debezium.data.Enum"
	BitsName                 = "io.debezium.data.Bits"
	LtreeName                = "io.debezium.data.Ltree"
	TsvectorName             = "io.debezium.data.Tsvector"
	MicroDurationName        = "io.debezium.time.MicroDuration"
	IntervalName             = "io.debezium.time.Interval"
	PointName                = "io.debezium.data.geometry.Point"
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
	OIDPoint       = 600
	OIDCidr        = 650
	OIDFloat4      = 700
	OIDFloat8      = 701
	OIDMacaddr8    = 774
	OIDMoney       = 790
	OIDMacaddr     = 829
	OIDInet        = 869
	OIDBpchar      = 1042
	OIDVarchar     = 1043
	OIDDate        = 1082
	OIDTime        = 1083
	OIDTimestamp   = 1114
	OIDTimestamptz = 1184
	OIDInterval    = 1186
	OIDTimetz      = 1266
	OIDBit         = 1560
	OIDVarbit      = 1562
	OIDNumeric     = 1700
	OIDUUID        = 2950
	OIDTsvector    = 3614
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
	// Default is the column's default expression (pg_get_expr), "" for
	// none.
	Default string

	// TypeName and TypeKind are pg_type.typname and typtype of the
	// (domain-resolved) type; EnumLabels are an enum's labels joined by ","
	// in enumsortorder.
	TypeName   string
	TypeKind   byte
	EnumLabels string
	// ElemOID, ElemName, ElemKind and ElemLabels describe the element type
	// of an array type; ElemOID is 0 for other types.
	ElemOID    uint32
	ElemName   string
	ElemKind   byte
	ElemLabels string
}

// Type kinds (pg_type.typtype) this package distinguishes.
const (
	KindEnum byte = 'e'
)

// Mapping is how one column is represented in Connect.
type Mapping struct {
	Schema *schema.Schema
	Decode Decoder
	// Fallback is the value of a NOT NULL column absent from a tuple (e.g.
	// a non-key column of a DELETE under REPLICA IDENTITY DEFAULT).
	Fallback any
	// Unavailable is the value written for an unchanged TOASTed column.
	Unavailable any
	// noDefault marks a type whose column default Debezium does not
	// evaluate (PostgresDefaultValueConverter has no mapper for it).
	noDefault bool
}

// builder makes the mapping of one type for a column.
type builder func(c Column, o *Options) Mapping

// plain adapts a builder that no mode affects.
func plain(f func(c Column) Mapping) builder {
	return func(c Column, _ *Options) Mapping { return f(c) }
}

// builders is the mapping table, keyed by type OID.
var builders = map[uint32]builder{
	OIDBool:   plain(fixed(schema.BooleanSchema, schema.OptionalBooleanSchema, decodeBool, false)),
	OIDInt2:   plain(integer(schema.TypeInt16, decodeInt16, int16(0))),
	OIDInt4:   plain(integer(schema.TypeInt32, decodeInt32, int32(0))),
	OIDInt8:   plain(integer(schema.TypeInt64, decodeInt64, int64(0))),
	OIDOid:    plain(integer(schema.TypeInt64, decodeInt64, int64(0))),
	OIDFloat4: plain(fixed(schema.Float32Schema, schema.OptionalFloat32Schema, decodeFloat32, float32(0))),
	OIDFloat8: plain(fixed(schema.Float64Schema, schema.OptionalFloat64Schema, decodeFloat64, float64(0))),
	OIDBytea:  bytea,

	OIDText:      plain(text),
	OIDVarchar:   plain(text),
	OIDBpchar:    plain(text),
	OIDName:      plain(text),
	OIDInet:      plain(text),
	OIDCidr:      plain(text),
	OIDMacaddr:   plain(text),
	OIDMacaddr8:  plain(text),
	OIDInt4range: plain(text),
	OIDInt8range: plain(text),
	OIDNumrange:  plain(text),
	OIDTsrange:   plain(text),
	OIDTstzrange: plain(text),
	OIDDaterange: plain(text),

	OIDUUID:     plain(named(UUIDName, "")),
	OIDJSON:     plain(named(JSONName, "")),
	OIDJSONB:    plain(named(JSONName, "")),
	OIDXML:      plain(named(XMLName, "")),
	OIDTsvector: plain(named(TsvectorName, "")),

	OIDNumeric:     numeric,
	OIDMoney:       money,
	OIDBit:         plain(bits),
	OIDVarbit:      plain(bits),
	OIDInterval:    interval,
	OIDPoint:       plain(point),
	OIDDate:        date,
	OIDTime:        timeOfDay,
	OIDTimetz:      plain(timetz),
	OIDTimestamp:   timestamp,
	OIDTimestamptz: plain(timestamptz),
}

// byName maps extension types, whose OIDs differ between databases.
var byName = map[string]builder{
	"citext": plain(text),
	"ltree":  plain(named(LtreeName, "")),
	"hstore": hstore,

	GeometryTypeName:  plain(geometry),
	GeographyTypeName: plain(geography),

	VectorTypeName:       plain(vector),
	HalfVectorTypeName:   plain(halfVector),
	SparseVectorTypeName: plain(sparseVector),
}

// unsupportedElements are the element types whose arrays Debezium omits.
var unsupportedElements = map[uint32]bool{
	OIDMoney: true, OIDName: true, OIDInterval: true, OIDVarbit: true, OIDXML: true, OIDPoint: true,
}

// For returns the mapping of a column under Debezium's default modes, or an
// error wrapping ErrUnsupported.
func For(c Column) (Mapping, error) {
	o := DefaultOptions()
	return o.For(c)
}

// For returns the mapping of a column under these modes, or an error
// wrapping ErrUnsupported. The column's Default expression, when it has
// one Debezium can evaluate, becomes the schema default.
func (o *Options) For(c Column) (Mapping, error) {
	m, err := o.mapping(c)
	if err != nil {
		return Mapping{}, err
	}
	if m.Unavailable == nil && m.Schema.Type == schema.TypeString {
		m.Unavailable = o.placeholder()
	}
	if m.Unavailable == nil && m.Schema.Type == schema.TypeBytes && m.Schema.Name == "" {
		m.Unavailable = []byte(o.placeholder())
	}
	if c.Default != "" && !m.noDefault {
		m.Schema = withDefault(m, c)
	}
	return m, nil
}

func (o *Options) mapping(c Column) (Mapping, error) {
	if b, ok := builders[c.TypeOID]; ok {
		return b(c, o), nil
	}
	if b, ok := byName[c.TypeName]; ok {
		return b(c, o), nil
	}
	switch {
	case c.TypeKind == KindEnum:
		return enum(c), nil
	case c.ElemOID != 0:
		return o.array(c)
	}
	if o.IncludeUnknown {
		return o.unknown(c), nil
	}
	return Mapping{}, fmt.Errorf("mapping type %s (oid %d): %w", c.TypeName, c.TypeOID, ErrUnsupported)
}

func pick(required, optional *schema.Schema, opt bool) *schema.Schema {
	if opt {
		return optional
	}
	return required
}

func fixed(required, optional *schema.Schema, dec Decoder, fallback any) func(Column) Mapping {
	return func(c Column) Mapping {
		return Mapping{Schema: pick(required, optional, c.Optional), Decode: dec, Fallback: fallback}
	}
}

// integer maps an integer type; a serial column gets the default 0.
func integer(t schema.Type, dec Decoder, zero any) func(Column) Mapping {
	req := &schema.Schema{Type: t}
	opt := &schema.Schema{Type: t, Optional: true}
	return func(c Column) Mapping {
		return Mapping{Schema: pick(req, opt, c.Optional), Decode: dec, Fallback: zero}
	}
}

func text(c Column) Mapping {
	return Mapping{Schema: pick(schema.StringSchema, schema.OptionalStringSchema, c.Optional), Decode: decodeString, Fallback: ""}
}

func bytea(c Column, o *Options) Mapping {
	if o.Binary == BinaryBytes {
		return Mapping{Schema: pick(schema.BytesSchema, schema.OptionalBytesSchema, c.Optional), Decode: decodeBytea, Fallback: []byte{}}
	}
	enc := o.binaryEncoder()
	return Mapping{
		Schema: pick(schema.StringSchema, schema.OptionalStringSchema, c.Optional),
		Decode: func(b []byte) (any, error) {
			raw, err := decodeBytea(b)
			if err != nil {
				return nil, err
			}
			return enc(raw.([]byte)), nil
		},
		Fallback: "",
	}
}

// named maps a string type carried as-is under a semantic name.
func named(name string, fallback string) func(Column) Mapping {
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
	dateReq, dateOpt                         = namedSchemas(schema.TypeInt32, DateName)
	timeReq, timeOpt                         = namedSchemas(schema.TypeInt32, TimeName)
	microTimeReq, microTimeOpt               = namedSchemas(schema.TypeInt64, MicroTimeName)
	timestampReq, timestampOpt               = namedSchemas(schema.TypeInt64, TimestampName)
	microTimestampReq, microTimestampOpt     = namedSchemas(schema.TypeInt64, MicroTimestampName)
	zonedTimestampReq, zonedTimestampOpt     = namedSchemas(schema.TypeString, ZonedTimestampName)
	zonedTimeReq, zonedTimeOpt               = namedSchemas(schema.TypeString, ZonedTimeName)
	nanoTimeReq, nanoTimeOpt                 = namedSchemas(schema.TypeInt64, NanoTimeName)
	nanoTimestampReq, nanoTimestampOpt       = namedSchemas(schema.TypeInt64, NanoTimestampName)
	isoDateReq, isoDateOpt                   = namedSchemas(schema.TypeString, IsoDateName)
	isoTimeReq, isoTimeOpt                   = namedSchemas(schema.TypeString, IsoTimeName)
	isoTimestampReq, isoTimestampOpt         = namedSchemas(schema.TypeString, IsoTimestampName)
	connectDateReq, connectDateOpt           = namedSchemas(schema.TypeInt32, schema.DateName)
	connectTimeReq, connectTimeOpt           = namedSchemas(schema.TypeInt32, schema.TimeName)
	connectTimestampReq, connectTimestampOpt = namedSchemas(schema.TypeInt64, schema.TimestampName)
	vsdReq                                   = vsdSchema(false)
	vsdOpt                                   = vsdSchema(true)
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

// date, timeOfDay and timestamp follow Debezium's TemporalPrecisionMode
// and JdbcValueConverters.convertDate/convertTime/convertTimestamp; the
// fallbacks are the values those converters give a NOT NULL column.
func date(c Column, o *Options) Mapping {
	switch o.Time {
	case TimeConnect:
		return Mapping{Schema: pick(connectDateReq, connectDateOpt, c.Optional), Decode: decodeDate, Fallback: int32(0)}
	case TimeISOString:
		return Mapping{Schema: pick(isoDateReq, isoDateOpt, c.Optional), Decode: decodeIsoDate, Fallback: "1970-01-01Z"}
	}
	return Mapping{Schema: pick(dateReq, dateOpt, c.Optional), Decode: decodeDate, Fallback: int32(0)}
}

func timeOfDay(c Column, o *Options) Mapping {
	switch o.Time {
	case TimeConnect:
		return Mapping{Schema: pick(connectTimeReq, connectTimeOpt, c.Optional), Decode: decodeTimeMillis, Fallback: int32(0)}
	case TimeAdaptiveMicros, TimeMicroseconds:
		return Mapping{Schema: pick(microTimeReq, microTimeOpt, c.Optional), Decode: decodeTimeMicros, Fallback: int64(0)}
	case TimeNanoseconds:
		return Mapping{Schema: pick(nanoTimeReq, nanoTimeOpt, c.Optional), Decode: decodeTimeNanos, Fallback: int64(0)}
	case TimeISOString:
		return Mapping{Schema: pick(isoTimeReq, isoTimeOpt, c.Optional), Decode: decodeIsoTime, Fallback: "00:00:00Z"}
	}
	if temporalPrecision(c.TypeMod) <= 3 {
		return Mapping{Schema: pick(timeReq, timeOpt, c.Optional), Decode: decodeTimeMillis, Fallback: int32(0)}
	}
	return Mapping{Schema: pick(microTimeReq, microTimeOpt, c.Optional), Decode: decodeTimeMicros, Fallback: int64(0)}
}

func timetz(c Column) Mapping {
	return Mapping{Schema: pick(zonedTimeReq, zonedTimeOpt, c.Optional), Decode: decodeTimetz, Fallback: "00:00:00Z"}
}

func timestamp(c Column, o *Options) Mapping {
	switch o.Time {
	case TimeConnect:
		return Mapping{Schema: pick(connectTimestampReq, connectTimestampOpt, c.Optional), Decode: decodeTimestampMillis, Fallback: int64(0)}
	case TimeMicroseconds:
		return Mapping{Schema: pick(microTimestampReq, microTimestampOpt, c.Optional), Decode: decodeTimestampMicros, Fallback: int64(0)}
	case TimeNanoseconds:
		return Mapping{
			Schema:   pick(nanoTimestampReq, nanoTimestampOpt, c.Optional),
			Decode:   func(b []byte) (any, error) { return decodeTimestampNanos(b, c.Optional) },
			Fallback: int64(0),
		}
	case TimeISOString:
		return Mapping{Schema: pick(isoTimestampReq, isoTimestampOpt, c.Optional), Decode: decodeIsoTimestamp, Fallback: "1970-01-01T00:00:00Z"}
	}
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

func numeric(c Column, o *Options) Mapping {
	switch o.Decimal {
	case DecimalDouble:
		return decimalAsDouble(c)
	case DecimalString:
		return decimalAsString(c)
	}
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
