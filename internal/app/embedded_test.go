package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// A worker on an embedded broker with SCRAM-SHA-512 over TLS uses the
// broker's credentials for its own clients (the internal topics, the
// registry's store) and serves; a client without them is refused.
func TestEmbeddedBrokerWithSCRAMAndTLS(t *testing.T) {
	var store []byte
	for _, f := range []string{"broker.key", "broker.pem"} {
		b, err := os.ReadFile(tlstest.Fixture(f))
		if err != nil {
			t.Fatal(err)
		}
		store = append(store, b...)
	}
	keystore := filepath.Join(t.TempDir(), "broker-keystore.pem")
	if err := os.WriteFile(keystore, store, 0o600); err != nil {
		t.Fatal(err)
	}
	const password = `emb"edded\secret`
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a, err := New(ctx, Options{Environ: workerEnv(t,
		"CONNECT_EMBEDDED_KAFKA_SASL_USERNAME=worker", "CONNECT_EMBEDDED_KAFKA_SASL_PASSWORD="+password,
		"CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_TYPE=PEM", "CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_LOCATION="+keystore),
		LogOutput: io.Discard})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	resp, err := http.Get("http://" + a.RESTAddrs()[0] + "/connectors")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /connectors = %d", resp.StatusCode)
	}
	if a.RegistryURL() == "" {
		t.Fatal("the embedded registry did not start")
	}

	// The broker's certificate is the fixture the CA trust store signs.
	escaped := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(password)
	topics := internalTopics(t, a.Brokers(), escaped)
	for _, name := range []string{"connect-configs", "connect-offsets", "connect-status", "_schemas"} {
		if !topics[name] {
			t.Errorf("topic %s missing: %v", name, topics)
		}
	}

	// TLS alone, without SASL, reaches nothing.
	cfg := kafkaclient.NewConfig("anonymous")
	cfg.Net.TLS.Enable = true
	cfg.Net.TLS.Config = tlstest.ServerConfig(tlstest.FixtureBroker(t), nil).Clone()
	cfg.Net.TLS.Config.Certificates = nil
	cfg.Net.TLS.Config.RootCAs = tlstest.FixtureCA(t)
	cfg.Metadata.Retry.Max = 0
	if admin, err := sarama.NewClusterAdmin(a.Brokers(), cfg); err == nil {
		_, err = admin.ListTopics()
		admin.Close()
		if err == nil {
			t.Fatal("a client without SASL listed the topics")
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after its context ended")
	}
}

// An embedded broker reachable beyond loopback without a SASL user stops
// the worker, naming embedded.kafka.listeners.
func TestEmbeddedBrokerBeyondLoopbackNeedsAuthentication(t *testing.T) {
	env := []string{"CONNECT_LISTENERS=http://127.0.0.1:0", "CONNECT_EMBEDDED_KAFKA_LISTENERS=0.0.0.0:0",
		"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS=http://127.0.0.1:0", "CONNECT_EMBEDDED_DATA_DIR=" + t.TempDir(), "GOMEMLIMIT=off"}
	_, err := New(t.Context(), Options{Environ: env, LogOutput: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "embedded.kafka.listeners") {
		t.Fatalf("New = %v, want an error naming embedded.kafka.listeners", err)
	}
}

// An embedded registry reachable beyond loopback without a SASL user stops
// the worker, naming embedded.schema.registry.listeners; with one it starts
// and its writes need that user's credentials.
func TestEmbeddedRegistryBeyondLoopbackNeedsAuthentication(t *testing.T) {
	for _, listener := range []string{"http://0.0.0.0:0", "http://:0"} {
		_, err := New(t.Context(), Options{Environ: workerEnv(t, "CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS="+listener),
			LogOutput: &bytes.Buffer{}})
		if err == nil || !strings.Contains(err.Error(), "embedded.schema.registry.listeners") {
			t.Fatalf("registry on %s: New = %v, want an error naming embedded.schema.registry.listeners", listener, err)
		}
	}
	a, err := New(t.Context(), Options{Environ: workerEnv(t, "CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS=http://0.0.0.0:0",
		"CONNECT_EMBEDDED_KAFKA_SASL_USERNAME=worker", "CONNECT_EMBEDDED_KAFKA_SASL_PASSWORD=registry-secret"), LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	register := func(user string) int {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, a.RegistryURL()+"/config",
			strings.NewReader(`{"compatibility":"NONE"}`))
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		if user != "" {
			req.SetBasicAuth(user, "registry-secret")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := register(""); code != http.StatusUnauthorized {
		t.Errorf("PUT /config without credentials: %d, want 401", code)
	}
	if code := register("worker"); code != http.StatusOK {
		t.Errorf("PUT /config as the broker's user: %d, want 200", code)
	}
}

// An unusable embedded broker key store stops the worker naming the
// property, without its password.
func TestUnusableEmbeddedKeyStoreStopsTheWorker(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.p12")
	for _, tc := range []struct {
		env      []string
		property string
	}{
		{[]string{"CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_TYPE=JCEKS", "CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_LOCATION=" + missing},
			"embedded.kafka.ssl.keystore.type"},
		{[]string{"CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_TYPE=PKCS12", "CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_LOCATION=" + missing},
			"embedded.kafka.ssl.keystore.location"},
	} {
		env := append([]string{"CONNECT_EMBEDDED_KAFKA_SASL_USERNAME=connect",
			"CONNECT_EMBEDDED_KAFKA_SASL_PASSWORD=broker-secret", "CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_PASSWORD=store-secret"}, tc.env...)
		var log strings.Builder
		_, err := New(t.Context(), Options{Environ: workerEnv(t, env...), LogOutput: &lockedWriter{w: &log}})
		if err == nil || !strings.Contains(err.Error(), tc.property) {
			t.Errorf("%v: New = %v, want an error naming %s", tc.env, err, tc.property)
			continue
		}
		if out := err.Error() + log.String(); strings.Contains(out, "store-secret") || strings.Contains(out, "broker-secret") {
			t.Errorf("%v: a password reached the error or the log: %v", tc.env, err)
		}
	}
}
