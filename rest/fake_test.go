package rest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/tributary-cdc/tributary/connect"
)

// fakeHerder is an in-memory Herder: connectors get one task each, whose
// config is a copy of the connector config. hook, when set, runs first in
// every context-taking method; a non-nil result is returned as the error.
type fakeHerder struct {
	mu         sync.Mutex
	workerID   string
	connectors map[string]*fakeConnector
	plugins    []PluginInfo
	server     ServerInfo
	hook       func(ctx context.Context, op string) error
}

type fakeConnector struct {
	config    map[string]string
	state     connect.State
	taskState []connect.TaskState
}

func newFakeHerder() *fakeHerder {
	return &fakeHerder{
		workerID:   "10.0.0.5:8083",
		connectors: map[string]*fakeConnector{},
		plugins: []PluginInfo{
			{Class: "io.debezium.connector.postgresql.PostgresConnector", Type: PluginSource, Version: "3.1.0.Final"},
			{Class: "org.apache.kafka.connect.json.JsonConverter", Type: PluginConverter, Version: "3.9.0"},
			{Class: "org.apache.kafka.connect.transforms.InsertField$Value", Type: PluginTransformation},
		},
		server: ServerInfo{Version: "3.9.0", Commit: "1eb7644", KafkaClusterID: "Kq3v4Ll7SO6UWwQ1mPeJkQ"},
	}
}

func (f *fakeHerder) run(ctx context.Context, op string) error {
	f.mu.Lock()
	hook := f.hook
	f.mu.Unlock()
	if hook == nil {
		return nil
	}
	return hook(ctx, op)
}

func (f *fakeHerder) setHook(h func(ctx context.Context, op string) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

func (f *fakeHerder) setTaskState(name string, task int, state, trace string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.connectors[name]
	c.taskState[task].State = state
	c.taskState[task].Trace = trace
}

func notFound(name string) error { return fmt.Errorf("connector %s: %w", name, connect.ErrNotFound) }

// get returns the connector; the caller holds f.mu.
func (f *fakeHerder) get(name string) (*fakeConnector, error) {
	c, ok := f.connectors[name]
	if !ok {
		return nil, notFound(name)
	}
	return c, nil
}

func (f *fakeHerder) info(name string, c *fakeConnector) connect.ConnectorInfo {
	info := connect.ConnectorInfo{Name: name, Config: maps.Clone(c.config), Type: "source"}
	for i := range c.taskState {
		info.Tasks = append(info.Tasks, connect.TaskID{Connector: name, Task: i})
	}
	return info
}

func validate(config map[string]string) error {
	if config["connector.class"] == "" {
		return &connect.ValidationError{Errors: []connect.ConfigError{{
			Name:    "connector.class",
			Message: `Missing required configuration "connector.class" which has no default value.`,
		}}}
	}
	return nil
}

func (f *fakeHerder) Connectors(ctx context.Context) ([]string, error) {
	if err := f.run(ctx, "Connectors"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.connectors)), nil
}

func (f *fakeHerder) ConnectorInfo(ctx context.Context, name string) (connect.ConnectorInfo, error) {
	if err := f.run(ctx, "ConnectorInfo"); err != nil {
		return connect.ConnectorInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return connect.ConnectorInfo{}, err
	}
	return f.info(name, c), nil
}

func (f *fakeHerder) ConnectorConfig(ctx context.Context, name string) (map[string]string, error) {
	if err := f.run(ctx, "ConnectorConfig"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return nil, err
	}
	return maps.Clone(c.config), nil
}

func (f *fakeHerder) ConnectorStatus(ctx context.Context, name string) (connect.ConnectorStateInfo, error) {
	if err := f.run(ctx, "ConnectorStatus"); err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	return connect.ConnectorStateInfo{Name: name, Connector: c.state, Tasks: slices.Clone(c.taskState), Type: "source"}, nil
}

func (f *fakeHerder) TaskConfigs(ctx context.Context, name string) ([]map[string]string, error) {
	if err := f.run(ctx, "TaskConfigs"); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(c.taskState))
	for i := range out {
		out[i] = maps.Clone(c.config)
	}
	return out, nil
}

func (f *fakeHerder) TaskStatus(ctx context.Context, id connect.TaskID) (connect.TaskState, error) {
	if err := f.run(ctx, "TaskStatus"); err != nil {
		return connect.TaskState{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id.Connector)
	if err != nil {
		return connect.TaskState{}, err
	}
	if id.Task < 0 || id.Task >= len(c.taskState) {
		return connect.TaskState{}, fmt.Errorf("task %d: %w", id.Task, connect.ErrNotFound)
	}
	return c.taskState[id.Task], nil
}

func (f *fakeHerder) CreateConnector(ctx context.Context, name string, config map[string]string) (connect.ConnectorInfo, error) {
	return f.CreateConnectorInState(ctx, name, config, connect.StateRunning)
}

func (f *fakeHerder) CreateConnectorInState(ctx context.Context, name string, config map[string]string, state string) (connect.ConnectorInfo, error) {
	if err := f.run(ctx, "CreateConnector"); err != nil {
		return connect.ConnectorInfo{}, err
	}
	if err := validate(config); err != nil {
		return connect.ConnectorInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.connectors[name]; ok {
		return connect.ConnectorInfo{}, fmt.Errorf("connector %s: %w", name, connect.ErrAlreadyExists)
	}
	c := f.newConnector(config, state)
	f.connectors[name] = c
	return f.info(name, c), nil
}

// newConnector builds a connector in state; the caller holds f.mu.
func (f *fakeHerder) newConnector(config map[string]string, state string) *fakeConnector {
	c := &fakeConnector{config: maps.Clone(config), state: connect.State{State: state, WorkerID: f.workerID}}
	if state != connect.StateStopped {
		c.taskState = []connect.TaskState{{ID: 0, State: state, WorkerID: f.workerID}}
	}
	return c
}

func (f *fakeHerder) PutConnectorConfig(ctx context.Context, name string, config map[string]string) (connect.ConnectorInfo, bool, error) {
	if err := f.run(ctx, "PutConnectorConfig"); err != nil {
		return connect.ConnectorInfo{}, false, err
	}
	if err := validate(config); err != nil {
		return connect.ConnectorInfo{}, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.connectors[name]; ok {
		c.config = maps.Clone(config)
		return f.info(name, c), false, nil
	}
	c := f.newConnector(config, connect.StateRunning)
	f.connectors[name] = c
	return f.info(name, c), true, nil
}

func (f *fakeHerder) DeleteConnector(ctx context.Context, name string) error {
	if err := f.run(ctx, "DeleteConnector"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.get(name); err != nil {
		return err
	}
	delete(f.connectors, name)
	return nil
}

func (f *fakeHerder) setState(ctx context.Context, op, name, state string) error {
	if err := f.run(ctx, op); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return err
	}
	c.state.State = state
	for i := range c.taskState {
		c.taskState[i].State = state
	}
	return nil
}

func (f *fakeHerder) PauseConnector(ctx context.Context, name string) error {
	return f.setState(ctx, "PauseConnector", name, connect.StatePaused)
}

func (f *fakeHerder) ResumeConnector(ctx context.Context, name string) error {
	return f.setState(ctx, "ResumeConnector", name, connect.StateRunning)
}

func (f *fakeHerder) RestartConnector(ctx context.Context, name string) error {
	return f.setState(ctx, "RestartConnector", name, connect.StateRunning)
}

func (f *fakeHerder) RestartConnectorAndTasks(ctx context.Context, name string, includeTasks, onlyFailed bool) (connect.ConnectorStateInfo, error) {
	if err := f.run(ctx, "RestartConnectorAndTasks"); err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return connect.ConnectorStateInfo{}, err
	}
	restart := func(state string) string {
		if !onlyFailed || state == connect.StateFailed {
			return connect.StateRestarting
		}
		return state
	}
	st := connect.ConnectorStateInfo{Name: name, Connector: c.state, Tasks: slices.Clone(c.taskState), Type: "source"}
	st.Connector.State = restart(st.Connector.State)
	if includeTasks {
		for i := range st.Tasks {
			st.Tasks[i].State = restart(st.Tasks[i].State)
			st.Tasks[i].Trace = ""
		}
	}
	return st, nil
}

func (f *fakeHerder) RestartTask(ctx context.Context, id connect.TaskID) error {
	if _, err := f.TaskStatus(ctx, id); err != nil {
		return err
	}
	f.setTaskState(id.Connector, id.Task, connect.StateRunning, "")
	return nil
}

func (f *fakeHerder) Plugins() []PluginInfo { return slices.Clone(f.plugins) }

func (f *fakeHerder) ServerInfo() ServerInfo { return f.server }

// plainHerder hides the fake's optional interfaces.
type plainHerder struct{ Herder }
