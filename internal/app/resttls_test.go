package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/rest/basicauth"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// restCerts are a CA made for one test, the PEM files of its certificate,
// and key stores it signed for 127.0.0.1.
type restCerts struct {
	ca     *tlstest.CA
	caFile string
}

func newRESTCerts(t *testing.T) *restCerts {
	ca := tlstest.NewCA(t, "Tributary REST test CA")
	return &restCerts{ca: ca, caFile: tlstest.WriteFile(t, "ca.pem", ca.PEM)}
}

// pemKeyStore issues a certificate for 127.0.0.1 and writes it with its key
// as a PEM key store (ssl.keystore.type=PEM); the key and certificate
// files, for curl, are returned too.
func (c *restCerts) pemKeyStore(t *testing.T, cn string) (store, certFile, keyFile string) {
	leaf := c.ca.Issue(t, cn, "127.0.0.1")
	return tlstest.WriteFile(t, cn+".keystore.pem", append(append([]byte{}, leaf.KeyPEM...), leaf.CertPEM...)),
		tlstest.WriteFile(t, cn+".pem", leaf.CertPEM), tlstest.WriteFile(t, cn+".key", leaf.KeyPEM)
}

// p12KeyStore issues a certificate for 127.0.0.1 and writes it with its key
// and the CA as a PKCS12 key store protected by password.
func (c *restCerts) p12KeyStore(t *testing.T, cn, password string) string {
	leaf := c.ca.Issue(t, cn, "127.0.0.1")
	data, err := pkcs12.Modern.Encode(leaf.TLS.PrivateKey, leaf.Cert, []*x509.Certificate{c.ca.Cert}, password)
	if err != nil {
		t.Fatal(err)
	}
	return tlstest.WriteFile(t, cn+".keystore.p12", data)
}

// String is what was written so far.
func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.(fmt.Stringer).String()
}

// runApp runs a worker until the test ends.
func runApp(t *testing.T, env []string, logs io.Writer) *App {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	a, err := New(ctx, Options{Environ: env, LogOutput: logs})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v", err)
			}
		case <-time.After(2 * time.Minute):
			t.Error("Run did not return after its context ended")
		}
	})
	return a
}

// curl runs curl with args and returns the body it printed, its status
// code, and its error (a TLS refusal is one).
func curl(t *testing.T, args ...string) (string, int, error) {
	t.Helper()
	testutil.NeedsExternal(t)
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("curl is not installed (scripts/install-deps installs it)")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, append([]string{"-sS", "-w", "\n%{http_code}"}, args...)...).CombinedOutput()
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	code, _ := strconv.Atoi(s[i+1:])
	return s[:max(i, 0)], code, err
}

// An https listener serves the REST API with the certificate of
// listeners.https.ssl.keystore.*, and with ssl.client.auth=required it
// refuses a client without a certificate the trust store's CA signed. The
// key store's password appears in no log.
func TestHTTPSListenerWithClientAuth(t *testing.T) {
	certs := newRESTCerts(t)
	const password = "plantedRestStorePass"
	_, clientCert, clientKey := certs.pemKeyStore(t, "operator")
	logs := &lockedWriter{w: &bytes.Buffer{}}
	a := runApp(t, workerEnv(t,
		"CONNECT_LISTENERS=https://127.0.0.1:0",
		"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_TYPE=PKCS12",
		"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION="+certs.p12KeyStore(t, "worker", password),
		"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_PASSWORD="+password,
		"CONNECT_LISTENERS_HTTPS_SSL_TRUSTSTORE_TYPE=PEM",
		"CONNECT_LISTENERS_HTTPS_SSL_TRUSTSTORE_LOCATION="+certs.caFile,
		"CONNECT_LISTENERS_HTTPS_SSL_CLIENT_AUTH=required",
	), logs)
	url := "https://" + a.RESTAddrs()[0] + "/"
	if !strings.HasPrefix(a.RESTURL(), "https://127.0.0.1:") {
		t.Errorf("advertised URL %s, want https://127.0.0.1:<port>", a.RESTURL())
	}

	body, code, err := curl(t, "--cacert", certs.caFile, "--cert", clientCert, "--key", clientKey, url)
	var info struct {
		Version string `json:"version"`
	}
	if err != nil || code != http.StatusOK || json.Unmarshal([]byte(body), &info) != nil || info.Version != Version {
		t.Fatalf("curl with a client certificate: %d %s, %v", code, body, err)
	}
	if body, code, err := curl(t, "--cacert", certs.caFile, url); err == nil {
		t.Errorf("curl without a client certificate: %d %s, want the handshake refused", code, body)
	}
	// A client that does not trust the CA refuses the server.
	if body, code, err := curl(t, "--cert", clientCert, "--key", clientKey, url); err == nil {
		t.Errorf("curl not trusting the CA: %d %s, want a certificate error", code, body)
	}
	// Plain HTTP on the https port is no way in either.
	if _, code, _ := curl(t, "http://"+a.RESTAddrs()[0]+"/"); code == http.StatusOK {
		t.Error("plain HTTP served on the https listener")
	}
	if strings.Contains(logs.String(), password) {
		t.Error("the key store password appears in the log")
	}
}

// Without any listeners.https.* property an https listener reads the
// top-level ssl.* (SSLUtils' valuesWithPrefixAllOrNothing), which the Kafka
// clients keep reading as before: here PLAINTEXT, for which they have no
// effect. One listeners.https.* property turns the fallback off entirely.
func TestHTTPSListenerFallsBackToTopLevelSSL(t *testing.T) {
	certs := newRESTCerts(t)
	store, _, _ := certs.pemKeyStore(t, "worker")
	env := []string{
		"CONNECT_BOOTSTRAP_SERVERS=" + strings.Join(kafkatest.NewCluster(t), ","),
		"CONNECT_LISTENERS=https://127.0.0.1:0",
		"CONNECT_SSL_KEYSTORE_TYPE=PEM",
		"CONNECT_SSL_KEYSTORE_LOCATION=" + store,
		"GOMEMLIMIT=off",
	}
	logs := &lockedWriter{w: &bytes.Buffer{}}
	a := runApp(t, env, logs)
	body, code, err := curl(t, "--cacert", certs.caFile, "https://"+a.RESTAddrs()[0]+"/")
	if err != nil || code != http.StatusOK || !strings.Contains(body, `"version":"`+Version+`"`) {
		t.Fatalf("curl over the top-level ssl.* listener: %d %s, %v", code, body, err)
	}
	if !strings.Contains(logs.String(), "Security settings without effect for this client") {
		t.Errorf("the clients no longer warn about ssl.* under PLAINTEXT:\n%s", logs.String())
	}

	_, err = New(t.Context(), Options{Environ: append(env, "CONNECT_LISTENERS_HTTPS_SSL_CLIENT_AUTH=none"), LogOutput: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "configuration listeners.https.ssl.keystore.location: an https listener needs a key store") {
		t.Fatalf("New with one listeners.https.* property and the key store at top level = %v, want an error naming listeners.https.ssl.keystore.location", err)
	}
}

// An unusable https setting stops the worker naming the property, and no
// password appears in the error.
func TestUnusableHTTPSSettingsStopTheWorker(t *testing.T) {
	certs := newRESTCerts(t)
	const password = "plantedRightPass"
	store := certs.p12KeyStore(t, "worker", password)
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_TYPE=PKCS12", "CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION=" + store,
			"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_PASSWORD=plantedWrongPass"}, "configuration listeners.https.ssl.keystore.password"},
		{[]string{"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_TYPE=PKCS12", "CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION=" + store,
			"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_PASSWORD=" + password, "CONNECT_LISTENERS_HTTPS_SSL_CLIENT_AUTH=always"},
			"configuration listeners.https.ssl.client.auth"},
		{[]string{"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_TYPE=PKCS12", "CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION=" + store,
			"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_PASSWORD=" + password, "CONNECT_LISTENERS_HTTPS_SSL_PROVIDER=BC"},
			"configuration listeners.https.ssl.provider"},
		// With the embedded broker, the top-level ssl.* are its clients'.
		{[]string{"CONNECT_SSL_KEYSTORE_LOCATION=" + store}, "for the REST API's https listeners, set listeners.https.ssl.keystore.location"},
	} {
		_, err := New(t.Context(), Options{Environ: workerEnv(t, append([]string{"CONNECT_LISTENERS=https://127.0.0.1:0"}, c.env...)...),
			LogOutput: io.Discard})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: New = %v, want an error naming %s", c.env, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "planted") {
			t.Errorf("%v: the error shows a password: %v", c.env, err)
		}
	}
}

// With admin.listeners set, /admin/loggers is served on the admin
// listeners only: the listeners answer Kafka's 404 there. An https admin
// listener reads admin.listeners.https.ssl.*. admin.listeners empty
// disables /admin.
func TestAdminListeners(t *testing.T) {
	certs := newRESTCerts(t)
	store, _, _ := certs.pemKeyStore(t, "admin")
	const notFound = `{"error_code":404,"message":"HTTP 404 Not Found"}` // Kafka's body, rest/testdata/error_route_not_found.json
	a := runApp(t, workerEnv(t,
		"CONNECT_ADMIN_LISTENERS=https://127.0.0.1:0",
		"CONNECT_ADMIN_LISTENERS_HTTPS_SSL_KEYSTORE_TYPE=PEM",
		"CONNECT_ADMIN_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION="+store,
	), io.Discard)
	if len(a.AdminAddrs()) != 1 || len(a.RESTAddrs()) != 1 {
		t.Fatalf("listeners %v, admin listeners %v", a.RESTAddrs(), a.AdminAddrs())
	}
	admin := "https://" + a.AdminAddrs()[0]
	main := "http://" + a.RESTAddrs()[0]
	for _, c := range []struct {
		url  string
		code int
		body string
	}{
		{admin + "/admin/loggers/root", 200, `"level":"INFO"`},
		{admin + "/connectors", 404, notFound},
		{main + "/admin/loggers", 404, notFound},
		{main + "/admin/loggers/root", 404, notFound},
		{main + "/connectors", 200, `[]`},
	} {
		body, code, err := curl(t, "--cacert", certs.caFile, c.url)
		if err != nil || code != c.code || !strings.Contains(body, c.body) {
			t.Errorf("GET %s = %d %s, %v; want %d %s", c.url, code, body, err, c.code, c.body)
		}
	}

	disabled := runApp(t, workerEnv(t, "CONNECT_ADMIN_LISTENERS="), io.Discard)
	if len(disabled.AdminAddrs()) != 0 {
		t.Errorf("admin.listeners= opened admin listeners %v", disabled.AdminAddrs())
	}
	body, code, err := curl(t, "http://"+disabled.RESTAddrs()[0]+"/admin/loggers")
	if err != nil || code != 404 || body != notFound {
		t.Errorf("GET /admin/loggers with admin.listeners empty = %d %s, %v; want 404", code, body, err)
	}
}

// Three workers with https listeners requiring client certificates and
// Kafka's basic authentication extension, driven by curl as an operator
// would: requests without or with wrong credentials get 401, a task restart
// sent to a worker that does not run the task is forwarded over https (the
// forwarding client trusts the CA and presents its key store) with the
// caller's credentials, which the worker running the task checks; a
// text/plain body is a 415 and a bodiless POST restart works.
func TestHTTPSClusterForwardsRequests(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE fwd (id int PRIMARY KEY)", "INSERT INTO fwd VALUES (1)")
	certs := newRESTCerts(t)
	jaasPath := writeJAAS(t, "operator: operator-secret\n")
	https := func(cn string) []string {
		store, _, _ := certs.pemKeyStore(t, cn)
		return []string{
			"CONNECT_LISTENERS=https://127.0.0.1:0",
			"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_TYPE=PEM",
			"CONNECT_LISTENERS_HTTPS_SSL_KEYSTORE_LOCATION=" + store,
			"CONNECT_LISTENERS_HTTPS_SSL_TRUSTSTORE_TYPE=PEM",
			"CONNECT_LISTENERS_HTTPS_SSL_TRUSTSTORE_LOCATION=" + certs.caFile,
			"CONNECT_LISTENERS_HTTPS_SSL_CLIENT_AUTH=required",
			"CONNECT_REST_EXTENSION_CLASSES=" + basicauth.ExtensionClass,
			"KAFKA_OPTS=-Djava.security.auth.login.config=" + jaasPath,
		}
	}
	a := runApp(t, workerEnv(t, https("worker-a")...), io.Discard)
	workers := []*App{a}
	for _, cn := range []string{"worker-b", "worker-c"} {
		workers = append(workers, runApp(t, append(https(cn), "CONNECT_BOOTSTRAP_SERVERS="+a.Brokers()[0], "GOMEMLIMIT=off"), io.Discard))
	}

	// curl with the operator's client certificate, and the operator's
	// credentials unless others are given.
	_, opCert, opKey := certs.pemKeyStore(t, "operator")
	tlsArgs := []string{"--cacert", certs.caFile, "--cert", opCert, "--key", opKey}
	do := func(user, method, url, contentType, body string) (int, string) {
		args := append(append([]string{}, tlsArgs...), "-X", method)
		if user != "" {
			args = append(args, "-u", user)
		}
		if contentType != "" {
			args = append(args, "-H", "Content-Type: "+contentType)
		}
		if body != "" {
			args = append(args, "--data-binary", body)
		}
		out, code, err := curl(t, append(args, url)...)
		if err != nil {
			t.Fatalf("curl %s %s: %v %s", method, url, err, out)
		}
		return code, out
	}
	const op = "operator:operator-secret"

	for _, w := range workers {
		if code, body := do("", http.MethodGet, w.RESTURL()+"/connectors", "", ""); code != http.StatusUnauthorized || body != basicauth.UnauthorizedMessage {
			t.Errorf("no credentials on %s: %d %s", w.workerID, code, body)
		}
		if code, body := do("operator:wrong", http.MethodGet, w.RESTURL()+"/connectors", "", ""); code != http.StatusUnauthorized {
			t.Errorf("wrong password on %s: %d %s", w.workerID, code, body)
		}
	}

	// A connector whose task fails at once on its unreachable registry,
	// staying FAILED on the worker it was assigned to.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := l.Addr().String()
	l.Close()
	config, err := json.Marshal(map[string]string{
		"connector.class": "io.debezium.connector.postgresql.PostgresConnector", "tasks.max": "1",
		"database.hostname": pg.Host(), "database.port": strconv.Itoa(pg.Port()), "database.user": "postgres",
		"database.dbname": "postgres", "topic.prefix": "fwd", "table.include.list": "public.fwd",
		"publication.autocreate.mode": "filtered", "slot.name": "fwd",
		"value.converter": "io.confluent.connect.avro.AvroConverter", "value.converter.schema.registry.url": "http://" + refusing,
		"errors.retry.timeout": "0",
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := do(op, http.MethodPut, a.RESTURL()+"/connectors/fwd/config", "text/plain", string(config)); code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain config: %d %s, want 415", code, body)
	}
	if code, body := do(op, http.MethodPut, a.RESTURL()+"/connectors/fwd/config", "application/json", string(config)); code != http.StatusCreated {
		t.Fatalf("creating the connector: %d %s", code, body)
	}
	byWorker := map[string]*App{}
	for _, w := range workers {
		byWorker[w.workerID] = w
	}
	// Restarts race rebalances (409) while the workers join; each attempt
	// asks a worker that does not run the task, which must forward it.
	testutil.Eventually(t, 3*time.Minute, "a forwarded task restart", func() error {
		var st struct {
			State    string `json:"state"`
			WorkerID string `json:"worker_id"`
		}
		code, body := do(op, http.MethodGet, a.RESTURL()+"/connectors/fwd/tasks/0/status", "", "")
		if code != http.StatusOK || json.Unmarshal([]byte(body), &st) != nil || st.State != "FAILED" || byWorker[st.WorkerID] == nil {
			return fmt.Errorf("task status %d %s", code, body)
		}
		var other *App
		for _, w := range workers {
			if w.workerID != st.WorkerID {
				other = w
				break
			}
		}
		code, body = do(op, http.MethodPost, other.RESTURL()+"/connectors/fwd/tasks/0/restart", "", "")
		switch {
		case code == http.StatusNoContent:
			return nil
		case strings.Contains(body, "forwarding") || code == http.StatusUnauthorized:
			t.Fatalf("forwarding from %s to %s failed: %d %s", other.workerID, st.WorkerID, code, body)
		}
		return fmt.Errorf("restart through %s: %d %s", other.workerID, code, body)
	})
	// The connector restart, bodiless as curl -X POST sends it, through
	// every worker.
	for _, w := range workers {
		testutil.Eventually(t, time.Minute, "a bodiless connector restart", func() error {
			if code, body := do(op, http.MethodPost, w.RESTURL()+"/connectors/fwd/restart", "", ""); code/100 != 2 {
				return fmt.Errorf("POST /connectors/fwd/restart on %s: %d %s", w.workerID, code, body)
			}
			return nil
		})
	}
}
