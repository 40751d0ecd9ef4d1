package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/schema"
)

func newLogicalRouter(t testing.TB, config map[string]string) connect.Transformation {
	t.Helper()
	tr, errs := NewByLogicalTableRouter(config)
	if len(errs) > 0 {
		t.Fatalf("NewByLogicalTableRouter(%v): %v", config, errs)
	}
	return tr
}

// TestLogicalTableRouterConfig ports ByLogicalTableRouterTest's broken
// configurations (testBrokenKeyReplacementConfiguration*,
// testBrokenTopicReplacementConfiguration*) and checks the messages of
// validateKeyFieldReplacement, Field.isRequired and Field.isRegex.
func TestLogicalTableRouterConfig(t *testing.T) {
	for _, c := range []struct {
		name   string
		config map[string]string
		want   []string // "property: message"
	}{
		{"key replacement null", map[string]string{"topic.regex": "someValidRegex(.*)", "topic.replacement": "$1",
			"key.field.regex": "If this is set, key.field.replacement must be non-empty"},
			[]string{"key.field.replacement: Invalid value null for configuration key.field.replacement: key.field.replacement must be non-empty if key.field.regex is set."}},
		{"key replacement empty", map[string]string{"topic.regex": "someValidRegex(.*)", "topic.replacement": "$1",
			"key.field.regex": "If this is set, key.field.replacement must be non-empty", "key.field.replacement": ""},
			[]string{"key.field.replacement: Invalid value null for configuration key.field.replacement: key.field.replacement must be non-empty if key.field.regex is set."}},
		{"topic replacement null", map[string]string{"topic.regex": "someValidRegex(.*)"},
			[]string{"topic.replacement: Invalid value null for configuration topic.replacement: A value is required"}},
		{"topic replacement empty", map[string]string{"topic.regex": "someValidRegex(.*)", "topic.replacement": ""},
			[]string{"topic.replacement: Invalid value  for configuration topic.replacement: A value is required"}},
		{"no regex", map[string]string{"topic.replacement": "x"},
			[]string{"topic.regex: Invalid value null for configuration topic.regex: A value is required"}},
		{"bad regex", map[string]string{"topic.regex": "(", "topic.replacement": "x"},
			[]string{"topic.regex: Invalid value ( for configuration topic.regex: A valid regular expressions is expected, but "}},
		{"bad group", map[string]string{"topic.regex": "(a)", "topic.replacement": "$2"},
			[]string{"topic.replacement: Invalid value $2 for configuration topic.replacement: no group 2"}},
		{"bad mode", map[string]string{"topic.regex": "a", "topic.replacement": "b", "schema.name.adjustment.mode": "avro2"},
			[]string{"schema.name.adjustment.mode: Invalid value avro2 for configuration schema.name.adjustment.mode: Value must be one of none, avro, avro_unicode"}},
		{"bad cache size", map[string]string{"topic.regex": "a", "topic.replacement": "b", "logical.table.cache.size": "x"},
			[]string{"logical.table.cache.size: Invalid value x for configuration logical.table.cache.size: Not a number of type INT"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, errs := NewByLogicalTableRouter(c.config)
			if tr != nil || len(errs) != len(c.want) {
				t.Fatalf("got %v, %v; want %d errors", tr, errs, len(c.want))
			}
			for i, e := range errs {
				if got := e.Name + ": " + e.Message; !strings.HasPrefix(got, c.want[i]) {
					t.Errorf("error %q, want %q", got, c.want[i])
				}
			}
		})
	}
}

func shardKeySchema(name string) *schema.Schema {
	return schema.StructOf(name, false, schema.NewField("id", schema.Int64Schema))
}

// TestLogicalTableRouterKeyReplacement ports
// testKeyReplacementWorkingConfigurationWith{Avro,No}SchemaNameAdjustment
// (DBZ-3535): three records of two shards go to one topic, their keys
// carrying the shard number the key field regex extracts.
func TestLogicalTableRouterKeyReplacement(t *testing.T) {
	for _, c := range []struct{ mode, keyName string }{
		{"avro", "mysql_server_1.inventory.customers_all_shards.Key"},
		{"none", "mysql-server-1.inventory.customers_all_shards.Key"},
	} {
		t.Run(c.mode, func(t *testing.T) {
			tr := newLogicalRouter(t, map[string]string{
				"topic.regex": "(.*)customers_shard(.*)", "topic.replacement": "$1customers_all_shards",
				"key.field.name": "shard_id", "key.field.regex": "(.*)customers_shard_(.*)", "key.field.replacement": "$2",
				"schema.name.adjustment.mode": c.mode,
			})
			ks := shardKeySchema("mysql-server-1.inventory.customers_shard_1.Key")
			for _, r := range []struct {
				topic string
				id    int64
				shard string
			}{
				{"mysql-server-1.inventory.customers_shard_1", 123, "1"},
				{"mysql-server-1.inventory.customers_shard_2", 123, "2"},
				{"mysql-server-1.inventory.customers_shard_2", 456, "2"},
			} {
				in := connect.SourceRecord{SourcePartition: map[string]any{}, SourceOffset: map[string]any{}, Topic: r.topic,
					KeySchema: ks, Key: &schema.Struct{Schema: ks, Values: []any{r.id}}}
				out, keep, err := tr.Apply(in)
				if err != nil || !keep {
					t.Fatalf("Apply: %v %v", keep, err)
				}
				if out.Topic != "mysql-server-1.inventory.customers_all_shards" {
					t.Errorf("topic %q", out.Topic)
				}
				checkKey(t, out, c.keyName, []string{"id", "shard_id"}, []any{r.id, r.shard})
				if out.Value != nil || out.ValueSchema != nil {
					t.Errorf("value %v", out.Value)
				}
			}
		})
	}
}

func checkKey(t *testing.T, r connect.SourceRecord, name string, fields []string, values []any) {
	t.Helper()
	k, ok := r.Key.(*schema.Struct)
	if !ok || k.Schema != r.KeySchema {
		t.Fatalf("key %#v with schema %v", r.Key, r.KeySchema)
	}
	if k.Schema.Name != name {
		t.Errorf("key schema name %q, want %q", k.Schema.Name, name)
	}
	var got []string
	for _, f := range k.Schema.Fields {
		got = append(got, f.Name)
	}
	if !reflect.DeepEqual(got, fields) || !reflect.DeepEqual(k.Values, values) {
		t.Errorf("key fields %v = %v, want %v = %v", got, k.Values, fields, values)
	}
}

// TestLogicalTableRouterHeartbeat ports
// testHeartbeatMessageTopicReplacementTopic: heartbeats of two servers go
// to one topic; the key keeps serverName and gains the old topic.
func TestLogicalTableRouterHeartbeat(t *testing.T) {
	tr := newLogicalRouter(t, map[string]string{"topic.regex": "__debezium-heartbeat(.*)",
		"topic.replacement": "debezium_heartbeat_central", "key.field.name": "originalTopic"})
	ks := schema.StructOf("io.debezium.connector.mysql.ServerNameKey", false, schema.NewField("serverName", schema.StringSchema))
	for _, server := range []string{"test_server_name_db", "test_server_name_db_2"} {
		in := connect.SourceRecord{Topic: "__debezium-heartbeat." + server, KeySchema: ks, Key: &schema.Struct{Schema: ks, Values: []any{server}}}
		out, _, err := tr.Apply(in)
		if err != nil {
			t.Fatal(err)
		}
		if out.Topic != "debezium_heartbeat_central" {
			t.Errorf("topic %q", out.Topic)
		}
		checkKey(t, out, "debezium_heartbeat_central.Key", []string{"serverName", "originalTopic"}, []any{server, "__debezium-heartbeat." + server})
		if out.Value != nil {
			t.Errorf("value %v", out.Value)
		}
	}
}

// TestLogicalTableRouterNullKey ports testKeyNullValue (DBZ-1086): a
// keyless record is routed and stays keyless.
func TestLogicalTableRouterNullKey(t *testing.T) {
	tr := newLogicalRouter(t, map[string]string{"topic.regex": "(.*)customers_shard(.*)", "topic.replacement": "$1customers_all_shards",
		"key.field.name": "shard_id", "key.field.regex": "(.*)customers_shard_(.*)", "key.field.replacement": "$2"})
	out, _, err := tr.Apply(connect.SourceRecord{Topic: "mysql-server-1.inventory.customers_shard_1"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Topic != "mysql-server-1.inventory.customers_all_shards" || out.Key != nil || out.KeySchema != nil {
		t.Errorf("got %+v", out)
	}
}

// TestLogicalTableRouterWithoutKeyChange ports
// testNamespaceReplacementWithoutKeyChange (DBZ-2034): with
// key.enforce.uniqueness=false the key is renamed but not extended.
func TestLogicalTableRouterWithoutKeyChange(t *testing.T) {
	tr := newLogicalRouter(t, map[string]string{"topic.regex": `(.*).dbz_shard_\d+.(.*)`, "topic.replacement": "dbz_core.$2",
		"key.enforce.uniqueness": "false"})
	for _, shard := range []string{"s21.dbz_shard_21.address", "s22.dbz_shard_22.address"} {
		ks := shardKeySchema(shard + ".Key")
		out, _, err := tr.Apply(connect.SourceRecord{Topic: shard, KeySchema: ks, Key: &schema.Struct{Schema: ks, Values: []any{int64(123)}}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Topic != "dbz_core.address" {
			t.Errorf("topic %q", out.Topic)
		}
		checkKey(t, out, "dbz_core.address.Key", []string{"id"}, []any{int64(123)})
	}
}

// TestLogicalTableRouterSchemaChange ports shouldHandleSchemaChangeEvent
// (DBZ-2412): a value that is no envelope is routed and left as it is.
func TestLogicalTableRouterSchemaChange(t *testing.T) {
	tr := newLogicalRouter(t, map[string]string{"topic.regex": "(.*)", "topic.replacement": "$1_rerouted"})
	ks := schema.StructOf("io.debezium.connector.mysql.SchemaChangeKey", false, schema.NewField("databaseName", schema.StringSchema))
	vs := schema.StructOf("io.debezium.connector.mysql.SchemaChangeValue", false, schema.NewField("databaseName", schema.OptionalStringSchema))
	value := &schema.Struct{Schema: vs, Values: []any{"my-db"}}
	out, _, err := tr.Apply(connect.SourceRecord{Topic: "schema_changes", SourceOffset: map[string]any{"offset": "1"},
		KeySchema: ks, Key: &schema.Struct{Schema: ks, Values: []any{"my-db"}}, ValueSchema: vs, Value: value})
	if err != nil {
		t.Fatal(err)
	}
	if out.Topic != "schema_changes_rerouted" || out.Value != value || out.ValueSchema != vs {
		t.Errorf("got %+v", out)
	}
}

// TestLogicalTableRouterChangeEvent routes a PostgreSQL change event: the
// key gains the identifier, the envelope and its before and after structs
// are renamed after the new topic, everything else is kept; and a null in
// a column with a default stays null (shouldPreserveNullForNullable
// FieldWithNonNullDefault, dbz#1848).
func TestLogicalTableRouterChangeEvent(t *testing.T) {
	tbl := customersTable()
	tr := newLogicalRouter(t, map[string]string{"topic.regex": `dbserver1\.(.*)\.customers`, "topic.replacement": "all.customers",
		"key.field.regex": `dbserver1\.(.*)\.customers`, "key.field.replacement": "$1"})
	in := change(tbl, envelope.OpUpdate, []any{int32(1), "Anne", nil}, []any{int32(1), "Anne Marie", nil})
	in.Headers = []connect.Header{{Key: "h", Schema: schema.StringSchema, Value: "v"}}
	out, keep, err := tr.Apply(in)
	if err != nil || !keep {
		t.Fatalf("Apply: %v %v", keep, err)
	}
	if out.Topic != "all.customers" || !reflect.DeepEqual(out.Headers, in.Headers) || !reflect.DeepEqual(out.SourceOffset, in.SourceOffset) {
		t.Errorf("topic, headers or offset: %+v", out)
	}
	checkKey(t, out, "all.customers.Key", []string{"id", "__dbz__physicalTableIdentifier"}, []any{int32(1), "inventory"})
	env := out.Value.(*schema.Struct)
	if env.Schema != out.ValueSchema || env.Schema.Name != "all.customers.Envelope" || env.Schema.Version != in.ValueSchema.Version {
		t.Fatalf("envelope schema %+v", env.Schema)
	}
	oldEnv := in.Value.(*schema.Struct)
	for i, f := range env.Schema.Fields {
		old := in.ValueSchema.Fields[i]
		if f.Name != old.Name {
			t.Fatalf("field %d is %s, want %s", i, f.Name, old.Name)
		}
		if f.Name != "before" && f.Name != "after" {
			if f.Schema != old.Schema || !reflect.DeepEqual(env.Values[i], oldEnv.Values[i]) {
				t.Errorf("field %s changed", f.Name)
			}
			continue
		}
		row := env.Values[i].(*schema.Struct)
		if f.Schema.Name != "all.customers.Value" || !f.Schema.Optional || row.Schema != f.Schema {
			t.Errorf("%s schema %+v", f.Name, f.Schema)
		}
		if !reflect.DeepEqual(row.Values, oldEnv.Values[i].(*schema.Struct).Values) || row.Values[2] != nil {
			t.Errorf("%s = %v", f.Name, row.Values)
		}
		if len(f.Schema.Fields) != 3 || f.Schema.Fields[2].Schema != tbl.ValueSchema.Fields[2].Schema {
			t.Errorf("%s fields %+v", f.Name, f.Schema.Fields)
		}
	}
	// The input is untouched and a second record shares the derived schemas.
	if in.Value.(*schema.Struct).Schema != in.ValueSchema || in.Topic != "dbserver1.inventory.customers" {
		t.Error("input changed")
	}
	again, _, _ := tr.Apply(change(tbl, envelope.OpCreate, nil, anne))
	if again.ValueSchema != out.ValueSchema || again.KeySchema != out.KeySchema {
		t.Error("derived schemas not shared")
	}
	// A tombstone is routed with its key; its value stays null.
	tomb, _, _ := tr.Apply(tombstoneOf(in))
	if tomb.Topic != "all.customers" || tomb.Value != nil || tomb.KeySchema != out.KeySchema {
		t.Errorf("tombstone %+v", tomb)
	}
}

// TestLogicalTableRouterEdges: topics that do not match, offset-only
// records, an empty routed topic (kept as it was, as Debezium warns and
// does), a key field that exists already, a key that is no struct, and
// Avro name conflicts (SchemaNameAdjuster.create's ConnectException).
func TestLogicalTableRouterEdges(t *testing.T) {
	ks := shardKeySchema("k")
	key := &schema.Struct{Schema: ks, Values: []any{int64(1)}}
	tr := newLogicalRouter(t, map[string]string{"topic.regex": "a(.*)", "topic.replacement": "$1", "key.field.name": "id"})
	for _, topic := range []string{"b", "", "a"} {
		in := connect.SourceRecord{Topic: topic, KeySchema: ks, Key: key}
		out, keep, err := tr.Apply(in)
		if err != nil || !keep || !reflect.DeepEqual(out, in) {
			t.Errorf("topic %q: %+v %v %v", topic, out, keep, err)
		}
	}
	if _, _, err := tr.Apply(connect.SourceRecord{Topic: "ax", KeySchema: ks, Key: key}); err == nil ||
		!strings.Contains(err.Error(), "Cannot create field because of field name duplication id") {
		t.Errorf("duplicate key field: %v", err)
	}
	if _, _, err := tr.Apply(connect.SourceRecord{Topic: "ax", KeySchema: schema.StringSchema, Key: "k"}); err == nil ||
		!strings.Contains(err.Error(), "Only Struct objects supported for [Updating schema], found: string") {
		t.Errorf("string key: %v", err)
	}

	avro := newLogicalRouter(t, map[string]string{"topic.regex": "(.*)", "topic.replacement": "$1.x", "schema.name.adjustment.mode": " AVRO "})
	out, _, err := avro.Apply(connect.SourceRecord{Topic: "a-b", KeySchema: ks, Key: key})
	if err != nil || out.KeySchema.Name != "a_b.x.Key" {
		t.Fatalf("a-b: %v %v", out.KeySchema, err)
	}
	if _, _, err := avro.Apply(connect.SourceRecord{Topic: "a-b", KeySchema: ks, Key: key}); err != nil {
		t.Errorf("same name again: %v", err)
	}
	_, _, err = avro.Apply(connect.SourceRecord{Topic: "a+b", KeySchema: ks, Key: key})
	if err == nil || err.Error() != "The Kafka Connect schema name 'a+b.x.Key' is not a valid Avro schema name and its replacement 'a_b.x.Key' conflicts with another different schema 'a-b.x.Key'" {
		t.Errorf("conflict: %v", err)
	}
}

// TestLogicalTableRouterCacheSize: a cache of size 0 caches nothing and
// still routes.
func TestLogicalTableRouterCacheSize(t *testing.T) {
	tbl := customersTable()
	tr := newLogicalRouter(t, map[string]string{"topic.regex": "(.*)", "topic.replacement": "x", "logical.table.cache.size": "0"})
	a, _, _ := tr.Apply(change(tbl, envelope.OpCreate, nil, anne))
	b, _, _ := tr.Apply(change(tbl, envelope.OpCreate, nil, anne))
	if a.Topic != "x" || b.Topic != "x" || a.ValueSchema == b.ValueSchema || a.ValueSchema.Name != "x.Envelope" {
		t.Errorf("a %v, b %v", a.ValueSchema, b.ValueSchema)
	}
}
