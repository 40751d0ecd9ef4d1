package postgres

import (
	"bytes"
	"slices"
	"testing"
)

// escapeCopyText writes v as PostgreSQL's COPY text format writes a value
// (CopySendAttributeText): backslash, newline, carriage return and tab are
// escaped, other bytes are sent as they are.
func escapeCopyText(dst, v []byte) []byte {
	for _, c := range v {
		switch c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// FuzzCopyText checks the COPY text reader at the trust boundary: rows of
// arbitrary values (a 0xFF byte splits the input into values, 0xFE marks a
// NULL, 0xFD ends a row), written as PostgreSQL writes them and cut into
// two writes anywhere, come back value for value; and arbitrary bytes fed
// straight to the reader never panic.
func FuzzCopyText(f *testing.F) {
	f.Add([]byte("1\xffa\tb\xfd2\xff\xfe\xfd3\xfflast\\"), uint16(3))
	f.Add([]byte("\\N\xff\\\\N\xfd\xfd"), uint16(0))
	f.Add([]byte("\n\r\t\\x41\\101"), uint16(9))
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		// Straight: arbitrary bytes are data PostgreSQL never sends, but
		// must only ever be an error.
		raw := &copyRowWriter{row: func([][]byte) error { return nil }}
		_, _ = raw.Write(in)

		var want [][][]byte
		var stream []byte
		for _, row := range bytes.Split(in, []byte{0xFD}) {
			var vals [][]byte
			for i, v := range bytes.Split(row, []byte{0xFF}) {
				if i > 0 {
					stream = append(stream, '\t')
				}
				if bytes.Equal(v, []byte{0xFE}) {
					vals = append(vals, nil)
					stream = append(stream, '\\', 'N')
					continue
				}
				v = bytes.ReplaceAll(v, []byte{0xFE}, nil)
				vals = append(vals, append([]byte{}, v...))
				stream = escapeCopyText(stream, v)
			}
			want = append(want, vals)
			stream = append(stream, '\n')
		}
		var got [][][]byte
		w := &copyRowWriter{row: func(fields [][]byte) error {
			row := make([][]byte, len(fields))
			for i, v := range fields {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			got = append(got, row)
			return nil
		}}
		c := int(cut) % (len(stream) + 1)
		for _, part := range [][]byte{stream[:c], stream[c:]} {
			buf := slices.Clone(part)
			if _, err := w.Write(buf); err != nil {
				t.Fatalf("stream %q: %v", stream, err)
			}
			clear(buf) // the reader must not keep what it was given
		}
		if len(got) != len(want) {
			t.Fatalf("stream %q: %d rows, want %d", stream, len(got), len(want))
		}
		for i := range want {
			if len(got[i]) != len(want[i]) {
				t.Fatalf("stream %q row %d: %q, want %q", stream, i, got[i], want[i])
			}
			for j := range want[i] {
				if (got[i][j] == nil) != (want[i][j] == nil) || !bytes.Equal(got[i][j], want[i][j]) {
					t.Fatalf("stream %q row %d value %d: %q, want %q", stream, i, j, got[i][j], want[i][j])
				}
			}
		}
	})
}
