package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/tributary-cdc/tributary/"

// layeringRules: packages under the key may not import packages under any
// of the listed prefixes. Dependencies point one way: schema ← connect (SPI)
// ← connectors; the runtime and rest on top; main wires.
var layeringRules = map[string][]string{
	"schema":                     {"connect", "connectors", "rest"},
	"connectors":                 {"connect/worker", "connect/herder", "connect/storage", "connect/kafkalog", "connect/kafkaclient", "connect/embedded", "connect/workerconfig", "connect/membership", "rest"},
	"rest":                       {"connect/worker", "connect/herder", "connect/storage", "connect/kafkalog", "connect/embedded", "connect/membership", "connectors"},
	"connect/storage":            {"connect/worker", "connect/herder", "rest", "connectors"},
	"connect/kafkalog":           {"connect/storage", "connect/worker", "connect/herder", "rest", "connectors"},
	"connect/worker":             {"connect/herder", "connect/storage", "rest", "connectors"},
	"connect/herder":             {"rest", "connectors"},
	"connect/membership":         {"connect/herder", "connect/storage", "connect/worker", "connect/kafkalog", "connect/embedded", "connect/workerconfig", "rest", "connectors"},
	"connectors/postgres/decode": {"connectors/postgres/snapshot", "connectors/postgres/stream"},
	"transforms":                 {"connect/worker", "connect/herder", "connect/storage", "connect/kafkalog", "connect/kafkaclient", "connect/embedded", "connect/workerconfig", "connect/membership", "rest", "connectors"},
}

func TestLayering(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			target, ok := strings.CutPrefix(strings.Trim(imp.Path.Value, `"`), module)
			if !ok {
				continue
			}
			for pkg, banned := range layeringRules {
				if dir != pkg && !strings.HasPrefix(dir, pkg+"/") {
					continue
				}
				for _, b := range banned {
					if target == b || strings.HasPrefix(target, b+"/") {
						t.Errorf("%s imports %s: %s may not depend on %s", path, target, pkg, b)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
