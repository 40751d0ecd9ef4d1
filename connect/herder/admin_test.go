package herder

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/configprovider"
)

const notStopped = "Connectors must be in the STOPPED state before their offsets can be modified. " +
	"This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/counter/stop' endpoint"

func badRequestMessage(t *testing.T, err error) string {
	t.Helper()
	var bre *connect.BadRequestError
	if !errors.As(err, &bre) || !errors.Is(err, connect.ErrBadRequest) {
		t.Fatalf("err = %v, want a *connect.BadRequestError", err)
	}
	return bre.Message
}

func TestStopReleasesTasksAndOffsetsCanBeModified(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	ctx := t.Context()
	if _, err := h.CreateConnector(ctx, "counter", config()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "all offsets committed", func() bool { return committed(t, s) == 249 })

	offs, err := h.ConnectorOffsets(ctx, "counter")
	if err != nil || len(offs.Offsets) != 1 || offs.Offsets[0].Offset["n"] != int64(249) ||
		offs.Offsets[0].Partition["task"] != "counting" {
		t.Fatalf("ConnectorOffsets = %+v, %v", offs, err)
	}
	patch := []connect.ConnectorOffset{{Partition: map[string]any{"task": "counting"}, Offset: map[string]any{"n": int64(400)}}}
	if _, err := h.AlterConnectorOffsets(ctx, "counter", patch); badRequestMessage(t, err) != notStopped {
		t.Errorf("alter while running: %v", err)
	}
	if _, err := h.ResetConnectorOffsets(ctx, "counter"); badRequestMessage(t, err) != notStopped {
		t.Errorf("reset while running: %v", err)
	}

	if err := h.StopConnector(ctx, "counter"); err != nil {
		t.Fatal(err)
	}
	st, err := h.ConnectorStatus(ctx, "counter")
	if err != nil || st.Connector.State != connect.StateStopped || len(st.Tasks) != 0 {
		t.Fatalf("status after stop = %+v, %v", st, err)
	}
	if tasks, _ := h.TaskConfigs(ctx, "counter"); len(tasks) != 0 {
		t.Fatalf("task configs after stop = %v", tasks)
	}
	// Stored as Kafka Connect stores it: target STOPPED, zero tasks committed.
	if cs, _ := s.configs.Connector("counter"); cs.TargetState != TargetStopped || len(cs.Tasks) != 0 {
		t.Fatalf("config topic after stop = %+v", cs)
	}
	// A config update keeps a stopped connector stopped, without tasks.
	if _, _, err := h.PutConnectorConfig(ctx, "counter", config()); err != nil {
		t.Fatal(err)
	}
	if st, _ := h.ConnectorStatus(ctx, "counter"); st.Connector.State != connect.StateStopped || len(st.Tasks) != 0 {
		t.Fatalf("status after updating a stopped connector = %+v", st)
	}

	if _, err := h.AlterConnectorOffsets(ctx, "counter", nil); badRequestMessage(t, err) != "Partitions / offsets need to be provided for an alter offsets request" {
		t.Errorf("empty alter: %v", err)
	}
	msg, err := h.AlterConnectorOffsets(ctx, "counter", patch)
	if err != nil || msg != OffsetsAlteredMessage {
		t.Fatalf("alter = %q, %v", msg, err)
	}
	if got := committed(t, s); got != 400 {
		t.Fatalf("offset after alter = %d, want 400", got)
	}
	// Resumed, the task starts after the patched offset: nothing is left
	// to produce, so the offset stays where the patch put it.
	if err := h.ResumeConnector(ctx, "counter"); err != nil {
		t.Fatal(err)
	}
	waitState(t, h, "counter", connect.StateRunning, connect.StateRunning)
	if got := committed(t, s); got != 400 {
		t.Fatalf("offset after resume = %d, want 400", got)
	}

	// Reset: every partition tombstoned; resumed, the task starts over.
	if err := h.StopConnector(ctx, "counter"); err != nil {
		t.Fatal(err)
	}
	if msg, err := h.ResetConnectorOffsets(ctx, "counter"); err != nil || msg != OffsetsResetMessage {
		t.Fatalf("reset = %q, %v", msg, err)
	}
	if offs, _ := h.ConnectorOffsets(ctx, "counter"); len(offs.Offsets) != 0 {
		t.Fatalf("offsets after reset = %+v", offs)
	}
	if err := h.ResumeConnector(ctx, "counter"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the task to produce everything again", func() bool { return committed(t, s) == 249 })

	if _, err := h.ConnectorOffsets(ctx, "nope"); !errors.Is(err, connect.ErrNotFound) {
		t.Errorf("offsets of unknown connector: %v", err)
	}
	if err := h.StopConnector(ctx, "nope"); !errors.Is(err, connect.ErrNotFound) {
		t.Errorf("stop of unknown connector: %v", err)
	}
}

func TestPatchConnectorConfig(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	ctx := t.Context()
	if _, err := h.CreateConnector(ctx, "counter", config("extra", "x")); err != nil {
		t.Fatal(err)
	}
	v := "300"
	info, err := h.PatchConnectorConfig(ctx, "counter", map[string]*string{"extra": nil, "records": &v})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := info.Config["extra"]; ok || info.Config["records"] != "300" || info.Config["name"] != "counter" {
		t.Fatalf("patched config = %v", info.Config)
	}
	waitFor(t, "the patched task config to run", func() bool { return committed(t, s) == 299 })
	if _, err := h.PatchConnectorConfig(ctx, "counter", map[string]*string{"topic": nil}); err == nil {
		t.Error("a patch removing a required key was accepted")
	}
	if _, err := h.PatchConnectorConfig(ctx, "nope", nil); !errors.Is(err, connect.ErrNotFound) {
		t.Errorf("patch of unknown connector: %v", err)
	}
}

func TestActiveTopics(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	ctx := t.Context()
	if _, err := h.CreateConnector(ctx, "counter", config()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the active topic", func() bool {
		topics, err := h.ConnectorTopics(ctx, "counter")
		return err == nil && slices.Equal(topics, []string{"numbers"})
	})
	if err := h.ResetConnectorTopics(ctx, "counter"); err != nil {
		t.Fatal(err)
	}
	if topics, _ := h.ConnectorTopics(ctx, "counter"); len(topics) != 0 {
		t.Errorf("topics after reset = %v", topics)
	}
	if _, err := h.ConnectorTopics(ctx, "nope"); !errors.Is(err, connect.ErrNotFound) {
		t.Errorf("topics of unknown connector: %v", err)
	}
}

func TestValidateReportsEveryError(t *testing.T) {
	s := openStores(t, newBroker(t))
	h := newHerder(t, s)
	cfg := config("tasks.max", "zero", "key.converter", "com.example.Nope")
	delete(cfg, "topic")
	cfg["name"] = "counter"
	infos, err := h.ValidateConnectorConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if infos.Name != testClass || infos.ErrorCount != 3 || !slices.Contains(infos.Groups, "Common") {
		t.Fatalf("ConfigInfos = %+v", infos)
	}
	errs := map[string][]string{}
	for _, c := range infos.Configs {
		if c.Definition.Name != c.Value.Name {
			t.Errorf("definition %s with value %s", c.Definition.Name, c.Value.Name)
		}
		errs[c.Value.Name] = c.Value.Errors
	}
	for _, name := range []string{"tasks.max", "key.converter", "topic"} {
		if len(errs[name]) != 1 {
			t.Errorf("errors of %s = %v", name, errs[name])
		}
	}
	if len(errs["connector.class"]) != 0 {
		t.Errorf("connector.class errors = %v", errs["connector.class"])
	}
	// Create uses the same checks and reports the same errors.
	_, err = h.CreateConnector(t.Context(), "counter", cfg)
	var ve *connect.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) != 3 {
		t.Fatalf("create = %v, want the 3 errors", err)
	}
	if _, err := h.ValidateConnectorConfig(t.Context(), map[string]string{"topic": "x"}); badRequestMessage(t, err) != "Connector config {topic=x} contains no connector type" {
		t.Errorf("validate without class: %v", err)
	}
}

func TestConfigProvidersResolveOnlyForTasks(t *testing.T) {
	s := openStores(t, newBroker(t))
	tr, err := configprovider.New(map[string]string{
		"config.providers": "env", "config.providers.env.class": configprovider.EnvClass,
	}, configprovider.EnvLookup([]string{"COUNTER_TOPIC=numbers-from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	h := newHerder(t, s, func(c *Config) { c.Transformer = tr })
	ctx := t.Context()
	if _, err := h.CreateConnector(ctx, "counter", config("topic", "${env:COUNTER_TOPIC}")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "records on the resolved topic", func() bool {
		topics, _ := h.ConnectorTopics(ctx, "counter")
		return slices.Equal(topics, []string{"numbers-from-env"})
	})
	cfg, _ := h.ConnectorConfig(ctx, "counter")
	tasks, _ := h.TaskConfigs(ctx, "counter")
	stored, _ := s.configs.Connector("counter")
	for what, c := range map[string]map[string]string{"config": cfg, "task config": tasks[0], "config topic": stored.Config, "config topic task": stored.Tasks[0]} {
		if c["topic"] != "${env:COUNTER_TOPIC}" {
			t.Errorf("%s has topic %q, want the placeholder", what, c["topic"])
		}
	}
}

// A placeholder its provider cannot resolve makes create and validate a
// 400 naming the property, not a 500.
func TestConfigProviderFailureIsABadRequest(t *testing.T) {
	s := openStores(t, newBroker(t))
	tr, err := configprovider.New(map[string]string{
		"config.providers": "file", "config.providers.file.class": configprovider.FileClass,
		"config.providers.file.param.allowed.paths": t.TempDir(),
	}, configprovider.EnvLookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	h := newHerder(t, s, func(c *Config) { c.Transformer = tr })
	cfg := config("topic", "${file:/etc/hostname:name}")
	_, err = h.CreateConnector(t.Context(), "counter", cfg)
	if msg := badRequestMessage(t, err); !strings.Contains(msg, "configuration topic") {
		t.Errorf("create: %s, want the property named", msg)
	}
	_, err = h.ValidateConnectorConfig(t.Context(), cfg)
	if msg := badRequestMessage(t, err); !strings.Contains(msg, "configuration topic") {
		t.Errorf("validate: %s, want the property named", msg)
	}
}
