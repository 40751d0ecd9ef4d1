package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

// The end-to-end tests run the built binary as a user would: embedded
// broker, REST API, the example connector config, and kcat (a Kafka client
// we did not write) reading the topics.

func tributaryBinary(t *testing.T) string { return testutil.Binary(t) }

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// process is one running tributary process.
type process struct {
	t        *testing.T
	cmd      *exec.Cmd
	rest     string // http://host:port
	kafka    string // the broker the worker uses
	registry string // the embedded registry's URL, if it runs one
	exited   chan struct{}
	logMu    sync.Mutex
	logs     bytes.Buffer
	waitErr  error
}

// workerEnv configures a worker process. Every listener uses port 0 and the
// test reads the bound addresses from the worker's log, so no port can be
// taken by someone else between choosing and binding it.
type workerEnv struct {
	dataDir  string
	extraEnv []string // more KEY=value entries; they win over the defaults
}

func startWorker(t *testing.T, env workerEnv) *process {
	t.Helper()
	cmd := exec.Command(tributaryBinary(t))
	cmd.Env = append(os.Environ(),
		"CONNECT_LISTENERS=http://127.0.0.1:0",
		"CONNECT_EMBEDDED_KAFKA_LISTENERS=127.0.0.1:0",
		"CONNECT_EMBEDDED_DATA_DIR="+env.dataDir,
		"CONNECT_EMBEDDED_SCHEMA_REGISTRY_LISTENERS=http://127.0.0.1:0",
		"CONNECT_OFFSET_FLUSH_INTERVAL_MS=300",
		// Under the default sessioned protocol a worker that left without
		// saying so (SIGKILL) has its work held for this long before it is
		// reassigned, even to the same worker restarted, which listens on
		// another port and so has another URL (as in Kafka Connect); five
		// minutes by default.
		"CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS=2000",
	)
	cmd.Env = append(cmd.Env, env.extraEnv...)
	w := &process{t: t, cmd: cmd, exited: make(chan struct{})}
	for _, kv := range env.extraEnv {
		if v, ok := strings.CutPrefix(kv, "CONNECT_BOOTSTRAP_SERVERS="); ok {
			w.kafka = v
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			w.logMu.Lock()
			w.logs.WriteString(sc.Text() + "\n")
			w.logMu.Unlock()
		}
		w.waitErr = cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default:
			if t.Failed() {
				// A failed test may have found a worker stuck: SIGQUIT has
				// the Go runtime print every goroutine's stack to the log.
				_ = cmd.Process.Signal(syscall.SIGQUIT)
				select {
				case <-w.exited:
				case <-time.After(10 * time.Second):
				}
			}
			_ = cmd.Process.Kill()
			<-w.exited
		}
		if t.Failed() {
			t.Logf("worker log:\n%s", w.log())
		}
	})
	waitFor(t, 30*time.Second, "worker REST API to answer", func() bool {
		select {
		case <-w.exited:
			t.Fatalf("worker exited during startup: %v\n%s", w.waitErr, w.log())
		default:
		}
		logs := w.log()
		if w.kafka == "" {
			w.kafka = logAttr(logs, "embedded Kafka broker started", "addr")
		}
		if w.registry == "" {
			w.registry = logAttr(logs, "embedded schema registry listening", "url")
		}
		if w.rest == "" {
			if addr := logAttr(logs, "REST API listening", "addr"); addr != "" {
				w.rest = "http://" + addr
			}
		}
		if w.rest == "" || w.kafka == "" {
			return false
		}
		resp, err := http.Get(w.rest + "/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return w
}

var logLine = regexp.MustCompile(`msg="([^"]*)"(.*)`)

// logAttr returns attribute key of the first log line with message msg.
func logAttr(logs, msg, key string) string {
	for _, line := range strings.Split(logs, "\n") {
		m := logLine.FindStringSubmatch(line)
		if m == nil || m[1] != msg {
			continue
		}
		for _, f := range strings.Fields(m[2]) {
			if v, ok := strings.CutPrefix(f, key+"="); ok {
				return v
			}
		}
	}
	return ""
}

func (w *process) log() string {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	return w.logs.String()
}

// stop sends SIGTERM and requires a clean exit within a few seconds.
func (w *process) stop() {
	w.t.Helper()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		w.t.Fatal(err)
	}
	select {
	case <-w.exited:
		if w.waitErr != nil {
			w.t.Fatalf("worker exited with %v after SIGTERM\n%s", w.waitErr, w.log())
		}
	case <-time.After(15 * time.Second):
		w.t.Fatalf("worker did not stop within 15s of SIGTERM\n%s", w.log())
	}
}

// kill ends the worker the hard way, as a crash would.
func (w *process) kill() {
	w.t.Helper()
	_ = w.cmd.Process.Kill()
	<-w.exited
}

func (w *process) do(method, path string, body []byte) (int, []byte) {
	w.t.Helper()
	req, err := http.NewRequest(method, w.rest+path, bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, timeout, what, testutil.Until(what, cond))
}

// kcatMessage is one line of `kcat -J`.
type kcatMessage struct {
	Topic     string   `json:"topic"`
	Partition int      `json:"partition"`
	Offset    int64    `json:"offset"`
	Key       *string  `json:"key"`
	Payload   *string  `json:"payload"`
	Headers   []string `json:"headers"`
}

// consume reads every record of topic with kcat.
// kcatArgs are added to kcat's (e.g. "-X", "isolation.level=read_committed").
func consume(t *testing.T, broker, topic string, kcatArgs ...string) []kcatMessage {
	t.Helper()
	// Generous: the fault suite reads tens of thousands of 3 KB records,
	// which kcat escapes into JSON, on a busy 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"-b", broker, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q"}, kcatArgs...)
	cmd := exec.CommandContext(ctx, "kcat", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// A topic that does not exist yet reads as empty.
		if strings.Contains(stderr.String(), "Unknown topic") {
			return nil
		}
		t.Fatalf("kcat: %v: %s", err, stderr.String())
	}
	var msgs []kcatMessage
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var m kcatMessage
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("decoding kcat output %q: %v", line, err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

func consumeAtLeast(t *testing.T, broker, topic string, n int) []kcatMessage {
	t.Helper()
	var msgs []kcatMessage
	waitFor(t, 60*time.Second, fmt.Sprintf("%d records on %s", n, topic), func() bool {
		msgs = consume(t, broker, topic)
		return len(msgs) >= n
	})
	return msgs
}

// event is the part of a Debezium JSON record the tests look at.
type event struct {
	key      map[string]any
	op       string
	snapshot string
	before   map[string]any
	after    map[string]any
	tomb     bool
	schema   map[string]any
}

func decodeEvent(t *testing.T, m kcatMessage) event {
	t.Helper()
	var ev event
	if m.Key != nil {
		var k struct {
			Schema  map[string]any `json:"schema"`
			Payload map[string]any `json:"payload"`
		}
		if err := json.Unmarshal([]byte(*m.Key), &k); err != nil {
			t.Fatalf("decoding key %q: %v", *m.Key, err)
		}
		ev.key = k.Payload
	}
	if m.Payload == nil {
		ev.tomb = true
		return ev
	}
	var v struct {
		Schema  map[string]any `json:"schema"`
		Payload struct {
			Before map[string]any `json:"before"`
			After  map[string]any `json:"after"`
			Source map[string]any `json:"source"`
			Op     string         `json:"op"`
		} `json:"payload"`
	}
	if err := json.Unmarshal([]byte(*m.Payload), &v); err != nil {
		t.Fatalf("decoding value %q: %v", *m.Payload, err)
	}
	ev.op, ev.before, ev.after, ev.schema = v.Payload.Op, v.Payload.Before, v.Payload.After, v.Schema
	if s, ok := v.Payload.Source["snapshot"].(string); ok {
		ev.snapshot = s
	}
	return ev
}

func (e event) String() string {
	if e.tomb {
		return fmt.Sprintf("tombstone key=%v", e.key)
	}
	return fmt.Sprintf("op=%s snapshot=%s key=%v before=%v after=%v", e.op, e.snapshot, e.key, e.before, e.after)
}

const inventorySchema = `
CREATE TABLE customers (
  id SERIAL PRIMARY KEY,
  first_name VARCHAR(255) NOT NULL,
  last_name VARCHAR(255) NOT NULL,
  email VARCHAR(255) NOT NULL UNIQUE
);
CREATE TABLE orders (
  id SERIAL PRIMARY KEY,
  order_date DATE NOT NULL,
  purchaser INTEGER NOT NULL REFERENCES customers(id),
  quantity INTEGER NOT NULL,
  amount NUMERIC(10,2) NOT NULL
);
INSERT INTO customers (first_name, last_name, email) VALUES
  ('Sally', 'Thomas', 'sally.thomas@acme.com'),
  ('George', 'Bailey', 'gbailey@foobar.com'),
  ('Edward', 'Walker', 'ed@walker.com');
INSERT INTO orders (order_date, purchaser, quantity, amount) VALUES
  ('2016-01-16', 1, 1, 74.99),
  ('2016-01-17', 2, 2, 19.90);
`

// inventoryConfig loads configs/inventory-connector.json and points it at
// the test database.
func inventoryConfig(t *testing.T, pg *pgtest.Server, mutate func(map[string]string)) []byte {
	t.Helper()
	raw, err := os.ReadFile("../configs/inventory-connector.json")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	body.Config["database.hostname"] = pg.Host()
	body.Config["database.port"] = strconv.Itoa(pg.Port())
	body.Config["database.dbname"] = "postgres"
	if mutate != nil {
		mutate(body.Config)
	}
	out, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func waitRunning(t *testing.T, w *process, name string) {
	t.Helper()
	waitFor(t, 30*time.Second, "connector "+name+" RUNNING", func() bool {
		code, body := w.do("GET", "/connectors/"+name+"/status", nil)
		if code != http.StatusOK {
			return false
		}
		var st struct {
			Connector struct{ State string } `json:"connector"`
			Tasks     []struct {
				State string `json:"state"`
				Trace string `json:"trace"`
			} `json:"tasks"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Tasks) > 0 && st.Tasks[0].State == "FAILED" {
			t.Fatalf("task failed: %s", st.Tasks[0].Trace)
		}
		return st.Connector.State == "RUNNING" && len(st.Tasks) == 1 && st.Tasks[0].State == "RUNNING"
	})
}

// checkMetrics scrapes GET /metrics after the inventory test's snapshot (3
// customers, 2 orders) and streamed changes (one insert, one update, one
// delete), parses it with Prometheus's own parser and checks Debezium's
// metrics.
func checkMetrics(t *testing.T, w *process) {
	t.Helper()
	code, body := w.do("GET", "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", code, body)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("Prometheus's parser refused GET /metrics: %v\n%s", err, body)
	}
	value := func(name string, labels ...string) float64 {
		t.Helper()
		for _, m := range fams[name].GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			match := true
			for i := 0; i < len(labels); i += 2 {
				match = match && got[labels[i]] == labels[i+1]
			}
			if match {
				if c := m.GetCounter(); c != nil {
					return c.GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
		t.Fatalf("no sample of %s%v in GET /metrics:\n%s", name, labels, body)
		return 0
	}
	streaming := []string{"plugin", "postgres", "name", "dbserver1", "context", "streaming"}
	snapshot := []string{"plugin", "postgres", "name", "dbserver1", "context", "snapshot"}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"kafka_connect_worker_task_count", nil, 1},
		{"kafka_connect_connector_status", []string{"connector", "inventory", "task", "0", "status", "running"}, 1},
		{"debezium_metrics_Connected", streaming, 1},
		{"debezium_metrics_TotalNumberOfCreateEventsSeen", streaming, 1},
		{"debezium_metrics_TotalNumberOfUpdateEventsSeen", streaming, 1},
		{"debezium_metrics_TotalNumberOfDeleteEventsSeen", streaming, 1},
		{"debezium_metrics_TotalNumberOfEventsSeen", streaming, 3},
		{"debezium_metrics_SnapshotCompleted", snapshot, 1},
		{"debezium_metrics_TotalTableCount", snapshot, 2},
		{"debezium_metrics_RowsScanned", append(snapshot, "table", "public.customers"), 3},
		{"debezium_metrics_RowsScanned", append(snapshot, "table", "public.orders"), 2},
	} {
		if got := value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if lag := value("tributary_postgres_slot_lag_bytes", "name", "dbserver1"); lag < 0 {
		t.Errorf("slot lag = %v", lag)
	}
}

func TestEndToEndInventory(t *testing.T) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Fatalf("kcat is required (make deps installs it): %v", err)
	}
	pg := pgtest.Start(t)
	pg.Exec(t, inventorySchema)

	env := workerEnv{dataDir: filepath.Join(t.TempDir(), "data")}
	w := startWorker(t, env)

	// Create the connector from the example config.
	code, body := w.do("POST", "/connectors", inventoryConfig(t, pg, nil))
	if code != http.StatusCreated {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	var info struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
		Tasks  []map[string]any  `json:"tasks"`
		Type   string            `json:"type"`
	}
	if err := json.Unmarshal(body, &info); err != nil {
		t.Fatal(err)
	}
	if info.Name != "inventory" || info.Type != "source" || info.Config["name"] != "inventory" {
		t.Fatalf("unexpected ConnectorInfo %s", body)
	}
	waitRunning(t, w, "inventory")

	const customers, orders = "dbserver1.public.customers", "dbserver1.public.orders"

	// Snapshot: every existing row as op "r", marked as Debezium marks a
	// two-table snapshot: first ... last_in_data_collection, then
	// first_in_data_collection ... last.
	snapC := consumeAtLeast(t, w.kafka, customers, 3)
	snapO := consumeAtLeast(t, w.kafka, orders, 2)
	var marks []string
	for _, m := range append(snapC, snapO...) {
		ev := decodeEvent(t, m)
		if ev.op != "r" || ev.before != nil || ev.after == nil {
			t.Fatalf("snapshot record: %v", ev)
		}
		marks = append(marks, ev.snapshot)
	}
	if got, want := strings.Join(marks, ","), "first,true,last_in_data_collection,first_in_data_collection,last"; got != want {
		t.Fatalf("snapshot marks = %s, want %s", got, want)
	}
	if first := decodeEvent(t, snapC[0]); first.key["id"] != float64(1) || first.after["email"] != "sally.thomas@acme.com" {
		t.Fatalf("first customer: %v", first)
	}
	if amount := decodeEvent(t, snapO[0]).after["amount"]; amount != "HUs=" { // 74.99 → unscaled 7499 = 0x1D4B
		t.Fatalf("orders.amount = %v, want Decimal bytes HUs=", amount)
	}

	// Streaming: insert, update, delete (+ tombstone).
	pg.Exec(t,
		`INSERT INTO customers (first_name, last_name, email) VALUES ('Anne', 'Kretchmar', 'annek@noanswer.org')`,
		`UPDATE customers SET first_name = 'Anne Marie' WHERE id = 4`,
		`DELETE FROM orders WHERE id = 2`,
	)
	gotC := consumeAtLeast(t, w.kafka, customers, 5)
	ins, upd := decodeEvent(t, gotC[3]), decodeEvent(t, gotC[4])
	if ins.op != "c" || ins.after["first_name"] != "Anne" || ins.snapshot != "false" {
		t.Fatalf("insert event: %v", ins)
	}
	if upd.op != "u" || upd.after["first_name"] != "Anne Marie" || upd.before != nil {
		t.Fatalf("update event: %v", upd)
	}
	gotO := consumeAtLeast(t, w.kafka, orders, 4)
	del, tomb := decodeEvent(t, gotO[2]), decodeEvent(t, gotO[3])
	if del.op != "d" || del.after != nil || del.before["id"] != float64(2) {
		t.Fatalf("delete event: %v", del)
	}
	if !tomb.tomb || tomb.key["id"] != float64(2) || *gotO[3].Key != *gotO[2].Key {
		t.Fatalf("tombstone: %v", tomb)
	}
	checkMetrics(t, w)

	// A clean stop, then a restart: no re-snapshot, nothing lost, nothing
	// delivered twice.
	w.stop()
	pg.Exec(t, `INSERT INTO customers (first_name, last_name, email) VALUES ('Written', 'While Down', 'down@example.com')`)
	w = startWorker(t, env)
	waitRunning(t, w, "inventory")
	pg.Exec(t, `UPDATE customers SET last_name = 'Thomas-Smith' WHERE id = 1`)
	gotC = consumeAtLeast(t, w.kafka, customers, 7)
	if len(gotC) != 7 {
		t.Fatalf("customers has %d records after restart, want 7 (no duplicates): %v", len(gotC), gotC)
	}
	if ev := decodeEvent(t, gotC[5]); ev.op != "c" || ev.after["email"] != "down@example.com" {
		t.Fatalf("change made while stopped: %v", ev)
	}
	if ev := decodeEvent(t, gotC[6]); ev.op != "u" || ev.after["last_name"] != "Thomas-Smith" {
		t.Fatalf("change after restart: %v", ev)
	}

	// A crash (SIGKILL): changes committed around it all arrive after the
	// restart; duplicates are allowed only from the uncommitted window.
	pg.Exec(t, `INSERT INTO customers (first_name, last_name, email) VALUES ('Before', 'Crash', 'crash1@example.com')`)
	consumeAtLeast(t, w.kafka, customers, 8)
	w.kill()
	pg.Exec(t, `INSERT INTO customers (first_name, last_name, email) VALUES ('After', 'Crash', 'crash2@example.com')`)
	w = startWorker(t, env)
	waitRunning(t, w, "inventory")
	var emails []string
	waitFor(t, 60*time.Second, "the change made after the crash", func() bool {
		emails = emails[:0]
		for _, m := range consume(t, w.kafka, customers) {
			if ev := decodeEvent(t, m); !ev.tomb && ev.after != nil {
				emails = append(emails, ev.after["email"].(string)+"/"+ev.op)
			}
		}
		return len(emails) > 0 && emails[len(emails)-1] == "crash2@example.com/c"
	})
	seen := map[string]int{}
	for _, e := range emails {
		seen[e]++
		if strings.HasSuffix(e, "/r") && seen[e] > 1 {
			t.Fatalf("re-snapshot after crash: %v", emails)
		}
	}
	if seen["crash1@example.com/c"] == 0 {
		t.Fatalf("change before the crash lost: %v", emails)
	}

	// Clean shutdown once more, and the connector listing survives.
	code, body = w.do("GET", "/connectors", nil)
	if code != http.StatusOK || strings.TrimSpace(string(body)) != `["inventory"]` {
		t.Fatalf("GET /connectors = %d %s", code, body)
	}
	w.stop()
}

func TestEndToEndBadConfigs(t *testing.T) {
	pg := pgtest.Start(t)
	env := workerEnv{dataDir: filepath.Join(t.TempDir(), "data")}
	w := startWorker(t, env)

	cases := []struct {
		name   string
		mutate func(map[string]string)
		field  string
	}{
		{"missing topic.prefix", func(c map[string]string) { delete(c, "topic.prefix") }, "topic.prefix"},
		{"unknown connector.class", func(c map[string]string) { c["connector.class"] = "com.example.NoSuchConnector" }, "connector.class"},
		{"bad snapshot.mode", func(c map[string]string) { c["snapshot.mode"] = "sometimes" }, "snapshot.mode"},
		{"decoderbufs", func(c map[string]string) { c["plugin.name"] = "decoderbufs" }, "plugin.name"},
		{"unreachable database", func(c map[string]string) { c["database.port"] = strconv.Itoa(freePort(t)) }, "database.hostname"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := w.do("POST", "/connectors", inventoryConfig(t, pg, tc.mutate))
			if code != http.StatusBadRequest {
				t.Fatalf("POST = %d %s, want 400", code, body)
			}
			var e struct {
				ErrorCode int    `json:"error_code"`
				Message   string `json:"message"`
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("error body %s: %v", body, err)
			}
			if e.ErrorCode != 400 || !strings.Contains(e.Message, tc.field) {
				t.Fatalf("error body %s does not name %s", body, tc.field)
			}
		})
	}
	code, body := w.do("GET", "/connectors", nil)
	if code != http.StatusOK || strings.TrimSpace(string(body)) != `[]` {
		t.Fatalf("after bad configs GET /connectors = %d %s, want []", code, body)
	}
	w.stop()
}

// TestEndToEndSeveralListeners: every URL in listeners serves the API, and
// the worker advertises the first one unless rest.advertised.* say otherwise.
func TestEndToEndSeveralListeners(t *testing.T) {
	w := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: []string{
		"CONNECT_LISTENERS=http://127.0.0.1:0,http://127.0.0.1:0",
	}})
	var addrs []string
	for _, line := range strings.Split(w.log(), "\n") {
		if m := logLine.FindStringSubmatch(line); m != nil && m[1] == "REST API listening" {
			for _, f := range strings.Fields(m[2]) {
				if v, ok := strings.CutPrefix(f, "addr="); ok {
					addrs = append(addrs, v)
				}
			}
		}
	}
	if len(addrs) != 2 || addrs[0] == addrs[1] {
		t.Fatalf("listening on %v, want two addresses", addrs)
	}
	for _, a := range addrs {
		resp, err := http.Get("http://" + a + "/connectors")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /connectors on %s = %d", a, resp.StatusCode)
		}
	}
	if got := logAttr(w.log(), "worker started", "worker_id"); got != addrs[0] {
		t.Fatalf("worker_id %q, want the first listener %s", got, addrs[0])
	}
	w.stop()
}
