package pgnotify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

// taskContext is the runtime's side of the SPI for a task run by a test:
// no offsets (the task reads none), a logger into a buffer.
type taskContext struct {
	mu  sync.Mutex
	buf bytes.Buffer
	log *slog.Logger
}

func newTaskContext() *taskContext {
	tc := &taskContext{}
	tc.log = slog.New(slog.NewTextHandler(lockedWriter{tc}, nil))
	return tc
}

type lockedWriter struct{ tc *taskContext }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.tc.mu.Lock()
	defer w.tc.mu.Unlock()
	return w.tc.buf.Write(p)
}

func (tc *taskContext) logs() string {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.buf.String()
}

func (*taskContext) Offset(context.Context, map[string]any) (map[string]any, error) { return nil, nil }
func (tc *taskContext) Logger() *slog.Logger                                        { return tc.log }

func pgProps(pg *pgtest.Server, set map[string]string) map[string]string {
	p := map[string]string{
		"database.hostname":                   pg.Host(),
		"database.port":                       strconv.Itoa(pg.Port()),
		"database.user":                       "postgres",
		"database.password":                   "notify-secret-pw",
		"database.dbname":                     "postgres",
		"database.sslmode":                    "disable",
		"topic.prefix":                        "srv",
		"notify.reconnect.backoff.initial.ms": "50",
		"notify.reconnect.backoff.max.ms":     "400",
	}
	for k, v := range set {
		p[k] = v
	}
	return p
}

func startTask(t *testing.T, props map[string]string) (*Task, *taskContext) {
	t.Helper()
	task, tc := NewTask(), newTaskContext()
	if err := task.Start(context.Background(), tc, props); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = task.Stop() })
	waitConnected(t, task)
	return task, tc
}

func metric(task *Task, name string) float64 {
	for _, m := range task.Metrics() {
		if m.Name == name {
			return m.Value
		}
	}
	return -2
}

func waitConnected(t *testing.T, task *Task) {
	t.Helper()
	testutil.Eventually(t, 30*time.Second, "the task listening", testutil.Until("connected", func() bool {
		return metric(task, metricConnected) == 1
	}))
}

// collect polls until n records arrived.
func collect(t *testing.T, task *Task, n int) []connect.SourceRecord {
	t.Helper()
	var out []connect.SourceRecord
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(out) < n {
		recs, err := task.Poll(ctx)
		if err != nil {
			t.Fatalf("after %d of %d records: %v", len(out), n, err)
		}
		out = append(out, recs...)
	}
	if len(out) != n {
		t.Fatalf("got %d records, want %d", len(out), n)
	}
	return out
}

func connectSession(t *testing.T, pg *pgtest.Server) (*pgx.Conn, int32) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	var pid int32
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return conn, pid
}

func notify(t *testing.T, conn *pgx.Conn, channel, payload string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), "SELECT pg_notify($1, $2)", channel, payload); err != nil {
		t.Fatal(err)
	}
}

func header(r connect.SourceRecord, key string) any {
	for _, h := range r.Headers {
		if h.Key == key {
			return h.Value
		}
	}
	return nil
}

// TestNotificationsFromSeveralSessions: three sessions notify concurrently
// on two channels (one needing quotes, mapped to a topic); every
// notification arrives, each session's in the order it sent them, with
// its JSON payload decoded, the channel as key and header, and the
// sender's PID as header. Records carry no offsets.
func TestNotificationsFromSeveralSessions(t *testing.T) {
	pg := pgtest.Start(t)
	task, _ := startTask(t, pgProps(pg, map[string]string{
		"notify.channels":       `orders,Odd "Chan"`,
		"notify.topic.mapping":  `Odd "Chan":odd-events`,
		"notify.payload.format": "json",
		"max.batch.size":        "7",
	}))

	const sessions, each = 3, 40
	pids := map[int32]int{}
	var wg sync.WaitGroup
	for s := range sessions {
		conn, pid := connectSession(t, pg)
		pids[pid] = s
		wg.Go(func() {
			for i := range each {
				ch := "orders"
				if i%3 == 0 {
					ch = `Odd "Chan"`
				}
				if _, err := conn.Exec(context.Background(), "SELECT pg_notify($1, $2)", ch,
					fmt.Sprintf(`{"session":%d,"seq":%d,"tags":["a","b"],"price":1.5,"ok":true,"none":null}`, s, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	recs := collect(t, task, sessions*each)

	next := map[int32]int{}
	for _, r := range recs {
		ch, _ := r.Key.(string)
		wantTopic := map[string]string{"orders": "srv.orders", `Odd "Chan"`: "odd-events"}[ch]
		if r.Topic != wantTopic || header(r, HeaderChannel) != ch {
			t.Fatalf("record on topic %q with key %q and channel header %v", r.Topic, ch, header(r, HeaderChannel))
		}
		if r.SourcePartition != nil || r.SourceOffset != nil {
			t.Fatalf("record carries an offset: %v %v", r.SourcePartition, r.SourceOffset)
		}
		pid, _ := header(r, HeaderPID).(int32)
		s, ok := pids[pid]
		if !ok {
			t.Fatalf("PID header %v is no sending session's (%v)", header(r, HeaderPID), pids)
		}
		v, ok := r.Value.(map[string]any)
		if !ok || r.ValueSchema != nil {
			t.Fatalf("value %T %v with schema %v, want a schemaless map", r.Value, r.Value, r.ValueSchema)
		}
		if v["session"] != int64(s) || v["seq"] != int64(next[pid]) || v["price"] != 1.5 || v["ok"] != true ||
			fmt.Sprint(v["tags"]) != "[a b]" || v["none"] != nil {
			t.Fatalf("session %d (PID %d): value %v, want seq %d", s, pid, v, next[pid])
		}
		next[pid]++
	}
	for pid, n := range next {
		if n != each {
			t.Errorf("PID %d: %d notifications, want %d", pid, n, each)
		}
	}
	if got := metric(task, metricReceived); got != sessions*each {
		t.Errorf("received = %v", got)
	}
	if got := metric(task, metricProduced); got != sessions*each {
		t.Errorf("produced = %v", got)
	}
	if got := metric(task, metricSinceLast); got < 0 {
		t.Errorf("ms since last = %v", got)
	}
}

// TestStringPayload: the default format keeps the payload as a string,
// an empty one included.
func TestStringPayload(t *testing.T) {
	pg := pgtest.Start(t)
	task, _ := startTask(t, pgProps(pg, map[string]string{"notify.channels": "c"}))
	if metric(task, metricSinceLast) != -1 {
		t.Errorf("ms since last before any = %v, want -1", metric(task, metricSinceLast))
	}
	conn, _ := connectSession(t, pg)
	notify(t, conn, "c", "not {json")
	notify(t, conn, "c", "")
	recs := collect(t, task, 2)
	if recs[0].Value != "not {json" || recs[1].Value != "" || recs[0].ValueSchema != optionalStringSchema {
		t.Fatalf("values %q %q", recs[0].Value, recs[1].Value)
	}
}

// TestReconnectAfterTerminate: the listening backend is terminated; the
// task reconnects and delivers what is sent afterwards, and its log names
// neither the password nor leaves the failure unreported.
func TestReconnectAfterTerminate(t *testing.T) {
	pg := pgtest.Start(t)
	task, tc := startTask(t, pgProps(pg, map[string]string{"notify.channels": "c"}))
	conn, _ := connectSession(t, pg)
	notify(t, conn, "c", "before")
	if r := collect(t, task, 1); r[0].Value != "before" {
		t.Fatalf("got %v", r[0].Value)
	}
	var n int
	if err := conn.QueryRow(context.Background(),
		"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'tributary' AND pid <> pg_backend_pid()").Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d backends: %v", n, err)
	}
	testutil.Eventually(t, 30*time.Second, "a reconnection", testutil.Until("reconnected", func() bool {
		return metric(task, metricReconnects) >= 1 && metric(task, metricConnected) == 1
	}))
	notify(t, conn, "c", "after")
	if r := collect(t, task, 1); r[0].Value != "after" {
		t.Fatalf("got %v", r[0].Value)
	}
	logs := tc.logs()
	if !strings.Contains(logs, "the listening connection failed") {
		t.Errorf("no WARN about the failure in\n%s", logs)
	}
	if strings.Contains(logs, "notify-secret-pw") {
		t.Errorf("the log shows the password:\n%s", logs)
	}
}

// TestInvalidJSON: a payload that is not JSON fails the task after the
// records before it, or with errors.tolerance=all is skipped and counted.
func TestInvalidJSON(t *testing.T) {
	pg := pgtest.Start(t)
	t.Run("fails", func(t *testing.T) {
		task, _ := startTask(t, pgProps(pg, map[string]string{"notify.channels": "j", "notify.payload.format": "json"}))
		conn, pid := connectSession(t, pg)
		notify(t, conn, "j", `{"a":1}`)
		notify(t, conn, "j", `{"a":`)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var got int
		for {
			recs, err := task.Poll(ctx)
			got += len(recs)
			if err == nil {
				continue
			}
			want := fmt.Sprintf(`channel "j" from backend PID %d (5 bytes) is not JSON`, pid)
			if got != 1 || !strings.Contains(err.Error(), want) {
				t.Fatalf("after %d records: %v, want one record then %q", got, err, want)
			}
			break
		}
	})
	t.Run("skipped", func(t *testing.T) {
		task, tc := startTask(t, pgProps(pg, map[string]string{"notify.channels": "j", "notify.payload.format": "json",
			"errors.tolerance": "all", "errors.log.enable": "true"}))
		conn, _ := connectSession(t, pg)
		notify(t, conn, "j", `nope`)
		notify(t, conn, "j", `[1,2]`)
		recs := collect(t, task, 1)
		if fmt.Sprint(recs[0].Value) != "[1 2]" || metric(task, metricSkipped) != 1 {
			t.Fatalf("value %v, skipped %v", recs[0].Value, metric(task, metricSkipped))
		}
		if !strings.Contains(tc.logs(), "skipping a notification") {
			t.Errorf("no WARN for the skipped notification")
		}
	})
}

// TestBoundedQueue: with nothing polling, the task holds at most
// max.queue.size notifications and the one it waits to queue; the rest
// stay in PostgreSQL until Poll makes room, and then all arrive in order.
func TestBoundedQueue(t *testing.T) {
	pg := pgtest.Start(t)
	task, _ := startTask(t, pgProps(pg, map[string]string{"notify.channels": "q", "max.queue.size": "3", "max.batch.size": "2"}))
	conn, _ := connectSession(t, pg)
	const n = 50
	for i := range n {
		notify(t, conn, "q", strconv.Itoa(i))
	}
	testutil.Eventually(t, 30*time.Second, "a full queue", testutil.Until("full", func() bool {
		return metric(task, metricQueued) == 3 && metric(task, metricReceived) == 4
	}))
	recs := collect(t, task, n)
	for i, r := range recs {
		if r.Value != strconv.Itoa(i) {
			t.Fatalf("record %d = %v", i, r.Value)
		}
	}
}
