package connect

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors shared by the runtime and the REST layer. The REST layer
// maps them to Kafka Connect's status codes.
var (
	// ErrNotFound: the named connector or task does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: a connector with that name exists (409).
	ErrAlreadyExists = errors.New("already exists")
	// ErrBadRequest: the request itself is invalid (400).
	ErrBadRequest = errors.New("bad request")
)

// ValidationError carries every problem found in a connector config. The
// REST layer answers it with 400 and Kafka Connect's message.
type ValidationError struct {
	Errors []ConfigError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Connector configuration is invalid and contains the following %d error(s):", len(e.Errors))
	for _, ce := range e.Errors {
		b.WriteString("\n")
		b.WriteString(ce.Message)
	}
	b.WriteString("\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`")
	return b.String()
}

// Runtime states of connectors and tasks (AbstractStatus.State).
const (
	StateUnassigned = "UNASSIGNED"
	StateRunning    = "RUNNING"
	StatePaused     = "PAUSED"
	StateFailed     = "FAILED"
	StateRestarting = "RESTARTING"
	StateStopped    = "STOPPED"
)

// TaskID names a task as Kafka Connect's ConnectorTaskId does.
type TaskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

// ConnectorInfo is the body of GET /connectors/{name}.
type ConnectorInfo struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Tasks  []TaskID          `json:"tasks"`
	Type   string            `json:"type"`
}

// State is the runtime state of a connector or task as reported in status.
type State struct {
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
}

// TaskState is one entry of ConnectorStateInfo.tasks.
type TaskState struct {
	ID       int    `json:"id"`
	State    string `json:"state"`
	WorkerID string `json:"worker_id"`
	Trace    string `json:"trace,omitempty"`
}

// ConnectorStateInfo is the body of GET /connectors/{name}/status.
type ConnectorStateInfo struct {
	Name      string      `json:"name"`
	Connector State       `json:"connector"`
	Tasks     []TaskState `json:"tasks"`
	Type      string      `json:"type"`
}
