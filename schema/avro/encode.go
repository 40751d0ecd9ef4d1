package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/linkedin/goavro/v2"

	"github.com/tributary-cdc/tributary/schema"
)

// magicByte starts every Confluent-framed record (SchemaId.MAGIC_BYTE_V0).
const magicByte = 0

// headerSize is the magic byte plus the 4-byte schema id.
const headerSize = 5

// AppendHeader appends the Confluent wire-format header for schema id.
func AppendHeader(b []byte, id int) []byte {
	b = append(b, magicByte)
	return binary.BigEndian.AppendUint32(b, uint32(id))
}

// ParseHeader splits Confluent-framed bytes into the schema id and the Avro
// body.
func ParseHeader(data []byte) (id int, body []byte, err error) {
	if len(data) < headerSize {
		return 0, nil, fmt.Errorf("parsing Confluent wire format: %d bytes is too short", len(data))
	}
	if data[0] != magicByte {
		return 0, nil, fmt.Errorf("parsing Confluent wire format: unknown magic byte %d", data[0])
	}
	return int(binary.BigEndian.Uint32(data[1:headerSize])), data[headerSize:], nil
}

// Codec encodes Connect values of one Connect schema as Avro binary.
type Codec struct {
	Connect *schema.Schema
	// Text is the Avro schema text AvroData produces for Connect.
	Text  []byte
	codec *goavro.Codec
	// branches maps each Connect schema inside Connect to its goavro union
	// branch name.
	branches map[*schema.Schema]string
	// useDefaultForNull writes a schema's default in place of a null
	// value (AvroData does unless ignore.default.for.nullables=true).
	useDefaultForNull bool
	// direct is set while Text is the schema derived from Connect: the
	// direct encoder then writes the bytes goavro would.
	direct bool
}

// NewCodec compiles the Avro schema of s.
func NewCodec(s *schema.Schema, opts SchemaOptions) (*Codec, error) {
	text, branches, err := schemaText(s, opts)
	if err != nil {
		return nil, err
	}
	c, err := goavro.NewCodec(string(text))
	if err != nil {
		return nil, fmt.Errorf("compiling Avro schema of %q: %w", s.Name, err)
	}
	return &Codec{Connect: s, Text: text, codec: c, branches: branches, useDefaultForNull: true, direct: true}, nil
}

// withWriterSchema returns a copy of c that encodes with another Avro
// schema text (use.latest.version), keeping the union branch names.
func (c *Codec) withWriterSchema(text string) (*Codec, error) {
	gc, err := goavro.NewCodec(text)
	if err != nil {
		return nil, fmt.Errorf("compiling registered Avro schema: %w", err)
	}
	cp := *c
	cp.Text, cp.codec, cp.direct = []byte(text), gc, false
	return &cp, nil
}

// AppendBinary appends the Avro binary encoding of v.
func (c *Codec) AppendBinary(b []byte, v any) ([]byte, error) {
	if c.direct {
		out, err := c.appendDirect(b, c.Connect, v)
		if err != nil {
			return b, fmt.Errorf("encoding Avro: %w", err)
		}
		return out, nil
	}
	return c.appendGoavro(b, v)
}

// appendGoavro encodes v through goavro's native form.
func (c *Codec) appendGoavro(b []byte, v any) ([]byte, error) {
	n, err := c.native(c.Connect, v)
	if err != nil {
		return b, err
	}
	out, err := c.codec.BinaryFromNative(b, n)
	if err != nil {
		return b, fmt.Errorf("encoding Avro: %w", err)
	}
	return out, nil
}

// native converts a Connect value to goavro's native form, wrapping the
// values of optional schemas in their union branch.
func (c *Codec) native(s *schema.Schema, v any) (any, error) {
	if v == nil {
		if c.useDefaultForNull && hasDefault(s) {
			v = s.Default
		} else if s.Optional {
			return nil, nil
		} else {
			return nil, fmt.Errorf("found null value for non-optional %s schema", s.Type)
		}
	}
	n, err := c.nativeBase(s, v)
	if err != nil || !s.Optional {
		return n, err
	}
	return map[string]any{c.branches[s]: n}, nil
}

func (c *Codec) nativeBase(s *schema.Schema, v any) (any, error) {
	switch s.Name {
	case schema.DecimalName:
		if s.Type == schema.TypeBytes {
			u, err := decimalUnscaled(s, v)
			if err != nil {
				return nil, err
			}
			scale, precision, _ := decimalParams(s)
			if scale < 0 || scale > precision {
				return schema.BigIntBytes(u), nil
			}
			return new(big.Rat).SetFrac(u, pow10(scale)), nil
		}
	case schema.DateName, schema.TimeName:
		if s.Type == schema.TypeInt32 {
			n, err := temporal(s, v)
			return int32(n), err
		}
	case schema.TimestampName:
		if s.Type == schema.TypeInt64 {
			return temporal(s, v)
		}
	}
	switch s.Type {
	case schema.TypeInt8:
		if x, ok := v.(int8); ok {
			return int32(x), nil
		}
	case schema.TypeInt16:
		if x, ok := v.(int16); ok {
			return int32(x), nil
		}
	case schema.TypeInt32:
		if x, ok := v.(int32); ok {
			return x, nil
		}
	case schema.TypeInt64:
		if x, ok := v.(int64); ok {
			return x, nil
		}
	case schema.TypeFloat32:
		if x, ok := v.(float32); ok {
			return x, nil
		}
	case schema.TypeFloat64:
		if x, ok := v.(float64); ok {
			return x, nil
		}
	case schema.TypeBoolean:
		if x, ok := v.(bool); ok {
			return x, nil
		}
	case schema.TypeString:
		if x, ok := v.(string); ok {
			return x, nil
		}
	case schema.TypeBytes:
		if x, ok := v.([]byte); ok {
			return x, nil
		}
	case schema.TypeStruct:
		if x, ok := v.(*schema.Struct); ok && x != nil {
			return c.nativeStruct(s, x)
		}
	case schema.TypeArray:
		if x, ok := v.([]any); ok {
			out := make([]any, len(x))
			for i, e := range x {
				n, err := c.native(s.Items, e)
				if err != nil {
					return nil, fmt.Errorf("array element %d: %w", i, err)
				}
				out[i] = n
			}
			return out, nil
		}
	case schema.TypeMap:
		return c.nativeMap(s, v)
	default:
		return nil, fmt.Errorf("unsupported schema type %s", s.Type)
	}
	return nil, fmt.Errorf("invalid Go type %T for %s schema %q", v, s.Type, s.Name)
}

func (c *Codec) nativeStruct(s *schema.Schema, st *schema.Struct) (any, error) {
	if st.Schema != s && (st.Schema == nil || len(st.Schema.Fields) != len(s.Fields)) {
		return nil, errors.New("struct value does not match its schema")
	}
	m := make(map[string]any, len(s.Fields))
	for i, f := range s.Fields {
		n, err := c.native(f.Schema, st.Values[i])
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Name, err)
		}
		m[f.Name] = n
	}
	return m, nil
}

// nativeMap converts a map to an Avro map (string keys) or to an array of
// MapEntry records (other keys).
func (c *Codec) nativeMap(s *schema.Schema, v any) (any, error) {
	stringKeys := s.Keys.Type == schema.TypeString && !s.Keys.Optional
	if m, ok := v.(schema.OrderedPairs); ok && !stringKeys {
		// The MapEntry array keeps the entries' order.
		out := make([]any, 0, len(m))
		for _, en := range m {
			kn, err := c.native(s.Keys, en.Key)
			if err != nil {
				return nil, fmt.Errorf("map key: %w", err)
			}
			vn, err := c.native(s.Values, en.Value)
			if err != nil {
				return nil, fmt.Errorf("map value: %w", err)
			}
			out = append(out, map[string]any{"key": kn, "value": vn})
		}
		return out, nil
	}
	entries := map[any]any{}
	switch m := v.(type) {
	case schema.OrderedPairs:
		for _, en := range m {
			entries[en.Key] = en.Value
		}
	case schema.OrderedMap:
		for _, en := range m {
			entries[en.Key] = en.Value
		}
	case map[string]any:
		for k, x := range m {
			entries[k] = x
		}
	case map[string]string:
		for k, x := range m {
			entries[k] = x
		}
	case map[any]any:
		entries = m
	default:
		return nil, fmt.Errorf("invalid Go type %T for map schema", v)
	}
	if stringKeys {
		out := make(map[string]any, len(entries))
		for k, x := range entries {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("map key of Go type %T in a string-keyed map", k)
			}
			n, err := c.native(s.Values, x)
			if err != nil {
				return nil, fmt.Errorf("map value %q: %w", ks, err)
			}
			out[ks] = n
		}
		return out, nil
	}
	out := make([]any, 0, len(entries))
	for k, x := range entries {
		kn, err := c.native(s.Keys, k)
		if err != nil {
			return nil, fmt.Errorf("map key: %w", err)
		}
		vn, err := c.native(s.Values, x)
		if err != nil {
			return nil, fmt.Errorf("map value: %w", err)
		}
		out = append(out, map[string]any{"key": kn, "value": vn})
	}
	return out, nil
}

var pow10Cache [40]*big.Int

func init() {
	p := big.NewInt(1)
	for i := range pow10Cache {
		pow10Cache[i] = new(big.Int).Set(p)
		p.Mul(p, big.NewInt(10))
	}
}

// pow10 returns 10^n; the small powers are shared and must not be modified.
func pow10(n int) *big.Int {
	if n < len(pow10Cache) {
		return pow10Cache[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}
