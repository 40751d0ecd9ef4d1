package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/schema/converters"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

var propertiesBlock = regexp.MustCompile("(?s)\n### ([^\n]+)\n.*?```properties\n(.*?)```")

// securityExamples are the worker.properties examples of README's
// "Security" section, by heading.
func securityExamples(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	start := strings.Index(s, "\n## Security\n")
	if start < 0 {
		t.Fatal("README.md has no Security section")
	}
	s = s[start+1:]
	if end := strings.Index(s, "\n## "); end >= 0 {
		s = s[:end]
	}
	out := map[string]string{}
	for _, m := range propertiesBlock.FindAllStringSubmatch(s, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// Each worker.properties example of README's Security section loads: the
// worker properties are all known and valid, and every client's security
// (internal, admin, task producer) and the converters' registry settings
// parse. The examples' paths and passwords are swapped for the test
// fixtures'; nothing connects.
func TestSecurityExamplesLoad(t *testing.T) {
	// MSK IAM's signer reads the AWS chain; keep it off the network.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))

	examples := securityExamples(t)
	for _, want := range []string{"Amazon MSK, SASL/SCRAM", "Amazon MSK, IAM", "Confluent Cloud, SASL_SSL PLAIN with Schema Registry",
		"Aiven, mutual TLS", "Strimzi, TLS with SCRAM-SHA-512"} {
		if _, ok := examples[want]; !ok {
			t.Errorf("no example %q (found %d)", want, len(examples))
		}
	}
	fixtures := strings.NewReplacer(
		"/etc/tributary/client.truststore.jks", tlstest.Fixture("truststore.jks"),
		"=truststore-password", "="+tlstest.TrustStorePassword,
		"/etc/tributary/client.keystore.p12", tlstest.Fixture("client.keystore.p12"),
		"=keystore-password", "="+tlstest.PKCS12Password,
		"/etc/tributary/ca.crt", tlstest.Fixture("ca.pem"),
	)
	for name, text := range examples {
		t.Run(name, func(t *testing.T) {
			text = fixtures.Replace(text)
			if strings.Contains(text, "/etc/tributary/") {
				t.Fatalf("a path without a fixture:\n%s", text)
			}
			path := filepath.Join(t.TempDir(), "worker.properties")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, unknown, err := workerconfig.Load(path, nil)
			if err != nil || len(unknown) > 0 {
				t.Fatalf("Load: %v, unknown %v", err, unknown)
			}
			if len(cfg.BootstrapServers) == 0 {
				t.Fatal("no bootstrap.servers")
			}
			opts := security.Options{Bootstrap: cfg.BootstrapServers}
			policy, err := security.ParseOverridePolicy(cfg.Props[security.OverridePolicyConfig])
			if err != nil {
				t.Fatal(err)
			}
			internal, err := security.Parse(security.InternalProps(cfg.Props), opts)
			if err != nil {
				t.Fatalf("internal clients: %v", err)
			}
			adminProps, err := security.AdminProps(cfg.Props, nil, policy)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := security.Parse(adminProps, opts); err != nil {
				t.Fatalf("admin client: %v", err)
			}
			producer, errs := kafkaclient.ProducerSecurity(cfg.Props, nil, policy, opts)
			if len(errs) > 0 {
				t.Fatalf("task producers: %v", errs)
			}
			if internal.Protocol == security.Plaintext || producer.Protocol != internal.Protocol || producer.Mechanism != internal.Mechanism {
				t.Fatalf("internal clients %s, task producers %s: the example must secure both alike", internal.Describe(), producer.Describe())
			}
			for _, c := range []struct {
				class string
				props map[string]string
			}{{cfg.KeyConverter, cfg.KeyConverterProps}, {cfg.ValueConverter, cfg.ValueConverterProps}} {
				if c.class != converters.AvroClass {
					continue
				}
				o, err := avro.ParseRegistryOptions(c.props, "")
				if err != nil {
					t.Fatalf("converter: %v", err)
				}
				if len(o.URLs) == 0 || o.UserInfo == "" {
					t.Fatalf("converter registry options %+v: want a URL and basic auth", o)
				}
			}
		})
	}
}
