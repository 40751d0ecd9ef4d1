package storage_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/storage"
)

func TestStatusStoreTopicsJavaFormat(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openStatus(t, brokers)
	ctx := t.Context()
	st := storage.TopicStatus{Topic: "dbserver1.public.customers", Connector: "inventory", Task: 0, Discovered: time.UnixMilli(1714557600000)}
	if err := s.PutTopic(ctx, st); err != nil {
		t.Fatal(err)
	}
	// A second report of the same topic writes nothing.
	if err := s.PutTopic(ctx, st); err != nil {
		t.Fatal(err)
	}
	recs := readRaw(t, brokers, "connect-status")
	golden := goldenRecords(t, "status-topic-records.json")
	if len(recs) != len(golden) {
		t.Fatalf("topic holds %d records, want %d", len(recs), len(golden))
	}
	if string(recs[0].Key) != string(golden[0].Key) {
		t.Errorf("key = %s, want %s", recs[0].Key, golden[0].Key)
	}
	if want := javaPartition(recs[0].Key, 5); recs[0].Partition != want {
		t.Errorf("on partition %d, Java's partitioner picks %d", recs[0].Partition, want)
	}
	assertJSONEqual(t, string(golden[0].Key), recs[0].Value, golden[0].Value)
}

func TestStatusStoreTopicsReadAndReset(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	recs := append(goldenRecords(t, "status-topic-records.json"),
		rawRecord{Key: []byte("status-topic-dbserver1.public.orders:connector-inventory"),
			Value: []byte(`{"topic":{"name":"dbserver1.public.orders","connector":"inventory","task":0,"discoverTimestamp":1714557600001}}`)},
		rawRecord{Key: []byte("status-topic-other:connector-other"),
			Value: []byte(`{"topic":{"name":"other","connector":"other","task":1,"discoverTimestamp":1}}`)},
	)
	produceRaw(t, brokers, "connect-status", 5, recs)
	s := openStatus(t, brokers)
	if got, want := s.Topics("inventory"), []string{"dbserver1.public.customers", "dbserver1.public.orders"}; !slices.Equal(got, want) {
		t.Fatalf("Topics(inventory) = %v, want %v", got, want)
	}
	if st, ok := s.Topic("other", "other"); !ok || st.Task != 1 {
		t.Errorf("Topic(other, other) = %+v, %v", st, ok)
	}
	if err := s.ResetTopics(t.Context(), "inventory"); err != nil {
		t.Fatal(err)
	}
	if got := s.Topics("inventory"); len(got) != 0 {
		t.Errorf("Topics after reset = %v", got)
	}
	// A fresh reader sees the tombstones; other connectors are untouched.
	s2 := openStatus(t, brokers)
	if got := s2.Topics("inventory"); len(got) != 0 {
		t.Errorf("Topics on reload = %v", got)
	}
	if got := s2.Topics("other"); !slices.Equal(got, []string{"other"}) {
		t.Errorf("Topics(other) on reload = %v", got)
	}
}
