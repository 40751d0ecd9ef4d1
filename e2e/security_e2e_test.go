package e2e

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// securedCluster is a kfake broker with TLS and, for SASL, one user; the
// worker's Java-style settings (without prefix) and the matching kgo
// options of an independent reader.
type securedCluster struct {
	brokers  []string
	settings map[string]string
	reader   []kgo.Opt
}

const (
	saslUser     = "tributary"
	saslPassword = "cluster-secret"
)

func trustSettings() map[string]string {
	return map[string]string{"ssl.truststore.location": tlstest.Fixture("truststore.jks"), "ssl.truststore.password": tlstest.TrustStorePassword}
}

func readerTLS(t *testing.T, withClientCert bool) *tls.Config {
	cfg := &tls.Config{RootCAs: tlstest.FixtureCA(t), MinVersion: tls.VersionTLS12}
	if withClientCert {
		cert, err := tls.LoadX509KeyPair(tlstest.Fixture("client.pem"), tlstest.Fixture("client.pem"))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg
}

func scramCluster(t *testing.T) securedCluster {
	c := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)), kfake.AllowAutoTopicCreation(),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", saslUser, saslPassword))
	s := trustSettings()
	s["security.protocol"], s["sasl.mechanism"] = "SASL_SSL", "SCRAM-SHA-512"
	s["sasl.jaas.config"] = security.ScramLoginModule + ` required username="` + saslUser + `" password="` + saslPassword + `";`
	return securedCluster{brokers: c.ListenAddrs(), settings: s, reader: []kgo.Opt{kgo.DialTLSConfig(readerTLS(t, false)),
		kgo.SASL(scram.Auth{User: saslUser, Pass: saslPassword}.AsSha512Mechanism())}}
}

func plainCluster(t *testing.T) securedCluster {
	c := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)), kfake.AllowAutoTopicCreation(),
		kfake.EnableSASL(), kfake.Superuser("PLAIN", saslUser, saslPassword))
	s := trustSettings()
	s["security.protocol"], s["sasl.mechanism"] = "SASL_SSL", "PLAIN"
	s["sasl.jaas.config"] = security.PlainLoginModule + ` required username="` + saslUser + `" password="` + saslPassword + `";`
	return securedCluster{brokers: c.ListenAddrs(), settings: s, reader: []kgo.Opt{kgo.DialTLSConfig(readerTLS(t, false)),
		kgo.SASL(plain.Auth{User: saslUser, Pass: saslPassword}.AsMechanism())}}
}

func mutualTLSCluster(t *testing.T) securedCluster {
	c := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), tlstest.FixtureCA(t))), kfake.AllowAutoTopicCreation())
	s := trustSettings()
	s["security.protocol"] = "SSL"
	s["ssl.keystore.location"] = tlstest.Fixture("client.keystore.jks")
	s["ssl.keystore.password"] = tlstest.JKSStorePassword
	s["ssl.key.password"] = tlstest.JKSKeyPassword
	return securedCluster{brokers: c.ListenAddrs(), settings: s, reader: []kgo.Opt{kgo.DialTLSConfig(readerTLS(t, true))}}
}

// connectEnv is the worker's configuration as CONNECT_* variables (the
// Debezium image's way): the settings at top level for the worker's own
// clients and under producer. for the task producers.
func connectEnv(brokers []string, settings map[string]string) []string {
	env := []string{"CONNECT_BOOTSTRAP_SERVERS=" + strings.Join(brokers, ",")}
	for k, v := range settings {
		name := "CONNECT_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		producer := "CONNECT_PRODUCER_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))
		env = append(env, name+"="+v, producer+"="+v)
	}
	return env
}

// readEvents reads topic from the start with kgo over the cluster's
// security until it holds at least n records.
func readEvents(t *testing.T, c securedCluster, topic string, n int) []kcatMessage {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}, c.reader...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var out []kcatMessage
	for len(out) < n {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("read %d of %d records from %s", len(out), n, topic)
		}
		for _, e := range fetches.Errors() {
			if !errors.Is(e.Err, context.DeadlineExceeded) {
				t.Logf("fetch %s: %v", e.Topic, e.Err)
			}
		}
		fetches.EachRecord(func(r *kgo.Record) {
			m := kcatMessage{Topic: r.Topic, Partition: int(r.Partition), Offset: r.Offset}
			if r.Key != nil {
				k := string(r.Key)
				m.Key = &k
			}
			if r.Value != nil {
				v := string(r.Value)
				m.Payload = &v
			}
			out = append(out, m)
		})
	}
	return out
}

// A worker configured only through CONNECT_* variables snapshots and
// streams PostgreSQL into a TLS + SCRAM-SHA-512, a TLS + PLAIN and a
// mutual TLS cluster; kgo reads the change topics over the same security.
func TestSecuredClusters(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, inventorySchema)
	for i, c := range []struct {
		name    string
		cluster func(*testing.T) securedCluster
	}{
		{"SASL_SSL SCRAM-SHA-512", scramCluster},
		{"SASL_SSL PLAIN", plainCluster},
		{"SSL with a key store", mutualTLSCluster},
	} {
		t.Run(c.name, func(t *testing.T) {
			cluster := c.cluster(t)
			w := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: connectEnv(cluster.brokers, cluster.settings)})
			slot := "secured_" + string(rune('a'+i))
			code, body := w.do("POST", "/connectors", inventoryConfig(t, pg, func(m map[string]string) {
				m["slot.name"] = slot
				m["table.include.list"] = "public.customers"
			}))
			if code != http.StatusCreated {
				t.Fatalf("POST /connectors = %d %s", code, body)
			}
			waitRunning(t, w, "inventory")
			const topic = "dbserver1.public.customers"
			// The three customers, and one more written by each case before.
			rows := 3 + i
			snap := readEvents(t, cluster, topic, rows)
			for _, m := range snap {
				if ev := decodeEvent(t, m); ev.op != "r" || ev.after == nil {
					t.Fatalf("snapshot record: %v", ev)
				}
			}
			email := slot + "@example.com"
			pg.Exec(t, `INSERT INTO customers (first_name, last_name, email) VALUES ('Secure', 'Writer', '`+email+`')`)
			all := readEvents(t, cluster, topic, rows+1)
			if len(all) != rows+1 {
				t.Fatalf("%d records, want %d", len(all), rows+1)
			}
			if ev := decodeEvent(t, all[rows]); ev.op != "c" || ev.after["email"] != email {
				t.Fatalf("streamed record: %v", ev)
			}
			if strings.Contains(w.log(), saslPassword) {
				t.Fatalf("the worker log shows the password")
			}
			w.stop()
		})
	}
}

// refusedStart runs the worker and returns its output once it exits; it
// must exit with an error.
func refusedStart(t *testing.T, env []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tributaryBinary(t))
	cmd.Env = append(cmd.Environ(), "CONNECT_LISTENERS=http://127.0.0.1:0", "CONNECT_EMBEDDED_DATA_DIR="+t.TempDir())
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("the worker did not refuse to start (%v):\n%s", err, out)
	}
	t.Logf("%s", out)
	return string(out)
}

// topicsOf lists the cluster's topics over its security.
func topicsOf(t *testing.T, c securedCluster) []string {
	t.Helper()
	sec, err := security.Parse(c.settings, security.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sarama.NewClusterAdmin(c.brokers, kafkaclient.NewClientConfig("check", sec))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	list, err := admin.ListTopics()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for name := range list {
		out = append(out, name)
	}
	return out
}

// A wrong password, an untrusted broker certificate and PLAINTEXT against
// a TLS listener each stop the worker before it writes anything, with an
// error naming the stage and the setting to look at, and no password.
func TestSecuredClusterRefusals(t *testing.T) {
	t.Run("wrong password", func(t *testing.T) {
		c := scramCluster(t)
		bad := map[string]string{}
		for k, v := range c.settings {
			bad[k] = v
		}
		bad["sasl.jaas.config"] = security.ScramLoginModule + ` required username="` + saslUser + `" password="wrong-secret";`
		out := refusedStart(t, connectEnv(c.brokers, bad))
		for _, want := range []string{c.brokers[0], "SCRAM-SHA-512", string(security.StageAuthentication), "sasl.jaas.config"} {
			if !strings.Contains(out, want) {
				t.Errorf("output does not say %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "wrong-secret") || strings.Contains(out, saslPassword) {
			t.Fatalf("the output shows a password:\n%s", out)
		}
		if topics := topicsOf(t, c); len(topics) != 0 {
			t.Fatalf("topics written: %v", topics)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		other := tlstest.NewCA(t, "Other CA")
		cl := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(other.Issue(t, "broker", "127.0.0.1").TLS, nil)))
		s := trustSettings()
		s["security.protocol"] = "SSL"
		out := refusedStart(t, connectEnv(cl.ListenAddrs(), s))
		for _, want := range []string{cl.ListenAddrs()[0], string(security.StageCertificate), "ssl.truststore"} {
			if !strings.Contains(out, want) {
				t.Errorf("output does not say %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, tlstest.TrustStorePassword) {
			t.Fatalf("the output shows the trust store password:\n%s", out)
		}
	})
	t.Run("TLS port with PLAINTEXT", func(t *testing.T) {
		cl := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)))
		s := trustSettings()
		s["security.protocol"] = "SSL"
		c := securedCluster{brokers: cl.ListenAddrs(), settings: s}
		out := refusedStart(t, []string{"CONNECT_BOOTSTRAP_SERVERS=" + c.brokers[0]})
		for _, want := range []string{c.brokers[0], string(security.StageProtocol), "security.protocol"} {
			if !strings.Contains(out, want) {
				t.Errorf("output does not say %q:\n%s", want, out)
			}
		}
		if topics := topicsOf(t, c); len(topics) != 0 {
			t.Fatalf("topics written: %v", topics)
		}
	})
}
