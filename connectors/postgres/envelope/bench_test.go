package envelope

import (
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// BenchmarkInsertEvent builds everything one streamed insert into the bench
// table (id bigint, a int, b text, c timestamptz, d numeric(12,2)) needs:
// source block, key, value and envelope.
func BenchmarkInsertEvent(b *testing.B) {
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
	tbl := NewTable("bench", "public", "t", cols, []int{0})
	row := []any{int64(123456), int32(456), "row 123456", "2026-11-27T11:43:58.123456Z", nil}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		src := (&Source{Name: "bench", DB: "postgres", Schema: "public", Table: "t", TsUs: 1714557600123456,
			LastCommitLSN: 24023040, LSN: 24023128, TxID: 555, HasTxID: true}).Struct()
		_ = tbl.KeyStruct(row)
		_ = tbl.Envelope(OpCreate, nil, tbl.Value(row), src, now)
	}
}
