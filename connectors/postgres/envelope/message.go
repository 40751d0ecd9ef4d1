package envelope

import "github.com/tributary-cdc/tributary/schema"

// Names of the logical decoding message schemas (Debezium's
// PostgresSchemaFactory), and the op of a message record.
const (
	MessageKeyName   = "io.debezium.connector.postgresql.MessageKey"
	MessageValueName = "io.debezium.connector.postgresql.MessageValue"
	MessageBlockName = "io.debezium.connector.postgresql.Message"
	OpMessage        = "m"
	// MessageCollection is the data collection a transactional message
	// counts under in transaction metadata.
	MessageCollection = "LOGICAL_DECODING_MESSAGE"
)

// MessageKeySchema is MessageKey{prefix} version 1.
var MessageKeySchema = versioned(schema.StructOf(MessageKeyName, false,
	schema.NewField("prefix", schema.OptionalStringSchema)))

// Message holds the value schemas of logical decoding message records; the
// content's type follows binary.handling.mode.
type Message struct {
	BlockSchema *schema.Schema
	ValueSchema *schema.Schema
}

// NewMessage builds the message schemas; contentAsString is set for the
// base64, base64-url-safe and hex binary handling modes.
func NewMessage(contentAsString bool) *Message {
	content := schema.OptionalBytesSchema
	if contentAsString {
		content = schema.OptionalStringSchema
	}
	block := versioned(schema.StructOf(MessageBlockName, false,
		schema.NewField("prefix", schema.OptionalStringSchema),
		schema.NewField("content", content)))
	value := versioned(schema.StructOf(MessageValueName, false,
		schema.NewField("op", schema.StringSchema),
		schema.NewField("ts_ms", optionalInt64),
		schema.NewField("source", SourceSchema),
		schema.NewField("transaction", BlockSchema),
		schema.NewField("message", block)))
	return &Message{BlockSchema: block, ValueSchema: value}
}

// Key builds the key of a message record.
func (m *Message) Key(prefix string) *schema.Struct {
	return &schema.Struct{Schema: MessageKeySchema, Values: []any{prefix}}
}

// Value builds the value of a message record; content is []byte or string
// as the schema says, and block (the transaction block) may be nil.
func (m *Message) Value(prefix string, content any, source, block *schema.Struct, tsMs int64) *schema.Struct {
	msg := &schema.Struct{Schema: m.BlockSchema, Values: []any{prefix, content}}
	v := []any{OpMessage, tsMs, source, nil, msg}
	if block != nil {
		v[3] = block
	}
	return &schema.Struct{Schema: m.ValueSchema, Values: v}
}
