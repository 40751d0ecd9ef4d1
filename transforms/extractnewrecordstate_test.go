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

// The fixtures are change events as the PostgreSQL connector emits them:
// table dbserver1.inventory.customers(id int PRIMARY KEY, name text,
// status text DEFAULT 'active').

const (
	srcTsUs  = int64(1_559_033_904_863_000)
	srcLSN   = uint64(24_023_128)
	srcTxID  = int64(555)
	eventNow = int64(1_559_033_904_900)
)

func customersTable() *envelope.Table {
	status := &schema.Schema{Type: schema.TypeString, Optional: true, Default: "active", HasDefault: true}
	return envelope.NewTable("dbserver1", "inventory", "customers", []envelope.Column{
		{Name: "id", Mapping: typemap.Mapping{Schema: schema.Int32Schema}},
		{Name: "name", Mapping: typemap.Mapping{Schema: schema.OptionalStringSchema}},
		{Name: "status", Mapping: typemap.Mapping{Schema: status}},
	}, []int{0})
}

func sourceStruct() *schema.Struct {
	return (&envelope.Source{
		Name: "dbserver1", DB: "postgres", Schema: "inventory", Table: "customers",
		TsUs: srcTsUs, LastCommitLSN: srcLSN - 8, LSN: srcLSN, TxID: srcTxID, HasTxID: true,
	}).Struct()
}

// change builds a change event; before and after are rows or nil.
func change(tbl *envelope.Table, op string, before, after []any) connect.SourceRecord {
	var b, a *schema.Struct
	if before != nil {
		b = tbl.Value(before)
	}
	if after != nil {
		a = tbl.Value(after)
	}
	row := after
	if row == nil {
		row = before
	}
	r := connect.SourceRecord{
		SourcePartition: map[string]any{"server": "dbserver1"},
		SourceOffset:    map[string]any{"lsn": int64(srcLSN)},
		Topic:           tbl.Topic,
		ValueSchema:     tbl.EnvelopeSchema,
		Value:           tbl.Envelope(op, b, a, sourceStruct(), time.UnixMilli(eventNow)),
	}
	if row != nil {
		r.KeySchema, r.Key = tbl.KeySchema, tbl.KeyStruct(row)
	}
	return r
}

func tombstoneOf(r connect.SourceRecord) connect.SourceRecord {
	r.ValueSchema, r.Value = nil, nil
	return r
}

var (
	anne    = []any{int32(1), "Anne", "active"}
	anneNew = []any{int32(1), "Anne Marie", "gone"}
)

func newUnwrap(t testing.TB, config map[string]string) connect.Transformation {
	t.Helper()
	config["type"] = ExtractNewRecordStateClass
	tr, errs := NewExtractNewRecordState(config)
	if len(errs) > 0 {
		t.Fatalf("NewExtractNewRecordState(%v): %v", config, errs)
	}
	return tr
}

func apply(t testing.TB, tr connect.Transformation, r connect.SourceRecord) (connect.SourceRecord, bool) {
	t.Helper()
	out, keep, err := tr.Apply(r)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return out, keep
}

// field is one expected output field: its name, schema and value.
type field struct {
	name   string
	schema *schema.Schema
	value  any
}

// checkValue checks a flattened value: a required struct schema named
// name, with exactly the given fields in order.
func checkValue(t *testing.T, r connect.SourceRecord, name string, want ...field) {
	t.Helper()
	s, ok := r.Value.(*schema.Struct)
	if !ok {
		t.Fatalf("value is %T, want a struct", r.Value)
	}
	if r.ValueSchema != s.Schema {
		t.Errorf("record schema and struct schema differ")
	}
	if s.Schema.Type != schema.TypeStruct || s.Schema.Name != name || s.Schema.Optional {
		t.Errorf("schema %s %q optional=%v, want required struct %q", s.Schema.Type, s.Schema.Name, s.Schema.Optional, name)
	}
	if len(s.Schema.Fields) != len(want) || len(s.Values) != len(want) {
		t.Fatalf("%d fields and %d values, want %d: %v", len(s.Schema.Fields), len(s.Values), len(want), s.Values)
	}
	for i, w := range want {
		f := s.Schema.Fields[i]
		if f.Name != w.name || f.Index != i {
			t.Errorf("field %d is %q (index %d), want %q", i, f.Name, f.Index, w.name)
		}
		if !reflect.DeepEqual(f.Schema, w.schema) {
			t.Errorf("field %s schema %+v, want %+v", f.Name, f.Schema, w.schema)
		}
		if !reflect.DeepEqual(s.Values[i], w.value) {
			t.Errorf("field %s = %#v, want %#v", f.Name, s.Values[i], w.value)
		}
	}
}

// rowFields are the customers columns with the values of row.
func rowFields(tbl *envelope.Table, row []any) []field {
	out := make([]field, len(row))
	for i, f := range tbl.ValueSchema.Fields {
		out[i] = field{f.Name, f.Schema, row[i]}
	}
	return out
}

var (
	optString = schema.OptionalStringSchema
	optInt64  = schema.OptionalInt64Schema
)

const valueName = "dbserver1.inventory.customers.Value"

func TestUnwrapCreateAndUpdate(t *testing.T) {
	tbl := customersTable()
	tr := newUnwrap(t, map[string]string{})
	for _, c := range []struct {
		op            string
		before, after []any
	}{
		{envelope.OpCreate, nil, anne},
		{envelope.OpRead, nil, anne},
		{envelope.OpUpdate, anne, anneNew},
	} {
		t.Run(c.op, func(t *testing.T) {
			in := change(tbl, c.op, c.before, c.after)
			out, keep := apply(t, tr, in)
			if !keep {
				t.Fatal("dropped")
			}
			// The value is the after state; the schema is Debezium's
			// rebuilt copy (required, same name and fields).
			checkValue(t, out, valueName, rowFields(tbl, c.after)...)
			if out.Topic != in.Topic || out.Key != in.Key || out.KeySchema != in.KeySchema ||
				!reflect.DeepEqual(out.SourceOffset, in.SourceOffset) || len(out.Headers) != 0 {
				t.Errorf("topic, key, offset or headers changed: %+v", out)
			}
		})
	}
}

func TestUnwrapCachesDerivedSchema(t *testing.T) {
	tbl := customersTable()
	tr := newUnwrap(t, map[string]string{"add.fields": "op"})
	a, _ := apply(t, tr, change(tbl, envelope.OpCreate, nil, anne))
	b, _ := apply(t, tr, change(tbl, envelope.OpUpdate, anne, anneNew))
	if a.ValueSchema != b.ValueSchema {
		t.Error("records of one table got distinct value schemas")
	}
}

func TestUnwrapDoesNotModifyInput(t *testing.T) {
	tbl := customersTable()
	in := change(tbl, envelope.OpCreate, nil, []any{int32(1), "Anne", nil})
	shared := make([]connect.Header, 1, 4)
	shared[0] = connect.Header{Key: "k", Schema: schema.StringSchema, Value: "v"}
	in.Headers = shared
	tr := newUnwrap(t, map[string]string{"delete.tombstone.handling.mode": "rewrite", "add.fields": "op", "add.headers": "op"})
	out, _ := apply(t, tr, in)
	after := in.Value.(*schema.Struct).Get("after").(*schema.Struct)
	if after.Values[2] != nil || len(after.Values) != 3 {
		t.Errorf("input after struct changed: %v", after.Values)
	}
	if len(out.Headers) != 2 || shared[:2][1].Key != "" {
		t.Errorf("headers: out %v, shared backing array %v", out.Headers, shared[:2])
	}
}

// TestUnwrapDelete checks each delete.tombstone.handling.mode on a delete
// and on the tombstone that follows it (Debezium's
// DefaultDeleteHandlingStrategy and ExtractNewRecordStateTest).
func TestUnwrapDelete(t *testing.T) {
	tbl := customersTable()
	deleted := func(v string) field { return field{"__deleted", optString, v} }
	for _, c := range []struct {
		mode          string
		keepDelete    bool
		deleteSchema  *schema.Schema // for the value-less outcomes
		rewritten     bool
		keepTombstone bool
	}{
		{mode: "", keepDelete: true, deleteSchema: tbl.ValueSchema},
		{mode: "tombstone", keepDelete: true, deleteSchema: tbl.ValueSchema},
		{mode: "drop"},
		{mode: "rewrite", keepDelete: true, rewritten: true},
		{mode: "rewrite-with-tombstone", keepDelete: true, rewritten: true, keepTombstone: true},
		{mode: "delete-to-tombstone", keepDelete: true},
		{mode: " Rewrite ", keepDelete: true, rewritten: true},
	} {
		t.Run(c.mode, func(t *testing.T) {
			config := map[string]string{}
			if c.mode != "" {
				config["delete.tombstone.handling.mode"] = c.mode
			}
			tr := newUnwrap(t, config)
			del := change(tbl, envelope.OpDelete, anne, nil)
			out, keep := apply(t, tr, del)
			if keep != c.keepDelete {
				t.Fatalf("delete kept=%v, want %v", keep, c.keepDelete)
			}
			switch {
			case !keep:
			case c.rewritten:
				checkValue(t, out, valueName, append(rowFields(tbl, anne), deleted("true"))...)
			default:
				if out.Value != nil || out.ValueSchema != c.deleteSchema {
					t.Errorf("delete became schema %v value %v, want schema %v and no value", out.ValueSchema, out.Value, c.deleteSchema)
				}
			}
			if keep && (out.Key != del.Key || out.Topic != del.Topic) {
				t.Errorf("key or topic changed")
			}

			tomb := tombstoneOf(del)
			out, keep = apply(t, tr, tomb)
			if keep != c.keepTombstone {
				t.Fatalf("tombstone kept=%v, want %v", keep, c.keepTombstone)
			}
			if keep && !reflect.DeepEqual(out, tomb) {
				t.Errorf("tombstone changed: %+v", out)
			}

			// Creates carry __deleted=false in the rewrite modes.
			out, _ = apply(t, tr, change(tbl, envelope.OpCreate, nil, anne))
			want := rowFields(tbl, anne)
			if c.rewritten {
				want = append(want, deleted("false"))
			}
			checkValue(t, out, valueName, want...)
		})
	}
}

func TestUnwrapTruncateDropped(t *testing.T) {
	tbl := customersTable()
	for _, mode := range []string{"tombstone", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone", "drop"} {
		tr := newUnwrap(t, map[string]string{"delete.tombstone.handling.mode": mode, "add.headers": "op"})
		if _, keep := apply(t, tr, change(tbl, envelope.OpTruncate, nil, nil)); keep {
			t.Errorf("%s: truncate kept", mode)
		}
	}
}

// TestUnwrapPassesOtherRecords: records whose value is no envelope pass
// unchanged, without headers (DBZ-8393).
func TestUnwrapPassesOtherRecords(t *testing.T) {
	heartbeat := connect.SourceRecord{
		Topic:     "__debezium-heartbeat.dbserver1",
		KeySchema: envelope.HeartbeatKeySchema, Key: &schema.Struct{Schema: envelope.HeartbeatKeySchema, Values: []any{"dbserver1"}},
		ValueSchema: envelope.HeartbeatValueSchema, Value: &schema.Struct{Schema: envelope.HeartbeatValueSchema, Values: []any{int64(1)}},
	}
	tx := connect.SourceRecord{
		Topic:       "dbserver1.transaction",
		KeySchema:   envelope.TxKeySchema,
		Key:         &schema.Struct{Schema: envelope.TxKeySchema, Values: []any{"555:24023128"}},
		ValueSchema: envelope.TxValueSchema,
		Value:       envelope.TxValue(envelope.TxBegin, "555:24023128", 0, nil, 1),
	}
	msg := envelope.NewMessage(false)
	message := connect.SourceRecord{
		Topic:       "dbserver1.message",
		KeySchema:   envelope.MessageKeySchema,
		Key:         msg.Key("p"),
		ValueSchema: msg.Value("p", []byte("x"), sourceStruct(), nil, 1).Schema,
		Value:       msg.Value("p", []byte("x"), sourceStruct(), nil, 1),
	}
	unnamed := connect.SourceRecord{Topic: "t", ValueSchema: schema.StringSchema, Value: "x"}
	offsetOnly := connect.SourceRecord{SourceOffset: map[string]any{"lsn": int64(1)}}
	for _, mode := range []string{"tombstone", "rewrite", "drop"} {
		tr := newUnwrap(t, map[string]string{"delete.tombstone.handling.mode": mode, "add.headers": "op,source.lsn", "add.fields": "op"})
		for name, r := range map[string]connect.SourceRecord{
			"heartbeat": heartbeat, "transaction": tx, "message": message, "unnamed": unnamed, "offset-only": offsetOnly,
		} {
			out, keep := apply(t, tr, r)
			if !keep || !reflect.DeepEqual(out, r) {
				t.Errorf("%s/%s: kept=%v, changed to %+v", mode, name, keep, out)
			}
		}
	}
}

func TestUnwrapAddFields(t *testing.T) {
	tbl := customersTable()
	snapshotCopy := &schema.Schema{
		Type: schema.TypeString, Optional: true, Name: envelope.EnumName, Version: 1,
		Params: []schema.Param{{Key: "allowed", Value: envelope.SnapshotAllowed}},
	}
	tr := newUnwrap(t, map[string]string{
		"add.fields": "op,table,lsn,source.ts_ms,ts_ms,source.snapshot,id,db:DATABASE,missing",
	})
	out, _ := apply(t, tr, change(tbl, envelope.OpCreate, nil, anne))
	checkValue(t, out, valueName, append(rowFields(tbl, anne),
		field{"__op", optString, "c"},
		field{"__table", optString, "customers"},
		field{"__lsn", optInt64, int64(srcLSN)},
		field{"__source_ts_ms", optInt64, srcTsUs / 1000},
		field{"__ts_ms", optInt64, eventNow},
		// The copy keeps name, version and parameters but not the
		// default, and the raw null stays null.
		field{"__source_snapshot", snapshotCopy, nil},
		// id is read from the transaction block, null outside one.
		field{"__id", optString, nil},
		field{"__DATABASE", optString, "postgres"},
	)...)

	// With a transaction block.
	rec := change(tbl, envelope.OpUpdate, anne, anneNew)
	envelope.SetTransaction(rec.Value.(*schema.Struct), envelope.Block("555:24023128", 7, 3))
	tr = newUnwrap(t, map[string]string{
		"add.fields":        "op,transaction.id,total_order,data_collection_order:ORDER",
		"add.fields.prefix": "meta.",
	})
	out, _ = apply(t, tr, rec)
	checkValue(t, out, valueName, append(rowFields(tbl, anneNew),
		field{"meta.op", optString, "u"},
		field{"meta.transaction_id", optString, "555:24023128"},
		field{"meta.total_order", optInt64, int64(7)},
		field{"meta.ORDER", optInt64, int64(3)},
	)...)
}

func TestUnwrapAddFieldsOnRewrittenDelete(t *testing.T) {
	tbl := customersTable()
	for _, mode := range []string{"rewrite", "rewrite-with-tombstone"} {
		tr := newUnwrap(t, map[string]string{"delete.tombstone.handling.mode": mode, "add.fields": "op,source.lsn"})
		out, _ := apply(t, tr, change(tbl, envelope.OpDelete, anne, nil))
		checkValue(t, out, valueName, append(rowFields(tbl, anne),
			field{"__deleted", optString, "true"},
			field{"__op", optString, "d"},
			field{"__source_lsn", optInt64, int64(srcLSN)},
		)...)
	}
	// A delete turned into a null value gets no fields.
	tr := newUnwrap(t, map[string]string{"add.fields": "op"})
	out, _ := apply(t, tr, change(tbl, envelope.OpDelete, anne, nil))
	if out.Value != nil {
		t.Errorf("tombstone-mode delete got value %v", out.Value)
	}
}

func TestUnwrapAddHeaders(t *testing.T) {
	tbl := customersTable()
	tr := newUnwrap(t, map[string]string{
		"add.headers":                    "op,source.ts_ms,db,transaction.id:TXN",
		"delete.tombstone.handling.mode": "rewrite-with-tombstone",
	})
	prior := connect.Header{Key: "__debezium.context.connectorName", Schema: schema.StringSchema, Value: "postgresql"}
	in := change(tbl, envelope.OpCreate, nil, anne)
	in.Headers = []connect.Header{prior}
	out, _ := apply(t, tr, in)
	want := []connect.Header{
		prior,
		{Key: "__op", Schema: optString, Value: "c"},
		{Key: "__source_ts_ms", Schema: optInt64, Value: srcTsUs / 1000},
		{Key: "__db", Schema: optString, Value: "postgres"},
		{Key: "__TXN", Schema: optString, Value: nil},
	}
	if !reflect.DeepEqual(out.Headers, want) {
		t.Errorf("headers\n got %+v\nwant %+v", out.Headers, want)
	}

	out, _ = apply(t, tr, change(tbl, envelope.OpDelete, anne, nil))
	if !reflect.DeepEqual(out.Headers[0], connect.Header{Key: "__op", Schema: optString, Value: "d"}) {
		t.Errorf("delete headers %+v", out.Headers)
	}

	// A kept tombstone carries only op, "d", with a required string schema.
	out, keep := apply(t, tr, tombstoneOf(change(tbl, envelope.OpDelete, anne, nil)))
	wantTomb := []connect.Header{{Key: "__op", Schema: schema.StringSchema, Value: "d"}}
	if !keep || !reflect.DeepEqual(out.Headers, wantTomb) {
		t.Errorf("tombstone kept=%v headers %+v, want %+v", keep, out.Headers, wantTomb)
	}

	tr = newUnwrap(t, map[string]string{"add.headers": "op", "add.headers.prefix": "dbz."})
	out, _ = apply(t, tr, change(tbl, envelope.OpUpdate, anne, anneNew))
	if len(out.Headers) != 1 || out.Headers[0].Key != "dbz.op" || out.Headers[0].Value != "u" {
		t.Errorf("prefixed headers %+v", out.Headers)
	}
}

// TestUnwrapReplaceNullWithDefault: the rewrite modes copy the row through
// Kafka's InsertField, which reads a null as the column default unless
// replace.null.with.default=false (DBZ-7094); the other modes keep the null
// (DBZ-5166).
func TestUnwrapReplaceNullWithDefault(t *testing.T) {
	tbl := customersTable()
	row := []any{int32(1), "Anne", nil}
	for _, c := range []struct {
		config map[string]string
		want   any
	}{
		{map[string]string{"delete.tombstone.handling.mode": "rewrite"}, "active"},
		{map[string]string{"delete.tombstone.handling.mode": "rewrite", "replace.null.with.default": "false"}, nil},
		{map[string]string{"delete.tombstone.handling.mode": "tombstone"}, nil},
	} {
		out, _ := apply(t, newUnwrap(t, c.config), change(tbl, envelope.OpCreate, nil, row))
		if got := out.Value.(*schema.Struct).Get("status"); got != c.want {
			t.Errorf("%v: status = %v, want %v", c.config, got, c.want)
		}
	}
}

func TestUnwrapRouteByField(t *testing.T) {
	tbl := customersTable()
	tr := newUnwrap(t, map[string]string{"route.by.field": "name"})
	out, _ := apply(t, tr, change(tbl, envelope.OpCreate, nil, anne))
	if out.Topic != "Anne" {
		t.Errorf("create routed to %q", out.Topic)
	}
	// Deletes route by the before state, whatever becomes of the value.
	out, _ = apply(t, tr, change(tbl, envelope.OpDelete, anne, nil))
	if out.Topic != "Anne" {
		t.Errorf("delete routed to %q", out.Topic)
	}
	// A null or blank value leaves the topic alone.
	out, _ = apply(t, tr, change(tbl, envelope.OpCreate, nil, []any{int32(2), nil, nil}))
	if out.Topic != tbl.Topic {
		t.Errorf("null routed to %q", out.Topic)
	}
	out, _ = apply(t, tr, change(tbl, envelope.OpCreate, nil, []any{int32(2), "  ", nil}))
	if out.Topic != tbl.Topic {
		t.Errorf("blank routed to %q", out.Topic)
	}
	// A missing or non-string field fails, as Struct.getString does.
	for _, name := range []string{"nope", "id"} {
		tr := newUnwrap(t, map[string]string{"route.by.field": name})
		if _, _, err := tr.Apply(change(tbl, envelope.OpCreate, nil, anne)); err == nil {
			t.Errorf("route.by.field=%s: no error", name)
		}
	}
}

func TestUnwrapFieldNameClash(t *testing.T) {
	tbl := customersTable()
	// "name" without a struct is source.name, which clashes with the
	// column of that name once the prefix is empty.
	tr := newUnwrap(t, map[string]string{"add.fields": "name", "add.fields.prefix": ""})
	if _, _, err := tr.Apply(change(tbl, envelope.OpCreate, nil, anne)); err == nil || !strings.Contains(err.Error(), "duplication name") {
		t.Errorf("err = %v", err)
	}
}

func TestUnwrapConfigErrors(t *testing.T) {
	for _, c := range []struct {
		config   map[string]string
		property string
	}{
		{map[string]string{"delete.tombstone.handling.mode": "none"}, "delete.tombstone.handling.mode"},
		{map[string]string{"delete.tombstone.handling.mode": ""}, "delete.tombstone.handling.mode"},
		{map[string]string{"drop.fields.header.name": "drop"}, "drop.fields.header.name"},
		{map[string]string{"drop.fields.from.key": "yes"}, "drop.fields.from.key"},
		{map[string]string{"drop.fields.keep.schema.compatible": "1"}, "drop.fields.keep.schema.compatible"},
		{map[string]string{"replace.null.with.default": "maybe"}, "replace.null.with.default"},
		{map[string]string{"add.fields": "op:a:b"}, "add.fields"},
		{map[string]string{"add.headers": ":"}, "add.headers"},
	} {
		tr, errs := NewExtractNewRecordState(c.config)
		if tr != nil || len(errs) != 1 || errs[0].Name != c.property || !strings.Contains(errs[0].Message, c.property) {
			t.Errorf("%v: got %v, %+v; want one error naming %s", c.config, tr, errs, c.property)
		}
	}
	// Properties Debezium reads but that need nothing here are accepted.
	newUnwrap(t, map[string]string{
		"drop.fields.header.name": "", "drop.fields.from.key": "TRUE", "drop.fields.keep.schema.compatible": "false",
		"route.by.field": "", "add.fields": "", "add.headers": "", "replace.null.with.default": " true ",
	})
}

// FuzzUnwrap applies every mode to events built from arbitrary rows and
// add.fields lists: no panic, and a kept struct value matches its schema.
func FuzzUnwrap(f *testing.F) {
	f.Add(uint8(0), "Anne", true, "op,source.ts_ms", "op")
	f.Add(uint8(3), "", false, "a.b.c:d,,lsn", "transaction.id")
	modes := []string{"tombstone", "drop", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone"}
	ops := []string{envelope.OpCreate, envelope.OpUpdate, envelope.OpDelete, envelope.OpRead, envelope.OpTruncate}
	tbl := customersTable()
	f.Fuzz(func(t *testing.T, sel uint8, name string, nullName bool, fields, headers string) {
		tr, errs := NewExtractNewRecordState(map[string]string{
			"delete.tombstone.handling.mode": modes[int(sel)%len(modes)],
			"add.fields":                     fields,
			"add.headers":                    headers,
		})
		if len(errs) > 0 {
			return
		}
		row := []any{int32(sel), name, nil}
		if nullName {
			row[1] = nil
		}
		var before, after []any
		switch op := ops[int(sel/8)%len(ops)]; op {
		case envelope.OpDelete:
			before = row
		case envelope.OpUpdate:
			before, after = row, row
		case envelope.OpTruncate:
		default:
			after = row
		}
		out, keep, err := tr.Apply(change(tbl, ops[int(sel/8)%len(ops)], before, after))
		if err != nil || !keep || out.Value == nil {
			return
		}
		s := out.Value.(*schema.Struct)
		if s.Schema != out.ValueSchema || len(s.Values) != len(s.Schema.Fields) {
			t.Fatalf("value does not match its schema: %+v", s)
		}
	})
}

// TestUnwrapLegacyProperties: drop.tombstones and delete.handling.mode
// (ExtractNewRecordStateConfigDefinition, last in Debezium 3.1) are
// accepted, whatever their value, and ignored as Debezium 3.5 ignores them:
// a delete becomes what delete.tombstone.handling.mode says (here its
// default, tombstone: a null value; legacy rewrite would have kept the
// row with __deleted), and a tombstone is dropped. Each gets one warning
// naming it when the task hands the transform its logger.
func TestUnwrapLegacyProperties(t *testing.T) {
	tbl := customersTable()
	tr := newUnwrap(t, map[string]string{"drop.tombstones": "false", "delete.handling.mode": "rewrite"})
	var logs strings.Builder
	tr.(connect.LoggingTransformation).SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %q, want one warning per property", lines)
	}
	for i, name := range []string{"drop.tombstones", "delete.handling.mode"} {
		if !strings.Contains(lines[i], "level=WARN") || !strings.Contains(lines[i], "The configuration '"+name+"' of io.debezium.transforms.ExtractNewRecordState was removed in Debezium 3.2 and is ignored") {
			t.Errorf("warning %q does not name %s", lines[i], name)
		}
	}
	out, keep := apply(t, tr, change(tbl, envelope.OpDelete, anne, nil))
	if !keep || out.Value != nil {
		t.Errorf("delete: got keep=%v value %v, want a null value (delete.tombstone.handling.mode=tombstone)", keep, out.Value)
	}
	tomb := change(tbl, envelope.OpDelete, anne, nil)
	tomb.Value, tomb.ValueSchema = nil, nil
	if _, keep := apply(t, tr, tomb); keep {
		t.Error("tombstone kept, want it dropped as drop.tombstones is ignored")
	}
	// No warning without them.
	logs.Reset()
	newUnwrap(t, map[string]string{}).(connect.LoggingTransformation).SetLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	if logs.Len() != 0 {
		t.Errorf("logged %q without legacy properties", logs.String())
	}
}
