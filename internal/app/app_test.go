package app

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// workerEnv is a worker on its own embedded broker and registry, every
// listener on a port the system picks.
func workerEnv(t *testing.T, extra ...string) []string {
	return append([]string{
		"CONNECT_LISTENERS=http://127.0.0.1:0",
		"CONNECT_EMBEDDED_KAFKA_LISTENERS=127.0.0.1:0",
		"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS=http://127.0.0.1:0",
		"CONNECT_EMBEDDED_DATA_DIR=" + t.TempDir(),
		"GOMEMLIMIT=off", // leave the test process's memory limit alone
	}, extra...)
}

// An in-process worker serves its REST API on the address RESTAddrs
// reports, and Run returns nil once its context ends.
func TestAppRunsInProcess(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a, err := New(ctx, Options{Environ: workerEnv(t), LogOutput: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Brokers()) != 1 || a.RegistryURL() == "" || len(a.RESTAddrs()) != 1 {
		t.Fatalf("brokers %v, registry %q, REST %v", a.Brokers(), a.RegistryURL(), a.RESTAddrs())
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	resp, err := http.Get("http://" + a.RESTAddrs()[0] + "/")
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Version        string `json:"version"`
		KafkaClusterID string `json:"kafka_cluster_id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || info.Version != Version || info.KafkaClusterID == "" {
		t.Fatalf("GET / = %d %+v, %v", resp.StatusCode, info, err)
	}
	if err := a.Run(ctx); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("second Run = %v, want an error", err)
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
	if _, err := net.Dial("tcp", a.RESTAddrs()[0]); err == nil {
		t.Error("REST listener still accepts connections after Run returned")
	}
	a.Close() // a second Close does nothing
}

// When New fails half-way it releases what it had started: here the
// embedded broker, whose port is free again for the next worker.
func TestFailedNewReleasesWhatItStarted(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	brokerAddr := l.Addr().String()
	l.Close()
	env := workerEnv(t, "CONNECT_EMBEDDED_KAFKA_LISTENERS="+brokerAddr)

	_, err = New(t.Context(), Options{Environ: append(env, "CONNECT_LISTENERS=https://127.0.0.1:0"), LogOutput: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "ssl.keystore.location") {
		t.Fatalf("New with an https listener without a key store = %v, want an error naming ssl.keystore.location", err)
	}
	a, err := New(t.Context(), Options{Environ: env, LogOutput: io.Discard})
	if err != nil {
		t.Fatalf("New after a failed New on the same broker address: %v", err)
	}
	if got := a.Brokers(); len(got) != 1 || got[0] != brokerAddr {
		t.Errorf("brokers %v, want [%s]", got, brokerAddr)
	}
	a.Close()
}

// Worker settings Kafka Connect reads but Tributary has no use for are
// warned about by name, with the reason, never dropped in silence.
func TestSettingsWithoutEffectAreWarnedAbout(t *testing.T) {
	var logs strings.Builder
	a, err := New(t.Context(), Options{Environ: workerEnv(t,
		"CONNECT_CONSUMER_MAX_POLL_RECORDS=10",
		"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION=/etc/tributary/rest.jks",
		"CONNECT_INTER_WORKER_KEY_TTL_MS=600000",
	), LogOutput: &lockedWriter{w: &logs}})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	got := logs.String()
	for _, p := range []string{"consumer.max.poll.records", "listeners.https.ssl.keystore.location"} {
		if !strings.Contains(got, `msg="the configuration has no effect" property=`+p+" ") {
			t.Errorf("no warning naming %s in:\n%s", p, got)
		}
	}
	// The inter.worker.* settings are read (session keys and signed
	// requests under connect.protocol=sessioned): no warning.
	if strings.Contains(got, "inter.worker.key.ttl.ms") {
		t.Errorf("inter.worker.key.ttl.ms is warned about:\n%s", got)
	}
}

// lockedWriter lets the worker's goroutines log into a strings.Builder.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
