package typemap

import (
	"reflect"
	"testing"
)

// TestDecodeArrayShapes: nested arrays are flattened in row-major order,
// explicit bounds skipped (as pgjdbc's PgArray does), unquoted NULL is a
// null element and a quoted "NULL" the string.
func TestDecodeArrayShapes(t *testing.T) {
	text := func(b []byte) (any, error) { return string(b), nil }
	for _, tc := range []struct {
		in   string
		want []any
	}{
		{`{}`, []any{}},
		{`{{}}`, []any{}},
		{`{1,NULL,"NULL"}`, []any{"1", nil, "NULL"}},
		{`{{1,2},{3,NULL}}`, []any{"1", "2", "3", nil}},
		{`{{{a}},{{"b,c"}}}`, []any{"a", "b,c"}},
		{`[0:1]={7,8}`, []any{"7", "8"}},
		{`[1:2][0:0]={{x},{"y\"z"}}`, []any{"x", `y"z`}},
	} {
		got, err := decodeArrayDelim([]byte(tc.in), ',', text)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("decodeArray(%s) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`{1,2`, `{{1},2`, `{1}x`, `{"a}`, `[0:1]`} {
		if _, err := decodeArrayDelim([]byte(bad), ',', text); err == nil {
			t.Errorf("decodeArray(%s) accepted", bad)
		}
	}
}
