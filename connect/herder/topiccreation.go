package herder

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/javaregex"
)

// Connector properties of source topic creation (KIP-158), as Kafka
// Connect's SourceConnectorConfig and TopicCreationConfig name them.
const (
	topicCreationPrefix       = "topic.creation."
	keyTopicCreationGroups    = "topic.creation.groups"
	defaultTopicCreationGroup = "default"

	groupInclude           = "include"
	groupExclude           = "exclude"
	groupReplicationFactor = "replication.factor"
	groupPartitions        = "partitions"
)

// Kafka's documentation of a group's keys (TopicCreationConfig), kept word
// for word, the missing space of "broker'sdefault" included.
const (
	includeDoc = "A list of regular expression literals " +
		"used to match the topic names used by the source connector. This list is used " +
		"to include topics that should be created using the topic settings defined by this group."
	excludeDoc = "A list of regular expression literals " +
		"used to match the topic names used by the source connector. This list is used " +
		"to exclude topics from being created with the topic settings defined by this group. " +
		"Note that exclusion rules have precedent and override any inclusion rules for the topics."
	replicationFactorDoc = "The replication factor for new topics " +
		"created for this connector using this group. This value may be -1 to use the broker's" +
		"default replication factor, or may be a positive number not larger than the number of " +
		"brokers in the Kafka cluster. A value larger than the number of brokers in the Kafka cluster " +
		"will result in an error when the new topic is created. For the default group this configuration " +
		"is required. For any other group defined in topic.creation.groups this config is " +
		"optional and if it's missing it gets the value of the default group"
	partitionsDoc = "The number of partitions new topics created for " +
		"this connector. This value may be -1 to use the broker's default number of partitions, " +
		"or a positive number representing the desired number of partitions. " +
		"For the default group this configuration is required. For any " +
		"other group defined in topic.creation.groups this config is optional and if it's " +
		"missing it gets the value of the default group"
)

// regexValidator is TopicCreationConfig.REGEX_VALIDATOR: each entry a
// Java regular expression. Its description is Kafka's, copied there from
// the partitions validator.
var regexValidator = configdef.Func("Positive number, or -1 to use the broker's default",
	func(name string, v any) error {
		list, _ := v.([]string)
		for _, p := range list {
			if _, _, err := javaregex.Compile(p); err != nil {
				return configdef.Invalid(name, v, "Syntax error in regular expression: "+err.Error())
			}
		}
		return nil
	})

// topicCreationGroupKeys declares one topic creation group's keys under
// topic.creation.<alias>.: TopicCreationConfig.defaultGroupConfigDef() for
// the default group (include .*, replication factor and partitions
// required), TopicCreationConfig.configDef(group, rf, partitions) for a
// group of topic.creation.groups (in group "Topic Creation: <alias>", its
// replication factor and partitions defaulting to the default group's), as
// SourceConnectorConfig.embedDefaultGroup and enrich embed them. The keys
// carry their full names, so that every message names the property the
// connector sets: Kafka's embedded validators name the unprefixed key
// ("partitions"). Their groups are TopicCreationConfig's, where
// ConfigDef.embed would prefix them with the group once more.
func topicCreationGroupKeys(alias string, rf, partitions any) []configdef.Key {
	prefix := topicCreationPrefix + alias + "."
	group := connect.GroupTopicCreation + ": " + alias
	include, regexes := any([]string{}), regexValidator
	if alias == defaultTopicCreationGroup {
		group = defaultTopicCreationGroup
		include, regexes = []string{".*"}, configdef.NonNull()
	}
	return []configdef.Key{
		{Name: prefix + groupInclude, Type: configdef.TypeList, Default: include, Validator: regexes,
			Importance: configdef.ImportanceLow, Documentation: includeDoc, Group: group, Order: 0,
			Width: configdef.WidthLong, DisplayName: "Inclusion Topic Pattern for " + group},
		{Name: prefix + groupExclude, Type: configdef.TypeList, Default: []string{}, Validator: regexes,
			Importance: configdef.ImportanceLow, Documentation: excludeDoc, Group: group, Order: 1,
			Width: configdef.WidthLong, DisplayName: "Exclusion Topic Pattern for " + group},
		{Name: prefix + groupReplicationFactor, Type: configdef.TypeShort, Default: rf, Validator: connect.ReplicationFactorValidator,
			Importance: configdef.ImportanceLow, Documentation: replicationFactorDoc, Group: group, Order: 2,
			Width: configdef.WidthLong, DisplayName: "Replication Factor for Topics in " + group},
		{Name: prefix + groupPartitions, Type: configdef.TypeInt, Default: partitions, Validator: connect.PartitionsValidator,
			Importance: configdef.ImportanceLow, Documentation: partitionsDoc, Group: group, Order: 3,
			Width: configdef.WidthLong, DisplayName: "Partition Count for Topics in " + group},
	}
}

// topicCreationGroupsDef declares SourceConnectorConfig's
// topic.creation.groups alone.
var topicCreationGroupsDef = func() *configdef.Def {
	k, _ := connect.SourceConnectorConfigDef.Key(keyTopicCreationGroups)
	return configdef.Define(k)
}()

// topicCreationDef is base with the topic creation groups of config
// embedded, as SourceConnectorConfig's constructor builds its enriched
// definition when the worker creates topics and config has a
// topic.creation.* property: the default group (embedDefaultGroup), then
// every other distinct group of topic.creation.groups (enrich), whose
// replication factor and partitions default to the default group's (-1
// when those are missing or invalid). It also returns the listed aliases
// without "default" and whether "default" was listed.
func topicCreationDef(base *configdef.Def, config map[string]string) (def *configdef.Def, aliases []string, listsDefault bool) {
	def = base.With(topicCreationGroupKeys(defaultTopicCreationGroup, configdef.NoDefault, configdef.NoDefault)...)
	defaults, _ := def.Parse(config)
	rf, partitions := any(int16(-1)), any(-1)
	if v := defaults.Get(groupKey(defaultTopicCreationGroup, groupReplicationFactor)); v != nil {
		rf = v
	}
	if v := defaults.Get(groupKey(defaultTopicCreationGroup, groupPartitions)); v != nil {
		partitions = v
	}
	for _, alias := range configdef.SplitList(config[keyTopicCreationGroups]) {
		switch {
		case alias == defaultTopicCreationGroup:
			listsDefault = true
		case !slices.Contains(aliases, alias):
			aliases = append(aliases, alias)
			def = def.With(topicCreationGroupKeys(alias, rf, partitions)...)
		}
	}
	return def, aliases, listsDefault
}

// topicCreationGroup is one topic creation group (Kafka Connect's
// TopicCreationGroup): the topics it takes and how it creates them.
type topicCreationGroup struct {
	name              string
	include, exclude  *regexp.Regexp // whole-name matches
	partitions        int32          // -1: the broker's default
	replicationFactor int16          // -1: the broker's default
	configs           map[string]string
}

// matches is TopicCreationGroup.matches: the topic matches the group's
// include list and not its exclude list.
func (g *topicCreationGroup) matches(topic string) bool {
	return !g.exclude.MatchString(topic) && g.include.MatchString(topic)
}

// topicCreation is how the worker creates a connector's topics (Kafka
// Connect's TopicCreation): by the first of the listed groups that matches
// the topic, else by the default group.
type topicCreation struct {
	groups       []*topicCreationGroup // in topic.creation.groups order, without "default"
	defaultGroup *topicCreationGroup
	// listsDefault is set when topic.creation.groups names "default",
	// which Kafka Connect ignores with a warning.
	listsDefault bool
}

// group is TopicCreation.findFirstGroup.
func (tc *topicCreation) group(topic string) *topicCreationGroup {
	for _, g := range tc.groups {
		if g.matches(topic) {
			return g
		}
	}
	return tc.defaultGroup
}

// usesTopicCreation is SourceConnectorConfig.usesTopicCreation: any
// topic.creation.* property.
func usesTopicCreation(config map[string]string) bool {
	for k := range config {
		if strings.HasPrefix(k, topicCreationPrefix) {
			return true
		}
	}
	return false
}

// parseTopicCreation reads a connector's topic creation settings as Kafka
// Connect's SourceConnectorConfig does on a worker with the given
// topic.creation.enable. It returns nil when the worker creates no topics
// for the connector: the flag is off, or the connector has no
// topic.creation.* property. Every invalid setting is reported, worded as
// ConfigDef words it; with the flag off, only topic.creation.groups is
// checked (it belongs to SourceConnectorConfig's own definition).
func parseTopicCreation(config map[string]string, enabled bool) (*topicCreation, []connect.ConfigError) {
	if !enabled || !usesTopicCreation(config) {
		_, errs := topicCreationGroupsDef.Parse(config)
		return nil, errs
	}
	def, aliases, listsDefault := topicCreationDef(topicCreationGroupsDef, config)
	// The default group takes every topic: its own include and exclude
	// are dropped, as SourceConnectorConfig drops them.
	props := maps.Clone(config)
	delete(props, groupKey(defaultTopicCreationGroup, groupInclude))
	delete(props, groupKey(defaultTopicCreationGroup, groupExclude))
	values, errs := def.Parse(props)

	tc := &topicCreation{listsDefault: listsDefault}
	for _, name := range append([]string{defaultTopicCreationGroup}, aliases...) {
		g := &topicCreationGroup{
			name:              name,
			include:           regexList(values, groupKey(name, groupInclude), &errs),
			exclude:           regexList(values, groupKey(name, groupExclude), &errs),
			replicationFactor: values.Short(groupKey(name, groupReplicationFactor)),
			partitions:        int32(values.Int(groupKey(name, groupPartitions))),
			configs:           groupConfigs(config, name),
		}
		if name == defaultTopicCreationGroup {
			tc.defaultGroup = g
		} else {
			tc.groups = append(tc.groups, g)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return tc, nil
}

func groupKey(group, property string) string { return topicCreationPrefix + group + "." + property }

// groupConfigs are the group's other properties, the configs of the topics
// it creates (SourceConnectorConfig.topicCreationOtherConfigs).
func groupConfigs(config map[string]string, group string) map[string]string {
	prefix := topicCreationPrefix + group + "."
	out := map[string]string{}
	for k, v := range config {
		name, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		switch name {
		case groupInclude, groupExclude, groupReplicationFactor, groupPartitions:
			continue
		}
		out[name] = v
	}
	return out
}

// regexList joins a group's parsed include or exclude list with "|" and
// anchors it, as TopicCreationGroup compiles it for Matcher.matches (each
// entry was checked alone by regexValidator). An empty list matches only
// the empty name, which no topic has.
func regexList(values *configdef.Values, key string, errs *[]connect.ConfigError) *regexp.Regexp {
	list := values.List(key)
	_, full, err := javaregex.Compile(strings.Join(list, "|"))
	if err != nil {
		*errs = append(*errs, connect.ConfigError{Name: key,
			Message: configdef.Invalid(key, list, "Syntax error in regular expression: "+err.Error()).Error()})
		return nil
	}
	return full
}

// topicCreationOf is the part of parseTopicCreation the task needs; a
// problem (possible when the worker that validated the config had
// topic.creation.enable=false) fails the task, as it fails the connector
// in Kafka Connect.
func (h *Herder) topicCreationOf(config map[string]string) (*topicCreation, error) {
	tc, errs := parseTopicCreation(config, !h.cfg.TopicCreationDisabled)
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuring topic creation: %w", &connect.ValidationError{Errors: errs})
	}
	return tc, nil
}
