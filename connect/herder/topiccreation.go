package herder

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

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
	var errs []connect.ConfigError
	names := parseList(config[keyTopicCreationGroups])
	if len(names) > len(uniq(names)) {
		errs = append(errs, connect.ConfigError{Name: keyTopicCreationGroups,
			Message: invalidValue(keyTopicCreationGroups, javaList(names), "Duplicate alias provided.")})
	}
	if !enabled || !usesTopicCreation(config) {
		return nil, errs
	}

	tc := &topicCreation{}
	// The default group takes every topic: its own include and exclude
	// are dropped, as SourceConnectorConfig drops them.
	def := &topicCreationGroup{
		name:    defaultTopicCreationGroup,
		include: regexp.MustCompile(`\A(?:.*)\z`),
		exclude: regexp.MustCompile(`\A\z`),
	}
	var ok bool
	if def.replicationFactor, ok = requiredShort(config, groupKey(def.name, groupReplicationFactor), &errs); !ok {
		def.replicationFactor = -1
	}
	if def.partitions, ok = requiredInt(config, groupKey(def.name, groupPartitions), &errs); !ok {
		def.partitions = -1
	}
	def.configs = groupConfigs(config, def.name)
	tc.defaultGroup = def

	for _, name := range uniq(names) {
		if name == defaultTopicCreationGroup {
			tc.listsDefault = true
			continue
		}
		g := &topicCreationGroup{name: name, replicationFactor: def.replicationFactor, partitions: def.partitions}
		g.include = regexList(config, groupKey(name, groupInclude), &errs)
		g.exclude = regexList(config, groupKey(name, groupExclude), &errs)
		if v, ok := config[groupKey(name, groupReplicationFactor)]; ok {
			g.replicationFactor, _ = parseShort(groupKey(name, groupReplicationFactor), v, &errs)
		}
		if v, ok := config[groupKey(name, groupPartitions)]; ok {
			g.partitions, _ = parseInt(groupKey(name, groupPartitions), v, &errs)
		}
		g.configs = groupConfigs(config, name)
		tc.groups = append(tc.groups, g)
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

// requiredShort reads a required SHORT replication factor.
func requiredShort(config map[string]string, key string, errs *[]connect.ConfigError) (int16, bool) {
	v, ok := config[key]
	if !ok {
		*errs = append(*errs, missingValue(key))
		return 0, false
	}
	return parseShort(key, v, errs)
}

// requiredInt reads a required INT partition count.
func requiredInt(config map[string]string, key string, errs *[]connect.ConfigError) (int32, bool) {
	v, ok := config[key]
	if !ok {
		*errs = append(*errs, missingValue(key))
		return 0, false
	}
	return parseInt(key, v, errs)
}

// parseShort parses a replication factor as ConfigDef parses a SHORT and
// TopicCreationConfig validates it: positive, or -1 for the broker's default.
func parseShort(key, v string, errs *[]connect.ConfigError) (int16, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 16)
	switch {
	case err != nil:
		*errs = append(*errs, connect.ConfigError{Name: key, Message: invalidValue(key, v, "Not a number of type SHORT")})
	case n != -1 && n < 1:
		*errs = append(*errs, connect.ConfigError{Name: key, Message: invalidValue(key, strconv.FormatInt(n, 10),
			"Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default")})
	default:
		return int16(n), true
	}
	return -1, false
}

// parseInt parses a partition count as ConfigDef parses an INT and
// TopicCreationConfig validates it: positive, or -1 for the broker's default.
func parseInt(key, v string, errs *[]connect.ConfigError) (int32, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	switch {
	case err != nil:
		*errs = append(*errs, connect.ConfigError{Name: key, Message: invalidValue(key, v, "Not a number of type INT")})
	case n != -1 && n < 1:
		*errs = append(*errs, connect.ConfigError{Name: key, Message: invalidValue(key, strconv.FormatInt(n, 10),
			"Number of partitions must be positive, or -1 to use the broker's default")})
	default:
		return int32(n), true
	}
	return -1, false
}

// regexList reads a LIST of Java regular expressions, each checked alone
// (TopicCreationConfig's REGEX_VALIDATOR), and returns them joined with "|"
// and anchored, as TopicCreationGroup compiles them for Matcher.matches. An
// empty list matches only the empty name, which no topic has.
func regexList(config map[string]string, key string, errs *[]connect.ConfigError) *regexp.Regexp {
	list := parseList(config[key])
	for _, p := range list {
		if _, _, err := javaregex.Compile(p); err != nil {
			*errs = append(*errs, connect.ConfigError{Name: key,
				Message: invalidValue(key, javaList(list), "Syntax error in regular expression: "+err.Error())})
			return nil
		}
	}
	_, full, err := javaregex.Compile(strings.Join(list, "|"))
	if err != nil {
		// TopicCreationGroup compiles the joined list too.
		*errs = append(*errs, connect.ConfigError{Name: key,
			Message: invalidValue(key, javaList(list), "Syntax error in regular expression: "+err.Error())})
		return nil
	}
	return full
}

// listSeparator is ConfigDef's separator of LIST values.
var listSeparator = regexp.MustCompile(`\s*,\s*`)

// parseList parses a LIST value as ConfigDef does: trimmed, empty for an
// empty value, else split on commas and the blanks around them (empty
// items kept).
func parseList(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	return listSeparator.Split(v, -1)
}

// uniq returns list without repeated items, in first-seen order.
func uniq(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// javaList renders a list as Java's List.toString does: [a, b].
func javaList(list []string) string { return "[" + strings.Join(list, ", ") + "]" }

// invalidValue and missingValue word a problem as Kafka's ConfigException.
func invalidValue(key, value, message string) string {
	return fmt.Sprintf("Invalid value %s for configuration %s: %s", value, key, message)
}

func missingValue(key string) connect.ConfigError {
	return connect.ConfigError{Name: key, Message: `Missing required configuration "` + key + `" which has no default value.`}
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
