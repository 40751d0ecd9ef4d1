package herder

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/worker"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// routeDef is the Config of a test transformation, as RegexRouter's.
var routeDef = configdef.Define(
	configdef.Key{Name: "regex", Type: configdef.TypeString, Default: configdef.NoDefault, Importance: configdef.ImportanceHigh,
		Documentation: "Regular expression to use for matching.", Order: -1, Width: configdef.WidthNone, DisplayName: "regex"},
	configdef.Key{Name: "replacement", Type: configdef.TypeString, Default: "x", Importance: configdef.ImportanceHigh,
		Documentation: "Replacement string.", Order: -1, Width: configdef.WidthNone, DisplayName: "replacement"},
)

func validateHerder() *Herder {
	transforms := append(slices.Clone(testTransforms), connect.TransformationPlugin{Class: "test.Route", Config: routeDef,
		New: func(c map[string]string) (connect.Transformation, []connect.ConfigError) {
			if _, errs := routeDef.Parse(c); len(errs) > 0 {
				return nil, errs
			}
			return dropAll{}, nil
		}})
	return New(Config{
		Plugins:         []func() connect.Connector{func() connect.Connector { return countingConnector{} }},
		Transformations: transforms, Predicates: testPredicates,
		Converters: func(class string, props map[string]string, isKey bool) (worker.Converter, error) {
			if class != "org.apache.kafka.connect.json.JsonConverter" {
				return nil, fmt.Errorf("class %s could not be found", class)
			}
			return jsonconv.New(props, isKey)
		},
		KeyConverter: "org.apache.kafka.connect.json.JsonConverter", ValueConverter: "org.apache.kafka.connect.json.JsonConverter",
		ConverterConfigDef: func(class string) *configdef.Def {
			if class == "org.apache.kafka.connect.json.JsonConverter" {
				return jsonconv.ConfigDef
			}
			return nil
		},
	})
}

// TestValidateListsKafkaConnectsGroups: config/validate reports the
// framework's keys in Kafka Connect's groups (ConnectorConfig,
// SourceConnectorConfig), each transformation and predicate alias in a
// group of its own with its type and its Config embedded
// (ConnectorConfig.enrich), and the keys of a converter the config names
// (AbstractHerder.validateConverterConfig).
func TestValidateListsKafkaConnectsGroups(t *testing.T) {
	h := validateHerder()
	infos, err := h.ValidateConnectorConfig(t.Context(), config("name", "c",
		"transforms", "route", "transforms.route.type", "test.Route", "transforms.route.negate", "true",
		"predicates", "odd", "predicates.odd.type", "test.IsOdd",
		"value.converter", "org.apache.kafka.connect.json.JsonConverter", "value.converter.decimal.format", "hex",
		"errors.tolerance", "some"))
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := []string{"Common", "Transforms", "Predicates", "Error Handling", "Topic Creation", "Exactly Once Support",
		"offsets.topic", "Transforms: route", "Predicates: odd", "Schemas", "Serialization"}
	if !slices.Equal(infos.Groups, wantGroups) {
		t.Errorf("groups %q, want %q", infos.Groups, wantGroups)
	}
	byName := map[string]connect.ConfigInfo{}
	for _, c := range infos.Configs {
		byName[c.Definition.Name] = c
	}
	typ := byName["transforms.route.type"]
	if typ.Definition.Type != "CLASS" || !typ.Definition.Required || typ.Definition.Group != "Transforms: route" ||
		typ.Definition.Order != 0 || typ.Definition.DisplayName != "Transformation type for route" ||
		!slices.Contains(typ.Value.RecommendedValues, "test.Route") {
		t.Errorf("transforms.route.type = %+v", typ)
	}
	regex := byName["transforms.route.regex"]
	want := `Missing required configuration "transforms.route.regex" which has no default value.`
	if regex.Definition.Group != "Transforms: route" || regex.Definition.Order < 1 || !slices.Equal(regex.Value.Errors, []string{want}) {
		t.Errorf("transforms.route.regex = %+v, want the error %q", regex, want)
	}
	if r := byName["transforms.route.replacement"]; r.Value.Value == nil || *r.Value.Value != "x" {
		t.Errorf("transforms.route.replacement = %+v, want its default", r.Value)
	}
	for _, name := range []string{"transforms.route.predicate", "transforms.route.negate", "tasks.max", "errors.retry.timeout",
		"topic.creation.groups", "exactly.once.support", "transaction.boundary.interval.ms", "offsets.storage.topic"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
	if got := byName["errors.tolerance"].Value.Errors; !slices.Equal(got, []string{"Invalid value some for configuration errors.tolerance: String must be one of: none, all"}) {
		t.Errorf("errors.tolerance errors %q", got)
	}
	// The negate without predicate is refused as TransformationStage's
	// validateProps refuses it.
	if got := byName["transforms.route.negate"].Value.Errors; len(got) != 1 {
		t.Errorf("transforms.route.negate errors %q", got)
	}
	dec := byName["value.converter.decimal.format"]
	if dec.Definition.Group != "Serialization" ||
		!slices.Equal(dec.Value.Errors, []string{"Invalid value hex for configuration decimal.format: String must be one of (case insensitive): NUMERIC, BASE64"}) {
		t.Errorf("value.converter.decimal.format = %+v", dec)
	}
	// The converter's problem counts on value.converter (create builds the
	// converter) and in the converter's own section, as Kafka Connect
	// merges it.
	if infos.ErrorCount != 5 {
		t.Errorf("error count %d, want 5 (regex, negate, errors.tolerance, value.converter, value.converter.decimal.format)", infos.ErrorCount)
	}
}

// TestPluginConfigListsFrameworkKeys: GET /connector-plugins/{p}/config
// lists a connector's keys, then the framework's; a transformation's and a
// converter's own.
func TestPluginConfigListsFrameworkKeys(t *testing.T) {
	h := validateHerder()
	keys, err := h.PluginConfig(t.Context(), testClass)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(connect.SourceConnectorConfigDef.Keys()) || keys[0].Name != "name" {
		t.Errorf("connector keys %+v", keys)
	}
	if keys, err := h.PluginConfig(t.Context(), "test.Route"); err != nil || len(keys) != 2 || keys[0].Name != "regex" {
		t.Errorf("transformation keys %+v, %v", keys, err)
	}
	if keys, err := h.PluginConfig(t.Context(), "org.apache.kafka.connect.json.JsonConverter"); err != nil || len(keys) != 5 {
		t.Errorf("converter keys %+v, %v", keys, err)
	}
}

// TestValidateListsTopicCreationGroups: with topic.creation.* settings on a
// worker that creates topics, config/validate reports the default group's
// keys and those of every listed group as TopicCreationConfig declares
// them (a group's replication factor and partitions defaulting to the
// default group's), each error on its key; with topic.creation.enable=false
// only topic.creation.groups is declared.
func TestValidateListsTopicCreationGroups(t *testing.T) {
	h := validateHerder()
	cfg := config("name", "c", "topic.creation.groups", "big, default",
		"topic.creation.default.replication.factor", "3", "topic.creation.default.partitions", "0",
		"topic.creation.big.include", "orders(", "topic.creation.big.cleanup.policy", "compact")
	infos, err := h.ValidateConnectorConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := []string{"Common", "Transforms", "Predicates", "Error Handling", "Topic Creation", "Exactly Once Support",
		"offsets.topic", "default", "Topic Creation: big"}
	if !slices.Equal(infos.Groups, wantGroups) {
		t.Errorf("groups %q, want %q", infos.Groups, wantGroups)
	}
	byName := map[string]connect.ConfigInfo{}
	for _, c := range infos.Configs {
		byName[c.Definition.Name] = c
	}
	rf := byName["topic.creation.default.replication.factor"]
	if rf.Definition.Type != "SHORT" || !rf.Definition.Required || rf.Definition.Group != "default" ||
		rf.Definition.DisplayName != "Replication Factor for Topics in default" || rf.Value.Value == nil || *rf.Value.Value != "3" ||
		len(rf.Value.Errors) != 0 {
		t.Errorf("topic.creation.default.replication.factor = %+v", rf)
	}
	wantPartitions := "Invalid value 0 for configuration topic.creation.default.partitions: " +
		"Number of partitions must be positive, or -1 to use the broker's default"
	if p := byName["topic.creation.default.partitions"]; p.Definition.Type != "INT" || !slices.Equal(p.Value.Errors, []string{wantPartitions}) {
		t.Errorf("topic.creation.default.partitions = %+v", p)
	}
	// The default group's replication factor is the listed group's default.
	bigRF := byName["topic.creation.big.replication.factor"]
	if bigRF.Definition.Required || bigRF.Definition.Default == nil || *bigRF.Definition.Default != "3" ||
		bigRF.Definition.Group != "Topic Creation: big" || bigRF.Definition.Order != 2 {
		t.Errorf("topic.creation.big.replication.factor = %+v", bigRF.Definition)
	}
	include := byName["topic.creation.big.include"]
	if include.Definition.Type != "LIST" || len(include.Value.Errors) != 1 ||
		!strings.HasPrefix(include.Value.Errors[0], "Invalid value [orders(] for configuration topic.creation.big.include: Syntax error in regular expression") {
		t.Errorf("topic.creation.big.include = %+v", include)
	}
	// A group's topic configs are not keys; listing "default" adds no group.
	if _, ok := byName["topic.creation.big.cleanup.policy"]; ok {
		t.Error("topic.creation.big.cleanup.policy is declared")
	}
	if _, ok := byName["topic.creation.default.partitions"]; !ok || strings.Count(strings.Join(infos.Groups, ","), "default") != 1 {
		t.Errorf("groups %q", infos.Groups)
	}
	if infos.ErrorCount != 2 {
		t.Errorf("error count %d, want 2 (default partitions, big include)", infos.ErrorCount)
	}

	h.cfg.TopicCreationDisabled = true
	infos, err = h.ValidateConnectorConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(infos.Groups, "default") || slices.Contains(infos.Groups, "Topic Creation: big") || infos.ErrorCount != 0 {
		t.Errorf("with topic.creation.enable=false: groups %q, %d errors", infos.Groups, infos.ErrorCount)
	}
}

// TestProducerBufferMemoryIsTheRuntimesBound: buffer.memory's declared
// default is the in-flight bound a task gets without it.
func TestProducerBufferMemoryIsTheRuntimesBound(t *testing.T) {
	if kafkaclient.DefaultBufferMemory != worker.DefaultMaxInFlightBytes {
		t.Fatalf("buffer.memory defaults to %d, the runtime's bound is %d", kafkaclient.DefaultBufferMemory, worker.DefaultMaxInFlightBytes)
	}
}
