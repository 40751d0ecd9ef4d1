package transforms

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/schemaname"
)

// ByLogicalTableRouterClass is Debezium's router of several physical tables
// (shards) to one logical table topic.
const ByLogicalTableRouterClass = "io.debezium.transforms.ByLogicalTableRouter"

// Properties of ByLogicalTableRouter (Debezium 3.5,
// debezium-connect-plugins/.../transforms/ByLogicalTableRouter.java).
const (
	propLTRTopicRegex       = "topic.regex"
	propLTRTopicReplacement = "topic.replacement"
	propLTREnforceUnique    = "key.enforce.uniqueness"
	propLTRKeyFieldRegex    = "key.field.regex"
	propLTRKeyFieldName     = "key.field.name"
	propLTRKeyFieldRepl     = "key.field.replacement"
	propLTRNameAdjustment   = "schema.name.adjustment.mode"
	propLTRCacheSize        = "logical.table.cache.size"
)

// ByLogicalTableRouterDef is ByLogicalTableRouter's Fields as
// getConfigFields lists them. Its config() leaves key.field.name and
// schema.name.adjustment.mode out, though configure reads both; they are
// declared here so that they are validated and listed.
var ByLogicalTableRouterDef = configdef.Define(
	debeziumKey(propLTRTopicRegex, configdef.TypeString, nil, dbzRegex, low, configdef.WidthLong, "Topic regex",
		"The regex used for extracting the name of the logical table from the original topic name."),
	debeziumKey(propLTRTopicReplacement, configdef.TypeString, nil, nil, low, configdef.WidthLong, "Topic replacement",
		"The replacement string used in conjunction with "+propLTRTopicRegex+". This will be used to create the new topic name."),
	debeziumKey(propLTREnforceUnique, configdef.TypeBoolean, true, nil, low, configdef.WidthShort, "Add source topic name into key",
		"Augment each record's key with a field denoting the source topic. This field "+
			"distinguishes records coming from different physical tables which may otherwise have "+
			"primary/unique key conflicts. If the source tables are guaranteed to have globally "+
			"unique keys then this may be set to false to disable key rewriting."),
	debeziumKey(propLTRKeyFieldRegex, configdef.TypeString, nil, dbzRegex, low, configdef.WidthLong, "Key field regex",
		"The regex used for extracting the physical table identifier from the original topic "+
			"name. Now that multiple physical tables can share a topic, the event's key may need to be augmented "+
			"to include fields other than just those for the record's primary/unique key, since these are not "+
			"guaranteed to be unique across tables. We need some identifier added to the key that distinguishes "+
			"the different physical tables."),
	debeziumKey(propLTRKeyFieldName, configdef.TypeString, "__dbz__physicalTableIdentifier", nil, low, configdef.WidthLong, "Key field name",
		"Each record's key schema will be augmented with this field name. The purpose of this "+
			"field is to distinguish the different physical tables that can now share a single topic. Make "+
			"sure not to configure a field name that is at risk of conflict with existing key schema field "+
			"names."),
	debeziumKey(propLTRKeyFieldRepl, configdef.TypeString, nil, nil, low, configdef.WidthLong, "Key field replacement",
		"The replacement string used in conjunction with "+propLTRKeyFieldRegex+
			". This will be used to create the physical table identifier in the record's key."),
	debeziumKey(propLTRNameAdjustment, configdef.TypeString, schemaname.None,
		oneOfLower("none, avro, avro_unicode", "Value must be one of none, avro, avro_unicode", schemaname.None, schemaname.Avro, schemaname.AvroUnicode),
		low, configdef.WidthMedium, "Schema Name Adjustment",
		"Specify how the message key schema names derived from the resulting topic name should be adjusted for compatibility with the message converter used by the connector, including:"+
			"'avro' replaces the characters that cannot be used in the Avro type name with underscore (default)"+
			"'none' does not apply any adjustment"),
	debeziumKey(propLTRCacheSize, configdef.TypeInt, 16, nil, low, configdef.WidthLong, "Logical table cache size",
		"The size used for holding the max entries in LRUCache. The cache will keep the old/new "+
			"schema for logical table key and value, also cache the derived key and topic regex result for improving "+
			"the source record transformation."),
)

// byLogicalTableRouter routes the records of the topics matching
// topic.regex to the topic topic.replacement names, renames their key and
// envelope schemas after it and, with key.enforce.uniqueness, adds the
// physical table (the old topic, or key.field.regex's replacement of it) to
// the key so that rows of different shards keep distinct keys.
type byLogicalTableRouter struct {
	topic         *javaReplacer
	keyField      *javaReplacer // nil: the identifier is the old topic
	keyFieldName  string
	enforceUnique bool
	names         *nameAdjuster
	log           *slog.Logger

	topics    boundedMap[string, string] // old topic → new topic
	keyIDs    boundedMap[string, string] // old topic → physical table identifier
	keys      boundedMap[renamedSchema, *schema.Schema]
	envelopes boundedMap[renamedSchema, *schema.Schema]
}

// renamedSchema keys the derived schemas: Debezium caches them per input
// schema alone, which Kafka compares by value, name included; here the
// input is shared by pointer, so the new topic completes the key.
type renamedSchema struct {
	in    *schema.Schema
	topic string
}

// NewByLogicalTableRouter configures the router as configure does.
func NewByLogicalTableRouter(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := ByLogicalTableRouterDef.Parse(config)
	errs = append(errs, dbzRequired(config, propLTRTopicRegex)...)
	errs = append(errs, dbzRequired(config, propLTRTopicReplacement)...)
	keyRegex := javaTrim(v.String(propLTRKeyFieldRegex))
	if keyRegex != "" && javaTrim(v.String(propLTRKeyFieldRepl)) == "" {
		// ByLogicalTableRouter.validateKeyFieldReplacement.
		errs = append(errs, invalid(propLTRKeyFieldRepl, "null",
			fmt.Sprintf("%s must be non-empty if %s is set.", propLTRKeyFieldRepl, propLTRKeyFieldRegex)))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	cacheSize := v.Int(propLTRCacheSize)
	t := &byLogicalTableRouter{
		keyFieldName:  v.String(propLTRKeyFieldName),
		enforceUnique: v.Bool(propLTREnforceUnique),
		names:         newNameAdjuster(javaTrimLower(v.String(propLTRNameAdjustment))),
		log:           slog.New(slog.DiscardHandler),
		topics:        boundedMap[string, string]{limit: cacheSize},
		keyIDs:        boundedMap[string, string]{limit: cacheSize},
		keys:          boundedMap[renamedSchema, *schema.Schema]{limit: cacheSize},
		envelopes:     boundedMap[renamedSchema, *schema.Schema]{limit: cacheSize},
	}
	var err error
	if t.topic, err = newJavaReplacer(v.String(propLTRTopicRegex), v.String(propLTRTopicReplacement)); err != nil {
		return nil, []connect.ConfigError{invalid(propLTRTopicReplacement, v.String(propLTRTopicReplacement), err.Error())}
	}
	if keyRegex != "" {
		// Debezium compiles the regex as given, untrimmed.
		if t.keyField, err = newJavaReplacer(v.String(propLTRKeyFieldRegex), v.String(propLTRKeyFieldRepl)); err != nil {
			return nil, []connect.ConfigError{invalid(propLTRKeyFieldRepl, v.String(propLTRKeyFieldRepl), err.Error())}
		}
	}
	return t, nil
}

// SetLogger implements connect.LoggingTransformation.
func (t *byLogicalTableRouter) SetLogger(l *slog.Logger) {
	t.log = l.With("transform", ByLogicalTableRouterClass)
}

// Apply follows ByLogicalTableRouter.apply.
func (t *byLogicalTableRouter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.Topic == "" {
		return r, true, nil
	}
	oldTopic := r.Topic
	newTopic, ok := t.topics.get(oldTopic)
	if !ok {
		if newTopic, ok = t.topic.replace(oldTopic); !ok {
			return r, true, nil
		}
		t.topics.put(oldTopic, newTopic)
	}
	if newTopic == "" {
		t.log.Warn("Routing regex returned an empty topic name, propagating original record")
		return r, true, nil
	}
	// The key is absent for a table without a primary key.
	if r.Key != nil {
		oldKey, err := requireStruct(ByLogicalTableRouterClass, "Updating schema", r.KeySchema, r.Key)
		if err != nil {
			return r, false, err
		}
		keySchema, err := t.keySchema(oldKey.Schema, newTopic)
		if err != nil {
			return r, false, err
		}
		r.KeySchema, r.Key = keySchema, t.key(keySchema, oldKey, oldTopic)
	}
	r.Topic = newTopic
	// Tombstones and records that are no change event (heartbeats, schema
	// changes, messages) keep their value.
	if r.Value == nil || !isEnvelope(r) {
		return r, true, nil
	}
	env, err := requireStruct(ByLogicalTableRouterClass, "Updating schema", r.ValueSchema, r.Value)
	if err != nil {
		return r, false, err
	}
	envSchema, err := t.envelopeSchema(env.Schema, newTopic)
	if err != nil {
		return r, false, err
	}
	value, err := t.envelope(envSchema, env)
	if err != nil {
		return r, false, err
	}
	r.ValueSchema, r.Value = envSchema, value
	return r, true, nil
}

// keySchema is updateKeySchema: the old key's fields under the name
// <new topic>.Key, and the identifier field when uniqueness is enforced.
func (t *byLogicalTableRouter) keySchema(old *schema.Schema, newTopic string) (*schema.Schema, error) {
	ck := renamedSchema{old, newTopic}
	if s, ok := t.keys.get(ck); ok {
		return s, nil
	}
	fields := make([]schema.Field, 0, len(old.Fields)+1)
	for _, f := range old.Fields {
		fields = append(fields, schema.NewField(f.Name, f.Schema))
	}
	if t.enforceUnique {
		if old.Field(t.keyFieldName) != nil {
			return nil, fmt.Errorf("%s: Cannot create field because of field name duplication %s", ByLogicalTableRouterClass, t.keyFieldName)
		}
		fields = append(fields, schema.NewField(t.keyFieldName, schema.StringSchema))
	}
	name, err := t.names.adjust(newTopic + ".Key")
	if err != nil {
		return nil, err
	}
	s := copyStructBasics(old, name, fields)
	t.keys.put(ck, s)
	return s, nil
}

// key is updateKey: the old key's values as they are (getWithoutDefault),
// and the physical table identifier.
func (t *byLogicalTableRouter) key(s *schema.Schema, old *schema.Struct, oldTopic string) *schema.Struct {
	values := make([]any, len(s.Fields))
	copy(values, old.Values[:min(len(old.Values), len(old.Schema.Fields))])
	if t.enforceUnique {
		values[len(values)-1] = t.physicalTable(oldTopic)
	}
	return &schema.Struct{Schema: s, Values: values}
}

// physicalTable is the identifier of the old topic: key.field.regex's
// replacement of it when set and matching, else the topic itself.
func (t *byLogicalTableRouter) physicalTable(oldTopic string) string {
	if t.keyField == nil {
		return oldTopic
	}
	if id, ok := t.keyIDs.get(oldTopic); ok {
		return id
	}
	id, ok := t.keyField.replace(oldTopic)
	if !ok {
		return oldTopic
	}
	t.keyIDs.put(oldTopic, id)
	return id
}

// envelopeSchema is updateEnvelopeSchema: before and after get the row
// schema renamed <new topic>.Value, the envelope <new topic>.Envelope.
func (t *byLogicalTableRouter) envelopeSchema(old *schema.Schema, newTopic string) (*schema.Schema, error) {
	ck := renamedSchema{old, newTopic}
	if s, ok := t.envelopes.get(ck); ok {
		return s, nil
	}
	before := old.Field("before")
	if before == nil {
		return nil, fmt.Errorf("%s: %s is not a valid field name", ByLogicalTableRouterClass, "before")
	}
	valueName, err := t.names.adjust(newTopic + ".Value")
	if err != nil {
		return nil, err
	}
	rowFields := make([]schema.Field, len(before.Schema.Fields))
	for i, f := range before.Schema.Fields {
		rowFields[i] = schema.NewField(f.Name, f.Schema)
	}
	row := copyStructBasics(before.Schema, valueName, rowFields)
	fields := make([]schema.Field, len(old.Fields))
	for i, f := range old.Fields {
		fs := f.Schema
		if f.Name == "before" || f.Name == "after" {
			fs = row
		}
		fields[i] = schema.NewField(f.Name, fs)
	}
	envName, err := t.names.adjust(newTopic + envelopeSuffix)
	if err != nil {
		return nil, err
	}
	s := copyStructBasics(old, envName, fields)
	t.envelopes.put(ck, s)
	return s, nil
}

// envelope is updateEnvelope: the envelope's values (Struct.get, defaults
// applied) with before and after rebuilt on the renamed row schema, their
// own values copied as they are (getWithoutDefault).
func (t *byLogicalTableRouter) envelope(s *schema.Schema, old *schema.Struct) (*schema.Struct, error) {
	if len(old.Values) != len(old.Schema.Fields) {
		return nil, fmt.Errorf("%s: struct %s has %d values for %d fields", ByLogicalTableRouterClass, old.Schema.Name, len(old.Values), len(old.Schema.Fields))
	}
	row := s.Field("before").Schema
	values := make([]any, len(s.Fields))
	for i, f := range old.Schema.Fields {
		v := fieldValue(old, i, true)
		if (f.Name == "before" || f.Name == "after") && v != nil {
			st, err := requireStruct(ByLogicalTableRouterClass, "Updating schema", f.Schema, v)
			if err != nil {
				return nil, err
			}
			if len(st.Values) != len(row.Fields) {
				return nil, fmt.Errorf("%s: %s has %d values for %d fields", ByLogicalTableRouterClass, f.Name, len(st.Values), len(row.Fields))
			}
			v = &schema.Struct{Schema: row, Values: st.Values}
		}
		values[i] = v
	}
	return &schema.Struct{Schema: s, Values: values}, nil
}

// nameAdjuster is the schema.name.adjustment.mode adjuster as Debezium's
// SchemaNameAdjuster.create builds it: an adjusted name that two different
// names map to is an error ("conflicts with another different schema").
// Names are remembered per transform (Debezium's are remembered per JVM),
// up to maxAdjustedNames; beyond that, new conflicts go undetected.
type nameAdjuster struct {
	adjust1    func(string) string
	originalOf map[string]string
}

const maxAdjustedNames = 4096

func newNameAdjuster(mode string) *nameAdjuster {
	return &nameAdjuster{adjust1: schemaname.Adjuster(mode), originalOf: map[string]string{}}
}

func (n *nameAdjuster) adjust(name string) (string, error) {
	if n.adjust1 == nil {
		return name, nil
	}
	out := n.adjust1(name)
	if out == name {
		return out, nil
	}
	if prev, ok := n.originalOf[out]; ok && prev != name {
		return "", fmt.Errorf("The Kafka Connect schema name '%s' is not a valid Avro schema name and its replacement '%s' conflicts with another different schema '%s'", name, out, prev)
	} else if !ok && len(n.originalOf) < maxAdjustedNames {
		n.originalOf[out] = name
	}
	return out, nil
}

// javaTrimLower is an enumerated value as Debezium's parse reads it.
func javaTrimLower(s string) string { return strings.ToLower(javaTrim(s)) }
