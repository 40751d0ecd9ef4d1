package rest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// The fake's side of the optional interfaces: stop, patch, offsets, topics
// and plugin configs, kept per connector name in fakeExtras.

type fakeExtras struct {
	mu      sync.Mutex
	offsets map[string][]connect.ConnectorOffset
	topics  map[string][]string
}

var extras = struct {
	sync.Mutex
	by map[*fakeHerder]*fakeExtras
}{by: map[*fakeHerder]*fakeExtras{}}

func (f *fakeHerder) extras() *fakeExtras {
	extras.Lock()
	defer extras.Unlock()
	x := extras.by[f]
	if x == nil {
		x = &fakeExtras{offsets: map[string][]connect.ConnectorOffset{}, topics: map[string][]string{}}
		extras.by[f] = x
	}
	return x
}

func (f *fakeHerder) StopConnector(ctx context.Context, name string) error {
	if err := f.run(ctx, "StopConnector"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return err
	}
	c.state.State = connect.StateStopped
	c.taskState = nil
	return nil
}

func (f *fakeHerder) PatchConnectorConfig(ctx context.Context, name string, patch map[string]*string) (connect.ConnectorInfo, error) {
	if err := f.run(ctx, "PatchConnectorConfig"); err != nil {
		return connect.ConnectorInfo{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return connect.ConnectorInfo{}, err
	}
	config := maps.Clone(c.config)
	for k, v := range patch {
		if v == nil {
			delete(config, k)
		} else {
			config[k] = *v
		}
	}
	config["name"] = name
	if err := validate(config); err != nil {
		return connect.ConnectorInfo{}, err
	}
	c.config = config
	return f.info(name, c), nil
}

func (f *fakeHerder) ConnectorOffsets(ctx context.Context, name string) (connect.ConnectorOffsets, error) {
	if err := f.run(ctx, "ConnectorOffsets"); err != nil {
		return connect.ConnectorOffsets{}, err
	}
	f.mu.Lock()
	_, err := f.get(name)
	f.mu.Unlock()
	if err != nil {
		return connect.ConnectorOffsets{}, err
	}
	x := f.extras()
	x.mu.Lock()
	defer x.mu.Unlock()
	return connect.ConnectorOffsets{Offsets: slices.Clone(x.offsets[name])}, nil
}

func (f *fakeHerder) checkStopped(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(name)
	if err != nil {
		return err
	}
	if c.state.State != connect.StateStopped {
		return &connect.BadRequestError{Message: "Connectors must be in the STOPPED state before their offsets can be modified. " +
			"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/" + name + "/stop' endpoint"}
	}
	return nil
}

func (f *fakeHerder) AlterConnectorOffsets(ctx context.Context, name string, offsets []connect.ConnectorOffset) (string, error) {
	if err := f.run(ctx, "AlterConnectorOffsets"); err != nil {
		return "", err
	}
	if len(offsets) == 0 {
		return "", &connect.BadRequestError{Message: "Partitions / offsets need to be provided for an alter offsets request"}
	}
	if err := f.checkStopped(name); err != nil {
		return "", err
	}
	x := f.extras()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.offsets[name] = slices.Clone(offsets)
	return "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be manually altered in the system that the connector uses.", nil
}

func (f *fakeHerder) ResetConnectorOffsets(ctx context.Context, name string) (string, error) {
	if err := f.run(ctx, "ResetConnectorOffsets"); err != nil {
		return "", err
	}
	if err := f.checkStopped(name); err != nil {
		return "", err
	}
	x := f.extras()
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.offsets, name)
	return "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be manually reset in the system that the connector uses.", nil
}

func (f *fakeHerder) ConnectorTopics(ctx context.Context, name string) ([]string, error) {
	f.mu.Lock()
	_, err := f.get(name)
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	x := f.extras()
	x.mu.Lock()
	defer x.mu.Unlock()
	return slices.Clone(x.topics[name]), nil
}

func (f *fakeHerder) ResetConnectorTopics(ctx context.Context, name string) error {
	f.mu.Lock()
	_, err := f.get(name)
	f.mu.Unlock()
	if err != nil {
		return err
	}
	x := f.extras()
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.topics, name)
	return nil
}

func (f *fakeHerder) setTopics(name string, topics ...string) {
	x := f.extras()
	x.mu.Lock()
	defer x.mu.Unlock()
	x.topics[name] = topics
}

func str(s string) *string { return &s }

func (f *fakeHerder) PluginConfig(_ context.Context, plugin string) ([]connect.ConfigKey, error) {
	if !strings.HasSuffix("io.debezium.connector.postgresql.PostgresConnector", plugin) {
		return nil, connect.ErrNotFound
	}
	return []connect.ConfigKey{{Name: "topic.prefix", Type: connect.TypeString, Required: true, Importance: connect.ImportanceHigh,
		Documentation: "Topic prefix", Group: "Connector", Order: 1, Width: connect.WidthMedium, DisplayName: "Topic prefix", Dependents: []string{}}}, nil
}

func (f *fakeHerder) ValidateConnectorConfig(_ context.Context, config map[string]string) (connect.ConfigInfos, error) {
	def, _ := f.PluginConfig(context.Background(), "PostgresConnector")
	v := connect.ConfigValueInfo{Name: "topic.prefix", RecommendedValues: []string{}, Errors: []string{}, Visible: true}
	if p, ok := config["topic.prefix"]; ok {
		v.Value = str(p)
	} else {
		v.Errors = []string{`Missing required configuration "topic.prefix" which has no default value.`}
	}
	return connect.ConfigInfos{Name: config["connector.class"], ErrorCount: len(v.Errors), Groups: []string{"Connector"},
		Configs: []connect.ConfigInfo{{Definition: def[0], Value: v}}}, nil
}

// fakeLoggers is an in-memory Loggers.
type fakeLoggers struct {
	mu     sync.Mutex
	levels map[string]LoggerLevel
}

func newFakeLoggers() *fakeLoggers {
	return &fakeLoggers{levels: map[string]LoggerLevel{"root": {Level: "INFO"}, "herder": {Level: "INFO"}}}
}

func (l *fakeLoggers) Names() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Sorted(maps.Keys(l.levels))
}

func (l *fakeLoggers) Level(name string) (string, *int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.levels[name]
	return v.Level, v.LastModified, ok
}

func (l *fakeLoggers) SetLevel(name, level string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := time.UnixMilli(1714557600000).UnixMilli()
	l.levels[name] = LoggerLevel{Level: strings.ToUpper(level), LastModified: &ts}
	return []string{name}
}

func (l *fakeLoggers) ValidLevel(level string) bool {
	return slices.Contains([]string{"OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"}, strings.ToUpper(level))
}
