package tlsconfig_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/tlsconfig"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// handshake runs a TLS handshake between a client with cfg (connecting to
// 127.0.0.1) and a server with srv. It returns the client's error and the
// connection state the server saw.
func handshake(t *testing.T, cfg, srv *tls.Config) (tls.ConnectionState, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	deadline := time.Now().Add(30 * time.Second)
	_ = c.SetDeadline(deadline)
	_ = s.SetDeadline(deadline)
	type result struct {
		st  tls.ConnectionState
		err error
	}
	done := make(chan result, 1)
	go func() {
		ss := tls.Server(s, srv)
		err := ss.Handshake()
		if err != nil {
			s.Close() // unblock the client
		}
		done <- result{ss.ConnectionState(), err}
	}()
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = "127.0.0.1"
	}
	cc := tls.Client(c, cfg)
	err = cc.Handshake()
	if err != nil {
		c.Close()
	}
	r := <-done
	if err == nil && r.err != nil {
		err = r.err
	}
	return r.st, err
}

// fixtureServer is a server presenting the fixtures' broker certificate;
// with mTLS it requires a client certificate signed by the fixtures' CA.
func fixtureServer(t *testing.T, mTLS bool) *tls.Config {
	var cas *x509.CertPool
	if mTLS {
		cas = tlstest.FixtureCA(t)
	}
	return tlstest.ServerConfig(tlstest.FixtureBroker(t), cas)
}

func load(t *testing.T, props map[string]string) *tls.Config {
	t.Helper()
	cfg, err := tlsconfig.Load(props, "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(tlstest.Fixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func trustStores(t *testing.T) map[string]map[string]string {
	return map[string]map[string]string{
		"JKS": {"ssl.truststore.location": tlstest.Fixture("truststore.jks"),
			"ssl.truststore.password": tlstest.TrustStorePassword},
		"JKS type lower case": {"ssl.truststore.type": "jks", "ssl.truststore.location": tlstest.Fixture("truststore.jks"),
			"ssl.truststore.password": tlstest.TrustStorePassword},
		"PKCS12 Java form": {"ssl.truststore.type": "PKCS12", "ssl.truststore.location": tlstest.Fixture("truststore.p12"),
			"ssl.truststore.password": tlstest.TrustStorePassword},
		"PKCS12 openssl form": {"ssl.truststore.type": "PKCS12", "ssl.truststore.location": tlstest.Fixture("truststore-openssl.p12"),
			"ssl.truststore.password": tlstest.TrustStorePassword},
		// Java's JKS type reads PKCS12 files too (keystore.type.compat).
		"PKCS12 file with type JKS": {"ssl.truststore.location": tlstest.Fixture("truststore.p12"),
			"ssl.truststore.password": tlstest.TrustStorePassword},
		"PEM file":   {"ssl.truststore.type": "PEM", "ssl.truststore.location": tlstest.Fixture("ca.pem")},
		"inline PEM": {"ssl.truststore.type": "PEM", "ssl.truststore.certificates": readFixture(t, "ca.pem")},
		// Inline values in a properties file often put the entry on one
		// line; Kafka's PemParser reads them.
		"inline PEM on one line": {"ssl.truststore.type": "PEM",
			"ssl.truststore.certificates": strings.ReplaceAll(readFixture(t, "ca.pem"), "\n", " ")},
	}
}

func TestTrustStores(t *testing.T) {
	untrusted := tlstest.NewCA(t, "Other CA")
	other := tlstest.ServerConfig(untrusted.Issue(t, "broker", "127.0.0.1").TLS, nil)
	for name, props := range trustStores(t) {
		t.Run(name, func(t *testing.T) {
			cfg := load(t, props)
			if _, err := handshake(t, cfg, fixtureServer(t, false)); err != nil {
				t.Fatalf("handshake with the fixture broker: %v", err)
			}
			_, err := handshake(t, cfg, other)
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ua) {
				t.Fatalf("handshake with a broker of another CA: got %v, want x509.UnknownAuthorityError", err)
			}
		})
	}
}

func keyStores(t *testing.T) map[string]map[string]string {
	return map[string]map[string]string{
		"JKS with key password": {"ssl.keystore.location": tlstest.Fixture("client.keystore.jks"),
			"ssl.keystore.password": tlstest.JKSStorePassword, "ssl.key.password": tlstest.JKSKeyPassword},
		"PKCS12 by keytool": {"ssl.keystore.type": "PKCS12", "ssl.keystore.location": tlstest.Fixture("client.keystore.p12"),
			"ssl.keystore.password": tlstest.PKCS12Password},
		"PKCS12 by openssl": {"ssl.keystore.type": "PKCS12", "ssl.keystore.location": tlstest.Fixture("client-openssl.keystore.p12"),
			"ssl.keystore.password": tlstest.OpensslP12Password},
		"PEM file": {"ssl.keystore.type": "PEM", "ssl.keystore.location": tlstest.Fixture("client.pem")},
		"encrypted PEM file": {"ssl.keystore.type": "PEM", "ssl.keystore.location": tlstest.Fixture("client-encrypted.pem"),
			"ssl.key.password": tlstest.EncryptedKeyPassword},
		"inline PEM": {"ssl.keystore.type": "PEM", "ssl.keystore.key": readFixture(t, "client.pem"),
			"ssl.keystore.certificate.chain": readFixture(t, "client.pem")},
		"inline encrypted PEM": {"ssl.keystore.type": "PEM", "ssl.keystore.key": readFixture(t, "client-encrypted.pem"),
			"ssl.keystore.certificate.chain": readFixture(t, "client-encrypted.pem"), "ssl.key.password": tlstest.EncryptedKeyPassword},
	}
}

func TestKeyStores(t *testing.T) {
	for name, props := range keyStores(t) {
		t.Run(name, func(t *testing.T) {
			props["ssl.truststore.type"] = "PEM"
			props["ssl.truststore.location"] = tlstest.Fixture("ca.pem")
			st, err := handshake(t, load(t, props), fixtureServer(t, true))
			if err != nil {
				t.Fatalf("mTLS handshake: %v", err)
			}
			if len(st.PeerCertificates) == 0 || st.PeerCertificates[0].Subject.CommonName != "tributary-client" {
				t.Fatalf("the server saw client certificates %v", st.PeerCertificates)
			}
		})
	}
	t.Run("no key store", func(t *testing.T) {
		_, err := handshake(t, load(t, map[string]string{"ssl.truststore.type": "PEM", "ssl.truststore.location": tlstest.Fixture("ca.pem")}),
			fixtureServer(t, true))
		if err == nil {
			t.Fatal("a broker requiring a client certificate accepted a client without one")
		}
	})
}

func TestEndpointIdentification(t *testing.T) {
	ca := tlstest.NewCA(t, "CA")
	// A certificate for another host name than the one dialled.
	srv := tlstest.ServerConfig(ca.Issue(t, "broker", "broker.example").TLS, nil)
	trust := map[string]string{"ssl.truststore.type": "PEM", "ssl.truststore.certificates": string(ca.PEM)}

	_, err := handshake(t, load(t, trust), srv)
	var he x509.HostnameError
	if !errors.As(err, &he) {
		t.Fatalf("https (the default): got %v, want x509.HostnameError", err)
	}
	trust["ssl.endpoint.identification.algorithm"] = "HTTPS"
	if _, err := handshake(t, load(t, trust), srv); !errors.As(err, &he) {
		t.Fatalf("HTTPS: got %v, want x509.HostnameError", err)
	}
	trust["ssl.endpoint.identification.algorithm"] = ""
	if _, err := handshake(t, load(t, trust), srv); err != nil {
		t.Fatalf("no endpoint identification: %v", err)
	}
	// Without host name checks the chain is still verified.
	other := tlstest.NewCA(t, "Other CA")
	_, err = handshake(t, load(t, trust), tlstest.ServerConfig(other.Issue(t, "broker", "127.0.0.1").TLS, nil))
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		t.Fatalf("no endpoint identification, untrusted chain: got %v, want x509.UnknownAuthorityError", err)
	}
}

func TestProtocols(t *testing.T) {
	base := map[string]string{"ssl.truststore.type": "PEM", "ssl.truststore.location": tlstest.Fixture("ca.pem")}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name    string
		props   map[string]string
		srvMax  uint16
		want    uint16
		wantErr bool
	}{
		{"defaults", with(), 0, tls.VersionTLS13, false},
		{"ssl.protocol TLSv1.2 caps the version", with("ssl.protocol", "TLSv1.2"), 0, tls.VersionTLS12, false},
		{"a TLS 1.2 broker with the defaults", with(), tls.VersionTLS12, tls.VersionTLS12, false},
		{"only TLSv1.3 enabled, TLS 1.2 broker", with("ssl.enabled.protocols", "TLSv1.3"), tls.VersionTLS12, 0, true},
		{"TLS 1.2 cipher suites only", with("ssl.cipher.suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), 0, tls.VersionTLS12, false},
		{"SSL_ prefixed cipher suite name", with("ssl.cipher.suites", "SSL_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), 0, tls.VersionTLS12, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := fixtureServer(t, false)
			srv.MaxVersion = c.srvMax
			st, err := handshake(t, load(t, c.props), srv)
			if c.wantErr {
				if err == nil {
					t.Fatal("handshake succeeded")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Version != c.want {
				t.Fatalf("negotiated %s, want %s", tls.VersionName(st.Version), tls.VersionName(c.want))
			}
		})
	}
}

// Secrets used in the failure cases; none may appear in an error text.
var secrets = []string{"s3cret-store-pass", "s3cret-key-pass", "s3cret-trust-pass"}

func TestFailures(t *testing.T) {
	missing := "/nonexistent/dir/store.jks"
	inlineKey := readFixture(t, "client.pem")
	cases := []struct {
		name     string
		props    map[string]string
		property string // the property the error must name
	}{
		{"unknown trust store type", map[string]string{"ssl.truststore.type": "BCFKS", "ssl.truststore.location": missing}, "ssl.truststore.type"},
		{"unknown key store type", map[string]string{"ssl.keystore.type": "JCEKS"}, "ssl.keystore.type"},
		{"unreadable trust store", map[string]string{"ssl.truststore.location": missing, "ssl.truststore.password": secrets[2]}, "ssl.truststore.location"},
		{"unreadable key store", map[string]string{"ssl.keystore.location": missing, "ssl.keystore.password": secrets[0]}, "ssl.keystore.location"},
		{"unreadable PEM trust store", map[string]string{"ssl.truststore.type": "PEM", "ssl.truststore.location": missing}, "ssl.truststore.location"},
		{"wrong JKS trust store password", map[string]string{"ssl.truststore.location": tlstest.Fixture("truststore.jks"),
			"ssl.truststore.password": secrets[2]}, "ssl.truststore.password"},
		{"JKS trust store without password", map[string]string{"ssl.truststore.location": tlstest.Fixture("truststore.jks")}, "ssl.truststore.password"},
		{"wrong PKCS12 trust store password", map[string]string{"ssl.truststore.location": tlstest.Fixture("truststore.p12"),
			"ssl.truststore.password": secrets[2]}, "ssl.truststore.password"},
		{"wrong openssl PKCS12 trust store password", map[string]string{"ssl.truststore.location": tlstest.Fixture("truststore-openssl.p12"),
			"ssl.truststore.password": secrets[2]}, "ssl.truststore.password"},
		{"wrong JKS store password", map[string]string{"ssl.keystore.location": tlstest.Fixture("client.keystore.jks"),
			"ssl.keystore.password": secrets[0], "ssl.key.password": tlstest.JKSKeyPassword}, "ssl.keystore.password"},
		{"wrong JKS key password", map[string]string{"ssl.keystore.location": tlstest.Fixture("client.keystore.jks"),
			"ssl.keystore.password": tlstest.JKSStorePassword, "ssl.key.password": secrets[1]}, "ssl.key.password"},
		{"JKS key password differs, none given", map[string]string{"ssl.keystore.location": tlstest.Fixture("client.keystore.jks"),
			"ssl.keystore.password": tlstest.JKSStorePassword}, "ssl.keystore.password"},
		{"wrong PKCS12 key store password", map[string]string{"ssl.keystore.location": tlstest.Fixture("client.keystore.p12"),
			"ssl.keystore.password": secrets[0]}, "ssl.keystore.password"},
		{"PKCS12 key password differs from the store's", map[string]string{"ssl.keystore.location": tlstest.Fixture("client.keystore.p12"),
			"ssl.keystore.password": tlstest.PKCS12Password, "ssl.key.password": secrets[1]}, "ssl.key.password"},
		{"key store without password", map[string]string{"ssl.keystore.location": tlstest.Fixture("client.keystore.p12")}, "ssl.keystore.password"},
		{"key store password without key store", map[string]string{"ssl.keystore.password": secrets[0]}, "ssl.keystore.password"},
		{"trust store password without trust store", map[string]string{"ssl.truststore.password": secrets[2]}, "ssl.truststore.password"},
		{"PEM file given as JKS", map[string]string{"ssl.truststore.location": tlstest.Fixture("ca.pem"),
			"ssl.truststore.password": secrets[2]}, "ssl.truststore.type"},
		{"PEM trust store with password", map[string]string{"ssl.truststore.type": "PEM", "ssl.truststore.location": tlstest.Fixture("ca.pem"),
			"ssl.truststore.password": secrets[2]}, "ssl.truststore.password"},
		{"inline trust certificates with type JKS", map[string]string{"ssl.truststore.certificates": readFixture(t, "ca.pem")}, "ssl.truststore.certificates"},
		{"inline trust certificates that are not PEM", map[string]string{"ssl.truststore.type": "PEM",
			"ssl.truststore.certificates": secrets[2]}, "ssl.truststore.certificates"},
		{"inline key without chain", map[string]string{"ssl.keystore.type": "PEM", "ssl.keystore.key": inlineKey}, "ssl.keystore.certificate.chain"},
		{"inline chain without key", map[string]string{"ssl.keystore.type": "PEM", "ssl.keystore.certificate.chain": inlineKey}, "ssl.keystore.certificate.chain"},
		{"inline key with type JKS", map[string]string{"ssl.keystore.key": inlineKey, "ssl.keystore.certificate.chain": inlineKey}, "ssl.keystore.key"},
		{"inline key with a key store password", map[string]string{"ssl.keystore.type": "PEM", "ssl.keystore.key": inlineKey,
			"ssl.keystore.certificate.chain": inlineKey, "ssl.keystore.password": secrets[0]}, "ssl.keystore.password"},
		{"encrypted PEM key, wrong key password", map[string]string{"ssl.keystore.type": "PEM",
			"ssl.keystore.location": tlstest.Fixture("client-encrypted.pem"), "ssl.key.password": secrets[1]}, "ssl.keystore.location"},
		{"encrypted PEM key without key password", map[string]string{"ssl.keystore.type": "PEM",
			"ssl.keystore.location": tlstest.Fixture("client-encrypted.pem")}, "ssl.keystore.location"},
		{"inline encrypted key, wrong key password", map[string]string{"ssl.keystore.type": "PEM",
			"ssl.keystore.key": readFixture(t, "client-encrypted.pem"), "ssl.keystore.certificate.chain": inlineKey,
			"ssl.key.password": secrets[1]}, "ssl.keystore.key"},
		{"key not matching its certificate", map[string]string{"ssl.keystore.type": "PEM",
			"ssl.keystore.key": inlineKey, "ssl.keystore.certificate.chain": readFixture(t, "broker.pem")}, "ssl.keystore.key"},
		{"SSL provider", map[string]string{"ssl.provider": "BCJSSE"}, "ssl.provider"},
		{"engine factory", map[string]string{"ssl.engine.factory.class": "com.example.Factory"}, "ssl.engine.factory.class"},
		{"key manager algorithm", map[string]string{"ssl.keymanager.algorithm": "Custom"}, "ssl.keymanager.algorithm"},
		{"trust manager algorithm", map[string]string{"ssl.trustmanager.algorithm": "Custom"}, "ssl.trustmanager.algorithm"},
		{"secure random", map[string]string{"ssl.secure.random.implementation": "Custom"}, "ssl.secure.random.implementation"},
		{"SSLv3", map[string]string{"ssl.protocol": "SSLv3"}, "ssl.protocol"},
		{"unknown enabled protocol", map[string]string{"ssl.enabled.protocols": "TLSv1.2,SSLv3"}, "ssl.enabled.protocols"},
		{"enabled protocols above ssl.protocol", map[string]string{"ssl.protocol": "TLSv1.2", "ssl.enabled.protocols": "TLSv1.3"}, "ssl.enabled.protocols"},
		{"unknown cipher suite", map[string]string{"ssl.cipher.suites": "TLS_NO_SUCH_SUITE"}, "ssl.cipher.suites"},
		{"LDAPS endpoint identification", map[string]string{"ssl.endpoint.identification.algorithm": "LDAPS"}, "ssl.endpoint.identification.algorithm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tlsconfig.Load(c.props, "")
			if err == nil {
				t.Fatal("Load succeeded")
			}
			var ce *tlsconfig.ConfigError
			if !errors.As(err, &ce) || ce.Name != c.property {
				t.Fatalf("got %v, want a ConfigError naming %s", err, c.property)
			}
			msg := err.Error()
			for _, s := range append(secrets, "PRIVATE KEY", "MII") {
				if strings.Contains(msg, s) {
					t.Fatalf("the error shows a secret (%q): %s", s, msg)
				}
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	props := map[string]string{
		"schema.registry.ssl.truststore.type":     "PEM",
		"schema.registry.ssl.truststore.location": tlstest.Fixture("ca.pem"),
		// Unprefixed settings belong to another client.
		"ssl.truststore.location": "/nonexistent",
	}
	cfg, err := tlsconfig.Load(props, "schema.registry.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handshake(t, cfg, fixtureServer(t, false)); err != nil {
		t.Fatal(err)
	}
	props["schema.registry.ssl.truststore.location"] = "/nonexistent"
	_, err = tlsconfig.Load(props, "schema.registry.")
	var ce *tlsconfig.ConfigError
	if !errors.As(err, &ce) || ce.Name != "schema.registry.ssl.truststore.location" {
		t.Fatalf("got %v, want an error naming schema.registry.ssl.truststore.location", err)
	}
}

func TestAcceptedJDKNames(t *testing.T) {
	props := map[string]string{
		"ssl.keymanager.algorithm":         "SunX509",
		"ssl.trustmanager.algorithm":       "PKIX",
		"ssl.secure.random.implementation": "SHA1PRNG",
		"ssl.engine.factory.class":         tlsconfig.DefaultEngineFactoryClass,
		"ssl.protocol":                     "TLS",
		"ssl.enabled.protocols":            "TLSv1.2, TLSv1.3",
	}
	cfg := load(t, props)
	if cfg.MinVersion != tls.VersionTLS12 || cfg.MaxVersion != tls.VersionTLS13 {
		t.Fatalf("versions %x..%x", cfg.MinVersion, cfg.MaxVersion)
	}
	if cfg.RootCAs != nil || len(cfg.Certificates) != 0 {
		t.Fatal("without stores the system roots are used and no client certificate is sent")
	}
}

// LoadServer presents the key store, maps ssl.client.auth to Go's client
// authentication and, without a trust store, trusts the key store's
// certificates (Jetty's SslContextFactory); LoadHTTPSClient does the same
// for the server it reaches, presenting its key store.
func TestLoadServerAndHTTPSClient(t *testing.T) {
	// One self-signed key pair, as workers sharing a key store have.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "worker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	store := tlstest.WriteFile(t, "worker.pem", append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...))
	props := map[string]string{"listeners.https.ssl.keystore.type": "PEM", "listeners.https.ssl.keystore.location": store}
	for auth, want := range map[string]tls.ClientAuthType{
		"": tls.NoClientCert, "none": tls.NoClientCert, "requested": tls.VerifyClientCertIfGiven, "required": tls.RequireAndVerifyClientCert,
	} {
		props["listeners.https.ssl.client.auth"] = auth
		srv, err := tlsconfig.LoadServer(props, "listeners.https.")
		if err != nil || srv.ClientAuth != want || len(srv.Certificates) != 1 {
			t.Fatalf("ssl.client.auth=%q: %v, %v", auth, srv, err)
		}
	}
	// Workers sharing the key store, no trust store: each trusts the other,
	// and refuses anyone else.
	props["listeners.https.ssl.client.auth"] = "required"
	srv, err := tlsconfig.LoadServer(props, "listeners.https.")
	if err != nil {
		t.Fatal(err)
	}
	client, err := tlsconfig.LoadHTTPSClient(props, "listeners.https.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := handshake(t, client, srv); err != nil {
		t.Fatalf("handshake between two holders of the key store: %v", err)
	}
	// A client of another CA is refused.
	other := tlstest.NewCA(t, "other").Issue(t, "intruder", "127.0.0.1")
	if _, err := handshake(t, &tls.Config{RootCAs: client.RootCAs, Certificates: []tls.Certificate{other.TLS}}, srv); err == nil {
		t.Error("a client certificate of another CA was accepted")
	}

	for _, c := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, "Invalid value  for configuration ssl.keystore.location: an https listener needs a key store"},
		{map[string]string{"x.ssl.keystore.type": "PEM", "x.ssl.keystore.location": store, "x.ssl.client.auth": "REQUIRED"},
			"Invalid value REQUIRED for configuration x.ssl.client.auth: String must be one of: required, requested, none"},
	} {
		prefix := ""
		if len(c.props) > 0 {
			prefix = "x."
		}
		if _, err := tlsconfig.LoadServer(c.props, prefix); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadServer(%v) = %v, want %q", c.props, err, c.want)
		}
	}
}
