package security_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
)

var worker = map[string]string{
	"bootstrap.servers":                   "b:9093",
	"security.protocol":                   "SASL_SSL",
	"sasl.mechanism":                      "SCRAM-SHA-512",
	"sasl.jaas.config":                    "worker-jaas",
	"producer.security.protocol":          "SSL",
	"producer.ssl.truststore.location":    "/p.jks",
	"consumer.security.protocol":          "SASL_SSL",
	"admin.sasl.jaas.config":              "admin-jaas",
	"config.providers":                    "file",
	"config.providers.file.class":         "x",
	"ssl.truststore.location":             "/w.jks",
	"producer.override.security.protocol": "not a worker setting",
}

// Each client sees the settings Kafka Connect gives it.
func TestClientViews(t *testing.T) {
	connector := map[string]string{"producer.override.sasl.jaas.config": "connector-jaas", "admin.override.sasl.mechanism": "PLAIN",
		"consumer.override.x": "y"}
	prod, err := security.TaskProducerProps(worker, connector, security.PolicyAll)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"security.protocol": "SSL", "ssl.truststore.location": "/p.jks", "sasl.jaas.config": "connector-jaas",
		"override.security.protocol": "not a worker setting"}
	if !maps.Equal(prod, want) {
		t.Errorf("task producer: %v, want %v", prod, want)
	}
	admin, err := security.AdminProps(worker, connector, security.PolicyAll)
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"bootstrap.servers": "b:9093", "security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
		"sasl.jaas.config": "admin-jaas", "ssl.truststore.location": "/w.jks"}
	if !maps.Equal(admin, want) {
		t.Errorf("admin: %v, want %v", admin, want)
	}
	internal := security.InternalProps(worker)
	if internal["security.protocol"] != "SASL_SSL" || internal["sasl.jaas.config"] != "worker-jaas" {
		t.Errorf("internal: %v", internal)
	}
}

func TestOverridePolicies(t *testing.T) {
	connector := map[string]string{"producer.override.sasl.jaas.config": "c", "producer.override.ssl.truststore.location": "/c.jks"}
	for _, c := range []struct {
		value   string
		refused []string
	}{
		{"", nil},
		{"All", nil},
		{"org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy", []string{"producer.override.ssl.truststore.location"}},
		{"None", []string{"producer.override.sasl.jaas.config", "producer.override.ssl.truststore.location"}},
	} {
		p, err := security.ParseOverridePolicy(c.value)
		if err != nil {
			t.Fatal(err)
		}
		_, err = security.TaskProducerProps(worker, connector, p)
		var oe *security.OverrideError
		if len(c.refused) == 0 {
			if err != nil {
				t.Errorf("%q: %v", c.value, err)
			}
			continue
		}
		if !errors.As(err, &oe) || len(oe.Refused) != len(c.refused) {
			t.Fatalf("%q: got %v, want %v refused", c.value, err, c.refused)
		}
		for _, k := range c.refused {
			name := strings.TrimPrefix(k, "producer.override.")
			if want := "The '" + string(p) + "' policy does not allow '" + name + "' to be overridden in the connector configuration."; oe.Refused[k] != want {
				t.Errorf("%q: %s: %q, want %q", c.value, k, oe.Refused[k], want)
			}
		}
	}
	if _, err := security.ParseOverridePolicy("Custom"); err == nil || !strings.Contains(err.Error(), "connector.client.config.override.policy") {
		t.Errorf("unknown policy: %v", err)
	}
}

func TestProducerProtocolWarning(t *testing.T) {
	if w := security.ProducerProtocolWarning(map[string]string{"security.protocol": "SASL_SSL"}); !strings.Contains(w, "producer.security.protocol") {
		t.Errorf("warning %q does not name producer.security.protocol", w)
	}
	for _, w := range []map[string]string{{}, {"security.protocol": "PLAINTEXT"}, {"security.protocol": "SSL", "producer.security.protocol": "SSL"}} {
		if got := security.ProducerProtocolWarning(w); got != "" {
			t.Errorf("%v: unexpected warning %q", w, got)
		}
	}
}
