package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// env is a REST server over a fake herder, with its log captured.
type env struct {
	t      *testing.T
	herder *fakeHerder
	srv    *httptest.Server
	logs   *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newEnv(t *testing.T, opts ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, herder: newFakeHerder(), logs: &syncBuffer{}}
	cfg := Config{
		Herder: e.herder,
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.srv = httptest.NewServer(NewHandler(cfg))
	t.Cleanup(e.srv.Close)
	return e
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(method, path, body string) reply {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatalf("building request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("reading reply of %s %s: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// create creates the §1.3 "inventory" connector.
func (e *env) create() {
	e.t.Helper()
	if r := e.do("POST", "/connectors", string(golden(e.t, "create_request.json"))); r.status != http.StatusCreated {
		e.t.Fatalf("creating inventory: %d %s", r.status, r.body)
	}
}

func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading golden file: %v", err)
	}
	return b
}

// assertJSON compares got with want as JSON values.
func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("reply is not JSON: %v: %q", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("expected value is not JSON: %v: %q", err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body mismatch\n got: %s\nwant: %s", got, want)
	}
}

// check asserts status, JSON content type and body (a JSON literal, or
// "@file" for a golden file).
func (r reply) check(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if name, ok := strings.CutPrefix(want, "@"); ok {
		want = string(golden(t, name))
	}
	assertJSON(t, r.body, want)
}

// checkEmpty asserts a reply with no body.
func (r reply) checkEmpty(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if len(r.body) != 0 {
		t.Errorf("body = %q, want none", r.body)
	}
}

func errBody(status int, msg string) string {
	b, _ := json.Marshal(errorBody{ErrorCode: status, Message: msg})
	return string(b)
}

func TestServerInfo(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/", "").check(t, 200, "@server_info.json")
	if r := e.do("HEAD", "/", ""); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD / = %d %q, want 200 and no body", r.status, r.body)
	}
}

func TestCreateConnector(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/connectors?forward=false", string(golden(t, "create_request.json")))
	r.check(t, 201, "@connector_info.json")
	if loc := r.header.Get("Location"); loc != "/connectors/inventory" {
		t.Errorf("Location = %q, want /connectors/inventory", loc)
	}
	e.do("POST", "/connectors", string(golden(t, "create_request.json"))).check(t, 409, "@error_already_exists.json")
}

func TestCreateConnectorRejects(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		status     int
		message    string // "" = don't care
	}{
		{"missing name", `{"config":{"connector.class":"C"}}`, 400,
			"Connector configuration is invalid and contains the following 1 error(s):\nMissing required configuration \"name\" which has no default value.\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"},
		{"blank name", `{"name":"  ","config":{"connector.class":"C"}}`, 400, ""},
		{"name mismatch", `{"name":"y","config":{"connector.class":"C","name":"x"}}`, 400,
			"Connector name configuration (x) doesn't match connector name in the URL (y)"},
		{"missing config", `{"name":"a"}`, 400, `Request body has no connector "config" object`},
		{"config not an object", `{"name":"a","config":"connector.class=C"}`, 400, "Connector config must be a JSON object of strings"},
		{"config value object", `{"name":"a","config":{"connector.class":{"x":1}}}`, 400, `Connector config value of "connector.class" must be a string, not an object`},
		{"config value null", `{"name":"a","config":{"connector.class":null}}`, 400, `Connector config value of "connector.class" must be a string, not null`},
		{"name an object", `{"name":{},"config":{}}`, 400, `Connector "name" must be a string`},
		{"malformed", `{"name":"a",`, 400, ""},
		{"trailing data", `{"name":"a","config":{"connector.class":"C"}} x`, 400, ""},
		{"not an object", `["a"]`, 400, "Request body must be a JSON object"},
		{"null", `null`, 400, "Request body must be a JSON object"},
		{"empty", ``, 400, "Request body is empty; expected a JSON object"},
		{"bad initial state", `{"name":"a","config":{"connector.class":"C"},"initial_state":"SLEEPING"}`, 400,
			`Invalid "initial_state" "SLEEPING": must be one of RUNNING, PAUSED, STOPPED`},
		{"invalid config", `{"name":"a","config":{"topic.prefix":"p"}}`, 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.do("POST", "/connectors", tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d; body %s", r.status, tc.status, r.body)
			}
			var got errorBody
			if err := json.Unmarshal(r.body, &got); err != nil || got.ErrorCode != tc.status || got.Message == "" {
				t.Fatalf("error body = %s (%v)", r.body, err)
			}
			if tc.message != "" && got.Message != tc.message {
				t.Errorf("message = %q, want %q", got.Message, tc.message)
			}
			if strings.Contains(got.Message, "goroutine") || strings.Contains(got.Message, ".go:") {
				t.Errorf("message leaks internals: %q", got.Message)
			}
			if names := e.do("GET", "/connectors", ""); string(names.body) != "[]" {
				t.Errorf("connectors after a rejected create = %s, want []", names.body)
			}
		})
	}
}

func TestCreateConnectorInvalidConfigGolden(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/connectors", `{"name":"a","config":{"topic.prefix":"p"}}`).check(t, 400, "@error_invalid_config.json")
	e.do("POST", "/connectors", `{"name":"y","config":{"connector.class":"C","name":"x"}}`).check(t, 400, "@error_name_mismatch.json")
}

func TestCreateConnectorCoercesScalars(t *testing.T) {
	// Jackson reads Map<String,String> leniently; so must we.
	e := newEnv(t)
	e.do("POST", "/connectors", `{"name":"a","config":{"connector.class":"C","tasks.max":1,"x.enabled":true,"y":-1.50}}`).
		check(t, 201, `{"name":"a","config":{"connector.class":"C","tasks.max":"1","x.enabled":"true","y":"-1.50","name":"a"},"tasks":[{"connector":"a","task":0}],"type":"source"}`)
}

func TestCreateConnectorTrimsName(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", "/connectors", `{"name":" a ","config":{"connector.class":"C"}}`)
	r.check(t, 201, `{"name":"a","config":{"connector.class":"C","name":"a"},"tasks":[{"connector":"a","task":0}],"type":"source"}`)
}

func TestCreateConnectorInitialState(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/connectors", `{"name":"p","config":{"connector.class":"C"},"initial_state":"paused"}`).
		check(t, 201, `{"name":"p","config":{"connector.class":"C","name":"p"},"tasks":[{"connector":"p","task":0}],"type":"source"}`)
	e.do("GET", "/connectors/p/status", "").check(t, 200,
		`{"name":"p","connector":{"state":"PAUSED","worker_id":"10.0.0.5:8083"},"tasks":[{"id":0,"state":"PAUSED","worker_id":"10.0.0.5:8083"}],"type":"source"}`)
	e.do("POST", "/connectors", `{"name":"s","config":{"connector.class":"C"},"initial_state":"STOPPED"}`).
		check(t, 201, `{"name":"s","config":{"connector.class":"C","name":"s"},"tasks":[],"type":"source"}`)

	plain := newEnv(t, func(c *Config) { c.Herder = plainHerder{c.Herder} })
	plain.do("POST", "/connectors", `{"name":"p","config":{"connector.class":"C"},"initial_state":"PAUSED"}`).
		check(t, 400, errBody(400, "Initial state PAUSED is not supported by this worker"))
	plain.do("POST", "/connectors", `{"name":"r","config":{"connector.class":"C"},"initial_state":"RUNNING"}`).
		check(t, 201, `{"name":"r","config":{"connector.class":"C","name":"r"},"tasks":[{"connector":"r","task":0}],"type":"source"}`)
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	big := `{"name":"a","config":{"connector.class":"C","pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}}`
	e.do("POST", "/connectors", big).check(t, 413, errBody(413, "Request body exceeds 1048576 bytes"))
	e.do("PUT", "/connectors/a/config", big[len(`{"name":"a","config":`):len(big)-1]).
		check(t, 413, errBody(413, "Request body exceeds 1048576 bytes"))
}

func TestListConnectors(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/connectors", "").check(t, 200, `[]`)
	e.do("GET", "/connectors?expand=status", "").check(t, 200, `{}`)
	e.create()
	e.do("GET", "/connectors", "").check(t, 200, `["inventory"]`)
	e.do("GET", "/connectors/", "").check(t, 200, `["inventory"]`)
	e.do("GET", "/connectors?expand=status&expand=info", "").check(t, 200, "@connectors_expand.json")
	e.do("GET", "/connectors?expand=info&expand=status&expand=bogus", "").check(t, 200, "@connectors_expand.json")
	e.do("GET", "/connectors?expand=bogus", "").check(t, 200, `{"inventory":{}}`)
	e.do("GET", "/connectors?expand=info", "").check(t, 200, `{"inventory":{"info":`+string(golden(t, "connector_info.json"))+`}}`)
}

func TestListConnectorsSkipsVanished(t *testing.T) {
	e := newEnv(t)
	e.create()
	e.herder.setHook(func(_ context.Context, op string) error {
		if op == "ConnectorStatus" {
			return notFound("inventory")
		}
		return nil
	})
	e.do("GET", "/connectors?expand=status", "").check(t, 200, `{}`)
}

func TestConnectorEndpoints(t *testing.T) {
	e := newEnv(t)
	e.create()
	e.do("GET", "/connectors/inventory", "").check(t, 200, "@connector_info.json")
	e.do("GET", "/connectors/inventory/config", "").check(t, 200,
		`{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","topic.prefix":"dbserver1","name":"inventory"}`)
	e.do("GET", "/connectors/inventory/tasks", "").check(t, 200, "@connector_tasks.json")
	e.do("GET", "/connectors/inventory/tasks-config", "").check(t, 200,
		`{"inventory-0":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","topic.prefix":"dbserver1","name":"inventory"}}`)
	e.do("GET", "/connectors/inventory/tasks/0/status", "").check(t, 200, `{"id":0,"state":"RUNNING","worker_id":"10.0.0.5:8083"}`)

	e.herder.setTaskState("inventory", 0, connect.StateFailed,
		"org.apache.kafka.connect.errors.ConnectException: An exception occurred in the change event producer. This connector will be stopped.")
	e.do("GET", "/connectors/inventory/status", "").check(t, 200, "@connector_status_failed.json")
}

func TestPutConnectorConfig(t *testing.T) {
	e := newEnv(t)
	r := e.do("PUT", "/connectors/a/config?forward=true", `{"connector.class":"C"}`)
	r.check(t, 201, `{"name":"a","config":{"connector.class":"C","name":"a"},"tasks":[{"connector":"a","task":0}],"type":"source"}`)
	if loc := r.header.Get("Location"); loc != "/connectors/a" {
		t.Errorf("Location = %q, want /connectors/a", loc)
	}
	r = e.do("PUT", "/connectors/a/config", `{"connector.class":"D","name":"a"}`)
	r.check(t, 200, `{"name":"a","config":{"connector.class":"D","name":"a"},"tasks":[{"connector":"a","task":0}],"type":"source"}`)
	if loc := r.header.Get("Location"); loc != "" {
		t.Errorf("Location on update = %q, want none", loc)
	}
	e.do("PUT", "/connectors/y/config", `{"connector.class":"C","name":"x"}`).check(t, 400, "@error_name_mismatch.json")
	e.do("PUT", "/connectors/a/config", `{"connector.class":`).check(t, 400,
		errBody(400, "Malformed JSON in request body at offset 19: unexpected end of JSON input"))
	e.do("PUT", "/connectors/a/config", `{"connector.class":["C"]}`).check(t, 400,
		errBody(400, `Connector config value of "connector.class" must be a string, not an array`))
	e.do("PUT", "/connectors/a/config", `{}`).check(t, 400, "@error_invalid_config.json")
	e.do("GET", "/connectors/a/config", "").check(t, 200, `{"connector.class":"D","name":"a"}`)
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	e.create()
	for _, tc := range []struct{ method, path, message string }{
		{"GET", "/connectors/foo", "Connector foo not found"},
		{"GET", "/connectors/foo/config", "Connector foo not found"},
		{"GET", "/connectors/foo/status", "Connector foo not found"},
		{"GET", "/connectors/foo/tasks", "Connector foo not found"},
		{"GET", "/connectors/foo/tasks-config", "Connector foo not found"},
		{"POST", "/connectors/foo/restart", "Connector foo not found"},
		{"POST", "/connectors/foo/restart?includeTasks=true", "Connector foo not found"},
		{"PUT", "/connectors/foo/pause", "Connector foo not found"},
		{"PUT", "/connectors/foo/resume", "Connector foo not found"},
		{"DELETE", "/connectors/foo", "Connector foo not found"},
		{"GET", "/connectors/foo/tasks/0/status", "No status found for task foo-0"},
		{"GET", "/connectors/inventory/tasks/9/status", "No status found for task inventory-9"},
		{"POST", "/connectors/inventory/tasks/7/restart", "Unknown task: inventory-7"},
		{"GET", "/connectors/inventory/tasks/x/status", "HTTP 404 Not Found"},
		{"GET", "/connectors/inventory/tasks/99999999999999999999/status", "HTTP 404 Not Found"},
		{"GET", "/nope", "HTTP 404 Not Found"},
		{"GET", "/connectors/inventory/nonsense", "HTTP 404 Not Found"},
		{"GET", "/connectors/foo/offsets", "Connector foo not found"},
		{"PUT", "/connectors/foo/stop", "Connector foo not found"},
		{"GET", "/connectors/foo/topics", "Connector foo not found"},
		{"GET", "/connectors//config", "HTTP 404 Not Found"},
		{"POST", "/connectors/../connectors", "HTTP 404 Not Found"},
	} {
		e.do(tc.method, tc.path, "").check(t, 404, errBody(404, tc.message))
	}
	e.do("GET", "/connectors/foo", "").check(t, 404, "@error_not_found.json")
	e.do("GET", "/no/such/path", "").check(t, 404, "@error_route_not_found.json")
}

func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ method, path string }{
		{"DELETE", "/connectors"},
		{"POST", "/connectors/a/config"},
		{"POST", "/connectors/a/offsets"},
		{"GET", "/connectors/a/stop"},
		{"POST", "/connectors/a/pause"},
		{"GET", "/connectors/a/restart"},
		{"POST", "/"},
		{"PUT", "/connector-plugins"},
	} {
		e.do(tc.method, tc.path, "").check(t, 405, "@error_method_not_allowed.json")
	}
}

func TestLifecycleActions(t *testing.T) {
	e := newEnv(t)
	e.create()
	status := func(state string) string {
		return `{"name":"inventory","connector":{"state":"` + state + `","worker_id":"10.0.0.5:8083"},"tasks":[{"id":0,"state":"` +
			state + `","worker_id":"10.0.0.5:8083"}],"type":"source"}`
	}
	e.do("PUT", "/connectors/inventory/pause", "").checkEmpty(t, 202)
	e.do("GET", "/connectors/inventory/status", "").check(t, 200, status("PAUSED"))
	e.do("PUT", "/connectors/inventory/resume", "").checkEmpty(t, 202)
	e.do("GET", "/connectors/inventory/status", "").check(t, 200, status("RUNNING"))

	e.do("POST", "/connectors/inventory/restart?forward=false", "").checkEmpty(t, 204)
	e.do("POST", "/connectors/inventory/restart?includeTasks=false&onlyFailed=false", "").checkEmpty(t, 204)
	e.do("POST", "/connectors/inventory/restart?includeTasks=true", "").check(t, 202, status("RESTARTING"))
	e.herder.setTaskState("inventory", 0, connect.StateFailed, "boom")
	e.do("POST", "/connectors/inventory/restart?includeTasks=TRUE&onlyFailed=true", "").check(t, 202,
		`{"name":"inventory","connector":{"state":"RUNNING","worker_id":"10.0.0.5:8083"},"tasks":[{"id":0,"state":"RESTARTING","worker_id":"10.0.0.5:8083"}],"type":"source"}`)

	e.do("POST", "/connectors/inventory/tasks/0/restart", "").checkEmpty(t, 204)
	e.do("GET", "/connectors/inventory/tasks/0/status", "").check(t, 200, `{"id":0,"state":"RUNNING","worker_id":"10.0.0.5:8083"}`)

	e.do("DELETE", "/connectors/inventory?forward=false", "").checkEmpty(t, 204)
	e.do("GET", "/connectors/inventory", "").check(t, 404, errBody(404, "Connector inventory not found"))
	e.do("GET", "/connectors", "").check(t, 200, `[]`)
}

func TestRestartWithTasksUnsupported(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Herder = plainHerder{c.Herder} })
	e.create()
	e.do("POST", "/connectors/inventory/restart?onlyFailed=true", "").check(t, 501, errBody(501, "HTTP 501 Not Implemented"))
	e.do("POST", "/connectors/inventory/restart", "").checkEmpty(t, 204)
}

func TestConnectorPlugins(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/connector-plugins", "").check(t, 200, "@connector_plugins.json")
	e.do("GET", "/connector-plugins?connectorsOnly=true", "").check(t, 200, "@connector_plugins.json")
	e.do("GET", "/connector-plugins?connectorsOnly=false", "").check(t, 200, `[
		{"class":"io.debezium.connector.postgresql.PostgresConnector","type":"source","version":"3.1.0.Final"},
		{"class":"org.apache.kafka.connect.json.JsonConverter","type":"converter","version":"3.9.0"},
		{"class":"org.apache.kafka.connect.transforms.InsertField$Value","type":"transformation"}]`)
}

func TestEscapedConnectorNames(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ name, escaped string }{
		{"a/b", "a%2Fb"},
		{"50% off", "50%25%20off"},
		{"x?y#z", "x%3Fy%23z"},
	} {
		body, _ := json.Marshal(map[string]any{"name": tc.name, "config": map[string]string{"connector.class": "C"}})
		r := e.do("POST", "/connectors", string(body))
		if r.status != 201 {
			t.Fatalf("creating %q: %d %s", tc.name, r.status, r.body)
		}
		if loc := r.header.Get("Location"); loc != "/connectors/"+tc.escaped {
			t.Errorf("Location = %q, want /connectors/%s", loc, tc.escaped)
		}
		info, _ := json.Marshal(connect.ConnectorInfo{
			Name:   tc.name,
			Config: map[string]string{"connector.class": "C", "name": tc.name},
			Tasks:  []connect.TaskID{{Connector: tc.name, Task: 0}},
			Type:   "source",
		})
		e.do("GET", "/connectors/"+tc.escaped, "").check(t, 200, string(info))
		e.do("GET", "/connectors/"+tc.escaped+"/tasks/0/status", "").check(t, 200, `{"id":0,"state":"RUNNING","worker_id":"10.0.0.5:8083"}`)
		e.do("PUT", "/connectors/"+tc.escaped+"/config", `{"connector.class":"C"}`).check(t, 200, string(info))
		e.do("DELETE", "/connectors/"+tc.escaped, "").checkEmpty(t, 204)
	}
}

// logLines returns the captured log records.
func (e *env) logLines() []map[string]any {
	e.t.Helper()
	var out []map[string]any
	for line := range strings.Lines(e.logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			e.t.Fatalf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out
}

func TestInternalErrorsAndLogging(t *testing.T) {
	e := newEnv(t)
	e.create()
	e.do("GET", "/connectors/nope", "").check(t, 404, errBody(404, "Connector nope not found"))
	e.herder.setHook(func(context.Context, string) error { return errors.New("reading status topic: broker down") })
	e.do("GET", "/connectors/inventory/status", "").check(t, 500,
		errBody(500, "reading status of connector inventory: reading status topic: broker down"))

	lines := e.logLines()
	if len(lines) != 2 {
		t.Fatalf("log lines = %v, want 2", lines)
	}
	if lines[0]["level"] != "DEBUG" || lines[0]["status"] != float64(404) {
		t.Errorf("404 logged as %v, want DEBUG", lines[0])
	}
	if lines[1]["level"] != "ERROR" || lines[1]["status"] != float64(500) || lines[1]["path"] != "/connectors/inventory/status" {
		t.Errorf("500 logged as %v, want ERROR with path", lines[1])
	}
}

func TestHerderPanicIs500(t *testing.T) {
	e := newEnv(t)
	e.herder.setHook(func(context.Context, string) error { panic("nil map") })
	e.do("GET", "/connectors", "").check(t, 500, errBody(500, "serving GET /connectors: panic: nil map"))
}

func TestRequestTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RequestTimeout = 10 * time.Millisecond })
	e.herder.setHook(func(ctx context.Context, _ string) error {
		<-ctx.Done()
		return ctx.Err()
	})
	e.do("PUT", "/connectors/a/pause", "").check(t, 500, errBody(500, "Request timed out"))
}

type ctxKey struct{}

func TestRequestContextReachesHerder(t *testing.T) {
	f := newFakeHerder()
	h := NewHandler(Config{Herder: f})
	var (
		gotValue    any
		hasDeadline bool
	)
	f.setHook(func(ctx context.Context, _ string) error {
		gotValue = ctx.Value(ctxKey{})
		_, hasDeadline = ctx.Deadline()
		return nil
	})
	req := httptest.NewRequestWithContext(context.WithValue(t.Context(), ctxKey{}, "v"), "GET", "/connectors", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || gotValue != "v" || !hasDeadline {
		t.Errorf("status %d, herder saw value %v deadline %v; want 200, v, true", rec.Code, gotValue, hasDeadline)
	}
}

func TestClassify(t *testing.T) {
	id := connect.TaskID{Connector: "c", Task: 3}
	for _, tc := range []struct {
		err     error
		s       subject
		status  int
		message string
	}{
		{notFound("c"), connectorSubject("c"), 404, "Connector c not found"},
		{notFound("c"), taskSubject(subjectTaskStatus, id), 404, "No status found for task c-3"},
		{notFound("c"), taskSubject(subjectTask, id), 404, "Unknown task: c-3"},
		{connect.ErrAlreadyExists, connectorSubject("c"), 409, "Connector c already exists"},
		{&connect.ValidationError{}, connectorSubject("c"), 400,
			"Connector configuration is invalid and contains the following 0 error(s):\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`"},
		{errors.Join(errors.New("tasks.max must be positive"), connect.ErrBadRequest), subject{}, 400, "tasks.max must be positive\nbad request"},
		{context.DeadlineExceeded, subject{}, 500, "Request timed out"},
		{errors.New("boom"), connectorSubject("c"), 500, "boom"},
	} {
		status, msg := classify(tc.err, tc.s)
		if status != tc.status || msg != tc.message {
			t.Errorf("classify(%v) = %d %q, want %d %q", tc.err, status, msg, tc.status, tc.message)
		}
	}
}

func TestResponseBytesLikeJackson(t *testing.T) {
	// Jackson writes compact JSON, does not escape <, > and &, and adds no
	// trailing newline.
	e := newEnv(t)
	r := e.do("PUT", "/connectors/a/config", `{"connector.class":"C","table.include.list":"public.a<b>&c"}`)
	if r.status != 201 {
		t.Fatalf("status = %d: %s", r.status, r.body)
	}
	want := `{"name":"a","config":{"connector.class":"C","name":"a","table.include.list":"public.a<b>&c"},"tasks":[{"connector":"a","task":0}],"type":"source"}`
	if string(r.body) != want {
		t.Errorf("body = %s, want %s", r.body, want)
	}
}

func BenchmarkConnectorStatus(b *testing.B) {
	f := newFakeHerder()
	if _, err := f.CreateConnector(b.Context(), "inventory", map[string]string{"connector.class": "C", "name": "inventory"}); err != nil {
		b.Fatal(err)
	}
	h := NewHandler(Config{Herder: f})
	req := httptest.NewRequestWithContext(b.Context(), "GET", "/connectors/inventory/status", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
