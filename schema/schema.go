package schema

import (
	"fmt"
	"math/big"
)

// Type is a Connect schema type.
type Type uint8

// The Connect schema types, named as Kafka Connect's Schema.Type.
const (
	TypeInt8 Type = iota + 1
	TypeInt16
	TypeInt32
	TypeInt64
	TypeFloat32
	TypeFloat64
	TypeBoolean
	TypeString
	TypeBytes
	TypeArray
	TypeMap
	TypeStruct
)

var typeNames = [...]string{
	TypeInt8: "int8", TypeInt16: "int16", TypeInt32: "int32", TypeInt64: "int64",
	TypeFloat32: "float32", TypeFloat64: "float64", TypeBoolean: "boolean", TypeString: "string",
	TypeBytes: "bytes", TypeArray: "array", TypeMap: "map", TypeStruct: "struct",
}

// String returns Kafka Connect's lowercase type name (Schema.Type.getName).
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Param is one schema parameter. Parameters keep declaration order because
// Kafka Connect stores them in a LinkedHashMap and serialises them in order.
type Param struct {
	Key, Value string
}

// Schema describes a Connect value. A Schema is immutable once built and is
// shared by every value that uses it.
type Schema struct {
	Type     Type
	Optional bool
	// Default is the default value; it is meaningful only when HasDefault is
	// set, so that a nil default can be told apart from no default.
	Default    any
	HasDefault bool
	Name       string
	Version    int // 0 means no version
	Doc        string
	Params     []Param

	Fields []Field // Struct
	Items  *Schema // Array
	Keys   *Schema // Map
	Values *Schema // Map

	index map[string]int
}

// Field is one field of a struct schema.
type Field struct {
	Name   string
	Index  int
	Schema *Schema
}

// Param returns the value of parameter key and whether it is set.
func (s *Schema) Param(key string) (string, bool) {
	for _, p := range s.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Field returns the named field of a struct schema, or nil.
func (s *Schema) Field(name string) *Field {
	if s.index != nil {
		if i, ok := s.index[name]; ok {
			return &s.Fields[i]
		}
		return nil
	}
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return &s.Fields[i]
		}
	}
	return nil
}

// StructOf builds a struct schema from fields in order, numbering them.
func StructOf(name string, optional bool, fields ...Field) *Schema {
	s := &Schema{Type: TypeStruct, Name: name, Optional: optional, Fields: fields}
	s.index = make(map[string]int, len(fields))
	for i := range s.Fields {
		s.Fields[i].Index = i
		s.index[s.Fields[i].Name] = i
	}
	return s
}

// NewField is a convenience for building a Field.
func NewField(name string, s *Schema) Field { return Field{Name: name, Schema: s} }

// Struct is a value of a struct schema. Values are positional, in field order.
type Struct struct {
	Schema *Schema
	Values []any
}

// NewStruct returns an empty struct value for s.
func NewStruct(s *Schema) *Struct {
	return &Struct{Schema: s, Values: make([]any, len(s.Fields))}
}

// Get returns the value of the named field, or nil if there is no such field.
func (st *Struct) Get(name string) any {
	f := st.Schema.Field(name)
	if f == nil {
		return nil
	}
	return st.Values[f.Index]
}

// Set sets the named field. It panics on an unknown field name, which is a
// programming error in the code building the struct.
func (st *Struct) Set(name string, v any) *Struct {
	f := st.Schema.Field(name)
	if f == nil {
		panic(fmt.Sprintf("schema: struct %q has no field %q", st.Schema.Name, name))
	}
	st.Values[f.Index] = v
	return st
}

// Decimal is the value of a org.apache.kafka.connect.data.Decimal schema:
// Unscaled × 10^-Scale.
type Decimal struct {
	Unscaled *big.Int
	Scale    int32
}
