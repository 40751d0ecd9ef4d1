package envelope

import (
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// Building one streamed insert's key, value and envelope on the fast path
// (KeyStructPacked, ValueOver): the key struct and its values, the value
// struct, the envelope struct and its values.
func TestInsertEventAllocs(t *testing.T) {
	tbl := benchTable(t)
	row := []any{int64(123456), int32(456), "row 123456", "2026-11-27T11:43:58.123456Z", nil}
	now := time.Now()
	src := (&Source{Name: "bench", DB: "postgres", Schema: "public", Table: "t", TsUs: 1714557600123456,
		LastCommitLSN: 24023040, LSN: 24023128, TxID: 555, HasTxID: true}).Struct()
	r := make([]any, len(row))
	testutil.AllocCeiling(t, 6, func() {
		copy(r, row)
		_ = tbl.KeyStructPacked(r)
		_ = tbl.Envelope(OpCreate, nil, tbl.ValueOver(r), src, now)
	})
}
