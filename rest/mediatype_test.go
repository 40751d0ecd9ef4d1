package rest

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

func (e *env) doWithType(method, path, contentType, body string) reply {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatalf("building request: %v", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("reading reply: %v", err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

const unsupportedMediaTypeBody = `{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}`

func TestNonJSONContentTypeIs415(t *testing.T) {
	e := newEnv(t)
	e.create()
	create := string(golden(t, "create_request.json"))
	config := `{"connector.class":"io.debezium.connector.postgresql.PostgresConnector"}`
	for _, tc := range []struct {
		method, path, body string
	}{
		{"POST", "/connectors", create},
		{"PUT", "/connectors/other/config", config},
		{"PATCH", "/connectors/inventory/config", config},
		{"POST", "/connectors/inventory/restart", ""},
		{"PUT", "/connectors/inventory/pause", ""},
		{"PUT", "/admin/loggers/io.debezium", `{"level":"DEBUG"}`},
	} {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "not a type"} {
			r := e.doWithType(tc.method, tc.path, ct, tc.body)
			if r.status != http.StatusUnsupportedMediaType || string(r.body) != unsupportedMediaTypeBody {
				t.Errorf("%s %s as %q: %d %s, want 415 %s", tc.method, tc.path, ct, r.status, r.body, unsupportedMediaTypeBody)
			}
		}
	}
	if _, err := e.herder.ConnectorInfo(t.Context(), "other"); err == nil {
		t.Error("a text/plain PUT created a connector")
	}
	if st, _ := e.herder.ConnectorStatus(t.Context(), "inventory"); st.Connector.State != "RUNNING" {
		t.Errorf("a refused PUT /pause changed the connector to %s", st.Connector.State)
	}
}

func TestJSONContentTypesAndNoContentTypeAccepted(t *testing.T) {
	e := newEnv(t)
	create := string(golden(t, "create_request.json"))
	if r := e.doWithType("POST", "/connectors", "Application/JSON; charset=UTF-8", create); r.status != http.StatusCreated {
		t.Fatalf("POST with charset: %d %s", r.status, r.body)
	}
	if r := e.doWithType("POST", "/connectors/inventory/restart", "", ""); r.status != http.StatusNoContent {
		t.Errorf("bodiless POST restart without Content-Type: %d %s", r.status, r.body)
	}
	if r := e.doWithType("PUT", "/connectors/inventory/pause", "", ""); r.status != http.StatusAccepted {
		t.Errorf("bodiless PUT pause without Content-Type: %d %s", r.status, r.body)
	}
	// Routing comes first, as in Jersey: unknown paths stay 404.
	if r := e.doWithType("POST", "/nowhere", "text/plain", "x"); r.status != http.StatusNotFound {
		t.Errorf("text/plain POST to an unknown path: %d %s, want 404", r.status, r.body)
	}
}

// TestCurlContentTypes drives the handler with curl as an operator would.
func TestCurlContentTypes(t *testing.T) {
	testutil.NeedsExternal(t)
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("curl is not installed (scripts/install-deps installs it)")
	}
	e := newEnv(t)
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		out, err := exec.CommandContext(ctx, curl, append([]string{"-sS", "-w", "\n%{http_code}"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	create := string(golden(t, "create_request.json"))
	// curl -d without -H sends application/x-www-form-urlencoded.
	if got, want := run("-d", create, e.srv.URL+"/connectors"), unsupportedMediaTypeBody+"\n415"; got != want {
		t.Errorf("curl -d without a JSON type:\n got %q\nwant %q", got, want)
	}
	if got := run("-H", "Content-Type: text/plain", "-X", "POST", e.srv.URL+"/connectors/inventory/restart"); got != unsupportedMediaTypeBody+"\n415" {
		t.Errorf("curl text/plain restart: %q", got)
	}
	if got := run("-H", "Content-Type: application/json", "-d", create, e.srv.URL+"/connectors"); !strings.HasSuffix(got, "\n201") {
		t.Errorf("curl JSON create: %q", got)
	}
	if got := run("-X", "POST", e.srv.URL+"/connectors/inventory/restart"); got != "204" {
		t.Errorf("bodiless curl -X POST restart: %q, want 204", got)
	}
}
