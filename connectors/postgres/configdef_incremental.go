package postgres

import (
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
)

// Signal table and incremental snapshot keys, spelled as Debezium spells
// them (CommonConnectorConfig, PostgresConnectorConfig).
const (
	KeySignalDataCollection     = "signal.data.collection"
	KeyIncrementalChunkSize     = "incremental.snapshot.chunk.size"
	KeyIncrementalWatermarking  = "incremental.snapshot.watermarking.strategy"
	KeyReadOnly                 = "read.only"
	WatermarkInsertInsert       = "insert_insert"
	WatermarkInsertDelete       = "insert_delete"
	defaultIncrementalChunkSize = 1024
)

// incrementalConfigKeys declares the signal table and incremental snapshot
// properties with Debezium 3.5's names, types, defaults, groups and
// descriptions: signal.data.collection (CommonConnectorConfig, group
// ADVANCED 20), incremental.snapshot.chunk.size and
// incremental.snapshot.watermarking.strategy (CommonConnectorConfig, no
// group), read.only (PostgresConnectorConfig, group CONNECTION 100).
// PostgresConnectorConfig does not list
// incremental.snapshot.allow.schema.changes (only the MySQL connector
// does), so neither does this.
func incrementalConfigKeys() []configdef.Key {
	type k = configdef.Key
	return []k{
		{Name: KeySignalDataCollection, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: "Advanced",
			Documentation: "The name of the data collection that is used to send signals/commands to Debezium. For multi-partition mode connectors, multiple signal data collections can be specified as a comma-separated list. Signaling is disabled when not set.",
			DisplayName:   "Signaling data collection"},
		{Name: KeyIncrementalChunkSize, Type: configdef.TypeInt, Default: "1024", Importance: configdef.ImportanceMedium,
			Documentation: "The maximum size of chunk (number of documents/rows) for incremental snapshotting",
			DisplayName:   "Incremental snapshot chunk size", Validator: configdef.AtLeast(0)},
		{Name: KeyIncrementalWatermarking, Type: configdef.TypeString, Default: WatermarkInsertInsert, Importance: configdef.ImportanceLow,
			Documentation: "Specify the strategy used for watermarking during an incremental snapshot: 'insert_insert' both open and close signal is written into signal data collection (default); 'insert_delete' only open signal is written on signal data collection, the close will delete the relative open signal;",
			DisplayName:   "Incremental snapshot watermarking strategy", Validator: oneOf(WatermarkInsertInsert, WatermarkInsertDelete)},
		{Name: KeyReadOnly, Type: configdef.TypeBoolean, Default: "false", Importance: configdef.ImportanceLow, Group: "Connection",
			Documentation: "Switched connector to use alternative methods to deliver signals to Debezium instead of writing to signaling table",
			DisplayName:   "Read only connection"},
	}
}

// signalTable is the table named by signal.data.collection.
type signalTable struct {
	Schema, Name string
}

func (s signalTable) full() string { return s.Schema + "." + s.Name }

// incrementalProps reads the keys above into c.
func (p *parser) incrementalProps(c *Config) {
	v := p.v
	c.IncrementalChunkSize = v.Int(KeyIncrementalChunkSize)
	if c.IncrementalChunkSize <= 0 {
		c.IncrementalChunkSize = defaultIncrementalChunkSize
	}
	c.WatermarkInsertDelete = strings.EqualFold(v.String(KeyIncrementalWatermarking), WatermarkInsertDelete)
	for _, name := range v.List(KeySignalDataCollection) {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		// TableId.parse: schema.table, or database.schema.table whose
		// database part PostgreSQL's table ids do not use.
		parts := strings.Split(name, ".")
		switch {
		case len(parts) == 2 && parts[0] != "" && parts[1] != "":
			c.SignalTables = append(c.SignalTables, signalTable{Schema: parts[0], Name: parts[1]})
		case len(parts) == 3 && parts[1] != "" && parts[2] != "":
			c.SignalTables = append(c.SignalTables, signalTable{Schema: parts[1], Name: parts[2]})
		default:
			p.invalid(KeySignalDataCollection, name, "must be a fully-qualified table name <schemaName>.<tableName>")
		}
	}
	for _, s := range c.SignalTables {
		c.Filter.Signals = append(c.Filter.Signals, s.full())
	}
	if v.Bool(KeyReadOnly) {
		// Debezium's PostgresReadOnlyIncrementalSnapshotChangeEventSource
		// (watermarks from pg_current_snapshot()) is not implemented.
		p.invalid(KeyReadOnly, "true", "read-only incremental snapshots are not supported; incremental snapshots write watermarks to "+KeySignalDataCollection)
	}
}
