package docs

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite README.md's property tables")

// TestREADMETables: the README's property tables are what the ConfigDefs
// declare.
func TestREADMETables(t *testing.T) {
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Render(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(raw) {
		t.Fatal("README.md's property tables differ from the ConfigDefs: run go generate ./internal/docs")
	}
	for _, name := range []string{"database.hostname", "transforms`", "errors.tolerance", "decimal.format", "delete.tombstone.handling.mode",
		"group.id", "log.format", "producer.buffer.memory"} {
		if !strings.Contains(want, "`"+name) {
			t.Errorf("no %s in the tables", name)
		}
	}
}
