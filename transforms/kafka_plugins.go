package transforms

import (
	"errors"
	"fmt"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Kafka Connect's built-in transformation classes (Apache Kafka 3.9,
// connect/transforms/src/main/java/org/apache/kafka/connect/transforms).
const (
	FilterClass            = "org.apache.kafka.connect.transforms.Filter"
	InsertFieldKeyClass    = "org.apache.kafka.connect.transforms.InsertField$Key"
	InsertFieldValueClass  = "org.apache.kafka.connect.transforms.InsertField$Value"
	ReplaceFieldKeyClass   = "org.apache.kafka.connect.transforms.ReplaceField$Key"
	ReplaceFieldValueClass = "org.apache.kafka.connect.transforms.ReplaceField$Value"
	ValueToKeyClass        = "org.apache.kafka.connect.transforms.ValueToKey"
	ExtractFieldKeyClass   = "org.apache.kafka.connect.transforms.ExtractField$Key"
	ExtractFieldValueClass = "org.apache.kafka.connect.transforms.ExtractField$Value"
	TimestampRouterClass   = "org.apache.kafka.connect.transforms.TimestampRouter"

	FlattenKeyClass              = "org.apache.kafka.connect.transforms.Flatten$Key"
	FlattenValueClass            = "org.apache.kafka.connect.transforms.Flatten$Value"
	CastKeyClass                 = "org.apache.kafka.connect.transforms.Cast$Key"
	CastValueClass               = "org.apache.kafka.connect.transforms.Cast$Value"
	TimestampConverterKeyClass   = "org.apache.kafka.connect.transforms.TimestampConverter$Key"
	TimestampConverterValueClass = "org.apache.kafka.connect.transforms.TimestampConverter$Value"
	MaskFieldKeyClass            = "org.apache.kafka.connect.transforms.MaskField$Key"
	MaskFieldValueClass          = "org.apache.kafka.connect.transforms.MaskField$Value"
	HoistFieldKeyClass           = "org.apache.kafka.connect.transforms.HoistField$Key"
	HoistFieldValueClass         = "org.apache.kafka.connect.transforms.HoistField$Value"
	HeaderFromKeyClass           = "org.apache.kafka.connect.transforms.HeaderFrom$Key"
	HeaderFromValueClass         = "org.apache.kafka.connect.transforms.HeaderFrom$Value"
	InsertHeaderClass            = "org.apache.kafka.connect.transforms.InsertHeader"
	DropHeadersClass             = "org.apache.kafka.connect.transforms.DropHeaders"
	SetSchemaMetadataKeyClass    = "org.apache.kafka.connect.transforms.SetSchemaMetadata$Key"
	SetSchemaMetadataValueClass  = "org.apache.kafka.connect.transforms.SetSchemaMetadata$Value"
)

// kafkaPlugins returns Kafka Connect's built-in transformations.
func kafkaPlugins() []connect.TransformationPlugin {
	return []connect.TransformationPlugin{
		{Class: FilterClass, New: NewFilter, Config: FilterDef},
		{Class: InsertFieldKeyClass, New: newInsertField(keySide), Config: InsertFieldDef},
		{Class: InsertFieldValueClass, New: newInsertField(valueSide), Config: InsertFieldDef},
		{Class: ReplaceFieldKeyClass, New: newReplaceField(keySide), Config: ReplaceFieldDef},
		{Class: ReplaceFieldValueClass, New: newReplaceField(valueSide), Config: ReplaceFieldDef},
		{Class: ValueToKeyClass, New: NewValueToKey, Config: ValueToKeyDef},
		{Class: ExtractFieldKeyClass, New: newExtractField(keySide), Config: ExtractFieldDef},
		{Class: ExtractFieldValueClass, New: newExtractField(valueSide), Config: ExtractFieldDef},
		{Class: TimestampRouterClass, New: NewTimestampRouter, Config: TimestampRouterDef},
		{Class: FlattenKeyClass, New: newFlatten(keySide), Config: FlattenDef},
		{Class: FlattenValueClass, New: newFlatten(valueSide), Config: FlattenDef},
		{Class: CastKeyClass, New: newCast(keySide), Config: CastDef},
		{Class: CastValueClass, New: newCast(valueSide), Config: CastDef},
		{Class: TimestampConverterKeyClass, New: newTimestampConverter(keySide), Config: TimestampConverterDef},
		{Class: TimestampConverterValueClass, New: newTimestampConverter(valueSide), Config: TimestampConverterDef},
		{Class: MaskFieldKeyClass, New: newMaskField(keySide), Config: MaskFieldDef},
		{Class: MaskFieldValueClass, New: newMaskField(valueSide), Config: MaskFieldDef},
		{Class: HoistFieldKeyClass, New: newHoistField(keySide), Config: HoistFieldDef},
		{Class: HoistFieldValueClass, New: newHoistField(valueSide), Config: HoistFieldDef},
		{Class: HeaderFromKeyClass, New: newHeaderFrom(keySide), Config: HeaderFromDef},
		{Class: HeaderFromValueClass, New: newHeaderFrom(valueSide), Config: HeaderFromDef},
		{Class: InsertHeaderClass, New: NewInsertHeader, Config: InsertHeaderDef},
		{Class: DropHeadersClass, New: NewDropHeaders, Config: DropHeadersDef},
		{Class: SetSchemaMetadataKeyClass, New: newSetSchemaMetadata(keySide), Config: SetSchemaMetadataDef},
		{Class: SetSchemaMetadataValueClass, New: newSetSchemaMetadata(valueSide), Config: SetSchemaMetadataDef},
	}
}

// propReplaceNullWithDefault is the replace.null.with.default property
// shared by InsertField, ReplaceField, ValueToKey and ExtractField: reading a
// null field gives the field's default (Struct.get) unless it is false
// (Struct.getWithoutDefault).
const propReplaceNullWithDefault = "replace.null.with.default"

// side is the half of a record a $Key or $Value transform rewrites.
type side bool

const (
	keySide   side = true
	valueSide side = false
)

func (s side) get(r connect.SourceRecord) (*schema.Schema, any) {
	if s == keySide {
		return r.KeySchema, r.Key
	}
	return r.ValueSchema, r.Value
}

func (s side) set(r *connect.SourceRecord, sch *schema.Schema, v any) {
	if s == keySide {
		r.KeySchema, r.Key = sch, v
	} else {
		r.ValueSchema, r.Value = sch, v
	}
}

// class returns the $Key or $Value class name for error messages.
func (s side) class(key, value string) string {
	if s == keySide {
		return key
	}
	return value
}

// requireStruct is Requirements.requireStruct for a schema'd value, and the
// refusal of schemaless data, which Tributary's transforms do not support:
// the PostgreSQL connector always sends schemas.
func requireStruct(class, purpose string, sch *schema.Schema, v any) (*schema.Struct, error) {
	if sch == nil {
		return nil, fmt.Errorf("%s: schemaless data (%T without a schema) is not supported; only Struct values with a schema are", class, v)
	}
	st, ok := v.(*schema.Struct)
	if !ok || st == nil {
		return nil, fmt.Errorf("%s: Only Struct objects supported for [%s], found: %s", class, purpose, typeName(v))
	}
	return st, nil
}

// typeName is Requirements.nullSafeClassName for Go values.
func typeName(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// fieldValue reads field i of st as Struct.get does (a null field with a
// non-null default reads as the default) or, with withDefault false, as
// Struct.getWithoutDefault does.
func fieldValue(st *schema.Struct, i int, withDefault bool) any {
	v := st.Values[i]
	if f := st.Schema.Fields[i].Schema; v == nil && withDefault && f.HasDefault && f.Default != nil {
		return f.Default
	}
	return v
}

// fieldIndex is the position of the named field in a struct schema, or -1.
func fieldIndex(s *schema.Schema, name string) int {
	for i := range s.Fields {
		if s.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// buildStruct builds a struct schema with the basics of like (name, version,
// doc, parameters: SchemaUtil.copySchemaBasics) and the given fields. Like
// SchemaBuilder.struct(), the result is required and has no default, even
// when like is optional. Empty and duplicate field names fail as
// SchemaBuilder.field fails.
func buildStruct(like *schema.Schema, fields []schema.Field) (*schema.Schema, error) {
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if f.Name == "" {
			return nil, errors.New("fieldName cannot be null.")
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("Cannot create field because of field name duplication %s", f.Name)
		}
		seen[f.Name] = true
	}
	s := schema.StructOf("", false, fields...)
	if like != nil {
		s.Name, s.Version, s.Doc, s.Params = like.Name, like.Version, like.Doc, like.Params
	}
	return s, nil
}

// schemaCacheLimit bounds the derived-schema caches, as the LRUCache(16) of
// Kafka's transforms does.
const schemaCacheLimit = 16

// derivedCache maps an input schema to what a transform derived from it.
// Schemas are immutable and shared, so the pointer identifies one. When
// full it is emptied rather than evicting one entry: a task rarely sees more
// than a few schemas at once, and this keeps it trivial.
type derivedCache[T any] struct {
	m map[*schema.Schema]T
}

func (c *derivedCache[T]) get(s *schema.Schema) (T, bool) {
	v, ok := c.m[s]
	return v, ok
}

func (c *derivedCache[T]) put(s *schema.Schema, v T) {
	if c.m == nil || len(c.m) >= schemaCacheLimit {
		c.m = make(map[*schema.Schema]T, schemaCacheLimit)
	}
	c.m[s] = v
}
