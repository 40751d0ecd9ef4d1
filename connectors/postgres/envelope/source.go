package envelope

import (
	"strconv"

	"github.com/tributary-cdc/tributary/schema"
)

// Identity of the connector in the source block and headers.
const (
	ConnectorName    = "postgresql"
	ConnectorVersion = "3.5.0.Final"
	SourceSchemaName = "io.debezium.connector.postgresql.Source"
	EnumName         = "io.debezium.data.Enum"
	// SnapshotAllowed is the allowed parameter of source.snapshot.
	SnapshotAllowed = "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"
)

// Values of source.snapshot on snapshot records.
const (
	SnapshotFirst        = "first"
	SnapshotTrue         = "true"
	SnapshotFirstInTable = "first_in_data_collection"
	SnapshotLastInTable  = "last_in_data_collection"
	SnapshotLast         = "last"
	snapshotDefault      = "false"
	snapshotFieldPos     = 4
	sourceFieldCount     = 16
)

var optionalInt64 = schema.OptionalInt64Schema

// SourceSchema is io.debezium.connector.postgresql.Source version 1.
var SourceSchema = func() *schema.Schema {
	snapshot := &schema.Schema{
		Type: schema.TypeString, Optional: true, Name: EnumName, Version: 1,
		Params:  []schema.Param{{Key: "allowed", Value: SnapshotAllowed}},
		Default: snapshotDefault, HasDefault: true,
	}
	s := schema.StructOf(SourceSchemaName, false,
		schema.NewField("version", schema.StringSchema),
		schema.NewField("connector", schema.StringSchema),
		schema.NewField("name", schema.StringSchema),
		schema.NewField("ts_ms", schema.Int64Schema),
		schema.NewField("snapshot", snapshot),
		schema.NewField("db", schema.StringSchema),
		schema.NewField("sequence", schema.OptionalStringSchema),
		schema.NewField("ts_us", optionalInt64),
		schema.NewField("ts_ns", optionalInt64),
		schema.NewField("schema", schema.StringSchema),
		schema.NewField("table", schema.StringSchema),
		schema.NewField("txId", optionalInt64),
		schema.NewField("lsn", optionalInt64),
		schema.NewField("xmin", optionalInt64),
		schema.NewField("origin", schema.OptionalStringSchema),
		schema.NewField("origin_lsn", optionalInt64),
	)
	s.Version = 1
	return s
}()

// BlockSchema is the transaction block event.block version 1.
var BlockSchema = func() *schema.Schema {
	s := schema.StructOf("event.block", true,
		schema.NewField("id", schema.StringSchema),
		schema.NewField("total_order", schema.Int64Schema),
		schema.NewField("data_collection_order", schema.Int64Schema),
	)
	s.Version = 1
	return s
}()

// Source is the content of one source block.
type Source struct {
	Name   string // topic.prefix
	DB     string
	Schema string
	Table  string
	// TsUs is the commit time (streaming) or read time (snapshot) in µs.
	TsUs int64
	// Snapshot is the snapshot mark; "" leaves the field null, which the
	// converter writes as its default "false".
	Snapshot string
	// LastCommitLSN and LSN make up sequence; zero values print as null.
	LastCommitLSN uint64
	LSN           uint64
	TxID          int64
	HasTxID       bool
}

// Struct builds the source struct.
func (s *Source) Struct() *schema.Struct {
	// The struct and its values share one allocation.
	blk := &struct {
		st schema.Struct
		v  [sourceFieldCount]any
	}{}
	v := blk.v[:]
	v[0] = ConnectorVersion
	v[1] = ConnectorName
	v[2] = s.Name
	v[3] = s.TsUs / 1000
	if s.Snapshot != "" {
		v[snapshotFieldPos] = s.Snapshot
	}
	v[5] = s.DB
	v[6] = Sequence(s.LastCommitLSN, s.LSN)
	v[7] = s.TsUs
	v[8] = s.TsUs * 1000
	v[9] = s.Schema
	v[10] = s.Table
	if s.HasTxID {
		v[11] = s.TxID
	}
	if s.LSN != 0 {
		v[12] = int64(s.LSN)
	}
	blk.st = schema.Struct{Schema: SourceSchema, Values: v}
	return &blk.st
}

// SetSnapshot rewrites the snapshot mark of a source struct built by
// Source.Struct.
func SetSnapshot(source *schema.Struct, mark string) {
	source.Values[snapshotFieldPos] = mark
}

// Sequence is source.sequence: a JSON array of the last commit LSN and the
// event LSN as decimal strings, null where unknown.
func Sequence(lastCommit, lsn uint64) string {
	b := make([]byte, 0, 48)
	b = append(b, '[')
	b = appendLSN(b, lastCommit)
	b = append(b, ',')
	b = appendLSN(b, lsn)
	return string(append(b, ']'))
}

func appendLSN(b []byte, lsn uint64) []byte {
	if lsn == 0 {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = strconv.AppendUint(b, lsn, 10)
	return append(b, '"')
}
