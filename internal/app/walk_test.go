package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/tlsconfig"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// Every client security name of Kafka 3.9, under every prefix a worker or
// connector may give it, reaches the client Kafka Connect gives it to or is
// refused or warned about by name: none is dropped in silence. (Each
// name's own handling — honoured, refused, without effect — is
// security.TestEveryPropertyIsHandled.)
func TestEverySecurityNameReachesItsClient(t *testing.T) {
	const v = "walked-value"
	for _, name := range security.Names {
		// Top level: the internal clients and the admin client, never a
		// task producer (Worker.baseProducerConfigs).
		top := map[string]string{name: v}
		if got := security.InternalProps(top)[name]; got != v {
			t.Errorf("%s: internal clients get %q", name, got)
		}
		admin, err := security.AdminProps(top, nil, security.PolicyAll)
		if err != nil || admin[name] != v {
			t.Errorf("%s: admin client gets %q, %v", name, admin[name], err)
		}
		producer, err := security.TaskProducerProps(top, nil, security.PolicyAll)
		if err != nil || producer[name] != "" {
			t.Errorf("%s: a task producer gets the top-level value %q, %v", name, producer[name], err)
		}

		// producer.* and admin.*: their clients, over the top level.
		worker := map[string]string{name: "top", security.ProducerPrefix + name: v, security.AdminPrefix + name: v}
		if producer, err := security.TaskProducerProps(worker, nil, security.PolicyAll); err != nil || producer[name] != v {
			t.Errorf("producer.%s: task producer gets %q, %v", name, producer[name], err)
		}
		if admin, err := security.AdminProps(worker, nil, security.PolicyAll); err != nil || admin[name] != v {
			t.Errorf("admin.%s: admin client gets %q, %v", name, admin[name], err)
		}

		// consumer.*: sink tasks' consumers, which Tributary does not run.
		warned := false
		for _, w := range workerconfig.WithoutEffect(map[string]string{security.ConsumerPrefix + name: v}) {
			warned = warned || w[0] == security.ConsumerPrefix+name
		}
		if !warned {
			t.Errorf("consumer.%s: not warned about", name)
		}

		// producer.override.*: allowed by All, refused by None naming the
		// property, allowed by Principal for the three principal settings.
		connector := map[string]string{security.ProducerOverridePrefix + name: v}
		if producer, err := security.TaskProducerProps(nil, connector, security.PolicyAll); err != nil || producer[name] != v {
			t.Errorf("producer.override.%s under All: task producer gets %q, %v", name, producer[name], err)
		}
		_, err = security.TaskProducerProps(nil, connector, security.PolicyNone)
		var oe *security.OverrideError
		if !errors.As(err, &oe) || oe.Refused[security.ProducerOverridePrefix+name] == "" {
			t.Errorf("producer.override.%s under None: %v, want a refusal naming it", name, err)
		}
		_, err = security.TaskProducerProps(nil, connector, security.PolicyPrincipal)
		principal := name == "sasl.jaas.config" || name == "sasl.mechanism" || name == "security.protocol"
		if principal != (err == nil) {
			t.Errorf("producer.override.%s under Principal: %v", name, err)
		}
	}
}

// connector.client.config.override.policy takes Kafka's aliases and class
// names and refuses anything else, naming itself.
func TestOverridePolicyValues(t *testing.T) {
	for v, want := range map[string]security.OverridePolicy{
		"": security.PolicyAll, "All": security.PolicyAll, "None": security.PolicyNone, "Principal": security.PolicyPrincipal,
		"org.apache.kafka.connect.connector.policy.NoneConnectorClientConfigOverridePolicy": security.PolicyNone,
	} {
		if got, err := security.ParseOverridePolicy(v); err != nil || got != want {
			t.Errorf("ParseOverridePolicy(%q) = %v, %v; want %v", v, got, err, want)
		}
	}
	if _, err := security.ParseOverridePolicy("Everything"); err == nil || !strings.Contains(err.Error(), "connector.client.config.override.policy") {
		t.Errorf("ParseOverridePolicy(Everything) = %v, want an error naming the property", err)
	}
}

// Every ssl.* name under the converters' schema.registry. prefix is read by
// the registry client: an unusable value is refused naming the property.
func TestEveryRegistrySSLNameIsRead(t *testing.T) {
	base := func(extra ...string) map[string]string {
		m := map[string]string{"schema.registry.url": "https://registry.example:8081"}
		for i := 0; i < len(extra); i += 2 {
			m["schema.registry."+extra[i]] = extra[i+1]
		}
		return m
	}
	// ssl.key.password only means something with a key store: walk it with
	// one whose key it does not open.
	withKeyStore := []string{"ssl.keystore.location", tlstest.Fixture("client.keystore.jks"),
		"ssl.keystore.password", tlstest.JKSStorePassword}
	for _, name := range tlsconfig.Names {
		props := base(name, "bogus")
		if name == "ssl.key.password" {
			props = base(append(withKeyStore, name, "bogus")...)
		}
		_, err := avro.ParseRegistryOptions(props, "")
		if err == nil {
			t.Errorf("schema.registry.%s=bogus accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), "schema.registry.ssl.") {
			t.Errorf("schema.registry.%s=bogus: %v, want an error naming a schema.registry.ssl.* property", name, err)
		}
		if strings.Contains(err.Error(), tlstest.JKSStorePassword) {
			t.Errorf("schema.registry.%s: the error shows a password: %v", name, err)
		}
	}
}
