package transforms

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema"
)

// The fixtures are change events as the PostgreSQL connector emits them
// for the outbox table of Debezium's outbox documentation:
//
//	CREATE TABLE public.outbox (
//	  id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL,
//	  aggregateid varchar(255) NOT NULL, type varchar(255) NOT NULL,
//	  payload jsonb, created_at timestamp, created_ms timestamp(3),
//	  created_tz timestamptz, shard int4, version int4, is_deleted bool)
//
// The expectations follow Debezium's EventRouterTest.java.

const (
	outboxEventID = "da8d6de6-3b77-45ff-8f44-57db55a7a06c"
	outboxNowMs   = int64(1_559_033_904_900) // the envelope's ts_ms
)

// outboxColumn maps a column of the given type as the connector does.
func outboxColumn(t testing.TB, name string, oid uint32, typmod int32, optional bool) envelope.Column {
	t.Helper()
	m, err := typemap.For(typemap.Column{TypeOID: oid, TypeMod: typmod, Optional: optional})
	if err != nil {
		t.Fatalf("mapping %s: %v", name, err)
	}
	return envelope.Column{Name: name, Mapping: m}
}

func outboxTable(t testing.TB) *envelope.Table {
	return envelope.NewTable("dbserver1", "public", "outbox", []envelope.Column{
		outboxColumn(t, "id", typemap.OIDUUID, -1, false),
		outboxColumn(t, "aggregatetype", typemap.OIDVarchar, 259, false),
		outboxColumn(t, "aggregateid", typemap.OIDVarchar, 259, false),
		outboxColumn(t, "type", typemap.OIDVarchar, 259, false),
		outboxColumn(t, "payload", typemap.OIDJSONB, -1, true),
		outboxColumn(t, "created_at", typemap.OIDTimestamp, -1, true),
		outboxColumn(t, "created_ms", typemap.OIDTimestamp, 3, true),
		outboxColumn(t, "created_tz", typemap.OIDTimestamptz, -1, true),
		outboxColumn(t, "shard", typemap.OIDInt4, -1, true),
		outboxColumn(t, "version", typemap.OIDInt4, -1, true),
		outboxColumn(t, "is_deleted", typemap.OIDBool, -1, true),
	}, []int{0})
}

// outboxRow is one outbox row; nil fields are nulls.
type outboxRow struct {
	id, aggregateType, aggregateID, eventType string
	payload                                   any
	createdAt, createdMs                      any
	createdTz                                 any
	shard, version                            any
	isDeleted                                 any
}

func (r outboxRow) values() []any {
	return []any{r.id, r.aggregateType, r.aggregateID, r.eventType, r.payload,
		r.createdAt, r.createdMs, r.createdTz, r.shard, r.version, r.isDeleted}
}

// userCreated is EventRouterTest's default event.
var userCreated = outboxRow{id: outboxEventID, aggregateType: "User", aggregateID: "10711fa5", eventType: "UserCreated", payload: "{}"}

// outboxChange builds a change event of the outbox table.
func outboxChange(tbl *envelope.Table, op string, before, after *outboxRow) connect.SourceRecord {
	var b, a *schema.Struct
	row := after
	if before != nil {
		b = tbl.Value(before.values())
		row = before
	}
	if after != nil {
		a = tbl.Value(after.values())
		row = after
	}
	src := (&envelope.Source{
		Name: "dbserver1", DB: "postgres", Schema: "public", Table: "outbox",
		TsUs: 1_559_033_904_863_000, LSN: 24_023_128, TxID: 555, HasTxID: true,
	}).Struct()
	r := connect.SourceRecord{
		SourcePartition: map[string]any{"server": "dbserver1"},
		SourceOffset:    map[string]any{"lsn": int64(24_023_128)},
		Topic:           tbl.Topic,
		ValueSchema:     tbl.EnvelopeSchema,
		Value:           tbl.Envelope(op, b, a, src, time.UnixMilli(outboxNowMs)),
	}
	if row != nil {
		r.KeySchema, r.Key = tbl.KeySchema, tbl.KeyStruct(row.values())
	}
	return r
}

func newOutbox(t testing.TB, config map[string]string) connect.Transformation {
	t.Helper()
	config["type"] = EventRouterClass
	tr, errs := NewEventRouter(config)
	if len(errs) > 0 {
		t.Fatalf("NewEventRouter(%v): %v", config, errs)
	}
	// Dropped updates are logged; the tests expect them.
	tr.(*eventRouter).log = slog.New(slog.DiscardHandler)
	return tr
}

// outboxColumnSchema is the schema of a column of the outbox table.
func outboxColumnSchema(tbl *envelope.Table, name string) *schema.Schema {
	return tbl.ValueSchema.Field(name).Schema
}

func checkHeaders(t *testing.T, got []connect.Header, want ...connect.Header) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headers:\n got %+v\nwant %+v", got, want)
	}
}

func TestEventRouterRoutesCreates(t *testing.T) {
	tbl := outboxTable(t)
	tr := newOutbox(t, map[string]string{})
	for _, op := range []string{envelope.OpCreate, envelope.OpRead} {
		in := outboxChange(tbl, op, nil, &userCreated)
		out := mustKeep(t, tr, in)
		if out.Topic != "outbox.event.User" {
			t.Errorf("%s: topic %q, want outbox.event.User", op, out.Topic)
		}
		// The key is the aggregateid column with its own schema
		// (canSetDefaultMessageKey, canPassStringKey).
		if out.KeySchema != outboxColumnSchema(tbl, "aggregateid") || out.Key != "10711fa5" {
			t.Errorf("%s: key %+v %#v, want the aggregateid column's schema and 10711fa5", op, out.KeySchema, out.Key)
		}
		// The value is the payload column, schema included
		// (canExtractTableFields: "{}", no version).
		if out.ValueSchema != outboxColumnSchema(tbl, "payload") || out.Value != "{}" {
			t.Errorf("%s: value %+v %#v, want the payload column's schema and {}", op, out.ValueSchema, out.Value)
		}
		checkHeaders(t, out.Headers, connect.Header{Key: "id", Schema: outboxColumnSchema(tbl, "id"), Value: outboxEventID})
		// canSetTimestampFromDebeziumEnvelopeByDefault: the envelope's ts_ms.
		if !out.Timestamp.Equal(time.UnixMilli(outboxNowMs)) {
			t.Errorf("%s: timestamp %v, want %v", op, out.Timestamp, time.UnixMilli(outboxNowMs))
		}
		if out.Partition != nil {
			t.Errorf("%s: partition %d, want none", op, *out.Partition)
		}
		if !reflect.DeepEqual(out.SourceOffset, in.SourceOffset) || !reflect.DeepEqual(out.SourcePartition, in.SourcePartition) {
			t.Errorf("%s: source partition or offset changed", op)
		}
	}

	// canRouteBasedOnField: each aggregate type has its topic.
	address := userCreated
	address.aggregateType, address.eventType = "Address", "AddressCreated"
	if out := mustKeep(t, tr, outboxChange(tbl, "c", nil, &address)); out.Topic != "outbox.event.Address" {
		t.Errorf("topic %q, want outbox.event.Address", out.Topic)
	}
}

func TestEventRouterKeepsExistingHeaders(t *testing.T) {
	tbl := outboxTable(t)
	tr := newOutbox(t, map[string]string{})
	in := outboxChange(tbl, "c", nil, &userCreated)
	prior := connect.Header{Key: "traceparent", Schema: schema.StringSchema, Value: "00-abc-01"}
	in.Headers = make([]connect.Header, 1, 4) // room to append into
	in.Headers[0] = prior
	out := mustKeep(t, tr, in)
	checkHeaders(t, out.Headers, prior, connect.Header{Key: "id", Schema: outboxColumnSchema(tbl, "id"), Value: outboxEventID})
	checkHeaders(t, in.Headers, prior) // the input's slice is not written
	if len(in.Headers[:2][1].Key) != 0 {
		t.Errorf("the input's header array was written: %+v", in.Headers[:2])
	}
}

func TestEventRouterDropsTombstonesDeletesAndUpdates(t *testing.T) {
	tbl := outboxTable(t)
	updated := userCreated
	updated.payload = `{"name":"changed"}`
	for _, behavior := range []string{"", "warn", "error", " WARN "} {
		config := map[string]string{}
		if behavior != "" {
			config[propOutboxInvalidOp] = behavior
		}
		tr := newOutbox(t, config)
		tombstone := outboxChange(tbl, "d", &userCreated, nil)
		tombstone.ValueSchema, tombstone.Value = nil, nil
		for name, r := range map[string]connect.SourceRecord{
			"tombstone": tombstone,                                      // canSkipTombstone
			"delete":    outboxChange(tbl, "d", &userCreated, nil),      // canSkipDeletion
			"update":    outboxChange(tbl, "u", &userCreated, &updated), // canSkipUpdates
		} {
			_, keep, err := tr.Apply(r)
			if err != nil || keep {
				t.Errorf("behavior %q, %s: keep=%v err=%v, want dropped", behavior, name, keep, err)
			}
		}
	}

	// canFailOnUpdates.
	tr := newOutbox(t, map[string]string{propOutboxInvalidOp: "fatal"})
	if _, _, err := tr.Apply(outboxChange(tbl, "u", &userCreated, &updated)); err == nil {
		t.Errorf("update with %s=fatal: no error", propOutboxInvalidOp)
	}
	// Deletes are dropped whatever the behavior.
	if _, keep, err := tr.Apply(outboxChange(tbl, "d", &userCreated, nil)); err != nil || keep {
		t.Errorf("delete with %s=fatal: keep=%v err=%v, want dropped", propOutboxInvalidOp, keep, err)
	}
}

func TestEventRouterFailsOnTruncate(t *testing.T) {
	// A truncate has no after state to read the event from; Debezium's
	// requireStruct fails on it.
	tr := newOutbox(t, map[string]string{})
	if _, _, err := tr.Apply(outboxChange(outboxTable(t), "t", nil, nil)); err == nil {
		t.Errorf("truncate: no error")
	}
}

func TestEventRouterPassesOtherRecords(t *testing.T) {
	tr := newOutbox(t, map[string]string{})
	ts := schema.StructOf("", false, schema.NewField("ts_ms", schema.Int64Schema))
	heartbeat := schema.StructOf("io.debezium.connector.common.Heartbeat", false, schema.NewField("ts_ms", schema.Int64Schema))
	msg := envelope.NewMessage(false)
	src := (&envelope.Source{Name: "dbserver1", DB: "postgres", TsUs: 1}).Struct()
	records := map[string]connect.SourceRecord{
		// canSkipMessagesWithoutDebeziumCdcEnvelopeDueToMissingSchemaName
		"unnamed schema": {Topic: "db.outbox", Key: "k", KeySchema: schema.StringSchema, ValueSchema: ts, Value: &schema.Struct{Schema: ts, Values: []any{int64(1)}}},
		// ...DueToMissingSchemaNameSuffix
		"heartbeat": {Topic: "db.outbox", ValueSchema: heartbeat, Value: &schema.Struct{Schema: heartbeat, Values: []any{int64(1)}}},
		// ...DueToMissingValueSchema
		"no value schema": {Topic: "db.outbox", Value: &schema.Struct{Schema: heartbeat, Values: []any{int64(1)}}},
		"logical decoding message": {Topic: "dbserver1.message", KeySchema: envelope.MessageKeySchema, Key: msg.Key("p"),
			ValueSchema: msg.ValueSchema, Value: msg.Value("p", []byte("x"), src, nil, 1)},
		"offset only": {SourceOffset: map[string]any{"lsn": int64(1)}},
	}
	for name, r := range records {
		out, keep, err := tr.Apply(r)
		if err != nil || !keep || !reflect.DeepEqual(out, r) {
			t.Errorf("%s: keep=%v err=%v, changed=%v; want it passed unchanged", name, keep, err, !reflect.DeepEqual(out, r))
		}
	}
}

func TestEventRouterFailsOnEnvelopeWithoutOp(t *testing.T) {
	// shouldFailWhenTheSchemaLooksValidButDoesNotHaveTheCorrectFields.
	tr := newOutbox(t, map[string]string{})
	s := schema.StructOf("io.debezium.connector.common.Heartbeat.Envelope", false, schema.NewField("ts_ms", schema.Int64Schema))
	_, _, err := tr.Apply(connect.SourceRecord{Topic: "db.outbox", ValueSchema: s, Value: &schema.Struct{Schema: s, Values: []any{int64(1)}}})
	if err == nil || !strings.Contains(err.Error(), "op is not a valid field name") {
		t.Errorf("err = %v, want one containing %q", err, "op is not a valid field name")
	}
}

// customOutbox is the table of canConfigureEveryTableField and
// canInfluenceTableColumnTypes: other column names and types.
func customOutbox(t testing.TB) *envelope.Table {
	return envelope.NewTable("dbserver1", "public", "events", []envelope.Column{
		outboxColumn(t, "event_id", typemap.OIDInt4, -1, false),
		outboxColumn(t, "payload_id", typemap.OIDInt4, -1, false),
		outboxColumn(t, "my_route_field", typemap.OIDText, -1, false),
		outboxColumn(t, "event_type", typemap.OIDBytea, -1, false),
		outboxColumn(t, "payload_body", typemap.OIDBytea, -1, false),
		outboxColumn(t, "some_boolean", typemap.OIDBool, -1, false),
		outboxColumn(t, "p", typemap.OIDInt4, -1, false),
	}, []int{0})
}

func customChange(tbl *envelope.Table) connect.SourceRecord {
	row := []any{int32(2), int32(1232), "routename", []byte("CoolSchemaCreated"), []byte("{}"), true, int32(123)}
	src := (&envelope.Source{Name: "dbserver1", DB: "postgres", Schema: "public", Table: "events", TsUs: 1}).Struct()
	return connect.SourceRecord{
		Topic: tbl.Topic, KeySchema: tbl.KeySchema, Key: tbl.KeyStruct(row),
		ValueSchema: tbl.EnvelopeSchema, Value: tbl.Envelope("c", nil, tbl.Value(row), src, time.UnixMilli(outboxNowMs)),
	}
}

func TestEventRouterConfiguresColumnsAndTypes(t *testing.T) {
	tbl := customOutbox(t)
	config := map[string]string{
		propOutboxEventID:   "event_id",
		propOutboxEventKey:  "payload_id",
		propOutboxEventType: "event_type",
		propOutboxPayload:   "payload_body",
		propRouteByField:    "my_route_field",
	}
	// canConfigureEveryTableField (payload only, one id header).
	out := mustKeep(t, newOutbox(t, config), customChange(tbl))
	if out.Topic != "outbox.event.routename" {
		t.Errorf("topic %q, want outbox.event.routename", out.Topic)
	}
	if out.ValueSchema != outboxColumnSchema(tbl, "payload_body") || !reflect.DeepEqual(out.Value, []byte("{}")) {
		t.Errorf("value %+v %#v, want payload_body's schema and bytes {}", out.ValueSchema, out.Value)
	}
	checkHeaders(t, out.Headers, connect.Header{Key: "id", Schema: outboxColumnSchema(tbl, "event_id"), Value: int32(2)})

	// canInfluenceTableColumnTypes: an int key, a bytes payload and a
	// boolean column in the value struct under an alias.
	config[propOutboxAdditional] = "some_boolean:envelope:bool"
	out = mustKeep(t, newOutbox(t, config), customChange(tbl))
	if out.KeySchema != outboxColumnSchema(tbl, "payload_id") || out.Key != int32(1232) {
		t.Errorf("key %+v %#v, want payload_id's schema and 1232", out.KeySchema, out.Key)
	}
	v, ok := out.Value.(*schema.Struct)
	if !ok {
		t.Fatalf("value is %T, want a struct", out.Value)
	}
	want := schema.StructOf("dbserver1.public.events.routename.Value", false,
		schema.NewField("payload", outboxColumnSchema(tbl, "payload_body")),
		schema.NewField("bool", outboxColumnSchema(tbl, "some_boolean")))
	if out.ValueSchema != v.Schema || !reflect.DeepEqual(v.Schema, want) {
		t.Errorf("value schema %+v, want %+v", v.Schema, want)
	}
	if !reflect.DeepEqual(v.Values, []any{[]byte("{}"), true}) {
		t.Errorf("value %#v, want [{} true]", v.Values)
	}
	checkHeaders(t, out.Headers, connect.Header{Key: "id", Schema: outboxColumnSchema(tbl, "event_id"), Value: int32(2)})

	// canSetPartitionWithAdditionalFields.
	config[propOutboxAdditional] = "p:partition"
	out = mustKeep(t, newOutbox(t, config), customChange(tbl))
	if out.Partition == nil || *out.Partition != 123 {
		t.Errorf("partition %v, want 123", out.Partition)
	}
	if out.ValueSchema != outboxColumnSchema(tbl, "payload_body") {
		t.Errorf("a partition placement changed the value to %+v", out.ValueSchema)
	}
}

func TestEventRouterAdditionalPlacements(t *testing.T) {
	tbl := outboxTable(t)
	// canSetMultipleFieldsIntoTheEnvelope, with spaces around entries.
	tr := newOutbox(t, map[string]string{
		propOutboxAdditional: "type:envelope:payloadType, aggregateid:envelope:payloadId,type:header:payloadType , shard : HEADER",
	})
	row := userCreated
	row.shard = int32(7)
	out := mustKeep(t, tr, outboxChange(tbl, "c", nil, &row))
	v, ok := out.Value.(*schema.Struct)
	if !ok {
		t.Fatalf("value is %T, want a struct", out.Value)
	}
	str := outboxColumnSchema(tbl, "type")
	want := schema.StructOf("dbserver1.public.outbox.User.Value", false,
		schema.NewField("payload", outboxColumnSchema(tbl, "payload")),
		schema.NewField("payloadType", str),
		schema.NewField("payloadId", outboxColumnSchema(tbl, "aggregateid")))
	if out.ValueSchema != v.Schema || !reflect.DeepEqual(v.Schema, want) {
		t.Errorf("value schema %+v, want %+v", v.Schema, want)
	}
	if !reflect.DeepEqual(v.Values, []any{"{}", "UserCreated", "10711fa5"}) {
		t.Errorf("value %#v", v.Values)
	}
	checkHeaders(t, out.Headers,
		connect.Header{Key: "id", Schema: outboxColumnSchema(tbl, "id"), Value: outboxEventID},
		connect.Header{Key: "payloadType", Schema: str, Value: "UserCreated"},
		connect.Header{Key: "shard", Schema: outboxColumnSchema(tbl, "shard"), Value: int32(7)})

	// Events of one shape share one schema; another route gets its own
	// name (canSetPayloadTypeIntoTheEnvelope, per aggregate type).
	again := mustKeep(t, tr, outboxChange(tbl, "c", nil, &row))
	if again.ValueSchema != out.ValueSchema {
		t.Errorf("a second event of the same shape got a new schema")
	}
	order := row
	order.aggregateType = "Order"
	if s := mustKeep(t, tr, outboxChange(tbl, "c", nil, &order)).ValueSchema; s.Name != "dbserver1.public.outbox.Order.Value" {
		t.Errorf("schema name %q, want dbserver1.public.outbox.Order.Value", s.Name)
	}

	// A null partition column leaves the partition to the producer.
	tr = newOutbox(t, map[string]string{propOutboxAdditional: "shard:partition"})
	if out := mustKeep(t, tr, outboxChange(tbl, "c", nil, &userCreated)); out.Partition != nil {
		t.Errorf("partition %d, want none for a null column", *out.Partition)
	}
}

func TestEventRouterMissingAdditionalColumn(t *testing.T) {
	tbl := outboxTable(t)
	for _, placement := range []string{"header", "partition", "envelope"} {
		tr := newOutbox(t, map[string]string{propOutboxAdditional: "nope:" + placement})
		if _, _, err := tr.Apply(outboxChange(tbl, "c", nil, &userCreated)); err == nil {
			t.Errorf("%s: missing column: no error", placement)
		}
	}
	// table.fields.additional.error.on.missing=false skips a missing
	// header or partition column; Debezium still fails on an envelope one,
	// as it shapes the value schema.
	for _, placement := range []string{"header", "partition"} {
		tr := newOutbox(t, map[string]string{propOutboxAdditional: "nope:" + placement, propOutboxErrorOnMissing: "false"})
		out := mustKeep(t, tr, outboxChange(tbl, "c", nil, &userCreated))
		if len(out.Headers) != 1 || out.Partition != nil {
			t.Errorf("%s: headers %+v partition %v, want the id header alone", placement, out.Headers, out.Partition)
		}
	}
	tr := newOutbox(t, map[string]string{propOutboxAdditional: "nope:envelope", propOutboxErrorOnMissing: "false"})
	if _, _, err := tr.Apply(outboxChange(tbl, "c", nil, &userCreated)); err == nil {
		t.Errorf("envelope: missing column with error.on.missing=false: no error")
	}
	// A partition column must be an int32 (Struct.getInt32).
	tr = newOutbox(t, map[string]string{propOutboxAdditional: "aggregateid:partition"})
	if _, _, err := tr.Apply(outboxChange(tbl, "c", nil, &userCreated)); err == nil {
		t.Errorf("string partition column: no error")
	}
}

func TestEventRouterTimestampColumn(t *testing.T) {
	tbl := outboxTable(t)
	// 2019-05-28T09:38:24.863412Z.
	const micros = int64(1_559_036_304_863_412)
	cases := []struct {
		column string
		value  any
		wantMs int64
	}{
		{"created_at", micros, micros / 1000},                 // timestamp: MicroTimestamp
		{"created_ms", int64(14222264625338), 14222264625338}, // timestamp(3): Timestamp (canSetTimestampByUserDefinedConfiguration)
		{"created_at", nil, outboxNowMs},                      // null: the envelope's ts_ms
	}
	for _, c := range cases {
		tr := newOutbox(t, map[string]string{propOutboxTimestamp: c.column})
		row := userCreated
		if c.column == "created_at" {
			row.createdAt = c.value
		} else {
			row.createdMs = c.value
		}
		out := mustKeep(t, tr, outboxChange(tbl, "c", nil, &row))
		if !out.Timestamp.Equal(time.UnixMilli(c.wantMs)) {
			t.Errorf("%s=%v: timestamp %d, want %d", c.column, c.value, out.Timestamp.UnixMilli(), c.wantMs)
		}
	}

	// A timestamptz column is a ZonedTimestamp string, a missing column is
	// missing, and a column without a timestamp name is unsupported.
	failing := map[string]outboxRow{
		"created_tz": func() outboxRow { r := userCreated; r.createdTz = "2019-05-28T09:38:24.863412Z"; return r }(),
		"nope":       userCreated,
		"shard":      func() outboxRow { r := userCreated; r.shard = int32(1); return r }(),
	}
	for column, row := range failing {
		tr := newOutbox(t, map[string]string{propOutboxTimestamp: column})
		if _, _, err := tr.Apply(outboxChange(tbl, "c", nil, &row)); err == nil {
			t.Errorf("%s=%s: no error", propOutboxTimestamp, column)
		}
	}
}

func TestEventRouterSchemaVersion(t *testing.T) {
	tbl := outboxTable(t)
	withVersion := func(v int32, id string) *outboxRow {
		r := userCreated
		r.id, r.version = id, v
		return &r
	}
	// canSetSchemaVersionWhenMoreThanPayloadIsInEnvelope.
	tr := newOutbox(t, map[string]string{propOutboxSchemaVersion: "version", propOutboxAdditional: "type:envelope:eventType"})
	v1 := mustKeep(t, tr, outboxChange(tbl, "c", nil, withVersion(1, "166080d9-3b0e-4a04-81fe-2058a7386f1f")))
	v3 := mustKeep(t, tr, outboxChange(tbl, "c", nil, withVersion(3, "166080d9-3b0e-4a04-81fe-2058a7386f1f")))
	v1again := mustKeep(t, tr, outboxChange(tbl, "c", nil, withVersion(1, "18f94a39-b931-41b7-837c-6fc23b013597")))
	if v1.ValueSchema.Version != 1 || v3.ValueSchema.Version != 3 || v1again.ValueSchema.Version != 1 {
		t.Errorf("versions %d, %d, %d; want 1, 3, 1", v1.ValueSchema.Version, v3.ValueSchema.Version, v1again.ValueSchema.Version)
	}
	if v1.ValueSchema != v1again.ValueSchema {
		t.Errorf("the second version-1 event did not reuse the version-1 schema")
	}

	// shouldNotSetSchemaVersionByDefault: without an envelope column the
	// value is the payload, whose schema has no version.
	tr = newOutbox(t, map[string]string{propOutboxSchemaVersion: "version"})
	for _, v := range []int32{1, 3} {
		out := mustKeep(t, tr, outboxChange(tbl, "c", nil, withVersion(v, outboxEventID)))
		// The payload column's own version (io.debezium.data.Json's 1)
		// stays; the version column is not applied.
		if out.ValueSchema != outboxColumnSchema(tbl, "payload") {
			t.Errorf("version %d: value schema %+v, want the payload column's", v, out.ValueSchema)
		}
	}
}

func TestEventRouterTombstoneOnEmptyPayload(t *testing.T) {
	tbl := outboxTable(t)
	withPayload := func(p any) *outboxRow {
		r := userCreated
		r.payload, r.isDeleted = p, true
		return &r
	}
	placement := map[string]string{propOutboxAdditional: "is_deleted:envelope:deleted"}

	// canMarkAnEventAsDeleted.
	tr := newOutbox(t, map[string]string{propOutboxAdditional: "is_deleted:envelope:deleted", propOutboxTombstoneOnEmpty: "true"})
	out := mustKeep(t, tr, outboxChange(tbl, "c", nil, withPayload("{}")))
	if v, ok := out.Value.(*schema.Struct); !ok || v.Get("deleted") != true {
		t.Errorf("value %#v, want a struct with deleted=true", out.Value)
	}
	for _, p := range []any{"", "  \n", nil} {
		out := mustKeep(t, tr, outboxChange(tbl, "c", nil, withPayload(p)))
		if out.Value != nil || out.ValueSchema != nil {
			t.Errorf("payload %q: value %+v %#v, want a tombstone", p, out.ValueSchema, out.Value)
		}
		if out.Key != "10711fa5" || out.Topic != "outbox.event.User" {
			t.Errorf("payload %q: tombstone key %#v topic %q, want 10711fa5 on outbox.event.User", p, out.Key, out.Topic)
		}
	}
	// Payload-only events become tombstones too.
	tr = newOutbox(t, map[string]string{propOutboxTombstoneOnEmpty: "true"})
	if out := mustKeep(t, tr, outboxChange(tbl, "c", nil, withPayload(""))); out.Value != nil || out.ValueSchema != nil {
		t.Errorf("payload-only empty payload: value %+v %#v, want a tombstone", out.ValueSchema, out.Value)
	}

	// noTombstoneIfNotConfigured.
	tr = newOutbox(t, placement)
	out = mustKeep(t, tr, outboxChange(tbl, "c", nil, withPayload("")))
	if v, ok := out.Value.(*schema.Struct); !ok || v.Get("deleted") != true || v.Get("payload") != "" {
		t.Errorf("value %#v, want a struct with payload \"\" and deleted=true", out.Value)
	}
	// A null payload without the option keeps the payload column's schema.
	tr = newOutbox(t, map[string]string{})
	out = mustKeep(t, tr, outboxChange(tbl, "c", nil, withPayload(nil)))
	if out.Value != nil || out.ValueSchema != outboxColumnSchema(tbl, "payload") {
		t.Errorf("null payload: value %+v %#v, want null with the payload column's schema", out.ValueSchema, out.Value)
	}
}

func TestEventRouterEmptyBytesPayloadIsNoTombstone(t *testing.T) {
	// Debezium tests payload.toString(), which for bytes is never blank.
	tbl := customOutbox(t)
	tr := newOutbox(t, map[string]string{
		propOutboxEventID: "event_id", propOutboxEventKey: "payload_id", propOutboxPayload: "payload_body",
		propRouteByField: "my_route_field", propOutboxTombstoneOnEmpty: "true",
	})
	r := customChange(tbl)
	after := r.Value.(*schema.Struct).Get("after").(*schema.Struct)
	after.Set("payload_body", []byte{})
	out := mustKeep(t, tr, r)
	if !reflect.DeepEqual(out.Value, []byte{}) {
		t.Errorf("value %#v, want the empty bytes", out.Value)
	}
}

func TestEventRouterTopicRouting(t *testing.T) {
	tbl := outboxTable(t)
	cases := []struct {
		regex, replacement, route, want string
	}{
		{"", "events.${routedByValue}", "User", "events.User"},
		{"(?<routedByValue>.*)", "outbox.event.${routedByValue}", "", "outbox.event."},
		{"Us(.*)", "x$1", "User", "xer"},
		{"Us(.*)", "x$1", "Address", "Address"},                     // no match: the route value itself
		{" (?<type>[A-Z])(.*) ", " ${type}.$2 ", "Order", "O.rder"}, // trimmed as Kafka trims
	}
	for _, c := range cases {
		config := map[string]string{propOutboxTopicReplacement: c.replacement}
		if c.regex != "" {
			config[propOutboxTopicRegex] = c.regex
		}
		row := userCreated
		row.aggregateType = c.route
		out := mustKeep(t, newOutbox(t, config), outboxChange(tbl, "c", nil, &row))
		if out.Topic != c.want {
			t.Errorf("%q → %q on %q: topic %q, want %q", c.regex, c.replacement, c.route, out.Topic, c.want)
		}
	}

	// A route that ends in no topic would be an offset-only record here.
	row := userCreated
	row.aggregateType = ""
	tr := newOutbox(t, map[string]string{propOutboxTopicReplacement: "${routedByValue}"})
	if _, _, err := tr.Apply(outboxChange(tbl, "c", nil, &row)); err == nil {
		t.Errorf("empty topic: no error")
	}
}

func TestEventRouterFieldErrors(t *testing.T) {
	tbl := outboxTable(t)
	for name, config := range map[string]map[string]string{
		"missing key column (failsOnInvalidSetMessageKey)": {propOutboxEventKey: "fakefield"},
		"missing id column":         {propOutboxEventID: "event_id"},
		"missing payload column":    {propOutboxPayload: "body"},
		"missing route column":      {propRouteByField: "nope"},
		"route column not a string": {propRouteByField: "shard"},
	} {
		tr := newOutbox(t, config)
		if _, _, err := tr.Apply(outboxChange(tbl, "c", nil, &userCreated)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// canSetMessageKey: any column can be the key.
	out := mustKeep(t, newOutbox(t, map[string]string{propOutboxEventKey: "type"}), outboxChange(tbl, "c", nil, &userCreated))
	if out.Key != "UserCreated" || out.KeySchema != outboxColumnSchema(tbl, "type") {
		t.Errorf("key %+v %#v, want the type column", out.KeySchema, out.Key)
	}
}

func TestEventRouterConfigErrors(t *testing.T) {
	for name, c := range map[string]struct {
		config map[string]string
		prop   string
	}{
		"topic regex (shouldFailOnInvalidConfigurationForTopicRegex)": {map[string]string{propOutboxTopicRegex: " [[a-z]"}, propOutboxTopicRegex},
		"replacement naming an unknown group":                         {map[string]string{propOutboxTopicReplacement: "x.${nope}"}, propOutboxTopicReplacement},
		"placement without a placement (ForAdditionalFields)":         {map[string]string{propOutboxAdditional: "type"}, propOutboxAdditional},
		"empty placement (ForAdditionalFieldsEmpty)":                  {map[string]string{propOutboxAdditional: ""}, propOutboxAdditional},
		"empty placement entry":                                       {map[string]string{propOutboxAdditional: "type:header,,id:header"}, propOutboxAdditional},
		"four-part placement":                                         {map[string]string{propOutboxAdditional: "type:header:a:b"}, propOutboxAdditional},
		"unknown placement":                                           {map[string]string{propOutboxAdditional: "type:body"}, propOutboxAdditional},
		"op behavior (ForOperationBehavior)":                          {map[string]string{propOutboxInvalidOp: "invalidOption"}, propOutboxInvalidOp},
		"JSON expansion":                                              {map[string]string{propOutboxExpandJSON: "true"}, propOutboxExpandJSON},
		"JSON null behavior":                                          {map[string]string{propOutboxJSONNullBehavior: "drop"}, propOutboxJSONNullBehavior},
		"boolean":                                                     {map[string]string{propOutboxTombstoneOnEmpty: "yes"}, propOutboxTombstoneOnEmpty},
		"tracing":                                                     {map[string]string{"tracing.span.context.field": "tracingspancontext"}, "tracing.span.context.field"},
	} {
		c.config["type"] = EventRouterClass
		tr, errs := NewEventRouter(c.config)
		if tr != nil || len(errs) != 1 || errs[0].Name != c.prop || !strings.Contains(errs[0].Message, c.prop) {
			t.Errorf("%s: got %v, %v; want one error naming %s", name, tr, errs, c.prop)
		}
	}

	// Accepted: Debezium's values in any case and with spaces, a trailing
	// comma in the placement list, and the options that only matter with
	// JSON expansion.
	newOutbox(t, map[string]string{
		propOutboxExpandJSON:       "false",
		propOutboxJSONNullBehavior: " OPTIONAL_BYTES",
		propOutboxInvalidOp:        "Fatal",
		propOutboxAdditional:       "type:Envelope:eventType,",
		propOutboxErrorOnMissing:   "FALSE",
		propOutboxEventType:        "event_type",
	})
}

func TestEventRouterPlugin(t *testing.T) {
	plugins := outboxPlugins()
	if len(plugins) != 1 || plugins[0].Class != "io.debezium.transforms.outbox.EventRouter" {
		t.Fatalf("plugins %+v", plugins)
	}
	if tr, errs := plugins[0].New(map[string]string{"type": EventRouterClass}); tr == nil || len(errs) > 0 {
		t.Errorf("New with defaults: %v, %v", tr, errs)
	}
}
