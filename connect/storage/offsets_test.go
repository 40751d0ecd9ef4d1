package storage_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/storage"
)

func openOffsets(t *testing.T, brokers []string, topic string) *storage.OffsetStore {
	t.Helper()
	s, err := storage.OpenOffsetStore(t.Context(), logConfig(brokers, topic, 25))
	if err != nil {
		t.Fatalf("OpenOffsetStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// decodeGoldenOffset decodes a golden offset value the way the store must:
// integral numbers as int64.
func decodeGoldenOffset(t *testing.T, name string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(readFile(t, name)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				t.Fatalf("%s: %s is not an int64", name, k)
			}
			m[k] = i
		}
	}
	return m
}

func TestOffsetTopicCreatedCompacted25(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	openOffsets(t, brokers, "connect-offsets")
	parts, cleanup := describeTopic(t, brokers, "connect-offsets")
	if parts != 25 || cleanup != "compact" {
		t.Fatalf("offsets topic: %d partitions, cleanup.policy=%q; want 25, compact", parts, cleanup)
	}
}

func TestOffsetStoreWritesJavaFormat(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openOffsets(t, brokers, "connect-offsets")
	wantKey := readFile(t, "offset-key-inventory.txt")
	wantValue := readFile(t, "offset-value-inventory.json")

	partition := map[string]any{"server": "dbserver1"}
	if err := s.Put(t.Context(), "inventory", partition, decodeGoldenOffset(t, "offset-value-inventory.json")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	recs := readRaw(t, brokers, "connect-offsets")
	if len(recs) != 1 {
		t.Fatalf("topic holds %d records, want 1", len(recs))
	}
	if !bytes.Equal(recs[0].Key, wantKey) {
		t.Errorf("key bytes = %s, want %s", recs[0].Key, wantKey)
	}
	assertJSONEqual(t, "offset value", recs[0].Value, wantValue)
	if want := javaPartition(wantKey, 25); recs[0].Partition != want {
		t.Errorf("record on partition %d, Java's partitioner picks %d", recs[0].Partition, want)
	}

	// Reset: a tombstone under the same key.
	if err := s.Put(t.Context(), "inventory", partition, nil); err != nil {
		t.Fatalf("Put(nil): %v", err)
	}
	recs = readRaw(t, brokers, "connect-offsets")
	if len(recs) != 2 || !bytes.Equal(recs[1].Key, wantKey) || recs[1].Value != nil {
		t.Fatalf("after reset, records = %+v; want a tombstone for %s", recs, wantKey)
	}
	if got, err := s.Get(t.Context(), "inventory", partition); err != nil || got != nil {
		t.Fatalf("Get after reset = %v, %v; want nil", got, err)
	}
	if got := s.Partitions("inventory"); len(got) != 0 {
		t.Fatalf("Partitions after reset = %v, want none", got)
	}
}

func TestOffsetStoreReadsJavaRecords(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	key := readFile(t, "offset-key-inventory.txt")
	produceRaw(t, brokers, "connect-offsets", 25, []rawRecord{
		{Key: key, Value: readFile(t, "offset-value-snapshot-legacy.json")},
		{Key: []byte(`["other",{"server":"dbserver2"}]`), Value: readFile(t, "offset-value-snapshot-v3.json")},
		{Key: key, Value: readFile(t, "offset-value-inventory.json")},
		{Key: []byte(`["gone",{"server":"x"}]`), Value: []byte(`{"lsn":1}`)},
		{Key: []byte(`["gone",{"server":"x"}]`), Value: nil},
	})
	s := openOffsets(t, brokers, "connect-offsets")

	got, err := s.Get(t.Context(), "inventory", map[string]any{"server": "dbserver1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := decodeGoldenOffset(t, "offset-value-inventory.json"); !reflect.DeepEqual(got, want) {
		t.Errorf("Get(inventory) = %#v, want %#v", got, want)
	}

	got, err = s.Get(t.Context(), "other", map[string]any{"server": "dbserver2"})
	if err != nil {
		t.Fatal(err)
	}
	if got["snapshot"] != "INITIAL" || got["snapshot_completed"] != false || got["lsn"] != int64(24023128) {
		t.Errorf("Get(other) = %#v", got)
	}

	if got, _ := s.Get(t.Context(), "gone", map[string]any{"server": "x"}); got != nil {
		t.Errorf("tombstoned partition still has offset %v", got)
	}
	entries := s.Partitions("inventory")
	if len(entries) != 1 || entries[0].Partition["server"] != "dbserver1" || entries[0].Offset["txId"] != int64(555) {
		t.Errorf("Partitions(inventory) = %#v", entries)
	}
}

func TestOffsetStoreLegacySnapshotValue(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	produceRaw(t, brokers, "connect-offsets", 25, []rawRecord{
		{Key: readFile(t, "offset-key-inventory.txt"), Value: readFile(t, "offset-value-snapshot-legacy.json")},
	})
	s := openOffsets(t, brokers, "connect-offsets")
	got, err := s.Get(t.Context(), "inventory", map[string]any{"server": "dbserver1"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"last_snapshot_record": false, "lsn": int64(24023128), "txId": int64(555),
		"ts_usec": int64(1714557600123456), "snapshot": true}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Get = %#v, want %#v", got, want)
	}
}

func TestOffsetStoreNumbersRoundTrip(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openOffsets(t, brokers, "connect-offsets")
	partition := map[string]any{"server": "big"}
	offset := map[string]any{
		"max": int64(math.MaxInt64), "min": int64(math.MinInt64), "ratio": 1.5,
		"flag": true, "text": "a<b&c", "nested": map[string]any{"n": int64(7)}, "list": []any{int64(1), "x"},
	}
	if err := s.Put(t.Context(), "c", partition, offset); err != nil {
		t.Fatal(err)
	}
	// A fresh store reads it back from the topic.
	s2 := openOffsets(t, brokers, "connect-offsets")
	got, err := s2.Get(t.Context(), "c", partition)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, offset) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, offset)
	}
	recs := readRaw(t, brokers, "connect-offsets")
	if !bytes.Contains(recs[0].Value, []byte(`"a<b&c"`)) {
		t.Errorf("value %s escapes HTML characters; Jackson does not", recs[0].Value)
	}
}

// A key written by another worker with its map keys in another order is the
// same partition, and is rewritten under the same bytes so that compaction
// keeps a single record for it.
func TestOffsetStoreKeepsForeignKeyBytes(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	foreign := []byte(`["multi",{"table":"t1","server":"s"}]`)
	produceRaw(t, brokers, "connect-offsets", 25, []rawRecord{{Key: foreign, Value: []byte(`{"pos":1}`)}})
	s := openOffsets(t, brokers, "connect-offsets")
	partition := map[string]any{"server": "s", "table": "t1"}
	got, err := s.Get(t.Context(), "multi", partition)
	if err != nil || got["pos"] != int64(1) {
		t.Fatalf("Get = %v, %v; want pos 1", got, err)
	}
	if err := s.Put(t.Context(), "multi", partition, map[string]any{"pos": int64(2)}); err != nil {
		t.Fatal(err)
	}
	recs := readRaw(t, brokers, "connect-offsets")
	if len(recs) != 2 || !bytes.Equal(recs[1].Key, foreign) || recs[1].Partition != recs[0].Partition {
		t.Fatalf("rewrite went to key %s partition %d; want %s partition %d", recs[1].Key, recs[1].Partition, foreign, recs[0].Partition)
	}
}
