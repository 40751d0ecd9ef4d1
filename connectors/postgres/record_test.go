package postgres_test

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

// expectedCustomersSchemas builds, by hand from debezium.md §4.2, the key
// and envelope schemas of dbserver1.public.customers.
func expectedCustomersSchemas() (key, env *schema.Schema) {
	id := func() *schema.Schema {
		return &schema.Schema{Type: schema.TypeInt32, Default: int32(0), HasDefault: true}
	}
	key = schema.StructOf("dbserver1.public.customers.Key", false, schema.NewField("id", id()))
	value := func() *schema.Schema {
		return schema.StructOf("dbserver1.public.customers.Value", true,
			schema.NewField("id", id()),
			schema.NewField("email", &schema.Schema{Type: schema.TypeString}),
			schema.NewField("balance", &schema.Schema{Type: schema.TypeBytes, Optional: true,
				Name: "org.apache.kafka.connect.data.Decimal", Version: 1,
				Params: []schema.Param{{Key: "scale", Value: "2"}, {Key: "connect.decimal.precision", Value: "10"}}}),
			schema.NewField("created_at", &schema.Schema{Type: schema.TypeString, Optional: true,
				Name: "io.debezium.time.ZonedTimestamp", Version: 1}),
		)
	}
	str := func() *schema.Schema { return &schema.Schema{Type: schema.TypeString} }
	optStr := func() *schema.Schema { return &schema.Schema{Type: schema.TypeString, Optional: true} }
	i64 := func() *schema.Schema { return &schema.Schema{Type: schema.TypeInt64} }
	optI64 := func() *schema.Schema { return &schema.Schema{Type: schema.TypeInt64, Optional: true} }
	source := schema.StructOf("io.debezium.connector.postgresql.Source", false,
		schema.NewField("version", str()),
		schema.NewField("connector", str()),
		schema.NewField("name", str()),
		schema.NewField("ts_ms", i64()),
		schema.NewField("snapshot", &schema.Schema{Type: schema.TypeString, Optional: true,
			Name: "io.debezium.data.Enum", Version: 1,
			Params: []schema.Param{{Key: "allowed",
				Value: "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"}},
			Default: "false", HasDefault: true}),
		schema.NewField("db", str()),
		schema.NewField("sequence", optStr()),
		schema.NewField("ts_us", optI64()),
		schema.NewField("ts_ns", optI64()),
		schema.NewField("schema", str()),
		schema.NewField("table", str()),
		schema.NewField("txId", optI64()),
		schema.NewField("lsn", optI64()),
		schema.NewField("xmin", optI64()),
		schema.NewField("origin", optStr()),
		schema.NewField("origin_lsn", optI64()),
	)
	source.Version = 1
	block := schema.StructOf("event.block", true,
		schema.NewField("id", str()),
		schema.NewField("total_order", i64()),
		schema.NewField("data_collection_order", i64()),
	)
	block.Version = 1
	env = schema.StructOf("dbserver1.public.customers.Envelope", false,
		schema.NewField("before", value()),
		schema.NewField("after", value()),
		schema.NewField("source", source),
		schema.NewField("transaction", block),
		schema.NewField("op", str()),
		schema.NewField("ts_ms", optI64()),
		schema.NewField("ts_us", optI64()),
		schema.NewField("ts_ns", optI64()),
	)
	env.Version = 2
	return key, env
}

// TestCustomersInsertRecord checks every part of the record of
// debezium.md §4.2's insert at the Connect level.
func TestCustomersInsertRecord(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()

	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(context.Background())
	var xid int64
	if err := conn.QueryRow(t.Context(), `INSERT INTO public.customers(email, balance, created_at)
		VALUES ('a@x.io', 12.50, '2024-05-01 10:00:00+00') RETURNING txid_current()`).Scan(&xid); err != nil {
		t.Fatalf("inserting: %v", err)
	}
	r := h.poll(1)[0]

	wantKey, wantEnv := expectedCustomersSchemas()
	if r.Topic != "dbserver1.public.customers" {
		t.Errorf("topic %s", r.Topic)
	}
	if !reflect.DeepEqual(r.KeySchema, wantKey) {
		t.Errorf("key schema:\n got %+v\nwant %+v", r.KeySchema, wantKey)
	}
	if !reflect.DeepEqual(r.ValueSchema, wantEnv) {
		for i, f := range r.ValueSchema.Fields {
			if i < len(wantEnv.Fields) && !reflect.DeepEqual(f, wantEnv.Fields[i]) {
				t.Errorf("envelope field %d:\n got %+v\nwant %+v", i, f.Schema, wantEnv.Fields[i].Schema)
			}
		}
		t.Fatalf("envelope schema differs")
	}
	if !reflect.DeepEqual(keyOf(r), []any{int32(1)}) {
		t.Errorf("key %v", keyOf(r))
	}

	env := valueStruct(t, r)
	if env.Schema != r.ValueSchema {
		t.Errorf("value struct schema is not the record's value schema")
	}
	wantAfter := []any{int32(1), "a@x.io", schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2}, "2024-05-01T10:00:00.000000Z"}
	if a := after(t, r); a == nil || !reflect.DeepEqual(a.Values, wantAfter) || a.Schema != r.ValueSchema.Field("after").Schema {
		t.Errorf("after %v, want %v", a, wantAfter)
	}
	if env.Get("before") != nil || env.Get("transaction") != nil || env.Get("op") != "c" {
		t.Errorf("before %v transaction %v op %v", env.Get("before"), env.Get("transaction"), env.Get("op"))
	}
	tsMs, tsUs, tsNs := env.Get("ts_ms").(int64), env.Get("ts_us").(int64), env.Get("ts_ns").(int64)
	if tsUs/1000 != tsMs || tsNs/1000 != tsUs {
		t.Errorf("envelope ts_ms %d ts_us %d ts_ns %d disagree", tsMs, tsUs, tsNs)
	}

	src := env.Get("source").(*schema.Struct)
	lsn := offsetInt(t, r, "lsn")
	wantSource := []any{
		"3.5.0.Final", "postgresql", "dbserver1", src.Get("ts_ms"),
		nil, "postgres", fmt.Sprintf(`["%d","%d"]`, offsetInt(t, r, "lsn_commit"), lsn),
		src.Get("ts_us"), src.Get("ts_ns"), "public", "customers",
		xid, lsn, nil, nil, nil,
	}
	if !reflect.DeepEqual(src.Values, wantSource) {
		t.Errorf("source\n got %v\nwant %v", src.Values, wantSource)
	}
	sMs, sUs, sNs := src.Get("ts_ms").(int64), src.Get("ts_us").(int64), src.Get("ts_ns").(int64)
	if sUs/1000 != sMs || sNs != sUs*1000 || sMs > tsMs {
		t.Errorf("source ts_ms %d ts_us %d ts_ns %d (envelope ts_ms %d)", sMs, sUs, sNs, tsMs)
	}
	if offsetInt(t, r, "ts_usec") != sUs || offsetInt(t, r, "txId") != xid || r.SourceOffset["messageType"] != "INSERT" ||
		offsetInt(t, r, "lsn_events_processed") != 1 || offsetInt(t, r, "lsn_proc") != lsn {
		t.Errorf("offset %v", r.SourceOffset)
	}
	if !reflect.DeepEqual(r.SourcePartition, map[string]any{"server": "dbserver1"}) {
		t.Errorf("partition %v", r.SourcePartition)
	}

	wantHeaders := []string{"__debezium.context.connectorLogicalName", "dbserver1", "__debezium.context.taskId", "0",
		"__debezium.context.connectorName", "postgresql", "__debezium.context.runId", ""}
	if len(r.Headers) != 4 {
		t.Fatalf("headers %v", r.Headers)
	}
	for i, hd := range r.Headers {
		if hd.Key != wantHeaders[2*i] || hd.Schema.Type != schema.TypeString || hd.Schema.Optional ||
			(wantHeaders[2*i+1] != "" && hd.Value != wantHeaders[2*i+1]) {
			t.Errorf("header %d: %+v", i, hd)
		}
	}
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if s, _ := r.Headers[3].Value.(string); !uuidRE.MatchString(s) {
		t.Errorf("runId %v is not a UUID", r.Headers[3].Value)
	}
}
