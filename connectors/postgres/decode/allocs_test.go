package decode

import (
	"testing"

	"github.com/jackc/pglogrepl"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// Decoding one streamed insert allocates the message and its tuple (Parse),
// the row slice and one boxed value per non-nil column, plus the text and
// timestamp values' own storage.
func TestDecodeInsertRowAllocs(t *testing.T) {
	data := benchInsert()
	l := benchLayout(t)
	testutil.AllocCeiling(t, 12, func() {
		msg, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Row(msg.(*pglogrepl.InsertMessage).Tuple); err != nil {
			t.Fatal(err)
		}
	})
}

// Decoding one snapshot row: the row slice and the boxed values.
func TestDecodeTextRowAllocs(t *testing.T) {
	values := [][]byte{[]byte("123456"), []byte("456"), []byte("row 123456"),
		[]byte("2026-11-27 11:43:58.123456+00"), []byte("1234.56")}
	l := benchLayout(t)
	testutil.AllocCeiling(t, 9, func() {
		if _, err := l.Text(values); err != nil {
			t.Fatal(err)
		}
	})
}
