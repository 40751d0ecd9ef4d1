package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/rest/basicauth"
)

// A connector whose credentials are planted secrets, driven through
// validate, a refused config and a task that fails on its unreachable
// registry: no secret appears in the log, the validate output, an error
// body, the task's trace, the status topic or /metrics.
func TestPlantedSecretsNeverLeave(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE leak (id int PRIMARY KEY)", "INSERT INTO leak VALUES (1)")

	// A registry address that refuses connections.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := l.Addr().String()
	l.Close()

	secrets := map[string]string{
		"database.password":                                "plantedDbPass'\\ =x",
		"database.sslpassword":                             "plantedSslPass'q",
		"value.converter.schema.registry.url":              "http://reguser:plantedUrlPass@" + refusing,
		"key.converter.basic.auth.user.info":               "keyuser:plantedUserInfo",
		"value.converter.schema.registry.ssl.key.password": "plantedKeyPass",
	}
	planted := []string{"plantedDbPass", "plantedSslPass", "plantedUrlPass", "plantedUserInfo", "plantedKeyPass", "plantedJaas", "plantedKeystore"}
	config := map[string]string{
		"connector.class":             "io.debezium.connector.postgresql.PostgresConnector",
		"tasks.max":                   "1",
		"database.hostname":           pg.Host(),
		"database.port":               strconv.Itoa(pg.Port()),
		"database.user":               "postgres",
		"database.dbname":             "postgres",
		"topic.prefix":                "leak",
		"table.include.list":          "public.leak",
		"publication.autocreate.mode": "filtered",
		"key.converter":               "org.apache.kafka.connect.json.JsonConverter",
		"value.converter":             "io.confluent.connect.avro.AvroConverter",
		"errors.retry.timeout":        "0",
	}
	for k, v := range secrets {
		config[k] = v
	}

	var logs bytes.Buffer
	lw := &lockedWriter{w: &logs}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a, err := New(ctx, Options{Environ: workerEnv(t), LogOutput: lw})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	base := "http://" + a.RESTAddrs()[0]

	var seen strings.Builder
	do := func(method, path string, body any) (int, string) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			r = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, r)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if !(method == "POST" && path == "/connectors") {
			// Kafka Connect answers a create with the config as given,
			// as GET /connectors/{c}/config does: not an error body.
			seen.WriteString(method + " " + path + ": " + string(out) + "\n")
		}
		return resp.StatusCode, string(out)
	}

	do("PUT", "/connector-plugins/PostgresConnector/config/validate", config)
	jaas := `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="plantedJaas";`
	bad := map[string]string{"snapshot.mode": "sometimes", "producer.override.sasl.jaas.config": jaas,
		"producer.override.ssl.keystore.password": "plantedKeystore"}
	for k, v := range config {
		if _, ok := bad[k]; !ok {
			bad[k] = v
		}
	}
	if code, body := do("PUT", "/connectors/refused/config", bad); code != http.StatusBadRequest {
		t.Errorf("PUT a bad config = %d %s, want 400", code, body)
	}
	do("PUT", "/connector-plugins/PostgresConnector/config/validate", bad)
	noClass := maps.Clone(bad)
	delete(noClass, "connector.class")
	if code, body := do("PUT", "/connectors/classless/config", noClass); code != http.StatusBadRequest {
		t.Errorf("PUT a config without connector.class = %d %s, want 400", code, body)
	}
	if code, body := do("POST", "/connectors", map[string]any{"name": "leak", "config": config}); code != http.StatusCreated {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	testutil.Eventually(t, 2*time.Minute, "the task failing on its unreachable registry", func() error {
		if _, body := do("GET", "/connectors/leak/status", nil); !strings.Contains(body, `"FAILED"`) || !strings.Contains(body, "trace") {
			return fmt.Errorf("status %s", body)
		}
		return nil
	})
	do("GET", "/metrics", nil)
	status := readTopic(t, a.Brokers()[0], "connect-status")
	if !strings.Contains(status, "FAILED") {
		t.Errorf("the status topic holds no FAILED record: %s", status)
	}

	for where, text := range map[string]string{"the log": func() string { lw.mu.Lock(); defer lw.mu.Unlock(); return logs.String() }(),
		"the REST answers": seen.String(), "the status topic": status} {
		for _, s := range planted {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %s:\n%s", where, s, text)
			}
		}
	}
	if !strings.Contains(seen.String(), "reguser") {
		t.Errorf("no answer names the registry's user; did the registry fail?\n%s", seen.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// The worker's own secrets, planted in every credential setting a worker
// has (the embedded broker's SASL password and key store password, the REST
// listener's key store password, the REST users' passwords), appear in no
// log line, REST answer (successful, refused, failed, /metrics) or record of
// the status topic.
func TestPlantedWorkerSecretsNeverLeave(t *testing.T) {
	certs := newRESTCerts(t)
	planted := []string{"plantedBrokerPass", "plantedBrokerStore", "plantedRestStore", "plantedRestUser"}
	jaasPath := writeJAAS(t, "operator=plantedRestUser\n")
	const brokerPassword = `plantedBrokerPass'\`
	logs := &lockedWriter{w: &bytes.Buffer{}}
	a := runApp(t, workerEnv(t,
		"CONNECT_EMBEDDED_KAFKA_SASL_USERNAME=worker", "CONNECT_EMBEDDED_KAFKA_SASL_PASSWORD="+brokerPassword,
		"CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_TYPE=PKCS12",
		"CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_LOCATION="+certs.p12KeyStore(t, "broker", "plantedBrokerStore"),
		"CONNECT_EMBEDDED_KAFKA_SSL_KEYSTORE_PASSWORD=plantedBrokerStore",
		"CONNECT_LISTENERS=https://127.0.0.1:0",
		"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_TYPE=PKCS12",
		"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION="+certs.p12KeyStore(t, "worker", "plantedRestStore"),
		"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_PASSWORD=plantedRestStore",
		"CONNECT_REST_EXTENSION_CLASSES="+basicauth.ExtensionClass,
		"CONNECT_JAVA_SECURITY_AUTH_LOGIN_CONFIG="+jaasPath,
	), logs)
	var seen strings.Builder
	for _, args := range [][]string{
		{"-u", "operator:plantedRestUser", a.RESTURL() + "/"},
		{"-u", "operator:plantedRestUser", a.RESTURL() + "/connectors/nowhere/status"},
		{"-u", "operator:plantedRestUser", "-X", "PUT", "-H", "Content-Type: application/json", "-d", `{"connector.class":"nope"}`,
			a.RESTURL() + "/connectors/bad/config"},
		{"-u", "operator:plantedRestUser", a.RESTURL() + "/metrics"},
		{"-u", "operator:plantedRestUser", a.RESTURL() + "/admin/loggers"},
		{"-u", "operator:wrong", a.RESTURL() + "/connectors"},
		{a.RESTURL() + "/connectors"},
	} {
		body, code, err := curl(t, append([]string{"--cacert", certs.caFile, "-D", "-"}, args...)...)
		if err != nil {
			t.Fatalf("curl %v: %v %s", args, err, body)
		}
		fmt.Fprintf(&seen, "%v: %d %s\n", args[len(args)-1], code, body)
	}
	if !strings.Contains(seen.String(), "/connectors/bad/config: 400") || !strings.Contains(seen.String(), "/connectors: 401") {
		t.Fatalf("the requests did not get the answers the test needs:\n%s", seen.String())
	}
	status := readSecuredTopic(t, a, certs.caFile, brokerPassword, "connect-status")
	for where, text := range map[string]string{"the log": logs.String(), "the REST answers": seen.String(), "the status topic": status} {
		for _, s := range planted {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %s:\n%s", where, s, text)
			}
		}
	}
}

// readSecuredTopic reads topic from the worker's embedded SASL_SSL broker
// (the worker's SCRAM user, the test CA) as readTopic does.
func readSecuredTopic(t *testing.T, a *App, caFile, password, topic string) string {
	t.Helper()
	sec, err := security.Parse(map[string]string{
		"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
		"sasl.jaas.config":    security.ScramLoginModule + ` required username="worker" password="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(password) + `";`,
		"ssl.truststore.type": "PEM", "ssl.truststore.location": caFile,
	}, security.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, m := range kafkatest.ReadAllWith(t, a.Brokers(), topic, kafkaclient.NewClientConfig("test", sec)) {
		out.Write(m.Value)
		out.WriteByte('\n')
	}
	return out.String()
}

// readTopic returns every record value of topic, one a line.
func readTopic(t *testing.T, broker, topic string) string {
	t.Helper()
	var out strings.Builder
	for _, m := range kafkatest.ReadAll(t, []string{broker}, topic) {
		out.Write(m.Value)
		out.WriteByte('\n')
	}
	return out.String()
}

// A file, dir or env config provider that may read anything the worker can
// is warned about at start; a restricted one is not.
func TestUnrestrictedConfigProvidersAreWarnedAbout(t *testing.T) {
	var logs strings.Builder
	a, err := New(t.Context(), Options{Environ: workerEnv(t,
		"CONNECT_CONFIG_PROVIDERS=file,env,dir",
		"CONNECT_CONFIG_PROVIDERS_FILE_CLASS=org.apache.kafka.common.config.provider.FileConfigProvider",
		"CONNECT_CONFIG_PROVIDERS_ENV_CLASS=org.apache.kafka.common.config.provider.EnvVarConfigProvider",
		"CONNECT_CONFIG_PROVIDERS_DIR_CLASS=org.apache.kafka.common.config.provider.DirectoryConfigProvider",
		"CONNECT_CONFIG_PROVIDERS_DIR_PARAM_ALLOWED_PATHS=/run/secrets",
	), LogOutput: &lockedWriter{w: &logs}})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	got := logs.String()
	for _, p := range []string{"file", "env"} {
		if !strings.Contains(got, "level=WARN msg=\"the config provider reads every file") || !strings.Contains(got, "provider="+p+" ") {
			t.Errorf("no warning about provider %s in:\n%s", p, got)
		}
	}
	if strings.Contains(got, "provider=dir ") {
		t.Errorf("a warning about dir, which has allowed.paths:\n%s", got)
	}
}
