package storage

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tributary-cdc/tributary/connect/interworker"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
)

// Target states stored in the config topic.
const (
	TargetStarted = "STARTED"
	TargetPaused  = "PAUSED"
	TargetStopped = "STOPPED"
)

// Key prefixes of the config topic (KafkaConfigBackingStore).
const (
	connectorPrefix   = "connector-"
	taskPrefix        = "task-"
	commitPrefix      = "commit-"
	targetStatePrefix = "target-state-"
	restartPrefix     = "restart-connector-"
	loggerPrefix      = "logger-cluster-"
	fencingPrefix     = "tasks-fencing-"
	// sessionKeyKey is KafkaConfigBackingStore.SESSION_KEY_KEY.
	sessionKeyKey = "session-key"
)

// sessionKeyValue is KafkaConfigBackingStore.SESSION_KEY_V0, in its field
// order: the key's bytes in base64 (the JSON converter has no bytes
// without a schema), the key's algorithm, its creation time in epoch
// milliseconds.
type sessionKeyValue struct {
	Key               string `json:"key"`
	Algorithm         string `json:"algorithm"`
	CreationTimestamp int64  `json:"creation-timestamp"`
}

// taskCountValue is the value of a tasks-fencing-<name> record: the number
// of tasks of the connector's generation whose predecessors were fenced
// (exactly-once source support).
type taskCountValue struct {
	TaskCount int `json:"task-count"`
}

// RestartRequest is a restart-connector-<name> record: POST
// /connectors/{c}/restart as every worker of the cluster applies it to what
// it runs.
type RestartRequest struct {
	Connector    string
	IncludeTasks bool
	OnlyFailed   bool
}

// restartValue keeps Kafka Connect's field names and order.
type restartValue struct {
	IncludeTasks bool `json:"include-tasks"`
	OnlyFailed   bool `json:"only-failed"`
}

// loggerValue is the value of a logger-cluster-<namespace> record.
type loggerValue struct {
	Level string `json:"level"`
}

// ConfigListener follows the config topic once SetListener made it the
// store's listener; it is called from the log's goroutine and must not wait
// for a write to this store.
type ConfigListener interface {
	// ConfigChanged is called after a record about connector (its config,
	// task configs, commit or target state) has been applied. What was
	// applied before the listener was set is in the store for it to read.
	ConfigChanged(connector string)
	// RestartRequested and LoggerLevelChanged receive the records that are
	// requests rather than state. As in Kafka Connect, only records written
	// after the store was opened are passed on; the ones read at start-up
	// are history.
	RestartRequested(req RestartRequest)
	LoggerLevelChanged(namespace, level string)
}

// ConnectorState is what the config topic says about one connector.
type ConnectorState struct {
	Config map[string]string
	// Tasks are the committed task configs, task i at index i.
	Tasks []map[string]string
	// TargetState is STARTED, PAUSED or STOPPED (STARTED when never set).
	TargetState string
}

// ConfigStore is the config topic (Kafka Connect's KafkaConfigBackingStore):
// connector configs, task configs made live by commit records, and target
// states.
type ConfigStore struct {
	log      *kafkalog.Log
	logger   *slog.Logger
	started  atomic.Bool
	listener atomic.Pointer[ConfigListener]

	mu          sync.RWMutex
	configs     map[string]map[string]string
	tasks       map[string][]map[string]string
	targets     map[string]string
	uncommitted map[string]map[int]map[string]string // task configs waiting for their commit record
	taskCounts  map[string]int                       // tasks-fencing-<name> records
	sessionKey  *interworker.Key                     // the last session-key record
}

// OpenConfigStore opens the config topic described by cfg (its OnRecord is
// replaced) and reads it to the end. Records applied from then on reach the
// listener SetListener sets.
func OpenConfigStore(ctx context.Context, cfg kafkalog.Config) (*ConfigStore, error) {
	s := &ConfigStore{
		logger:      loggerOf(cfg),
		configs:     map[string]map[string]string{},
		tasks:       map[string][]map[string]string{},
		targets:     map[string]string{},
		uncommitted: map[string]map[int]map[string]string{},
		taskCounts:  map[string]int{},
	}
	cfg.OnRecord = s.apply
	cfg.Partitions = 1 // Kafka Connect requires a single-partition config topic
	l, err := kafkalog.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening config store: %w", err)
	}
	if n := l.Partitions(); n != 1 {
		_ = l.Close() // the open error is the one to report
		return nil, fmt.Errorf("opening config store: topic %q has %d partitions, it must have exactly 1", cfg.Topic, n)
	}
	s.log = l
	s.started.Store(true)
	return s, nil
}

// SetListener makes l receive the changes, restarts and log-level records
// read from now on.
func (s *ConfigStore) SetListener(l ConfigListener) { s.listener.Store(&l) }

type propertiesValue struct {
	Properties map[string]string `json:"properties"`
}

type commitValue struct {
	Tasks int `json:"tasks"`
}

// targetStateValue keeps Kafka Connect's field order: "state" is what workers
// before KIP-875 read (they know no STOPPED), "state.v2" the real state.
type targetStateValue struct {
	State   string `json:"state"`
	StateV2 string `json:"state.v2,omitempty"`
}

// apply is the log's OnRecord.
func (s *ConfigStore) apply(key, value []byte) {
	k := string(key)
	var connector string
	var err error
	switch {
	case strings.HasPrefix(k, connectorPrefix):
		connector = k[len(connectorPrefix):]
		err = s.applyConnector(connector, value)
	case strings.HasPrefix(k, taskPrefix):
		connector, err = s.applyTask(k[len(taskPrefix):], value)
	case strings.HasPrefix(k, commitPrefix):
		connector = k[len(commitPrefix):]
		err = s.applyCommit(connector, value)
	case strings.HasPrefix(k, targetStatePrefix):
		connector = k[len(targetStatePrefix):]
		err = s.applyTargetState(connector, value)
	case strings.HasPrefix(k, restartPrefix):
		s.applyRestart(k[len(restartPrefix):], value)
		return
	case strings.HasPrefix(k, loggerPrefix):
		s.applyLogger(k[len(loggerPrefix):], value)
		return
	case strings.HasPrefix(k, fencingPrefix):
		// Bookkeeping of the leader's fencing, not a change of the
		// connector: no ConfigChanged.
		s.applyTaskCount(k[len(fencingPrefix):], value)
		return
	case k == sessionKeyKey:
		s.applySessionKey(value)
		return
	default:
		s.logger.Debug("ignoring config record", "key", k)
		return
	}
	if errors.Is(err, errIncompleteCommit) {
		// KafkaConfigBackingStore logs this at DEBUG: compaction of a
		// healthy topic leaves such commits behind (see applyCommit).
		s.logger.Debug("ignoring commit record with an incomplete set of task configs, probably left by compaction", "key", k, "error", err)
		return
	}
	if err != nil {
		// Kafka Connect skips records it cannot decode; so do we, loudly.
		s.logger.Error("ignoring malformed config record", "key", k, "error", err)
		return
	}
	if l := s.listener.Load(); l != nil && connector != "" {
		(*l).ConfigChanged(connector)
	}
}

// listenerIfStarted is the listener for a request record, nil for records
// read while opening.
func (s *ConfigStore) listenerIfStarted() ConfigListener {
	if !s.started.Load() {
		return nil
	}
	if l := s.listener.Load(); l != nil {
		return *l
	}
	return nil
}

func (s *ConfigStore) applyTaskCount(connector string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		delete(s.taskCounts, connector)
		return
	}
	var v taskCountValue
	if err := json.Unmarshal(value, &v); err != nil {
		s.logger.Error("ignoring malformed task count record", "connector", connector, "error", err)
		return
	}
	s.taskCounts[connector] = v.TaskCount
}

// TaskCountRecord returns the task count of connector's last
// tasks-fencing-<name> record: how many tasks of its latest fenced
// generation may hold transactional ids.
func (s *ConfigStore) TaskCountRecord(connector string) (int, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, ok := s.taskCounts[connector]
	return n, ok
}

// PutTaskCountRecord writes tasks-fencing-<name> = {"task-count":n}, which
// the leader writes once the transactional producers of the connector's
// previous tasks are fenced.
func (s *ConfigStore) PutTaskCountRecord(ctx context.Context, connector string, n int) error {
	if err := s.write(ctx, fencingPrefix+connector, taskCountValue{TaskCount: n}); err != nil {
		return fmt.Errorf("writing task count record of %q: %w", connector, err)
	}
	return nil
}

// applySessionKey reads a session-key record as KafkaConfigBackingStore's
// processSessionKeyRecord does: a malformed one is logged and ignored.
func (s *ConfigStore) applySessionKey(value []byte) {
	if value == nil {
		s.logger.Error("ignoring session key because it is unexpectedly null")
		return
	}
	v, err := unmarshal(value)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		s.logger.Error("ignoring session key because the value is not a map", "error", err)
		return
	}
	encoded, ok := m["key"].(string)
	if !ok {
		s.logger.Error("invalid data for session key: the 'key' field is not a string")
		return
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		s.logger.Error("invalid data for session key: the 'key' field is not base64", "error", err)
		return
	}
	alg, ok := m["algorithm"].(string)
	if !ok {
		s.logger.Error("invalid data for session key: the 'algorithm' field is not a string")
		return
	}
	created, ok := m["creation-timestamp"].(int64)
	if !ok {
		s.logger.Error("invalid data for session key: the 'creation-timestamp' field is not a long")
		return
	}
	s.mu.Lock()
	s.sessionKey = &interworker.Key{Key: key, Algorithm: alg, Created: created}
	s.mu.Unlock()
	s.logger.Info("session key updated")
}

// SessionKey returns the session key of the last session-key record, if
// any: the key the workers sign their requests to each other with under
// the sessioned protocol.
func (s *ConfigStore) SessionKey() (interworker.Key, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sessionKey == nil {
		return interworker.Key{}, false
	}
	return *s.sessionKey, true
}

// PutSessionKey writes a session-key record (KafkaConfigBackingStore.
// putSessionKey), which the leader distributes.
func (s *ConfigStore) PutSessionKey(ctx context.Context, k interworker.Key) error {
	v := sessionKeyValue{Key: base64.StdEncoding.EncodeToString(k.Key), Algorithm: k.Algorithm, CreationTimestamp: k.Created}
	if err := s.write(ctx, sessionKeyKey, v); err != nil {
		return fmt.Errorf("writing session key: %w", err)
	}
	return nil
}

func (s *ConfigStore) applyRestart(connector string, value []byte) {
	if value == nil {
		return
	}
	var v restartValue
	if err := json.Unmarshal(value, &v); err != nil {
		s.logger.Error("ignoring malformed restart request", "connector", connector, "error", err)
		return
	}
	if l := s.listenerIfStarted(); l != nil {
		l.RestartRequested(RestartRequest{Connector: connector, IncludeTasks: v.IncludeTasks, OnlyFailed: v.OnlyFailed})
	}
}

func (s *ConfigStore) applyLogger(namespace string, value []byte) {
	if value == nil {
		return
	}
	var v loggerValue
	if err := json.Unmarshal(value, &v); err != nil || v.Level == "" {
		s.logger.Error("ignoring malformed logger level record", "namespace", namespace, "error", err)
		return
	}
	if l := s.listenerIfStarted(); l != nil {
		l.LoggerLevelChanged(namespace, v.Level)
	}
}

func (s *ConfigStore) applyConnector(name string, value []byte) error {
	if value == nil {
		s.mu.Lock()
		delete(s.configs, name)
		delete(s.tasks, name)
		delete(s.uncommitted, name)
		s.mu.Unlock()
		return nil
	}
	props, err := parseProperties(value)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.configs[name] = props
	s.mu.Unlock()
	return nil
}

// applyTask buffers task-<connector>-<n> until commit-<connector>.
func (s *ConfigStore) applyTask(rest string, value []byte) (string, error) {
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return "", fmt.Errorf("decoding task id %q", rest)
	}
	connector := rest[:i]
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil || n < 0 {
		return "", fmt.Errorf("decoding task id %q", rest)
	}
	if value == nil {
		return "", fmt.Errorf("task config tombstone for %q", rest)
	}
	props, err := parseProperties(value)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uncommitted[connector] == nil {
		s.uncommitted[connector] = map[int]map[string]string{}
	}
	s.uncommitted[connector][n] = props
	return connector, nil
}

// errIncompleteCommit marks a commit record read without the task records
// it commits.
var errIncompleteCommit = errors.New("incomplete set of task configs")

func (s *ConfigStore) applyCommit(connector string, value []byte) error {
	if value == nil {
		return fmt.Errorf("commit tombstone for %q", connector)
	}
	var c commitValue
	if err := json.Unmarshal(value, &c); err != nil {
		return fmt.Errorf("decoding task commit: %w", err)
	}
	if c.Tasks < 0 {
		return fmt.Errorf("decoding task commit: %d tasks", c.Tasks)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := s.uncommitted[connector]
	delete(s.uncommitted, connector)
	tasks := make([]map[string]string, c.Tasks)
	for i := range tasks {
		props, ok := pending[i]
		if !ok {
			// Kafka Connect marks such a connector inconsistent and keeps
			// the task configs it had. A config edit followed by
			// compaction leaves exactly this: the edit rewrote every
			// task-<name>-<n> key, so the cleaner dropped the task
			// records of the previous commit, but kept that commit while
			// the edit's own commit was still in the active segment
			// (KafkaConfigBackingStore.processTasksCommitRecord).
			return fmt.Errorf("commit of %d tasks without a config for task %d: %w", c.Tasks, i, errIncompleteCommit)
		}
		tasks[i] = props
	}
	s.tasks[connector] = tasks
	return nil
}

func (s *ConfigStore) applyTargetState(connector string, value []byte) error {
	if value == nil {
		s.mu.Lock()
		delete(s.targets, connector)
		s.mu.Unlock()
		return nil
	}
	var v targetStateValue
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("decoding target state: %w", err)
	}
	state := v.StateV2
	if state == "" {
		state = v.State
	}
	switch state {
	case TargetStarted, TargetPaused, TargetStopped:
	default:
		return fmt.Errorf("decoding target state: unknown state %q", state)
	}
	s.mu.Lock()
	s.targets[connector] = state
	s.mu.Unlock()
	return nil
}

// parseProperties decodes {"properties":{...}}. Kafka Connect writes only
// strings; other scalars are kept in their JSON form and nulls dropped.
func parseProperties(value []byte) (map[string]string, error) {
	var raw struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(value, &raw); err != nil {
		return nil, fmt.Errorf("decoding properties: %w", err)
	}
	if raw.Properties == nil {
		return nil, fmt.Errorf("decoding properties: no \"properties\" object")
	}
	props := make(map[string]string, len(raw.Properties))
	for k, v := range raw.Properties {
		var str string
		switch {
		case string(v) == "null":
			continue
		case json.Unmarshal(v, &str) == nil:
			props[k] = str
		default:
			props[k] = string(v)
		}
	}
	return props, nil
}

func (s *ConfigStore) write(ctx context.Context, key string, value any) error {
	var b []byte
	if value != nil {
		var err error
		if b, err = marshal(value); err != nil {
			return fmt.Errorf("encoding %s: %w", key, err)
		}
	}
	return s.log.SendAndApply(ctx, []byte(key), b)
}

// PutConnectorConfig writes a connector's config.
func (s *ConfigStore) PutConnectorConfig(ctx context.Context, name string, config map[string]string) error {
	if config == nil {
		config = map[string]string{}
	}
	if err := s.write(ctx, connectorPrefix+name, propertiesValue{Properties: config}); err != nil {
		return fmt.Errorf("writing config of connector %q: %w", name, err)
	}
	return nil
}

// PutTaskConfigs writes the task configs of a connector, then the commit
// record that makes them live. Zero tasks is valid (a stopped connector).
func (s *ConfigStore) PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string) error {
	for i, props := range tasks {
		if props == nil {
			props = map[string]string{}
		}
		key := fmt.Sprintf("%s%s-%d", taskPrefix, name, i)
		b, err := marshal(propertiesValue{Properties: props})
		if err != nil {
			return fmt.Errorf("writing task configs of %q: encoding task %d: %w", name, i, err)
		}
		if err := s.log.Send(ctx, []byte(key), b); err != nil {
			return fmt.Errorf("writing task configs of %q: %w", name, err)
		}
	}
	if err := s.write(ctx, commitPrefix+name, commitValue{Tasks: len(tasks)}); err != nil {
		return fmt.Errorf("writing task configs of %q: %w", name, err)
	}
	return nil
}

// PutTargetState writes STARTED, PAUSED or STOPPED for a connector. STOPPED
// is written as {"state":"PAUSED","state.v2":"STOPPED"} so that workers
// without KIP-875 pause instead.
func (s *ConfigStore) PutTargetState(ctx context.Context, name, state string) error {
	v := targetStateValue{State: state, StateV2: state}
	switch state {
	case TargetStarted, TargetPaused:
	case TargetStopped:
		v.State = TargetPaused
	default:
		return fmt.Errorf("writing target state of %q: unknown state %q", name, state)
	}
	if err := s.write(ctx, targetStatePrefix+name, v); err != nil {
		return fmt.Errorf("writing target state of %q: %w", name, err)
	}
	return nil
}

// PutRestartRequest writes restart-connector-<name>, which every worker
// applies to the connector and tasks it runs.
func (s *ConfigStore) PutRestartRequest(ctx context.Context, req RestartRequest) error {
	if err := s.write(ctx, restartPrefix+req.Connector, restartValue{IncludeTasks: req.IncludeTasks, OnlyFailed: req.OnlyFailed}); err != nil {
		return fmt.Errorf("writing restart request of %q: %w", req.Connector, err)
	}
	return nil
}

// PutLoggerLevel writes logger-cluster-<namespace>, which every worker
// applies to its log levels.
func (s *ConfigStore) PutLoggerLevel(ctx context.Context, namespace, level string) error {
	if err := s.write(ctx, loggerPrefix+namespace, loggerValue{Level: level}); err != nil {
		return fmt.Errorf("writing log level of %q: %w", namespace, err)
	}
	return nil
}

// RemoveConnector writes the tombstones that delete a connector: its config,
// then its target state.
func (s *ConfigStore) RemoveConnector(ctx context.Context, name string) error {
	for _, key := range []string{connectorPrefix + name, targetStatePrefix + name} {
		if err := s.write(ctx, key, nil); err != nil {
			return fmt.Errorf("removing connector %q: %w", name, err)
		}
	}
	return nil
}

// Connector returns a connector's config, committed tasks and target state;
// false if the connector has no config.
func (s *ConfigStore) Connector(name string) (ConnectorState, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	cfg, ok := s.configs[name]
	if !ok {
		return ConnectorState{}, false
	}
	st := ConnectorState{Config: maps.Clone(cfg), TargetState: TargetStarted}
	for _, t := range s.tasks[name] {
		st.Tasks = append(st.Tasks, maps.Clone(t))
	}
	if t, ok := s.targets[name]; ok {
		st.TargetState = t
	}
	return st, true
}

// Connectors returns the names of all connectors with a config, sorted.
func (s *ConfigStore) Connectors() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Sorted(maps.Keys(s.configs))
}

// Refresh reads the topic to its end.
func (s *ConfigStore) Refresh(ctx context.Context) error {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("refreshing configs: %w", err)
	}
	return nil
}

// Close closes the underlying log.
func (s *ConfigStore) Close() error { return s.log.Close() }
