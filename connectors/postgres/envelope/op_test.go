package envelope

import (
	"testing"
	"time"
)

// TestEnvelopeOp: the op field holds the operation's text whether or not it
// is one of the prebuilt values.
func TestEnvelopeOp(t *testing.T) {
	tbl := NewTable("p", "public", "t", nil, nil)
	for _, op := range []string{OpCreate, OpUpdate, OpDelete, OpRead, OpTruncate, "x", ""} {
		// Built at run time, so that it shares no memory with the constants.
		dyn := string([]byte(op))
		env := tbl.Envelope(dyn, nil, nil, nil, time.Unix(0, 0))
		if got, ok := env.Values[4].(string); !ok || got != op {
			t.Fatalf("op %q: field holds %#v", op, env.Values[4])
		}
	}
}
