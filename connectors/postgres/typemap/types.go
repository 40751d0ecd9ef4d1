package typemap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/tributary-cdc/tributary/schema"
)

// decimalAsDouble maps numeric under decimal.handling.mode=double.
func decimalAsDouble(c Column) Mapping {
	return Mapping{Schema: pick(schema.Float64Schema, schema.OptionalFloat64Schema, c.Optional), Decode: decodeNumericDouble, Fallback: float64(0)}
}

func decodeNumericDouble(b []byte) (any, error) {
	switch string(b) {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return nil, fmt.Errorf("parsing numeric %q: %w", b, err)
	}
	return v, nil
}

// decimalAsString maps numeric under decimal.handling.mode=string: the plain
// decimal text, and Debezium's names for the special values.
func decimalAsString(c Column) Mapping {
	return Mapping{Schema: pick(schema.StringSchema, schema.OptionalStringSchema, c.Optional), Decode: decodeNumericString, Fallback: "0"}
}

func decodeNumericString(b []byte) (any, error) {
	switch string(b) {
	case "NaN":
		return "NAN", nil
	case "Infinity":
		return "POSITIVE_INFINITY", nil
	case "-Infinity":
		return "NEGATIVE_INFINITY", nil
	}
	if _, err := scanNumeric(b); err != nil { // checked without building the number
		return nil, err
	}
	return string(b), nil
}

// PlainDecimal writes a Decimal as BigDecimal.toPlainString does.
func PlainDecimal(d schema.Decimal) string { return plainDecimal(d.Unscaled, int(d.Scale)) }

// plainDecimal writes unscaled × 10^-scale as BigDecimal.toPlainString does.
func plainDecimal(u *big.Int, scale int) string {
	s := new(big.Int).Abs(u).String()
	neg := u.Sign() < 0
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	} else if scale < 0 && u.Sign() != 0 {
		s += strings.Repeat("0", -scale)
	}
	if neg {
		return "-" + s
	}
	return s
}

// money maps money as a Decimal of money.fraction.digits scale without a
// precision parameter (or per decimal.handling.mode).
func money(c Column, o *Options) Mapping {
	digits := o.MoneyDigits
	dec := func(b []byte) (schema.Decimal, error) {
		u, frac, err := parseMoney(b)
		if err != nil {
			return schema.Decimal{}, err
		}
		return schema.Decimal{Unscaled: rescaleHalfUp(u, frac, digits), Scale: int32(digits)}, nil
	}
	switch o.Decimal {
	case DecimalDouble:
		return Mapping{
			Schema: pick(schema.Float64Schema, schema.OptionalFloat64Schema, c.Optional),
			Decode: func(b []byte) (any, error) {
				d, err := dec(b)
				if err != nil {
					return nil, err
				}
				f, _ := strconv.ParseFloat(plainDecimal(d.Unscaled, digits), 64)
				return f, nil
			},
			Fallback: float64(0),
		}
	case DecimalString:
		return Mapping{
			Schema: pick(schema.StringSchema, schema.OptionalStringSchema, c.Optional),
			Decode: func(b []byte) (any, error) {
				d, err := dec(b)
				if err != nil {
					return nil, err
				}
				return plainDecimal(d.Unscaled, digits), nil
			},
			Fallback: plainDecimal(new(big.Int), digits),
		}
	}
	return Mapping{
		Schema: schema.DecimalSchema(digits, 0, c.Optional),
		Decode: func(b []byte) (any, error) {
			d, err := dec(b)
			if err != nil {
				return nil, err
			}
			return d, nil
		},
		Fallback: zeroDecimal(digits),
	}
}

// parseMoney reads the money output form ("$1,234.56", "-$0.05",
// "($5.00)") ignoring the currency symbol and group separators.
func parseMoney(b []byte) (*big.Int, int, error) {
	digits := make([]byte, 0, len(b)+1)
	neg, seenDot, frac, n := false, false, 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
			n++
			if seenDot {
				frac++
			}
		case c == '.':
			seenDot = true
		case c == '-' || c == '(':
			neg = true
		}
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("parsing money %q", b)
	}
	u, ok := new(big.Int).SetString(string(digits), 10)
	if !ok {
		return nil, 0, fmt.Errorf("parsing money %q", b)
	}
	if neg {
		u.Neg(u)
	}
	return u, frac, nil
}

// rescaleHalfUp moves unscaled u from scale from to scale to, rounding half
// away from zero.
func rescaleHalfUp(u *big.Int, from, to int) *big.Int {
	if from <= to {
		return u.Mul(u, pow10(to-from))
	}
	d := pow10(from - to)
	q, r := new(big.Int).QuoRem(u, d, new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(d) >= 0 {
		if u.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// bits maps bit(n)/varbit(n): BOOLEAN for n ≤ 1, otherwise Bits bytes.
func bits(c Column) Mapping {
	length := int(c.TypeMod)
	if length < 0 {
		length = math.MaxInt32
	}
	if length <= 1 {
		return Mapping{Schema: pick(schema.BooleanSchema, schema.OptionalBooleanSchema, c.Optional), Decode: decodeBit1, Fallback: false}
	}
	s := &schema.Schema{Type: schema.TypeBytes, Name: BitsName, Version: 1, Optional: c.Optional,
		Params: []schema.Param{{Key: "length", Value: strconv.Itoa(length)}}}
	return Mapping{Schema: s, Decode: decodeBits, Fallback: []byte{}}
}

func decodeBit1(b []byte) (any, error) {
	switch string(b) {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return nil, fmt.Errorf("parsing bit %q", b)
}

// decodeBits builds the bytes of a Java BitSet from a bit string whose last
// character is bit 0: little-endian, as long as the highest set bit needs.
func decodeBits(b []byte) (any, error) {
	out := make([]byte, (len(b)+7)/8)
	top := 0
	for i, c := range b {
		bit := len(b) - 1 - i
		switch c {
		case '1':
			out[bit/8] |= 1 << (bit % 8)
			if bit/8+1 > top {
				top = bit/8 + 1
			}
		case '0':
		default:
			return nil, fmt.Errorf("parsing bit string %q", b)
		}
	}
	return out[:top], nil
}

// interval maps interval as MicroDuration or, in string mode, an ISO 8601
// Interval string.
func interval(c Column, o *Options) Mapping {
	if o.Interval == IntervalString {
		s := &schema.Schema{Type: schema.TypeString, Name: IntervalName, Version: 1, Optional: c.Optional}
		return Mapping{Schema: s, Decode: decodeIntervalISO, Fallback: "P0Y0M0DT0H0M0S"}
	}
	s := &schema.Schema{Type: schema.TypeInt64, Name: MicroDurationName, Version: 1, Optional: c.Optional}
	return Mapping{Schema: s, Decode: decodeIntervalMicros, Fallback: int64(0)}
}

// pgInterval holds the fields pgjdbc's PGInterval parses from the
// postgres IntervalStyle.
type pgInterval struct {
	years, months, days, hours, minutes, seconds, micros int
}

func parseInterval(b []byte) (pgInterval, error) {
	var iv pgInterval
	fields := strings.Fields(string(b))
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.Contains(f, ":") {
			if err := iv.parseClock(f); err != nil {
				return iv, fmt.Errorf("parsing interval %q: %w", b, err)
			}
			continue
		}
		if i+1 >= len(fields) {
			return iv, fmt.Errorf("parsing interval %q", b)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(f, "+"))
		if err != nil {
			return iv, fmt.Errorf("parsing interval %q: %w", b, err)
		}
		i++
		switch unit := fields[i]; {
		case strings.HasPrefix(unit, "year"):
			iv.years = n
		case strings.HasPrefix(unit, "mon"):
			iv.months = n
		case strings.HasPrefix(unit, "day"):
			iv.days = n
		default:
			return iv, fmt.Errorf("parsing interval %q: unit %q", b, unit)
		}
	}
	return iv, nil
}

// parseClock parses "[+-]H+:MM:SS[.ffffff]"; a sign applies to every part.
func (iv *pgInterval) parseClock(f string) error {
	sign := 1
	switch f[0] {
	case '-':
		sign, f = -1, f[1:]
	case '+':
		f = f[1:]
	}
	parts := strings.Split(f, ":")
	if len(parts) != 3 {
		return fmt.Errorf("time part %q", f)
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	secText, fracText, _ := strings.Cut(parts[2], ".")
	s, err3 := strconv.Atoi(secText)
	if err1 != nil || err2 != nil || err3 != nil || len(fracText) > 6 {
		return fmt.Errorf("time part %q", f)
	}
	us := 0
	if fracText != "" {
		n, err := strconv.Atoi(fracText)
		if err != nil {
			return fmt.Errorf("time part %q", f)
		}
		us = n * int(math.Pow10(6-len(fracText)))
	}
	iv.hours, iv.minutes, iv.seconds, iv.micros = sign*h, sign*m, sign*s, sign*us
	return nil
}

// daysPerMonthAvg is MicroDuration.DAYS_PER_MONTH_AVG.
const daysPerMonthAvg = 365.25 / 12

// decodeIntervalMicros computes MicroDuration.durationMicros with the same
// floating-point steps (explicit conversions keep each step rounded).
func decodeIntervalMicros(b []byte) (any, error) {
	iv, err := parseInterval(b)
	if err != nil {
		return nil, err
	}
	numberOfDays := float64(float64(iv.years*12+iv.months)*daysPerMonthAvg) + float64(iv.days)
	secs := float64(float64(numberOfDays*24)+float64(iv.hours)) * 60
	secs = float64(float64(secs+float64(iv.minutes))*60) + float64(iv.seconds)
	return int64(float64(secs*1e6) + float64(iv.micros)), nil
}

// decodeIntervalISO formats Interval.toIsoString: every component, seconds
// with trailing zeros stripped.
func decodeIntervalISO(b []byte) (any, error) {
	iv, err := parseInterval(b)
	if err != nil {
		return nil, err
	}
	us := int64(iv.seconds)*1_000_000 + int64(iv.micros)
	secs := strings.TrimRight(strings.TrimRight(plainDecimal(big.NewInt(us), 6), "0"), ".")
	if secs == "" || secs == "-" {
		secs = "0"
	}
	return fmt.Sprintf("P%dY%dM%dDT%dH%dM%sS", iv.years, iv.months, iv.days, iv.hours, iv.minutes, secs), nil
}

var pointSchemaReq, pointSchemaOpt = pointSchema(false), pointSchema(true)

func pointSchema(optional bool) *schema.Schema {
	s := schema.StructOf(PointName, optional,
		schema.NewField("x", schema.Float64Schema),
		schema.NewField("y", schema.Float64Schema),
		schema.NewField("wkb", schema.OptionalBytesSchema),
		schema.NewField("srid", schema.OptionalInt32Schema))
	s.Version = 1
	s.Doc = "Geometry (POINT)"
	return s
}

// point maps point to Debezium's Point struct with little-endian WKB.
func point(c Column) Mapping {
	s := pick(pointSchemaReq, pointSchemaOpt, c.Optional)
	return Mapping{
		Schema: s,
		Decode: func(b []byte) (any, error) {
			in := bytes.TrimSuffix(bytes.TrimPrefix(b, []byte("(")), []byte(")"))
			xs, ys, ok := bytes.Cut(in, []byte(","))
			x, err1 := strconv.ParseFloat(string(xs), 64)
			y, err2 := strconv.ParseFloat(string(ys), 64)
			if !ok || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("parsing point %q", b)
			}
			return pointStruct(s, x, y), nil
		},
		Fallback: pointStruct(s, 0, 0),
	}
}

func pointStruct(s *schema.Schema, x, y float64) *schema.Struct {
	wkb := make([]byte, 21)
	wkb[0] = 1
	binary.LittleEndian.PutUint32(wkb[1:], 1)
	binary.LittleEndian.PutUint64(wkb[5:], math.Float64bits(x))
	binary.LittleEndian.PutUint64(wkb[13:], math.Float64bits(y))
	return &schema.Struct{Schema: s, Values: []any{x, y, wkb, nil}}
}

// enum maps an enum to Debezium's Enum string with its allowed labels.
func enum(c Column) Mapping {
	s := &schema.Schema{Type: schema.TypeString, Name: EnumName, Version: 1, Optional: c.Optional,
		Params: []schema.Param{{Key: "allowed", Value: c.EnumLabels}}}
	return Mapping{Schema: s, Decode: decodeString, Fallback: ""}
}

// unknown maps a type Debezium does not know under
// include.unknown.datatypes: its text bytes, per binary.handling.mode.
func (o *Options) unknown(c Column) Mapping {
	if o.Binary == BinaryBytes {
		return Mapping{Schema: pick(schema.BytesSchema, schema.OptionalBytesSchema, c.Optional),
			Decode: func(b []byte) (any, error) { return bytes.Clone(b), nil }, Fallback: []byte{}}
	}
	enc := o.binaryEncoder()
	return Mapping{Schema: pick(schema.StringSchema, schema.OptionalStringSchema, c.Optional),
		Decode: func(b []byte) (any, error) { return enc(b), nil }, Fallback: ""}
}

// array maps an array to ARRAY of the optional element mapping.
func (o *Options) array(c Column) (Mapping, error) {
	if unsupportedElements[c.ElemOID] {
		return Mapping{}, fmt.Errorf("mapping array of oid %d: %w", c.ElemOID, ErrUnsupported)
	}
	elem, err := o.mapping(Column{
		TypeOID: c.ElemOID, TypeMod: c.TypeMod, Optional: true,
		TypeName: c.ElemName, TypeKind: c.ElemKind, EnumLabels: c.ElemLabels,
	})
	if err != nil {
		return Mapping{}, fmt.Errorf("mapping array of %s: %w", c.ElemName, err)
	}
	s := &schema.Schema{Type: schema.TypeArray, Items: elem.Schema, Optional: c.Optional}
	delim := arrayDelimiter(c.ElemName)
	m := Mapping{
		Schema:    s,
		Decode:    func(b []byte) (any, error) { return decodeArrayDelim(b, delim, elem.Decode) },
		Fallback:  []any{},
		noDefault: elem.noDefault,
	}
	if elem.Schema.Type == schema.TypeString {
		m.Unavailable = []any{o.placeholder()}
	}
	return m, nil
}

// decodeArray parses an array literal and decodes each element; unquoted
// NULL is a null element. Explicit bounds ("[0:1]={1,2}") are skipped, as
// pgjdbc's PgArray does. A multi-dimensional array is flattened in
// row-major order: the column's schema is a one-dimensional array (the
// type does not fix the number of dimensions), and Debezium itself turns
// each sub-array into null or the sub-array's Java object name.
// arrayDelimiter is the element type's pg_type.typdelim, which array_out
// writes between elements: ',' but for the PostGIS types, declared with
// DELIMITER ':'.
func arrayDelimiter(elemName string) byte {
	switch elemName {
	case GeometryTypeName, GeographyTypeName:
		return ':'
	}
	return ','
}

// decodeArrayDelim parses an array whose elements are separated by delim.
func decodeArrayDelim(b []byte, delim byte, dec Decoder) (any, error) {
	if len(b) > 0 && b[0] == '[' {
		i := bytes.IndexByte(b, '=')
		if i < 0 {
			return nil, fmt.Errorf("parsing array %q", b)
		}
		b = b[i+1:]
	}
	p := arrayParser{src: b, dec: dec, delim: delim, out: []any{}}
	end, err := p.level(0, 0)
	if err != nil {
		return nil, fmt.Errorf("parsing array %q: %w", b, err)
	}
	if end != len(b) {
		return nil, fmt.Errorf("parsing array %q: trailing characters", b)
	}
	return p.out, nil
}

// arrayParser walks a (possibly nested) array literal, appending leaf
// elements to out.
type arrayParser struct {
	src   []byte
	dec   Decoder
	delim byte
	out   []any
	elem  []byte
}

// maxArrayDepth is PostgreSQL's MAXDIM.
const maxArrayDepth = 6

// level parses the "{...}" starting at i and returns the index after it.
func (p *arrayParser) level(i, depth int) (int, error) {
	b := p.src
	if depth > maxArrayDepth {
		return 0, fmt.Errorf("more than %d dimensions", maxArrayDepth)
	}
	if i >= len(b) || b[i] != '{' {
		return 0, fmt.Errorf("expected '{' at %d", i)
	}
	i++
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		var err error
		switch {
		case i >= len(b):
			return 0, fmt.Errorf("unterminated array")
		case b[i] == '{':
			if i, err = p.level(i, depth+1); err != nil {
				return 0, err
			}
		case b[i] == '"':
			p.elem = p.elem[:0]
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' && i+1 < len(b) {
					i++
				}
				p.elem = append(p.elem, b[i])
			}
			if i >= len(b) {
				return 0, fmt.Errorf("unterminated quote")
			}
			i++
			if err := p.add(false); err != nil {
				return 0, err
			}
		default:
			p.elem = p.elem[:0]
			for ; i < len(b) && b[i] != p.delim && b[i] != '}'; i++ {
				p.elem = append(p.elem, b[i])
			}
			if err := p.add(true); err != nil {
				return 0, err
			}
		}
		if i >= len(b) {
			return 0, fmt.Errorf("unterminated array")
		}
		switch b[i] {
		case p.delim:
			i++
		case '}':
			return i + 1, nil
		default:
			return 0, fmt.Errorf("unexpected %q at %d", b[i], i)
		}
	}
}

func (p *arrayParser) add(unquoted bool) error {
	if unquoted && string(p.elem) == "NULL" {
		p.out = append(p.out, nil)
		return nil
	}
	v, err := p.dec(p.elem)
	if err != nil {
		return fmt.Errorf("parsing array element: %w", err)
	}
	p.out = append(p.out, v)
	return nil
}
