package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/timescaledb"
	"github.com/tributary-cdc/tributary/transforms"
)

// TestDebeziumTransformExamples checks the examples of Debezium's SMTs in
// configs/examples (configs/examples/debezium-*.json): each is a valid
// connector configuration whose transformations configure without a
// problem.
func TestDebeziumTransformExamples(t *testing.T) {
	files, err := filepath.Glob("../configs/examples/debezium-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	plugins := map[string]connect.TransformationPlugin{}
	for _, p := range append(transforms.Plugins(), timescaledb.Plugin()) {
		plugins[p.Class] = p
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Name   string            `json:"name"`
				Config map[string]string `json:"config"`
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatal(err)
			}
			if body.Name == "" || body.Config["connector.class"] != postgres.ConnectorClass {
				t.Errorf("name %q, class %q", body.Name, body.Config["connector.class"])
			}
			if _, errs := postgres.ParseConfig(body.Config); len(errs) != 0 {
				t.Errorf("connector config: %v", errs)
			}
			for _, alias := range strings.Split(body.Config["transforms"], ",") {
				prefix := "transforms." + alias + "."
				props := map[string]string{}
				for k, v := range body.Config {
					if strings.HasPrefix(k, prefix) {
						props[strings.TrimPrefix(k, prefix)] = v
					}
				}
				p, ok := plugins[props["type"]]
				if !ok {
					t.Fatalf("%s: no transformation %q", alias, props["type"])
				}
				if _, errs := p.New(props); len(errs) != 0 {
					t.Errorf("%s: %v", alias, errs)
				}
			}
		})
	}
}
