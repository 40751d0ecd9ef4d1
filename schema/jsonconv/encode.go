package jsonconv

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"time"

	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/internal/jackson"
)

// jsonTypeNames are JsonConverter's type names (JsonSchema.java), which
// differ from Connect's for the floating-point types.
var jsonTypeNames = [...]string{
	schema.TypeInt8: "int8", schema.TypeInt16: "int16", schema.TypeInt32: "int32", schema.TypeInt64: "int64",
	schema.TypeFloat32: "float", schema.TypeFloat64: "double", schema.TypeBoolean: "boolean",
	schema.TypeString: "string", schema.TypeBytes: "bytes", schema.TypeArray: "array", schema.TypeMap: "map",
	schema.TypeStruct: "struct",
}

func jsonTypeName(t schema.Type) string {
	if int(t) < len(jsonTypeNames) {
		return jsonTypeNames[t]
	}
	return ""
}

const millisPerDay = 24 * 60 * 60 * 1000

// encoder carries what one FromConnect call needs on the value path.
type encoder struct {
	numeric     bool // decimal.format=NUMERIC
	replaceNull bool // replace.null.with.default
	// keys holds, per struct schema reachable from the record's schema,
	// each field's quoted name and colon, rendered once per schema.
	keys map[*schema.Schema][][]byte
}

// fieldKeys renders the "name": prefixes of every struct schema reachable
// from s into keys.
func fieldKeys(s *schema.Schema, keys map[*schema.Schema][][]byte) {
	if s == nil {
		return
	}
	switch s.Type {
	case schema.TypeStruct:
		if _, done := keys[s]; done {
			return
		}
		ks := make([][]byte, len(s.Fields))
		for i := range s.Fields {
			ks[i] = append(jackson.AppendString(nil, s.Fields[i].Name), ':')
		}
		keys[s] = ks
		for i := range s.Fields {
			fieldKeys(s.Fields[i].Schema, keys)
		}
	case schema.TypeArray:
		fieldKeys(s.Items, keys)
	case schema.TypeMap:
		fieldKeys(s.Keys, keys)
		fieldKeys(s.Values, keys)
	}
}

// appendSchema appends the JSON of s (JsonConverter.asJsonSchema).
func (e *encoder) appendSchema(b []byte, s *schema.Schema) ([]byte, error) {
	b, err := e.appendSchemaBody(b, s)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendSchemaBody appends the JSON object of s without its closing brace,
// so that a struct field can add its "field" key last.
func (e *encoder) appendSchemaBody(b []byte, s *schema.Schema) ([]byte, error) {
	name := jsonTypeName(s.Type)
	if name == "" {
		return b, dataErr("couldn't translate unsupported schema type %s", s.Type)
	}
	b = append(b, `{"type":"`...)
	b = append(b, name...)
	b = append(b, '"')
	var err error
	switch s.Type {
	case schema.TypeStruct:
		b = append(b, `,"fields":[`...)
		for i := range s.Fields {
			f := &s.Fields[i]
			if i > 0 {
				b = append(b, ',')
			}
			if f.Schema == nil {
				return b, withField(dataErr("field has no schema"), f.Name)
			}
			if b, err = e.appendSchemaBody(b, f.Schema); err != nil {
				return b, withField(err, f.Name)
			}
			b = append(b, `,"field":`...)
			b = jackson.AppendString(b, f.Name)
			b = append(b, '}')
		}
		b = append(b, ']')
	case schema.TypeArray:
		if s.Items == nil {
			return b, dataErr("array schema has no items schema")
		}
		b = append(b, `,"items":`...)
		if b, err = e.appendSchema(b, s.Items); err != nil {
			return b, withIndex(err, "items")
		}
	case schema.TypeMap:
		if s.Keys == nil || s.Values == nil {
			return b, dataErr("map schema needs both a keys and a values schema")
		}
		b = append(b, `,"keys":`...)
		if b, err = e.appendSchema(b, s.Keys); err != nil {
			return b, withIndex(err, "keys")
		}
		b = append(b, `,"values":`...)
		if b, err = e.appendSchema(b, s.Values); err != nil {
			return b, withIndex(err, "values")
		}
	}
	if s.Optional {
		b = append(b, `,"optional":true`...)
	} else {
		b = append(b, `,"optional":false`...)
	}
	if s.Name != "" {
		b = append(b, `,"name":`...)
		b = jackson.AppendString(b, s.Name)
	}
	if s.Version != 0 {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(s.Version), 10)
	}
	if s.Doc != "" {
		b = append(b, `,"doc":`...)
		b = jackson.AppendString(b, s.Doc)
	}
	if len(s.Params) > 0 {
		b = append(b, `,"parameters":{`...)
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
		b = append(b, `,"default":`...)
		if b, err = e.appendValue(b, s, s.Default); err != nil {
			return b, withIndex(err, "default")
		}
	}
	return b, nil
}

// hasDefault mirrors Java's schema.defaultValue() != null.
func hasDefault(s *schema.Schema) bool { return s.HasDefault && s.Default != nil }

// appendNull handles a null value (JsonConverter.convertToJson): the
// schema's default when replace.null.with.default allows, else JSON null for
// an optional schema, else an error.
func (e *encoder) appendNull(b []byte, s *schema.Schema) ([]byte, error) {
	switch {
	case s == nil:
		return append(b, "null"...), nil
	case e.replaceNull && hasDefault(s):
		return e.appendValue(b, s, s.Default)
	case s.Optional:
		return append(b, "null"...), nil
	}
	return b, dataErr("null value for a required %s schema with no default value", s.Type)
}

// appendValue appends the JSON of v under schema s (JsonConverter.convertToJson).
func (e *encoder) appendValue(b []byte, s *schema.Schema, v any) ([]byte, error) {
	if v == nil {
		return e.appendNull(b, s)
	}
	if s == nil {
		return e.appendSchemaless(b, v)
	}
	if s.Name != "" {
		switch s.Name {
		case schema.DecimalName:
			return e.appendDecimal(b, s, v)
		case schema.DateName, schema.TimeName, schema.TimestampName:
			return e.appendTemporal(b, s, v)
		}
	}
	switch s.Type {
	case schema.TypeInt8:
		if x, ok := v.(int8); ok {
			return strconv.AppendInt(b, int64(x), 10), nil
		}
	case schema.TypeInt16:
		if x, ok := v.(int16); ok {
			return strconv.AppendInt(b, int64(x), 10), nil
		}
	case schema.TypeInt32:
		if x, ok := v.(int32); ok {
			return strconv.AppendInt(b, int64(x), 10), nil
		}
	case schema.TypeInt64:
		if x, ok := v.(int64); ok {
			return strconv.AppendInt(b, x, 10), nil
		}
	case schema.TypeFloat32:
		if x, ok := v.(float32); ok {
			return jackson.AppendJavaFloat(b, float64(x), 32), nil
		}
	case schema.TypeFloat64:
		if x, ok := v.(float64); ok {
			return jackson.AppendJavaFloat(b, x, 64), nil
		}
	case schema.TypeBoolean:
		if x, ok := v.(bool); ok {
			return strconv.AppendBool(b, x), nil
		}
	case schema.TypeString:
		if x, ok := v.(string); ok {
			return jackson.AppendString(b, x), nil
		}
	case schema.TypeBytes:
		if x, ok := v.([]byte); ok {
			return appendBase64(b, x), nil
		}
	case schema.TypeStruct:
		if x, ok := v.(*schema.Struct); ok {
			return e.appendStruct(b, s, x)
		}
	case schema.TypeArray:
		if x, ok := v.([]any); ok {
			return e.appendArray(b, s.Items, x)
		}
	case schema.TypeMap:
		return e.appendMap(b, s, v)
	default:
		return b, dataErr("unsupported schema type %s", s.Type)
	}
	return b, invalidType(s, v)
}

func invalidType(s *schema.Schema, v any) error {
	return dataErr("invalid type for %s: %T", s.Type, v)
}

func (e *encoder) appendStruct(b []byte, s *schema.Schema, st *schema.Struct) ([]byte, error) {
	if st == nil {
		return e.appendNull(b, s)
	}
	if st.Schema != s && !schemasEqual(st.Schema, s) {
		return b, dataErr("mismatching schema: struct value of schema %q under schema %q", schemaName(st.Schema), s.Name)
	}
	if len(st.Values) != len(s.Fields) {
		return b, dataErr("struct has %d values for %d fields", len(st.Values), len(s.Fields))
	}
	keys := e.keys[s]
	b = append(b, '{')
	var err error
	for i := range s.Fields {
		f := &s.Fields[i]
		if i > 0 {
			b = append(b, ',')
		}
		if keys != nil {
			b = append(b, keys[i]...)
		} else {
			b = jackson.AppendString(b, f.Name)
			b = append(b, ':')
		}
		if f.Schema == nil {
			return b, withField(dataErr("field has no schema"), f.Name)
		}
		if b, err = e.appendValue(b, f.Schema, st.Values[i]); err != nil {
			return b, withField(err, f.Name)
		}
	}
	return append(b, '}'), nil
}

func schemaName(s *schema.Schema) string {
	if s == nil {
		return ""
	}
	return s.Name
}

func (e *encoder) appendArray(b []byte, items *schema.Schema, xs []any) ([]byte, error) {
	if items == nil {
		return b, dataErr("array schema has no items schema")
	}
	b = append(b, '[')
	var err error
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = e.appendValue(b, items, x); err != nil {
			return b, withIndex(err, strconv.Itoa(i))
		}
	}
	return append(b, ']'), nil
}

// appendMap writes a map as a JSON object when its keys are strings and as an
// array of [key,value] pairs otherwise. Entries are sorted (by key, or by the
// key's JSON for pairs) so that equal maps give equal bytes.
func (e *encoder) appendMap(b []byte, s *schema.Schema, v any) ([]byte, error) {
	if s.Keys == nil || s.Values == nil {
		return b, dataErr("map schema needs both a keys and a values schema")
	}
	objectMode := s.Keys.Type == schema.TypeString
	var err error
	switch m := v.(type) {
	case schema.OrderedMap:
		if objectMode {
			b = append(b, '{')
			for i, en := range m {
				if b, err = e.appendObjectEntry(b, i, s.Values, en.Key, en.Value); err != nil {
					return b, err
				}
			}
			return append(b, '}'), nil
		}
		pairs := make([]pair, 0, len(m))
		for _, en := range m {
			pairs = append(pairs, pair{en.Key, en.Value})
		}
		return e.appendPairs(b, s.Keys, s.Values, pairs)
	case map[string]any:
		if objectMode {
			b = append(b, '{')
			for i, k := range sortedKeys(m) {
				if b, err = e.appendObjectEntry(b, i, s.Values, k, m[k]); err != nil {
					return b, err
				}
			}
			return append(b, '}'), nil
		}
		pairs := make([]pair, 0, len(m))
		for k, x := range m {
			pairs = append(pairs, pair{k, x})
		}
		return e.appendPairs(b, s.Keys, s.Values, pairs)
	case map[string]string:
		if objectMode {
			b = append(b, '{')
			for i, k := range sortedKeys(m) {
				if b, err = e.appendObjectEntry(b, i, s.Values, k, m[k]); err != nil {
					return b, err
				}
			}
			return append(b, '}'), nil
		}
		pairs := make([]pair, 0, len(m))
		for k, x := range m {
			pairs = append(pairs, pair{k, x})
		}
		return e.appendPairs(b, s.Keys, s.Values, pairs)
	case schema.OrderedPairs:
		if objectMode {
			b = append(b, '{')
			for i, en := range m {
				k, ok := en.Key.(string)
				if !ok {
					return b, withIndex(invalidType(s.Keys, en.Key), "key")
				}
				if b, err = e.appendObjectEntry(b, i, s.Values, k, en.Value); err != nil {
					return b, err
				}
			}
			return append(b, '}'), nil
		}
		b = append(b, '[')
		for i, en := range m {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			start := len(b)
			if b, err = e.appendValue(b, s.Keys, en.Key); err != nil {
				return b, withIndex(err, "key")
			}
			key := b[start:]
			b = append(b, ',')
			if b, err = e.appendValue(b, s.Values, en.Value); err != nil {
				return b, withIndex(err, string(key))
			}
			b = append(b, ']')
		}
		return append(b, ']'), nil
	case map[any]any:
		if objectMode {
			keys := make([]string, 0, len(m))
			for k := range m {
				ks, ok := k.(string)
				if !ok {
					return b, withIndex(invalidType(s.Keys, k), "key")
				}
				keys = append(keys, ks)
			}
			slices.Sort(keys)
			b = append(b, '{')
			for i, k := range keys {
				if b, err = e.appendObjectEntry(b, i, s.Values, k, m[k]); err != nil {
					return b, err
				}
			}
			return append(b, '}'), nil
		}
		pairs := make([]pair, 0, len(m))
		for k, x := range m {
			pairs = append(pairs, pair{k, x})
		}
		return e.appendPairs(b, s.Keys, s.Values, pairs)
	}
	return b, invalidType(s, v)
}

type pair struct{ k, v any }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (e *encoder) appendObjectEntry(b []byte, i int, vs *schema.Schema, k string, v any) ([]byte, error) {
	if i > 0 {
		b = append(b, ',')
	}
	b = jackson.AppendString(b, k)
	b = append(b, ':')
	b, err := e.appendValue(b, vs, v)
	if err != nil {
		return b, withIndex(err, k)
	}
	return b, nil
}

// appendPairs writes a non-string-keyed map as [[k,v],…], ordered by the
// JSON of the keys.
func (e *encoder) appendPairs(b []byte, ks, vs *schema.Schema, pairs []pair) ([]byte, error) {
	type encoded struct{ k, v []byte }
	enc := make([]encoded, len(pairs))
	var err error
	for i, p := range pairs {
		if enc[i].k, err = e.appendValue(nil, ks, p.k); err != nil {
			return b, withIndex(err, "key")
		}
		if enc[i].v, err = e.appendValue(nil, vs, p.v); err != nil {
			return b, withIndex(err, string(enc[i].k))
		}
	}
	slices.SortFunc(enc, func(x, y encoded) int {
		return cmp.Or(bytes.Compare(x.k, y.k), bytes.Compare(x.v, y.v))
	})
	b = append(b, '[')
	for i, e := range enc {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = append(b, e.k...)
		b = append(b, ',')
		b = append(b, e.v...)
		b = append(b, ']')
	}
	return append(b, ']'), nil
}

// appendSchemaless writes a value that has no schema, inferring its type from
// the Go type as ConnectSchema.schemaType does from the Java class.
func (e *encoder) appendSchemaless(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
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
		return jackson.AppendJavaFloat(b, float64(x), 32), nil
	case float64:
		return jackson.AppendJavaFloat(b, x, 64), nil
	case string:
		return jackson.AppendString(b, x), nil
	case []byte:
		return appendBase64(b, x), nil
	case []any:
		b = append(b, '[')
		for i, elem := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = e.appendSchemaless(b, elem); err != nil {
				return b, withIndex(err, strconv.Itoa(i))
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		b = append(b, '{')
		for i, k := range sortedKeys(x) {
			if b, err = e.appendObjectEntry(b, i, nil, k, x[k]); err != nil {
				return b, err
			}
		}
		return append(b, '}'), nil
	case map[string]string:
		b = append(b, '{')
		for i, k := range sortedKeys(x) {
			if i > 0 {
				b = append(b, ',')
			}
			b = jackson.AppendString(b, k)
			b = append(b, ':')
			b = jackson.AppendString(b, x[k])
		}
		return append(b, '}'), nil
	case map[any]any:
		strKeys := make(map[string]any, len(x))
		for k, elem := range x {
			ks, ok := k.(string)
			if !ok {
				strKeys = nil
				break
			}
			strKeys[ks] = elem
		}
		if strKeys != nil {
			return e.appendSchemaless(b, strKeys)
		}
		pairs := make([]pair, 0, len(x))
		for k, elem := range x {
			pairs = append(pairs, pair{k, elem})
		}
		return e.appendPairs(b, nil, nil, pairs)
	case *schema.Struct:
		return b, dataErr("mismatching schema: struct value without a schema")
	}
	return b, dataErr("Go type %T has no corresponding schema type", v)
}

// appendDecimal writes a Decimal as base64 of the unscaled value's
// two's-complement bytes, or as a JSON number with decimal.format=NUMERIC.
// A []byte value is taken as already-encoded unscaled bytes.
func (e *encoder) appendDecimal(b []byte, s *schema.Schema, v any) ([]byte, error) {
	var d schema.Decimal
	switch x := v.(type) {
	case schema.Decimal:
		d = x
	case *schema.Decimal:
		if x == nil {
			return e.appendNull(b, s)
		}
		d = *x
	case []byte:
		if len(x) == 0 {
			return b, dataErr("empty unscaled bytes for Decimal")
		}
		if !e.numeric {
			return appendBase64(b, x), nil
		}
		scale, err := decimalScale(s)
		if err != nil {
			return b, err
		}
		return jackson.AppendBigDecimal(b, schema.BigIntFromBytes(x), scale), nil
	default:
		return b, dataErr("invalid type for Decimal, expected schema.Decimal but was %T", v)
	}
	if d.Unscaled == nil {
		return b, dataErr("Decimal has no unscaled value")
	}
	if e.numeric {
		return jackson.AppendBigDecimal(b, d.Unscaled, d.Scale), nil
	}
	scale, err := decimalScale(s)
	if err != nil {
		return b, err
	}
	if d.Scale != scale {
		return b, dataErr("Decimal has mismatching scale value %d for given Decimal schema scale %d", d.Scale, scale)
	}
	return appendUnscaledBase64(b, d.Unscaled), nil
}

// decimalScale reads the scale parameter of a Decimal schema.
func decimalScale(s *schema.Schema) (int32, error) {
	p, ok := s.Param(schema.DecimalScaleParam)
	if !ok {
		return 0, dataErr("invalid Decimal schema: scale parameter not found")
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil {
		return 0, dataErr("invalid scale parameter %q found in Decimal schema", p)
	}
	return int32(n), nil
}

// appendTemporal writes Connect's Date (epoch days), Time (milliseconds of
// the day) and Timestamp (epoch milliseconds) from a time.Time, or passes the
// already-converted int through.
func (e *encoder) appendTemporal(b []byte, s *schema.Schema, v any) ([]byte, error) {
	switch s.Name {
	case schema.DateName:
		switch x := v.(type) {
		case time.Time:
			ms := x.UnixMilli()
			if ms%millisPerDay != 0 || x.Nanosecond()%1e6 != 0 {
				return b, dataErr("Kafka Connect Date type should not have any time fields set to non-zero values")
			}
			days := ms / millisPerDay
			if int64(int32(days)) != days {
				return b, dataErr("Date %s is out of the int32 range of days", x)
			}
			return strconv.AppendInt(b, days, 10), nil
		case int32:
			return strconv.AppendInt(b, int64(x), 10), nil
		}
		return b, dataErr("invalid type for Date, expected time.Time but was %T", v)
	case schema.TimeName:
		switch x := v.(type) {
		case time.Time:
			ms := x.UnixMilli()
			if ms < 0 || ms > millisPerDay {
				return b, dataErr("Kafka Connect Time type should not have any date fields set to non-zero values")
			}
			return strconv.AppendInt(b, ms, 10), nil
		case int32:
			return strconv.AppendInt(b, int64(x), 10), nil
		}
		return b, dataErr("invalid type for Time, expected time.Time but was %T", v)
	default: // Timestamp
		switch x := v.(type) {
		case time.Time:
			return strconv.AppendInt(b, x.UnixMilli(), 10), nil
		case int64:
			return strconv.AppendInt(b, x, 10), nil
		}
		return b, dataErr("invalid type for Timestamp, expected time.Time but was %T", v)
	}
}

func appendBase64(b, src []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, src)
	return append(b, '"')
}
