package transforms

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Property of Cast (Cast.java).
const propSpec = "spec"

// castTypes are Schema.Type's names, as Schema.Type.valueOf reads them.
var castTypes = map[string]schema.Type{
	"INT8": schema.TypeInt8, "INT16": schema.TypeInt16, "INT32": schema.TypeInt32, "INT64": schema.TypeInt64,
	"FLOAT32": schema.TypeFloat32, "FLOAT64": schema.TypeFloat64, "BOOLEAN": schema.TypeBoolean,
	"STRING": schema.TypeString, "BYTES": schema.TypeBytes, "ARRAY": schema.TypeArray,
	"MAP": schema.TypeMap, "STRUCT": schema.TypeStruct,
}

const (
	castInputTypes  = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"
	castOutputTypes = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
)

// castSpec is Cast's parsed spec: a type per field, or one for the whole
// key or value.
type castSpec struct {
	fields map[string]schema.Type
	whole  schema.Type // 0 unless the whole value is cast
}

// parseCastSpec is Cast.parseFieldTypes.
func parseCastSpec(name string, mappings []string) (castSpec, error) {
	spec := castSpec{fields: map[string]schema.Type{}}
	parseType := func(s string) (schema.Type, error) {
		s = javaTrim(s)
		t, ok := castTypes[strings.ToUpper(s)]
		if !ok {
			return 0, &configdef.Exception{Message: "Invalid type found in casting spec: " + s}
		}
		switch t {
		case schema.TypeBytes, schema.TypeArray, schema.TypeMap, schema.TypeStruct:
			return 0, &configdef.Exception{Message: fmt.Sprintf("Cast transformation does not support casting to %s; supported types are %s",
				strings.ToUpper(t.String()), castOutputTypes)}
		}
		return t, nil
	}
	for _, m := range mappings {
		parts := javaSplit(m, ":")
		switch len(parts) {
		case 1:
			t, err := parseType(parts[0])
			if err != nil {
				return spec, err
			}
			spec.whole = t
		case 2:
			t, err := parseType(parts[1])
			if err != nil {
				return spec, err
			}
			spec.fields[javaTrim(parts[0])] = t
		default:
			// Kafka names ReplaceField's property in this message.
			return spec, configdef.Invalid(propRenames, mappings, "Invalid rename mapping: "+m)
		}
	}
	if spec.whole != 0 && len(mappings) > 1 {
		return spec, &configdef.Exception{Message: "Cast transformations that specify a type to cast the entire value to may only specify a single cast in their spec"}
	}
	return spec, nil
}

// cast is Cast$Key or Cast$Value: it casts fields of a struct, or the whole
// key or value, to another primitive type.
type cast struct {
	side                   side
	class                  string
	spec                   castSpec
	replaceNullWithDefault bool
	cache                  derivedCache[*schema.Schema]
}

// newCast returns the constructor of Cast$Key or $Value, which parses
// CastDef.
func newCast(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := CastDef.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		spec, _ := parseCastSpec(propSpec, v.List(propSpec)) // checked by the Def
		return &cast{side: s, class: s.class(CastKeyClass, CastValueClass), spec: spec,
			replaceNullWithDefault: v.Bool(propReplaceNullWithDefault)}, nil
	}
}

func (t *cast) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if v == nil {
		return r, true, nil
	}
	if sch == nil {
		return r, false, fmt.Errorf("%s: schemaless data (%T without a schema) is not supported; only values with a schema are", t.class, v)
	}
	updated, ok := t.cache.get(sch)
	if !ok {
		var err error
		if updated, err = t.updatedSchema(sch); err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		t.cache.put(sch, updated)
	}
	if t.spec.whole != 0 {
		out, err := castValue(sch, v, t.spec.whole)
		if err != nil {
			return r, false, fmt.Errorf("%s: %w", t.class, err)
		}
		t.side.set(&r, updated, out)
		return r, true, nil
	}
	st, err := requireStruct(t.class, "cast types", sch, v)
	if err != nil {
		return r, false, err
	}
	out := schema.NewStruct(updated)
	for i, f := range st.Schema.Fields {
		fv := fieldValue(st, i, t.replaceNullWithDefault)
		if to, ok := t.spec.fields[f.Name]; ok {
			if fv, err = castValue(f.Schema, fv, to); err != nil {
				return r, false, fmt.Errorf("%s: %w", t.class, err)
			}
		}
		out.Values[i] = fv
	}
	t.side.set(&r, updated, out)
	return r, true, nil
}

// updatedSchema is Cast.getOrBuildSchema.
func (t *cast) updatedSchema(in *schema.Schema) (*schema.Schema, error) {
	var out *schema.Schema
	if t.spec.whole != 0 {
		// SchemaUtil.copySchemaBasics onto the target type: name, version,
		// doc and parameters stay.
		out = &schema.Schema{Type: t.spec.whole, Name: in.Name, Version: in.Version, Doc: in.Doc, Params: in.Params}
	} else {
		if in.Type != schema.TypeStruct {
			return nil, fmt.Errorf("Only Struct objects supported for [cast types], found: %s", in.Type)
		}
		fields := make([]schema.Field, 0, len(in.Fields))
		for _, f := range in.Fields {
			to, ok := t.spec.fields[f.Name]
			if !ok {
				fields = append(fields, schema.NewField(f.Name, f.Schema))
				continue
			}
			fs := &schema.Schema{Type: to, Optional: f.Schema.Optional}
			if f.Schema.HasDefault && f.Schema.Default != nil {
				d, err := castValue(f.Schema, f.Schema.Default, to)
				if err != nil {
					return nil, err
				}
				fs.Default, fs.HasDefault = d, true
			}
			fields = append(fields, schema.NewField(f.Name, fs))
		}
		var err error
		if out, err = buildStruct(in, fields); err != nil {
			return nil, err
		}
	}
	out.Optional = in.Optional
	if in.HasDefault && in.Default != nil {
		d, err := castValue(in, in.Default, out.Type)
		if err != nil {
			return nil, err
		}
		out.Default, out.HasDefault = d, true
	}
	return out, nil
}

// castValue is Cast.castValueToType for a value with a schema.
func castValue(s *schema.Schema, v any, to schema.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch s.Type {
	case schema.TypeArray, schema.TypeMap, schema.TypeStruct:
		return nil, fmt.Errorf("Cast transformation does not support casting from %s; supported types are %s",
			strings.ToUpper(s.Type.String()), castInputTypes)
	}
	if to == schema.TypeString {
		return schema.ValueString(v)
	}
	// encodeLogicalType: Date as days, Time as milliseconds of the day,
	// Timestamp as milliseconds since the epoch.
	if tm, ok := v.(time.Time); ok {
		ms := tm.UnixMilli()
		switch s.Name {
		case schema.DateName:
			v = int32(ms / (24 * 3600 * 1000))
		case schema.TimeName:
			v = int32(ms)
		case schema.TimestampName:
			v = ms
		}
	}
	n, err := castNumber(v, to)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) {
			return nil, fmt.Errorf("Value (%v) was out of range for requested data type: %w", v, err)
		}
		return nil, err
	}
	return n, nil
}

// castNumber casts a number, boolean or string to a numeric or boolean
// type: numbers narrow as Java's Number.byteValue, intValue, floatValue…
// do; strings parse as Byte.parseByte, Integer.parseInt, Float.parseFloat…
// and Boolean.parseBoolean do.
func castNumber(v any, to schema.Type) (any, error) {
	switch x := v.(type) {
	case bool:
		n := int64(0)
		if x {
			n = 1
		}
		if to == schema.TypeBoolean {
			return x, nil
		}
		return narrowInt(n, to), nil
	case string:
		switch to {
		case schema.TypeBoolean:
			return strings.EqualFold(x, "true"), nil
		case schema.TypeFloat32, schema.TypeFloat64:
			f, err := parseJavaFloat(x, to)
			if err != nil {
				return nil, err
			}
			if to == schema.TypeFloat32 {
				return float32(f), nil
			}
			return f, nil
		}
		bits := map[schema.Type]int{schema.TypeInt8: 8, schema.TypeInt16: 16, schema.TypeInt32: 32, schema.TypeInt64: 64}[to]
		n, err := strconv.ParseInt(x, 10, bits)
		if err != nil {
			return nil, err
		}
		return narrowInt(n, to), nil
	case int8, int16, int32, int64:
		n := reflectInt(x)
		switch to {
		case schema.TypeBoolean:
			return n != 0, nil
		case schema.TypeFloat32:
			return float32(n), nil
		case schema.TypeFloat64:
			return float64(n), nil
		}
		return narrowInt(n, to), nil
	case float32:
		return castFloat(float64(x), to), nil
	case float64:
		return castFloat(x, to), nil
	case schema.Decimal:
		r := decimalRat(x)
		switch to {
		case schema.TypeFloat32:
			f, _ := r.Float32()
			return f, nil
		case schema.TypeFloat64:
			f, _ := r.Float64()
			return f, nil
		}
		// BigDecimal.longValue: the integer part, its low 64 bits.
		i := new(big.Int).Quo(r.Num(), r.Denom())
		n := int64(lowBits64(i))
		if to == schema.TypeBoolean {
			return n != 0, nil
		}
		return narrowInt(n, to), nil
	}
	return nil, fmt.Errorf("Unexpected type in Cast transformation: %T", v)
}

// decimalRat is the exact value of a Decimal.
func decimalRat(d schema.Decimal) *big.Rat {
	if d.Scale >= 0 {
		return new(big.Rat).SetFrac(d.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
	}
	return new(big.Rat).SetInt(new(big.Int).Mul(d.Unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-d.Scale)), nil)))
}

// lowBits64 is BigInteger.longValue: the low 64 bits in two's complement.
func lowBits64(i *big.Int) uint64 {
	m := new(big.Int).And(i, new(big.Int).SetUint64(math.MaxUint64))
	return m.Uint64()
}

func reflectInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

// narrowInt is Java's narrowing of a long: the low bits.
func narrowInt(n int64, to schema.Type) any {
	switch to {
	case schema.TypeInt8:
		return int8(n)
	case schema.TypeInt16:
		return int16(n)
	case schema.TypeInt32:
		return int32(n)
	case schema.TypeInt64:
		return n
	case schema.TypeFloat32:
		return float32(n)
	case schema.TypeFloat64:
		return float64(n)
	case schema.TypeBoolean:
		return n != 0
	}
	return n
}

// castFloat is Float/Double's byteValue, shortValue, intValue, longValue
// (Java's saturating conversion to int or long, then the low bits), and
// longValue() != 0 for a boolean.
func castFloat(f float64, to schema.Type) any {
	switch to {
	case schema.TypeFloat32:
		return float32(f)
	case schema.TypeFloat64:
		return f
	case schema.TypeInt64, schema.TypeBoolean:
		n := javaD2L(f)
		if to == schema.TypeBoolean {
			return n != 0
		}
		return n
	}
	return narrowInt(int64(javaD2I(f)), to)
}

// javaD2I is Java's (int) of a double: NaN is 0, out-of-range saturates.
func javaD2I(f float64) int32 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

// javaD2L is Java's (long) of a double.
func javaD2L(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// parseJavaFloat is Float.parseFloat and Double.parseDouble for decimal
// text: surrounding whitespace trimmed, an optional f/F/d/D suffix, NaN
// and Infinity spelled as Java spells them.
func parseJavaFloat(s string, to schema.Type) (float64, error) {
	t := javaTrim(s)
	bits := 64
	if to == schema.TypeFloat32 {
		bits = 32
	}
	switch strings.TrimLeft(t, "+-") {
	case "NaN", "Infinity":
	default:
		if n := len(t); n > 0 && strings.IndexByte("fFdD", t[n-1]) >= 0 {
			t = t[:n-1]
		}
		if !javaDecimalText(t) {
			return 0, &strconv.NumError{Func: "parseFloat", Num: s, Err: strconv.ErrSyntax}
		}
	}
	if strings.TrimLeft(t, "+-") == "NaN" {
		return math.NaN(), nil
	}
	f, err := strconv.ParseFloat(strings.Replace(t, "Infinity", "Inf", 1), bits)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	return f, nil
}

// javaDecimalText reports whether s is [+-]digits[.digits][e[+-]digits]
// with at least one digit in the mantissa.
func javaDecimalText(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && isASCIIDigit(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isASCIIDigit(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && isASCIIDigit(s[i]) {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}
