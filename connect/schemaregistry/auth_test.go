package schemaregistry

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// With write credentials the registry refuses, with 401 in its error
// format, a schema registration or compatibility change without them or
// with wrong ones, and serves reads to anyone.
func TestWritesNeedCredentials(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := Open(ctx, Config{Brokers: brokers, ClientID: "test", WriteUser: "worker", WritePassword: "registry-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	url, err := r.Listen("http://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, user, password, body string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), method, url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const schema = `{"schema":"{\"type\":\"string\"}"}`
	const unauthorized = `{"error_code":401,"message":"Unauthorized"}`
	for _, c := range []struct{ method, path, user, password, body string }{
		{"POST", "/subjects/s-value/versions", "", "", schema},
		{"POST", "/subjects/s-value/versions", "worker", "wrong", schema},
		{"POST", "/subjects/s-value/versions", "other", "registry-secret", schema},
		{"PUT", "/config", "", "", `{"compatibility":"NONE"}`},
		{"PUT", "/config/s-value", "", "", `{"compatibility":"NONE"}`},
	} {
		if code, body := do(c.method, c.path, c.user, c.password, c.body); code != http.StatusUnauthorized || strings.TrimSpace(body) != unauthorized {
			t.Errorf("%s %s as %q: %d %s, want 401", c.method, c.path, c.user, code, body)
		}
	}
	if code, body := do("POST", "/subjects/s-value/versions", "worker", "registry-secret", schema); code != http.StatusOK || !strings.Contains(body, `"id"`) {
		t.Fatalf("registration with the credentials: %d %s", code, body)
	}
	if code, body := do("PUT", "/config", "worker", "registry-secret", `{"compatibility":"FULL"}`); code != http.StatusOK {
		t.Errorf("compatibility change with the credentials: %d %s", code, body)
	}
	for _, path := range []string{"/subjects", "/subjects/s-value/versions/1", "/schemas/ids/1", "/config"} {
		if code, body := do("GET", path, "", "", ""); code != http.StatusOK {
			t.Errorf("GET %s without credentials: %d %s", path, code, body)
		}
	}
	if code, body := do("POST", "/subjects/s-value", "", "", schema); code != http.StatusOK {
		t.Errorf("a lookup without credentials: %d %s", code, body)
	}
}
