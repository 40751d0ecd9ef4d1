package app

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/rest/basicauth"
)

// writeJAAS writes the two files a Kafka Connect user of the basic
// authentication extension already has: the JAAS file with the
// KafkaConnect entry and the credentials file it names.
func writeJAAS(t *testing.T, users string) string {
	t.Helper()
	dir := t.TempDir()
	creds := filepath.Join(dir, "connect.password")
	if err := os.WriteFile(creds, []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	jaasPath := filepath.Join(dir, "connect_jaas.conf")
	text := "KafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required\n  file=\"" + creds + "\";\n};\n"
	if err := os.WriteFile(jaasPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return jaasPath
}

// curlOut runs curl and returns its body and status code on the last line.
func curlOut(t *testing.T, args ...string) string {
	t.Helper()
	body, code, err := curl(t, args...)
	if err != nil {
		t.Fatalf("curl %v: %v: %s", args, err, body)
	}
	return body + "\n" + strconv.Itoa(code)
}

// TestBasicAuthenticatedREST: a worker configured as a Kafka Connect user
// configures BasicAuthSecurityRestExtension (rest.extension.classes, the
// JAAS file in KAFKA_OPTS) refuses requests without the right credentials
// with Kafka's 401 body, serves those with them, and keeps its other
// answers (415, bodiless POST) behind authentication; the CORS and
// response header settings apply to every reply.
func TestBasicAuthenticatedREST(t *testing.T) {
	jaasPath := writeJAAS(t, "admin: admin-secret\nops=ops-secret\n")
	var logs strings.Builder
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	a, err := New(ctx, Options{Environ: workerEnv(t,
		"CONNECT_REST_EXTENSION_CLASSES="+basicauth.ExtensionClass,
		"KAFKA_OPTS=-Xmx1g -Djava.security.auth.login.config="+jaasPath+" -Dother=x",
		"CONNECT_ACCESS_CONTROL_ALLOW_ORIGIN=https://ui.example.com",
		"CONNECT_RESPONSE_HTTP_HEADERS_CONFIG=set X-Frame-Options: DENY, \"add Cache-Control: no-cache, no-store\"",
	), LogOutput: &lockedWriter{w: &logs}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	defer stop()
	base := "http://" + a.RESTAddrs()[0]

	unauthorized := basicauth.UnauthorizedMessage + "\n401"
	if got := curlOut(t, base+"/connectors"); got != unauthorized {
		t.Errorf("no credentials: %q, want %q", got, unauthorized)
	}
	if got := curlOut(t, "-u", "admin:wrong", base+"/connectors"); got != unauthorized {
		t.Errorf("wrong password: %q, want %q", got, unauthorized)
	}
	if got := curlOut(t, "-u", "nobody:admin-secret", base+"/connectors"); got != unauthorized {
		t.Errorf("unknown user: %q", got)
	}
	if got := curlOut(t, "-u", "admin:admin-secret", base+"/connectors"); got != "[]\n200" {
		t.Errorf("right credentials: %q, want [] 200", got)
	}
	if got := curlOut(t, "-u", "ops:ops-secret", "-X", "PUT", "-H", "Content-Type: application/json", "-d", `{"level":"DEBUG"}`,
		base+"/admin/loggers/org.apache.kafka.connect"); !strings.HasSuffix(got, "\n200") {
		t.Errorf("admin endpoint with credentials: %q", got)
	}
	if got := curlOut(t, "-X", "PUT", "-H", "Content-Type: application/json", "-d", `{"level":"DEBUG"}`, base+"/admin/loggers/root"); got != unauthorized {
		t.Errorf("admin endpoint without credentials: %q", got)
	}
	if got := curlOut(t, "-H", "Content-Type: text/plain", "-d", "{}", base+"/connectors"); got != unauthorized {
		t.Errorf("text/plain without credentials: %q, want 401 first", got)
	}
	if got := curlOut(t, "-u", "admin:admin-secret", "-H", "Content-Type: text/plain", "-d", "{}", base+"/connectors"); !strings.HasSuffix(got, "\n415") {
		t.Errorf("text/plain with credentials: %q, want 415", got)
	}
	if got := curlOut(t, "-u", "admin:admin-secret", "-X", "POST", base+"/connectors/missing/restart"); !strings.HasSuffix(got, "\n404") ||
		!strings.Contains(got, "Connector missing not found") {
		t.Errorf("bodiless restart with credentials: %q, want the herder's 404", got)
	}
	headers := curlOut(t, "-D", "-", "-o", "/dev/null", "-H", "Origin: https://ui.example.com", base+"/")
	for _, h := range []string{"X-Frame-Options: DENY", "Cache-Control: no-cache, no-store", "Access-Control-Allow-Origin: https://ui.example.com"} {
		if !strings.Contains(headers, h) {
			t.Errorf("a 401 lacks %q:\n%s", h, headers)
		}
	}
	stop() // the log is read once nothing writes it
	for _, secret := range []string{"admin-secret", "ops-secret"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows the password %s", secret)
		}
	}
}

// The worker refuses to start with a REST extension it cannot run or
// without the JAAS file the extension reads; the JAAS file may also come
// from the worker property, which wins over KAFKA_OPTS.
func TestRESTExtensionSettings(t *testing.T) {
	jaasPath := writeJAAS(t, "admin=admin-secret\n")
	for _, c := range []struct {
		name    string
		env     []string
		wantErr string
	}{
		{"unknown extension", []string{"CONNECT_REST_EXTENSION_CLASSES=com.example.MyExtension"}, "com.example.MyExtension"},
		{"no JAAS file", []string{"CONNECT_REST_EXTENSION_CLASSES=" + basicauth.ExtensionClass, "KAFKA_OPTS=-Xmx1g"}, "java.security.auth.login.config"},
		{"JAAS file missing", []string{"CONNECT_REST_EXTENSION_CLASSES=" + basicauth.ExtensionClass,
			"CONNECT_JAVA_SECURITY_AUTH_LOGIN_CONFIG=" + filepath.Join(t.TempDir(), "none.conf")}, "Failed to retrieve JAAS configuration"},
		{"worker property", []string{"CONNECT_REST_EXTENSION_CLASSES=" + basicauth.ExtensionClass,
			"CONNECT_JAVA_SECURITY_AUTH_LOGIN_CONFIG=" + jaasPath, "KAFKA_OPTS=-Djava.security.auth.login.config=/nonexistent"}, ""},
		{"KAFKA_OPTS with ==", []string{"CONNECT_REST_EXTENSION_CLASSES=" + basicauth.ExtensionClass,
			"KAFKA_OPTS=-Djava.security.auth.login.config==" + jaasPath}, ""},
		{"bad header rule", []string{"CONNECT_RESPONSE_HTTP_HEADERS_CONFIG=sett X-A: b"}, "Invalid header config action: 'sett'"},
	} {
		a, err := New(t.Context(), Options{Environ: workerEnv(t, c.env...), LogOutput: &lockedWriter{w: &strings.Builder{}}})
		if c.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			} else {
				a.Close()
			}
			continue
		}
		if err == nil {
			a.Close()
			t.Errorf("%s: the worker started", c.name)
		} else if !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.wantErr)
		}
	}
}

// With basic authentication a listener beyond loopback is not warned about
// for serving everyone, but an http:// one is for carrying the credentials
// in clear text.
func TestAuthenticatedListenerWarnings(t *testing.T) {
	jaasPath := writeJAAS(t, "admin=admin-secret\n")
	var logs strings.Builder
	a, err := New(t.Context(), Options{Environ: workerEnv(t, "CONNECT_LISTENERS=http://0.0.0.0:0",
		"CONNECT_REST_EXTENSION_CLASSES="+basicauth.ExtensionClass, "CONNECT_JAVA_SECURITY_AUTH_LOGIN_CONFIG="+jaasPath),
		LogOutput: &lockedWriter{w: &logs}})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	got := logs.String()
	if strings.Contains(got, exposedWarning) {
		t.Errorf("an authenticated listener was warned about as open to anyone:\n%s", got)
	}
	if !strings.Contains(got, "basic authentication credentials cross the network in clear text") ||
		!strings.Contains(got, "listener=http://0.0.0.0:0") {
		t.Errorf("no clear-text WARN naming the listener:\n%s", got)
	}
}

// Basic authentication exempts the internal requests, which only the
// sessioned protocol signs: under eager or compatible the worker warns by
// name, under sessioned (the default) it does not.
func TestUnsignedInternalRequestsWarning(t *testing.T) {
	jaasPath := writeJAAS(t, "admin=admin-secret\n")
	for _, protocol := range []string{"eager", "compatible", "sessioned"} {
		var logs strings.Builder
		a, err := New(t.Context(), Options{Environ: workerEnv(t, "CONNECT_CONNECT_PROTOCOL="+protocol,
			"CONNECT_REST_EXTENSION_CLASSES="+basicauth.ExtensionClass, "CONNECT_JAVA_SECURITY_AUTH_LOGIN_CONFIG="+jaasPath),
			LogOutput: &lockedWriter{w: &logs}})
		if err != nil {
			t.Fatalf("%s: %v", protocol, err)
		}
		a.Close()
		warned := strings.Contains(logs.String(), unsignedInternalWarning) && strings.Contains(logs.String(), "connect.protocol="+protocol)
		if warned != (protocol != "sessioned") {
			t.Errorf("connect.protocol=%s: warned=%v:\n%s", protocol, warned, logs.String())
		}
	}
}
