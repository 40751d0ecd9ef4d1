package envelope

import (
	"testing"
	"time"
)

// BenchmarkInsertEvent builds everything one streamed insert into the bench
// table (id bigint, a int, b text, c timestamptz, d numeric(12,2)) needs:
// source block, key, value and envelope.
func BenchmarkInsertEvent(b *testing.B) {
	tbl := benchTable(b)
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
