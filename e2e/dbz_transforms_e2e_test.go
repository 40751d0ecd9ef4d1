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

// TestEndToEndLogicalTableRouter runs Debezium's sharding setup through a
// real PostgreSQL, read back with kcat: ByLogicalTableRouter sends two
// shard tables to one topic, their keys extended with the shard the key
// field regex extracts; ExtractChangedRecordState names the changed
// columns of an update in a header; PartitionRouting spreads the records
// over the topic's three partitions by id (Java's Integer.hashCode: the
// id itself, modulo 3).
func TestEndToEndLogicalTableRouter(t *testing.T) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Fatalf("kcat is required (make deps installs it): %v", err)
	}
	pg := pgtest.Start(t)
	pg.Exec(t,
		`CREATE TABLE customers_shard_1 (id int PRIMARY KEY, first_name text NOT NULL, email text)`,
		`CREATE TABLE customers_shard_2 (id int PRIMARY KEY, first_name text NOT NULL, email text)`,
		`INSERT INTO customers_shard_1 VALUES (1, 'Sally', 's@example.com'), (2, 'George', 'g@example.com')`,
		`INSERT INTO customers_shard_2 VALUES (1, 'Edward', 'e@example.com')`,
		// The update's old row in full, for ExtractChangedRecordState.
		`ALTER TABLE customers_shard_2 REPLICA IDENTITY FULL`)
	w := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data")})

	config := inventoryConfig(t, pg, func(c map[string]string) {
		c["table.include.list"] = `public\.customers_shard_.*`
		c["topic.creation.default.replication.factor"] = "1"
		c["topic.creation.default.partitions"] = "3"
		c["transforms"] = "route,changed,partition"
		c["transforms.route.type"] = "io.debezium.transforms.ByLogicalTableRouter"
		c["transforms.route.topic.regex"] = `(.*)customers_shard_(.*)`
		c["transforms.route.topic.replacement"] = "$1customers_all_shards"
		c["transforms.route.key.field.name"] = "shard_id"
		c["transforms.route.key.field.regex"] = `.*customers_shard_(.*)`
		c["transforms.route.key.field.replacement"] = "$1"
		c["transforms.changed.type"] = "io.debezium.transforms.ExtractChangedRecordState"
		c["transforms.changed.header.changed.name"] = "Changed"
		c["transforms.partition.type"] = "io.debezium.transforms.partitions.PartitionRouting"
		c["transforms.partition.partition.payload.fields"] = "change.id"
		c["transforms.partition.partition.topic.num"] = "3"
	})
	if code, body := w.do("POST", "/connectors", config); code != http.StatusCreated {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	const topic = "dbserver1.public.customers_all_shards"
	consumeAtLeast(t, w.kafka, topic, 3)
	pg.Exec(t, `UPDATE customers_shard_2 SET first_name = 'Ed' WHERE id = 1`)
	msgs := consumeAtLeast(t, w.kafka, topic, 4)
	if len(msgs) != 4 {
		t.Fatalf("%s has %d records, want 4", topic, len(msgs))
	}

	type keyJSON struct {
		Schema struct {
			Name   string `json:"name"`
			Fields []struct {
				Field string `json:"field"`
				Type  string `json:"type"`
			} `json:"fields"`
		} `json:"schema"`
		Payload struct {
			ID      int    `json:"id"`
			ShardID string `json:"shard_id"`
		} `json:"payload"`
	}
	type valueJSON struct {
		Schema struct {
			Name   string `json:"name"`
			Fields []struct {
				Field string `json:"field"`
				Name  string `json:"name"`
			} `json:"fields"`
		} `json:"schema"`
		Payload struct {
			Op    string         `json:"op"`
			After map[string]any `json:"after"`
		} `json:"payload"`
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		var k keyJSON
		var v valueJSON
		if m.Key == nil || m.Payload == nil {
			t.Fatalf("record without key or value: %+v", m)
		}
		if err := json.Unmarshal([]byte(*m.Key), &k); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(*m.Payload), &v); err != nil {
			t.Fatal(err)
		}
		if k.Schema.Name != topic+".Key" || len(k.Schema.Fields) != 2 || k.Schema.Fields[1].Field != "shard_id" || k.Schema.Fields[1].Type != "string" {
			t.Errorf("key schema %+v", k.Schema)
		}
		if v.Schema.Name != topic+".Envelope" || v.Schema.Fields[0].Name != topic+".Value" || v.Schema.Fields[1].Name != topic+".Value" {
			t.Errorf("value schema %+v", v.Schema)
		}
		if m.Partition != k.Payload.ID%3 {
			t.Errorf("record of id %d on partition %d, want %d", k.Payload.ID, m.Partition, k.Payload.ID%3)
		}
		i := slices.Index(m.Headers, "Changed")
		if i < 0 || i+1 >= len(m.Headers) {
			t.Fatalf("headers %v have no Changed header", m.Headers)
		}
		changed := m.Headers[i+1]
		seen[k.Payload.ShardID+"/"+v.Payload.Op+"/"+v.Payload.After["first_name"].(string)] = true
		if v.Payload.Op == "u" && !strings.Contains(changed, "first_name") || v.Payload.Op == "u" && strings.Contains(changed, "email") {
			t.Errorf("update's Changed header = %q, want first_name only", changed)
		}
		if v.Payload.Op == "r" && changed != "[]" {
			t.Errorf("snapshot record's Changed header = %q, want []", changed)
		}
	}
	for _, want := range []string{"1/r/Sally", "1/r/George", "2/r/Edward", "2/u/Ed"} {
		if !seen[want] {
			t.Errorf("no record %s among %v", want, seen)
		}
	}
	for _, shard := range []string{"dbserver1.public.customers_shard_1", "dbserver1.public.customers_shard_2"} {
		if got := consume(t, w.kafka, shard); len(got) != 0 {
			t.Errorf("the unrouted topic %s has %d records", shard, len(got))
		}
	}
}
