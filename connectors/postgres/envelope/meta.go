package envelope

import "github.com/tributary-cdc/tributary/schema"

// Names of the heartbeat and transaction metadata schemas (Debezium's
// SchemaFactory).
const (
	HeartbeatKeyName   = "io.debezium.connector.common.ServerNameKey"
	HeartbeatValueName = "io.debezium.connector.common.Heartbeat"
	TxKeyName          = "io.debezium.connector.common.TransactionMetadataKey"
	TxValueName        = "io.debezium.connector.common.TransactionMetadataValue"
	TxCollectionName   = "event.collection"
	// Transaction statuses.
	TxBegin = "BEGIN"
	TxEnd   = "END"
)

func versioned(s *schema.Schema) *schema.Schema {
	s.Version = 1
	return s
}

// HeartbeatKeySchema is ServerNameKey{serverName} version 1.
var HeartbeatKeySchema = versioned(schema.StructOf(HeartbeatKeyName, false,
	schema.NewField("serverName", schema.StringSchema)))

// HeartbeatValueSchema is Heartbeat{ts_ms} version 1.
var HeartbeatValueSchema = versioned(schema.StructOf(HeartbeatValueName, false,
	schema.NewField("ts_ms", schema.Int64Schema)))

// TxKeySchema is TransactionMetadataKey{id} version 1.
var TxKeySchema = versioned(schema.StructOf(TxKeyName, false,
	schema.NewField("id", schema.StringSchema)))

// TxCollectionSchema is event.collection{data_collection, event_count}
// version 1, optional.
var TxCollectionSchema = versioned(schema.StructOf(TxCollectionName, true,
	schema.NewField("data_collection", schema.StringSchema),
	schema.NewField("event_count", schema.Int64Schema)))

// TxValueSchema is TransactionMetadataValue version 1.
var TxValueSchema = versioned(schema.StructOf(TxValueName, false,
	schema.NewField("status", schema.StringSchema),
	schema.NewField("id", schema.StringSchema),
	schema.NewField("event_count", schema.OptionalInt64Schema),
	schema.NewField("data_collections", &schema.Schema{Type: schema.TypeArray, Optional: true, Items: TxCollectionSchema}),
	schema.NewField("ts_ms", schema.Int64Schema)))

// TxCount is the event count of one table in a transaction.
type TxCount struct {
	Table string // schema.table
	Count int64
}

// TxValue builds a BEGIN (counts nil) or END transaction record value.
func TxValue(status, id string, total int64, counts []TxCount, tsMs int64) *schema.Struct {
	v := []any{status, id, nil, nil, tsMs}
	if status == TxEnd {
		v[2] = total
		list := make([]any, len(counts))
		for i, c := range counts {
			list[i] = &schema.Struct{Schema: TxCollectionSchema, Values: []any{c.Table, c.Count}}
		}
		v[3] = list
	}
	return &schema.Struct{Schema: TxValueSchema, Values: v}
}

// Block builds the transaction block of an event.
func Block(id string, total, dataCollectionOrder int64) *schema.Struct {
	return &schema.Struct{Schema: BlockSchema, Values: []any{id, total, dataCollectionOrder}}
}

// SetTransaction sets the transaction block of an envelope built by
// Table.Envelope.
func SetTransaction(env, block *schema.Struct) {
	env.Values[3] = block
}
