package workerconfig

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/interworker"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/loglevel"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// GroupTributary is the group of Tributary's own worker properties.
const GroupTributary = "Tributary"

// maxMillis is the largest number of milliseconds a time.Duration holds.
const maxMillis = int64(math.MaxInt64 / int64(time.Millisecond))

// Kafka's documentation of the keys below (WorkerConfig, DistributedConfig,
// RestServerConfig, CommonClientConfigs), word for word.
const (
	bootstrapServersDoc = "A list of host/port pairs used to establish the initial connection to the Kafka cluster. " +
		"Clients use this list to bootstrap and discover the full set of Kafka brokers. " +
		"While the order of servers in the list does not matter, we recommend including more than one server to ensure resilience if any servers are down. " +
		"This list does not need to contain the entire set of brokers, as Kafka clients automatically manage and update connections to the cluster efficiently. " +
		"This list must be in the form <code>host1:port1,host2:port2,...</code>."
	converterDoc = "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka." +
		" This controls the format of the %s in messages written to or read from Kafka, and since this is" +
		" independent of connectors it allows any connector to work with any serialization format." +
		" Examples of common formats include JSON and Avro."
	offsetFlushIntervalDoc = "Interval at which to try committing offsets for tasks."
	offsetFlushTimeoutDoc  = "Maximum number of milliseconds to wait for records to flush and partition offset data to be" +
		" committed to offset storage before cancelling the process and restoring the offset " +
		"data to be committed in a future attempt. This property has no effect for source connectors " +
		"running with exactly-once support."
	configProvidersDoc = "Comma-separated names of <code>ConfigProvider</code> classes, loaded and used " +
		"in the order specified. Implementing the interface  " +
		"<code>ConfigProvider</code> allows you to replace variable references in connector configurations, " +
		"such as for externalized secrets. "
	topicCreationEnableDoc = "Whether to allow " +
		"automatic creation of topics used by source connectors, when source connectors " +
		"are configured with `topic.creation.` properties. Each task will use an " +
		"admin client to create its topics and will not depend on the Kafka brokers " +
		"to create topics automatically."
	topicTrackingEnableDoc = "Enable tracking the set of active topics per connector during runtime."
	topicTrackingResetDoc  = "If set to true, it allows user requests to reset the set of active topics per connector."
	listenersDoc           = "List of comma-separated URIs the REST API will listen on. The supported protocols are HTTP and HTTPS.\n" +
		" Specify hostname as 0.0.0.0 to bind to all interfaces.\n" +
		" Leave hostname empty to bind to default interface.\n" +
		" Examples of legal listener lists: HTTP://myhost:8083,HTTPS://myhost:8084"
	advertisedHostNameDoc = "If this is set, this is the hostname that will be given out to other workers to connect to."
	advertisedPortDoc     = "If this is set, this is the port that will be given out to other workers to connect to."
	advertisedListenerDoc = "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use."
	adminListenersDoc     = "List of comma-separated URIs the Admin REST API will listen on." +
		" The supported protocols are HTTP and HTTPS." +
		" An empty or blank string will disable this feature." +
		" The default behavior is to use the regular listener (specified by the 'listeners' property)."
	sslClientAuthDoc = "Configures kafka broker to request client authentication." +
		" The following settings are common: " +
		" <ul>" +
		" <li><code>ssl.client.auth=required</code> If set to required client authentication is required." +
		" <li><code>ssl.client.auth=requested</code> This means client authentication is optional." +
		" unlike required, if this option is set client can choose not to provide authentication information about itself" +
		" <li><code>ssl.client.auth=none</code> This means client authentication is not needed." +
		"</ul>"
	groupIDDoc        = "A unique string that identifies the Connect cluster group this worker belongs to."
	sessionTimeoutDoc = "The timeout used to detect worker failures. " +
		"The worker sends periodic heartbeats to indicate its liveness to the broker. If no heartbeats are " +
		"received by the broker before the expiration of this session timeout, then the broker will remove the " +
		"worker from the group and initiate a rebalance. Note that the value must be in the allowable range as " +
		"configured in the broker configuration by <code>group.min.session.timeout.ms</code> " +
		"and <code>group.max.session.timeout.ms</code>."
	heartbeatIntervalDoc = "The expected time between heartbeats to the group " +
		"coordinator when using Kafka's group management facilities. Heartbeats are used to ensure that the " +
		"worker's session stays active and to facilitate rebalancing when new members join or leave the group. " +
		"The value must be set lower than <code>session.timeout.ms</code>, but typically should be set no higher " +
		"than 1/3 of that value. It can be adjusted even lower to control the expected time for normal rebalances."
	rebalanceTimeoutDoc = "The maximum allowed time for each worker to join the group " +
		"once a rebalance has begun. This is basically a limit on the amount of time needed for all tasks to " +
		"flush any pending data and commit offsets. If the timeout is exceeded, then the worker will be removed " +
		"from the group, which will cause offset commit failures."
	exactlyOnceSourceDoc = "Whether to enable exactly-once support for source connectors in the cluster " +
		"by using transactions to write source records and their source offsets, and by proactively fencing out old task generations before bringing up new ones.\n" +
		"To enable exactly-once source support on a new cluster, set this property to 'enabled'. " +
		"To enable support on an existing cluster, first set to 'preparing' on every worker in the cluster, " +
		"then set to 'enabled'. A rolling upgrade may be used for both changes. " +
		"For more information on this feature, see the " +
		"<a href=\"https://kafka.apache.org/documentation.html#connect_exactlyoncesource\">exactly-once source support documentation</a>."
)

// storageDoc documents an internal topic's keys (DistributedConfig).
func storageDoc(kafka, tributary string) string {
	if tributary == "" {
		return kafka
	}
	return kafka + ". Tributary: " + tributary
}

// listenersValidator is RestServerConfig.ListenersValidator (at least one
// URL) with the checks of Tributary's listeners: each URL
// http(s)://host:port, nothing else. Blank entries are skipped.
var listenersValidator = configdef.Func("List of comma-separated URLs, ex: http://localhost:8080,https://localhost:8443.",
	func(name string, v any) error {
		if _, err := parseListeners(v); err != nil {
			return err
		}
		return nil
	})

// parseListeners returns the non-blank URLs of a listeners value.
func parseListeners(v any) ([]string, error) {
	list, _ := v.([]string)
	var out []string
	for _, l := range list {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if err := checkListener(l); err != nil {
			return nil, configdef.Invalid(PropListeners, v, err.Error())
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, &configdef.Exception{Message: "Invalid value for listeners, at least one URL is expected, ex: http://localhost:8080,https://localhost:8443."}
	}
	return out, nil
}

// checkListener says what is wrong with a listener URL, if anything.
func checkListener(l string) error {
	u, err := url.Parse(l)
	if err != nil {
		return fmt.Errorf("%q is not a listener URL: %w", l, err)
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return fmt.Errorf("%q: the protocol must be http or https", l)
	}
	if u.Port() == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("%q is not of the form protocol://host:port", l)
	}
	if n, err := strconv.Atoi(u.Port()); err != nil || n > 65535 {
		return fmt.Errorf("%q: %q is not a port number", l, u.Port())
	}
	return nil
}

// adminListenersValidator is RestServerConfig.AdminListenersValidator
// (no blank URL) with the checks of checkListener.
var adminListenersValidator = configdef.Func("List of comma-separated URLs, ex: http://localhost:8080,https://localhost:8443.",
	func(name string, v any) error {
		list, _ := v.([]string)
		for _, l := range list {
			if strings.TrimSpace(l) == "" {
				return &configdef.Exception{Message: "Empty URL found when parsing admin.listeners list."}
			}
			if err := checkListener(strings.TrimSpace(l)); err != nil {
				return configdef.Invalid(name, v, err.Error())
			}
		}
		return nil
	})

// logFormatValidator takes text and json in any case; its message names
// LOG_FORMAT too, which sets log.format when no property does.
var logFormatValidator = configdef.Func("text, json (case insensitive)", func(name string, v any) error {
	s, _ := v.(string)
	switch strings.ToLower(s) {
	case loglevel.FormatText, loglevel.FormatJSON:
		return nil
	}
	return &configdef.Exception{Message: fmt.Sprintf("parsing %s (or %s): %q is neither %s nor %s",
		name, envLogFormat, s, loglevel.FormatText, loglevel.FormatJSON)}
})

// nonEmpty stands in for Kafka's required keys, which Tributary defaults.
var nonEmpty = configdef.NonEmptyString()

// workerKeys are the keys of Kafka Connect 3.9's WorkerConfig.
// baseConfigDef() and RestServerConfig (connect/runtime/src/main/java/org/
// apache/kafka/connect/runtime/WorkerConfig.java, rest/
// RestServerConfig.java) that Tributary reads. Defaults and checks are
// Kafka's except where the documentation says "Tributary:".
var workerKeys = []configdef.Key{
	{Name: PropBootstrapServers, Type: configdef.TypeList, Default: []string{}, Importance: configdef.ImportanceHigh,
		Documentation: bootstrapServersDoc + " Tributary: empty (the default) starts the embedded broker; Kafka Connect's default is localhost:9092."},
	{Name: PropKeyConverter, Type: configdef.TypeClass, Default: defaultConverter, Validator: nonEmpty, Importance: configdef.ImportanceHigh,
		Documentation: fmt.Sprintf(converterDoc, "keys") + " Tributary: JsonConverter unless set; Kafka Connect requires it."},
	{Name: PropValueConverter, Type: configdef.TypeClass, Default: defaultConverter, Validator: nonEmpty, Importance: configdef.ImportanceHigh,
		Documentation: fmt.Sprintf(converterDoc, "values") + " Tributary: JsonConverter unless set; Kafka Connect requires it."},
	{Name: PropOffsetFlushInterval, Type: configdef.TypeLong, Default: int64(60000), Validator: configdef.Between(int64(0), maxMillis),
		Importance: configdef.ImportanceLow, Documentation: offsetFlushIntervalDoc},
	{Name: PropOffsetFlushTimeout, Type: configdef.TypeLong, Default: int64(5000), Validator: configdef.Between(int64(0), maxMillis),
		Importance: configdef.ImportanceLow, Documentation: offsetFlushTimeoutDoc},
	{Name: "config.providers", Type: configdef.TypeList, Default: []string{}, Importance: configdef.ImportanceLow,
		Documentation: configProvidersDoc + "Tributary: `file`, `dir` and `env`, with `config.providers.<name>.class` Kafka's " +
			"FileConfigProvider, DirectoryConfigProvider or EnvVarConfigProvider."},
	{Name: PropTopicCreationEnable, Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceLow,
		Documentation: topicCreationEnableDoc},
	{Name: PropTopicTrackingEnable, Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceLow,
		Documentation: topicTrackingEnableDoc},
	{Name: PropTopicTrackingReset, Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceLow,
		Documentation: topicTrackingResetDoc},
	{Name: PropListeners, Type: configdef.TypeList, Default: []string{defaultListener}, Validator: listenersValidator,
		Importance: configdef.ImportanceLow, Documentation: listenersDoc +
			" Tributary: a worker started with no properties file and no bootstrap.servers listens on http://127.0.0.1:8083 (this machine only) unless listeners is set."},
	{Name: PropAdvertisedHostName, Type: configdef.TypeString, Importance: configdef.ImportanceLow, Documentation: advertisedHostNameDoc},
	{Name: PropAdvertisedPort, Type: configdef.TypeInt, Validator: configdef.Func("[0,...,65535]", func(name string, v any) error {
		if v == nil {
			return nil
		}
		return configdef.Between(0, 65535).EnsureValid(name, v)
	}), Importance: configdef.ImportanceLow, Documentation: advertisedPortDoc},
	{Name: PropAdvertisedListener, Type: configdef.TypeString, Validator: configdef.Func("[http, https] (case insensitive)", func(name string, v any) error {
		if s, _ := v.(string); s != "" && !strings.EqualFold(s, "http") && !strings.EqualFold(s, "https") {
			return configdef.Invalid(name, v, "the advertised listener is http or https")
		}
		return nil
	}), Importance: configdef.ImportanceLow, Documentation: advertisedListenerDoc +
		" Tributary: other workers forward requests to <scheme>://<advertised host>:<advertised port>; unset, http when a listener is http://, else https," +
		" as in Kafka Connect. Kafka Connect takes any value; Tributary only http and https."},
	{Name: PropAdminListeners, Type: configdef.TypeList, Validator: adminListenersValidator, Importance: configdef.ImportanceLow,
		Documentation: adminListenersDoc + " Tributary: the admin endpoints are /admin/loggers; with admin.listeners set, the listeners answer 404 there." +
			" An https admin listener reads admin.listeners.https.ssl.* when any such property is set, else the top-level ssl.* (not listeners.https.*)."},
	{Name: PropSslClientAuth, Type: configdef.TypeString, Default: tlsconfig.ClientAuthNone,
		Validator:  configdef.In(tlsconfig.ClientAuthRequired, tlsconfig.ClientAuthRequested, tlsconfig.ClientAuthNone),
		Importance: configdef.ImportanceLow, Documentation: sslClientAuthDoc +
			" Tributary: for the REST API's https listeners, as in Kafka Connect; required and requested verify the client's certificate against the trust store."},
}

// distributedKeys are the keys of DistributedConfig (connect/runtime/src/
// main/java/org/apache/kafka/connect/runtime/distributed/
// DistributedConfig.java) that Tributary reads.
var distributedKeys = []configdef.Key{
	{Name: PropGroupID, Type: configdef.TypeString, Default: "tributary", Validator: nonEmpty, Importance: configdef.ImportanceHigh,
		Documentation: groupIDDoc + " Tributary: `tributary` unless set; Kafka Connect requires it."},
	{Name: PropSessionTimeout, Type: configdef.TypeInt, Default: 10000, Validator: configdef.AtLeast(1), Importance: configdef.ImportanceHigh,
		Documentation: sessionTimeoutDoc},
	{Name: PropRebalanceTimeout, Type: configdef.TypeInt, Default: 60000, Validator: configdef.AtLeast(1), Importance: configdef.ImportanceHigh,
		Documentation: rebalanceTimeoutDoc},
	{Name: PropHeartbeatInterval, Type: configdef.TypeInt, Default: 3000, Validator: configdef.AtLeast(1), Importance: configdef.ImportanceHigh,
		Documentation: heartbeatIntervalDoc},
	{Name: PropConnectProtocol, Type: configdef.TypeString, Default: ConnectProtocolSessioned,
		Validator:  configdef.InIgnoreCase(ConnectProtocolEager, ConnectProtocolCompatible, ConnectProtocolSessioned),
		Importance: configdef.ImportanceLow,
		Documentation: "Compatibility mode for Kafka Connect Protocol. Tributary: `compatible` and `sessioned` rebalance " +
			"incrementally (KIP-415), and `sessioned` also distributes a session key through the config topic and signs the " +
			"requests workers send each other (KIP-507, inter.worker.*); `eager` stops every connector and task at every rebalance."},
	{Name: PropScheduledRebalanceMaxDelay, Type: configdef.TypeInt, Default: 300000, Validator: configdef.AtLeast(0),
		Importance: configdef.ImportanceLow,
		Documentation: "The maximum delay that is scheduled in order to wait for the return of one or more departed workers before " +
			"rebalancing and reassigning their connectors and tasks to the group. During this period the connectors and tasks of " +
			"the departed workers remain unassigned"},
	{Name: PropInterWorkerKeyTTL, Type: configdef.TypeInt, Default: 3600000, Validator: configdef.Between(0, math.MaxInt32),
		Importance: configdef.ImportanceLow, Documentation: "The TTL of generated session keys used for internal request validation (in milliseconds)" +
			interWorkerNote},
	{Name: PropInterWorkerKeyAlgorithm, Type: configdef.TypeString, Default: interworker.DefaultAlgorithm,
		Validator:  macValidator("Any KeyGenerator algorithm supported by the worker JVM"),
		Importance: configdef.ImportanceLow, Documentation: "The algorithm to use for generating internal request keys. " +
			"The algorithm 'HmacSHA256' will be used as a default on JVMs that support it; " +
			"on other JVMs, no default is used and a value for this property must be manually specified in the worker config." +
			interWorkerNote + algorithmsNote},
	{Name: PropInterWorkerKeySize, Type: configdef.TypeInt, Importance: configdef.ImportanceLow,
		Documentation: "The size of the key to use for signing internal requests, in bits. " +
			"If null, the default key size for the key generation algorithm will be used." + interWorkerNote},
	{Name: PropInterWorkerSignature, Type: configdef.TypeString, Default: interworker.DefaultAlgorithm,
		Validator:  macValidator("Any MAC algorithm supported by the worker JVM"),
		Importance: configdef.ImportanceLow, Documentation: "The algorithm used to sign internal requests" +
			"The algorithm 'inter.worker.signature.algorithm' will be used as a default on JVMs that support it; " +
			"on other JVMs, no default is used and a value for this property must be manually specified in the worker config." +
			interWorkerNote + algorithmsNote},
	{Name: PropInterWorkerVerification, Type: configdef.TypeList, Default: []string{interworker.DefaultAlgorithm},
		Validator: configdef.Func("A list of one or more MAC algorithms, each supported by the worker JVM", func(name string, v any) error {
			list, _ := v.([]string)
			if len(list) == 0 {
				return configdef.Invalid(name, list, "At least one signature verification algorithm must be provided")
			}
			for _, a := range list {
				if !interworker.Supported(a) {
					return unsupportedAlgorithm(name, a)
				}
			}
			return nil
		}),
		Importance: configdef.ImportanceLow, Documentation: "A list of permitted algorithms for verifying internal requests, " +
			"which must include the algorithm used for the inter.worker.signature.algorithm property. " +
			"The algorithm(s) '[HmacSHA256]' will be used as a default on JVMs that provide them; " +
			"on other JVMs, no default is used and a value for this property must be manually specified in the worker config." +
			interWorkerNote + algorithmsNote},
	{Name: PropExactlyOnceSource, Type: configdef.TypeString, Default: ExactlyOnceDisabled,
		// Kafka's ValidString takes the names in lower case only.
		Validator:  configdef.InIgnoreCase(ExactlyOnceDisabled, ExactlyOncePreparing, ExactlyOnceEnabled),
		Importance: configdef.ImportanceHigh, Documentation: exactlyOnceSourceDoc},
	{Name: PropOffsetTopic, Type: configdef.TypeString, Default: "connect-offsets", Validator: nonEmpty, Importance: configdef.ImportanceHigh,
		Documentation: storageDoc("The name of the Kafka topic where source connector offsets are stored", "`connect-offsets` unless set; Kafka Connect requires it.")},
	{Name: PropOffsetPartitions, Type: configdef.TypeInt, Default: 25, Validator: configdef.AtLeast(1), Importance: configdef.ImportanceLow,
		Documentation: storageDoc("The number of partitions used when creating the offset storage topic", "at least 1; Kafka Connect also takes -1, the broker's default.")},
	{Name: PropOffsetReplication, Type: configdef.TypeShort, Default: int16(-1), Validator: connect.ReplicationFactorValidator, Importance: configdef.ImportanceLow,
		Documentation: storageDoc("Replication factor used when creating the offset storage topic", "-1 (the broker's default) unless set; Kafka Connect's default is 3.")},
	{Name: PropConfigTopic, Type: configdef.TypeString, Default: "connect-configs", Validator: nonEmpty, Importance: configdef.ImportanceHigh,
		Documentation: storageDoc("The name of the Kafka topic where connector configurations are stored", "`connect-configs` unless set; Kafka Connect requires it.")},
	{Name: PropConfigReplication, Type: configdef.TypeShort, Default: int16(-1), Validator: connect.ReplicationFactorValidator, Importance: configdef.ImportanceLow,
		Documentation: storageDoc("Replication factor used when creating the configuration storage topic", "-1 (the broker's default) unless set; Kafka Connect's default is 3.")},
	{Name: PropStatusTopic, Type: configdef.TypeString, Default: "connect-status", Validator: nonEmpty, Importance: configdef.ImportanceHigh,
		Documentation: storageDoc("The name of the Kafka topic where connector and task status are stored", "`connect-status` unless set; Kafka Connect requires it.")},
	{Name: PropStatusPartitions, Type: configdef.TypeInt, Default: 5, Validator: configdef.AtLeast(1), Importance: configdef.ImportanceLow,
		Documentation: storageDoc("The number of partitions used when creating the status storage topic", "at least 1; Kafka Connect also takes -1, the broker's default.")},
	{Name: PropStatusReplication, Type: configdef.TypeShort, Default: int16(-1), Validator: connect.ReplicationFactorValidator, Importance: configdef.ImportanceLow,
		Documentation: storageDoc("Replication factor used when creating the status storage topic", "-1 (the broker's default) unless set; Kafka Connect's default is 3.")},
}

// overridePolicyDoc is WorkerConfig's CONNECTOR_CLIENT_POLICY_CLASS_DOC.
const overridePolicyDoc = "Class name or alias of implementation of <code>ConnectorClientConfigOverridePolicy</code>. Defines what client configurations can be " +
	"overridden by the connector. The default implementation is `All`, meaning connector configurations can override all client properties. " +
	"The other possible policies in the framework include `None` to disallow connectors from overriding client properties, " +
	"and `Principal` to allow connectors to override only client principals."

// overridePolicyValidator takes the policies security.ParseOverridePolicy
// knows, by alias or class name.
var overridePolicyValidator = configdef.Func("None, Principal, All", func(name string, v any) error {
	s, _ := v.(string)
	if _, err := security.ParseOverridePolicy(s); err != nil {
		return configdef.Invalid(name, v, "supported are None, Principal and All (or their class names)")
	}
	return nil
})

// clientKeys are the client settings a worker reads at top level: the
// security of its internal clients (WorkerConfig.baseConfigDef's
// withClientSslSupport and withClientSaslSupport, and security.protocol)
// and the override policy of connectors' client settings. The clients
// receive them as given, as Kafka Connect hands its clients the worker's
// originals: the defaults shown are the clients' own (see
// clientSettingDefaults).
var clientKeys = append(security.Keys(), configdef.Key{Name: security.OverridePolicyConfig, Type: configdef.TypeString, Default: "All",
	Validator: overridePolicyValidator, Importance: configdef.ImportanceMedium, Documentation: overridePolicyDoc +
		" Tributary: the policy applies to producer.override.*; admin.override.* and consumer.override.* security settings are refused, " +
		"as a connector's tasks share the worker's admin client and have no consumer."})

// tributaryKeys are Tributary's own worker properties.
var tributaryKeys = []configdef.Key{
	{Name: PropEmbeddedKafkaListeners, Type: configdef.TypeString, Default: defaultEmbeddedListen, Validator: nonEmpty,
		Importance: configdef.ImportanceMedium, Group: GroupTributary, Order: 1, Width: configdef.WidthMedium,
		DisplayName:   "Embedded broker listener",
		Documentation: "The address (host:port) the embedded Kafka-protocol broker listens on, when bootstrap.servers is empty."},
	{Name: PropEmbeddedDataDir, Type: configdef.TypeString, Default: defaultEmbeddedDataDir,
		Importance: configdef.ImportanceMedium, Group: GroupTributary, Order: 2, Width: configdef.WidthLong,
		DisplayName: "Embedded broker data directory", Documentation: "The directory the embedded broker persists its topics in."},
	{Name: PropEmbeddedRegistryListeners, Type: configdef.TypeString, Default: defaultEmbeddedRegistry,
		Importance: configdef.ImportanceMedium, Group: GroupTributary, Order: 3, Width: configdef.WidthMedium,
		DisplayName: "Embedded schema registry listener",
		Documentation: "With the embedded broker, the URL the Confluent-compatible schema registry (stored in `_schemas`) listens on; " +
			"port 0 picks a free port. When the default port is taken the worker starts without the registry and logs a warning; " +
			"a port set here that cannot be had stops the worker."},
	{Name: PropEmbeddedSaslUsername, Type: configdef.TypeString, Default: nil,
		Importance: configdef.ImportanceHigh, Group: GroupTributary, Order: 5, Width: configdef.WidthMedium,
		DisplayName: "Embedded broker SASL user",
		Documentation: "When set, every client of the embedded broker must authenticate with SASL/SCRAM-SHA-512 as this user " +
			"(SASL_PLAINTEXT, or SASL_SSL with a key store), and the worker's own clients do. " +
			"Without it the broker authenticates nobody, and a listener beyond loopback stops the worker."},
	{Name: PropEmbeddedSaslPassword, Type: configdef.TypePassword, Default: nil,
		Importance: configdef.ImportanceHigh, Group: GroupTributary, Order: 6, Width: configdef.WidthMedium,
		DisplayName: "Embedded broker SASL password", Documentation: "The password of embedded.kafka.sasl.username."},
	{Name: PropEmbeddedSslKeystoreLocation, Type: configdef.TypeString, Default: nil,
		Importance: configdef.ImportanceHigh, Group: GroupTributary, Order: 7, Width: configdef.WidthLong,
		DisplayName: "Embedded broker key store",
		Documentation: "When set, the embedded broker's listener speaks TLS with the certificate and key of this key store " +
			"(as Kafka's ssl.keystore.location; embedded.kafka.ssl.keystore.key and embedded.kafka.ssl.keystore.certificate.chain " +
			"are read as Kafka reads them too)."},
	{Name: PropEmbeddedSslKeystoreType, Type: configdef.TypeString, Default: "JKS",
		Importance: configdef.ImportanceMedium, Group: GroupTributary, Order: 8, Width: configdef.WidthShort,
		DisplayName: "Embedded broker key store type", Documentation: "JKS, PKCS12 or PEM, as Kafka's ssl.keystore.type."},
	{Name: PropEmbeddedSslKeystorePassword, Type: configdef.TypePassword, Default: nil,
		Importance: configdef.ImportanceHigh, Group: GroupTributary, Order: 9, Width: configdef.WidthMedium,
		DisplayName: "Embedded broker key store password", Documentation: "The password of embedded.kafka.ssl.keystore.location."},
	{Name: PropEmbeddedSslKeyPassword, Type: configdef.TypePassword, Default: nil,
		Importance: configdef.ImportanceHigh, Group: GroupTributary, Order: 10, Width: configdef.WidthMedium,
		DisplayName: "Embedded broker key password", Documentation: "The password of the key in the embedded broker's key store."},
	{Name: PropMemoryBudget, Type: configdef.TypeLong, Default: int64(-1), Validator: configdef.AtLeast(int64(-1)),
		Importance: configdef.ImportanceMedium, Group: GroupTributary, Order: 11, Width: configdef.WidthMedium,
		DisplayName: "Worker memory budget",
		Documentation: "The bytes that the records held by all of the worker's tasks may take, shared in equal parts among the " +
			"running tasks: each task's connector queue and its records in flight to Kafka draw on its part, and a task " +
			"whose part is spent waits (a PostgreSQL task stops reading the replication stream; the server keeps the changes " +
			"in its WAL) instead of allocating more. Each task still holds one record at least, however large. The per-task " +
			"bounds (`max.queue.size`, `max.queue.size.in.bytes`, `producer.buffer.memory`) keep applying within it. " +
			"Go's soft memory limit is set to 64 MiB plus twice the budget, and the worker stays within 96 MiB plus twice " +
			"the budget (README, Memory). " +
			"-1 derives the budget from the container's memory limit (cgroup v2 `memory.max`, cgroup v1 " +
			"`memory.limit_in_bytes`) or else `GOMEMLIMIT`: half of what remains after the fixed overhead; " +
			"without either the worker runs without a budget. 0 runs without a budget."},
	{Name: PropLogFormat, Type: configdef.TypeString, Default: loglevel.FormatText, Validator: logFormatValidator,
		Importance: configdef.ImportanceMedium, Group: GroupTributary, Order: 4, Width: configdef.WidthShort,
		DisplayName: "Log format",
		Documentation: "`text`: slog's `key=value` lines; `json`: one JSON object a line (`time`, `level`, `msg`, then the attributes). " +
			"Also read from the `LOG_FORMAT` variable, which the property (from the file or `CONNECT_LOG_FORMAT`) overrides; " +
			"any other value stops the worker. Levels keep slog's names in both formats (TRACE is `DEBUG-4`)."},
}

// Def declares every worker property Tributary reads: Kafka Connect's
// (WorkerConfig, DistributedConfig) and Tributary's own, in their group.
// Each group of keys is one slice in the list.
var Def = configdef.Define(slices.Concat(workerKeys, restFilterKeys, distributedKeys, clientKeys, tributaryKeys)...)

// clientSetting reports whether name is one of clientKeys' security
// settings, whose defaults parse does not write into the properties.
func clientSetting(name string) bool {
	return slices.Contains(security.Names, name)
}
