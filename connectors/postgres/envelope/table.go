package envelope

import (
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema"
)

// Operations written in the op field.
const (
	OpCreate   = "c"
	OpUpdate   = "u"
	OpDelete   = "d"
	OpRead     = "r"
	OpTruncate = "t"
)

// boxedOps are the operations as interface values, made once: converting a
// string that is not a constant to an interface allocates.
var boxedOps = [...]any{OpCreate, OpUpdate, OpDelete, OpRead, OpTruncate}

// opValue returns op as an interface value without allocating for the
// operations Debezium writes.
func opValue(op string) any {
	for _, b := range boxedOps {
		if b.(string) == op {
			return b
		}
	}
	return op
}

// Column is one captured column of a table, in value-field order.
type Column struct {
	Name    string
	Mapping typemap.Mapping
	// Transform, if set, rewrites every value of the value struct
	// (column.mask.*, column.truncate.*): the decoded value, a null (after
	// a required column's default), or the unavailable-value placeholder,
	// as Debezium's mapping converter wraps the type converter's output
	// whatever it is. Keys are never rewritten, as Debezium builds key
	// structs without column mappers.
	Transform func(any) any
	// ValueSchema, if set, replaces Mapping.Schema in the value struct: a
	// column mapper's copy carrying extra parameters. Key fields keep
	// Mapping.Schema.
	ValueSchema *schema.Schema
}

// Naming adjusts the names of a table's schemas and fields
// (schema.name.adjustment.mode and field.name.adjustment.mode); a nil
// function leaves names as they are.
type Naming struct {
	// Delimiter joins the topic's parts (topic.delimiter); "" is ".".
	Delimiter string
	// OmitSchema leaves the PostgreSQL schema out of the topic (and so out
	// of the schema names): <prefix>.<table>, as Debezium's
	// DefaultTopicNamingStrategy names a TableId whose databaseParts are
	// (catalog, table) and whose catalog is null for PostgreSQL
	// (PostgresConnection.createTableId).
	OmitSchema bool
	Schema     func(string) string
	Field      func(string) string
}

func (n Naming) schema(s string) string {
	if n.Schema == nil {
		return s
	}
	return n.Schema(s)
}

func (n Naming) field(s string) string {
	if n.Field == nil {
		return s
	}
	return n.Field(s)
}

// Table holds the schemas of one captured table. It is immutable.
type Table struct {
	Schema string // PostgreSQL schema
	Name   string // PostgreSQL table
	Topic  string // <prefix>.<schema>.<table>

	Columns []Column
	// Key holds the positions in Columns of the primary key columns, in key
	// order; empty when the table has no primary key.
	Key []int

	KeySchema      *schema.Schema // nil without a primary key
	ValueSchema    *schema.Schema
	EnvelopeSchema *schema.Schema
}

// NewTable builds the schemas of a table with names as they are.
func NewTable(prefix, schemaName, tableName string, cols []Column, key []int) *Table {
	return NewTableNamed(prefix, schemaName, tableName, cols, key, Naming{})
}

// NewTableNamed builds the schemas of a table. The topic is
// TopicNameWith(prefix, n.Delimiter, schema, table); the Key, Value and
// Envelope schema names are the topic with a suffix (Debezium's
// recordSchemaPrefix is the data-change topic), adjusted by n.Schema, and
// field names are column names adjusted by n.Field (Debezium's
// TableSchemaBuilder).
func NewTableNamed(prefix, schemaName, tableName string, cols []Column, key []int, n Naming) *Table {
	delim := n.Delimiter
	if delim == "" {
		delim = "."
	}
	topicSchema := schemaName
	if n.OmitSchema {
		topicSchema = ""
	}
	topic := TopicNameWith(prefix, delim, topicSchema, tableName)
	t := &Table{Schema: schemaName, Name: tableName, Topic: topic, Columns: cols, Key: key}

	fields := make([]schema.Field, len(cols))
	for i, c := range cols {
		s := c.ValueSchema
		if s == nil {
			s = c.Mapping.Schema
		}
		fields[i] = schema.NewField(n.field(c.Name), s)
	}
	t.ValueSchema = schema.StructOf(n.schema(topic+".Value"), true, fields...)
	if len(key) > 0 {
		kf := make([]schema.Field, len(key))
		for i, p := range key {
			kf[i] = schema.NewField(n.field(cols[p].Name), cols[p].Mapping.Schema)
		}
		t.KeySchema = schema.StructOf(n.schema(topic+".Key"), false, kf...)
	}
	env := schema.StructOf(n.schema(topic+".Envelope"), false,
		schema.NewField("before", t.ValueSchema),
		schema.NewField("after", t.ValueSchema),
		schema.NewField("source", SourceSchema),
		schema.NewField("transaction", BlockSchema),
		schema.NewField("op", schema.StringSchema),
		schema.NewField("ts_ms", optionalInt64),
		schema.NewField("ts_us", optionalInt64),
		schema.NewField("ts_ns", optionalInt64),
	)
	env.Version = 2
	t.EnvelopeSchema = env
	return t
}

// Value builds the value struct of a row (one value per column). An
// unchanged TOASTed value becomes the column's placeholder, and a null in a
// required column (absent from the tuple) becomes its default or fallback.
func (t *Table) Value(row []any) *schema.Struct {
	v := make([]any, len(t.Columns))
	for i := range t.Columns {
		v[i] = t.fill(i, row[i], true)
	}
	return &schema.Struct{Schema: t.ValueSchema, Values: v}
}

// KeyStruct builds the key struct of a row, or nil without a primary key.
func (t *Table) KeyStruct(row []any) *schema.Struct {
	if t.KeySchema == nil {
		return nil
	}
	v := make([]any, len(t.Key))
	for i, p := range t.Key {
		v[i] = t.fill(p, row[p], false)
	}
	return &schema.Struct{Schema: t.KeySchema, Values: v}
}

func (t *Table) fill(i int, v any, transform bool) any {
	m := &t.Columns[i].Mapping
	switch v.(type) {
	case nil:
		if !m.Schema.Optional {
			if m.Schema.HasDefault {
				v = m.Schema.Default
			} else {
				v = m.Fallback
			}
		}
	case typemap.Unchanged:
		v = m.Unavailable
	}
	if f := t.Columns[i].Transform; f != nil && transform {
		return f(v)
	}
	return v
}

// Envelope builds the envelope struct; now is the processing time written
// to ts_ms, ts_us and ts_ns.
func (t *Table) Envelope(op string, before, after, source *schema.Struct, now time.Time) *schema.Struct {
	ns := now.UnixNano()
	// The struct and its values share one allocation.
	blk := &struct {
		st schema.Struct
		v  [8]any
	}{}
	v := blk.v[:]
	if before != nil {
		v[0] = before
	}
	if after != nil {
		v[1] = after
	}
	v[2] = source
	v[4] = opValue(op)
	v[5] = ns / 1_000_000
	v[6] = ns / 1_000
	v[7] = ns
	blk.st = schema.Struct{Schema: t.EnvelopeSchema, Values: v}
	return &blk.st
}
