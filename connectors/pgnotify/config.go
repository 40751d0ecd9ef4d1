package pgnotify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
)

// The connector's own properties.
const (
	KeyChannels          = "notify.channels"
	KeyTopicMapping      = "notify.topic.mapping"
	KeyPayloadFormat     = "notify.payload.format"
	KeyBackoffInitialMs  = "notify.reconnect.backoff.initial.ms"
	KeyBackoffMaxMs      = "notify.reconnect.backoff.max.ms"
	KeyMaxBatchSize      = "max.batch.size"
	KeyMaxQueueSize      = "max.queue.size"
	FormatString         = "string"
	FormatJSON           = "json"
	errorsTolerance      = "errors.tolerance"
	errorsLogEnable      = "errors.log.enable"
	maxChannelNameLength = 63 // NAMEDATALEN - 1: PostgreSQL truncates longer identifiers
	maxTopicNameLength   = 249
)

// connectionKeys are the PostgreSQL connector's connection properties this
// connector reads, declared once there (postgres.Connector.ConfigDef) and
// parsed by postgres.QueryConnConfig as that connector parses them.
var connectionKeys = []string{
	postgres.KeyHostname, postgres.KeyPort, postgres.KeyUser, postgres.KeyPassword, postgres.KeyDBName,
	postgres.KeySSLMode, postgres.KeySSLRootCert, postgres.KeySSLCert, postgres.KeySSLKey, postgres.KeySSLPassword,
	postgres.KeyTCPKeepAlive, postgres.KeyInitialStatements,
}

// configDef declares every property the connector reads; any other
// connector property (besides Kafka Connect's own) is refused.
var configDef = configdef.Define(configKeys()...)

func configKeys() []configdef.Key {
	pg := postgres.New().ConfigDef()
	var keys []configdef.Key
	reuse := func(name string) {
		k, ok := pg.Key(name)
		if !ok {
			panic("the PostgreSQL connector declares no " + name)
		}
		keys = append(keys, k)
	}
	reuse(postgres.KeyTopicPrefix)
	for _, name := range connectionKeys {
		reuse(name)
	}
	type k = configdef.Key
	keys = append(keys, []k{
		{Name: KeyChannels, Type: configdef.TypeList, Default: configdef.NoDefault, Importance: configdef.ImportanceHigh, Group: "Notify",
			Validator: configdef.Func("non-empty list of channel names", validChannels), DisplayName: "Channels",
			Documentation: "Comma-separated list of the notification channels to LISTEN on. Each name is taken literally (case-sensitive, as pg_notify's first argument; quoted as an identifier in LISTEN), at most 63 bytes."},
		{Name: KeyTopicMapping, Type: configdef.TypeList, Default: "", Importance: configdef.ImportanceMedium, Group: "Notify",
			Validator: configdef.Func("list of <channel>:<topic>", validMapping), DisplayName: "Topic mapping",
			Documentation: "Comma-separated list of <channel>:<topic> entries: the notifications of a listed channel go to that topic instead of <topic.prefix>.<channel>. The channel is what precedes the last ':'; it must be one of notify.channels."},
		{Name: KeyPayloadFormat, Type: configdef.TypeString, Default: FormatString, Importance: configdef.ImportanceMedium, Group: "Notify",
			Validator: configdef.In(FormatString, FormatJSON), DisplayName: "Payload format",
			Documentation: "How the payload becomes the record value: 'string' (the default) an optional string; 'json' the payload parsed as JsonConverter with schemas.enable=false parses it, a schemaless value (objects become maps). A payload that is not JSON fails the task, or is skipped and counted with errors.tolerance=all."},
		{Name: KeyBackoffInitialMs, Type: configdef.TypeLong, Default: "500", Importance: configdef.ImportanceLow, Group: "Notify",
			Validator: configdef.AtLeast(int64(1)), DisplayName: "Reconnect backoff initial (ms)",
			Documentation: "The delay before the first attempt to reconnect after the listening connection failed; it doubles with each failed attempt up to notify.reconnect.backoff.max.ms, with jitter. Notifications sent while disconnected are lost."},
		{Name: KeyBackoffMaxMs, Type: configdef.TypeLong, Default: "30000", Importance: configdef.ImportanceLow, Group: "Notify",
			Validator: configdef.AtLeast(int64(1)), DisplayName: "Reconnect backoff maximum (ms)",
			Documentation: "The longest delay between two attempts to reconnect. The task keeps trying until it is stopped."},
		{Name: KeyMaxBatchSize, Type: configdef.TypeInt, Default: "2048", Importance: configdef.ImportanceMedium, Group: "Notify",
			Validator: configdef.AtLeast(1), DisplayName: "Batch size",
			Documentation: "The most records one poll hands to the worker."},
		{Name: KeyMaxQueueSize, Type: configdef.TypeInt, Default: "8192", Importance: configdef.ImportanceMedium, Group: "Notify",
			Validator: configdef.AtLeast(1), DisplayName: "Queue size",
			Documentation: "The most notifications held between the listening connection and the worker. When it is full the connection is not read, and PostgreSQL keeps what is sent in its notification queue."},
	}...)
	order := map[string]int{}
	for i := range keys {
		order[keys[i].Group]++
		keys[i].Order = order[keys[i].Group]
	}
	return keys
}

// Config is a parsed connector configuration.
type Config struct {
	TopicPrefix string
	Channels    []string
	// Topics maps each channel to its topic.
	Topics         map[string]string
	JSON           bool
	BackoffInitial time.Duration
	BackoffMax     time.Duration
	MaxBatchSize   int
	MaxQueueSize   int
	// TolerateAll is errors.tolerance=all: a payload that is not JSON is
	// skipped; LogErrors (errors.log.enable) logs it at WARN.
	TolerateAll bool
	LogErrors   bool
	Conn        *pgx.ConnConfig
	Warnings    []string
}

// ParseConfig parses and checks a configuration without contacting the
// database. Every problem names its property; a property neither this
// connector nor Kafka Connect reads is one.
func ParseConfig(props map[string]string) (*Config, []connect.ConfigError) {
	set := make(map[string]string, len(props))
	for k, v := range props {
		if strings.TrimSpace(v) != "" {
			set[k] = v
		}
	}
	v, errs := configDef.Parse(set)
	for _, name := range configDef.Unknown(props) {
		if connect.IsFrameworkProperty(name) {
			continue
		}
		errs = append(errs, connect.ConfigError{Name: name, Message: fmt.Sprintf(
			"The configuration '%s' is not a property of %s: remove it (the connector reads only %s, the connection properties %s and Kafka Connect's own)",
			name, ConnectorClass, "topic.prefix, notify.*, max.batch.size, max.queue.size", strings.Join(connectionKeys, ", "))})
	}
	c := &Config{
		TopicPrefix:    v.String(postgres.KeyTopicPrefix),
		Channels:       v.List(KeyChannels),
		JSON:           v.String(KeyPayloadFormat) == FormatJSON,
		BackoffInitial: time.Duration(v.Long(KeyBackoffInitialMs)) * time.Millisecond,
		BackoffMax:     time.Duration(v.Long(KeyBackoffMaxMs)) * time.Millisecond,
		MaxBatchSize:   v.Int(KeyMaxBatchSize),
		MaxQueueSize:   v.Int(KeyMaxQueueSize),
		TolerateAll:    strings.EqualFold(strings.TrimSpace(props[errorsTolerance]), "all"),
		LogErrors:      strings.EqualFold(strings.TrimSpace(props[errorsLogEnable]), "true"),
	}
	if c.TopicPrefix != "" && !validTopic(c.TopicPrefix) {
		errs = append(errs, connect.ConfigError{Name: postgres.KeyTopicPrefix, Message: fmt.Sprintf(
			"Invalid value %s for configuration %s: must be a valid topic name (the characters [a-zA-Z0-9._-])", c.TopicPrefix, postgres.KeyTopicPrefix)})
	}
	if c.BackoffMax < c.BackoffInitial {
		errs = append(errs, connect.ConfigError{Name: KeyBackoffMaxMs, Message: fmt.Sprintf(
			"Invalid value %d for configuration %s: must be at least %s (%d)",
			v.Long(KeyBackoffMaxMs), KeyBackoffMaxMs, KeyBackoffInitialMs, v.Long(KeyBackoffInitialMs))})
	}
	if len(errs) == 0 {
		topics, err := topicsOf(c.TopicPrefix, c.Channels, v.List(KeyTopicMapping))
		if err != nil {
			errs = append(errs, *err)
		}
		c.Topics = topics
	}
	conn := map[string]string{}
	for _, k := range connectionKeys {
		if val, ok := set[k]; ok {
			conn[k] = val
		}
	}
	pc, warnings, connErrs := postgres.QueryConnConfig(conn)
	for _, e := range connErrs {
		if !slices.ContainsFunc(errs, func(x connect.ConfigError) bool { return x.Name == e.Name }) {
			errs = append(errs, e)
		}
	}
	c.Conn, c.Warnings = pc, warnings
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b connect.ConfigError) int { return strings.Compare(a.Name, b.Name) })
		return nil, errs
	}
	return c, nil
}

// validChannels checks notify.channels: names PostgreSQL keeps whole, each
// once.
func validChannels(name string, v any) error {
	list, _ := v.([]string)
	if len(list) == 0 {
		return configdef.Invalid(name, v, "at least one channel is required")
	}
	seen := map[string]bool{}
	for _, ch := range list {
		switch {
		case ch == "":
			return configdef.Invalid(name, v, "a channel name is empty")
		case len(ch) > maxChannelNameLength:
			return configdef.Invalid(name, v, fmt.Sprintf("channel %q is longer than %d bytes, which PostgreSQL would truncate", ch, maxChannelNameLength))
		case strings.ContainsRune(ch, 0):
			return configdef.Invalid(name, v, fmt.Sprintf("channel %q contains a NUL character", ch))
		case seen[ch]:
			return configdef.Invalid(name, v, fmt.Sprintf("channel %q is listed twice", ch))
		}
		seen[ch] = true
	}
	return nil
}

// validMapping checks the shape of notify.topic.mapping entries; which
// channels they name is checked against notify.channels by topicsOf.
func validMapping(name string, v any) error {
	list, _ := v.([]string)
	for _, e := range list {
		if _, _, err := splitMapping(e); err != nil {
			return configdef.Invalid(name, v, err.Error())
		}
	}
	return nil
}

// splitMapping splits one <channel>:<topic> entry at its last ':' (a topic
// name has no ':', a channel name may).
func splitMapping(e string) (channel, topic string, err error) {
	i := strings.LastIndexByte(e, ':')
	if i < 0 {
		return "", "", fmt.Errorf("entry %q is not <channel>:<topic>", e)
	}
	channel, topic = e[:i], e[i+1:]
	if channel == "" {
		return "", "", fmt.Errorf("entry %q names no channel", e)
	}
	if !validTopic(topic) {
		return "", "", fmt.Errorf("entry %q: %q is not a valid topic name (1 to %d of the characters [a-zA-Z0-9._-], not '.' or '..')", e, topic, maxTopicNameLength)
	}
	return channel, topic, nil
}

// validTopic is Kafka's Topic.validate.
func validTopic(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > maxTopicNameLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// topicsOf returns each channel's topic: its mapping entry, else
// <prefix>.<channel>, which must then be a valid topic name.
func topicsOf(prefix string, channels, mapping []string) (map[string]string, *connect.ConfigError) {
	topics := make(map[string]string, len(channels))
	for _, e := range mapping {
		ch, topic, err := splitMapping(e)
		if err != nil {
			return nil, &connect.ConfigError{Name: KeyTopicMapping, Message: err.Error()}
		}
		if !slices.Contains(channels, ch) {
			return nil, &connect.ConfigError{Name: KeyTopicMapping, Message: fmt.Sprintf(
				"Invalid value %s for configuration %s: channel %q is not one of %s", strings.Join(mapping, ","), KeyTopicMapping, ch, KeyChannels)}
		}
		if _, dup := topics[ch]; dup {
			return nil, &connect.ConfigError{Name: KeyTopicMapping, Message: fmt.Sprintf(
				"Invalid value %s for configuration %s: channel %q is mapped twice", strings.Join(mapping, ","), KeyTopicMapping, ch)}
		}
		topics[ch] = topic
	}
	for _, ch := range channels {
		if _, ok := topics[ch]; ok {
			continue
		}
		topic := prefix + "." + ch
		if !validTopic(topic) {
			return nil, &connect.ConfigError{Name: KeyChannels, Message: fmt.Sprintf(
				"Invalid value %s for configuration %s: channel %q gives the topic name %q, which is not a valid topic name; map the channel to a topic with %s",
				strings.Join(channels, ","), KeyChannels, ch, topic, KeyTopicMapping)}
		}
		topics[ch] = topic
	}
	return topics, nil
}
