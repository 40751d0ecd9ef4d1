package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

const notifyClass = "io.tributary.connector.postgresql.NotifyConnector"

// notifyConfig is a NotifyConnector config on pg's database "postgres",
// values as plain JSON and keys as strings.
func notifyConfig(t *testing.T, name string, pg *pgtest.Server, set map[string]string) []byte {
	t.Helper()
	cfg := map[string]string{
		"connector.class":                     notifyClass,
		"database.hostname":                   pg.Host(),
		"database.port":                       strconv.Itoa(pg.Port()),
		"database.user":                       "postgres",
		"database.password":                   "e2e-notify-pw",
		"database.dbname":                     "postgres",
		"topic.prefix":                        "app",
		"notify.channels":                     "events",
		"notify.payload.format":               "json",
		"notify.reconnect.backoff.initial.ms": "100",
		"notify.reconnect.backoff.max.ms":     "1000",
		"key.converter":                       "org.apache.kafka.connect.storage.StringConverter",
		"value.converter":                     "org.apache.kafka.connect.json.JsonConverter",
		"value.converter.schemas.enable":      "false",
	}
	for k, v := range set {
		if v == "" {
			delete(cfg, k)
		} else {
			cfg[k] = v
		}
	}
	body, err := json.Marshal(map[string]any{"name": name, "config": cfg})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// notifySession is one PostgreSQL session sending notifications.
type notifySession struct {
	conn *pgx.Conn
	pid  int
}

func newNotifySession(t *testing.T, pg *pgtest.Server) *notifySession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	s := &notifySession{conn: conn}
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&s.pid); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *notifySession) send(t *testing.T, channel, payload string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.conn.Exec(ctx, "SELECT pg_notify($1, $2)", channel, payload); err != nil {
		t.Fatal(err)
	}
}

// notifyMetric reads one tributary_notify_* sample of connector prefix
// from GET /metrics, or -1 when there is none.
func notifyMetric(t *testing.T, w *process, name, prefix string) float64 {
	t.Helper()
	code, body := w.do("GET", "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	want := name + `{name="` + prefix + `"} `
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), want); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric line %q: %v", sc.Text(), err)
			}
			return f
		}
	}
	return -1
}

func waitListening(t *testing.T, w *process, prefix string) {
	t.Helper()
	waitFor(t, 60*time.Second, "the notify task listening", func() bool {
		return notifyMetric(t, w, "tributary_notify_connected", prefix) == 1
	})
}

// notifyEvent is one record of a notify topic, as kcat read it.
type notifyEvent struct {
	channel string
	pid     int
	tag     string
	session int
	seq     int
}

func decodeNotify(t *testing.T, m kcatMessage) notifyEvent {
	t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(m.Headers); i += 2 {
		h[m.Headers[i]] = m.Headers[i+1]
	}
	ev := notifyEvent{channel: h["__pg_notify_channel"]}
	pid, err := strconv.Atoi(h["__pg_notify_pid"])
	if err != nil || ev.channel == "" {
		t.Fatalf("headers %v lack the channel or PID", m.Headers)
	}
	ev.pid = pid
	if m.Key == nil || *m.Key != ev.channel {
		t.Fatalf("key %v, want the channel %q", m.Key, ev.channel)
	}
	if m.Payload == nil {
		t.Fatal("null value")
	}
	var v struct {
		Tag     string `json:"tag"`
		Session int    `json:"session"`
		Seq     int    `json:"seq"`
	}
	if err := json.Unmarshal([]byte(*m.Payload), &v); err != nil {
		t.Fatalf("value %s: %v", *m.Payload, err)
	}
	ev.tag, ev.session, ev.seq = v.Tag, v.Session, v.Seq
	return ev
}

// TestEndToEndNotify runs the NOTIFY connector in the built binary:
// notifications of several sessions arrive in Kafka in each session's
// send order, their JSON payloads decoded, the channel and sender PID in
// headers; after a restart of the worker, what was sent while it was
// down is missing and everything sent before and after is there, in
// order (the documented at-most-once); after pg_terminate_backend of its
// listening connection the task reconnects and delivers again; unknown
// and invalid properties are 400s naming them.
func TestEndToEndNotify(t *testing.T) {
	pg := pgtest.Start(t)
	env := workerEnv{dataDir: filepath.Join(t.TempDir(), "data")}
	w := startWorker(t, env)

	code, body := w.do("GET", "/connector-plugins", nil)
	if code != http.StatusOK || !strings.Contains(string(body), `"class":"`+notifyClass+`"`) {
		t.Fatalf("GET /connector-plugins = %d %s, want %s listed", code, body, notifyClass)
	}

	for _, tc := range []struct {
		name  string
		set   map[string]string
		field string
	}{
		{"unknown property", map[string]string{"notify.channel": "x"}, "notify.channel"},
		{"slot property", map[string]string{"slot.name": "s"}, "slot.name"},
		{"bad format", map[string]string{"notify.payload.format": "xml"}, "notify.payload.format"},
		{"mapping of an unlisted channel", map[string]string{"notify.topic.mapping": "other:t"}, "notify.topic.mapping"},
		{"no channels", map[string]string{"notify.channels": ""}, "notify.channels"},
		{"unreachable database", map[string]string{"database.port": strconv.Itoa(freePort(t))}, "database.hostname"},
	} {
		code, body := w.do("POST", "/connectors", notifyConfig(t, "bad", pg, tc.set))
		var e struct {
			ErrorCode int    `json:"error_code"`
			Message   string `json:"message"`
		}
		if code != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.ErrorCode != 400 || !strings.Contains(e.Message, tc.field) {
			t.Fatalf("%s: POST = %d %s, want a 400 naming %s", tc.name, code, body, tc.field)
		}
		if strings.Contains(string(body), "e2e-notify-pw") {
			t.Fatalf("%s: the error shows the password: %s", tc.name, body)
		}
	}

	createConnector(t, w, notifyConfig(t, "events", pg, map[string]string{
		"notify.channels":      "events,Audit Trail",
		"notify.topic.mapping": "Audit Trail:audit",
	}))
	waitRunning(t, w, "events")
	waitListening(t, w, "app")

	sessions := []*notifySession{newNotifySession(t, pg), newNotifySession(t, pg), newNotifySession(t, pg)}
	sent := map[string][]notifyEvent{} // topic → what was sent, per session in order
	send := func(tag string, n int) {
		for i := range n {
			for si, s := range sessions {
				ch, topic := "events", "app.events"
				if (i+si)%4 == 0 {
					ch, topic = "Audit Trail", "audit"
				}
				seq := len(sent[topic])
				s.send(t, ch, fmt.Sprintf(`{"tag":%q,"session":%d,"seq":%d}`, tag, si, seq))
				sent[topic] = append(sent[topic], notifyEvent{channel: ch, pid: s.pid, tag: tag, session: si, seq: seq})
			}
		}
	}
	// check reads both topics and compares with what was sent, less the
	// notifications tagged lost.
	check := func(lost string) {
		t.Helper()
		for topic, all := range sent {
			var want []notifyEvent
			for _, ev := range all {
				if ev.tag != lost {
					want = append(want, ev)
				}
			}
			msgs := consumeAtLeast(t, w.kafka, topic, len(want))
			var got []notifyEvent
			for _, m := range msgs {
				got = append(got, decodeNotify(t, m))
			}
			// Per session, the order it sent in; across sessions, any
			// interleaving PostgreSQL's commit order gave.
			for si := range sessions {
				keep := func(evs []notifyEvent) []notifyEvent {
					return slices.DeleteFunc(slices.Clone(evs), func(e notifyEvent) bool { return e.session != si })
				}
				if g, wnt := keep(got), keep(want); !slices.Equal(g, wnt) {
					t.Fatalf("topic %s, session %d:\n got %v\nwant %v", topic, si, g, wnt)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("topic %s: %d records, want %d", topic, len(got), len(want))
			}
		}
	}

	send("before", 30)
	check("")

	// A worker restart: what is sent while it is down is lost.
	w.stop()
	send("during", 10)
	w = startWorker(t, env)
	waitRunning(t, w, "events")
	waitListening(t, w, "app")
	send("after", 30)
	check("during")

	// The listening backend is terminated: the task reconnects.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var terminated int
	if err := sessions[0].conn.QueryRow(ctx,
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'tributary' AND pid <> pg_backend_pid()").Scan(&terminated); err != nil || terminated != 1 {
		t.Fatalf("terminated %d backends: %v", terminated, err)
	}
	waitFor(t, 60*time.Second, "a reconnection", func() bool {
		return notifyMetric(t, w, "tributary_notify_reconnects_total", "app") >= 1 &&
			notifyMetric(t, w, "tributary_notify_connected", "app") == 1
	})
	send("reconnected", 5)
	check("during")
	if got := notifyMetric(t, w, "tributary_notify_notifications_received_total", "app"); got < 3*5 {
		t.Errorf("received = %v, want at least the %d sent since the reconnection", got, 3*5)
	}
	if strings.Contains(w.log(), "e2e-notify-pw") {
		t.Error("the worker log shows the password")
	}
	w.stop()
}
