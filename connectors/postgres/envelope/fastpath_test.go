package envelope

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// TestFastPathMatches checks that ValueOver and KeyStructPacked build the
// structs Value and KeyStruct build, for nulls, unchanged TOASTed values,
// required columns' defaults, transformed columns and keys of zero, one
// and two columns.
func TestFastPathMatches(t *testing.T) {
	col := func(name string, c typemap.Column) Column {
		m, err := typemap.For(c)
		if err != nil {
			t.Fatal(err)
		}
		return Column{Name: name, Mapping: m}
	}
	cols := []Column{
		col("id", typemap.Column{TypeOID: typemap.OIDInt4, Default: "nextval('t_id_seq'::regclass)"}),
		col("name", typemap.Column{TypeOID: typemap.OIDText}),
		col("note", typemap.Column{TypeOID: typemap.OIDText, Optional: true}),
		col("blob", typemap.Column{TypeOID: typemap.OIDBytea, Optional: true}),
		col("masked", typemap.Column{TypeOID: typemap.OIDText, Optional: true}),
	}
	cols[4].Transform = func(v any) any {
		if s, ok := v.(string); ok {
			return strings.Repeat("*", len(s))
		}
		return v
	}
	rows := [][]any{
		{int32(3), "a", "b", []byte{1}, "secret"},
		{nil, nil, nil, nil, nil},
		{int32(4), typemap.Unchanged{}, typemap.Unchanged{}, typemap.Unchanged{}, typemap.Unchanged{}},
		{int32(5), "x", nil, typemap.Unchanged{}, "s"},
	}
	for _, key := range [][]int{nil, {0}, {1}, {0, 4}} {
		tbl := NewTable("p", "s", "t", cols, key)
		for _, row := range rows {
			wantKey, wantValue := tbl.KeyStruct(row), tbl.Value(row)
			r := append([]any(nil), row...)
			gotKey := tbl.KeyStructPacked(r)
			gotValue := tbl.ValueOver(r)
			if !reflect.DeepEqual(gotKey, wantKey) {
				t.Errorf("key %v of %v: got %v, want %v", key, row, gotKey, wantKey)
			}
			if !reflect.DeepEqual(gotValue, wantValue) {
				t.Errorf("value of %v: got %v, want %v", row, gotValue.Values, wantValue.Values)
			}
		}
	}
}

// BenchmarkInsertEventFastPath is BenchmarkInsertEvent with the key and
// value built by KeyStructPacked and ValueOver (the row is copied first,
// as decoding makes a new one per change).
func BenchmarkInsertEventFastPath(b *testing.B) {
	tbl := benchTable(b)
	row := []any{int64(123456), int32(456), "row 123456", "2026-11-27T11:43:58.123456Z", nil}
	now := time.Now()
	src := (&Source{Name: "bench", DB: "postgres", Schema: "public", Table: "t", TsUs: 1714557600123456,
		LastCommitLSN: 24023040, LSN: 24023128, TxID: 555, HasTxID: true}).Struct()
	r := make([]any, len(row))
	b.ReportAllocs()
	for b.Loop() {
		copy(r, row)
		_ = tbl.KeyStructPacked(r)
		_ = tbl.Envelope(OpCreate, nil, tbl.ValueOver(r), src, now)
	}
}

// BenchmarkInsertEventKeyValue is the same without the fast path.
func BenchmarkInsertEventKeyValue(b *testing.B) {
	tbl := benchTable(b)
	row := []any{int64(123456), int32(456), "row 123456", "2026-11-27T11:43:58.123456Z", nil}
	now := time.Now()
	src := (&Source{Name: "bench", DB: "postgres", Schema: "public", Table: "t", TsUs: 1714557600123456,
		LastCommitLSN: 24023040, LSN: 24023128, TxID: 555, HasTxID: true}).Struct()
	b.ReportAllocs()
	for b.Loop() {
		_ = tbl.KeyStruct(row)
		_ = tbl.Envelope(OpCreate, nil, tbl.Value(row), src, now)
	}
}

func benchTable(b testing.TB) *Table {
	var cols []Column
	for _, c := range []struct {
		name string
		col  typemap.Column
	}{
		{"id", typemap.Column{TypeOID: typemap.OIDInt8}},
		{"a", typemap.Column{TypeOID: typemap.OIDInt4, Optional: true}},
		{"b", typemap.Column{TypeOID: typemap.OIDText, Optional: true}},
		{"c", typemap.Column{TypeOID: typemap.OIDTimestamptz, TypeMod: -1, Optional: true}},
		{"d", typemap.Column{TypeOID: typemap.OIDNumeric, TypeMod: int32(12<<16|2) + 4, Optional: true}},
	} {
		m, err := typemap.For(c.col)
		if err != nil {
			b.Fatal(err)
		}
		cols = append(cols, Column{Name: c.name, Mapping: m})
	}
	return NewTable("bench", "public", "t", cols, []int{0})
}
