package kafkaclient_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

func scramJAAS(user, pass string) string {
	return fmt.Sprintf(`%s required username="%s" password="%s";`, security.ScramLoginModule, user, pass)
}

// A task producer built from the worker's producer.* settings and the
// connector's producer.override.* ones writes to a TLS + SCRAM-SHA-512
// broker; the worker's top-level settings do not reach it.
func TestTaskProducerUsesItsSecurity(t *testing.T) {
	brokers := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "task", "task-secret"), kfake.SeedTopics(1, "events")).ListenAddrs()
	worker := map[string]string{
		// The top level names another user: were it to reach the
		// producer, authentication would fail.
		"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.jaas.config": scramJAAS("worker", "nope"),
		"producer.security.protocol":       "SASL_SSL",
		"producer.sasl.mechanism":          "SCRAM-SHA-512",
		"producer.sasl.jaas.config":        scramJAAS("worker", "nope"),
		"producer.ssl.truststore.location": tlstest.Fixture("truststore.jks"),
		"producer.ssl.truststore.password": tlstest.TrustStorePassword,
	}
	connector := map[string]string{"producer.override.sasl.jaas.config": scramJAAS("task", "task-secret")}
	sec, errs := kafkaclient.ProducerSecurity(worker, connector, security.PolicyAll, security.Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := kafkaclient.DefaultProducerSettings()
	s.Security = sec
	p, err := kafkaclient.NewProducer(brokers, "test", s)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Input() <- &sarama.ProducerMessage{Topic: "events", Value: sarama.StringEncoder("v")}
	select {
	case <-p.Successes():
	case err := <-p.Errors():
		t.Fatalf("produce: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no acknowledgement")
	}
	// A transactional producer initialises its id over the same security.
	tp, err := kafkaclient.NewTransactionalProducer(brokers, "test", "connect-cluster-inventory-0", s)
	if err != nil {
		t.Fatalf("transactional producer: %v", err)
	}
	if err := tp.Close(); err != nil {
		t.Fatal(err)
	}
	// Without the connector's credentials the broker refuses the producer.
	s.Security, _ = kafkaclient.ProducerSecurity(worker, nil, security.PolicyAll, security.Options{})
	cfg := kafkaclient.NewProducerConfig("test", s)
	cfg.Metadata.Retry.Max = 0
	if p, err := sarama.NewAsyncProducer(brokers, cfg); err == nil {
		p.Close()
		t.Fatal("a producer with the worker's producer.* credentials connected")
	}
}

func TestProducerSecurityErrorsNameTheProperty(t *testing.T) {
	worker := map[string]string{"security.protocol": "SSL", "producer.security.protocol": "SASL_PLAINTEXT", "producer.sasl.mechanism": "PLAIN",
		"producer.sasl.jaas.config": fmt.Sprintf(`%s required username="u" password="worker-secret";`, security.PlainLoginModule)}
	for _, c := range []struct {
		name      string
		worker    map[string]string
		connector map[string]string
		policy    security.OverridePolicy
		property  string
	}{
		{"connector override", worker, map[string]string{"producer.override.sasl.mechanism": "GSSAPI"}, security.PolicyAll, "producer.override.sasl.mechanism"},
		{"worker setting", map[string]string{"producer.security.protocol": "SASL_SSL", "producer.sasl.mechanism": "NOPE"}, nil, security.PolicyAll, "producer.sasl.mechanism"},
		{"policy", worker, map[string]string{"producer.override.ssl.truststore.location": "/x.jks"}, security.PolicyPrincipal, "producer.override.ssl.truststore.location"},
		{"secret in a refused JAAS line", worker, map[string]string{"producer.override.sasl.jaas.config": "garbage password=\"connector-secret\""}, security.PolicyAll,
			"producer.override.sasl.jaas.config"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, errs := kafkaclient.ProducerSecurity(c.worker, c.connector, c.policy, security.Options{})
			bare := strings.TrimPrefix(strings.TrimPrefix(c.property, "producer.override."), "producer.")
			if len(errs) != 1 || errs[0].Name != c.property || !strings.Contains(errs[0].Message, bare) {
				t.Fatalf("errors %+v, want one naming %s", errs, c.property)
			}
			if strings.Contains(errs[0].Message, "secret") {
				t.Fatalf("the message shows a secret: %s", errs[0].Message)
			}
		})
	}
}

// A worker whose own security.protocol is not PLAINTEXT warns that a task
// producer without producer.security.protocol connects in plaintext.
func TestProducerProtocolWarningIsLogged(t *testing.T) {
	for _, c := range []struct {
		worker, connector map[string]string
		warn              bool
	}{
		{map[string]string{"security.protocol": "SSL"}, nil, true},
		{map[string]string{"security.protocol": "SSL"}, map[string]string{"producer.override.security.protocol": "PLAINTEXT"}, false},
		{map[string]string{"security.protocol": "SSL", "producer.security.protocol": "PLAINTEXT"}, nil, false},
		{map[string]string{}, nil, false},
	} {
		var buf bytes.Buffer
		_, errs := kafkaclient.ProducerSecurity(c.worker, c.connector, security.PolicyAll,
			security.Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if got := strings.Contains(buf.String(), "producer.security.protocol"); got != c.warn {
			t.Errorf("%v %v: warning %v, want %v: %s", c.worker, c.connector, got, c.warn, buf.String())
		}
	}
}

// The producer's security settings are declared, so they are not reported
// as ignored.
func TestProducerSecuritySettingsAreDeclared(t *testing.T) {
	props := map[string]string{"producer.override.security.protocol": "SSL", "producer.override.ssl.truststore.location": "/t.jks",
		"producer.override.sasl.jaas.config": "x", "producer.override.not.a.setting": "1"}
	_, ignored, errs := kafkaclient.ParseProducerSettings(kafkaclient.DefaultProducerSettings(), props, kafkaclient.ConnectorProducerPrefix)
	if len(errs) > 0 || len(ignored) != 1 || ignored[0] != "producer.override.not.a.setting" {
		t.Fatalf("ignored %v, errors %v", ignored, errs)
	}
	for _, n := range security.Names {
		if _, ok := kafkaclient.ProducerDef.Key(n); !ok {
			t.Errorf("%s is not declared", n)
		}
	}
}
