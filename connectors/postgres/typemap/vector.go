package typemap

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/tributary-cdc/tributary/schema"
)

// Semantic schema names of the pgvector types (debezium-connector-common,
// io/debezium/data/vector: DoubleVector, FloatVector, SparseDoubleVector).
const (
	DoubleVectorName       = "io.debezium.data.DoubleVector"
	FloatVectorName        = "io.debezium.data.FloatVector"
	SparseDoubleVectorName = "io.debezium.data.SparseDoubleVector"
)

// Type names of the pgvector extension types, whose OIDs differ between
// databases.
const (
	VectorTypeName       = "vector"
	HalfVectorTypeName   = "halfvec"
	SparseVectorTypeName = "sparsevec"
)

// vectorSchemas are SchemaFactory.datatypeDoubleVectorSchema and
// datatypeFloatVectorSchema: an array of required elements, version 1.
func vectorSchemas(name string, items *schema.Schema) (req, opt *schema.Schema) {
	return &schema.Schema{Type: schema.TypeArray, Items: items, Name: name, Version: 1},
		&schema.Schema{Type: schema.TypeArray, Items: items, Name: name, Version: 1, Optional: true}
}

var (
	doubleVectorReq, doubleVectorOpt = vectorSchemas(DoubleVectorName, schema.Float64Schema)
	floatVectorReq, floatVectorOpt   = vectorSchemas(FloatVectorName, schema.Float32Schema)
	sparseVectorReq, sparseVectorOpt = sparseVectorSchema(false), sparseVectorSchema(true)
)

// sparseVectorSchema is SchemaFactory.dataTypeSparseDoubleVectorSchema:
// dimensions int16 and vector map<int16, float64>.
func sparseVectorSchema(optional bool) *schema.Schema {
	s := schema.StructOf(SparseDoubleVectorName, optional,
		schema.NewField("dimensions", schema.Int16Schema),
		schema.NewField("vector", &schema.Schema{Type: schema.TypeMap, Keys: schema.Int16Schema, Values: schema.Float64Schema}))
	s.Version = 1
	s.Doc = "Sparse double vector"
	return s
}

// vector maps pgvector's vector as PostgresValueConverter.convertPgVector:
// DoubleVector.fromLogical over the text form "[1,2.5,3]".
func vector(c Column) Mapping {
	return Mapping{
		Schema: pick(doubleVectorReq, doubleVectorOpt, c.Optional),
		Decode: func(b []byte) (any, error) {
			return decodeVector(b, func(s string) (any, error) { return strconv.ParseFloat(s, 64) })
		},
		Fallback:  []any{},
		noDefault: true,
	}
}

// halfVector maps pgvector's halfvec as convertPgHalfVector:
// FloatVector.fromLogical, each element read as Float.parseFloat reads it.
func halfVector(c Column) Mapping {
	return Mapping{
		Schema: pick(floatVectorReq, floatVectorOpt, c.Optional),
		Decode: func(b []byte) (any, error) {
			return decodeVector(b, func(s string) (any, error) {
				f, err := strconv.ParseFloat(s, 32)
				return float32(f), err
			})
		},
		Fallback:  []any{},
		noDefault: true,
	}
}

// sparseVector maps pgvector's sparsevec as convertPgSparseVector:
// SparseDoubleVector.fromLogical over the text form "{1:0.5,3:2}/5". The
// fallback of a NOT NULL column without a value is an empty vector, where
// Debezium's empty list is not a value of the struct schema.
func sparseVector(c Column) Mapping {
	s := pick(sparseVectorReq, sparseVectorOpt, c.Optional)
	return Mapping{
		Schema:    s,
		Decode:    func(b []byte) (any, error) { return decodeSparseVector(s, b) },
		Fallback:  &schema.Struct{Schema: s, Values: []any{int16(0), schema.OrderedPairs{}}},
		noDefault: true,
	}
}

// decodeVector is Vectors.fromVectorString: the text trimmed, bracketed,
// split on "," and each element trimmed and parsed.
func decodeVector(b []byte, parse func(string) (any, error)) (any, error) {
	in := bytes.TrimSpace(b)
	if len(in) < 2 || in[0] != '[' || in[len(in)-1] != ']' {
		return nil, fmt.Errorf("cannot convert vector %q, expected format is [x,y,z,...]", b)
	}
	parts := bytes.Split(in[1:len(in)-1], []byte(","))
	out := make([]any, len(parts))
	for i, p := range parts {
		v, err := parse(string(bytes.TrimSpace(p)))
		if err != nil {
			return nil, fmt.Errorf("cannot convert vector %q: %w", b, err)
		}
		out[i] = v
	}
	return out, nil
}

var errSparseVector = errors.New("expected format is {i1:x,i2:y,i3:z,...}/dimensions")

// decodeSparseVector is Vectors.fromSparseVectorString: "{i:x,...}/n" with
// Short indices and dimensions, the entries in the iteration order of the
// HashMap Debezium fills (sized for the number of entries, a repeated index
// keeping its first place and its last value).
func decodeSparseVector(s *schema.Schema, b []byte) (any, error) {
	in := bytes.TrimSpace(b)
	body, dimsText, ok := bytes.Cut(in, []byte("/"))
	if !ok || bytes.Contains(dimsText, []byte("/")) {
		return nil, fmt.Errorf("cannot convert sparse vector %q: %w", b, errSparseVector)
	}
	dims, err := strconv.ParseInt(string(bytes.TrimSpace(dimsText)), 10, 16)
	if err != nil {
		return nil, fmt.Errorf("cannot convert sparse vector %q: dimensions: %w", b, err)
	}
	body = bytes.TrimSpace(body)
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return nil, fmt.Errorf("cannot convert sparse vector %q: %w", b, errSparseVector)
	}
	body = bytes.TrimSpace(body[1 : len(body)-1])
	if len(body) == 0 {
		return &schema.Struct{Schema: s, Values: []any{int16(dims), schema.OrderedPairs{}}}, nil
	}
	elems := bytes.Split(body, []byte(","))
	var pairs schema.OrderedPairs
	at := make(map[int16]int, len(elems))
	for _, e := range elems {
		is, xs, ok := bytes.Cut(e, []byte(":"))
		if !ok || bytes.Contains(xs, []byte(":")) {
			return nil, fmt.Errorf("cannot convert sparse vector %q: %w", b, errSparseVector)
		}
		i, err := strconv.ParseInt(string(bytes.TrimSpace(is)), 10, 16)
		if err != nil {
			return nil, fmt.Errorf("cannot convert sparse vector %q: index: %w", b, err)
		}
		x, err := strconv.ParseFloat(string(bytes.TrimSpace(xs)), 64)
		if err != nil {
			return nil, fmt.Errorf("cannot convert sparse vector %q: %w", b, err)
		}
		if p, seen := at[int16(i)]; seen {
			pairs[p].Value = x
			continue
		}
		at[int16(i)] = len(pairs)
		pairs = append(pairs, schema.Pair{Key: int16(i), Value: x})
	}
	m := javaHashMap{
		hash:            func(i int) uint32 { return javaShortHash(pairs[i].Key.(int16)) },
		key:             func(i int) string { return strconv.Itoa(int(pairs[i].Key.(int16))) },
		initialCapacity: len(elems),
	}
	for i := range pairs {
		m.put(i)
	}
	ordered := make(schema.OrderedPairs, 0, len(pairs))
	for _, bin := range m.bins {
		for _, i := range bin.order() {
			ordered = append(ordered, pairs[i])
		}
	}
	return &schema.Struct{Schema: s, Values: []any{int16(dims), ordered}}, nil
}

// javaShortHash is HashMap.hash of a Short: Short.hashCode (the value,
// sign-extended) XORed with its upper half. Distinct shorts have distinct
// hashes, so a tree bin never compares the keys themselves.
func javaShortHash(v int16) uint32 {
	h := uint32(int32(v))
	return h ^ (h >> 16)
}
