package rest

import (
	"context"

	"github.com/tributary-cdc/tributary/connect"
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
