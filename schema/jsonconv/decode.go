package jsonconv

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/tributary-cdc/tributary/schema"
)

// ToConnect parses JsonConverter output (JsonConverter.toConnectData). With
// schemas.enable=true the data must be a {"schema":…,"payload":…} envelope;
// otherwise it is a bare payload read without a schema (integers as int64,
// other numbers as float64, objects as map[string]any, arrays as []any).
// nil or empty data (a tombstone) returns (nil, nil, nil).
//
// Values come back in the types FromConnect accepts: Decimal as
// schema.Decimal (with the scale of the JSON number under
// decimal.format=NUMERIC input, as Java's decimalValue does), Date, Time and
// Timestamp as UTC time.Time, maps with string keys as map[string]any and
// others as map[any]any. Schemas parsed from identical JSON are shared from
// a bounded cache and must not be modified.
func (c *Converter) ToConnect(topic string, data []byte) (*schema.Schema, any, error) {
	if len(data) == 0 {
		return nil, nil, nil
	}
	s, v, err := c.toConnect(data)
	if err != nil {
		return nil, nil, fmt.Errorf("converting JSON from topic %q to Connect data: %w", topic, err)
	}
	return s, v, nil
}

const envelopeMsg = `JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. ` +
	`If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.`

func (c *Converter) toConnect(data []byte) (*schema.Schema, any, error) {
	if !c.schemasEnabled {
		n, err := parseDocument(data)
		if err != nil {
			return nil, nil, err
		}
		v, err := c.toValue(nil, n)
		return nil, v, err
	}
	p := parser{data: data}
	p.ws()
	if p.pos >= len(data) || data[p.pos] != '{' {
		if _, err := parseDocument(data); err != nil {
			return nil, nil, err
		}
		return nil, nil, dataErr(envelopeMsg)
	}
	// Walk the envelope by hand: the schema is only validated here and
	// built below when the cache does not have it.
	p.pos++
	p.depth = 1
	var schemaJSON []byte
	var payload *jnode
	seenSchema, seenPayload, other := false, false, false
	p.ws()
	if p.pos < len(data) && data[p.pos] == '}' {
		p.pos++
	} else {
		for done := false; !done; {
			p.ws()
			if p.pos >= len(data) || data[p.pos] != '"' {
				return nil, nil, p.errorf("expected an object key")
			}
			k, err := p.str(true)
			if err != nil {
				return nil, nil, err
			}
			p.ws()
			if p.pos >= len(data) || data[p.pos] != ':' {
				return nil, nil, p.errorf("expected ':'")
			}
			p.pos++
			switch k {
			case "schema":
				p.ws()
				start := p.pos
				if _, err := p.value(false); err != nil {
					return nil, nil, err
				}
				schemaJSON, seenSchema = data[start:p.pos], true
			case "payload":
				if payload, err = p.value(true); err != nil {
					return nil, nil, err
				}
				seenPayload = true
			default:
				if _, err := p.value(false); err != nil {
					return nil, nil, err
				}
				other = true
			}
			p.ws()
			switch {
			case p.pos >= len(data):
				return nil, nil, p.errorf("unexpected end of input in object")
			case data[p.pos] == ',':
				p.pos++
			case data[p.pos] == '}':
				p.pos++
				done = true
			default:
				return nil, nil, p.errorf("expected ',' or '}'")
			}
		}
	}
	if err := p.end(); err != nil {
		return nil, nil, err
	}
	if !seenSchema || !seenPayload || other {
		return nil, nil, dataErr(envelopeMsg)
	}
	s, err := c.schemaFromJSON(schemaJSON)
	if err != nil {
		return nil, nil, err
	}
	v, err := c.toValue(s, payload)
	return s, v, err
}

func (c *Converter) schemaFromJSON(raw []byte) (*schema.Schema, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	if s, ok := c.toCache.get(raw); ok {
		return s, nil
	}
	n, err := parseDocument(raw)
	if err != nil {
		return nil, err
	}
	s, err := c.toSchema(n)
	if err != nil {
		return nil, withField(err, "schema")
	}
	c.toCache.put(raw, s)
	return s, nil
}

// toSchema builds a schema from its JSON (JsonConverter.asConnectSchema).
func (c *Converter) toSchema(n *jnode) (*schema.Schema, error) {
	if n.kind == jNull {
		return nil, nil
	}
	if n.kind != jObject {
		return nil, dataErr("schema must be a JSON object, found %s", n.kind)
	}
	tn := n.get("type")
	if tn == nil || tn.kind != jString {
		return nil, dataErr("schema must contain 'type' field")
	}
	var s *schema.Schema
	switch tn.s {
	case "boolean":
		s = &schema.Schema{Type: schema.TypeBoolean}
	case "int8":
		s = &schema.Schema{Type: schema.TypeInt8}
	case "int16":
		s = &schema.Schema{Type: schema.TypeInt16}
	case "int32":
		s = &schema.Schema{Type: schema.TypeInt32}
	case "int64":
		s = &schema.Schema{Type: schema.TypeInt64}
	case "float":
		s = &schema.Schema{Type: schema.TypeFloat32}
	case "double":
		s = &schema.Schema{Type: schema.TypeFloat64}
	case "bytes":
		s = &schema.Schema{Type: schema.TypeBytes}
	case "string":
		s = &schema.Schema{Type: schema.TypeString}
	case "array":
		in := n.get("items")
		if in == nil || in.kind == jNull {
			return nil, dataErr("array schema did not specify the element type")
		}
		items, err := c.toSchema(in)
		if err != nil {
			return nil, withIndex(err, "items")
		}
		s = &schema.Schema{Type: schema.TypeArray, Items: items}
	case "map":
		kn, vn := n.get("keys"), n.get("values")
		if kn == nil || kn.kind == jNull {
			return nil, dataErr("map schema did not specify the key type")
		}
		if vn == nil || vn.kind == jNull {
			return nil, dataErr("map schema did not specify the value type")
		}
		ks, err := c.toSchema(kn)
		if err != nil {
			return nil, withIndex(err, "keys")
		}
		vs, err := c.toSchema(vn)
		if err != nil {
			return nil, withIndex(err, "values")
		}
		s = &schema.Schema{Type: schema.TypeMap, Keys: ks, Values: vs}
	case "struct":
		fn := n.get("fields")
		if fn == nil || fn.kind != jArray {
			return nil, dataErr(`struct schema's "fields" argument is not an array`)
		}
		fields := make([]schema.Field, 0, len(fn.elems))
		seen := make(map[string]bool, len(fn.elems))
		for i, f := range fn.elems {
			if f.kind != jObject {
				return nil, withIndex(dataErr("struct schema's field is not an object"), strconv.Itoa(i))
			}
			name := f.get("field")
			if name == nil || name.kind != jString {
				return nil, withIndex(dataErr("struct schema's field name not specified properly"), strconv.Itoa(i))
			}
			if seen[name.s] {
				return nil, dataErr("cannot create field because of field name duplication %s", name.s)
			}
			seen[name.s] = true
			fs, err := c.toSchema(f)
			if err != nil {
				return nil, withField(err, name.s)
			}
			fields = append(fields, schema.NewField(name.s, fs))
		}
		s = schema.StructOf("", false, fields...)
	default:
		return nil, dataErr("unknown schema type: %s", tn.s)
	}
	if on := n.get("optional"); on != nil && on.kind == jBool && on.b {
		s.Optional = true
	}
	if nn := n.get("name"); nn != nil && nn.kind == jString {
		s.Name = nn.s
	}
	if vn := n.get("version"); vn != nil && vn.kind == jNumber && vn.isInt {
		v, err := strconv.ParseInt(vn.s, 10, 32)
		if err != nil {
			return nil, dataErr("schema version %s is out of range", vn.s)
		}
		s.Version = int(v)
	}
	if dn := n.get("doc"); dn != nil && dn.kind == jString {
		s.Doc = dn.s
	}
	if pn := n.get("parameters"); pn != nil && pn.kind == jObject {
		s.Params = make([]schema.Param, 0, len(pn.keys))
		for i, k := range pn.keys {
			if pn.vals[i].kind != jString {
				return nil, dataErr("schema parameters must have string values")
			}
			s.Params = append(s.Params, schema.Param{Key: k, Value: pn.vals[i].s})
		}
	}
	if dn := n.get("default"); dn != nil {
		// Converted before the default is set, as Java converts against
		// the builder that has none yet.
		d, err := c.toValue(s, dn)
		if err != nil {
			return nil, withIndex(err, "default")
		}
		if d != nil {
			s.Default, s.HasDefault = d, true
		}
	}
	return s, nil
}

// toValue converts a JSON value under schema s (JsonConverter.convertToConnect).
func (c *Converter) toValue(s *schema.Schema, n *jnode) (any, error) {
	if s == nil {
		return schemalessValue(n)
	}
	if n == nil || n.kind == jNull {
		switch {
		case c.replaceNull && hasDefault(s):
			return s.Default, nil
		case s.Optional:
			return nil, nil
		}
		return nil, dataErr("invalid null value for required %s field", s.Type)
	}
	if s.Name != "" {
		switch s.Name {
		case schema.DecimalName:
			return decimalValue(s, n)
		case schema.DateName:
			days, err := intValue(n, 32)
			if err != nil {
				return nil, dataErr("invalid type for Date, underlying representation should be integer but was %s", describe(n))
			}
			return time.UnixMilli(days * millisPerDay).UTC(), nil
		case schema.TimeName:
			ms, err := intValue(n, 32)
			if err != nil {
				return nil, dataErr("invalid type for Time, underlying representation should be integer but was %s", describe(n))
			}
			if ms < 0 || ms > millisPerDay {
				return nil, dataErr("Time values must use number of milliseconds greater than 0 and less than 86400000")
			}
			return time.UnixMilli(ms).UTC(), nil
		case schema.TimestampName:
			ms, err := intValue(n, 64)
			if err != nil {
				return nil, dataErr("invalid type for Timestamp, underlying representation should be integral but was %s", describe(n))
			}
			return time.UnixMilli(ms).UTC(), nil
		}
	}
	switch s.Type {
	case schema.TypeBoolean:
		if n.kind == jBool {
			return n.b, nil
		}
	case schema.TypeInt8:
		x, err := intValue(n, 8)
		return int8(x), typeErr(err, s, n)
	case schema.TypeInt16:
		x, err := intValue(n, 16)
		return int16(x), typeErr(err, s, n)
	case schema.TypeInt32:
		x, err := intValue(n, 32)
		return int32(x), typeErr(err, s, n)
	case schema.TypeInt64:
		x, err := intValue(n, 64)
		return x, typeErr(err, s, n)
	case schema.TypeFloat32:
		x, err := floatValue(n, 32)
		return float32(x), typeErr(err, s, n)
	case schema.TypeFloat64:
		x, err := floatValue(n, 64)
		return x, typeErr(err, s, n)
	case schema.TypeString:
		if n.kind == jString {
			return n.s, nil
		}
	case schema.TypeBytes:
		if n.kind == jString {
			b, err := base64.StdEncoding.DecodeString(n.s)
			if err != nil {
				return nil, dataErr("invalid bytes field: %v", err)
			}
			return b, nil
		}
	case schema.TypeArray:
		if n.kind != jArray {
			break
		}
		out := make([]any, len(n.elems))
		for i, e := range n.elems {
			v, err := c.toValue(s.Items, e)
			if err != nil {
				return nil, withIndex(err, strconv.Itoa(i))
			}
			out[i] = v
		}
		return out, nil
	case schema.TypeMap:
		return c.mapValue(s, n)
	case schema.TypeStruct:
		if n.kind != jObject {
			return nil, dataErr("structs should be encoded as JSON objects, but found %s", n.kind)
		}
		st := schema.NewStruct(s)
		for i := range s.Fields {
			f := &s.Fields[i]
			// Fields usually come in schema order: try position i first.
			var fn *jnode
			if i < len(n.keys) && n.keys[i] == f.Name {
				fn = n.vals[i]
			} else {
				fn = n.get(f.Name)
			}
			v, err := c.toValue(f.Schema, fn)
			if err != nil {
				return nil, withField(err, f.Name)
			}
			st.Values[i] = v
		}
		return st, nil
	}
	return nil, dataErr("invalid value for %s field: %s", s.Type, describe(n))
}

func typeErr(err error, s *schema.Schema, n *jnode) error {
	if err == nil {
		return nil
	}
	return dataErr("invalid value for %s field: %s: %v", s.Type, describe(n), err)
}

// describe names a JSON value for an error message without echoing long text.
func describe(n *jnode) string {
	switch n.kind {
	case jNumber:
		if len(n.s) > 40 {
			return "NUMBER " + n.s[:40] + "…"
		}
		return "NUMBER " + n.s
	case jBool:
		return "BOOLEAN " + strconv.FormatBool(n.b)
	}
	return n.kind.String()
}

// intValue reads an integer literal that fits in bits.
func intValue(n *jnode, bits int) (int64, error) {
	if n.kind != jNumber || !n.isInt {
		return 0, fmt.Errorf("expected an integer")
	}
	x, err := strconv.ParseInt(n.s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("out of range for int%d", bits)
	}
	return x, nil
}

// floatValue reads a number, or the quoted "NaN", "Infinity" and
// "-Infinity" that Jackson writes for non-finite values. Magnitudes beyond
// the type's range become infinities, as BigDecimal.doubleValue gives.
func floatValue(n *jnode, bits int) (float64, error) {
	switch n.kind {
	case jNumber:
		f, err := strconv.ParseFloat(n.s, bits)
		if err != nil && !math.IsInf(f, 0) {
			return 0, err
		}
		return f, nil
	case jString:
		switch n.s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("expected a number")
}

// decimalValue reads a Decimal from a JSON number (decimal.format=NUMERIC,
// keeping the number's own scale) or from base64 unscaled bytes.
func decimalValue(s *schema.Schema, n *jnode) (any, error) {
	switch n.kind {
	case jNumber:
		d, err := parseDecimal(n.s)
		if err != nil {
			return nil, dataErr("invalid Decimal number %s: %v", describe(n), err)
		}
		return d, nil
	case jString:
		raw, err := base64.StdEncoding.DecodeString(n.s)
		if err != nil || len(raw) == 0 {
			return nil, dataErr("invalid bytes for Decimal field")
		}
		scale, err := decimalScale(s)
		if err != nil {
			return nil, err
		}
		return schema.Decimal{Unscaled: schema.BigIntFromBytes(raw), Scale: scale}, nil
	}
	return nil, dataErr("invalid type for Decimal, underlying representation should be numeric or bytes but was %s", n.kind)
}

// parseDecimal is new BigDecimal(literal) for a JSON number literal.
func parseDecimal(lit string) (schema.Decimal, error) {
	mant, exp := lit, int64(0)
	if i := indexAny(lit, "eE"); i >= 0 {
		e, err := strconv.ParseInt(lit[i+1:], 10, 32)
		if err != nil {
			return schema.Decimal{}, fmt.Errorf("exponent out of range")
		}
		mant, exp = lit[:i], e
	}
	digits, frac := mant, 0
	if i := indexAny(mant, "."); i >= 0 {
		digits = mant[:i] + mant[i+1:]
		frac = len(mant) - i - 1
	}
	scale := int64(frac) - exp
	if scale != int64(int32(scale)) {
		return schema.Decimal{}, fmt.Errorf("scale out of range")
	}
	u, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return schema.Decimal{}, fmt.Errorf("invalid digits")
	}
	return schema.Decimal{Unscaled: u, Scale: int32(scale)}, nil
}

func indexAny(s, chars string) int {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return i
			}
		}
	}
	return -1
}

func (c *Converter) mapValue(s *schema.Schema, n *jnode) (any, error) {
	if s.Keys == nil || s.Values == nil {
		return nil, dataErr("map schema needs both a keys and a values schema")
	}
	if s.Keys.Type == schema.TypeString {
		if n.kind != jObject {
			return nil, dataErr("maps with string fields should be encoded as JSON objects, but found %s", n.kind)
		}
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := c.toValue(s.Values, n.vals[i])
			if err != nil {
				return nil, withIndex(err, k)
			}
			out[k] = v
		}
		return out, nil
	}
	if n.kind != jArray {
		return nil, dataErr("maps with non-string fields should be encoded as JSON array of tuples, but found %s", n.kind)
	}
	out := make(map[any]any, len(n.elems))
	for i, e := range n.elems {
		if e.kind != jArray {
			return nil, withIndex(dataErr("found invalid map entry instead of array tuple: %s", e.kind), strconv.Itoa(i))
		}
		if len(e.elems) != 2 {
			return nil, withIndex(dataErr("found invalid map entry, expected length 2 but found: %d", len(e.elems)), strconv.Itoa(i))
		}
		k, err := c.toValue(s.Keys, e.elems[0])
		if err != nil {
			return nil, withIndex(err, strconv.Itoa(i))
		}
		if k != nil && !hashable(k) {
			return nil, withIndex(dataErr("map key of type %T cannot be used", k), strconv.Itoa(i))
		}
		v, err := c.toValue(s.Values, e.elems[1])
		if err != nil {
			return nil, withIndex(err, strconv.Itoa(i))
		}
		out[k] = v
	}
	return out, nil
}

// hashable reports whether a converted value can be a Go map key.
func hashable(v any) bool {
	switch v.(type) {
	case []byte, []any, map[string]any, map[any]any:
		return false
	}
	return true
}

// schemalessValue converts JSON without a schema: integers become int64,
// other numbers float64, objects map[string]any.
func schemalessValue(n *jnode) (any, error) {
	if n == nil {
		return nil, nil
	}
	switch n.kind {
	case jNull:
		return nil, nil
	case jBool:
		return n.b, nil
	case jString:
		return n.s, nil
	case jNumber:
		if n.isInt {
			x, err := strconv.ParseInt(n.s, 10, 64)
			if err != nil {
				return nil, dataErr("integer %s is out of the int64 range", describe(n))
			}
			return x, nil
		}
		f, err := strconv.ParseFloat(n.s, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, dataErr("invalid number %s", describe(n))
		}
		return f, nil
	case jArray:
		out := make([]any, len(n.elems))
		for i, e := range n.elems {
			v, err := schemalessValue(e)
			if err != nil {
				return nil, withIndex(err, strconv.Itoa(i))
			}
			out[i] = v
		}
		return out, nil
	default:
		out := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v, err := schemalessValue(n.vals[i])
			if err != nil {
				return nil, withIndex(err, k)
			}
			out[k] = v
		}
		return out, nil
	}
}

// schemasEqual is ConnectSchema.equals: structural equality, defaults
// included. FromConnect calls it only when a struct's schema pointer differs
// from the one it is written under.
func schemasEqual(a, b *schema.Schema) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	if a.Type != b.Type || a.Optional != b.Optional || a.Name != b.Name || a.Version != b.Version ||
		a.Doc != b.Doc || len(a.Params) != len(b.Params) || len(a.Fields) != len(b.Fields) ||
		hasDefault(a) != hasDefault(b) {
		return false
	}
	for i := range a.Params {
		if a.Params[i] != b.Params[i] {
			return false
		}
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name || !schemasEqual(a.Fields[i].Schema, b.Fields[i].Schema) {
			return false
		}
	}
	if !schemasEqual(a.Items, b.Items) || !schemasEqual(a.Keys, b.Keys) || !schemasEqual(a.Values, b.Values) {
		return false
	}
	return !hasDefault(a) || valuesEqual(a.Default, b.Default)
}

// valuesEqual compares Connect values of package schema's model. Struct
// values are compared by their field values only: their schemas are the
// ones being compared (and a struct default points back at its schema).
func valuesEqual(x, y any) bool {
	switch xv := x.(type) {
	case nil:
		return y == nil
	case []byte:
		yv, ok := y.([]byte)
		return ok && bytes.Equal(xv, yv)
	case schema.Decimal:
		yv, ok := y.(schema.Decimal)
		return ok && xv.Scale == yv.Scale && (xv.Unscaled == yv.Unscaled ||
			xv.Unscaled != nil && yv.Unscaled != nil && xv.Unscaled.Cmp(yv.Unscaled) == 0)
	case time.Time:
		yv, ok := y.(time.Time)
		return ok && xv.Equal(yv)
	case *schema.Struct:
		yv, ok := y.(*schema.Struct)
		if !ok || (xv == nil) != (yv == nil) {
			return false
		}
		if xv == nil || xv == yv {
			return true
		}
		if len(xv.Values) != len(yv.Values) {
			return false
		}
		for i := range xv.Values {
			if !valuesEqual(xv.Values[i], yv.Values[i]) {
				return false
			}
		}
		return true
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for i := range xv {
			if !valuesEqual(xv[i], yv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for k, e := range xv {
			f, ok := yv[k]
			if !ok || !valuesEqual(e, f) {
				return false
			}
		}
		return true
	case map[string]string:
		yv, ok := y.(map[string]string)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for k, e := range xv {
			if f, ok := yv[k]; !ok || e != f {
				return false
			}
		}
		return true
	case map[any]any:
		yv, ok := y.(map[any]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for k, e := range xv {
			f, ok := yv[k]
			if !ok || !valuesEqual(e, f) {
				return false
			}
		}
		return true
	case float64:
		yv, ok := y.(float64)
		return ok && (xv == yv || math.IsNaN(xv) && math.IsNaN(yv))
	case float32:
		yv, ok := y.(float32)
		return ok && (xv == yv || xv != xv && yv != yv)
	case bool, string, int8, int16, int32, int64, int:
		return x == y
	}
	return false
}
