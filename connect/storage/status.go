package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
)

// Key prefixes of the status topic (KafkaStatusBackingStore).
const (
	connectorStatusPrefix = "status-connector-"
	taskStatusPrefix      = "status-task-"
)

// StatusStore is the status topic (Kafka Connect's KafkaStatusBackingStore):
// the last reported state of every connector and task.
type StatusStore struct {
	log        *kafkalog.Log
	logger     *slog.Logger
	generation atomic.Int64

	mu         sync.RWMutex
	connectors map[string]connect.State
	tasks      map[connect.TaskID]connect.State
	taskGens   map[connect.TaskID]int64
	topics     map[string]map[string]TopicStatus // by connector, then topic
}

// statusValue keeps Kafka Connect's field order.
type statusValue struct {
	State      string  `json:"state"`
	Trace      *string `json:"trace"`
	WorkerID   string  `json:"worker_id"`
	Generation int64   `json:"generation"`
}

// OpenStatusStore opens the status topic described by cfg (its OnRecord is
// replaced) and reads it to the end.
func OpenStatusStore(ctx context.Context, cfg kafkalog.Config) (*StatusStore, error) {
	s := &StatusStore{
		logger:     loggerOf(cfg),
		connectors: map[string]connect.State{},
		tasks:      map[connect.TaskID]connect.State{},
		taskGens:   map[connect.TaskID]int64{},
		topics:     map[string]map[string]TopicStatus{},
	}
	cfg.OnRecord = s.apply
	l, err := kafkalog.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening status store: %w", err)
	}
	s.log = l
	return s, nil
}

// SetGeneration sets the group generation written with every status from
// now on (Kafka Connect writes the generation of the worker's membership).
func (s *StatusStore) SetGeneration(generation int) { s.generation.Store(int64(generation)) }

// apply is the log's OnRecord.
func (s *StatusStore) apply(key, value []byte) {
	k := string(key)
	switch {
	case strings.HasPrefix(k, connectorStatusPrefix):
		name := k[len(connectorStatusPrefix):]
		if value == nil {
			s.mu.Lock()
			delete(s.connectors, name)
			s.mu.Unlock()
			return
		}
		st, err := parseStatus(value)
		if err != nil {
			s.logger.Error("ignoring malformed status record", "key", k, "error", err)
			return
		}
		s.mu.Lock()
		s.connectors[name] = st
		s.mu.Unlock()
	case strings.HasPrefix(k, taskStatusPrefix):
		id, err := parseTaskID(k[len(taskStatusPrefix):])
		if err != nil {
			s.logger.Error("ignoring malformed status record", "key", k, "error", err)
			return
		}
		if value == nil {
			s.mu.Lock()
			delete(s.tasks, id)
			delete(s.taskGens, id)
			s.mu.Unlock()
			return
		}
		st, gen, err := parseStatusGeneration(value)
		if err != nil {
			s.logger.Error("ignoring malformed status record", "key", k, "error", err)
			return
		}
		s.mu.Lock()
		s.tasks[id] = st
		s.taskGens[id] = gen
		s.mu.Unlock()
	case strings.HasPrefix(k, topicStatusPrefix):
		if err := s.applyTopic(k[len(topicStatusPrefix):], value); err != nil {
			s.logger.Error("ignoring malformed status record", "key", k, "error", err)
		}
	default:
		s.logger.Debug("ignoring status record", "key", k)
	}
}

func parseTaskID(s string) (connect.TaskID, error) {
	i := strings.LastIndexByte(s, '-')
	if i < 0 {
		return connect.TaskID{}, fmt.Errorf("decoding task id %q", s)
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n < 0 {
		return connect.TaskID{}, fmt.Errorf("decoding task id %q", s)
	}
	return connect.TaskID{Connector: s[:i], Task: n}, nil
}

func parseStatus(value []byte) (connect.State, error) {
	st, _, err := parseStatusGeneration(value)
	return st, err
}

func parseStatusGeneration(value []byte) (connect.State, int64, error) {
	var v statusValue
	if err := json.Unmarshal(value, &v); err != nil {
		return connect.State{}, 0, fmt.Errorf("decoding status: %w", err)
	}
	if v.State == "" {
		return connect.State{}, 0, fmt.Errorf("decoding status: no state")
	}
	st := connect.State{State: v.State, WorkerID: v.WorkerID}
	if v.Trace != nil {
		st.Trace = *v.Trace
	}
	return st, v.Generation, nil
}

func (s *StatusStore) put(ctx context.Context, key string, st connect.State) error {
	v := statusValue{State: st.State, WorkerID: st.WorkerID, Generation: s.generation.Load()}
	if st.Trace != "" {
		v.Trace = &st.Trace
	}
	b, err := marshal(v)
	if err != nil {
		return fmt.Errorf("encoding status: %w", err)
	}
	return s.log.SendAndApply(ctx, []byte(key), b)
}

// PutConnector writes a connector's state.
func (s *StatusStore) PutConnector(ctx context.Context, name string, st connect.State) error {
	if err := s.put(ctx, connectorStatusPrefix+name, st); err != nil {
		return fmt.Errorf("writing status of connector %q: %w", name, err)
	}
	return nil
}

// PutTask writes a task's state.
func (s *StatusStore) PutTask(ctx context.Context, id connect.TaskID, st connect.State) error {
	if err := s.put(ctx, taskKey(id), st); err != nil {
		return fmt.Errorf("writing status of task %s-%d: %w", id.Connector, id.Task, err)
	}
	return nil
}

func taskKey(id connect.TaskID) string {
	return taskStatusPrefix + id.Connector + "-" + strconv.Itoa(id.Task)
}

// Connector returns a connector's last state.
func (s *StatusStore) Connector(name string) (connect.State, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, ok := s.connectors[name]
	return st, ok
}

// Task returns a task's last state.
func (s *StatusStore) Task(id connect.TaskID) (connect.State, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, ok := s.tasks[id]
	return st, ok
}

// TaskStatus is a task's last state with the group generation of the
// worker that wrote it.
type TaskStatus struct {
	ID         connect.TaskID
	State      connect.State
	Generation int64
}

// TaskStatuses returns the last state of every task of connector with a
// status, by task number.
func (s *StatusStore) TaskStatuses(connector string) []TaskStatus {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []TaskStatus
	for id, st := range s.tasks {
		if id.Connector == connector {
			out = append(out, TaskStatus{ID: id, State: st, Generation: s.taskGens[id]})
		}
	}
	slices.SortFunc(out, func(a, b TaskStatus) int { return a.ID.Task - b.ID.Task })
	return out
}

// RemoveConnector writes tombstones for a connector's status and for the
// status of its tasks 0..tasks-1.
func (s *StatusStore) RemoveConnector(ctx context.Context, name string, tasks int) error {
	keys := []string{connectorStatusPrefix + name}
	for i := range tasks {
		keys = append(keys, taskKey(connect.TaskID{Connector: name, Task: i}))
	}
	for _, k := range keys {
		if err := s.log.SendAndApply(ctx, []byte(k), nil); err != nil {
			return fmt.Errorf("removing status of connector %q: %w", name, err)
		}
	}
	return nil
}

// Refresh reads the topic to its end.
func (s *StatusStore) Refresh(ctx context.Context) error {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("refreshing statuses: %w", err)
	}
	return nil
}

// Close closes the underlying log.
func (s *StatusStore) Close() error { return s.log.Close() }
