package storage_test

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/storage"
)

// requests is a ConfigListener that records what it is told.
type requests struct {
	mu       sync.Mutex
	restarts []storage.RestartRequest
	levels   [][2]string
}

func (r *requests) ConfigChanged(string) {}

func (r *requests) RestartRequested(req storage.RestartRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.restarts = append(r.restarts, req)
}

func (r *requests) LoggerLevelChanged(namespace, level string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.levels = append(r.levels, [2]string{namespace, level})
}

func (r *requests) snapshot() ([]storage.RestartRequest, [][2]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]storage.RestartRequest(nil), r.restarts...), append([][2]string(nil), r.levels...)
}

func TestConfigStoreRequestRecords(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	golden := goldenRecords(t, "config-request-records.json")
	ctx := t.Context()

	// A request written before a worker starts is history to it.
	writer := openConfigs(t, brokers, nil)
	if err := writer.PutRestartRequest(ctx, storage.RestartRequest{Connector: "old", IncludeTasks: true}); err != nil {
		t.Fatal(err)
	}
	reader := openConfigs(t, brokers, nil)
	got := &requests{}
	reader.SetListener(got)

	if err := writer.PutRestartRequest(ctx, storage.RestartRequest{Connector: "inventory", IncludeTasks: true}); err != nil {
		t.Fatal(err)
	}
	if err := writer.PutLoggerLevel(ctx, "io.debezium", "DEBUG"); err != nil {
		t.Fatal(err)
	}
	recs := readRaw(t, brokers, "connect-configs")[1:]
	if len(recs) != len(golden) {
		t.Fatalf("topic holds %d request records, want %d", len(recs), len(golden))
	}
	for i, want := range golden {
		if string(recs[i].Key) != string(want.Key) {
			t.Fatalf("record %d key = %q, want %q", i, recs[i].Key, want.Key)
		}
		assertJSONEqual(t, string(want.Key), recs[i].Value, want.Value)
	}

	// The other worker is told, in order, once.
	wantRestarts := []storage.RestartRequest{{Connector: "inventory", IncludeTasks: true}}
	wantLevels := [][2]string{{"io.debezium", "DEBUG"}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		restarts, levels := got.snapshot()
		if reflect.DeepEqual(restarts, wantRestarts) && reflect.DeepEqual(levels, wantLevels) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listener got %+v and %v; want %+v and %v", restarts, levels, wantRestarts, wantLevels)
		}
		if err := reader.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Requests are not connectors.
	if names := reader.Connectors(); len(names) != 0 {
		t.Fatalf("Connectors = %v", names)
	}
}

func TestStatusStoreTaskStatusesCarryGeneration(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	s := openStatus(t, brokers)
	ctx := t.Context()
	s.SetGeneration(4)
	if err := s.PutTask(ctx, connect.TaskID{Connector: "c", Task: 1}, connect.State{State: connect.StateRunning, WorkerID: "w1:8083"}); err != nil {
		t.Fatal(err)
	}
	s.SetGeneration(7)
	if err := s.PutTask(ctx, connect.TaskID{Connector: "c", Task: 0}, connect.State{State: connect.StateUnassigned, WorkerID: "w2:8083"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTask(ctx, connect.TaskID{Connector: "other", Task: 0}, connect.State{State: connect.StateRunning, WorkerID: "w2:8083"}); err != nil {
		t.Fatal(err)
	}
	want := []storage.TaskStatus{
		{ID: connect.TaskID{Connector: "c", Task: 0}, State: connect.State{State: connect.StateUnassigned, WorkerID: "w2:8083"}, Generation: 7},
		{ID: connect.TaskID{Connector: "c", Task: 1}, State: connect.State{State: connect.StateRunning, WorkerID: "w1:8083"}, Generation: 4},
	}
	// A second reader sees them as written.
	for _, st := range []*storage.StatusStore{s, openStatus(t, brokers)} {
		if got := st.TaskStatuses("c"); !reflect.DeepEqual(got, want) {
			t.Fatalf("TaskStatuses = %+v, want %+v", got, want)
		}
	}
	if err := s.RemoveConnector(ctx, "c", 2); err != nil {
		t.Fatal(err)
	}
	if got := s.TaskStatuses("c"); len(got) != 0 {
		t.Fatalf("TaskStatuses after removal = %+v", got)
	}
}
