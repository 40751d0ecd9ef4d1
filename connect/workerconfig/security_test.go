package workerconfig_test

import (
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
)

// The worker's client security settings are declared (so the README lists
// them), given to the clients as set, with no default written in; an ssl.*
// or sasl.* name Kafka does not define is unknown.
func TestSecuritySettingsAreDeclared(t *testing.T) {
	for _, n := range append([]string{security.OverridePolicyConfig}, security.Names...) {
		if _, ok := workerconfig.Def.Key(n); !ok {
			t.Errorf("%s is not declared", n)
		}
	}
	cfg, unknown, err := workerconfig.Load(writeFile(t, "security.protocol=SSL\nssl.truststore.location=/t.jks\nssl.not.a.setting=1\nsasl.nope=2\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sasl.nope", "ssl.not.a.setting"}; strings.Join(unknown, ",") != strings.Join(want, ",") {
		t.Errorf("unknown = %v, want %v", unknown, want)
	}
	for _, n := range []string{"sasl.mechanism", "ssl.keystore.type", "ssl.endpoint.identification.algorithm", "sasl.kerberos.kinit.cmd"} {
		if v, ok := cfg.Props[n]; ok {
			t.Errorf("%s=%q written into the properties", n, v)
		}
	}
	if cfg.Props[security.OverridePolicyConfig] != "All" {
		t.Errorf("%s = %q, want All", security.OverridePolicyConfig, cfg.Props[security.OverridePolicyConfig])
	}
	_, _, err = workerconfig.Load("", []string{"CONNECT_CONNECTOR_CLIENT_CONFIG_OVERRIDE_POLICY=Custom"})
	if err == nil || !strings.Contains(err.Error(), "connector.client.config.override.policy") {
		t.Errorf("unknown policy: %v", err)
	}
	_, _, err = workerconfig.Load("", []string{"CONNECT_SASL_LOGIN_REFRESH_WINDOW_FACTOR=often"})
	if err == nil || !strings.Contains(err.Error(), "Invalid value often for configuration sasl.login.refresh.window.factor") {
		t.Errorf("bad double: %v", err)
	}
}
