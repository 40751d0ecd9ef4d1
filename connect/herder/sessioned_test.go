package herder

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/interworker"
	"github.com/tributary-cdc/tributary/connect/membership"
	"github.com/tributary-cdc/tributary/rest"
)

// restWorker is a herder behind the REST API, member of a group, as
// internal/app runs one.
type restWorker struct {
	h   *Herder
	s   *stores
	url string
}

// restHerder completes the herder into a rest.Herder.
type restHerder struct{ *Herder }

func (restHerder) Plugins() []rest.PluginInfo  { return nil }
func (restHerder) ServerInfo() rest.ServerInfo { return rest.ServerInfo{} }

// startRESTWorker starts a worker of group with the given protocol, its
// REST API served on a local port it advertises.
func startRESTWorker(t *testing.T, brokers []string, group string, protocol membership.Compatibility, mutate ...func(*Config)) *restWorker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := openStores(t, brokers)
	workerID := ln.Addr().String()
	var g *membership.Group
	h := startHerder(t, s, func(c *Config) {
		c.WorkerID = workerID
		c.ConfigOffset = func(context.Context) (int64, error) {
			next, err := s.client.GetOffset("connect-configs", 0, sarama.OffsetNewest)
			return next - 1, err
		}
		g = membership.New(membership.Config{
			Client: s.client, GroupID: group, URL: "http://" + workerID,
			SessionTimeout: 10 * time.Second, HeartbeatInterval: time.Second, RebalanceTimeout: 10 * time.Second,
			Protocol: protocol, MaxDelay: 0,
		})
		c.Group = g
		for _, m := range mutate {
			m(c)
		}
	})
	srv := httptest.NewUnstartedServer(rest.NewHandler(rest.Config{Herder: restHerder{h}}))
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	g.Start(h)
	t.Cleanup(func() {
		h.Stop()
		g.Close()
		srv.Close()
	})
	waitFor(t, "the first assignment", h.ready.Load)
	return &restWorker{h: h, s: s, url: srv.URL}
}

// do sends a request and returns the status and the body.
func (w *restWorker) do(t *testing.T, method, path, body string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, w.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (w *restWorker) isLeader() bool {
	w.h.mu.Lock()
	defer w.h.mu.Unlock()
	return w.h.leader
}

// signed returns the signature headers of body under key.
func signed(t *testing.T, key []byte, alg string, body string) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://x", nil)
	if err := interworker.AddToRequest(req, key, alg, []byte(body)); err != nil {
		t.Fatal(err)
	}
	return req.Header
}

// Two workers under the sessioned protocol: the leader distributes a
// session key both read; config writes sent to either worker are made by
// the leader, so that concurrent patches of one connector all survive; the
// internal task-configs request is answered as Kafka Connect's
// DistributedHerder.requestNotSignedProperly answers it.
func TestSessionedClusterWritesThroughTheLeader(t *testing.T) {
	brokers := newBroker(t)
	a := startRESTWorker(t, brokers, "sessioned", membership.Sessioned)
	b := startRESTWorker(t, brokers, "sessioned", membership.Sessioned)
	waitFor(t, "one leader of two workers", func() bool { return a.isLeader() != b.isLeader() })
	leader, follower := a, b
	if b.isLeader() {
		leader, follower = b, a
	}
	var key interworker.Key
	waitFor(t, "the session key on both workers", func() bool {
		k1, ok1 := leader.s.configs.SessionKey()
		if err := follower.s.configs.Refresh(t.Context()); err != nil {
			return false
		}
		k2, ok2 := follower.s.configs.SessionKey()
		key = k1
		return ok1 && ok2 && bytes.Equal(k1.Key, k2.Key) && k1.Algorithm == "HmacSHA256" && len(k1.Key) == 32
	})

	// A create sent to the follower is forwarded to the leader.
	if code, body := follower.do(t, "POST", "/connectors", `{"name":"c","config":{"connector.class":"`+testClass+`","topic":"numbers","records":"1"}}`, nil); code != 201 {
		t.Fatalf("create on the follower = %d %s", code, body)
	}

	// Concurrent patches through both workers: each adds its own key, none
	// is lost.
	const patches = 12
	var wg sync.WaitGroup
	errs := make(chan string, patches)
	for i := range patches {
		w := []*restWorker{a, b}[i%2]
		wg.Go(func() {
			if code, body := w.do(t, "PATCH", "/connectors/c/config", fmt.Sprintf(`{"p%d":"%d"}`, i, i), nil); code != 200 {
				errs <- fmt.Sprintf("patch %d = %d %s", i, code, body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if err := leader.s.configs.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	st, _ := leader.s.configs.Connector("c")
	for i := range patches {
		if st.Config[fmt.Sprintf("p%d", i)] != fmt.Sprint(i) {
			t.Errorf("patch %d lost: config %v", i, st.Config)
		}
	}

	// Internal requests: POST /connectors/c/tasks.
	const tasks = `[{"task":"0"}]`
	for _, c := range []struct {
		what   string
		header http.Header
		code   int
		body   string
	}{
		{"unsigned", nil, 400, `{"error_code":400,"message":"Internal request missing required signature"}`},
		{"signed with an unknown algorithm", http.Header{"X-Connect-Authorization": {"AAAA"}, "X-Connect-Request-Signature-Algorithm": {"HmacFoo"}},
			400, `{"error_code":400,"message":"Algorithm HmacFoo not available"}`},
		{"signed with an algorithm not permitted", signed(t, key.Key, "HmacSHA512", tasks), 400,
			`{"error_code":400,"message":"This worker does not support the 'HmacSHA512' key signing algorithm used by other workers. ` +
				`This worker is currently configured to use: [HmacSHA256]. Check that all workers' configuration files permit the same set of ` +
				`signature algorithms, and correct any misconfigured worker and restart it."}`},
		{"signed with another key", signed(t, []byte("not the session key"), "HmacSHA256", tasks), 403,
			`{"error_code":403,"message":"Internal request contained invalid signature."}`},
	} {
		for _, w := range []*restWorker{leader, follower} {
			if code, body := w.do(t, "POST", "/connectors/c/tasks", tasks, c.header); code != c.code || body != c.body {
				t.Errorf("%s, to the %s: %d %s, want %d %s", c.what, map[bool]string{true: "leader", false: "follower"}[w == leader], code, body, c.code, c.body)
			}
		}
	}
	// Properly signed, to the follower: forwarded, written by the leader.
	if code, body := follower.do(t, "POST", "/connectors/c/tasks", tasks, signed(t, key.Key, "HmacSHA256", tasks)); code != 204 {
		t.Fatalf("signed task configs = %d %s", code, body)
	}
	waitFor(t, "the posted task configs", func() bool {
		st, _ := follower.s.configs.Connector("c")
		return len(st.Tasks) == 1 && st.Tasks[0]["task"] == "0"
	})
	if code, body := leader.do(t, "PUT", "/connectors/c/fence", "", signed(t, key.Key, "HmacSHA256", "")); code != 204 {
		t.Fatalf("signed fence = %d %s", code, body)
	}
	if code, body := leader.do(t, "PUT", "/connectors/nope/fence", "", signed(t, key.Key, "HmacSHA256", "")); code != 404 ||
		body != `{"error_code":404,"message":"Connector nope not found"}` {
		t.Fatalf("fence of an unknown connector = %d %s", code, body)
	}

	// Stop and resume through the follower: whichever worker runs the
	// connector generates its tasks again, the leader writes them.
	if code, body := follower.do(t, "PUT", "/connectors/c/stop", "", nil); code != 204 {
		t.Fatalf("stop = %d %s", code, body)
	}
	waitFor(t, "no tasks once stopped", func() bool {
		_ = follower.s.configs.Refresh(t.Context())
		st, _ := follower.s.configs.Connector("c")
		return len(st.Tasks) == 0
	})
	if code, body := follower.do(t, "PUT", "/connectors/c/resume", "", nil); code != 202 {
		t.Fatalf("resume = %d %s", code, body)
	}
	waitFor(t, "tasks again once resumed", func() bool {
		_ = follower.s.configs.Refresh(t.Context())
		st, _ := follower.s.configs.Connector("c")
		return len(st.Tasks) == 1 && st.Tasks[0]["task"] != "0"
	})

	// The follower's own task configs go to the leader, signed.
	follower.h.mu.Lock()
	forwarded, err := follower.h.writeTaskConfigsLocked(t.Context(), "c", []map[string]string{{"from": "follower"}})
	follower.h.mu.Unlock()
	if err != nil || !forwarded {
		t.Fatalf("follower's task configs: forwarded %v, %v", forwarded, err)
	}
	waitFor(t, "the follower's task configs, written by the leader", func() bool {
		st, _ := leader.s.configs.Connector("c")
		return len(st.Tasks) == 1 && st.Tasks[0]["from"] == "follower"
	})
}

// Under the compatible protocol internal requests are not signed, and
// accepted unsigned, as Kafka Connect accepts them below version 2.
func TestCompatibleAcceptsUnsignedInternalRequests(t *testing.T) {
	w := startRESTWorker(t, newBroker(t), "compatible", membership.Compatible)
	if code, body := w.do(t, "POST", "/connectors", `{"name":"c","config":{"connector.class":"`+testClass+`","topic":"numbers","records":"1"}}`, nil); code != 201 {
		t.Fatalf("create = %d %s", code, body)
	}
	if code, body := w.do(t, "POST", "/connectors/c/tasks", `[{"task":"0"},{"task":"1"}]`, nil); code != 204 {
		t.Fatalf("unsigned task configs = %d %s", code, body)
	}
	if _, ok := w.s.configs.SessionKey(); ok {
		t.Fatal("a session key distributed under the compatible protocol")
	}
	if code, body := w.do(t, "POST", "/connectors/nope/tasks", `[]`, nil); code != 404 || body != `{"error_code":404,"message":"Connector nope not found"}` {
		t.Fatalf("task configs of an unknown connector = %d %s", code, body)
	}
}

// The leader distributes a new session key once inter.worker.key.ttl.ms
// has passed since the current one's creation, and one that matches
// inter.worker.key.generation.algorithm and inter.worker.key.size
// (DistributedHerder.checkForKeyRotation).
func TestLeaderRotatesTheSessionKey(t *testing.T) {
	size := 128
	w := startRESTWorker(t, newBroker(t), "rotating", membership.Sessioned, func(c *Config) {
		c.InterWorker = InterWorkerConfig{KeyAlgorithm: "HmacSHA512", KeySize: &size, KeyTTL: 500 * time.Millisecond,
			SignatureAlgorithm: "HmacSHA256", VerificationAlgorithms: []string{"HmacSHA256"}}
	})
	var first interworker.Key
	waitFor(t, "a session key", func() bool {
		var ok bool
		first, ok = w.s.configs.SessionKey()
		return ok
	})
	if first.Algorithm != "HmacSHA512" || len(first.Key) != 16 {
		t.Fatalf("session key: %s, %d bytes", first.Algorithm, len(first.Key))
	}
	waitFor(t, "the next session key", func() bool {
		k, _ := w.s.configs.SessionKey()
		return k.Created >= first.Created+500 && !bytes.Equal(k.Key, first.Key)
	})
}
