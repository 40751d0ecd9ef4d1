package herder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/interworker"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/membudget"
	"github.com/tributary-cdc/tributary/connect/storage"
	"github.com/tributary-cdc/tributary/connect/worker"
)

// ConfigStore is the config topic as the herder uses it.
type ConfigStore interface {
	PutConnectorConfig(ctx context.Context, name string, config map[string]string) error
	PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string) error
	PutTargetState(ctx context.Context, name, state string) error
	RemoveConnector(ctx context.Context, name string) error
	PutRestartRequest(ctx context.Context, req storage.RestartRequest) error
	PutLoggerLevel(ctx context.Context, namespace, level string) error
	PutSessionKey(ctx context.Context, k interworker.Key) error
	SessionKey() (interworker.Key, bool)
	Connector(name string) (storage.ConnectorState, bool)
	Connectors() []string
	Refresh(ctx context.Context) error
}

// StatusStore is the status topic as the herder uses it.
type StatusStore interface {
	PutConnector(ctx context.Context, name string, st connect.State) error
	PutTask(ctx context.Context, id connect.TaskID, st connect.State) error
	Connector(name string) (connect.State, bool)
	Task(id connect.TaskID) (connect.State, bool)
	TaskStatuses(connector string) []storage.TaskStatus
	RemoveConnector(ctx context.Context, name string, tasks int) error
	PutTopic(ctx context.Context, st storage.TopicStatus) error
	Topics(connector string) []string
	ResetTopics(ctx context.Context, connector string) error
}

// OffsetStore is the offsets topic as the herder uses it: the tasks'
// reads and writes, and the listing behind GET /connectors/{c}/offsets.
type OffsetStore interface {
	worker.OffsetStore
	Partitions(connector string) []storage.OffsetEntry
	Refresh(ctx context.Context) error
}

// ConfigTransformer resolves ${provider:path:key} placeholders. The herder
// applies it only to the configs it validates and hands to starting tasks.
type ConfigTransformer interface {
	Transform(config map[string]string) (map[string]string, error)
}

// ConverterFactory builds a converter from its class name and its properties
// (prefix already stripped). An unknown class is an error.
type ConverterFactory func(class string, props map[string]string, isKey bool) (worker.Converter, error)

// Target states stored in the config topic.
const (
	TargetStarted = "STARTED"
	TargetPaused  = "PAUSED"
	TargetStopped = "STOPPED"
)

// Config wires a Herder.
type Config struct {
	WorkerID string // advertised host:port, reported as worker_id
	// RESTScheme is the scheme of the workers' advertised REST URLs, http
	// or https (rest.advertised.listener); empty means http. A task's
	// worker is reached at RESTScheme://<its worker_id>: the workers of a
	// cluster advertise the same kind of listener.
	RESTScheme string

	// Plugins are the connector implementations available, by class name.
	Plugins []func() connect.Connector
	// Transformations are the transformation classes available to a
	// connector's "transforms".
	Transformations []connect.TransformationPlugin
	// Predicates are the predicate classes available to a connector's
	// "predicates".
	Predicates []connect.PredicatePlugin
	// Converters builds key and value converters by class name.
	Converters ConverterFactory
	// ConverterConfigDef, if set, returns the ConfigDef of a converter
	// class (Converter.config()), nil for an unknown one: config/validate
	// then reports the keys of the converters a connector config names.
	ConverterConfigDef func(class string) *configdef.Def
	// KeyConverter/ValueConverter are the worker defaults; a connector
	// config may override them with the same keys.
	KeyConverter, ValueConverter           string
	KeyConverterProps, ValueConverterProps map[string]string

	Configs  ConfigStore
	Statuses StatusStore
	Offsets  OffsetStore
	// Transformer, if set, resolves config placeholders (config.providers).
	Transformer ConfigTransformer

	// NewProducer returns a fresh producer for one task, with the worker's
	// producer settings as the connector overrides them.
	NewProducer func(kafkaclient.ProducerSettings) (sarama.AsyncProducer, error)
	// ProducerSettings are the worker's `producer.*` settings.
	ProducerSettings kafkaclient.ProducerSettings
	// ProducerSecurity, if set, returns the security of a connector's task
	// producers (kafkaclient.ProducerSecurity: the worker's producer.*
	// settings and the connector's producer.override.* ones under the
	// worker's override policy), or the problems, each naming its
	// property; log receives its warnings. Nil leaves ProducerSettings'.
	ProducerSecurity func(connector map[string]string, log *slog.Logger) (*security.Config, []connect.ConfigError)

	// ExactlyOnce is exactly.once.source.support=enabled: tasks run with
	// a transactional producer (NewTransactionalProducer, given the
	// transactional id) and the leader fences removed tasks' producers
	// (FenceProducers) and writes tasks-fencing records.
	ExactlyOnce              bool
	GroupID                  string
	NewTransactionalProducer func(transactionalID string, s kafkaclient.ProducerSettings) (sarama.AsyncProducer, error)
	FenceProducers           func(transactionalIDs []string) error
	// Admin creates the change-event topics of connectors with
	// topic.creation.* settings.
	Admin sarama.ClusterAdmin
	// Client is the worker's Kafka client. A task whose topics the worker
	// does not create asks it for a topic's metadata before the first
	// record to it, as a producer does: a broker with
	// auto.create.topics.enable creates the topic then.
	Client sarama.Client
	// TopicCreationDisabled stops the worker from creating change-event
	// topics from the connectors' topic.creation.* settings
	// (topic.creation.enable=false): the broker creates them, or nobody.
	TopicCreationDisabled bool
	// OnTaskCount, if set, is told how many tasks run whenever the number
	// changes. It is called with the herder's lock held: it must be quick
	// and must not call the herder.
	OnTaskCount func(running int)
	// MemoryBudget, if set, is the worker's memory budget, shared by the
	// source tasks it runs (not by exactly-once ones yet).
	MemoryBudget *membudget.Budget

	FlushInterval, FlushTimeout time.Duration

	// ConfigOffset reports the offset of the last record of the config
	// topic, which the worker advertises to the group.
	ConfigOffset func(ctx context.Context) (int64, error)
	// Group is the worker's group membership, which hands the herder its
	// assignments (the herder is its membership.Handler). On the leader the
	// herder asks it to rebalance when the config topic's connectors or task
	// counts no longer match the work it last assigned.
	Group Rejoiner
	// InterWorker are the inter.worker.* settings: the leader's session
	// keys and the signatures of requests between workers under the
	// sessioned protocol. Zero means Kafka Connect's defaults.
	InterWorker InterWorkerConfig
	// HTTPClient sends this worker's requests to the leader (task configs
	// of a connector it runs); nil means http.DefaultClient.
	HTTPClient *http.Client

	// TopicTrackingDisabled stops tasks from recording their active topics
	// (topic.tracking.enable=false).
	TopicTrackingDisabled bool
	// Loggers, if set, receives the log levels set for the whole cluster
	// (logger-cluster-* records).
	Loggers LevelSetter
	// HealthTimeout bounds the health check's wait for the herder; zero
	// means DefaultHealthTimeout.
	HealthTimeout time.Duration

	ServerInfo ServerInfo
	Logger     *slog.Logger
}

// LevelSetter sets the level of a logger and its descendants.
type LevelSetter interface {
	SetLevel(name, level string) []string
}

// ServerInfo is the body of GET /.
type ServerInfo struct {
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	KafkaClusterID string `json:"kafka_cluster_id"`
}

// Herder manages the connectors of a single worker.
type Herder struct {
	cfg     Config
	log     *slog.Logger
	plugins map[string]func() connect.Connector // by every accepted alias

	// mu serialises config changes and guards tasks; it is never held while
	// waiting on Kafka for reads, only around writes and task start/stop.
	mu    sync.Mutex
	tasks map[connect.TaskID]*runningTask
	// failed holds tasks that stopped with an error. They stay down until
	// restarted or reconfigured, as in Kafka Connect.
	failed  map[connect.TaskID]bool
	baseCtx context.Context
	stop    context.CancelFunc
	closed  bool

	// What the current assignment gives this worker (nil before the first
	// one) and, on the leader, the work it was computed from.
	ownedConnectors map[string]bool
	ownedTasks      map[connect.TaskID]bool
	leaderWork      map[string]int
	generation      int
	// cooperative is whether the last assignment came under a
	// cooperative protocol (version 1 or 2).
	cooperative bool
	// leader is whether the last assignment made this worker the leader,
	// leaderURL the leader's REST URL, protocolVersion the version of the
	// group's protocol (0 eager, 1 compatible, 2 sessioned).
	leader          bool
	leaderURL       string
	protocolVersion int16
	// forwarding names the connectors whose task configs are on their way
	// to the leader; forwards tracks those requests.
	forwarding map[string]bool
	// forwardFailures counts, per connector, the failed attempts in a row
	// to send its task configs to the leader: the retry backs off.
	forwardFailures map[string]int
	forwards        sync.WaitGroup
	// keyWake tells rotateKeys to check the session key; keysDone is
	// closed when it returns.
	keyWake  chan struct{}
	keysDone chan struct{}
	// tasksGone maps each connector with no task configs to the generation
	// of the first assignment this worker completed after seeing it so.
	tasksGone map[string]int

	// ready is set once the herder can serve: at its first assignment.
	ready atomic.Bool
	// stages are the operations in progress, for the health check.
	stages stages

	// dirty holds connectors whose config records changed, for the
	// watcher goroutine; wake signals it.
	dirtyMu     sync.Mutex
	dirty       map[string]bool
	restarts    map[string]storage.RestartRequest
	wake        chan struct{}
	watcherDone chan struct{}

	// retry restarts tasks that failed with a retriable error (retry.go).
	retry retryState
}

type runningTask struct {
	config map[string]string
	cancel context.CancelFunc
	done   chan struct{}
	// task is the connector's task instance once built (under h.mu).
	task connect.SourceTask
	// errors counts the records its runner failed on (task-error-metrics).
	errors *worker.ErrorMetrics
	// stopState is the status written when the task stops cleanly.
	stopState string
}

// New returns a herder; Start brings up the stored connectors.
func New(cfg Config) *Herder {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Herder{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "herder"),
		plugins:  make(map[string]func() connect.Connector),
		tasks:    make(map[connect.TaskID]*runningTask),
		failed:   make(map[connect.TaskID]bool),
		dirty:    make(map[string]bool),
		restarts: make(map[string]storage.RestartRequest),
		wake:     make(chan struct{}, 1),
		keyWake:  make(chan struct{}, 1),

		forwarding:      make(map[string]bool),
		forwardFailures: make(map[string]int),
	}
	if cfg.InterWorker.KeyAlgorithm == "" {
		h.cfg.InterWorker = InterWorkerConfig{KeyAlgorithm: interworker.DefaultAlgorithm, KeyTTL: time.Hour,
			SignatureAlgorithm: interworker.DefaultAlgorithm, VerificationAlgorithms: []string{interworker.DefaultAlgorithm}}
	}
	for _, p := range cfg.Plugins {
		class := p().Class()
		simple := class[strings.LastIndexByte(class, '.')+1:]
		h.plugins[class] = p
		h.plugins[simple] = p
		h.plugins[strings.TrimSuffix(simple, "Connector")] = p
	}
	h.baseCtx, h.stop = context.WithCancel(context.Background())
	return h
}

// Start starts following config changes, made by this worker or others.
// The herder runs nothing until its first assignment (Assigned), which
// starts the connectors and tasks it gives this worker.
func (h *Herder) Start(context.Context) error {
	h.watcherDone = make(chan struct{})
	go h.watch()
	h.keysDone = make(chan struct{})
	go h.rotateKeys()
	return nil
}

// Stop stops every task, committing their offsets, and waits for them.
func (h *Herder) Stop() {
	h.mu.Lock()
	h.closed = true
	h.stopTasksLocked(slices.Collect(maps.Keys(h.tasks)), connect.StateUnassigned)
	h.mu.Unlock()
	h.stop()
	h.retry.wg.Wait()
	if h.watcherDone != nil {
		<-h.watcherDone
	}
	if h.keysDone != nil {
		<-h.keysDone
	}
	h.forwards.Wait()
}

// ServerInfo answers GET /.
func (h *Herder) ServerInfo() ServerInfo { return h.cfg.ServerInfo }

// Connectors lists connector names.
func (h *Herder) Connectors(context.Context) ([]string, error) {
	return h.cfg.Configs.Connectors(), nil
}

func (h *Herder) state(name string) (storage.ConnectorState, error) {
	st, ok := h.cfg.Configs.Connector(name)
	if !ok || st.Config == nil {
		return storage.ConnectorState{}, fmt.Errorf("connector %s: %w", name, connect.ErrNotFound)
	}
	return st, nil
}

func (h *Herder) info(name string, st storage.ConnectorState) connect.ConnectorInfo {
	info := connect.ConnectorInfo{Name: name, Config: st.Config, Tasks: []connect.TaskID{}, Type: "unknown"}
	if p := h.plugin(st.Config); p != nil {
		info.Type = p().Type()
	}
	for i := range st.Tasks {
		info.Tasks = append(info.Tasks, connect.TaskID{Connector: name, Task: i})
	}
	return info
}

func (h *Herder) plugin(config map[string]string) func() connect.Connector {
	return h.plugins[config["connector.class"]]
}

// ConnectorInfo answers GET /connectors/{name}.
func (h *Herder) ConnectorInfo(_ context.Context, name string) (connect.ConnectorInfo, error) {
	st, err := h.state(name)
	if err != nil {
		return connect.ConnectorInfo{}, err
	}
	return h.info(name, st), nil
}

// ConnectorConfig answers GET /connectors/{name}/config.
func (h *Herder) ConnectorConfig(_ context.Context, name string) (map[string]string, error) {
	st, err := h.state(name)
	if err != nil {
		return nil, err
	}
	return st.Config, nil
}

// TaskConfigs answers GET /connectors/{name}/tasks.
func (h *Herder) TaskConfigs(_ context.Context, name string) ([]map[string]string, error) {
	st, err := h.state(name)
	if err != nil {
		return nil, err
	}
	return st.Tasks, nil
}

// ConnectorStatus answers GET /connectors/{name}/status.
func (h *Herder) ConnectorStatus(_ context.Context, name string) (connect.ConnectorStateInfo, error) {
	st, err := h.state(name)
	if err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	out := connect.ConnectorStateInfo{Name: name, Type: h.info(name, st).Type, Tasks: []connect.TaskState{}}
	if cs, ok := h.cfg.Statuses.Connector(name); ok {
		out.Connector = cs
	} else {
		out.Connector = connect.State{State: connect.StateUnassigned, WorkerID: h.cfg.WorkerID}
	}
	for i := range st.Tasks {
		ts := h.taskState(connect.TaskID{Connector: name, Task: i})
		out.Tasks = append(out.Tasks, ts)
	}
	return out, nil
}

func (h *Herder) taskState(id connect.TaskID) connect.TaskState {
	ts := connect.TaskState{ID: id.Task, State: connect.StateUnassigned, WorkerID: h.cfg.WorkerID}
	if s, ok := h.cfg.Statuses.Task(id); ok {
		ts.State, ts.WorkerID, ts.Trace = s.State, s.WorkerID, s.Trace
	}
	return ts
}

// TaskStatus answers GET /connectors/{name}/tasks/{id}/status.
func (h *Herder) TaskStatus(_ context.Context, id connect.TaskID) (connect.TaskState, error) {
	st, err := h.state(id.Connector)
	if err != nil {
		return connect.TaskState{}, err
	}
	if id.Task < 0 || id.Task >= len(st.Tasks) {
		return connect.TaskState{}, fmt.Errorf("task %s-%d: %w", id.Connector, id.Task, connect.ErrNotFound)
	}
	return h.taskState(id), nil
}

// CreateConnector validates config and creates the connector, answering
// connect.ErrAlreadyExists or a *connect.ValidationError when it cannot.
func (h *Herder) CreateConnector(ctx context.Context, name string, config map[string]string) (connect.ConnectorInfo, error) {
	return h.CreateConnectorInState(ctx, name, config, connect.StateRunning)
}

// CreateConnectorInState is CreateConnector with an initial state (KIP-980):
// connect.StateRunning, connect.StatePaused or connect.StateStopped.
func (h *Herder) CreateConnectorInState(ctx context.Context, name string, config map[string]string, state string) (connect.ConnectorInfo, error) {
	target, ok := map[string]string{
		connect.StateRunning: TargetStarted, connect.StatePaused: TargetPaused, connect.StateStopped: TargetStopped,
	}[state]
	if !ok {
		return connect.ConnectorInfo{}, fmt.Errorf("initial state %q: %w", state, connect.ErrBadRequest)
	}
	info, _, err := h.putConfig(ctx, name, config, false, target)
	return info, err
}

// PutConnectorConfig creates or updates a connector.
func (h *Herder) PutConnectorConfig(ctx context.Context, name string, config map[string]string) (connect.ConnectorInfo, bool, error) {
	return h.putConfig(ctx, name, config, true, TargetStarted)
}

// putConfig validates and stores a connector config, creating the
// connector in target state initial if it does not exist yet.
func (h *Herder) putConfig(ctx context.Context, name string, config map[string]string, allowUpdate bool, initial string) (connect.ConnectorInfo, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.putConfigLocked(ctx, name, config, allowUpdate, initial)
}

func (h *Herder) putConfigLocked(ctx context.Context, name string, config map[string]string, allowUpdate bool, initial string) (connect.ConnectorInfo, bool, error) {
	config = maps.Clone(config)
	config["name"] = name
	if h.closed {
		return connect.ConnectorInfo{}, false, errors.New("worker is shutting down")
	}
	if err := h.notLeaderLocked("Only the leader can set connector configs."); err != nil {
		return connect.ConnectorInfo{}, false, err
	}
	existing, exists := h.cfg.Configs.Connector(name)
	exists = exists && existing.Config != nil
	if exists && !allowUpdate {
		return connect.ConnectorInfo{}, false, fmt.Errorf("connector %s: %w", name, connect.ErrAlreadyExists)
	}
	tasks, err := h.validate(ctx, name, config)
	if err != nil {
		return connect.ConnectorInfo{}, false, err
	}
	if !exists {
		if err := h.cfg.Configs.PutTargetState(ctx, name, initial); err != nil {
			return connect.ConnectorInfo{}, false, fmt.Errorf("writing target state: %w", err)
		}
	}
	if err := h.cfg.Configs.PutConnectorConfig(ctx, name, config); err != nil {
		return connect.ConnectorInfo{}, false, fmt.Errorf("writing connector config: %w", err)
	}
	target := initial
	if exists {
		target = existing.TargetState
	}
	if target == TargetStopped {
		// A stopped connector has no tasks; resume generates them.
		tasks = nil
	}
	if err := h.cfg.Configs.PutTaskConfigs(ctx, name, tasks); err != nil {
		return connect.ConnectorInfo{}, false, fmt.Errorf("writing task configs: %w", err)
	}
	h.clearFailedLocked(name)
	if err := h.reconcileLocked(ctx, name); err != nil {
		return connect.ConnectorInfo{}, false, err
	}
	st, err := h.state(name)
	if err != nil {
		return connect.ConnectorInfo{}, false, err
	}
	return h.info(name, st), !exists, nil
}

// validate checks config as create does; on success it returns the task
// configs.
func (h *Herder) validate(ctx context.Context, name string, config map[string]string) ([]map[string]string, error) {
	errs, maxTasks, err := h.checkConfig(ctx, name, config)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, &connect.ValidationError{Errors: errs}
	}
	// Task configs keep the placeholders: they go to the config topic.
	tasks, err := h.plugin(config)().TaskConfigs(config, maxTasks)
	if err != nil {
		return nil, fmt.Errorf("computing task configs: %w", err)
	}
	return tasks, nil
}

// checkConfig returns every problem with config at once: the worker-level
// keys, then the connector's own checks on the resolved config.
func (h *Herder) checkConfig(ctx context.Context, name string, config map[string]string) ([]connect.ConfigError, int, error) {
	var errs []connect.ConfigError
	if strings.TrimSpace(name) == "" {
		errs = append(errs, connect.ConfigError{Name: "name", Message: "Connector name must not be empty"})
	} else if err := configdef.NonEmptyStringWithoutControlChars().EnsureValid("name", name); err != nil {
		// ConnectorConfig's "name" validator: ISO control characters are
		// refused, anything else printable ("/" included) is a name.
		errs = append(errs, connect.ConfigError{Name: "name", Message: err.Error()})
	}
	class := config["connector.class"]
	p := h.plugin(config)
	switch {
	case class == "":
		errs = append(errs, connect.ConfigError{Name: "connector.class", Message: `Missing required configuration "connector.class" which has no default value.`})
	case p == nil:
		errs = append(errs, connect.ConfigError{Name: "connector.class", Message: fmt.Sprintf(
			"Invalid value %s for configuration connector.class: Failed to find any class that implements Connector and which name matches %s, available connectors are: %s",
			class, class, strings.Join(h.classes(), ", "))})
	}
	_, policyErrs := parseRestartPolicy(config)
	errs = append(errs, policyErrs...)
	errs = append(errs, h.checkExactlyOnce(config, p)...)
	_, _, producerErrs := kafkaclient.ParseProducerSettings(h.cfg.ProducerSettings, config, kafkaclient.ConnectorProducerPrefix)
	errs = append(errs, producerErrs...)
	// The framework's keys as SourceConnectorConfigDef declares them; the
	// name, the class, the exactly-once keys and the topic creation groups
	// are checked above and below, with the runtime's knowledge.
	framework, frameworkErrs := frameworkErrors(config, func(name string) bool {
		switch name {
		case "name", "connector.class", propExactlyOnceSupport, propTransactionBoundary, propBoundaryInterval, keyTopicCreationGroups:
			return false
		}
		return true
	})
	errs = append(errs, frameworkErrs...)
	maxTasks := framework.Int("tasks.max")
	for _, isKey := range []bool{true, false} {
		key, class, props := h.converterConfig(config, isKey)
		if _, err := h.cfg.Converters(class, props, isKey); err != nil {
			errs = append(errs, connect.ConfigError{Name: key, Message: fmt.Sprintf("Invalid value %s for configuration %s: %v", class, key, err)})
		}
	}
	resolved, err := h.resolve(config)
	if err != nil {
		return nil, 0, err
	}
	_, transformErrs := h.buildTransforms(resolved)
	errs = append(errs, transformErrs...)
	_, topicErrs := parseTopicCreation(resolved, !h.cfg.TopicCreationDisabled)
	errs = append(errs, topicErrs...)
	if h.cfg.ProducerSecurity != nil {
		// Resolved: passwords often come from config providers.
		_, secErrs := h.cfg.ProducerSecurity(resolved, nil)
		errs = append(errs, secErrs...)
	}
	errs = append(errs, sharedClientOverrides(config)...)
	if p != nil {
		errs = append(errs, p().Validate(ctx, resolved)...)
	}
	return errs, maxTasks, nil
}

// sharedClientOverrides refuses a connector's admin.override.* and
// consumer.override.* security settings: a source connector's tasks share
// the worker's admin client (topic creation, fencing) and read with no
// consumer of their own, so such a setting would have no effect.
func sharedClientOverrides(config map[string]string) []connect.ConfigError {
	var errs []connect.ConfigError
	for _, prefix := range []string{security.AdminOverridePrefix, security.ConsumerOverridePrefix} {
		for _, n := range security.Names {
			if _, ok := config[prefix+n]; ok {
				errs = append(errs, connect.ConfigError{Name: prefix + n, Message: fmt.Sprintf(
					"%s%s cannot be overridden: Tributary's source connectors use the worker's admin client and no consumer of their own; "+
						"set the worker's %s or admin.%s instead", prefix, n, n, n)})
			}
		}
	}
	slices.SortFunc(errs, func(a, b connect.ConfigError) int { return strings.Compare(a.Name, b.Name) })
	return errs
}

// resolve applies the config providers, if any. A placeholder a provider
// cannot resolve is a configuration error of its property: a 400 naming it,
// not a 500.
func (h *Herder) resolve(config map[string]string) (map[string]string, error) {
	if h.cfg.Transformer == nil {
		return config, nil
	}
	out, err := h.cfg.Transformer.Transform(config)
	if err != nil {
		return nil, &connect.BadRequestError{Message: "resolving config placeholders: " + err.Error()}
	}
	return out, nil
}

func (h *Herder) classes() []string {
	var out []string
	for _, p := range h.cfg.Plugins {
		out = append(out, p().Class())
	}
	return out
}

// converterConfig resolves the converter for a connector: the connector's
// own key.converter / value.converter (with its prefixed settings) wins over
// the worker's.
func (h *Herder) converterConfig(config map[string]string, isKey bool) (key, class string, props map[string]string) {
	key, class, props = "value.converter", h.cfg.ValueConverter, h.cfg.ValueConverterProps
	if isKey {
		key, class, props = "key.converter", h.cfg.KeyConverter, h.cfg.KeyConverterProps
	}
	if c, ok := config[key]; ok {
		class = c
		props = map[string]string{}
	}
	props = maps.Clone(props)
	if props == nil {
		props = map[string]string{}
	}
	for k, v := range config {
		if rest, ok := strings.CutPrefix(k, key+"."); ok {
			props[rest] = v
		}
	}
	return key, class, props
}

// DeleteConnector stops the connector's tasks and removes it.
func (h *Herder) DeleteConnector(ctx context.Context, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.notLeaderLocked("Only the leader can delete connector configs."); err != nil {
		return err
	}
	st, err := h.state(name)
	if err != nil {
		return err
	}
	if err := h.cfg.Configs.RemoveConnector(ctx, name); err != nil {
		return fmt.Errorf("removing connector config: %w", err)
	}
	h.stopConnectorTasksLocked(name, "")
	h.clearFailedLocked(name)
	if err := h.cfg.Statuses.RemoveConnector(ctx, name, len(st.Tasks)); err != nil {
		return fmt.Errorf("removing connector status: %w", err)
	}
	if err := h.cfg.Statuses.ResetTopics(ctx, name); err != nil {
		return fmt.Errorf("removing active topics: %w", err)
	}
	return nil
}

// PauseConnector stops the connector's tasks and marks it PAUSED.
func (h *Herder) PauseConnector(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, TargetPaused)
}

// ResumeConnector restarts a paused or stopped connector.
func (h *Herder) ResumeConnector(ctx context.Context, name string) error {
	return h.setTarget(ctx, name, TargetStarted)
}

func (h *Herder) setTarget(ctx context.Context, name, target string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, err := h.state(name); err != nil {
		return err
	}
	if err := h.cfg.Configs.PutTargetState(ctx, name, target); err != nil {
		return fmt.Errorf("writing target state: %w", err)
	}
	return h.reconcileLocked(ctx, name)
}

// RestartConnector restarts the connector instance only, as Kafka
// Connect's plain restart does. It writes a restart-connector-<name>
// record, which the worker running the connector applies: Tributary's
// connectors hold no resources outside their tasks, so that worker
// re-applies the connector's target state.
func (h *Herder) RestartConnector(ctx context.Context, name string) error {
	if _, err := h.state(name); err != nil {
		return err
	}
	if err := h.notLeader("Only the leader can process restart requests."); err != nil {
		return err
	}
	return h.requestRestart(ctx, storage.RestartRequest{Connector: name})
}

// RestartConnectorAndTasks restarts the connector and, with includeTasks,
// its tasks (only the FAILED ones with onlyFailed). It returns the status in
// which everything being restarted shows RESTARTING (KIP-745). Every worker
// restarts its part of the plan when it reads the request from the config
// topic, as Kafka Connect's workers do.
func (h *Herder) RestartConnectorAndTasks(ctx context.Context, name string, includeTasks, onlyFailed bool) (connect.ConnectorStateInfo, error) {
	status, err := h.ConnectorStatus(ctx, name)
	if err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	if err := h.notLeader("Only the leader can process restart requests."); err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	restartConnector := !onlyFailed || status.Connector.State == connect.StateFailed
	if restartConnector {
		status.Connector.State = connect.StateRestarting
	}
	if includeTasks {
		for i, ts := range status.Tasks {
			if !onlyFailed || ts.State == connect.StateFailed {
				status.Tasks[i].State = connect.StateRestarting
				status.Tasks[i].Trace = ""
			}
		}
	}
	req := storage.RestartRequest{Connector: name, IncludeTasks: includeTasks, OnlyFailed: onlyFailed}
	if err := h.requestRestart(ctx, req); err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	return status, nil
}

// RestartTask restarts one task. A worker that does not run the task
// answers a *NotAssignedError naming the worker that does, per the status
// topic, so that the request can be forwarded there.
func (h *Herder) RestartTask(ctx context.Context, id connect.TaskID) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := h.state(id.Connector)
	if err != nil {
		return err
	}
	if id.Task < 0 || id.Task >= len(st.Tasks) {
		return fmt.Errorf("task %s-%d: %w", id.Connector, id.Task, connect.ErrNotFound)
	}
	if !h.runsTaskLocked(id) {
		return h.notAssigned(id)
	}
	h.stopTasksLocked([]connect.TaskID{id}, connect.StateRestarting)
	delete(h.failed, id)
	return h.reconcileLocked(ctx, id.Connector)
}

// reconcileLocked makes what this worker runs of one connector match the
// config topic and its assignment: the tasks assigned to it run with their
// stored config iff the target state is STARTED, and, if it owns the
// connector instance, it records the connector's state.
func (h *Herder) reconcileLocked(ctx context.Context, name string) error {
	st, ok := h.cfg.Configs.Connector(name)
	if !ok || st.Config == nil {
		h.stopConnectorTasksLocked(name, "")
		return nil
	}
	target := st.TargetState
	if target == "" {
		target = TargetStarted
	}
	owner := h.ownsConnectorLocked(name)
	if target != TargetStarted {
		state, taskState := connect.StatePaused, connect.StatePaused
		if target == TargetStopped {
			state, taskState = connect.StateStopped, connect.StateUnassigned
		}
		h.stopConnectorTasksLocked(name, taskState)
		if !owner {
			return nil
		}
		return h.putConnectorStatus(ctx, name, state)
	}
	if !owner {
		// Another worker runs the connector; this one may run some of its
		// tasks.
		h.reconcileTasksLocked(name, st)
		return nil
	}
	if len(st.Tasks) == 0 {
		// Started after a stop: the connector generates its tasks anew.
		tasks, err := h.generateTasks(st.Config)
		if err != nil {
			return err
		}
		forwarded, err := h.writeTaskConfigsLocked(ctx, name, tasks)
		if err != nil {
			return err
		}
		if forwarded {
			// The leader writes them; their records reconcile again.
			return nil
		}
		if st, ok = h.cfg.Configs.Connector(name); !ok || st.Config == nil {
			return nil
		}
	}
	if err := h.putConnectorStatus(ctx, name, connect.StateRunning); err != nil {
		return err
	}
	h.reconcileTasksLocked(name, st)
	return nil
}

// reconcileTasksLocked stops the connector's tasks whose config changed or
// that this worker no longer runs, and starts the missing ones it runs.
func (h *Herder) reconcileTasksLocked(name string, st storage.ConnectorState) {
	var stale []connect.TaskID
	for id, rt := range h.tasks {
		if id.Connector == name && (id.Task >= len(st.Tasks) || !maps.Equal(rt.config, st.Tasks[id.Task]) || !h.runsTaskLocked(id)) {
			stale = append(stale, id)
		}
	}
	h.stopTasksLocked(stale, "")
	// Stopping released h.mu: read the config topic again.
	if cur, ok := h.cfg.Configs.Connector(name); ok && cur.Config != nil {
		st = cur
	} else {
		return
	}
	if t := st.TargetState; t != "" && t != TargetStarted {
		return
	}
	for i, tc := range st.Tasks {
		id := connect.TaskID{Connector: name, Task: i}
		if _, running := h.tasks[id]; !running && !h.failed[id] && !h.closed && h.runsTaskLocked(id) {
			h.startTaskLocked(id, st.Config, tc)
		}
	}
}

// ownsConnectorLocked reports whether the current assignment gives this
// worker the connector instance.
func (h *Herder) ownsConnectorLocked(name string) bool {
	return h.ownedConnectors[name]
}

// runsTaskLocked reports whether the current assignment gives this worker
// the task.
func (h *Herder) runsTaskLocked(id connect.TaskID) bool {
	return h.ownedTasks[id]
}

func (h *Herder) putConnectorStatus(ctx context.Context, name, state string) error {
	if cur, ok := h.cfg.Statuses.Connector(name); ok && cur.State == state && cur.WorkerID == h.cfg.WorkerID {
		return nil
	}
	if err := h.cfg.Statuses.PutConnector(ctx, name, connect.State{State: state, WorkerID: h.cfg.WorkerID}); err != nil {
		return fmt.Errorf("writing connector status: %w", err)
	}
	return nil
}

func (h *Herder) clearFailedLocked(name string) {
	for id := range h.failed {
		if id.Connector == name {
			delete(h.failed, id)
		}
	}
}

// stopConnectorTasksLocked stops every running task of name, writing state
// (if not empty) as each task's status.
func (h *Herder) stopConnectorTasksLocked(name, state string) {
	var ids []connect.TaskID
	for id := range h.tasks {
		if id.Connector == name {
			ids = append(ids, id)
		}
	}
	h.stopTasksLocked(ids, state)
}

// stopTasksLocked stops the given tasks in parallel. h.mu is released while
// waiting, so callers must re-read any state they derived before.
func (h *Herder) stopTasksLocked(ids []connect.TaskID, state string) {
	if len(ids) == 0 {
		return
	}
	h.mu.Unlock()
	defer h.mu.Lock()
	defer h.stages.begin("waiting for tasks to stop")()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() { h.stopTask(id, state) })
	}
	wg.Wait()
}

func (h *Herder) taskCountChangedLocked() {
	if h.cfg.OnTaskCount != nil {
		h.cfg.OnTaskCount(len(h.tasks))
	}
}

// stopTask cancels a running task and waits for it to finish its shutdown.
// It must be called without h.mu held.
func (h *Herder) stopTask(id connect.TaskID, state string) {
	h.mu.Lock()
	rt := h.tasks[id]
	if rt != nil {
		rt.stopState = state
	}
	h.mu.Unlock()
	if rt == nil {
		return
	}
	rt.cancel()
	<-rt.done
}

func (h *Herder) startTaskLocked(id connect.TaskID, connConfig, taskConfig map[string]string) {
	ctx, cancel := context.WithCancel(h.baseCtx)
	rt := &runningTask{config: taskConfig, cancel: cancel, done: make(chan struct{})}
	h.tasks[id] = rt
	h.taskCountChangedLocked()
	log := h.cfg.Logger.With("connector", id.Connector, "task", id.Task)
	go func() {
		var err error
		defer close(rt.done)
		defer func() {
			h.mu.Lock()
			if h.tasks[id] == rt {
				delete(h.tasks, id)
				h.taskCountChangedLocked()
				// A task stopped on purpose (revoked, reconfigured, paused,
				// deleted) that fails on its way out is not held back from
				// its next start: whoever stopped it decides what runs next.
				if err != nil && rt.stopState == "" {
					h.failed[id] = true
				}
			}
			h.mu.Unlock()
		}()
		err = h.runTask(ctx, id, rt, connConfig, taskConfig, log)
		statusCtx, cancelStatus := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancelStatus()
		switch {
		case err != nil:
			h.taskFailed(statusCtx, id, rt, connConfig, err, log)
		default:
			h.mu.Lock()
			state := rt.stopState
			h.mu.Unlock()
			if state != "" {
				h.putTaskStatus(statusCtx, id, state, "", log)
			}
		}
	}()
}

func (h *Herder) putTaskStatus(ctx context.Context, id connect.TaskID, state, trace string, log *slog.Logger) {
	if err := h.cfg.Statuses.PutTask(ctx, id, connect.State{State: state, WorkerID: h.cfg.WorkerID, Trace: trace}); err != nil {
		// The status topic is advisory; the task's data path is unaffected.
		log.Error("writing task status", "state", state, "error", err)
	}
}

// runTask builds the task's pipeline and runs it until ctx is cancelled or
// it fails.
func (h *Herder) runTask(ctx context.Context, id connect.TaskID, rt *runningTask, connConfig, taskConfig map[string]string, log *slog.Logger) error {
	p := h.plugin(connConfig)
	if p == nil {
		return fmt.Errorf("connector class %q is not available", connConfig["connector.class"])
	}
	_, kclass, kprops := h.converterConfig(connConfig, true)
	keyConv, err := h.cfg.Converters(kclass, kprops, true)
	if err != nil {
		return fmt.Errorf("configuring key converter: %w", err)
	}
	_, vclass, vprops := h.converterConfig(connConfig, false)
	valueConv, err := h.cfg.Converters(vclass, vprops, false)
	if err != nil {
		return fmt.Errorf("configuring value converter: %w", err)
	}
	if connConfig, err = h.resolve(connConfig); err != nil {
		return err
	}
	if taskConfig, err = h.resolve(taskConfig); err != nil {
		return err
	}
	chain, errs := h.buildTransforms(connConfig)
	if len(errs) > 0 {
		return fmt.Errorf("configuring transformations: %w", &connect.ValidationError{Errors: errs})
	}
	for _, t := range chain {
		if lt, ok := t.(connect.LoggingTransformation); ok {
			lt.SetLogger(log)
		}
	}
	creation, err := h.topicCreationOf(connConfig)
	if err != nil {
		return err
	}
	if creation != nil && creation.listsDefault {
		log.Warn("'default' topic creation group always exists and does not need to be listed explicitly")
	}
	topics := &topicCreator{admin: h.cfg.Admin, client: h.cfg.Client, creation: creation,
		disabled: h.cfg.TopicCreationDisabled, settings: usesTopicCreation(connConfig),
		statuses: h.cfg.Statuses, id: id, track: !h.cfg.TopicTrackingDisabled, log: log}
	producerSettings, ignored, producerErrs := kafkaclient.ParseProducerSettings(h.cfg.ProducerSettings, connConfig, kafkaclient.ConnectorProducerPrefix)
	if len(producerErrs) > 0 {
		return fmt.Errorf("configuring the producer: %w", &connect.ValidationError{Errors: producerErrs})
	}
	if len(ignored) > 0 {
		log.Warn("ignoring producer overrides Tributary does not support", "properties", ignored)
	}
	if h.cfg.ProducerSecurity != nil {
		sec, errs := h.cfg.ProducerSecurity(connConfig, log)
		if len(errs) > 0 {
			return fmt.Errorf("configuring the producer: %w", &connect.ValidationError{Errors: errs})
		}
		producerSettings.Security = sec
	}
	task := p().NewTask()
	h.mu.Lock()
	rt.task = task
	rt.errors = &worker.ErrorMetrics{}
	h.mu.Unlock()
	cfg := worker.SourceTaskConfig{
		Errors:           errorHandling(connConfig, kclass, vclass),
		ErrorMetrics:     rt.errors,
		ID:               id,
		Task:             h.watchProgress(id, task),
		Config:           taskConfig,
		Transforms:       chain,
		KeyConverter:     keyConv,
		ValueConverter:   valueConv,
		Offsets:          h.cfg.Offsets,
		Topics:           topics,
		FlushInterval:    h.cfg.FlushInterval,
		FlushTimeout:     h.cfg.FlushTimeout,
		MaxInFlightBytes: producerSettings.BufferMemory,
		Budget:           h.cfg.MemoryBudget,
		Logger:           log,
	}
	var runner interface{ Run(context.Context) error }
	if h.cfg.ExactlyOnce {
		if runner, err = h.newExactlyOnceRunner(id, connConfig, cfg, producerSettings); err != nil {
			return err
		}
	} else {
		if cfg.Producer, err = h.cfg.NewProducer(producerSettings); err != nil {
			return fmt.Errorf("creating producer: %w", err)
		}
		runner = worker.NewSourceTaskRunner(cfg)
	}
	statusCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	h.putTaskStatus(statusCtx, id, connect.StateRunning, "", log)
	cancel()
	return runner.Run(ctx)
}

// trace renders an error for the status "trace" field: the message, then
// each wrapped cause on its own line, in the spirit of a Java stack trace.
func trace(err error) string {
	var b strings.Builder
	b.WriteString("org.apache.kafka.connect.errors.ConnectException: ")
	b.WriteString(err.Error())
	for cause := errors.Unwrap(err); cause != nil; cause = errors.Unwrap(cause) {
		b.WriteString("\nCaused by: ")
		b.WriteString(cause.Error())
	}
	return b.String()
}
