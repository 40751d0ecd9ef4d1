package postgres

import "strings"

// signalTable is the table named by signal.data.collection.
type signalTable struct {
	Schema, Name string
}

func (s signalTable) full() string { return s.Schema + "." + s.Name }

// incrementalProps reads the signal table and incremental snapshot keys
// (configdef.go) into c.
func (p *parser) incrementalProps(c *Config) {
	v := p.v
	c.IncrementalChunkSize = v.Int(KeyIncrementalChunkSize)
	if c.IncrementalChunkSize <= 0 {
		c.IncrementalChunkSize = defaultIncrementalChunkSize
	}
	c.WatermarkInsertDelete = strings.EqualFold(v.String(KeyIncrementalWatermarking), WatermarkInsertDelete)
	var names []string
	for _, name := range v.List(KeySignalDataCollection) {
		if name = strings.TrimSpace(name); name != "" {
			names = append(names, name)
		}
	}
	if len(names) > 1 {
		// CommonConnectorConfig.validateSignalDataCollection: the
		// PostgreSQL connector is a single task connector.
		p.invalid(KeySignalDataCollection, strings.Join(names, ","), "For single task connector only one signal data collection is permitted.")
		names = nil
	}
	for _, name := range names {
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
