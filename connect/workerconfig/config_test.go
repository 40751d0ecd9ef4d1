package workerconfig_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/workerconfig"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "worker.properties")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadDefaults(t *testing.T) {
	cfg, unknown, err := workerconfig.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown = %v", unknown)
	}
	want := workerconfig.Config{
		BootstrapServers: nil, GroupID: "tributary",
		ConfigTopic: "connect-configs", OffsetTopic: "connect-offsets", StatusTopic: "connect-status",
		ConfigReplicationFactor: -1, OffsetReplicationFactor: -1, StatusReplicationFactor: -1,
		OffsetPartitions: 25, StatusPartitions: 5,
		KeyConverter:        "org.apache.kafka.connect.json.JsonConverter",
		ValueConverter:      "org.apache.kafka.connect.json.JsonConverter",
		KeyConverterProps:   map[string]string{"schemas.enable": "true"},
		ValueConverterProps: map[string]string{"schemas.enable": "true"},
		OffsetFlushInterval: 60 * time.Second, OffsetFlushTimeout: 5 * time.Second,
		Listeners:              []string{"http://127.0.0.1:8083"},
		EmbeddedKafkaListeners: "127.0.0.1:9092", EmbeddedDataDir: "./tributary-data",
		EmbeddedRegistryListeners: "http://127.0.0.1:8081",
		TopicCreationEnable:       true,
		SessionTimeout:            10 * time.Second, HeartbeatInterval: 3 * time.Second, RebalanceTimeout: time.Minute, MemoryBudget: -1,
		ConnectProtocol: workerconfig.ConnectProtocolSessioned, ScheduledRebalanceMaxDelay: 5 * time.Minute,
		InterWorker: workerconfig.InterWorker{KeyAlgorithm: "HmacSHA256", KeyTTL: time.Hour, SignatureAlgorithm: "HmacSHA256",
			VerificationAlgorithms: []string{"HmacSHA256"}},
		TopicTrackingEnable: true, TopicTrackingAllowReset: true,
		ExactlyOnceSource: workerconfig.ExactlyOnceDisabled,
		LogFormat:         "text",
	}
	got := *cfg
	got.Props = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("defaults:\n got %+v\nwant %+v", got, want)
	}
	for k, v := range map[string]string{"group.id": "tributary", "offset.storage.partitions": "25", "listeners": "http://127.0.0.1:8083"} {
		if cfg.Props[k] != v {
			t.Errorf("Props[%s] = %q, want %q", k, cfg.Props[k], v)
		}
	}
}

// The laptop default (no properties file, no bootstrap.servers) listens on
// loopback; a properties file or a Kafka cluster keeps Kafka Connect's
// http://:8083; listeners, or the legacy rest.port, wins over both.
func TestDefaultListener(t *testing.T) {
	for _, c := range []struct {
		fromFile  bool
		bootstrap string
		want      string
	}{
		{false, "", "http://127.0.0.1:8083"},
		{false, " , ", "http://127.0.0.1:8083"},
		{false, "kafka:9092", "http://:8083"},
		{true, "", "http://:8083"},
		{true, "kafka:9092", "http://:8083"},
	} {
		if got := workerconfig.DefaultListener(c.fromFile, c.bootstrap); got != c.want {
			t.Errorf("DefaultListener(%v, %q) = %q, want %q", c.fromFile, c.bootstrap, got, c.want)
		}
	}
	for _, c := range []struct {
		file string
		env  []string
		want string
	}{
		{"", nil, "http://127.0.0.1:8083"},
		{"", []string{"BOOTSTRAP_SERVERS=kafka:9092"}, "http://:8083"},
		{"", []string{"CONNECT_BOOTSTRAP_SERVERS=kafka:9092"}, "http://:8083"},
		{"group.id=g\n", nil, "http://:8083"},
		{"bootstrap.servers=kafka:9092\n", nil, "http://:8083"},
		{"", []string{"CONNECT_LISTENERS=http://0.0.0.0:8083"}, "http://0.0.0.0:8083"},
		{"", []string{"REST_PORT=9083"}, "http://:9083"},
	} {
		path := ""
		if c.file != "" {
			path = writeFile(t, c.file)
		}
		cfg, _, err := workerconfig.Load(path, c.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(cfg.Listeners, ","); got != c.want {
			t.Errorf("file %q env %v: listeners %q, want %q", c.file, c.env, got, c.want)
		}
	}
}

// The sample connect-distributed.properties of Kafka, trimmed.
const sampleFile = `# A comma separated list of host:port pairs
bootstrap.servers=kafka-1:9092, kafka-2:9092
group.id=connect-cluster

key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=false
value.converter.decimal.format=NUMERIC

offset.storage.topic=connect-offsets
offset.storage.replication.factor=1
#offset.storage.partitions=25
config.storage.topic=connect-configs
config.storage.replication.factor=1
status.storage.topic=connect-status
status.storage.replication.factor=1
status.storage.partitions=3

offset.flush.interval.ms=10000
listeners=HTTP://:8083, https://0.0.0.0:8443
rest.advertised.host.name=worker-1
rest.advertised.port=18083
plugin.path=/usr/share/java,\
        /usr/share/confluent-hub-components
producer.compression.type=lz4
config.providers=file
config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
topic.creation.enable=false
`

func TestLoadFile(t *testing.T) {
	cfg, unknown, err := workerconfig.Load(writeFile(t, sampleFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown = %v", unknown)
	}
	if !reflect.DeepEqual(cfg.BootstrapServers, []string{"kafka-1:9092", "kafka-2:9092"}) {
		t.Errorf("BootstrapServers = %q", cfg.BootstrapServers)
	}
	if cfg.GroupID != "connect-cluster" || cfg.OffsetReplicationFactor != 1 || cfg.OffsetPartitions != 25 ||
		cfg.StatusPartitions != 3 || cfg.OffsetFlushInterval != 10*time.Second || cfg.OffsetFlushTimeout != 5*time.Second {
		t.Errorf("cfg = %+v", cfg)
	}
	if !reflect.DeepEqual(cfg.Listeners, []string{"HTTP://:8083", "https://0.0.0.0:8443"}) {
		t.Errorf("Listeners = %q", cfg.Listeners)
	}
	if cfg.AdvertisedHostName != "worker-1" || cfg.AdvertisedPort != 18083 {
		t.Errorf("advertised = %s:%d", cfg.AdvertisedHostName, cfg.AdvertisedPort)
	}
	if want := map[string]string{"schemas.enable": "false", "decimal.format": "NUMERIC"}; !reflect.DeepEqual(cfg.ValueConverterProps, want) {
		t.Errorf("ValueConverterProps = %v, want %v", cfg.ValueConverterProps, want)
	}
	if cfg.Props["plugin.path"] != "/usr/share/java,/usr/share/confluent-hub-components" {
		t.Errorf("plugin.path = %q", cfg.Props["plugin.path"])
	}
	if cfg.TopicCreationEnable {
		t.Error("TopicCreationEnable = true")
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	env := []string{
		"PATH=/usr/bin",
		"CONNECT_GROUP_ID=from-connect-var",
		"CONNECT_OFFSET_STORAGE_PARTITIONS=50",
		"CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE=true",
		"CONNECT_LOG4J_ROOT_LOGLEVEL=DEBUG",
		"BOOTSTRAP_SERVERS=env-kafka:9092",
		"CONFIG_STORAGE_TOPIC=my_connect_configs",
		"OFFSET_STORAGE_TOPIC=my_connect_offsets",
		"STATUS_STORAGE_TOPIC=my_connect_statuses",
		"KEY_CONVERTER=io.confluent.connect.avro.AvroConverter",
		"OFFSET_FLUSH_INTERVAL_MS=1000",
		"OFFSET_FLUSH_TIMEOUT_MS=2000",
		"REST_PORT=9083",
		"ADVERTISED_HOST_NAME=connect-host",
		"SHUTDOWN_TIMEOUT=20000",
		"VALUE_CONVERTER=",
	}
	cfg, unknown, err := workerconfig.Load(writeFile(t, sampleFile), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("unknown = %v", unknown)
	}
	checks := []struct{ name, got, want string }{
		{"group.id (CONNECT_ over file)", cfg.GroupID, "from-connect-var"},
		{"bootstrap", strings.Join(cfg.BootstrapServers, ","), "env-kafka:9092"},
		{"config topic", cfg.ConfigTopic, "my_connect_configs"},
		{"offset topic", cfg.OffsetTopic, "my_connect_offsets"},
		{"status topic", cfg.StatusTopic, "my_connect_statuses"},
		{"key converter", cfg.KeyConverter, "io.confluent.connect.avro.AvroConverter"},
		{"value converter (empty named var ignored)", cfg.ValueConverter, "org.apache.kafka.connect.json.JsonConverter"},
		{"value.converter.schemas.enable", cfg.ValueConverterProps["schemas.enable"], "true"},
		{"listeners", strings.Join(cfg.Listeners, ","), "http://:9083"},
		{"advertised host", cfg.AdvertisedHostName, "connect-host"},
		{"shutdown timeout", cfg.Props["task.shutdown.graceful.timeout.ms"], "20000"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if cfg.OffsetPartitions != 50 || cfg.OffsetFlushInterval != time.Second || cfg.OffsetFlushTimeout != 2*time.Second {
		t.Errorf("partitions %d, flush %v/%v", cfg.OffsetPartitions, cfg.OffsetFlushInterval, cfg.OffsetFlushTimeout)
	}
	if _, ok := cfg.Props["log4j.root.loglevel"]; ok {
		t.Error("CONNECT_LOG4J_* became a worker property")
	}
}

func TestNamedVariableWinsOverConnectVariable(t *testing.T) {
	cfg, _, err := workerconfig.Load("", []string{"GROUP_ID=named", "CONNECT_GROUP_ID=generic"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GroupID != "named" {
		t.Fatalf("GroupID = %q, want named", cfg.GroupID)
	}
}

func TestLegacyRestPort(t *testing.T) {
	cfg, _, err := workerconfig.Load("", []string{"CONNECT_REST_PORT=8084", "CONNECT_REST_HOST_NAME=0.0.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Listeners, []string{"http://0.0.0.0:8084"}) {
		t.Fatalf("Listeners = %q", cfg.Listeners)
	}
}

func TestUnknownProperties(t *testing.T) {
	path := writeFile(t, "bootstrap.servers=k:9092\nbootstrap.server=typo\nproducer.linger.ms=5\nfoo=bar\nssl.truststore.location=/x\n")
	_, unknown, err := workerconfig.Load(path, []string{"CONNECT_OFFSET_FLUSH_INTERVALMS=1", "CONNECT_EMBEDDED_DATA_DIR=/data"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"bootstrap.server", "foo", "offset.flush.intervalms"}; !reflect.DeepEqual(unknown, want) {
		t.Fatalf("unknown = %q, want %q", unknown, want)
	}
}

func TestBadValues(t *testing.T) {
	for _, tc := range []struct {
		file, env, wantInErr string
	}{
		{file: "offset.flush.interval.ms=soon", wantInErr: "offset.flush.interval.ms"},
		{env: "OFFSET_FLUSH_TIMEOUT_MS=-1", wantInErr: "offset.flush.timeout.ms"},
		{file: "offset.storage.partitions=0", wantInErr: "offset.storage.partitions"},
		{file: "status.storage.partitions=x", wantInErr: "status.storage.partitions"},
		{file: "config.storage.replication.factor=0", wantInErr: "config.storage.replication.factor"},
		{file: "offset.storage.replication.factor=40000", wantInErr: "offset.storage.replication.factor"},
		{file: "listeners=localhost:8083", wantInErr: "listeners"},
		{file: "listeners=ftp://:21", wantInErr: "listeners"},
		{file: "listeners=http://host", wantInErr: "listeners"},
		{file: "listeners=http://:99999", wantInErr: "listeners"},
		{file: "listeners=", wantInErr: "listeners"},
		{env: "REST_PORT=http", wantInErr: "REST_PORT"},
		{file: "rest.advertised.port=eighty", wantInErr: "rest.advertised.port"},
		{file: "topic.creation.enable=yes", wantInErr: "topic.creation.enable"},
		{file: "topic.tracking.enable=on", wantInErr: "topic.tracking.enable"},
		{env: "CONNECT_TOPIC_TRACKING_ALLOW_RESET=1", wantInErr: "topic.tracking.allow.reset"},
		{file: "session.timeout.ms=0", wantInErr: "session.timeout.ms"},
		{env: "CONNECT_HEARTBEAT_INTERVAL_MS=often", wantInErr: "heartbeat.interval.ms"},
		{file: "rebalance.timeout.ms=9999999999", wantInErr: "rebalance.timeout.ms"},
		{file: "connect.protocol=cooperative", wantInErr: "connect.protocol"},
		{file: "scheduled.rebalance.max.delay.ms=-1", wantInErr: "scheduled.rebalance.max.delay.ms"},
		{file: "session.timeout.ms=3000\nheartbeat.interval.ms=3000", wantInErr: "heartbeat.interval.ms"},
		{env: "CONNECT_GROUP_ID=", wantInErr: "group.id"},
		{file: `bad=\uXYZW`, wantInErr: "line 1"},
		{file: "log.format=xml", wantInErr: `parsing log.format (or LOG_FORMAT): "xml" is neither text nor json`},
		{env: "LOG_FORMAT=logfmt", wantInErr: `parsing log.format (or LOG_FORMAT): "logfmt" is neither text nor json`},
	} {
		path := ""
		if tc.file != "" {
			path = writeFile(t, tc.file)
		}
		var env []string
		if tc.env != "" {
			env = []string{tc.env}
		}
		_, _, err := workerconfig.Load(path, env)
		if err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
			t.Errorf("file %q env %q: error %v, want one naming %s", tc.file, tc.env, err, tc.wantInErr)
		}
	}
}

func TestGroupAndTopicTrackingSettings(t *testing.T) {
	path := writeFile(t, "session.timeout.ms=6000\nheartbeat.interval.ms=1000\ntopic.tracking.allow.reset=false\n")
	cfg, unknown, err := workerconfig.Load(path, []string{"CONNECT_REBALANCE_TIMEOUT_MS=20000", "CONNECT_TOPIC_TRACKING_ENABLE=FALSE"})
	if err != nil || len(unknown) != 0 {
		t.Fatalf("Load = %v, unknown %v", err, unknown)
	}
	if cfg.SessionTimeout != 6*time.Second || cfg.HeartbeatInterval != time.Second || cfg.RebalanceTimeout != 20*time.Second {
		t.Errorf("group timeouts = %v %v %v", cfg.SessionTimeout, cfg.HeartbeatInterval, cfg.RebalanceTimeout)
	}
	if cfg.TopicTrackingEnable || cfg.TopicTrackingAllowReset {
		t.Errorf("topic tracking = %v, reset %v; want both off", cfg.TopicTrackingEnable, cfg.TopicTrackingAllowReset)
	}
}

func TestMissingFile(t *testing.T) {
	if _, _, err := workerconfig.Load(filepath.Join(t.TempDir(), "none.properties"), nil); err == nil {
		t.Fatal("no error for a missing file")
	}
}

func TestExactlyOnceSourceSupport(t *testing.T) {
	for _, c := range []struct{ env, want string }{
		{"", workerconfig.ExactlyOnceDisabled},
		{"CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=enabled", workerconfig.ExactlyOnceEnabled},
		{"CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=PREPARING", workerconfig.ExactlyOncePreparing},
	} {
		var env []string
		if c.env != "" {
			env = []string{c.env}
		}
		cfg, _, err := workerconfig.Load("", env)
		if err != nil {
			t.Fatalf("%q: %v", c.env, err)
		}
		if cfg.ExactlyOnceSource != c.want {
			t.Errorf("%q: ExactlyOnceSource = %q, want %q", c.env, cfg.ExactlyOnceSource, c.want)
		}
	}
	_, _, err := workerconfig.Load("", []string{"CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=sometimes"})
	if err == nil || !strings.Contains(err.Error(), "Invalid value sometimes for configuration exactly.once.source.support") {
		t.Fatalf("Load with a bad value = %v, want a refusal naming the property", err)
	}
}

func TestLogFormat(t *testing.T) {
	for _, c := range []struct {
		file string
		env  []string
		want string
	}{
		{want: "text"},
		{env: []string{"LOG_FORMAT=json"}, want: "json"},
		{env: []string{"LOG_FORMAT="}, want: "text"},
		{file: "log.format=JSON", want: "json"},
		{env: []string{"CONNECT_LOG_FORMAT=json"}, want: "json"},
		// The worker property, from the file or CONNECT_LOG_FORMAT, wins
		// over LOG_FORMAT.
		{file: "log.format=text", env: []string{"LOG_FORMAT=json"}, want: "text"},
		{env: []string{"LOG_FORMAT=json", "CONNECT_LOG_FORMAT=text"}, want: "text"},
		{file: "log.format=text", env: []string{"CONNECT_LOG_FORMAT=json"}, want: "json"},
	} {
		path := ""
		if c.file != "" {
			path = writeFile(t, c.file)
		}
		cfg, unknown, err := workerconfig.Load(path, c.env)
		if err != nil || len(unknown) != 0 {
			t.Fatalf("file %q env %q: %v, unknown %v", c.file, c.env, err, unknown)
		}
		if cfg.LogFormat != c.want {
			t.Errorf("file %q env %q: LogFormat = %q, want %q", c.file, c.env, cfg.LogFormat, c.want)
		}
	}
}

// Every worker property of Kafka Connect 3.9 that Tributary knows is
// either declared by Def (read) or accepted without a warning; Tributary's
// own are in their group.
func TestKnownPropertiesAreDeclaredOrAccepted(t *testing.T) {
	var props strings.Builder
	for _, name := range []string{
		"bootstrap.servers", "client.dns.lookup", "key.converter", "value.converter", "header.converter",
		"task.shutdown.graceful.timeout.ms", "offset.flush.interval.ms", "offset.flush.timeout.ms",
		"listeners", "rest.advertised.host.name", "rest.advertised.port", "rest.advertised.listener",
		"access.control.allow.origin", "access.control.allow.methods", "admin.listeners",
		"plugin.path", "plugin.discovery", "config.providers", "rest.extension.classes",
		"connector.client.config.override.policy", "response.http.headers.config",
		"topic.tracking.enable", "topic.tracking.allow.reset", "topic.creation.enable",
		"metrics.sample.window.ms", "metrics.num.samples", "metrics.recording.level", "metric.reporters",
		"auto.include.jmx.reporter", "rest.host.name", "rest.port",
		"group.id", "session.timeout.ms", "heartbeat.interval.ms", "rebalance.timeout.ms",
		"worker.sync.timeout.ms", "worker.unsync.backoff.ms",
		"offset.storage.topic", "offset.storage.partitions", "offset.storage.replication.factor",
		"config.storage.topic", "config.storage.replication.factor",
		"status.storage.topic", "status.storage.partitions", "status.storage.replication.factor",
		"connect.protocol", "scheduled.rebalance.max.delay.ms",
		"inter.worker.key.generation.algorithm", "inter.worker.key.size", "inter.worker.key.ttl.ms",
		"inter.worker.signature.algorithm", "inter.worker.verification.algorithms",
		"exactly.once.source.support", "offset.storage.file.filename",
		"client.id", "connections.max.idle.ms", "receive.buffer.bytes", "send.buffer.bytes",
		"request.timeout.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms",
		"retry.backoff.ms", "retry.backoff.max.ms",
		"socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms",
		"metadata.max.age.ms", "metadata.recovery.strategy", "metadata.recovery.rebootstrap.trigger.ms",
		"security.protocol", "embedded.kafka.listeners", "embedded.data.dir", "embedded.schema.registry.listeners", "log.format",
	} {
		value := "x"
		if name == "rest.port" { // the legacy listener's port
			value = "8084"
		}
		if _, declared := workerconfig.Def.Key(name); !declared {
			props.WriteString(name + "=" + value + "\n")
		}
	}
	_, unknown, err := workerconfig.Load(writeFile(t, props.String()), nil)
	if err != nil || len(unknown) != 0 {
		t.Fatalf("Load = %v, unknown %v", err, unknown)
	}
	for _, name := range []string{"embedded.kafka.listeners", "embedded.data.dir", "embedded.schema.registry.listeners", "log.format"} {
		if k, ok := workerconfig.Def.Key(name); !ok || k.Group != workerconfig.GroupTributary {
			t.Errorf("%s is not declared in group %s", name, workerconfig.GroupTributary)
		}
	}
}

// Invalid values are refused as Kafka's ConfigDef words it, all at once.
func TestBadValuesAreReportedInKafkasWords(t *testing.T) {
	_, _, err := workerconfig.Load(writeFile(t, "offset.storage.replication.factor=40000\nstatus.storage.replication.factor=0\n"+
		"offset.flush.interval.ms=soon\ntopic.creation.enable=yes\nlisteners=,\n"), nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"Invalid value 40000 for configuration offset.storage.replication.factor: Not a number of type SHORT",
		"Invalid value 0 for configuration status.storage.replication.factor: Replication factor must be positive and not larger than the number of brokers in the Kafka cluster, or -1 to use the broker's default",
		"Invalid value soon for configuration offset.flush.interval.ms: Not a number of type LONG",
		"Invalid value yes for configuration topic.creation.enable: Expected value to be either true or false",
		"Invalid value for listeners, at least one URL is expected, ex: http://localhost:8080,https://localhost:8443.",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// embedded.schema.registry.listeners given (not empty) is a listener the
// worker must have; defaulted, it is one the worker may do without. An
// empty rest.advertised.port is unset.
func TestRegistryListenersAndEmptyAdvertisedPort(t *testing.T) {
	for _, c := range []struct {
		env    []string
		listen string
		set    bool
	}{
		{nil, "http://127.0.0.1:8081", false},
		{[]string{"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS="}, "http://127.0.0.1:8081", false},
		{[]string{"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS=http://127.0.0.1:0"}, "http://127.0.0.1:0", true},
	} {
		cfg, _, err := workerconfig.Load("", append(c.env, "CONNECT_REST_ADVERTISED_PORT="))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.EmbeddedRegistryListeners != c.listen || cfg.EmbeddedRegistryListenersSet != c.set || cfg.AdvertisedPort != 0 {
			t.Errorf("%q: registry %q set %v, advertised port %d", c.env, cfg.EmbeddedRegistryListeners, cfg.EmbeddedRegistryListenersSet, cfg.AdvertisedPort)
		}
	}
}

// admin.listeners unset leaves /admin on the listeners (nil), set to
// nothing disables it (empty), else lists the admin listeners
// (RestServerConfig.adminListeners). rest.advertised.listener is
// lower-cased.
func TestAdminAndAdvertisedListeners(t *testing.T) {
	for _, c := range []struct {
		file       string
		admin      []string
		advertised string
	}{
		{"", nil, ""},
		{"admin.listeners=\n", []string{}, ""},
		{"admin.listeners=https://127.0.0.1:0, http://:8084\nrest.advertised.listener=HTTPS\n",
			[]string{"https://127.0.0.1:0", "http://:8084"}, "https"},
	} {
		cfg, _, err := workerconfig.Load(writeFile(t, c.file), nil)
		if err != nil {
			t.Fatal(err)
		}
		if (cfg.AdminListeners == nil) != (c.admin == nil) || !reflect.DeepEqual(append([]string{}, cfg.AdminListeners...), append([]string{}, c.admin...)) ||
			cfg.AdvertisedListener != c.advertised {
			t.Errorf("%q: admin listeners %#v, advertised %q; want %#v, %q", c.file, cfg.AdminListeners, cfg.AdvertisedListener, c.admin, c.advertised)
		}
	}
	for file, want := range map[string]string{
		"admin.listeners=http://:1,,http://:2": "Empty URL found when parsing admin.listeners list.",
		"admin.listeners=ftp://:21":            "admin.listeners",
		"rest.advertised.listener=ftp":         "rest.advertised.listener",
		"ssl.client.auth=REQUIRED":             "Invalid value REQUIRED for configuration ssl.client.auth: String must be one of: required, requested, none",
	} {
		if _, _, err := workerconfig.Load(writeFile(t, file), nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", file, err, want)
		}
	}
}

// The https listeners' settings are the SSL settings of Kafka Connect's
// RestServerConfig: another name under their prefixes is unknown.
func TestHTTPSListenerSettingsAreKnown(t *testing.T) {
	_, unknown, err := workerconfig.Load(writeFile(t, "listeners.https.ssl.keystore.location=/k\nlisteners.https.ssl.client.auth=required\n"+
		"admin.listeners.https.ssl.truststore.type=PEM\nlisteners.https.ssl.keystore.locaton=/typo\nadmin.listeners.https.sasl.mechanism=PLAIN\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"admin.listeners.https.sasl.mechanism", "listeners.https.ssl.keystore.locaton"}; !reflect.DeepEqual(unknown, want) {
		t.Fatalf("unknown = %q, want %q", unknown, want)
	}
}
