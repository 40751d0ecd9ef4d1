package rest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

// notAssigned is the herder's error for a task another worker runs.
type notAssigned struct{ url string }

func (e notAssigned) Error() string      { return "task is not assigned to this worker" }
func (e notAssigned) ForwardURL() string { return e.url }

// elsewhereHerder runs no task itself: RestartTask names the worker at url.
type elsewhereHerder struct {
	*fakeHerder
	url string
}

func (h elsewhereHerder) RestartTask(ctx context.Context, id connect.TaskID) error {
	if _, err := h.TaskStatus(ctx, id); err != nil {
		return err
	}
	return notAssigned{url: h.url}
}

func TestTaskRestartIsForwardedToItsWorker(t *testing.T) {
	// The worker running the task, which records the queries it gets.
	var mu sync.Mutex
	var queries []string
	record := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			queries = append(queries, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	owner := newEnv(t)
	owner.create()
	ownerSrv := httptest.NewServer(record(NewHandler(Config{Herder: owner.herder})))
	t.Cleanup(ownerSrv.Close)

	e := newEnv(t, func(c *Config) { c.Herder = elsewhereHerder{fakeHerder: c.Herder.(*fakeHerder), url: ownerSrv.URL} })
	e.create()
	e.do("POST", "/connectors/inventory/tasks/0/restart", "").checkEmpty(t, 204)
	mu.Lock()
	got := strings.Join(queries, "\n")
	mu.Unlock()
	if got != "POST /connectors/inventory/tasks/0/restart?forward=false" {
		t.Fatalf("the owner got %q, want one restart with forward=false", got)
	}
	// The owner's reply is relayed, errors included.
	owner.do("DELETE", "/connectors/inventory", "").checkEmpty(t, 204)
	e.do("POST", "/connectors/inventory/tasks/0/restart", "").check(t, 404, errBody(404, "Unknown task: inventory-0"))

	// A forwarded request is never forwarded again, and a task no worker
	// is known to run cannot be restarted now.
	conflict := errBody(409, "Cannot complete request because of a conflicting operation (e.g. worker rebalance)")
	e.do("POST", "/connectors/inventory/tasks/0/restart?forward=false", "").check(t, 409, conflict)
	nowhere := newEnv(t, func(c *Config) { c.Herder = elsewhereHerder{fakeHerder: c.Herder.(*fakeHerder)} })
	nowhere.create()
	nowhere.do("POST", "/connectors/inventory/tasks/0/restart", "").check(t, 409, conflict)
	nowhere.do("POST", "/connectors/inventory/tasks/5/restart", "").check(t, 404, errBody(404, "Unknown task: inventory-5"))
}

// healthHerder reports a fixed health.
type healthHerder struct {
	*fakeHerder
	status, detail string
}

func (h healthHerder) Health(context.Context) (string, string) { return h.status, h.detail }

func TestHealthStates(t *testing.T) {
	for _, tc := range []struct {
		status, detail string
		code           int
		body           string
	}{
		{"healthy", "", 200, "@health.json"},
		{"starting", "", 503, `{"status":"starting","message":"Worker is still starting up."}`},
		{"starting", "The worker is currently reading to the end of the config topic.", 503,
			`{"status":"starting","message":"Worker is still starting up. The worker is currently reading to the end of the config topic."}`},
		{"unhealthy", "The worker is currently waiting for tasks to stop.", 500,
			`{"status":"unhealthy","message":"Worker was unable to handle this request and may be unable to handle other requests. The worker is currently waiting for tasks to stop."}`},
	} {
		e := newEnv(t, func(c *Config) {
			c.Herder = healthHerder{fakeHerder: c.Herder.(*fakeHerder), status: tc.status, detail: tc.detail}
		})
		e.do("GET", "/health", "").check(t, tc.code, tc.body)
	}
}

// clusterLoggers records the levels set for the cluster.
type clusterLoggers struct {
	*fakeHerder
	mu  *sync.Mutex
	set *[]string
}

func (h clusterLoggers) SetClusterLoggerLevel(_ context.Context, namespace, level string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.set = append(*h.set, namespace+"="+level)
	return nil
}

func TestClusterScopedLoggerLevel(t *testing.T) {
	var mu sync.Mutex
	var set []string
	e := newEnv(t, func(c *Config) {
		c.Loggers = newFakeLoggers()
		c.Herder = clusterLoggers{fakeHerder: c.Herder.(*fakeHerder), mu: &mu, set: &set}
	})
	e.do("PUT", "/admin/loggers/io.debezium?scope=cluster", `{"level":"debug"}`).checkEmpty(t, 204)
	e.do("PUT", "/admin/loggers/io.debezium?scope=CLUSTER", `{"level":"LOUD"}`).check(t, 404, errBody(404, "invalid log level 'LOUD'."))
	e.do("PUT", "/admin/loggers/io.debezium?scope=cluster", `{}`).check(t, 400, errBody(400, "Desired 'level' parameter was not specified in request."))
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(set, ",") != "io.debezium=DEBUG" {
		t.Fatalf("levels set for the cluster: %v", set)
	}
	// The worker's own level is left to the config topic record.
	if r := e.do("GET", "/admin/loggers/io.debezium", ""); r.status != 404 {
		t.Fatalf("GET of a logger set only for the cluster = %d %s", r.status, r.body)
	}
}

func TestTopicTrackingSwitches(t *testing.T) {
	off := newEnv(t, func(c *Config) { c.TopicTrackingDisabled = true })
	off.create()
	off.do("GET", "/connectors/inventory/topics", "").check(t, 403, errBody(403, "Topic tracking is disabled."))
	off.do("PUT", "/connectors/inventory/topics/reset", "").check(t, 403, errBody(403, "Topic tracking is disabled."))
	noReset := newEnv(t, func(c *Config) { c.TopicTrackingResetDisabled = true })
	noReset.create()
	noReset.do("GET", "/connectors/inventory/topics", "").check(t, 200, `{"inventory":{"topics":[]}}`)
	noReset.do("PUT", "/connectors/inventory/topics/reset", "").check(t, 403, errBody(403, "Topic tracking reset is disabled."))
}

// TestForwardedRequestCarriesTheCallersCredentials: the worker that serves a
// forwarded request gets the caller's Authorization header, as Kafka
// Connect's RestClient sends it, and nothing of this worker's own.
func TestForwardedRequestCarriesTheCallersCredentials(t *testing.T) {
	auth := make(chan string, 1)
	owner := newEnv(t)
	owner.create()
	inner := NewHandler(Config{Herder: owner.herder})
	ownerSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth <- r.Header.Get("Authorization")
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(ownerSrv.Close)
	e := newEnv(t, func(c *Config) { c.Herder = elsewhereHerder{fakeHerder: c.Herder.(*fakeHerder), url: ownerSrv.URL} })
	e.create()
	for _, sent := range []string{"Basic YWxpY2U6YWxpY2Utc2VjcmV0", ""} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/connectors/inventory/tasks/0/restart", nil)
		if sent != "" {
			req.Header.Set("Authorization", sent)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d, want 204", resp.StatusCode)
		}
		if got := <-auth; got != sent {
			t.Errorf("the owner got Authorization %q, want %q", got, sent)
		}
	}
}
