package timescaledb

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

// testMetadata is Debezium's TestMetadata: two chunks, one of a plain
// hypertable and one of a continuous aggregate's materialized hypertable.
type testMetadata struct{}

func (testMetadata) Hypertable(_ context.Context, chunk TableID) (TableID, bool, error) {
	switch chunk.Table {
	case "_hyper_1_1_chunk":
		return TableID{"public", "conditions"}, true, nil
	case "_hyper_2_2_chunk":
		return TableID{chunk.Schema, "_materialized_hypertable_2"}, true, nil
	}
	return TableID{}, false, nil
}

func (testMetadata) Aggregate(h TableID) (TableID, bool) {
	if h.Table == "_materialized_hypertable_2" {
		return TableID{"public", "conditions_summary"}, true
	}
	return TableID{}, false
}

var (
	rowSchema    = schema.StructOf("server1.timescaledb.Value", true, schema.NewField("id", schema.Int64Schema))
	sourceSchema = schema.StructOf("source", false,
		schema.NewField("schema", schema.OptionalStringSchema), schema.NewField("table", schema.OptionalStringSchema))
	envelopeSchema = schema.StructOf("server1.timescaledb.Envelope", false,
		schema.NewField("before", rowSchema), schema.NewField("after", rowSchema),
		schema.NewField("source", &schema.Schema{Type: schema.TypeStruct, Optional: true, Name: "source", Fields: sourceSchema.Fields}),
		schema.NewField("op", schema.StringSchema), schema.NewField("ts_ms", schema.OptionalInt64Schema))
)

// record is TimescaleDbTest.createSourceRecord: a create with a source
// block naming schema and table ("" for null), no source block when both
// are null.
func record(schemaName, table string, id int64) connect.SourceRecord {
	var src any
	if schemaName != "" || table != "" {
		s := &schema.Struct{Schema: sourceSchema, Values: []any{nil, nil}}
		if schemaName != "" {
			s.Values[0] = schemaName
		}
		if table != "" {
			s.Values[1] = table
		}
		src = s
	}
	row := &schema.Struct{Schema: rowSchema, Values: []any{id}}
	return connect.SourceRecord{SourcePartition: map[string]any{}, SourceOffset: map[string]any{}, Topic: "server1.timescaledb",
		ValueSchema: envelopeSchema, Value: &schema.Struct{Schema: envelopeSchema, Values: []any{nil, row, src, "c", int64(1)}}}
}

func newTest(t *testing.T, config map[string]string) *timescaleDb {
	t.Helper()
	tr, errs := newWith(config, testMetadata{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return tr
}

func headerValues(r connect.SourceRecord) map[string]any {
	out := map[string]any{}
	for _, h := range r.Headers {
		if h.Schema != schema.StringSchema {
			panic("header schema " + h.Schema.Name)
		}
		out[h.Key] = h.Value
	}
	return out
}

func sourceOf(r connect.SourceRecord) []any {
	return r.Value.(*schema.Struct).Get("source").(*schema.Struct).Values
}

// TestTimescaleDb ports TimescaleDbTest: shouldProcessHypertable,
// shouldRouteToDifferentTopic, shouldProcessAggregate,
// shouldIgnoreMessagesWithoutRequiredSource,
// shouldIgnoreMessagesForNonTimescaleSchema, shouldWarnOnOrphanChunk.
func TestTimescaleDb(t *testing.T) {
	for _, c := range []struct {
		name          string
		config        map[string]string
		schema, table string
		topic         string // "": the record is left as it is
		source        []any
		headers       map[string]any
	}{
		{"shouldProcessHypertable", nil, "_timescaledb_internal", "_hyper_1_1_chunk", "timescaledb.public.conditions",
			[]any{"public", "conditions"}, map[string]any{HeaderChunkSchema: "_timescaledb_internal", HeaderChunkTable: "_hyper_1_1_chunk"}},
		{"shouldRouteToDifferentTopic", map[string]string{"target.topic.prefix": "myprefix"}, "_timescaledb_internal", "_hyper_1_1_chunk",
			"myprefix.public.conditions", []any{"public", "conditions"},
			map[string]any{HeaderChunkSchema: "_timescaledb_internal", HeaderChunkTable: "_hyper_1_1_chunk"}},
		{"shouldProcessAggregate", nil, "_timescaledb_internal", "_hyper_2_2_chunk", "timescaledb.public.conditions_summary",
			[]any{"public", "conditions_summary"}, map[string]any{HeaderChunkSchema: "_timescaledb_internal", HeaderChunkTable: "_hyper_2_2_chunk",
				HeaderHypertableSchema: "_timescaledb_internal", HeaderHypertableTable: "_materialized_hypertable_2"}},
		{"other schema list", map[string]string{"schema.list": "ts1, ts2"}, "ts2", "_hyper_1_1_chunk", "timescaledb.public.conditions",
			[]any{"public", "conditions"}, map[string]any{HeaderChunkSchema: "ts2", HeaderChunkTable: "_hyper_1_1_chunk"}},
		{"without source", nil, "", "", "", nil, nil},
		{"without table", nil, "_timescaledb_internal", "", "", nil, nil},
		{"without schema", nil, "", "_hyper_1_1_chunk", "", nil, nil},
		{"shouldIgnoreMessagesForNonTimescaleSchema", nil, "different", "table", "", nil, nil},
		{"not in the schema list", map[string]string{"schema.list": "ts1"}, "_timescaledb_internal", "_hyper_1_1_chunk", "", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newTest(t, c.config)
			in := record(c.schema, c.table, 1)
			out, keep, err := tr.Apply(in)
			if err != nil || !keep {
				t.Fatalf("Apply: %v %v", keep, err)
			}
			if c.topic == "" {
				if !reflect.DeepEqual(out, in) {
					t.Errorf("record changed: %+v", out)
				}
				return
			}
			if out.Topic != c.topic || !reflect.DeepEqual(sourceOf(out), c.source) || !reflect.DeepEqual(headerValues(out), c.headers) {
				t.Errorf("topic %q source %v headers %v", out.Topic, sourceOf(out), headerValues(out))
			}
			// The input's structs are not edited.
			if got := sourceOf(in); got[0] != c.schema || got[1] != c.table {
				t.Errorf("input source changed: %v", got)
			}
		})
	}
	t.Run("shouldWarnOnOrphanChunk", func(t *testing.T) {
		tr := newTest(t, nil)
		var logs bytes.Buffer
		tr.SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
		in := record("_timescaledb_internal", "_hyper_10_1_chunk", 1)
		out, _, _ := tr.Apply(in)
		if !reflect.DeepEqual(out, in) || !strings.Contains(logs.String(), "Unable to find hypertable for chunk '_timescaledb_internal._hyper_10_1_chunk'") {
			t.Errorf("out %+v, logs %s", out, logs.String())
		}
	})
}

// TestTimescaleDbConfig: the transformation needs database.hostname, as
// Debezium's connection does (Debezium fails at the first chunk, here the
// configuration is refused); its own properties are checked too.
func TestTimescaleDbConfig(t *testing.T) {
	_, errs := New(map[string]string{"type": Class})
	if len(errs) != 1 || errs[0].Name != "database.hostname" {
		t.Errorf("errors %v", errs)
	}
	_, errs = New(map[string]string{"type": Class, "database.hostname": "h", "database.port": "x"})
	if len(errs) != 1 || errs[0].Name != "database.port" {
		t.Errorf("errors %v", errs)
	}
	tr, errs := New(map[string]string{"type": Class, "database.hostname": "h", "database.password": "secret-pw"})
	if len(errs) != 0 || tr == nil {
		t.Errorf("errors %v", errs)
	}
}

// catalogDDL creates TimescaleDB 2.x's catalog tables (the columns of
// _timescaledb_catalog.hypertable, chunk and continuous_agg in
// TimescaleDB's sql/pre_install/tables.sql) and fills them as
// create_hypertable and a continuous aggregate would: hypertable 1 is
// public.conditions, hypertable 2 the materialization of
// public.conditions_summary.
var catalogDDL = []string{
	"CREATE SCHEMA _timescaledb_catalog",
	"CREATE SCHEMA _timescaledb_internal",
	`CREATE TABLE _timescaledb_catalog.hypertable (id serial PRIMARY KEY, schema_name name NOT NULL, table_name name NOT NULL,
		associated_schema_name name NOT NULL, associated_table_prefix name NOT NULL, num_dimensions smallint NOT NULL,
		chunk_sizing_func_schema name NOT NULL, chunk_sizing_func_name name NOT NULL, chunk_target_size bigint NOT NULL,
		compression_state smallint NOT NULL DEFAULT 0, compressed_hypertable_id integer, status integer NOT NULL DEFAULT 0)`,
	`CREATE TABLE _timescaledb_catalog.chunk (id serial PRIMARY KEY, hypertable_id int NOT NULL REFERENCES _timescaledb_catalog.hypertable(id),
		schema_name name NOT NULL, table_name name NOT NULL, compressed_chunk_id integer, dropped boolean NOT NULL DEFAULT false,
		status integer NOT NULL DEFAULT 0, osm_chunk boolean NOT NULL DEFAULT false, creation_time timestamptz NOT NULL DEFAULT now())`,
	`CREATE TABLE _timescaledb_catalog.continuous_agg (mat_hypertable_id integer PRIMARY KEY, raw_hypertable_id integer NOT NULL,
		parent_mat_hypertable_id integer, user_view_schema name NOT NULL, user_view_name name NOT NULL, partial_view_schema name NOT NULL,
		partial_view_name name NOT NULL, direct_view_schema name NOT NULL, direct_view_name name NOT NULL,
		materialized_only bool NOT NULL DEFAULT false, finalized bool NOT NULL DEFAULT true)`,
	`INSERT INTO _timescaledb_catalog.hypertable (schema_name, table_name, associated_schema_name, associated_table_prefix, num_dimensions,
		chunk_sizing_func_schema, chunk_sizing_func_name, chunk_target_size) VALUES
		('public', 'conditions', '_timescaledb_internal', '_hyper_1', 1, '_timescaledb_functions', 'calculate_chunk_interval', 0),
		('_timescaledb_internal', '_materialized_hypertable_2', '_timescaledb_internal', '_hyper_2', 1, '_timescaledb_functions', 'calculate_chunk_interval', 0)`,
	`INSERT INTO _timescaledb_catalog.chunk (hypertable_id, schema_name, table_name) VALUES
		(1, '_timescaledb_internal', '_hyper_1_1_chunk'), (2, '_timescaledb_internal', '_hyper_2_2_chunk')`,
	`INSERT INTO _timescaledb_catalog.continuous_agg (mat_hypertable_id, raw_hypertable_id, user_view_schema, user_view_name,
		partial_view_schema, partial_view_name, direct_view_schema, direct_view_name) VALUES
		(2, 1, 'public', 'conditions_summary', '_timescaledb_internal', '_partial_view_2', '_timescaledb_internal', '_direct_view_2')`,
}

// TestTimescaleDbCatalog runs the transformation on a real PostgreSQL whose
// _timescaledb_catalog the test creates: chunks of a hypertable and of an
// aggregate are routed, a chunk added later is found by reading the
// catalog again, a table that is no chunk is left alone, and a catalog
// that cannot be read fails the record without naming the password.
func TestTimescaleDbCatalog(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, catalogDDL...)
	config := map[string]string{
		"type":              Class,
		"database.hostname": pg.Host(), "database.port": fmt.Sprint(pg.Port()),
		"database.user": "postgres", "database.dbname": "postgres",
	}
	plugin := Plugin()
	tr, errs := plugin.New(config)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	apply := func(table string) connect.SourceRecord {
		t.Helper()
		out, keep, err := tr.Apply(record("_timescaledb_internal", table, 1))
		if err != nil || !keep {
			t.Fatalf("%s: %v %v", table, keep, err)
		}
		return out
	}
	if out := apply("_hyper_1_1_chunk"); out.Topic != "timescaledb.public.conditions" || len(out.Headers) != 2 {
		t.Errorf("hypertable chunk: %s %v", out.Topic, out.Headers)
	}
	out := apply("_hyper_2_2_chunk")
	if out.Topic != "timescaledb.public.conditions_summary" ||
		headerValues(out)[HeaderHypertableTable] != "_materialized_hypertable_2" {
		t.Errorf("aggregate chunk: %s %v", out.Topic, out.Headers)
	}
	// A chunk created after the first read.
	pg.Exec(t, `INSERT INTO _timescaledb_catalog.chunk (hypertable_id, schema_name, table_name) VALUES (1, '_timescaledb_internal', '_hyper_1_3_chunk')`)
	if out := apply("_hyper_1_3_chunk"); out.Topic != "timescaledb.public.conditions" {
		t.Errorf("new chunk: %s", out.Topic)
	}
	in := record("_timescaledb_internal", "bgw_job_stat", 1)
	if out, _, _ := tr.Apply(in); !reflect.DeepEqual(out, in) {
		t.Errorf("no chunk: %+v", out)
	}

	// A wrong password fails the read, without the password in the error.
	bad := map[string]string{"type": Class, "database.hostname": pg.Host(), "database.port": fmt.Sprint(pg.Port()),
		"database.user": "nobody", "database.password": "s3cr3t-value", "database.dbname": "postgres"}
	tr2, errs := plugin.New(bad)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	_, _, err := tr2.Apply(record("_timescaledb_internal", "_hyper_1_1_chunk", 1))
	if err == nil || !strings.Contains(err.Error(), "Failed to read TimescaleDB metadata") || strings.Contains(err.Error(), "s3cr3t-value") {
		t.Errorf("error %v", err)
	}
}
