package storage_test

import (
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/storage"
)

func openStatus(t *testing.T, brokers []string) *storage.StatusStore {
	t.Helper()
	s, err := storage.OpenStatusStore(t.Context(), logConfig(brokers, "connect-status", 5))
	if err != nil {
		t.Fatalf("OpenStatusStore: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStatusTopicCreatedCompacted5(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	openStatus(t, brokers)
	parts, cleanup := describeTopic(t, brokers, "connect-status")
	if parts != 5 || cleanup != "compact" {
		t.Fatalf("status topic: %d partitions, cleanup.policy=%q; want 5, compact", parts, cleanup)
	}
}

const trace = "org.apache.kafka.connect.errors.ConnectException: boom\n\tat io.debezium.Example.run(Example.java:1)\n"

func TestStatusStoreWritesJavaFormat(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openStatus(t, brokers)
	s.SetGeneration(3)
	ctx := t.Context()
	if err := s.PutConnector(ctx, "inventory", connect.State{State: connect.StateRunning, WorkerID: "10.0.0.5:8083"}); err != nil {
		t.Fatal(err)
	}
	task := connect.TaskID{Connector: "inventory", Task: 0}
	if err := s.PutTask(ctx, task, connect.State{State: connect.StateFailed, WorkerID: "10.0.0.5:8083", Trace: trace}); err != nil {
		t.Fatal(err)
	}
	golden := goldenRecords(t, "status-records.json")
	got := map[string]rawRecord{}
	for _, r := range readRaw(t, brokers, "connect-status") {
		got[string(r.Key)] = r
		if want := javaPartition(r.Key, 5); r.Partition != want {
			t.Errorf("%s on partition %d, Java's partitioner picks %d", r.Key, r.Partition, want)
		}
	}
	if len(got) != len(golden) {
		t.Fatalf("topic holds %d keys, want %d", len(got), len(golden))
	}
	for _, want := range golden {
		r, ok := got[string(want.Key)]
		if !ok {
			t.Errorf("no record for %s", want.Key)
			continue
		}
		assertJSONEqual(t, string(want.Key), r.Value, want.Value)
	}
	if st, ok := s.Task(task); !ok || st.Trace != trace || st.State != connect.StateFailed {
		t.Errorf("Task(%v) = %+v, %v", task, st, ok)
	}
}

func TestStatusStoreReadsJavaRecords(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	recs := append(goldenRecords(t, "status-records.json"),
		rawRecord{Key: []byte("status-topic-dbserver1.public.customers:connector-inventory"),
			Value: []byte(`{"topic":{"name":"dbserver1.public.customers","connector":"inventory","task":0,"discoverTimestamp":1714557600000}}`)},
		rawRecord{Key: []byte("status-connector-gone"), Value: []byte(`{"state":"RUNNING","trace":null,"worker_id":"w:1","generation":1}`)},
		rawRecord{Key: []byte("status-connector-gone"), Value: nil},
	)
	produceRaw(t, brokers, "connect-status", 5, recs)
	s := openStatus(t, brokers)

	want := connect.State{State: connect.StateRunning, WorkerID: "10.0.0.5:8083"}
	if st, ok := s.Connector("inventory"); !ok || st != want {
		t.Errorf("Connector(inventory) = %+v, %v; want %+v", st, ok, want)
	}
	wantTask := connect.State{State: connect.StateFailed, WorkerID: "10.0.0.5:8083", Trace: trace}
	if st, ok := s.Task(connect.TaskID{Connector: "inventory", Task: 0}); !ok || st != wantTask {
		t.Errorf("Task(inventory-0) = %+v, %v; want %+v", st, ok, wantTask)
	}
	if _, ok := s.Connector("gone"); ok {
		t.Error("tombstoned connector status still present")
	}
}

func TestStatusStoreRemoveConnector(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openStatus(t, brokers)
	ctx := t.Context()
	// A connector name with dashes: the task number is after the last one.
	name := "my-pg-source"
	running := connect.State{State: connect.StateRunning, WorkerID: "w:8083"}
	if err := s.PutConnector(ctx, name, running); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.PutTask(ctx, connect.TaskID{Connector: name, Task: i}, running); err != nil {
			t.Fatal(err)
		}
	}
	if st, ok := s.Task(connect.TaskID{Connector: name, Task: 2}); !ok || st != running {
		t.Fatalf("Task(2) = %+v, %v", st, ok)
	}
	if err := s.RemoveConnector(ctx, name, 3); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Connector(name); ok {
		t.Error("connector status survived RemoveConnector")
	}
	for i := range 3 {
		if _, ok := s.Task(connect.TaskID{Connector: name, Task: i}); ok {
			t.Errorf("task %d status survived RemoveConnector", i)
		}
	}
	tombstones := 0
	for _, r := range readRaw(t, brokers, "connect-status") {
		if r.Value == nil {
			tombstones++
		}
	}
	if tombstones != 4 {
		t.Errorf("%d tombstones written, want 4", tombstones)
	}
	// A fresh reader agrees.
	s2 := openStatus(t, brokers)
	if _, ok := s2.Connector(name); ok {
		t.Error("connector status present on reload")
	}
}
