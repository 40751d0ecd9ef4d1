package converters

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connect/schemaregistry"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/tlsconfig"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// embeddedRegistry is Tributary's own schema registry on a kfake broker of
// the test's own: the broker's lifetime is the test's.
func embeddedRegistry(t *testing.T) http.Handler {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	r, err := schemaregistry.Open(ctx, schemaregistry.Config{Brokers: kafkatest.NewCluster(t), ClientID: "converters-security-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r.Handler()
}

// secureRegistry serves the registry over TLS with cert, requiring the
// Authorization header want (and the extra headers); with clientCAs it
// requires a client certificate they signed.
func secureRegistry(t *testing.T, cert tls.Certificate, clientCAs *x509.CertPool, want string, headers map[string]string) string {
	t.Helper()
	inner := embeddedRegistry(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok := r.Header.Get("Authorization") == want
		for k, v := range headers {
			ok = ok && r.Header.Get(k) == v
		}
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error_code":401,"message":"Unauthorized"}`))
			return
		}
		inner.ServeHTTP(w, r)
	}))
	srv.TLS = tlstest.ServerConfig(cert, clientCAs)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func basic(userInfo string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userInfo))
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(tlstest.Fixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// register builds an AvroConverter from props and converts a value, which
// registers its schema over the secured connection.
func register(t *testing.T, props map[string]string) error {
	t.Helper()
	c, err := (&Factory{}).New(AvroClass, props, false)
	if err != nil {
		return err
	}
	out, err := c.FromConnect("orders", schema.StringSchema, "hello")
	if err != nil {
		return err
	}
	if len(out) < 5 || out[0] != 0 {
		t.Fatalf("not Confluent-framed Avro: %x", out)
	}
	return nil
}

func TestSecuredRegistry(t *testing.T) {
	broker := tlstest.FixtureBroker(t)
	jks := map[string]string{
		"schema.registry.ssl.truststore.location": tlstest.Fixture("truststore.jks"),
		"schema.registry.ssl.truststore.password": tlstest.TrustStorePassword,
	}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	t.Run("JKS trust store, USER_INFO through the schema.registry. alias", func(t *testing.T) {
		url := secureRegistry(t, broker, nil, basic("sr-user:sr-pass"), nil)
		if err := register(t, with(jks, "schema.registry.url", url, "basic.auth.credentials.source", "USER_INFO",
			"schema.registry.basic.auth.user.info", "sr-user:sr-pass",
			// The alias wins over basic.auth.user.info, as in Confluent's client.
			"basic.auth.user.info", "other:other")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("PKCS12 trust store, basic.auth.user.info", func(t *testing.T) {
		url := secureRegistry(t, broker, nil, basic("sr-user:sr-pass"), nil)
		if err := register(t, map[string]string{"schema.registry.url": url,
			"schema.registry.ssl.truststore.type": "PKCS12", "schema.registry.ssl.truststore.location": tlstest.Fixture("truststore.p12"),
			"schema.registry.ssl.truststore.password": tlstest.TrustStorePassword,
			"basic.auth.credentials.source":           "USER_INFO", "basic.auth.user.info": "sr-user:sr-pass"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("inline PEM trust, static bearer token", func(t *testing.T) {
		url := secureRegistry(t, broker, nil, "Bearer sr-token", map[string]string{"target-sr-cluster": "lsrc-1", "Confluent-Identity-Pool-Id": "pool-1"})
		if err := register(t, map[string]string{"schema.registry.url": url,
			"schema.registry.ssl.truststore.type": "PEM", "schema.registry.ssl.truststore.certificates": fixture(t, "ca.pem"),
			"bearer.auth.credentials.source": "STATIC_TOKEN", "bearer.auth.token": "sr-token",
			"bearer.auth.logical.cluster": "lsrc-1", "bearer.auth.identity.pool.id": "pool-1"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("credentials in the URL", func(t *testing.T) {
		url := secureRegistry(t, broker, nil, basic("url-user:url-pass"), nil)
		if err := register(t, with(jks, "schema.registry.url", strings.Replace(url, "https://", "https://url-user:url-pass@", 1),
			"basic.auth.credentials.source", "URL")); err != nil {
			t.Fatal(err)
		}
	})
	for name, ks := range map[string]map[string]string{
		"PKCS12": {"schema.registry.ssl.keystore.type": "PKCS12", "schema.registry.ssl.keystore.location": tlstest.Fixture("client.keystore.p12"),
			"schema.registry.ssl.keystore.password": tlstest.PKCS12Password},
		"JKS": {"schema.registry.ssl.keystore.location": tlstest.Fixture("client.keystore.jks"),
			"schema.registry.ssl.keystore.password": tlstest.JKSStorePassword, "schema.registry.ssl.key.password": tlstest.JKSKeyPassword},
		"inline PEM": {"schema.registry.ssl.keystore.type": "PEM", "schema.registry.ssl.keystore.key": fixture(t, "client.pem"),
			"schema.registry.ssl.keystore.certificate.chain": fixture(t, "client.pem")},
	} {
		t.Run("client certificate from a "+name+" key store", func(t *testing.T) {
			url := secureRegistry(t, broker, tlstest.FixtureCA(t), basic("u:p"), nil)
			props := with(jks, "schema.registry.url", url, "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "u:p")
			for k, v := range ks {
				props[k] = v
			}
			if err := register(t, props); err != nil {
				t.Fatal(err)
			}
			delete(props, "schema.registry.ssl.keystore.location")
			delete(props, "schema.registry.ssl.keystore.key")
			if err := register(t, props); err == nil {
				t.Fatal("the registry accepted a client without a certificate")
			}
		})
	}
}

func TestSecuredRegistryHostName(t *testing.T) {
	ca := tlstest.NewCA(t, "Registry CA")
	url := secureRegistry(t, ca.Issue(t, "registry", "registry.example").TLS, nil, basic("u:p"), nil)
	props := map[string]string{"schema.registry.url": url, "schema.registry.ssl.truststore.type": "PEM",
		"schema.registry.ssl.truststore.certificates": string(ca.PEM),
		"basic.auth.credentials.source":               "USER_INFO", "basic.auth.user.info": "u:p"}
	// Confluent's client checks the host name only when
	// schema.registry.ssl.endpoint.identification.algorithm asks for it.
	if err := register(t, props); err != nil {
		t.Fatalf("no endpoint identification set: %v", err)
	}
	props["schema.registry.ssl.endpoint.identification.algorithm"] = "https"
	err := register(t, props)
	var he x509.HostnameError
	if !errors.As(err, &he) {
		t.Fatalf("https: got %v, want a host name error", err)
	}
}

func TestSecuredRegistryFailures(t *testing.T) {
	broker := tlstest.FixtureBroker(t)
	url := secureRegistry(t, broker, nil, basic("sr-user:right-pass"), nil)
	trust := map[string]string{"schema.registry.ssl.truststore.type": "PEM", "schema.registry.ssl.truststore.location": tlstest.Fixture("ca.pem")}
	cases := []struct {
		name  string
		props map[string]string
		want  string // in the error
	}{
		{"private CA not trusted", map[string]string{"schema.registry.url": url, "basic.auth.credentials.source": "USER_INFO",
			"basic.auth.user.info": "sr-user:right-pass"}, "certificate signed by unknown authority"},
		{"wrong password", map[string]string{"schema.registry.url": url, "basic.auth.credentials.source": "USER_INFO",
			"basic.auth.user.info": "sr-user:wrong-pass"}, "Unauthorized"},
		{"wrong password in the URL", map[string]string{"schema.registry.url": strings.Replace(url, "https://", "https://sr-user:wrong-pass@", 1)}, "Unauthorized"},
		{"unreadable trust store", map[string]string{"schema.registry.url": url, "schema.registry.ssl.truststore.location": "/nonexistent/ts.jks",
			"schema.registry.ssl.truststore.password": "ts-secret"}, "schema.registry.ssl.truststore.location"},
		{"wrong trust store password", map[string]string{"schema.registry.url": url, "schema.registry.ssl.truststore.location": tlstest.Fixture("truststore.jks"),
			"schema.registry.ssl.truststore.password": "ts-secret"}, "schema.registry.ssl.truststore.password"},
		{"USER_INFO without user info", map[string]string{"schema.registry.url": url, "basic.auth.credentials.source": "USER_INFO"}, "basic.auth.user.info"},
		{"basic and bearer", map[string]string{"schema.registry.url": url, "basic.auth.credentials.source": "USER_INFO",
			"basic.auth.user.info": "sr-user:right-pass", "bearer.auth.credentials.source": "STATIC_TOKEN", "bearer.auth.token": "tok-secret"}, "Only one of"},
		{"SASL_INHERIT", map[string]string{"schema.registry.url": url, "basic.auth.credentials.source": "SASL_INHERIT"}, "basic.auth.credentials.source"},
		{"OAuth bearer", map[string]string{"schema.registry.url": url, "bearer.auth.credentials.source": "OAUTHBEARER"}, "bearer.auth.credentials.source"},
		{"static token missing", map[string]string{"schema.registry.url": url, "bearer.auth.credentials.source": "STATIC_TOKEN"}, "bearer.auth.token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			props := c.props
			if strings.Contains(c.name, "password") {
				for k, v := range trust {
					if _, ok := props[k]; !ok && !strings.Contains(c.name, "trust store") {
						props[k] = v
					}
				}
			}
			err := register(t, props)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
			for _, secret := range []string{"right-pass", "wrong-pass", "ts-secret", "tok-secret"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("the error shows a secret: %v", err)
				}
			}
			var ce *tlsconfig.ConfigError
			if strings.HasPrefix(c.want, "schema.registry.ssl.") && (!errors.As(err, &ce) || ce.Name != c.want) {
				t.Fatalf("got %v, want a ConfigError naming %s", err, c.want)
			}
		})
	}
}

// An AvroConverter that falls back on the embedded registry uses the
// embedded registry's credentials; one with credentials or a registry URL
// of its own keeps them.
func TestEmbeddedRegistryCredentials(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	reg, err := schemaregistry.Open(ctx, schemaregistry.Config{Brokers: kafkatest.NewCluster(t), ClientID: "test",
		WriteUser: "worker", WritePassword: "registry-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	url, err := reg.Listen("http://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	convert := func(f *Factory, props map[string]string) error {
		c, err := f.New(AvroClass, props, false)
		if err != nil {
			return err
		}
		_, err = c.FromConnect("orders", schema.StringSchema, "hello")
		return err
	}
	if err := convert(&Factory{EmbeddedRegistryURL: url, EmbeddedRegistryUserInfo: "worker:registry-secret"}, map[string]string{}); err != nil {
		t.Errorf("the embedded registry's credentials: %v", err)
	}
	if err := convert(&Factory{EmbeddedRegistryURL: url}, map[string]string{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("no credentials: %v, want a 401", err)
	}
	// A registry URL given by the connector is not sent the embedded
	// registry's credentials.
	if err := convert(&Factory{EmbeddedRegistryURL: url, EmbeddedRegistryUserInfo: "worker:registry-secret"},
		map[string]string{"schema.registry.url": url}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a connector's own registry URL: %v, want a 401", err)
	}
	if err := convert(&Factory{EmbeddedRegistryURL: url, EmbeddedRegistryUserInfo: "worker:registry-secret"},
		map[string]string{"basic.auth.credentials.source": "USER_INFO", "basic.auth.user.info": "worker:wrong"}); err == nil {
		t.Error("the connector's own credentials were replaced by the embedded registry's")
	}
}
