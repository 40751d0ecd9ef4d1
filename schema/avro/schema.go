package avro

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/internal/jackson"
)

// Names and properties AvroData uses (io.confluent.connect.avro.AvroData).
const (
	connectNamespace   = "io.confluent.connect.avro"
	defaultRecordName  = "ConnectDefault"
	mapEntryRecordName = "MapEntry"

	propConnectDoc     = "connect.doc"
	propConnectVersion = "connect.version"
	propConnectParams  = "connect.parameters"
	propConnectDefault = "connect.default"
	propConnectName    = "connect.name"
	propConnectType    = "connect.type"

	// defaultDecimalPrecision is what AvroData writes when a Decimal schema
	// has no connect.decimal.precision parameter (money, for instance).
	defaultDecimalPrecision = 64
)

// SchemaOptions are the AvroDataConfig settings that change schema text.
type SchemaOptions struct {
	// ConnectMetaData is connect.meta.data (default true): emit the
	// connect.* properties.
	ConnectMetaData bool
}

// DefaultSchemaOptions are AvroDataConfig's defaults.
var DefaultSchemaOptions = SchemaOptions{ConnectMetaData: true}

// SchemaText returns the Avro schema JSON that Confluent's AvroData builds
// for s (AvroData.fromConnectSchema followed by Avro's Schema.toString): no
// whitespace, properties in AvroData's insertion order, a named type written
// in full the first time and by name after that.
func SchemaText(s *schema.Schema, opts SchemaOptions) ([]byte, error) {
	if s == nil {
		return nil, errors.New("converting a Connect schema to Avro: no schema")
	}
	b, _, err := schemaText(s, opts)
	return b, err
}

// schemaText is SchemaText that also returns, for every Connect schema in
// s, the name goavro gives its Avro type as a union branch.
func schemaText(s *schema.Schema, opts SchemaOptions) ([]byte, map[*schema.Schema]string, error) {
	w := &schemaWriter{opts: opts, defined: map[string]bool{}, branches: map[*schema.Schema]string{}}
	b, err := w.appendSchema(nil, s, "")
	if err != nil {
		return nil, nil, fmt.Errorf("converting Connect schema %q to Avro: %w", s.Name, err)
	}
	return b, w.branches, nil
}

type schemaWriter struct {
	opts       SchemaOptions
	defined    map[string]bool // full names of the named types written so far
	defaultSeq int             // unnamed structs seen: ConnectDefault, ConnectDefault2, ...
	branches   map[*schema.Schema]string
}

// appendSchema writes s, as a union with null when it is optional. ns is the
// enclosing namespace, which decides how names are written.
func (w *schemaWriter) appendSchema(b []byte, s *schema.Schema, ns string) ([]byte, error) {
	if !s.Optional {
		return w.appendBase(b, s, ns)
	}
	// AvroData puts a schema with a default first so that the field default
	// (which must match the first branch) can be the value itself.
	var err error
	if hasDefault(s) {
		b = append(b, '[')
		if b, err = w.appendBase(b, s, ns); err != nil {
			return b, err
		}
		return append(b, `,"null"]`...), nil
	}
	b = append(b, `["null",`...)
	if b, err = w.appendBase(b, s, ns); err != nil {
		return b, err
	}
	return append(b, ']'), nil
}

// appendBase writes the non-union Avro type of s.
func (w *schemaWriter) appendBase(b []byte, s *schema.Schema, ns string) ([]byte, error) {
	switch s.Type {
	case schema.TypeStruct:
		return w.appendRecord(b, s, ns)
	case schema.TypeArray:
		if s.Items == nil {
			return b, errors.New("array schema has no items schema")
		}
		w.branches[s] = "array"
		b = append(b, `{"type":"array","items":`...)
		b, err := w.appendSchema(b, s.Items, ns)
		if err != nil {
			return b, err
		}
		return w.appendMeta(b, s, "")
	case schema.TypeMap:
		if s.Keys == nil || s.Values == nil {
			return b, errors.New("map schema needs both a keys and a values schema")
		}
		var err error
		if s.Keys.Type == schema.TypeString && !s.Keys.Optional {
			w.branches[s] = "map"
			b = append(b, `{"type":"map","values":`...)
			if b, err = w.appendSchema(b, s.Values, ns); err != nil {
				return b, err
			}
			return w.appendMeta(b, s, "")
		}
		w.branches[s] = "array"
		b = append(b, `{"type":"array","items":`...)
		full := connectNamespace + "." + mapEntryRecordName
		if w.defined[full] {
			b = jackson.AppendString(b, qualified(connectNamespace, mapEntryRecordName, ns))
		} else {
			w.defined[full] = true
			b = append(b, `{"type":"record","name":"MapEntry"`...)
			if ns != connectNamespace {
				b = append(b, `,"namespace":"`+connectNamespace+`"`...)
			}
			b = append(b, `,"fields":[{"name":"key","type":`...)
			if b, err = w.appendSchema(b, s.Keys, connectNamespace); err != nil {
				return b, err
			}
			b = append(b, `},{"name":"value","type":`...)
			if b, err = w.appendSchema(b, s.Values, connectNamespace); err != nil {
				return b, err
			}
			b = append(b, `}]}`...)
		}
		return w.appendMeta(b, s, "")
	}
	prim, err := primitiveName(s.Type)
	if err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, `{"type":"`...)
	b = append(b, prim...)
	b = append(b, '"')
	mark := len(b)
	logical := ""
	switch s.Name {
	case schema.DecimalName:
		if s.Type != schema.TypeBytes {
			break
		}
		scale, precision, err := decimalParams(s)
		if err != nil {
			return b, err
		}
		if scale >= 0 && scale <= precision {
			b = append(b, `,"scale":`...)
			b = strconv.AppendInt(b, int64(scale), 10)
			b = append(b, `,"precision":`...)
			b = strconv.AppendInt(b, int64(precision), 10)
			logical = "decimal"
		}
	case schema.DateName:
		if s.Type == schema.TypeInt32 {
			logical = "date"
		}
	case schema.TimeName:
		if s.Type == schema.TypeInt32 {
			logical = "time-millis"
		}
	case schema.TimestampName:
		if s.Type == schema.TypeInt64 {
			logical = "timestamp-millis"
		}
	}
	if b, err = w.appendMeta(b, s, logical); err != nil {
		return b, err
	}
	if logical != "" {
		w.branches[s] = prim + "." + logical
	} else {
		w.branches[s] = prim
	}
	if len(b) == mark+1 && b[mark] == '}' {
		// No properties at all: the bare type name.
		b = b[:start]
		b = append(b, '"')
		b = append(b, prim...)
		return append(b, '"'), nil
	}
	return b, nil
}

// appendMeta writes the connect.* properties in AvroData's order (doc,
// version, parameters, default, name, type), then logicalType, and closes
// the object.
func (w *schemaWriter) appendMeta(b []byte, s *schema.Schema, logical string) ([]byte, error) {
	if w.opts.ConnectMetaData {
		if s.Doc != "" {
			b = append(b, `,"`+propConnectDoc+`":`...)
			b = jackson.AppendString(b, s.Doc)
		}
		if s.Version != 0 {
			b = append(b, `,"`+propConnectVersion+`":`...)
			b = strconv.AppendInt(b, int64(s.Version), 10)
		}
		if len(s.Params) > 0 {
			b = append(b, `,"`+propConnectParams+`":{`...)
			for i, p := range s.Params {
				if i > 0 {
					b = append(b, ',')
				}
				b = jackson.AppendString(b, p.Key)
				b = append(b, ':')
				b = jackson.AppendString(b, p.Value)
			}
			b = append(b, '}')
		}
		if hasDefault(s) {
			b = append(b, `,"`+propConnectDefault+`":`...)
			var err error
			if b, err = appendDefault(b, s, s.Default); err != nil {
				return b, fmt.Errorf("converting the default of %s schema: %w", s.Type, err)
			}
		}
		if s.Name != "" {
			b = append(b, `,"`+propConnectName+`":`...)
			b = jackson.AppendString(b, s.Name)
		}
		switch s.Type {
		case schema.TypeInt8:
			b = append(b, `,"`+propConnectType+`":"int8"`...)
		case schema.TypeInt16:
			b = append(b, `,"`+propConnectType+`":"int16"`...)
		}
	}
	if logical != "" {
		b = append(b, `,"logicalType":"`...)
		b = append(b, logical...)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

// appendRecord writes a struct as an Avro record, or as a bare name when the
// record was written earlier in the same schema.
func (w *schemaWriter) appendRecord(b []byte, s *schema.Schema, ns string) ([]byte, error) {
	space, name := w.recordName(s)
	full := name
	if space != "" {
		full = space + "." + name
	}
	w.branches[s] = full
	if w.defined[full] {
		// Another Connect schema of the same name (before and after, say)
		// is written by name, but the union branches of its fields still
		// need names: walk it without keeping the text.
		scratch := &schemaWriter{opts: w.opts, defined: map[string]bool{full: true}, branches: w.branches}
		for _, f := range s.Fields {
			if _, err := scratch.appendField(nil, f, space); err != nil {
				return b, fmt.Errorf("field %q: %w", f.Name, err)
			}
		}
		return jackson.AppendString(b, qualified(space, name, ns)), nil
	}
	w.defined[full] = true
	b = append(b, `{"type":"record","name":`...)
	b = jackson.AppendString(b, name)
	if space != ns {
		b = append(b, `,"namespace":`...)
		b = jackson.AppendString(b, space)
	}
	// AvroData keeps a Connect doc only as the connect.doc property; the
	// record's own doc comes from a connect.record.doc parameter.
	if doc, ok := s.Param("connect.record.doc"); ok {
		b = append(b, `,"doc":`...)
		b = jackson.AppendString(b, doc)
	}
	b = append(b, `,"fields":[`...)
	var err error
	for i, f := range s.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = w.appendField(b, f, space); err != nil {
			return b, fmt.Errorf("field %q: %w", f.Name, err)
		}
	}
	b = append(b, ']')
	return w.appendMeta(b, s, "")
}

// recordName splits a struct's Connect name at the last dot. An unnamed
// struct becomes io.confluent.connect.avro.ConnectDefault (then
// ConnectDefault2, 3, ... within one schema).
func (w *schemaWriter) recordName(s *schema.Schema) (space, name string) {
	if s.Name == "" {
		w.defaultSeq++
		if w.defaultSeq == 1 {
			return connectNamespace, defaultRecordName
		}
		return connectNamespace, defaultRecordName + strconv.Itoa(w.defaultSeq)
	}
	if i := strings.LastIndexByte(s.Name, '.'); i >= 0 {
		return s.Name[:i], s.Name[i+1:]
	}
	return "", s.Name
}

// qualified is how Avro refers to a named type from namespace ns.
func qualified(space, name, ns string) string {
	if space == "" || space == ns {
		return name
	}
	return space + "." + name
}

// appendField writes one record field: name, type, then the default (the
// schema's default, else null for an optional field).
func (w *schemaWriter) appendField(b []byte, f schema.Field, ns string) ([]byte, error) {
	if f.Schema == nil {
		return b, errors.New("no schema")
	}
	b = append(b, `{"name":`...)
	b = jackson.AppendString(b, f.Name)
	b = append(b, `,"type":`...)
	b, err := w.appendSchema(b, f.Schema, ns)
	if err != nil {
		return b, err
	}
	switch {
	case hasDefault(f.Schema):
		b = append(b, `,"default":`...)
		if b, err = appendDefault(b, f.Schema, f.Schema.Default); err != nil {
			return b, fmt.Errorf("converting the default: %w", err)
		}
	case f.Schema.Optional:
		b = append(b, `,"default":null`...)
	}
	return append(b, '}'), nil
}

func primitiveName(t schema.Type) (string, error) {
	switch t {
	case schema.TypeInt8, schema.TypeInt16, schema.TypeInt32:
		return "int", nil
	case schema.TypeInt64:
		return "long", nil
	case schema.TypeFloat32:
		return "float", nil
	case schema.TypeFloat64:
		return "double", nil
	case schema.TypeBoolean:
		return "boolean", nil
	case schema.TypeString:
		return "string", nil
	case schema.TypeBytes:
		return "bytes", nil
	}
	return "", fmt.Errorf("unsupported schema type %s", t)
}

// decimalParams reads a Decimal schema's scale and precision (64 when the
// precision parameter is absent).
func decimalParams(s *schema.Schema) (scale, precision int, err error) {
	p, ok := s.Param(schema.DecimalScaleParam)
	if !ok {
		return 0, 0, errors.New("invalid Decimal schema: scale parameter not found")
	}
	if scale, err = strconv.Atoi(p); err != nil {
		return 0, 0, fmt.Errorf("invalid Decimal scale %q: %w", p, err)
	}
	precision = defaultDecimalPrecision
	if p, ok := s.Param(schema.DecimalPrecisionParam); ok {
		if precision, err = strconv.Atoi(p); err != nil {
			return 0, 0, fmt.Errorf("invalid Decimal precision %q: %w", p, err)
		}
	}
	return scale, precision, nil
}

// hasDefault mirrors Java's schema.defaultValue() != null.
func hasDefault(s *schema.Schema) bool { return s.HasDefault && s.Default != nil }

// appendDefault writes a Connect default value as Avro JSON
// (AvroData.defaultValueFromConnect): numbers, booleans and strings as
// themselves, bytes and decimals as ISO-8859-1 strings, logical temporal
// types as their integer encodings.
func appendDefault(b []byte, s *schema.Schema, v any) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	switch s.Name {
	case schema.DecimalName:
		unscaled, err := decimalUnscaled(s, v)
		if err != nil {
			return b, err
		}
		return appendLatin1(b, schema.BigIntBytes(unscaled)), nil
	case schema.DateName, schema.TimeName, schema.TimestampName:
		n, err := temporal(s, v)
		if err != nil {
			return b, err
		}
		return strconv.AppendInt(b, n, 10), nil
	}
	switch x := v.(type) {
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float32:
		return appendFloat(b, float64(x), 32)
	case float64:
		return appendFloat(b, x, 64)
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return jackson.AppendString(b, x), nil
	case []byte:
		return appendLatin1(b, x), nil
	case *schema.Struct:
		b = append(b, '{')
		for i, f := range x.Schema.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = jackson.AppendString(b, f.Name)
			b = append(b, ':')
			var err error
			if b, err = appendDefault(b, f.Schema, x.Values[i]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendDefault(b, s.Items, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	return b, fmt.Errorf("unsupported default value of Go type %T", v)
}

func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("non-finite default %v", f)
	}
	b = strconv.AppendFloat(b, f, 'g', -1, bits)
	return b, nil
}

// decimalUnscaled returns the unscaled value of a Decimal value at the
// schema's scale.
func decimalUnscaled(s *schema.Schema, v any) (*big.Int, error) {
	var d schema.Decimal
	switch x := v.(type) {
	case schema.Decimal:
		d = x
	case *schema.Decimal:
		if x == nil {
			return nil, errors.New("nil Decimal")
		}
		d = *x
	default:
		return nil, fmt.Errorf("invalid type for Decimal, expected schema.Decimal but was %T", v)
	}
	if d.Unscaled == nil {
		return nil, errors.New("Decimal has no unscaled value")
	}
	scale, _, err := decimalParams(s)
	if err != nil {
		return nil, err
	}
	if int(d.Scale) != scale {
		return nil, fmt.Errorf("Decimal has mismatching scale value %d for given Decimal schema scale %d", d.Scale, scale)
	}
	return d.Unscaled, nil
}

const millisPerDay = 24 * 60 * 60 * 1000

// temporal converts a Connect Date, Time or Timestamp value to its Avro
// integer: epoch days, milliseconds of the day, epoch milliseconds.
func temporal(s *schema.Schema, v any) (int64, error) {
	switch s.Name {
	case schema.DateName:
		switch x := v.(type) {
		case time.Time:
			ms := x.UnixMilli()
			if ms%millisPerDay != 0 {
				return 0, errors.New("Kafka Connect Date type should not have any time fields set to non-zero values")
			}
			return ms / millisPerDay, nil
		case int32:
			return int64(x), nil
		}
		return 0, fmt.Errorf("invalid type for Date, expected time.Time but was %T", v)
	case schema.TimeName:
		switch x := v.(type) {
		case time.Time:
			ms := x.UnixMilli()
			if ms < 0 || ms > millisPerDay {
				return 0, errors.New("Kafka Connect Time type should not have any date fields set to non-zero values")
			}
			return ms, nil
		case int32:
			return int64(x), nil
		}
		return 0, fmt.Errorf("invalid type for Time, expected time.Time but was %T", v)
	}
	switch x := v.(type) {
	case time.Time:
		return x.UnixMilli(), nil
	case int64:
		return x, nil
	}
	return 0, fmt.Errorf("invalid type for Timestamp, expected time.Time but was %T", v)
}

// appendLatin1 writes bytes as a JSON string of the code points 0-255, as
// Avro's JSON encoding of bytes defaults does.
func appendLatin1(b, data []byte) []byte {
	var sb strings.Builder
	for _, c := range data {
		sb.WriteRune(rune(c))
	}
	return jackson.AppendString(b, sb.String())
}
