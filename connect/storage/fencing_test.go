package storage_test

import (
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// The leader's tasks-fencing-<name> record is Kafka Connect's, byte for
// byte in meaning, and another worker reads it back.
func TestConfigStoreTaskCountRecord(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	golden := goldenRecords(t, "config-fencing-records.json")
	writer := openConfigs(t, brokers, nil)
	if _, ok := writer.TaskCountRecord("inventory"); ok {
		t.Fatal("task count record before any was written")
	}
	changed := 0
	reader := openConfigs(t, brokers, func(string) { changed++ })
	if err := writer.PutTaskCountRecord(t.Context(), "inventory", 1); err != nil {
		t.Fatal(err)
	}
	recs := readRaw(t, brokers, "connect-configs")
	if len(recs) != len(golden) {
		t.Fatalf("topic holds %d records, want %d", len(recs), len(golden))
	}
	for i, want := range golden {
		if string(recs[i].Key) != string(want.Key) {
			t.Fatalf("record %d key = %q, want %q", i, recs[i].Key, want.Key)
		}
		assertJSONEqual(t, string(want.Key), recs[i].Value, want.Value)
	}
	if err := reader.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, ok := reader.TaskCountRecord("inventory"); !ok || n != 1 {
		t.Fatalf("reader's task count = %d, %v; want 1", n, ok)
	}
	if changed != 0 {
		t.Fatalf("a fencing record reported %d connector changes; it changes no connector", changed)
	}
}
