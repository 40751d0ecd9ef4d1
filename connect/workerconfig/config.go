package workerconfig

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect/javaprops"
	"github.com/tributary-cdc/tributary/internal/httpserve"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// Property names: those with a meaning in Config, which Def declares, and
// task.shutdown.graceful.timeout.ms, which SHUTDOWN_TIMEOUT sets.
const (
	PropBootstrapServers    = "bootstrap.servers"
	PropGroupID             = "group.id"
	PropConfigTopic         = "config.storage.topic"
	PropOffsetTopic         = "offset.storage.topic"
	PropStatusTopic         = "status.storage.topic"
	PropConfigReplication   = "config.storage.replication.factor"
	PropOffsetReplication   = "offset.storage.replication.factor"
	PropStatusReplication   = "status.storage.replication.factor"
	PropOffsetPartitions    = "offset.storage.partitions"
	PropStatusPartitions    = "status.storage.partitions"
	PropKeyConverter        = "key.converter"
	PropValueConverter      = "value.converter"
	PropOffsetFlushInterval = "offset.flush.interval.ms"
	PropOffsetFlushTimeout  = "offset.flush.timeout.ms"
	PropListeners           = "listeners"
	PropAdvertisedHostName  = "rest.advertised.host.name"
	PropAdvertisedPort      = "rest.advertised.port"
	PropAdvertisedListener  = "rest.advertised.listener"
	PropAdminListeners      = "admin.listeners"
	// PropListenersHTTPSPrefix and PropAdminListenersHTTPSPrefix prefix the
	// ssl.* settings of the https listeners and admin listeners.
	PropListenersHTTPSPrefix      = "listeners.https."
	PropAdminListenersHTTPSPrefix = "admin.listeners.https."
	PropSslClientAuth             = "ssl.client.auth"
	PropEmbeddedKafkaListeners    = "embedded.kafka.listeners"
	PropEmbeddedDataDir           = "embedded.data.dir"
	PropEmbeddedRegistryListeners = "embedded.schema.registry.listeners"
	// PropEmbeddedKafkaPrefix prefixes the embedded broker's SASL and SSL
	// settings.
	PropEmbeddedKafkaPrefix         = "embedded.kafka."
	PropEmbeddedSaslUsername        = PropEmbeddedKafkaPrefix + "sasl.username"
	PropEmbeddedSaslPassword        = PropEmbeddedKafkaPrefix + "sasl.password"
	PropEmbeddedSslKeystoreLocation = PropEmbeddedKafkaPrefix + "ssl.keystore.location"
	PropEmbeddedSslKeystoreType     = PropEmbeddedKafkaPrefix + "ssl.keystore.type"
	PropEmbeddedSslKeystorePassword = PropEmbeddedKafkaPrefix + "ssl.keystore.password"
	PropEmbeddedSslKeyPassword      = PropEmbeddedKafkaPrefix + "ssl.key.password"
	PropTopicCreationEnable         = "topic.creation.enable"
	PropTaskShutdownTimeout         = "task.shutdown.graceful.timeout.ms"
	PropSessionTimeout              = "session.timeout.ms"
	PropHeartbeatInterval           = "heartbeat.interval.ms"
	PropRebalanceTimeout            = "rebalance.timeout.ms"
	PropConnectProtocol             = "connect.protocol"
	PropScheduledRebalanceMaxDelay  = "scheduled.rebalance.max.delay.ms"
	PropInterWorkerKeyAlgorithm     = "inter.worker.key.generation.algorithm"
	PropInterWorkerKeySize          = "inter.worker.key.size"
	PropInterWorkerKeyTTL           = "inter.worker.key.ttl.ms"
	PropInterWorkerSignature        = "inter.worker.signature.algorithm"
	PropInterWorkerVerification     = "inter.worker.verification.algorithms"
	PropTopicTrackingEnable         = "topic.tracking.enable"
	PropTopicTrackingReset          = "topic.tracking.allow.reset"
	PropExactlyOnceSource           = "exactly.once.source.support"
	PropLogFormat                   = "log.format"
	PropMemoryBudget                = "memory.budget.bytes"
	envLogFormat                    = "LOG_FORMAT"
	legacyRestHostName              = "rest.host.name"
	legacyRestPort                  = "rest.port"
	schemasEnable                   = "schemas.enable"
	keyConverterPrefix              = "key.converter."
	valueConverterPrefix            = "value.converter."
	defaultConverter                = "org.apache.kafka.connect.json.JsonConverter"
	defaultListener                 = "http://:8083"
	loopbackListener                = "http://127.0.0.1:8083"
	defaultEmbeddedListen           = "127.0.0.1:9092"
	defaultEmbeddedDataDir          = "./tributary-data"
	defaultEmbeddedRegistry         = "http://127.0.0.1:8081"
)

// Values of exactly.once.source.support (KIP-618). "preparing" lets a
// rolling upgrade bring every worker to a version that knows exactly-once
// support before any worker enables it; like Kafka Connect, a preparing
// worker runs tasks as a disabled one does.
// The connect.protocol values (ConnectProtocolCompatibility).
const (
	ConnectProtocolEager      = "eager"
	ConnectProtocolCompatible = "compatible"
	ConnectProtocolSessioned  = "sessioned"
)

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
	// AdvertisedListener is rest.advertised.listener, lower-cased: http,
	// https, or empty when not set.
	AdvertisedListener string
	// AdminListeners is admin.listeners: nil when not set (/admin is
	// served on the listeners), empty when set to nothing (/admin is
	// disabled), else the admin listeners' URLs.
	AdminListeners []string

	EmbeddedKafkaListeners string
	EmbeddedDataDir        string
	// EmbeddedRegistryListeners is embedded.schema.registry.listeners;
	// EmbeddedRegistryListenersSet reports whether a non-empty one was
	// given rather than defaulted.
	EmbeddedRegistryListeners    string
	EmbeddedRegistryListenersSet bool
	// TopicCreationEnable is topic.creation.enable: the worker creates the
	// topics of connectors with topic.creation.* properties.
	TopicCreationEnable bool

	// Group membership: session.timeout.ms, heartbeat.interval.ms and
	// rebalance.timeout.ms.
	SessionTimeout, HeartbeatInterval, RebalanceTimeout time.Duration
	// ConnectProtocol is connect.protocol, in lower case: eager,
	// compatible or sessioned.
	ConnectProtocol string
	// ScheduledRebalanceMaxDelay is scheduled.rebalance.max.delay.ms.
	ScheduledRebalanceMaxDelay time.Duration
	// InterWorker are the inter.worker.* settings: the session key and
	// the signatures of requests between workers under the sessioned
	// protocol.
	InterWorker InterWorker

	// MemoryBudget is memory.budget.bytes: -1 derives the worker's memory
	// budget from its memory limit, 0 runs without one.
	MemoryBudget int64

	// TopicTrackingEnable and TopicTrackingAllowReset are
	// topic.tracking.enable and topic.tracking.allow.reset.
	TopicTrackingEnable, TopicTrackingAllowReset bool

	// ExactlyOnceSource is exactly.once.source.support, lower-cased:
	// disabled, preparing or enabled.
	ExactlyOnceSource string

	// LogFormat is log.format, lower-cased: loglevel.FormatText or
	// loglevel.FormatJSON.
	LogFormat string

	// AllowOrigin and AllowMethods are access.control.allow.origin and
	// access.control.allow.methods; ResponseHeaders the rules of
	// response.http.headers.config.
	AllowOrigin, AllowMethods string
	ResponseHeaders           []httpserve.HeaderRule
	// RestExtensions are the class names of rest.extension.classes, and
	// JAASLoginConfig the java.security.auth.login.config property ("" when
	// unset).
	RestExtensions  []string
	JAASLoginConfig string
}

// Load reads the properties file at path (none if path is ""), applies the
// environment (os.Environ() form), parses the result with Def (its
// defaults fill what is unset) and returns the typed config together with
// the names of properties that are neither Kafka Connect/Tributary worker
// properties nor prefixed client or converter settings, sorted.
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
		if props, err = javaprops.Parse(data); err != nil {
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
		props[PropListeners] = DefaultListener(path != "", props[PropBootstrapServers])
	}
	return parse(props)
}

// DefaultListener is the REST listener of a worker that sets neither
// listeners nor the legacy rest.host.name/rest.port. A worker started with
// no properties file and no bootstrap.servers (a laptop: the embedded
// broker, itself on loopback) listens on http://127.0.0.1:8083, reachable
// from this machine only; every other worker keeps Kafka Connect's
// http://:8083 (RestServerConfig's LISTENERS_DEFAULT), every interface.
func DefaultListener(fromFile bool, bootstrapServers string) string {
	if fromFile || strings.Trim(bootstrapServers, ", \t") != "" {
		return defaultListener
	}
	return loopbackListener
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

// parse parses props with Def, sets the defaults of the properties they
// do not set into them, and builds the Config. Every invalid property is
// reported, as Kafka's ConfigDef words it.
func parse(props map[string]string) (*Config, []string, error) {
	if v, ok := props[PropAdvertisedPort]; ok && strings.TrimSpace(v) == "" {
		// Unset, as the Debezium image's empty ADVERTISED_PORT.
		delete(props, PropAdvertisedPort)
	}
	v, errs := Def.Parse(props)
	var err error
	if len(errs) > 0 {
		all := make([]error, len(errs))
		for i, e := range errs {
			all[i] = errors.New(e.Message)
		}
		return nil, nil, fmt.Errorf("parsing worker config: %w", errors.Join(all...))
	}
	unknown := unknownProps(props)
	for _, k := range Def.Keys() {
		// The clients' security settings reach them as given: a default
		// written here would read as set (e.g. ssl.* under PLAINTEXT).
		if _, ok := props[k.Name]; ok || k.Default == nil || clientSetting(k.Name) {
			continue
		}
		if s := configdef.ToString(k.Default); *s != "" {
			props[k.Name] = *s
		}
	}
	cfg := &Config{
		Props:                        props,
		GroupID:                      v.String(PropGroupID),
		ConfigTopic:                  v.String(PropConfigTopic),
		OffsetTopic:                  v.String(PropOffsetTopic),
		StatusTopic:                  v.String(PropStatusTopic),
		ConfigReplicationFactor:      v.Short(PropConfigReplication),
		OffsetReplicationFactor:      v.Short(PropOffsetReplication),
		StatusReplicationFactor:      v.Short(PropStatusReplication),
		OffsetPartitions:             int32(v.Int(PropOffsetPartitions)),
		StatusPartitions:             int32(v.Int(PropStatusPartitions)),
		KeyConverter:                 v.String(PropKeyConverter),
		ValueConverter:               v.String(PropValueConverter),
		KeyConverterProps:            converterProps(props, keyConverterPrefix),
		ValueConverterProps:          converterProps(props, valueConverterPrefix),
		OffsetFlushInterval:          time.Duration(v.Long(PropOffsetFlushInterval)) * time.Millisecond,
		OffsetFlushTimeout:           time.Duration(v.Long(PropOffsetFlushTimeout)) * time.Millisecond,
		AdvertisedHostName:           v.String(PropAdvertisedHostName),
		EmbeddedKafkaListeners:       v.String(PropEmbeddedKafkaListeners),
		EmbeddedDataDir:              v.String(PropEmbeddedDataDir),
		EmbeddedRegistryListeners:    v.String(PropEmbeddedRegistryListeners),
		EmbeddedRegistryListenersSet: v.IsSet(PropEmbeddedRegistryListeners) && v.String(PropEmbeddedRegistryListeners) != "",
		TopicCreationEnable:          v.Bool(PropTopicCreationEnable),
		SessionTimeout:               time.Duration(v.Int(PropSessionTimeout)) * time.Millisecond,
		HeartbeatInterval:            time.Duration(v.Int(PropHeartbeatInterval)) * time.Millisecond,
		RebalanceTimeout:             time.Duration(v.Int(PropRebalanceTimeout)) * time.Millisecond,
		ConnectProtocol:              strings.ToLower(v.String(PropConnectProtocol)),
		ScheduledRebalanceMaxDelay:   time.Duration(v.Int(PropScheduledRebalanceMaxDelay)) * time.Millisecond,
		TopicTrackingEnable:          v.Bool(PropTopicTrackingEnable),
		TopicTrackingAllowReset:      v.Bool(PropTopicTrackingReset),
		ExactlyOnceSource:            strings.ToLower(v.String(PropExactlyOnceSource)),
		LogFormat:                    strings.ToLower(v.String(PropLogFormat)),
		MemoryBudget:                 v.Long(PropMemoryBudget),
		AllowOrigin:                  v.String(PropAccessControlAllowOrigin),
		AllowMethods:                 v.String(PropAccessControlAllowMethods),
		JAASLoginConfig:              v.String(PropJAASLoginConfig),
	}
	cfg.ResponseHeaders, _ = httpserve.ParseHeaderRules(v.String(PropResponseHTTPHeaders)) // validated by Parse
	for _, c := range v.List(PropRestExtensionClasses) {
		if c = strings.TrimSpace(c); c != "" {
			cfg.RestExtensions = append(cfg.RestExtensions, c)
		}
	}
	if !cfg.EmbeddedRegistryListenersSet {
		cfg.EmbeddedRegistryListeners = defaultEmbeddedRegistry
	}
	for _, s := range v.List(PropBootstrapServers) {
		if s != "" {
			cfg.BootstrapServers = append(cfg.BootstrapServers, s)
		}
	}
	cfg.Listeners, _ = parseListeners(v.Get(PropListeners)) // validated by Parse
	cfg.AdvertisedListener = strings.ToLower(v.String(PropAdvertisedListener))
	if list, ok := v.Get(PropAdminListeners).([]string); ok {
		cfg.AdminListeners = make([]string, 0, len(list))
		for _, l := range list {
			cfg.AdminListeners = append(cfg.AdminListeners, strings.TrimSpace(l))
		}
	}
	if v, ok := v.Get(PropAdvertisedPort).(int); ok {
		cfg.AdvertisedPort = v
	}
	if cfg.InterWorker, err = interWorker(v); err != nil {
		return nil, nil, fmt.Errorf("parsing worker config: %w", err)
	}
	if cfg.HeartbeatInterval >= cfg.SessionTimeout {
		return nil, nil, fmt.Errorf("parsing %s: %s must be lower than %s (%s)", PropHeartbeatInterval,
			props[PropHeartbeatInterval], PropSessionTimeout, props[PropSessionTimeout])
	}
	return cfg, unknown, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("%q is not a port number", s)
	}
	return n, nil
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

// unknownProps returns the names of props that are neither declared by
// Def nor among the Kafka Connect properties and prefixes Tributary
// accepts without reading (known.go), sorted.
func unknownProps(p map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if _, declared := Def.Key(k); !declared && !accepted(k) {
			out = append(out, k)
		}
	}
	return out
}

func accepted(name string) bool {
	if _, ok := acceptedNames[name]; ok {
		return true
	}
	// The https listeners read the SSL settings Kafka Connect's
	// RestServerConfig defines (withClientSslSupport and ssl.client.auth).
	for _, prefix := range []string{PropAdminListenersHTTPSPrefix, PropListenersHTTPSPrefix} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			return rest == PropSslClientAuth || slices.Contains(tlsconfig.Names, rest)
		}
	}
	for _, prefix := range knownPrefixes {
		if strings.HasPrefix(name, prefix) && len(name) > len(prefix) {
			return true
		}
	}
	return false
}
