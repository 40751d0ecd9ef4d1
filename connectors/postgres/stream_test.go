package postgres_test

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/schema"
)

const customersDDL = `CREATE TABLE public.customers(id SERIAL PRIMARY KEY, email VARCHAR(255) NOT NULL,
	balance NUMERIC(10,2), created_at TIMESTAMPTZ)`

// typesDDL has one column per mapped type, plus a box column, whose
// type is not mapped yet and must be omitted.
const typesDDL = `CREATE TABLE public.types(
	id int PRIMARY KEY, c_bool bool, c_i2 int2, c_i4 int4, c_i8 int8, c_f4 float4, c_f8 float8,
	c_text text, c_varchar varchar(20), c_bpchar char(6), c_name name,
	c_num numeric(10,2), c_vnum numeric, c_date date, c_ts3 timestamp(3), c_ts timestamp,
	c_tstz timestamptz, c_tstz0 timestamptz(0), c_uuid uuid, c_json json, c_jsonb jsonb,
	c_bytea bytea, c_time time, c_timetz timetz, c_inet inet, c_box box)`

const typesValues = `true, 7, 42, 9000000000, 1.5, 2.25,
	'hello', 'var', 'ab', 'nm',
	12.50, 1.230, '2016-01-16', '2020-04-01 11:51:02.123', '2020-04-01 11:51:02.123456',
	'2020-04-01 13:51:02.5+02', '2020-04-01 11:51:02.5+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
	'{"k": [1]}', '{"a":1}', '\x0102ff', '11:51:02.123456', '11:51:02.5+00', '192.168.0.1/24', '(1,1),(0,0)'`

// wantTypes is the after struct of the types row (without id), from
// debezium-values.md.
var wantTypes = map[string]any{
	"c_bool": true, "c_i2": int16(7), "c_i4": int32(42), "c_i8": int64(9000000000),
	"c_f4": float32(1.5), "c_f8": 2.25,
	"c_text": "hello", "c_varchar": "var", "c_bpchar": "ab    ", "c_name": "nm",
	"c_num":   schema.Decimal{Unscaled: big.NewInt(1250), Scale: 2},
	"c_date":  int32(16816),
	"c_ts3":   int64(1585741862123),
	"c_ts":    int64(1585741862123456),
	"c_tstz":  "2020-04-01T11:51:02.500000Z",
	"c_tstz0": "2020-04-01T11:51:03Z",
	"c_uuid":  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
	"c_json":  `{"k": [1]}`, "c_jsonb": `{"a": 1}`,
	"c_bytea":  []byte{1, 2, 0xff},
	"c_time":   int64((11*3600+51*60+2)*1_000_000 + 123456),
	"c_timetz": "11:51:02.5Z",
	"c_inet":   "192.168.0.1/24",
}

func checkTypesRow(t *testing.T, label string, row *schema.Struct) {
	t.Helper()
	if row.Schema.Field("c_box") != nil {
		t.Errorf("%s: the box column should be omitted", label)
	}
	for name, want := range wantTypes {
		if got := row.Get(name); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s = %#v, want %#v", label, name, got, want)
		}
	}
	vsd, ok := row.Get("c_vnum").(*schema.Struct)
	if !ok || vsd.Schema.Name != "io.debezium.data.VariableScaleDecimal" ||
		!reflect.DeepEqual(vsd.Values, []any{int32(2), []byte{0x7b}}) {
		t.Errorf("%s: c_vnum = %#v, want VariableScaleDecimal{2, 0x7b}", label, row.Get("c_vnum"))
	}
}

// TestSnapshotThenStream snapshots two tables, then streams c/u/d on one of
// them and the same types row through both paths.
func TestSnapshotThenStream(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL, typesDDL,
		`INSERT INTO customers(email, balance, created_at) VALUES
			('a@x.io', 12.50, '2024-05-01 10:00:00+00'), ('b@x.io', NULL, NULL),
			('c@x.io', -3.10, '2024-05-01 10:00:00.25+00'), ('d@x.io', 0, NULL)`,
		`INSERT INTO types VALUES (1, `+typesValues+`)`,
		`INSERT INTO types(id) VALUES (2)`,
	)
	h := newHarness(t, pg, map[string]string{"table.include.list": "public.customers,public.types"})
	h.start()

	snap := h.poll(6)
	wantMarks := []string{"first", "true", "true", "last_in_data_collection", "first_in_data_collection", "last"}
	wantTopics := []string{"customers", "customers", "customers", "customers", "types", "types"}
	for i, r := range snap {
		if r.Topic != "dbserver1.public."+wantTopics[i] {
			t.Fatalf("snapshot record %d on %s, want %s:\n%s", i, r.Topic, wantTopics[i], describe(snap))
		}
		if op(t, r) != "r" || before(t, r) != nil || valueStruct(t, r).Get("transaction") != nil {
			t.Errorf("snapshot record %d: op %s, before %v", i, op(t, r), before(t, r))
		}
		if got := sourceField(t, r, "snapshot"); got != wantMarks[i] {
			t.Errorf("snapshot record %d: source.snapshot %v, want %s", i, got, wantMarks[i])
		}
		if got, want := sourceField(t, r, "lsn"), r.SourceOffset["lsn"]; got != want || got == nil {
			t.Errorf("snapshot record %d: source.lsn %v, offset lsn %v", i, got, want)
		}
		if sourceField(t, r, "txId") == nil || sourceField(t, r, "txId") != r.SourceOffset["txId"] {
			t.Errorf("snapshot record %d: source.txId %v, offset txId %v", i, sourceField(t, r, "txId"), r.SourceOffset["txId"])
		}
		last := i == len(snap)-1
		if r.SourceOffset["snapshot"] != "INITIAL" || r.SourceOffset["last_snapshot_record"] != last ||
			r.SourceOffset["snapshot_completed"] != last {
			t.Errorf("snapshot record %d: offset %v", i, r.SourceOffset)
		}
	}
	if got := keyOf(snap[0]); !reflect.DeepEqual(got, []any{int32(1)}) {
		t.Errorf("first key %v, want [1]", got)
	}
	if got := after(t, snap[2]).Get("balance"); !reflect.DeepEqual(got, schema.Decimal{Unscaled: big.NewInt(-310), Scale: 2}) {
		t.Errorf("negative balance %#v", got)
	}
	if got := after(t, snap[2]).Get("created_at"); got != "2024-05-01T10:00:00.250000Z" {
		t.Errorf("created_at %v", got)
	}
	snapTypes := after(t, snap[4])
	checkTypesRow(t, "snapshot", snapTypes)
	for _, f := range snapTypes.Schema.Fields {
		if f.Name != "id" && after(t, snap[5]).Get(f.Name) != nil {
			t.Errorf("null row: %s = %v", f.Name, after(t, snap[5]).Get(f.Name))
		}
	}
	valueSchema := snapTypes.Schema

	// Streaming: the same types row, then create/update/delete.
	pg.Exec(t, `INSERT INTO types VALUES (3, `+typesValues+`)`)
	r := h.poll(1)[0]
	streamTypes := after(t, r)
	checkTypesRow(t, "stream", streamTypes)
	if streamTypes.Schema != valueSchema {
		t.Errorf("streaming rebuilt the value schema of an unchanged table")
	}
	for i, f := range snapTypes.Schema.Fields {
		if f.Name != "id" && !reflect.DeepEqual(snapTypes.Values[i], streamTypes.Values[i]) {
			t.Errorf("%s differs: snapshot %#v, stream %#v", f.Name, snapTypes.Values[i], streamTypes.Values[i])
		}
	}
	if op(t, r) != "c" || sourceField(t, r, "snapshot") != nil {
		t.Errorf("streamed insert: op %s, source.snapshot %v", op(t, r), sourceField(t, r, "snapshot"))
	}

	pg.Exec(t,
		`INSERT INTO customers(email, balance) VALUES ('e@x.io', 1)`,
		`UPDATE customers SET email = 'e2@x.io' WHERE id = 5`,
		`ALTER TABLE customers REPLICA IDENTITY FULL`,
		`UPDATE customers SET balance = 2 WHERE id = 5`,
		`ALTER TABLE customers REPLICA IDENTITY DEFAULT`,
		`DELETE FROM customers WHERE id = 5`,
	)
	recs := h.poll(5)
	wantOps := []string{"c", "u", "u", "d", "tombstone"}
	for i, r := range recs {
		if op(t, r) != wantOps[i] || r.Topic != "dbserver1.public.customers" {
			t.Fatalf("record %d: %s on %s, want %s:\n%s", i, op(t, r), r.Topic, wantOps[i], describe(recs))
		}
		if !reflect.DeepEqual(keyOf(r), []any{int32(5)}) {
			t.Errorf("record %d: key %v, want [5]", i, keyOf(r))
		}
	}
	if b := before(t, recs[1]); b != nil {
		t.Errorf("update under RI DEFAULT: before %v, want null", b.Values)
	}
	if got := after(t, recs[1]).Get("email"); got != "e2@x.io" {
		t.Errorf("update: after.email %v", got)
	}
	one := schema.Decimal{Unscaled: big.NewInt(100), Scale: 2}
	if b := before(t, recs[2]); b == nil || !reflect.DeepEqual(b.Values, []any{int32(5), "e2@x.io", one, nil}) {
		t.Errorf("update under RI FULL: before %v, want the old row", b)
	}
	if got := before(t, recs[3]); got == nil || !reflect.DeepEqual(got.Values, []any{int32(5), "", nil, nil}) {
		t.Errorf("delete under RI DEFAULT: before %v, want [5 \"\" <nil> <nil>]", got)
	}
	if after(t, recs[3]) != nil {
		t.Errorf("delete: after is set")
	}
	tomb := recs[4]
	if tomb.ValueSchema != nil || tomb.Value != nil || tomb.KeySchema != recs[3].KeySchema {
		t.Errorf("tombstone: %+v", tomb)
	}
	for _, r := range recs {
		if r.Value != nil && valueStruct(t, r).Schema != recs[0].ValueSchema {
			t.Errorf("replica identity changes rebuilt the envelope schema")
		}
	}
	// Offsets of streamed events.
	for _, r := range recs[:4] {
		if offsetInt(t, r, "lsn") != sourceField(t, r, "lsn") || offsetInt(t, r, "txId") != sourceField(t, r, "txId") ||
			offsetInt(t, r, "lsn_proc") == 0 || offsetInt(t, r, "lsn_commit") == 0 || offsetInt(t, r, "ts_usec") == 0 {
			t.Errorf("offset %v does not match source", r.SourceOffset)
		}
	}
	if recs[0].SourceOffset["messageType"] != "INSERT" || recs[1].SourceOffset["messageType"] != "UPDATE" ||
		recs[3].SourceOffset["messageType"] != "DELETE" {
		t.Errorf("message types: %v %v %v", recs[0].SourceOffset, recs[1].SourceOffset, recs[3].SourceOffset)
	}
}

// TestPrimaryKeyChange streams an update of the key as delete, tombstone
// and create.
func TestPrimaryKeyChange(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('a@x.io')`, `UPDATE customers SET id = 10 WHERE id = 1`)
	recs := h.poll(4)
	want := []struct {
		op  string
		key int32
	}{{"c", 1}, {"d", 1}, {"tombstone", 1}, {"c", 10}}
	for i, w := range want {
		if op(t, recs[i]) != w.op || !reflect.DeepEqual(keyOf(recs[i]), []any{w.key}) {
			t.Fatalf("record %d: %s %v, want %s [%d]:\n%s", i, op(t, recs[i]), keyOf(recs[i]), w.op, w.key, describe(recs))
		}
	}
}

// TestUpdatesCompareValuesAsKafkaConnect streams updates of float8 NaN and
// -0 values with REPLICA IDENTITY FULL and skip.messages.without.change.
// Debezium's RelationalChangeRecordEmitter decides both "unchanged" and "key
// changed" with Kafka Connect's Struct.equals, where Double.equals makes NaN
// equal NaN and -0.0 differ from 0.0: an update that keeps a NaN emits
// nothing, an update of a row keyed by NaN is one update, a change from 0 to
// -0 is a change, and a key moving from 0 to -0 is a key change.
func TestUpdatesCompareValuesAsKafkaConnect(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE public.floats(k float8 PRIMARY KEY, f float8, v text)`,
		`ALTER TABLE public.floats REPLICA IDENTITY FULL`)
	h := newHarness(t, pg, map[string]string{"table.include.list": "public.floats", "snapshot.mode": "no_data",
		"skip.messages.without.change": "true"})
	h.start()
	pg.Exec(t, `INSERT INTO floats VALUES (1, 'NaN', 'a'), ('NaN', 0, 'a'), (2, 0, 'a'), (0, 0, 'a')`,
		`UPDATE floats SET v = 'a' WHERE k = 1`,
		`UPDATE floats SET v = 'b' WHERE k = 'NaN'`,
		`UPDATE floats SET f = '-0' WHERE k = 2`,
		`UPDATE floats SET k = '-0' WHERE k = 0`,
		`INSERT INTO floats VALUES (99, 0, 'end')`)
	recs := h.pollUntil(func(r connect.SourceRecord) bool {
		return r.Value != nil && op(t, r) == "c" && after(t, r).Get("v") == "end"
	})
	// key is the record's key field; negative zero prints as -0.
	key := func(r connect.SourceRecord) string {
		k, ok := keyOf(r).([]any)
		if !ok || len(k) != 1 {
			return fmt.Sprintf("%v", keyOf(r))
		}
		f, ok := k[0].(float64)
		if !ok {
			return fmt.Sprintf("%T %v", k[0], k[0])
		}
		if f == 0 && math.Signbit(f) {
			return "-0"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	var got []string
	for _, r := range recs {
		got = append(got, op(t, r)+" "+key(r))
	}
	want := []string{"c 1", "c NaN", "c 2", "c 0", "u NaN", "u 2", "d 0", "tombstone 0", "c -0", "c 99"}
	if !slices.Equal(got, want) {
		t.Fatalf("records %q, want %q:\n%s", got, want, describe(recs))
	}
	if b, a := before(t, recs[4]), after(t, recs[4]); b.Get("v") != "a" || a.Get("v") != "b" {
		t.Errorf("update of the NaN-keyed row: before %v, after %v; want v a then b", b.Values, a.Values)
	}
	if f, ok := after(t, recs[5]).Get("f").(float64); !ok || f != 0 || !math.Signbit(f) {
		t.Errorf("update to -0: after f = %v, want -0", after(t, recs[5]).Get("f"))
	}
}

// TestNoPrimaryKey: a table without a primary key has records with a nil
// key and key schema.
func TestNoPrimaryKey(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE nopk(a int, b text)`, `INSERT INTO nopk VALUES (1, 'x')`)
	h := newHarness(t, pg, nil)
	h.start()
	r := h.poll(1)[0]
	pg.Exec(t, `INSERT INTO nopk VALUES (2, 'y')`)
	r2 := h.poll(1)[0]
	for _, rec := range []connect.SourceRecord{r, r2} {
		if rec.Key != nil || rec.KeySchema != nil {
			t.Errorf("key %v schema %v, want nil", rec.Key, rec.KeySchema)
		}
	}
	if sourceField(t, r, "snapshot") != "last" {
		t.Errorf("single-row single-table snapshot mark %v, want last", sourceField(t, r, "snapshot"))
	}
}
