package rest

import (
	"context"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/interworker"
)

// Herder is what the REST layer needs from the runtime. The runtime's herder
// implements it. Lookups of unknown connectors or tasks return an error
// wrapping connect.ErrNotFound; the REST layer writes Kafka Connect's message.
type Herder interface {
	Connectors(ctx context.Context) ([]string, error)
	ConnectorInfo(ctx context.Context, name string) (connect.ConnectorInfo, error)
	ConnectorConfig(ctx context.Context, name string) (map[string]string, error)
	ConnectorStatus(ctx context.Context, name string) (connect.ConnectorStateInfo, error)
	// TaskConfigs returns the configs of the connector's tasks, index i being
	// task i.
	TaskConfigs(ctx context.Context, name string) ([]map[string]string, error)
	TaskStatus(ctx context.Context, id connect.TaskID) (connect.TaskState, error)
	// CreateConnector validates and creates. Errors: connect.ErrAlreadyExists,
	// *connect.ValidationError, connect.ErrBadRequest.
	CreateConnector(ctx context.Context, name string, config map[string]string) (connect.ConnectorInfo, error)
	// PutConnectorConfig creates or updates; created reports which.
	PutConnectorConfig(ctx context.Context, name string, config map[string]string) (info connect.ConnectorInfo, created bool, err error)
	DeleteConnector(ctx context.Context, name string) error
	PauseConnector(ctx context.Context, name string) error
	ResumeConnector(ctx context.Context, name string) error
	// RestartConnector restarts the connector instance only (not its tasks).
	RestartConnector(ctx context.Context, name string) error
	RestartTask(ctx context.Context, id connect.TaskID) error
	// Plugins lists every installed plugin; the REST layer filters them.
	Plugins() []PluginInfo
	ServerInfo() ServerInfo
}

// InitialStateCreator is implemented by herders that can create a connector
// in a target state other than RUNNING (POST /connectors with
// "initial_state": "PAUSED" or "STOPPED", KIP-980). Without it such requests
// are answered with 400.
type InitialStateCreator interface {
	// CreateConnectorInState is CreateConnector with the initial state, one
	// of connect.StateRunning, connect.StatePaused, connect.StateStopped.
	CreateConnectorInState(ctx context.Context, name string, config map[string]string, state string) (connect.ConnectorInfo, error)
}

// ConnectorAndTasksRestarter is implemented by herders that support
// POST /connectors/{c}/restart?includeTasks=…&onlyFailed=… (KIP-745). It
// returns the status in which every instance to be restarted shows
// RESTARTING. Without it such requests are answered with 501.
type ConnectorAndTasksRestarter interface {
	RestartConnectorAndTasks(ctx context.Context, name string, includeTasks, onlyFailed bool) (connect.ConnectorStateInfo, error)
}

// Plugin types as GET /connector-plugins reports them (PluginType, lowercase).
const (
	PluginSource          = "source"
	PluginSink            = "sink"
	PluginConverter       = "converter"
	PluginHeaderConverter = "header_converter"
	PluginTransformation  = "transformation"
	PluginPredicate       = "predicate"
)

// PluginInfo is one entry of GET /connector-plugins. Version is omitted when
// undefined, as Kafka Connect does.
type PluginInfo struct {
	Class   string `json:"class"`
	Type    string `json:"type"`
	Version string `json:"version,omitempty"`
}

// ServerInfo is the body of GET /.
type ServerInfo struct {
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	KafkaClusterID string `json:"kafka_cluster_id"`
}

// ConnectorStopper is implemented by herders that support
// PUT /connectors/{c}/stop (KIP-875). Without it the route answers 501.
type ConnectorStopper interface {
	StopConnector(ctx context.Context, name string) error
}

// ConfigPatcher is implemented by herders that support
// PATCH /connectors/{c}/config (KIP-477): a nil value removes the key.
type ConfigPatcher interface {
	PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (connect.ConnectorInfo, error)
}

// OffsetManager is implemented by herders that support
// GET/PATCH/DELETE /connectors/{c}/offsets (KIP-875). Alter and Reset
// return the message of the 200 reply.
type OffsetManager interface {
	ConnectorOffsets(ctx context.Context, name string) (connect.ConnectorOffsets, error)
	AlterConnectorOffsets(ctx context.Context, name string, offsets []connect.ConnectorOffset) (string, error)
	ResetConnectorOffsets(ctx context.Context, name string) (string, error)
}

// TopicTracker is implemented by herders that track active topics
// (GET /connectors/{c}/topics, PUT …/topics/reset).
type TopicTracker interface {
	ConnectorTopics(ctx context.Context, name string) ([]string, error)
	ResetConnectorTopics(ctx context.Context, name string) error
}

// PluginConfigurer is implemented by herders that describe and validate
// connector configs (GET /connector-plugins/{p}/config, PUT …/validate).
// PluginConfig answers connect.ErrNotFound for an unknown plugin.
type PluginConfigurer interface {
	PluginConfig(ctx context.Context, plugin string) ([]connect.ConfigKey, error)
	ValidateConnectorConfig(ctx context.Context, config map[string]string) (connect.ConfigInfos, error)
}

// Loggers is the worker's adjustable log levels (/admin/loggers). Levels
// are log4j's names (ERROR, WARN, INFO, DEBUG, TRACE, …).
type Loggers interface {
	// Names lists every known logger, "root" included.
	Names() []string
	// Level returns one logger's level and the time of its last change in
	// epoch milliseconds (nil if never changed); false if it is unknown.
	Level(name string) (level string, lastModified *int64, ok bool)
	// SetLevel sets the level of name and its descendants and returns the
	// loggers changed, sorted. level is valid (see ValidLevel).
	SetLevel(name, level string) []string
	// ValidLevel reports whether level names a level.
	ValidLevel(level string) bool
}

// LoggerNameChecker is implemented by Loggers that bound the names they
// keep; PUT /admin/loggers/{name} answers 400 with CheckName's message.
type LoggerNameChecker interface {
	CheckName(name string) error
}

// LoggerLevel is one entry of GET /admin/loggers. LastModified is the
// time of the last change in epoch milliseconds, nil if never changed.
type LoggerLevel struct {
	Level        string `json:"level"`
	LastModified *int64 `json:"last_modified"`
}

// HealthChecker is implemented by herders that report their health
// (GET /health): status is "healthy", "starting" or "unhealthy", and detail,
// if not empty, says what the worker is doing. Without it the worker is
// healthy once it serves.
type HealthChecker interface {
	Health(ctx context.Context) (status, detail string)
}

// ClusterLoggerSetter is implemented by herders that set a log level on
// every worker of the cluster (PUT /admin/loggers/{l}?scope=cluster).
// Without it such requests answer 501.
type ClusterLoggerSetter interface {
	SetClusterLoggerLevel(ctx context.Context, namespace, level string) error
}

// InternalRequests is implemented by herders that serve the requests
// workers send each other (Kafka Connect's InternalClusterResource):
// POST /connectors/{c}/tasks, task configs a worker generated for the
// leader to write, and PUT /connectors/{c}/fence, zombie fencing by the
// leader. sig is the request's signature, nil when it carries none; the
// herder decides whether it must. Without it those routes answer 501.
type InternalRequests interface {
	PutTaskConfigs(ctx context.Context, name string, tasks []map[string]string, sig *interworker.Signature) error
	FenceZombies(ctx context.Context, name string, sig *interworker.Signature) error
}

// forwardable is an error naming the worker that can serve the request
// (Kafka Connect's NotAssignedException): the REST layer forwards the
// request there, or answers 409 when it may not or no worker is named.
type forwardable interface {
	error
	ForwardURL() string
}
