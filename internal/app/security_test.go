package app

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// scramEnv configures a worker for a TLS + SCRAM-SHA-512 broker through
// CONNECT_* variables, as the Debezium image does.
func scramEnv(t *testing.T, brokers []string, password string) []string {
	jaas := security.ScramLoginModule + ` required username="worker" password="` + password + `";`
	return []string{
		"CONNECT_BOOTSTRAP_SERVERS=" + strings.Join(brokers, ","),
		"CONNECT_LISTENERS=http://127.0.0.1:0",
		"CONNECT_SECURITY_PROTOCOL=SASL_SSL",
		"CONNECT_SASL_MECHANISM=SCRAM-SHA-512",
		"CONNECT_SASL_JAAS_CONFIG=" + jaas,
		"CONNECT_SSL_TRUSTSTORE_LOCATION=" + tlstest.Fixture("truststore.jks"),
		"CONNECT_SSL_TRUSTSTORE_PASSWORD=" + tlstest.TrustStorePassword,
		"CONNECT_PRODUCER_SECURITY_PROTOCOL=SASL_SSL",
		"CONNECT_PRODUCER_SASL_MECHANISM=SCRAM-SHA-512",
		"CONNECT_PRODUCER_SASL_JAAS_CONFIG=" + jaas,
		"CONNECT_PRODUCER_SSL_TRUSTSTORE_LOCATION=" + tlstest.Fixture("truststore.jks"),
		"CONNECT_PRODUCER_SSL_TRUSTSTORE_PASSWORD=" + tlstest.TrustStorePassword,
		"GOMEMLIMIT=off",
	}
}

func scramBroker(t *testing.T) (*kfake.Cluster, []string) {
	c := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "worker", "right-secret"))
	return c, c.ListenAddrs()
}

// A worker on a TLS + SCRAM cluster opens its internal topics over it.
func TestWorkerOnSecuredCluster(t *testing.T) {
	_, brokers := scramBroker(t)
	var log bytes.Buffer
	a, err := New(t.Context(), Options{Environ: scramEnv(t, brokers, "right-secret"), LogOutput: &log})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer a.Close()
	topics := internalTopics(t, brokers, "right-secret")
	for _, want := range []string{"connect-configs", "connect-offsets", "connect-status"} {
		if !topics[want] {
			t.Errorf("topic %s was not created (topics %v)", want, topics)
		}
	}
	if strings.Contains(log.String(), "right-secret") {
		t.Fatalf("the log shows the password:\n%s", log.String())
	}
}

// The security settings go through the worker's config providers, as a
// Java worker's properties do: here the password comes from a file.
func TestSecuritySettingsFromConfigProviders(t *testing.T) {
	_, brokers := scramBroker(t)
	secrets := tlstest.WriteFile(t, "scram.properties", []byte("password=right-secret\n"))
	env := append(scramEnv(t, brokers, "${file:"+secrets+":password}"),
		"CONNECT_CONFIG_PROVIDERS=file", "CONNECT_CONFIG_PROVIDERS_FILE_CLASS=org.apache.kafka.common.config.provider.FileConfigProvider")
	a, err := New(t.Context(), Options{Environ: env, LogOutput: &bytes.Buffer{}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	a.Close()
}

// A worker whose credentials the broker refuses stops before starting
// anything, naming the broker, the mechanism and the stage, without the
// password; nothing is written.
func TestWrongPasswordStopsTheWorker(t *testing.T) {
	_, brokers := scramBroker(t)
	var log bytes.Buffer
	_, err := New(t.Context(), Options{Environ: scramEnv(t, brokers, "wrong-secret"), LogOutput: &log})
	if err == nil {
		t.Fatal("New succeeded with a wrong password")
	}
	for _, want := range []string{brokers[0], "sasl.mechanism=SCRAM-SHA-512", string(security.StageAuthentication), "sasl.jaas.config"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if out := err.Error() + log.String(); strings.Contains(out, "wrong-secret") || strings.Contains(out, "right-secret") {
		t.Fatalf("a password is shown:\n%s", out)
	}
	if topics := internalTopics(t, brokers, "right-secret"); len(topics) != 0 {
		t.Fatalf("topics created: %v", topics)
	}
}

// A TLS listener with PLAINTEXT stops the worker, pointing at
// security.protocol.
func TestPlaintextAgainstTLSStopsTheWorker(t *testing.T) {
	c := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)))
	_, err := New(t.Context(), Options{Environ: []string{"CONNECT_BOOTSTRAP_SERVERS=" + c.ListenAddrs()[0],
		"CONNECT_LISTENERS=http://127.0.0.1:0", "GOMEMLIMIT=off"}, LogOutput: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "security.protocol") || !strings.Contains(err.Error(), string(security.StageProtocol)) {
		t.Fatalf("New = %v, want the Kafka protocol stage naming security.protocol", err)
	}
}

// Security settings without bootstrap.servers would be ignored by the
// embedded broker: they stop the worker.
func TestSecurityWithoutBootstrapIsRefused(t *testing.T) {
	for _, env := range []string{"CONNECT_SECURITY_PROTOCOL=SSL", "CONNECT_PRODUCER_SASL_MECHANISM=PLAIN"} {
		_, err := New(t.Context(), Options{Environ: workerEnv(t, env), LogOutput: &bytes.Buffer{}})
		name := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(strings.Split(env, "=")[0], "CONNECT_")), "_", ".")
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "bootstrap.servers") {
			t.Errorf("%s: New = %v, want an error naming %s and bootstrap.servers", env, err, name)
		}
	}
}

// internalTopics lists the cluster's topics as a client with the right
// credentials sees them.
func internalTopics(t *testing.T, brokers []string, password string) map[string]bool {
	t.Helper()
	sec, err := security.Parse(map[string]string{"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
		"sasl.jaas.config":        security.ScramLoginModule + ` required username="worker" password="` + password + `";`,
		"ssl.truststore.location": tlstest.Fixture("truststore.jks"), "ssl.truststore.password": tlstest.TrustStorePassword}, security.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sarama.NewClusterAdmin(brokers, kafkaclient.NewClientConfig("check", sec))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	list, err := admin.ListTopics()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for name := range list {
		out[name] = true
	}
	return out
}

// An unknown mechanism and an unreadable trust store stop the worker before
// it connects to anything, naming the property; the broker sees no client.
func TestUnusableSecuritySettingsStopTheWorker(t *testing.T) {
	c, brokers := scramBroker(t)
	var connected atomic.Int32
	c.ControlKey(int16(kmsg.ApiVersions), func(kmsg.Request) (kmsg.Response, error, bool) {
		connected.Add(1)
		return nil, nil, false
	})
	for _, tc := range []struct{ env, property string }{
		{"CONNECT_SASL_MECHANISM=GSSAPI-PLUS", "sasl.mechanism"},
		{"CONNECT_SSL_TRUSTSTORE_LOCATION=" + filepath.Join(t.TempDir(), "missing.jks"), "ssl.truststore.location"},
		{"CONNECT_PRODUCER_SSL_TRUSTSTORE_TYPE=JCEKS", "producer.ssl.truststore.type"},
	} {
		var log bytes.Buffer
		_, err := New(t.Context(), Options{Environ: append(scramEnv(t, brokers, "right-secret"), tc.env), LogOutput: &log})
		if err == nil || !strings.Contains(err.Error(), tc.property) {
			t.Errorf("%s: New = %v, want an error naming %s", tc.env, err, tc.property)
		}
		if err != nil && strings.Contains(err.Error()+log.String(), "right-secret") {
			t.Errorf("%s: the error or log shows the password", tc.env)
		}
	}
	if n := connected.Load(); n != 0 {
		t.Errorf("the broker saw %d connections from workers that should not have started", n)
	}
}
