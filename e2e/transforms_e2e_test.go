package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestEndToEndTransforms runs the inventory connector with the two
// transformations Debezium users configure most, read back with kcat:
// ExtractNewRecordState flattens each envelope to its row (deletes rewritten
// with __deleted, metadata added as __ fields and a header) and RegexRouter
// renames the topics; then InsertField adds a field to the customers topic
// only, under a TopicNameMatches predicate.
func TestEndToEndTransforms(t *testing.T) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Fatalf("kcat is required (make deps installs it): %v", err)
	}
	pg := pgtest.Start(t)
	pg.Exec(t, inventorySchema)
	w := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data")})

	config := inventoryConfig(t, pg, func(c map[string]string) {
		c["transforms"] = "unwrap,route,tag"
		c["transforms.unwrap.type"] = "io.debezium.transforms.ExtractNewRecordState"
		c["transforms.unwrap.delete.tombstone.handling.mode"] = "rewrite"
		c["transforms.unwrap.add.fields"] = "op,table,source.ts_ms"
		c["transforms.unwrap.add.headers"] = "db"
		c["transforms.route.type"] = "org.apache.kafka.connect.transforms.RegexRouter"
		c["transforms.route.regex"] = `dbserver1\.public\.(.*)`
		c["transforms.route.replacement"] = "cdc_$1"
		// Kafka's InsertField, on the customers topic only (a predicate).
		c["transforms.tag.type"] = "org.apache.kafka.connect.transforms.InsertField$Value"
		c["transforms.tag.static.field"] = "origin"
		c["transforms.tag.static.value"] = "tributary"
		c["transforms.tag.predicate"] = "customers"
		c["predicates"] = "customers"
		c["predicates.customers.type"] = "org.apache.kafka.connect.transforms.predicates.TopicNameMatches"
		c["predicates.customers.pattern"] = "cdc_customers"
	})
	if code, body := w.do("POST", "/connectors", config); code != http.StatusCreated {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	// The changes follow the snapshot: RUNNING is reported before it starts.
	consumeAtLeast(t, w.kafka, "cdc_customers", 3)
	consumeAtLeast(t, w.kafka, "cdc_orders", 2)
	pg.Exec(t, `UPDATE customers SET first_name = 'Sal' WHERE id = 1`, `DELETE FROM orders WHERE id = 2`)

	type row map[string]any
	rows := func(msgs []kcatMessage) []row {
		var out []row
		for _, m := range msgs {
			if m.Payload == nil {
				t.Fatalf("a tombstone on %s: rewrite mode writes none", m.Topic)
			}
			var v struct {
				Schema struct {
					Name   string `json:"name"`
					Fields []struct {
						Field string `json:"field"`
					} `json:"fields"`
				} `json:"schema"`
				Payload row `json:"payload"`
			}
			if err := json.Unmarshal([]byte(*m.Payload), &v); err != nil {
				t.Fatal(err)
			}
			// The flattened value keeps the row schema's name (Debezium's
			// <prefix>.<schema>.<table>.Value), with the added fields last.
			if !strings.HasSuffix(v.Schema.Name, ".Value") || v.Payload["before"] != nil || v.Payload["after"] != nil {
				t.Fatalf("record on %s is not flattened: %s", m.Topic, *m.Payload)
			}
			if i := slices.IndexFunc(m.Headers, func(h string) bool { return h == "__db" }); i < 0 || i+1 >= len(m.Headers) || m.Headers[i+1] != "postgres" {
				t.Errorf("headers of a record on %s = %v, want __db=postgres", m.Topic, m.Headers)
			}
			out = append(out, v.Payload)
		}
		return out
	}

	customers := rows(consumeAtLeast(t, w.kafka, "cdc_customers", 4))
	if len(customers) != 4 {
		t.Fatalf("cdc_customers has %d records, want 4", len(customers))
	}
	for i, c := range customers[:3] {
		if c["id"] != float64(i+1) || c["__op"] != "r" || c["__table"] != "customers" || c["__deleted"] != "false" {
			t.Errorf("snapshot row %d = %v", i, c)
		}
		if _, ok := c["__source_ts_ms"].(float64); !ok {
			t.Errorf("snapshot row %d has no __source_ts_ms: %v", i, c)
		}
	}
	if u := customers[3]; u["id"] != float64(1) || u["first_name"] != "Sal" || u["__op"] != "u" || u["__deleted"] != "false" {
		t.Errorf("update = %v", u)
	}
	for _, c := range customers {
		if c["origin"] != "tributary" {
			t.Errorf("customer without the static field: %v", c)
		}
	}
	orders := rows(consumeAtLeast(t, w.kafka, "cdc_orders", 3))
	if len(orders) != 3 {
		t.Fatalf("cdc_orders has %d records, want 3", len(orders))
	}
	// REPLICA IDENTITY DEFAULT: the old row carries the key only.
	if d := orders[2]; d["id"] != float64(2) || d["__op"] != "d" || d["__deleted"] != "true" {
		t.Errorf("rewritten delete = %v", d)
	}
	for _, o := range orders {
		if _, ok := o["origin"]; ok {
			t.Errorf("the predicate let InsertField change an order: %v", o)
		}
	}
	if got := consume(t, w.kafka, "dbserver1.public.customers"); len(got) != 0 {
		t.Errorf("the unrouted topic has %d records", len(got))
	}
}
