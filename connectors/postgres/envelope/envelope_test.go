package envelope

import (
	"reflect"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
	"github.com/tributary-cdc/tributary/schema"
)

func TestSequence(t *testing.T) {
	if got := Sequence(24023040, 24023128); got != `["24023040","24023128"]` {
		t.Errorf("got %s", got)
	}
	if got := Sequence(0, 5); got != `[null,"5"]` {
		t.Errorf("got %s", got)
	}
}

func TestSourceStruct(t *testing.T) {
	s := (&Source{Name: "dbserver1", DB: "postgres", Schema: "public", Table: "customers",
		TsUs: 1714557600123456, LastCommitLSN: 24023040, LSN: 24023128, TxID: 555, HasTxID: true}).Struct()
	want := []any{"3.5.0.Final", "postgresql", "dbserver1", int64(1714557600123), nil, "postgres",
		`["24023040","24023128"]`, int64(1714557600123456), int64(1714557600123456000), "public", "customers",
		int64(555), int64(24023128), nil, nil, nil}
	if !reflect.DeepEqual(s.Values, want) {
		t.Fatalf("got  %v\nwant %v", s.Values, want)
	}
	SetSnapshot(s, SnapshotLast)
	if s.Get("snapshot") != "last" {
		t.Fatalf("snapshot %v", s.Get("snapshot"))
	}
	f := SourceSchema.Field("snapshot").Schema
	if f.Default != "false" || !f.HasDefault || !f.Optional || f.Name != EnumName || f.Params[0].Value != SnapshotAllowed {
		t.Fatalf("snapshot schema %+v", f)
	}
}

func TestTableFillsRequiredColumns(t *testing.T) {
	col := func(name string, c typemap.Column) Column {
		m, err := typemap.For(c)
		if err != nil {
			t.Fatal(err)
		}
		return Column{Name: name, Mapping: m}
	}
	tbl := NewTable("p", "s", "t", []Column{
		col("id", typemap.Column{TypeOID: typemap.OIDInt4, Default: "nextval('t_id_seq'::regclass)"}),
		col("name", typemap.Column{TypeOID: typemap.OIDText}),
		col("note", typemap.Column{TypeOID: typemap.OIDText, Optional: true}),
		col("blob", typemap.Column{TypeOID: typemap.OIDBytea, Optional: true}),
	}, []int{0})
	if tbl.Topic != "p.s.t" || tbl.KeySchema.Name != "p.s.t.Key" || tbl.ValueSchema.Name != "p.s.t.Value" ||
		tbl.EnvelopeSchema.Name != "p.s.t.Envelope" || tbl.EnvelopeSchema.Version != 2 {
		t.Fatalf("names: %s %s %s %s", tbl.Topic, tbl.KeySchema.Name, tbl.ValueSchema.Name, tbl.EnvelopeSchema.Name)
	}
	v := tbl.Value([]any{int32(3), nil, typemap.Unchanged{}, typemap.Unchanged{}})
	if !reflect.DeepEqual(v.Values, []any{int32(3), "", "__debezium_unavailable_value", []byte("__debezium_unavailable_value")}) {
		t.Fatalf("value %v", v.Values)
	}
	if k := tbl.KeyStruct([]any{nil, "x", nil, nil}); !reflect.DeepEqual(k.Values, []any{int32(0)}) {
		t.Fatalf("key %v", k.Values)
	}
	now := time.Unix(1714557600, 456789012)
	env := tbl.Envelope(OpCreate, nil, v, (&Source{}).Struct(), now)
	if env.Get("before") != nil || env.Get("after") != v || env.Get("op") != "c" ||
		env.Get("ts_ms") != int64(1714557600456) || env.Get("ts_us") != int64(1714557600456789) ||
		env.Get("ts_ns") != int64(1714557600456789012) || env.Get("transaction") != nil {
		t.Fatalf("envelope %v", env.Values)
	}
	var _ *schema.Struct = env //nolint:staticcheck // asserts the type NewEnvelope returns
	noKey := NewTable("p", "s", "t", tbl.Columns, nil)
	if noKey.KeySchema != nil || noKey.KeyStruct([]any{int32(1), "", nil, nil}) != nil {
		t.Fatalf("a table without primary key has a key")
	}
}
