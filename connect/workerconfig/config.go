package workerconfig

import (
	"fmt"
	"maps"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect/loglevel"
)

// Property names with a meaning in Config.
const (
	PropBootstrapServers       = "bootstrap.servers"
	PropGroupID                = "group.id"
	PropConfigTopic            = "config.storage.topic"
	PropOffsetTopic            = "offset.storage.topic"
	PropStatusTopic            = "status.storage.topic"
	PropConfigReplication      = "config.storage.replication.factor"
	PropOffsetReplication      = "offset.storage.replication.factor"
	PropStatusReplication      = "status.storage.replication.factor"
	PropOffsetPartitions       = "offset.storage.partitions"
	PropStatusPartitions       = "status.storage.partitions"
	PropKeyConverter           = "key.converter"
	PropValueConverter         = "value.converter"
	PropOffsetFlushInterval    = "offset.flush.interval.ms"
	PropOffsetFlushTimeout     = "offset.flush.timeout.ms"
	PropListeners              = "listeners"
	PropAdvertisedHostName     = "rest.advertised.host.name"
	PropAdvertisedPort         = "rest.advertised.port"
	PropEmbeddedKafkaListeners = "embedded.kafka.listeners"
	PropEmbeddedDataDir        = "embedded.data.dir"
	PropTopicCreationEnable    = "topic.creation.enable"
	PropTaskShutdownTimeout    = "task.shutdown.graceful.timeout.ms"
	PropSessionTimeout         = "session.timeout.ms"
	PropHeartbeatInterval      = "heartbeat.interval.ms"
	PropRebalanceTimeout       = "rebalance.timeout.ms"
	PropTopicTrackingEnable    = "topic.tracking.enable"
	PropTopicTrackingReset     = "topic.tracking.allow.reset"
	PropExactlyOnceSource      = "exactly.once.source.support"
	PropLogFormat              = "log.format"
	envLogFormat               = "LOG_FORMAT"
	legacyRestHostName         = "rest.host.name"
	legacyRestPort             = "rest.port"
	schemasEnable              = "schemas.enable"
	keyConverterPrefix         = "key.converter."
	valueConverterPrefix       = "value.converter."
	defaultConverter           = "org.apache.kafka.connect.json.JsonConverter"
	defaultListener            = "http://:8083"
	defaultEmbeddedListen      = "127.0.0.1:9092"
	defaultEmbeddedDataDir     = "./tributary-data"
)

// defaults are applied to properties set neither in the file nor the
// environment. Kafka Connect requires group.id and the topic names; these are
// the values of its sample connect-distributed.properties. Replication
// factors default to the broker's default rather than Connect's 3, so a
// single-broker cluster works out of the box.
var defaults = map[string]string{
	PropGroupID:                "tributary",
	PropConfigTopic:            "connect-configs",
	PropOffsetTopic:            "connect-offsets",
	PropStatusTopic:            "connect-status",
	PropConfigReplication:      "-1",
	PropOffsetReplication:      "-1",
	PropStatusReplication:      "-1",
	PropOffsetPartitions:       "25",
	PropStatusPartitions:       "5",
	PropKeyConverter:           defaultConverter,
	PropValueConverter:         defaultConverter,
	PropOffsetFlushInterval:    "60000",
	PropOffsetFlushTimeout:     "5000",
	PropEmbeddedKafkaListeners: defaultEmbeddedListen,
	PropEmbeddedDataDir:        defaultEmbeddedDataDir,
	PropTopicCreationEnable:    "true",
	PropSessionTimeout:         "10000",
	PropHeartbeatInterval:      "3000",
	PropRebalanceTimeout:       "60000",
	PropTopicTrackingEnable:    "true",
	PropTopicTrackingReset:     "true",
	PropExactlyOnceSource:      ExactlyOnceDisabled,
	PropLogFormat:              loglevel.FormatText,
}

// Values of exactly.once.source.support (KIP-618). "preparing" lets a
// rolling upgrade bring every worker to a version that knows exactly-once
// support before any worker enables it; like Kafka Connect, a preparing
// worker runs tasks as a disabled one does.
const (
	ExactlyOnceDisabled  = "disabled"
	ExactlyOncePreparing = "preparing"
	ExactlyOnceEnabled   = "enabled"
)

// Config is a worker's effective configuration.
type Config struct {
	// Props holds every effective property after file, environment and
	// defaults.
	Props map[string]string
	// BootstrapServers is empty when the worker should start the embedded
	// broker.
	BootstrapServers []string
	GroupID          string

	ConfigTopic, OffsetTopic, StatusTopic                                     string
	ConfigReplicationFactor, OffsetReplicationFactor, StatusReplicationFactor int16
	OffsetPartitions, StatusPartitions                                        int32

	KeyConverter, ValueConverter string
	// KeyConverterProps and ValueConverterProps are the "key.converter." and
	// "value.converter." properties with the prefix removed; schemas.enable
	// defaults to "true".
	KeyConverterProps, ValueConverterProps map[string]string

	OffsetFlushInterval, OffsetFlushTimeout time.Duration

	Listeners          []string
	AdvertisedHostName string
	AdvertisedPort     int // 0 = not set

	EmbeddedKafkaListeners string
	EmbeddedDataDir        string
	// TopicCreationEnable is topic.creation.enable: the worker creates the
	// topics of connectors with topic.creation.* properties.
	TopicCreationEnable bool

	// Group membership: session.timeout.ms, heartbeat.interval.ms and
	// rebalance.timeout.ms.
	SessionTimeout, HeartbeatInterval, RebalanceTimeout time.Duration

	// TopicTrackingEnable and TopicTrackingAllowReset are
	// topic.tracking.enable and topic.tracking.allow.reset.
	TopicTrackingEnable, TopicTrackingAllowReset bool

	// ExactlyOnceSource is exactly.once.source.support, lower-cased:
	// disabled, preparing or enabled.
	ExactlyOnceSource string

	// LogFormat is log.format, lower-cased: loglevel.FormatText or
	// loglevel.FormatJSON.
	LogFormat string
}

// Load reads the properties file at path (none if path is ""), applies the
// environment (os.Environ() form) and the defaults, and returns the typed
// config together with the names of properties that are neither Kafka
// Connect/Tributary worker properties nor prefixed client or converter
// settings, sorted.
//
// Environment: CONNECT_FOO_BAR=x sets foo.bar=x; the Debezium image's named
// variables (BOOTSTRAP_SERVERS, GROUP_ID, CONFIG_STORAGE_TOPIC,
// OFFSET_STORAGE_TOPIC, STATUS_STORAGE_TOPIC, KEY_CONVERTER, VALUE_CONVERTER,
// OFFSET_FLUSH_INTERVAL_MS, OFFSET_FLUSH_TIMEOUT_MS, SHUTDOWN_TIMEOUT,
// REST_PORT, ADVERTISED_HOST_NAME, ADVERTISED_PORT) win over CONNECT_*, as
// they do in the image, whose entrypoint exports them as CONNECT_*. The
// environment wins over the file. LOG_FORMAT sets log.format when neither
// the file nor CONNECT_LOG_FORMAT does.
func Load(path string, environ []string) (*Config, []string, error) {
	props := map[string]string{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("reading worker config: %w", err)
		}
		if props, err = ParseProperties(data); err != nil {
			return nil, nil, fmt.Errorf("parsing worker config %s: %w", path, err)
		}
	}
	if err := applyEnv(props, environ); err != nil {
		return nil, nil, err
	}
	if _, ok := props[PropLogFormat]; !ok {
		for _, kv := range environ {
			if v, ok := strings.CutPrefix(kv, envLogFormat+"="); ok && v != "" {
				props[PropLogFormat] = v
			}
		}
	}
	if _, ok := props[PropListeners]; !ok {
		// Kafka Connect before 4.0 built the listener from rest.host.name
		// and rest.port when listeners was not set.
		host, hasHost := props[legacyRestHostName]
		port, hasPort := props[legacyRestPort]
		if hasHost || hasPort {
			if port == "" {
				port = "8083"
			}
			props[PropListeners] = "http://" + host + ":" + port
		}
	}
	if _, ok := props[PropListeners]; !ok {
		props[PropListeners] = defaultListener
	}
	for k, v := range defaults {
		if _, ok := props[k]; !ok {
			props[k] = v
		}
	}
	cfg, err := build(props)
	if err != nil {
		return nil, nil, err
	}
	return cfg, unknown(props), nil
}

// namedEnv maps the Debezium image's variables to properties.
var namedEnv = map[string]string{
	"BOOTSTRAP_SERVERS":        PropBootstrapServers,
	"GROUP_ID":                 PropGroupID,
	"CONFIG_STORAGE_TOPIC":     PropConfigTopic,
	"OFFSET_STORAGE_TOPIC":     PropOffsetTopic,
	"STATUS_STORAGE_TOPIC":     PropStatusTopic,
	"KEY_CONVERTER":            PropKeyConverter,
	"VALUE_CONVERTER":          PropValueConverter,
	"OFFSET_FLUSH_INTERVAL_MS": PropOffsetFlushInterval,
	"OFFSET_FLUSH_TIMEOUT_MS":  PropOffsetFlushTimeout,
	"SHUTDOWN_TIMEOUT":         PropTaskShutdownTimeout,
	"ADVERTISED_HOST_NAME":     PropAdvertisedHostName,
	"ADVERTISED_PORT":          PropAdvertisedPort,
}

func applyEnv(props map[string]string, environ []string) error {
	named := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if rest, ok := strings.CutPrefix(name, "CONNECT_"); ok && rest != "" {
			// Logging is not configured through worker properties.
			if strings.HasPrefix(rest, "LOG4J") {
				continue
			}
			props[strings.ReplaceAll(strings.ToLower(rest), "_", ".")] = value
			continue
		}
		if _, ok := namedEnv[name]; ok || name == "REST_PORT" {
			named[name] = value
		}
	}
	for name, value := range named {
		if value == "" {
			continue
		}
		if name == "REST_PORT" {
			if _, err := parsePort(value); err != nil {
				return fmt.Errorf("parsing REST_PORT: %w", err)
			}
			props[PropListeners] = "http://:" + value
			continue
		}
		props[namedEnv[name]] = value
	}
	return nil
}

func build(p map[string]string) (*Config, error) {
	cfg := &Config{
		Props:                  p,
		GroupID:                p[PropGroupID],
		ConfigTopic:            p[PropConfigTopic],
		OffsetTopic:            p[PropOffsetTopic],
		StatusTopic:            p[PropStatusTopic],
		KeyConverter:           p[PropKeyConverter],
		ValueConverter:         p[PropValueConverter],
		AdvertisedHostName:     p[PropAdvertisedHostName],
		EmbeddedKafkaListeners: p[PropEmbeddedKafkaListeners],
		EmbeddedDataDir:        p[PropEmbeddedDataDir],
	}
	for _, s := range strings.Split(p[PropBootstrapServers], ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.BootstrapServers = append(cfg.BootstrapServers, s)
		}
	}
	for _, name := range []string{PropGroupID, PropConfigTopic, PropOffsetTopic, PropStatusTopic, PropKeyConverter, PropValueConverter} {
		if strings.TrimSpace(p[name]) == "" {
			return nil, fmt.Errorf("parsing %s: must not be empty", name)
		}
	}

	var err error
	if cfg.ConfigReplicationFactor, err = replicationFactor(p, PropConfigReplication); err != nil {
		return nil, err
	}
	if cfg.OffsetReplicationFactor, err = replicationFactor(p, PropOffsetReplication); err != nil {
		return nil, err
	}
	if cfg.StatusReplicationFactor, err = replicationFactor(p, PropStatusReplication); err != nil {
		return nil, err
	}
	if cfg.OffsetPartitions, err = partitions(p, PropOffsetPartitions); err != nil {
		return nil, err
	}
	if cfg.StatusPartitions, err = partitions(p, PropStatusPartitions); err != nil {
		return nil, err
	}
	if cfg.OffsetFlushInterval, err = millis(p, PropOffsetFlushInterval); err != nil {
		return nil, err
	}
	if cfg.OffsetFlushTimeout, err = millis(p, PropOffsetFlushTimeout); err != nil {
		return nil, err
	}
	if cfg.Listeners, err = listeners(p[PropListeners]); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", PropListeners, err)
	}
	if v, ok := p[PropAdvertisedPort]; ok && v != "" {
		if cfg.AdvertisedPort, err = parsePort(v); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", PropAdvertisedPort, err)
		}
	}
	if cfg.TopicCreationEnable, err = boolean(p, PropTopicCreationEnable); err != nil {
		return nil, err
	}
	if cfg.TopicTrackingEnable, err = boolean(p, PropTopicTrackingEnable); err != nil {
		return nil, err
	}
	if cfg.TopicTrackingAllowReset, err = boolean(p, PropTopicTrackingReset); err != nil {
		return nil, err
	}
	// Kafka's ConfigDef.CaseInsensitiveValidString.
	switch v := strings.ToLower(strings.TrimSpace(p[PropExactlyOnceSource])); v {
	case ExactlyOnceDisabled, ExactlyOncePreparing, ExactlyOnceEnabled:
		cfg.ExactlyOnceSource = v
	default:
		return nil, fmt.Errorf("Invalid value %s for configuration %s: String must be one of (case insensitive): DISABLED, PREPARING, ENABLED",
			p[PropExactlyOnceSource], PropExactlyOnceSource)
	}
	switch v := strings.ToLower(strings.TrimSpace(p[PropLogFormat])); v {
	case loglevel.FormatText, loglevel.FormatJSON:
		cfg.LogFormat = v
	default:
		return nil, fmt.Errorf("parsing %s (or %s): %q is neither %s nor %s",
			PropLogFormat, envLogFormat, p[PropLogFormat], loglevel.FormatText, loglevel.FormatJSON)
	}
	for _, g := range []struct {
		name string
		dst  *time.Duration
	}{
		{PropSessionTimeout, &cfg.SessionTimeout},
		{PropHeartbeatInterval, &cfg.HeartbeatInterval},
		{PropRebalanceTimeout, &cfg.RebalanceTimeout},
	} {
		if *g.dst, err = positiveMillis(p, g.name); err != nil {
			return nil, err
		}
	}
	if cfg.HeartbeatInterval >= cfg.SessionTimeout {
		return nil, fmt.Errorf("parsing %s: %s must be lower than %s (%s)", PropHeartbeatInterval,
			p[PropHeartbeatInterval], PropSessionTimeout, p[PropSessionTimeout])
	}
	if strings.TrimSpace(cfg.EmbeddedKafkaListeners) == "" {
		return nil, fmt.Errorf("parsing %s: must not be empty", PropEmbeddedKafkaListeners)
	}
	cfg.KeyConverterProps = converterProps(p, keyConverterPrefix)
	cfg.ValueConverterProps = converterProps(p, valueConverterPrefix)
	return cfg, nil
}

func replicationFactor(p map[string]string, name string) (int16, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(p[name]), 10, 16)
	if err != nil || (n < 1 && n != -1) {
		return 0, fmt.Errorf("parsing %s: %q is not a replication factor (a positive number, or -1 for the broker default)", name, p[name])
	}
	return int16(n), nil
}

func partitions(p map[string]string, name string) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(p[name]), 10, 32)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("parsing %s: %q is not a positive number of partitions", name, p[name])
	}
	return int32(n), nil
}

func millis(p map[string]string, name string) (time.Duration, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(p[name]), 10, 64)
	if err != nil || n < 0 || n > int64(time.Duration(1<<63-1)/time.Millisecond) {
		return 0, fmt.Errorf("parsing %s: %q is not a number of milliseconds", name, p[name])
	}
	return time.Duration(n) * time.Millisecond, nil
}

// positiveMillis is a duration in milliseconds that fits Kafka's int32
// group protocol fields and is at least 1.
func positiveMillis(p map[string]string, name string) (time.Duration, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(p[name]), 10, 32)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("parsing %s: %q is not a positive number of milliseconds", name, p[name])
	}
	return time.Duration(n) * time.Millisecond, nil
}

func boolean(p map[string]string, name string) (bool, error) {
	switch v := strings.TrimSpace(p[name]); {
	case strings.EqualFold(v, "true"):
		return true, nil
	case strings.EqualFold(v, "false"):
		return false, nil
	default:
		return false, fmt.Errorf("parsing %s: %q is neither true nor false", name, p[name])
	}
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number", s)
	}
	return n, nil
}

// listeners parses Kafka Connect's comma-separated listener URLs,
// e.g. "http://:8083,https://0.0.0.0:8443".
func listeners(v string) ([]string, error) {
	var out []string
	for _, l := range strings.Split(v, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		u, err := url.Parse(l)
		if err != nil {
			return nil, fmt.Errorf("%q is not a listener URL: %w", l, err)
		}
		scheme := strings.ToLower(u.Scheme)
		if scheme != "http" && scheme != "https" {
			return nil, fmt.Errorf("%q: the protocol must be http or https", l)
		}
		if u.Port() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("%q is not of the form protocol://host:port", l)
		}
		if _, err := parsePort(u.Port()); err != nil {
			return nil, fmt.Errorf("%q: %w", l, err)
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no listener given")
	}
	return out, nil
}

func converterProps(p map[string]string, prefix string) map[string]string {
	out := map[string]string{schemasEnable: "true"}
	for k, v := range p {
		if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
			out[rest] = v
		}
	}
	return out
}

// unknown returns the property names that are not worker properties.
func unknown(p map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if !known(k) {
			out = append(out, k)
		}
	}
	return out
}

func known(name string) bool {
	if _, ok := knownNames[name]; ok {
		return true
	}
	for _, prefix := range knownPrefixes {
		if strings.HasPrefix(name, prefix) && len(name) > len(prefix) {
			return true
		}
	}
	return false
}
