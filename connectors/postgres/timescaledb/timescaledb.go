package timescaledb

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/schema"
)

// Class is the transformation's class name.
const Class = "io.debezium.connector.postgresql.transforms.timescaledb.TimescaleDb"

// Properties (TimescaleDbConfigDefinition) and headers (TimescaleDb) of
// Debezium 3.5.
const (
	propSchemaList  = "schema.list"
	propTopicPrefix = "target.topic.prefix"

	defaultSchemaList  = "_timescaledb_internal"
	defaultTopicPrefix = "timescaledb"

	HeaderChunkTable       = "__debezium_timescaledb_chunk_table"
	HeaderChunkSchema      = "__debezium_timescaledb_chunk_schema"
	HeaderHypertableTable  = "__debezium_timescaledb_hypertable_table"
	HeaderHypertableSchema = "__debezium_timescaledb_hypertable_schema"
)

// ConfigDef is TimescaleDb.config(): schema.list and target.topic.prefix.
// The database.* and driver.* properties the transformation also reads
// are the connector's (postgres.QueryConnConfig), as Debezium's config()
// leaves them out too.
var ConfigDef = configdef.Define(
	configdef.Key{Name: propSchemaList, Type: configdef.TypeList, Default: defaultSchemaList, Importance: configdef.ImportanceHigh,
		Order: 1, Width: configdef.WidthMedium, DisplayName: "The list of TimescaleDB data schemas",
		Documentation: "Comma-separated list schema names that contain TimescaleDB data tables, defaults to: '" + defaultSchemaList + "'"},
	configdef.Key{Name: propTopicPrefix, Type: configdef.TypeString, Default: defaultTopicPrefix, Importance: configdef.ImportanceMedium,
		Order: 1, Width: configdef.WidthMedium, DisplayName: "The prefix of TimescaleDB topic names",
		// Debezium's description names the schema list's default here.
		Documentation: "The namespace (prefix) of topics where TimescaleDB events will be routed, defaults to: '" + defaultSchemaList + "'"},
)

// Plugin is the transformation class, for the application's plugin list.
func Plugin() connect.TransformationPlugin {
	return connect.TransformationPlugin{Class: Class, New: New, Config: ConfigDef}
}

// TableID is a schema-qualified table name.
type TableID struct{ Schema, Table string }

func (id TableID) String() string { return id.Schema + "." + id.Table }

// Metadata answers the catalog questions the transformation asks
// (Debezium's TimescaleDbMetadata).
type Metadata interface {
	// Hypertable returns the hypertable a chunk belongs to, and false for
	// a table that is no chunk.
	Hypertable(ctx context.Context, chunk TableID) (TableID, bool, error)
	// Aggregate returns the continuous aggregate a hypertable
	// materializes, and false for a plain hypertable.
	Aggregate(hypertable TableID) (TableID, bool)
}

// New configures the transformation with a catalog reader on the
// database its database.* properties name.
func New(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	conn, warnings, errs := postgres.QueryConnConfig(config)
	t, more := newWith(config, nil)
	errs = append(errs, more...)
	if len(errs) > 0 {
		return nil, errs
	}
	t.metadata = newCatalog(conn)
	t.warnings = warnings
	return t, nil
}

// newWith configures the transformation over the given metadata.
func newWith(config map[string]string, m Metadata) (*timescaleDb, []connect.ConfigError) {
	v, errs := ConfigDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	schemas := v.List(propSchemaList)
	if len(schemas) == 0 {
		// AbstractTimescaleDbMetadata: an empty list is the default.
		schemas = []string{defaultSchemaList}
	}
	return &timescaleDb{
		schemas:     schemas,
		topicPrefix: v.String(propTopicPrefix) + ".",
		metadata:    m,
		log:         slog.New(slog.DiscardHandler),
	}, nil
}

type timescaleDb struct {
	schemas     []string
	topicPrefix string
	metadata    Metadata
	log         *slog.Logger
	warnings    []string
}

// SetLogger implements connect.LoggingTransformation; the connection
// settings' warnings are logged here.
func (t *timescaleDb) SetLogger(l *slog.Logger) {
	t.log = l.With("transform", Class)
	for _, w := range t.warnings {
		t.log.Warn(w)
	}
}

// Apply follows TimescaleDb.apply.
func (t *timescaleDb) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.Topic == "" || r.ValueSchema == nil || !strings.HasSuffix(r.ValueSchema.Name, ".Envelope") {
		return r, true, nil
	}
	env, ok := r.Value.(*schema.Struct)
	if !ok {
		return r, true, nil
	}
	srcField := env.Schema.Field("source")
	if srcField == nil {
		return r, true, nil
	}
	source, _ := env.Values[srcField.Index].(*schema.Struct)
	if source == nil {
		return r, true, nil
	}
	schemaField, tableField := source.Schema.Field("schema"), source.Schema.Field("table")
	if schemaField == nil || tableField == nil {
		return r, true, nil
	}
	schemaName, _ := source.Values[schemaField.Index].(string)
	tableName, _ := source.Values[tableField.Index].(string)
	if schemaName == "" || tableName == "" || !slices.Contains(t.schemas, schemaName) {
		return r, true, nil
	}
	chunk := TableID{schemaName, tableName}
	hypertable, ok, err := t.metadata.Hypertable(context.Background(), chunk)
	if err != nil {
		return r, false, fmt.Errorf("%s: %w", Class, err)
	}
	if !ok {
		t.log.Warn(fmt.Sprintf("Unable to find hypertable for chunk '%s'", chunk))
		return r, true, nil
	}
	aggregate, isAggregate := t.metadata.Aggregate(hypertable)
	target := hypertable
	if isAggregate {
		target = aggregate
	}

	// The source block names the hypertable (or aggregate): Debezium puts
	// the names into the record's own structs; they may be shared here, so
	// the source and envelope are copied.
	newSource := &schema.Struct{Schema: source.Schema, Values: slices.Clone(source.Values)}
	newSource.Values[schemaField.Index] = target.Schema
	newSource.Values[tableField.Index] = target.Table
	newEnv := &schema.Struct{Schema: env.Schema, Values: slices.Clone(env.Values)}
	newEnv.Values[srcField.Index] = newSource
	r.Value = newEnv
	r.Topic = t.topicPrefix + target.Schema + "." + target.Table

	headers := []connect.Header{
		{Key: HeaderChunkTable, Schema: schema.StringSchema, Value: chunk.Table},
		{Key: HeaderChunkSchema, Schema: schema.StringSchema, Value: chunk.Schema},
	}
	if isAggregate {
		headers = append(headers,
			connect.Header{Key: HeaderHypertableTable, Schema: schema.StringSchema, Value: hypertable.Table},
			connect.Header{Key: HeaderHypertableSchema, Schema: schema.StringSchema, Value: hypertable.Schema})
	}
	r.Headers = slices.Concat(r.Headers, headers)
	return r, true, nil
}
