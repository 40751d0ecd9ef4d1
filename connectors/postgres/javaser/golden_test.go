package javaser

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readGolden reads a testdata file in the annotated format described in
// testdata/README.md: hex bytes, two spaces, a note; # starts a comment.
func readGolden(t testing.TB, name string) []byte {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	for n, line := range strings.Split(string(text), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bytesPart, _, _ := strings.Cut(line, "  ")
		for tok := range strings.FieldsSeq(bytesPart) {
			b, err := hex.DecodeString(tok)
			if err != nil || len(b) != 1 {
				t.Fatalf("%s:%d: %q is not one hex byte", name, n+1, tok)
			}
			out = append(out, b[0])
		}
	}
	return out
}

func dec(unscaled int64, scale int32) BigDecimal {
	return BigDecimal{Unscaled: big.NewInt(unscaled), Scale: scale}
}

var goldens = []struct {
	file string
	key  []any
}{
	{"null_array.txt", nil},
	{"empty.txt", []any{}},
	{"integer_1.txt", []any{int32(1)}},
	{"integer_1_2.txt", []any{int32(1), int32(2)}},
	{"integer_1_1.txt", []any{int32(1), int32(1)}},
	{"long_42.txt", []any{int64(42)}},
	{"short_minus1.txt", []any{int16(-1)}},
	{"string_abc.txt", []any{"abc"}},
	{"string_long.txt", []any{"abc", int64(42)}},
	{"string_nonascii.txt", []any{"é\x00€😀"}},
	{"null_element.txt", []any{nil}},
	{"uuid.txt", []any{UUID{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00}}},
	{"bigdecimal_123_45.txt", []any{dec(12345, 2)}},
	{"bigdecimal_shared.txt", []any{dec(1, 0), dec(1, 1)}},
	{"bigdecimal_zero_negative.txt", []any{dec(0, 0), dec(-10005, 1)}},
}

// equalKeys compares keys element by element, BigDecimals by unscaled value
// and scale.
func equalKeys(a, b []any) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		da, okA := a[i].(BigDecimal)
		db, okB := b[i].(BigDecimal)
		if okA || okB {
			if !okA || !okB || da.Scale != db.Scale || da.Unscaled.Cmp(db.Unscaled) != 0 {
				return false
			}
			continue
		}
		if !reflect.DeepEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

// TestGoldens checks every hand-derived stream in testdata: Marshal and
// Encode produce it exactly (Encode in lower-case hex, as HexConverter), and
// Decode and Unmarshal read it back, from either hex case.
func TestGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(goldens) {
		t.Fatalf("%d golden files, %d cases: every file needs a case", len(files), len(goldens))
	}
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			want := readGolden(t, g.file)
			got, err := Marshal(g.key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Marshal:\n got %x\nwant %x", got, want)
			}
			s, err := Encode(g.key)
			if err != nil {
				t.Fatal(err)
			}
			if s != hex.EncodeToString(want) {
				t.Fatalf("Encode = %s", s)
			}
			for _, in := range []string{s, strings.ToUpper(s)} {
				key, err := Decode(in)
				if err != nil {
					t.Fatal(err)
				}
				if !equalKeys(key, g.key) {
					t.Fatalf("Decode = %#v, want %#v", key, g.key)
				}
			}
			key, err := Unmarshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if !equalKeys(key, g.key) {
				t.Fatalf("Unmarshal = %#v, want %#v", key, g.key)
			}
		})
	}
}
