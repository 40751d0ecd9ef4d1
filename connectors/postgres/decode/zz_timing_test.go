package decode

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestZZCorpusTiming(t *testing.T) {
	dir := "/root/.cache/go-build/fuzz/github.com/tributary-cdc/tributary/connectors/postgres/decode/FuzzDecode"
	files, _ := filepath.Glob(dir + "/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		lines := strings.Split(string(b), "\n")
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatal(err)
		}
		data := []byte(s)
		t0 := time.Now()
		_, perr := Parse(data)
		if d := time.Since(t0); d > 10*time.Millisecond {
			t.Logf("%s: %v len=%d type=%q err=%v", filepath.Base(f), d, len(data), data[0], perr)
		}
	}
}
