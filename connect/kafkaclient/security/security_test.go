package security_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/tlsconfig"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

const topic = "secured"

// tlsBroker starts a kfake broker serving TLS with the fixtures' broker
// certificate (for 127.0.0.1, signed by the fixtures' CA); with mTLS it
// requires a client certificate signed by that CA.
func tlsBroker(t *testing.T, mTLS bool, opts ...kfake.Opt) []string {
	t.Helper()
	var cas = tlstest.FixtureCA(t)
	if !mTLS {
		cas = nil
	}
	opts = append(opts, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), cas)), kfake.SeedTopics(1, topic))
	return kafkatest.StartCluster(t, opts...).ListenAddrs()
}

// clientConfig parses props and applies them to Tributary's client
// configuration.
func clientConfig(t *testing.T, props map[string]string, brokers []string) (*sarama.Config, *security.Config) {
	t.Helper()
	sec, err := security.Parse(props, security.Options{Bootstrap: brokers})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	cfg := kafkaclient.NewConfig("security-test")
	cfg.Net.DialTimeout, cfg.Net.ReadTimeout, cfg.Net.WriteTimeout = 10*time.Second, 10*time.Second, 10*time.Second
	cfg.Metadata.Retry.Max = 1
	sec.Apply(cfg)
	return cfg, sec
}

// roundTrip checks the broker, then produces a record and reads it back
// over the configured security.
func roundTrip(t *testing.T, props map[string]string, brokers []string) {
	t.Helper()
	cfg, sec := clientConfig(t, props, brokers)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := security.Check(ctx, cfg, sec, brokers); err != nil {
		t.Fatalf("Check: %v", err)
	}
	client, err := sarama.NewClient(brokers, cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer client.Close()
	producer, err := sarama.NewSyncProducerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	value := fmt.Sprintf("value-%d", time.Now().UnixNano())
	if _, _, err := producer.SendMessage(&sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(value)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case m := <-pc.Messages():
			if string(m.Value) == value {
				return
			}
		case err := <-pc.Errors():
			t.Fatalf("consuming: %v", err)
		case <-timeout.C:
			t.Fatal("the produced record was not read back")
		}
	}
}

func jaas(module, user, pass string) string {
	return fmt.Sprintf(`%s required username="%s" password="%s";`, module, user, pass)
}

func trustJKS() map[string]string {
	return map[string]string{
		"ssl.truststore.location": tlstest.Fixture("truststore.jks"),
		"ssl.truststore.password": tlstest.TrustStorePassword,
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestTLSWithSCRAM(t *testing.T) {
	for _, mech := range []string{security.MechanismScramSHA512, security.MechanismScramSHA256} {
		t.Run(mech, func(t *testing.T) {
			brokers := tlsBroker(t, false, kfake.EnableSASL(), kfake.Superuser(mech, "tributary", "scram-secret"))
			roundTrip(t, with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", mech,
				"sasl.jaas.config", jaas(security.ScramLoginModule, "tributary", "scram-secret")), brokers)
		})
	}
}

func TestPlain(t *testing.T) {
	t.Run("SASL_SSL", func(t *testing.T) {
		brokers := tlsBroker(t, false, kfake.EnableSASL(), kfake.Superuser("PLAIN", "tributary", "plain-secret"))
		roundTrip(t, with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
			"sasl.jaas.config", jaas(security.PlainLoginModule, "tributary", "plain-secret")), brokers)
	})
	t.Run("SASL_PLAINTEXT", func(t *testing.T) {
		brokers := kafkatest.StartCluster(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "tributary", "plain-secret"),
			kfake.SeedTopics(1, topic)).ListenAddrs()
		roundTrip(t, map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
			"sasl.jaas.config": jaas(security.PlainLoginModule, "tributary", "plain-secret")}, brokers)
	})
}

func TestMutualTLS(t *testing.T) {
	brokers := tlsBroker(t, true)
	stores := map[string]map[string]string{
		"JKS key store": {"ssl.keystore.location": tlstest.Fixture("client.keystore.jks"),
			"ssl.keystore.password": tlstest.JKSStorePassword, "ssl.key.password": tlstest.JKSKeyPassword},
		"PKCS12 key store": {"ssl.keystore.type": "PKCS12", "ssl.keystore.location": tlstest.Fixture("client.keystore.p12"),
			"ssl.keystore.password": tlstest.PKCS12Password},
		"PEM key store": {"ssl.keystore.type": "PEM", "ssl.keystore.location": tlstest.Fixture("client.pem")},
	}
	for name, ks := range stores {
		t.Run(name, func(t *testing.T) {
			props := with(trustJKS(), "security.protocol", "SSL")
			for k, v := range ks {
				props[k] = v
			}
			roundTrip(t, props, brokers)
		})
	}
}

// checkFails runs Check and returns its *BrokerError, which must name the
// broker and the stage and show none of the secrets.
func checkFails(t *testing.T, props map[string]string, brokers []string, stage security.Stage, secrets ...string) *security.BrokerError {
	t.Helper()
	cfg, sec := clientConfig(t, props, brokers)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := security.Check(ctx, cfg, sec, brokers)
	var be *security.BrokerError
	if !errors.As(err, &be) {
		t.Fatalf("Check: got %v, want a BrokerError", err)
	}
	msg := err.Error()
	if be.Stage != stage || !strings.Contains(msg, brokers[0]) || !strings.Contains(msg, sec.Describe()) {
		t.Fatalf("Check: got %q (stage %q), want stage %q naming the broker and %s", msg, be.Stage, stage, sec.Describe())
	}
	for _, s := range secrets {
		if strings.Contains(msg, s) {
			t.Fatalf("the error shows a secret: %s", msg)
		}
	}
	t.Logf("%s", msg)
	return be
}

func TestBrokerFailures(t *testing.T) {
	scram := func(pass string) map[string]string {
		return with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
			"sasl.jaas.config", jaas(security.ScramLoginModule, "tributary", pass))
	}
	t.Run("wrong password", func(t *testing.T) {
		brokers := tlsBroker(t, false, kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "tributary", "right-secret"))
		checkFails(t, scram("wrong-secret"), brokers, security.StageAuthentication, "wrong-secret", "right-secret")
	})
	t.Run("mechanism the broker does not enable", func(t *testing.T) {
		brokers := tlsBroker(t, false, kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "tributary", "right-secret"))
		// kfake answers the handshake for PLAIN, SCRAM-SHA-256 and
		// SCRAM-SHA-512 only.
		be := checkFails(t, with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "OAUTHBEARER",
			"sasl.login.callback.handler.class", security.OAuthBearerLoginCallbackHandler,
			"sasl.oauthbearer.token.endpoint.url", "file://"+writeToken(t, testJWT(t, time.Hour)),
			"sasl.jaas.config", security.OAuthBearerLoginModule+" required;"), brokers, security.StageAuthentication)
		if !errors.Is(be, sarama.ErrUnsupportedSASLMechanism) {
			t.Fatalf("want the broker's UNSUPPORTED_SASL_MECHANISM, got %v", be.Err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		other := tlstest.NewCA(t, "Other CA")
		cluster := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(other.Issue(t, "broker", "127.0.0.1").TLS, nil)))
		checkFails(t, with(trustJKS(), "security.protocol", "SSL"), cluster.ListenAddrs(), security.StageCertificate, tlstest.TrustStorePassword)
	})
	t.Run("host name not in the certificate", func(t *testing.T) {
		ca := tlstest.NewCA(t, "CA")
		cluster := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(ca.Issue(t, "broker", "broker.example").TLS, nil)),
			kfake.SeedTopics(1, topic))
		props := map[string]string{"security.protocol": "SSL", "ssl.truststore.type": "PEM", "ssl.truststore.certificates": string(ca.PEM)}
		checkFails(t, props, cluster.ListenAddrs(), security.StageCertificate)
		// An empty ssl.endpoint.identification.algorithm skips the host
		// name, not the chain.
		roundTrip(t, with(props, "ssl.endpoint.identification.algorithm", ""), cluster.ListenAddrs())
	})
	t.Run("TLS port with PLAINTEXT", func(t *testing.T) {
		be := checkFails(t, map[string]string{}, tlsBroker(t, false), security.StageProtocol)
		if !strings.Contains(be.Hint, "uses TLS") {
			t.Fatalf("the hint does not say the listener uses TLS: %s", be.Hint)
		}
	})
	t.Run("plaintext port with SSL", func(t *testing.T) {
		brokers := kafkatest.NewCluster(t)
		be := checkFails(t, with(trustJKS(), "security.protocol", "SSL"), brokers, security.StageTLSHandshake)
		if !strings.Contains(be.Hint, "PLAINTEXT") {
			t.Fatalf("the hint does not point at a plaintext listener: %s", be.Hint)
		}
	})
	t.Run("client certificate missing", func(t *testing.T) {
		checkFails(t, with(trustJKS(), "security.protocol", "SSL"), tlsBroker(t, true), security.StageTLSHandshake)
	})
	t.Run("SASL_PLAINTEXT against SASL_SSL", func(t *testing.T) {
		brokers := tlsBroker(t, false, kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "tributary", "right-secret"))
		be := checkFails(t, map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
			"sasl.jaas.config": jaas(security.ScramLoginModule, "tributary", "right-secret")}, brokers, security.StageProtocol, "right-secret")
		if !strings.Contains(be.Hint, "uses TLS") {
			t.Fatalf("the hint does not say the listener uses TLS: %s", be.Hint)
		}
	})
	t.Run("nothing reachable", func(t *testing.T) {
		checkFails(t, map[string]string{}, []string{"127.0.0.1:1"}, security.StageConnect)
	})
}

func TestParseRefusals(t *testing.T) {
	saslSSL := func(kv ...string) map[string]string {
		return with(with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
			"sasl.jaas.config", jaas(security.ScramLoginModule, "tributary", "parse-secret")), kv...)
	}
	cases := []struct {
		name, property string
		props          map[string]string
	}{
		{"unknown protocol", "security.protocol", map[string]string{"security.protocol": "SASL_TLS"}},
		{"security providers", "security.providers", map[string]string{"security.providers": "com.example.Provider"}},
		{"unknown mechanism", "sasl.mechanism", saslSSL("sasl.mechanism", "SCRAM-SHA-1")},
		{"GSSAPI by default", "sasl.mechanism", with(saslSSL(), "sasl.mechanism", "")},
		{"unreadable trust store", "ssl.truststore.location", saslSSL("ssl.truststore.location", "/nonexistent/truststore.jks")},
		{"unknown store type", "ssl.keystore.type", saslSSL("ssl.keystore.type", "BCFKS")},
		{"no JAAS line", "sasl.jaas.config", saslSSL("sasl.jaas.config", "")},
		{"JAAS line without semicolon", "sasl.jaas.config", saslSSL("sasl.jaas.config", security.ScramLoginModule+` required username="u" password="parse-secret"`)},
		{"Kerberos login module", "sasl.jaas.config", saslSSL("sasl.jaas.config", `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;`)},
		{"two login modules", "sasl.jaas.config", saslSSL("sasl.jaas.config", jaas(security.ScramLoginModule, "a", "parse-secret")+jaas(security.PlainLoginModule, "b", "parse-secret"))},
		{"no username", "sasl.jaas.config", saslSSL("sasl.jaas.config", security.ScramLoginModule+` required password="parse-secret";`)},
		{"delegation tokens", "sasl.jaas.config", saslSSL("sasl.jaas.config", security.ScramLoginModule+` required username="u" password="parse-secret" tokenauth="true";`)},
		{"custom client callback handler", "sasl.client.callback.handler.class", saslSSL("sasl.client.callback.handler.class", "com.example.Handler")},
		{"custom login callback handler", "sasl.login.callback.handler.class", saslSSL("sasl.login.callback.handler.class", "com.example.Handler")},
		{"custom login class", "sasl.login.class", saslSSL("sasl.login.class", "com.example.Login")},
		{"unsecured OAUTHBEARER", "sasl.login.callback.handler.class", saslSSL("sasl.mechanism", "OAUTHBEARER",
			"sasl.jaas.config", security.OAuthBearerLoginModule+` required unsecuredLoginStringClaim_sub="u";`)},
		{"OAUTHBEARER with another handler", "sasl.login.callback.handler.class", saslSSL("sasl.mechanism", "OAUTHBEARER",
			"sasl.jaas.config", security.OAuthBearerLoginModule+` required;`, "sasl.login.callback.handler.class", "com.example.Handler")},
		{"OAUTHBEARER without endpoint", "sasl.oauthbearer.token.endpoint.url", saslSSL("sasl.mechanism", "OAUTHBEARER",
			"sasl.jaas.config", security.OAuthBearerLoginModule+` required clientId="c" clientSecret="parse-secret";`,
			"sasl.login.callback.handler.class", security.OAuthBearerLoginCallbackHandler)},
		{"OAUTHBEARER without client secret", "sasl.jaas.config", saslSSL("sasl.mechanism", "OAUTHBEARER",
			"sasl.jaas.config", security.OAuthBearerLoginModule+` required clientId="c";`,
			"sasl.login.callback.handler.class", security.OAuthBearerLoginCallbackHandler,
			"sasl.oauthbearer.token.endpoint.url", "https://idp.example/token")},
		{"refresh window out of range", "sasl.login.refresh.window.factor", saslSSL("sasl.mechanism", "OAUTHBEARER",
			"sasl.jaas.config", security.OAuthBearerLoginModule+` required clientId="c" clientSecret="parse-secret";`,
			"sasl.login.callback.handler.class", security.OAuthBearerLoginCallbackHandler,
			"sasl.oauthbearer.token.endpoint.url", "https://idp.example/token", "sasl.login.refresh.window.factor", "0.2")},
		{"AWS_MSK_IAM with another client handler", "sasl.client.callback.handler.class", saslSSL("sasl.mechanism", "AWS_MSK_IAM",
			"sasl.jaas.config", security.IAMLoginModule+" required;", "sasl.client.callback.handler.class", "com.example.Handler")},
		{"AWS_MSK_IAM with a login module of another mechanism", "sasl.jaas.config", saslSSL("sasl.mechanism", "AWS_MSK_IAM")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := security.Parse(c.props, security.Options{})
			var ce *tlsconfig.ConfigError
			if !errors.As(err, &ce) || ce.Name != c.property {
				t.Fatalf("got %v, want an error naming %s", err, c.property)
			}
			if strings.Contains(err.Error(), "parse-secret") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

// Every client security property of Kafka 3.9 is honoured, refused with an
// error naming it, or reported as without effect; none is silently
// dropped.
func TestEveryPropertyIsHandled(t *testing.T) {
	scramSSL := with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
		"sasl.jaas.config", jaas(security.ScramLoginModule, "u", "p"))
	oauth := with(scramSSL, "sasl.mechanism", "OAUTHBEARER",
		"sasl.jaas.config", security.OAuthBearerLoginModule+` required clientId="c" clientSecret="s";`,
		"sasl.login.callback.handler.class", security.OAuthBearerLoginCallbackHandler,
		"sasl.oauthbearer.token.endpoint.url", "https://idp.example/token")
	const (
		honoured = "honoured"
		unused   = "unused"
		refused  = "refused"
	)
	// For each property: a base configuration, a value and the outcome.
	cases := map[string]struct {
		base  map[string]string
		value string
		want  string
	}{
		"security.protocol":                                   {scramSSL, "SASL_SSL", honoured},
		"security.providers":                                  {nil, "com.example.Provider", refused},
		"ssl.protocol":                                        {scramSSL, "TLSv1.2", honoured},
		"ssl.provider":                                        {scramSSL, "SunJSSE", refused},
		"ssl.cipher.suites":                                   {scramSSL, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", honoured},
		"ssl.enabled.protocols":                               {scramSSL, "TLSv1.3", honoured},
		"ssl.keystore.type":                                   {scramSSL, "PKCS12", honoured},
		"ssl.keystore.location":                               {with(scramSSL, "ssl.keystore.password", tlstest.JKSStorePassword, "ssl.key.password", tlstest.JKSKeyPassword), tlstest.Fixture("client.keystore.jks"), honoured},
		"ssl.keystore.password":                               {with(scramSSL, "ssl.keystore.location", tlstest.Fixture("client.keystore.jks"), "ssl.key.password", tlstest.JKSKeyPassword), tlstest.JKSStorePassword, honoured},
		"ssl.key.password":                                    {with(scramSSL, "ssl.keystore.location", tlstest.Fixture("client.keystore.jks"), "ssl.keystore.password", tlstest.JKSStorePassword), tlstest.JKSKeyPassword, honoured},
		"ssl.keystore.key":                                    {with(scramSSL, "ssl.keystore.type", "PEM", "ssl.keystore.certificate.chain", readFile(t, "client.pem")), readFile(t, "client.pem"), honoured},
		"ssl.keystore.certificate.chain":                      {with(scramSSL, "ssl.keystore.type", "PEM", "ssl.keystore.key", readFile(t, "client.pem")), readFile(t, "client.pem"), honoured},
		"ssl.truststore.certificates":                         {with(scramSSL, "ssl.truststore.type", "PEM", "ssl.truststore.location", "", "ssl.truststore.password", ""), readFile(t, "ca.pem"), honoured},
		"ssl.truststore.type":                                 {scramSSL, "JKS", honoured},
		"ssl.truststore.location":                             {scramSSL, tlstest.Fixture("truststore.jks"), honoured},
		"ssl.truststore.password":                             {scramSSL, tlstest.TrustStorePassword, honoured},
		"ssl.keymanager.algorithm":                            {scramSSL, "SunX509", honoured},
		"ssl.trustmanager.algorithm":                          {scramSSL, "PKIX", honoured},
		"ssl.endpoint.identification.algorithm":               {scramSSL, "https", honoured},
		"ssl.secure.random.implementation":                    {scramSSL, "SHA1PRNG", honoured},
		"ssl.engine.factory.class":                            {scramSSL, tlsconfig.DefaultEngineFactoryClass, honoured},
		"sasl.kerberos.service.name":                          {scramSSL, "kafka", unused},
		"sasl.kerberos.kinit.cmd":                             {scramSSL, "/usr/bin/kinit", unused},
		"sasl.kerberos.ticket.renew.window.factor":            {scramSSL, "0.8", unused},
		"sasl.kerberos.ticket.renew.jitter":                   {scramSSL, "0.05", unused},
		"sasl.kerberos.min.time.before.relogin":               {scramSSL, "60000", unused},
		"sasl.login.refresh.window.factor":                    {oauth, "0.9", honoured},
		"sasl.login.refresh.window.jitter":                    {oauth, "0.1", honoured},
		"sasl.login.refresh.min.period.seconds":               {oauth, "30", honoured},
		"sasl.login.refresh.buffer.seconds":                   {oauth, "120", honoured},
		"sasl.mechanism":                                      {scramSSL, "SCRAM-SHA-256", honoured},
		"sasl.jaas.config":                                    {scramSSL, jaas(security.PlainLoginModule, "u", "p"), honoured},
		"sasl.client.callback.handler.class":                  {scramSSL, "com.example.Handler", refused},
		"sasl.login.callback.handler.class":                   {scramSSL, "com.example.Handler", refused},
		"sasl.login.class":                                    {scramSSL, "com.example.Login", refused},
		"sasl.login.connect.timeout.ms":                       {oauth, "5000", honoured},
		"sasl.login.read.timeout.ms":                          {oauth, "5000", honoured},
		"sasl.login.retry.backoff.max.ms":                     {oauth, "5000", honoured},
		"sasl.login.retry.backoff.ms":                         {oauth, "50", honoured},
		"sasl.oauthbearer.scope.claim.name":                   {oauth, "scp", honoured},
		"sasl.oauthbearer.sub.claim.name":                     {oauth, "client_id", honoured},
		"sasl.oauthbearer.token.endpoint.url":                 {oauth, "https://idp.example/oauth2/token", honoured},
		"sasl.oauthbearer.jwks.endpoint.url":                  {oauth, "https://idp.example/jwks", unused},
		"sasl.oauthbearer.jwks.endpoint.refresh.ms":           {oauth, "3600000", unused},
		"sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms": {oauth, "10000", unused},
		"sasl.oauthbearer.jwks.endpoint.retry.backoff.ms":     {oauth, "100", unused},
		"sasl.oauthbearer.clock.skew.seconds":                 {oauth, "30", unused},
		"sasl.oauthbearer.expected.audience":                  {oauth, "kafka", unused},
		"sasl.oauthbearer.expected.issuer":                    {oauth, "https://idp.example", unused},
		"sasl.oauthbearer.header.urlencode":                   {oauth, "true", honoured},
	}
	for _, name := range security.Names {
		c, ok := cases[name]
		if !ok {
			t.Errorf("%s: no case", name)
			continue
		}
		props := with(c.base, name, c.value)
		got, err := security.Parse(props, security.Options{})
		switch c.want {
		case refused:
			var ce *tlsconfig.ConfigError
			if !errors.As(err, &ce) || ce.Name != name {
				t.Errorf("%s: got %v, want an error naming it", name, err)
			}
		case unused:
			if err != nil || got.Unused[name] == "" {
				t.Errorf("%s: got %v (unused %v), want it reported as without effect", name, err, got)
			}
		case honoured:
			if err != nil {
				t.Errorf("%s: %v", name, err)
			} else if got.Unused[name] != "" {
				t.Errorf("%s: reported as without effect", name)
			}
		}
	}
	// Under PLAINTEXT the TLS and SASL settings have no effect, as in Java.
	got, err := security.Parse(with(scramSSL, "security.protocol", "PLAINTEXT"), security.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ssl.truststore.location", "sasl.mechanism", "sasl.jaas.config"} {
		if got.Unused[n] == "" {
			t.Errorf("PLAINTEXT: %s not reported as without effect", n)
		}
	}
	if got.TLS != nil || got.Mechanism != "" {
		t.Error("PLAINTEXT configured TLS or SASL")
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(tlstest.Fixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tlsServerConfig(t *testing.T) *tls.Config {
	return tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)
}

// The warning about settings without effect names them, never a value.
func TestUnusedSettingsLog(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	props := with(trustJKS(), "security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
		"sasl.jaas.config", security.PlainLoginModule+` required username="u" password="log-secret" apiSecret="other-log-secret";`,
		"sasl.kerberos.service.name", "kafka")
	got, err := security.Parse(props, security.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if got.Unused["sasl.kerberos.service.name"] == "" || got.Unused["sasl.jaas.config option apiSecret"] == "" {
		t.Fatalf("unused: %v", got.Unused)
	}
	out := buf.String()
	if !strings.Contains(out, "sasl.kerberos.service.name") || !strings.Contains(out, "apiSecret") {
		t.Fatalf("the warning does not name the settings: %s", out)
	}
	if strings.Contains(out, "log-secret") {
		t.Fatalf("the warning shows a secret: %s", out)
	}
}
