package basicauth

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes a credentials file with users and a JAAS file whose
// KafkaConnect entry points at it, in Kafka's documented form.
func writeFiles(t *testing.T, users string) string {
	t.Helper()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials.properties")
	if err := os.WriteFile(creds, []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	jaasPath := filepath.Join(dir, "connect_jaas.conf")
	jaasText := "KafkaConnect {\n  " + PropertyFileLoginModule + " required\n  file=\"" + creds + "\";\n};\n"
	if err := os.WriteFile(jaasPath, []byte(jaasText), 0o600); err != nil {
		t.Fatal(err)
	}
	return jaasPath
}

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func TestFilter(t *testing.T) {
	var logBuf bytes.Buffer
	f, err := Load(writeFiles(t, "# users\nalice=alice-secret\nbob: b:o:b\n"), slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(f.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "served")
	})))
	defer srv.Close()

	for _, c := range []struct {
		name, method, path, auth string
		want                     int
	}{
		{"no credentials", http.MethodGet, "/connectors", "", http.StatusUnauthorized},
		{"right credentials", http.MethodGet, "/connectors", basic("alice", "alice-secret"), http.StatusOK},
		{"scheme in any case", http.MethodGet, "/", "bAsIc " + base64.StdEncoding.EncodeToString([]byte("alice:alice-secret")), http.StatusOK},
		{"password with colons", http.MethodGet, "/", basic("bob", "b:o:b"), http.StatusOK},
		{"wrong password", http.MethodGet, "/connectors", basic("alice", "wrong"), http.StatusUnauthorized},
		{"unknown user", http.MethodGet, "/connectors", basic("mallory", "alice-secret"), http.StatusUnauthorized},
		{"empty password", http.MethodGet, "/", basic("alice", ""), http.StatusUnauthorized},
		{"empty user", http.MethodGet, "/", basic("", "alice-secret"), http.StatusUnauthorized},
		{"no colon", http.MethodGet, "/", "Basic " + base64.StdEncoding.EncodeToString([]byte("alice")), http.StatusUnauthorized},
		{"not base64", http.MethodGet, "/", "Basic %%%", http.StatusUnauthorized},
		{"bearer", http.MethodGet, "/", "Bearer alice-secret", http.StatusUnauthorized},
		{"scheme only", http.MethodGet, "/", "Basic", http.StatusUnauthorized},
		{"admin endpoint", http.MethodPut, "/admin/loggers/root", "", http.StatusUnauthorized},
		// JaasBasicAuthFilter's INTERNAL_REQUEST_MATCHERS.
		{"internal task configs", http.MethodPost, "/connectors/c1/tasks", "", http.StatusOK},
		{"internal task configs, trailing slash", http.MethodPost, "/connectors/c1/tasks/", "", http.StatusOK},
		{"internal fence", http.MethodPut, "/connectors/c1/fence", "", http.StatusOK},
		{"task configs read", http.MethodGet, "/connectors/c1/tasks", "", http.StatusUnauthorized},
		{"task restart", http.MethodPost, "/connectors/c1/tasks/0/restart", "", http.StatusUnauthorized},
		{"fence by POST", http.MethodPost, "/connectors/c1/fence", "", http.StatusUnauthorized},
	} {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %q, want %d", c.name, resp.StatusCode, body, c.want)
			continue
		}
		if c.want == http.StatusUnauthorized && string(body) != UnauthorizedMessage {
			t.Errorf("%s: body %q, want %q", c.name, body, UnauthorizedMessage)
		}
	}
	if strings.Contains(logBuf.String(), "alice-secret") || strings.Contains(logBuf.String(), "Basic ") {
		t.Errorf("the log shows a credential:\n%s", logBuf.String())
	}
	if !strings.Contains(logBuf.String(), "Request failed authentication") {
		t.Errorf("no debug line for a failed authentication:\n%s", logBuf.String())
	}
}

// TestEmptyCredentialsFilePermitsAll: PropertyFileLoginModule permits every
// request when its file is empty, and says so with a WARN.
func TestEmptyCredentialsFilePermitsAll(t *testing.T) {
	var logBuf bytes.Buffer
	f, err := Load(writeFiles(t, "# nobody\n"), slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	f.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/connectors", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("status %d, want 200", rec.Code)
	}
	if !strings.Contains(logBuf.String(), "level=WARN") || !strings.Contains(logBuf.String(), "all requests will be permitted") {
		t.Errorf("no WARN about the empty file:\n%s", logBuf.String())
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct{ name, jaas, want string }{
		{"no file", filepath.Join(dir, "missing.conf"), "Failed to retrieve JAAS configuration"},
		{"malformed", write("bad.conf", "KafkaConnect { x.Y required password=\"hunter2\" }"), "Failed to retrieve JAAS configuration"},
		{"no entry", write("other.conf", "KafkaServer { x.Y required; };"), "No LoginModules configured for KafkaConnect"},
		{"another module", write("ldap.conf", "KafkaConnect { com.example.LdapLoginModule required; };"), "com.example.LdapLoginModule"},
		{"two modules", write("two.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\"/x\"; "+PropertyFileLoginModule+" required file=\"/y\"; };"), "only one"},
		{"blank file option", write("blank.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\" \"; };"), "Property Credentials file must be specified"},
		{"missing credentials", write("nocreds.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\""+filepath.Join(dir, "none.properties")+"\"; };"), "Error loading Property Credentials file"},
		{"bad credentials", write("badcreds.conf", "KafkaConnect { "+PropertyFileLoginModule+" required file=\""+write("bad.properties", "alice=\\u12zz\n")+"\"; };"), "Error loading Property Credentials file"},
	} {
		_, err := Load(c.jaas, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows a password: %v", c.name, err)
		}
	}
}

// FuzzAuthenticated: any Authorization header is accepted only if it
// carries a user's exact credentials, and never panics.
func FuzzAuthenticated(f *testing.F) {
	for _, s := range []string{basic("alice", "pw"), "Basic", "Basic ", "basic YWxpY2U6cHc=", "Basic =", "x y z", basic("alice", "pw:x")} {
		f.Add(s)
	}
	filter := &Filter{users: map[string]string{"alice": "pw"}}
	f.Fuzz(func(t *testing.T, header string) {
		if filter.authenticated(header) {
			_, enc, _ := strings.Cut(header, " ")
			dec, _ := base64.StdEncoding.DecodeString(enc)
			if string(dec) != "alice:pw" {
				t.Fatalf("%q authenticated", header)
			}
		}
	})
}
