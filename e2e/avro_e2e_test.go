package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// The Avro end-to-end tests run the built binary with its embedded broker
// and embedded schema registry, and read the topics with a consumer we did
// not write: kafkajs + @kafkajs/confluent-schema-registry, which fetches the
// schemas by id from the embedded registry and decodes with avsc.

const (
	avroConverterClass = "io.confluent.connect.avro.AvroConverter"
	kafkajsScript      = "../connect/schemaregistry/testdata/kafkajs/consume.js"
	nodeModulesDir     = "../.cache/node/node_modules"
)

// avroWorker starts a worker with its embedded registry, and returns it with
// the registry's URL.
func avroWorker(t *testing.T, extraEnv ...string) (*process, string) {
	t.Helper()
	w := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data"), extraEnv: extraEnv})
	if w.registry == "" {
		t.Fatalf("the worker runs no embedded registry:\n%s", w.log())
	}
	return w, w.registry
}

// connectorJSON is a Debezium PostgreSQL connector config for one table of
// pg with the given topic prefix, plus extra properties.
func connectorJSON(t *testing.T, name string, pg *pgtest.Server, prefix, table string, extra map[string]string) []byte {
	t.Helper()
	cfg := map[string]string{
		"connector.class":             "io.debezium.connector.postgresql.PostgresConnector",
		"tasks.max":                   "1",
		"database.hostname":           pg.Host(),
		"database.port":               strconv.Itoa(pg.Port()),
		"database.user":               "postgres",
		"database.password":           "postgres",
		"database.dbname":             "postgres",
		"topic.prefix":                prefix,
		"slot.name":                   "slot_" + name,
		"publication.name":            "pub_" + name,
		"publication.autocreate.mode": "filtered",
		"table.include.list":          table,
	}
	for k, v := range extra {
		cfg[k] = v
	}
	out, err := json.Marshal(map[string]any{"name": name, "config": cfg})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func createConnector(t *testing.T, w *process, body []byte) {
	t.Helper()
	if code, out := w.do("POST", "/connectors", body); code != http.StatusCreated {
		t.Fatalf("POST /connectors = %d %s", code, out)
	}
}

// rawRecord is a record's key and value bytes as the broker holds them.
type rawRecord struct{ key, value []byte }

// readRaw reads every record of partition 0 of topic up to its high
// watermark.
func readRaw(t *testing.T, broker, topic string) []rawRecord {
	t.Helper()
	client, err := sarama.NewClient([]string{broker}, kafkaclient.NewConfig("avro-e2e-reader"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	hwm, err := client.GetOffset(topic, 0, sarama.OffsetNewest)
	if err != nil {
		t.Fatalf("reading the high watermark of %s: %v", topic, err)
	}
	if hwm == 0 {
		return nil
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	pc, err := consumer.ConsumePartition(topic, 0, sarama.OffsetOldest)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	var out []rawRecord
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	for int64(len(out)) < hwm {
		select {
		case m := <-pc.Messages():
			out = append(out, rawRecord{key: m.Key, value: m.Value})
			if m.Offset+1 >= hwm {
				return out
			}
		case <-deadline.C:
			t.Fatalf("reading %s: timed out with %d of %d records", topic, len(out), hwm)
		}
	}
	return out
}

// waitRaw waits until topic holds at least n records and returns them all.
func waitRaw(t *testing.T, broker, topic string, n int) []rawRecord {
	t.Helper()
	var recs []rawRecord
	waitFor(t, 60*time.Second, fmt.Sprintf("%d records on %s", n, topic), func() bool {
		recs = readRaw(t, broker, topic)
		return len(recs) >= n
	})
	return recs
}

// schemaID returns the schema id of Confluent-framed bytes, or -1 for a
// Kafka null.
func schemaID(t *testing.T, b []byte) int {
	t.Helper()
	if b == nil {
		return -1
	}
	if len(b) < 5 || b[0] != 0 {
		t.Fatalf("not Confluent-framed Avro: % x", b)
	}
	return int(binary.BigEndian.Uint32(b[1:5]))
}

// decoded is one record as kafkajs decodes it (bytes as {"base64": …}).
type decoded struct {
	Key   map[string]any `json:"key"`
	Value map[string]any `json:"value"`
}

// kafkajsRead has kafkajs read the first n records of topic and decode them
// through the registry at regURL.
func kafkajsRead(t *testing.T, broker, regURL, topic string, n int) []decoded {
	t.Helper()
	var recs []decoded
	runKafkajs(t, kafkajsScript, &recs, broker, regURL, topic, strconv.Itoa(n))
	return recs
}

// runKafkajs runs a node script with the npm packages scripts/install-deps
// installs (kafkajs and @kafkajs/confluent-schema-registry) and decodes
// the JSON it prints into out.
func runKafkajs(t *testing.T, script string, out any, args ...string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required for this test: %v", err)
	}
	for _, pkg := range []string{"kafkajs", "@kafkajs/confluent-schema-registry"} {
		if _, err := os.Stat(filepath.Join(nodeModulesDir, pkg, "package.json")); err != nil {
			t.Fatalf("npm package %s missing: run scripts/install-deps (%v)", pkg, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	abs, err := filepath.Abs(nodeModulesDir)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "NODE_PATH="+abs)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	printed, err := cmd.Output()
	if err != nil {
		t.Fatalf("kafkajs consumer: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(printed, out); err != nil {
		t.Fatalf("kafkajs output is not JSON: %v\n%s", err, printed)
	}
}

// registryGet GETs path from the registry and decodes the JSON answer.
func registryGet(t *testing.T, regURL, path string, out any) {
	t.Helper()
	resp, err := http.Get(regURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, body)
	}
}

// registrySend sends a JSON body to the registry and returns the status.
func registrySend(t *testing.T, method, regURL, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, regURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// subjectVersion is GET /subjects/{s}/versions/{v}.
type subjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
}

// goldenAvro reads a hand-written schema from testdata/avro, compacted.
func goldenAvro(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "avro", name))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return buf.String()
}

// jsonValue parses a JSON literal for comparison with decoded values.
func jsonValue(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad expected JSON %s: %v", s, err)
	}
	return v
}

// taskStatus returns the state and trace of task 0 of connector name.
func taskStatus(t *testing.T, w *process, name string) (state, trace string) {
	t.Helper()
	code, body := w.do("GET", "/connectors/"+name+"/status", nil)
	if code != http.StatusOK {
		return "", ""
	}
	var st struct {
		Tasks []struct {
			State string `json:"state"`
			Trace string `json:"trace"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Tasks) == 0 {
		return "", ""
	}
	return st.Tasks[0].State, st.Tasks[0].Trace
}

// pgLSN runs a query returning one pg_lsn and returns it as a number.
func pgLSN(t *testing.T, pg *pgtest.Server, query string) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var text *string
	if err := conn.QueryRow(ctx, query).Scan(&text); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if text == nil {
		return 0
	}
	hi, lo, ok := strings.Cut(*text, "/")
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		t.Fatalf("%s: bad LSN %q", query, *text)
	}
	return h<<32 | l
}

const itemsTable = `
CREATE TABLE items (
  id SERIAL PRIMARY KEY,
  small SMALLINT,
  big BIGINT NOT NULL,
  price NUMERIC(10,2),
  name TEXT NOT NULL,
  flag BOOLEAN DEFAULT true,
  day DATE,
  ts TIMESTAMP,
  at TIMESTAMPTZ,
  uid UUID,
  doc JSONB,
  raw BYTEA,
  ratio DOUBLE PRECISION,
  tags TEXT[]
);
INSERT INTO items (small, big, price, name, flag, day, ts, at, uid, doc, raw, ratio, tags) VALUES
  (-2, 1234567890123, 12.50, 'Zoë', false, '2024-05-01', '2024-05-01 10:00:00.123456',
   '2024-05-01 10:00:00.123456+00', '8f14e45f-ceea-467f-a0e6-4a8b2c0b1f44', '{"a": 1}', '\x000102', 2.25, '{x,NULL}');
INSERT INTO items (big, name, flag) VALUES (2, 'second', NULL);
`

// runItemsScenario checks snapshot and c/u/d of the items table through a
// running AvroConverter connector named name: the raw framing, the schema
// ids, what kafkajs decodes, and the exact schema text of both subjects.
func runItemsScenario(t *testing.T, w *process, pg *pgtest.Server, regURL, name string) {
	t.Helper()
	waitRunning(t, w, name)
	const topic = "e2e.public.items"
	waitRaw(t, w.kafka, topic, 2)
	pg.Exec(t,
		`INSERT INTO items (big, name, price, flag) VALUES (3, 'third', -0.05, false)`,
		`UPDATE items SET name = 'first' WHERE id = 1`,
		`DELETE FROM items WHERE id = 2`,
	)
	raw := waitRaw(t, w.kafka, topic, 6)
	if len(raw) != 6 {
		t.Fatalf("%s holds %d records, want 6", topic, len(raw))
	}

	// The subjects hold exactly the schemas Debezium + AvroConverter
	// register for this table: one version each, the same text.
	var subjects []string
	registryGet(t, regURL, "/subjects", &subjects)
	slices.Sort(subjects)
	if want := []string{topic + "-key", topic + "-value"}; !slices.Equal(subjects, want) {
		t.Fatalf("subjects = %v, want %v", subjects, want)
	}
	ids := map[string]int{}
	for subject, golden := range map[string]string{topic + "-key": "items-key.avsc", topic + "-value": "items-value.avsc"} {
		var versions []int
		registryGet(t, regURL, "/subjects/"+subject+"/versions", &versions)
		if !slices.Equal(versions, []int{1}) {
			t.Errorf("versions of %s = %v, want [1]", subject, versions)
		}
		var sv subjectVersion
		registryGet(t, regURL, "/subjects/"+subject+"/versions/latest", &sv)
		if want := goldenAvro(t, golden); sv.Schema != want {
			t.Errorf("schema of %s:\n got %s\nwant %s", subject, sv.Schema, want)
		}
		ids[subject] = sv.ID
	}
	for i, r := range raw {
		if got := schemaID(t, r.key); got != ids[topic+"-key"] {
			t.Errorf("record %d: key schema id %d, want %d", i, got, ids[topic+"-key"])
		}
		if got := schemaID(t, r.value); got != ids[topic+"-value"] && !(i == 5 && r.value == nil) {
			t.Errorf("record %d: value schema id %d, want %d", i, got, ids[topic+"-value"])
		}
	}
	if raw[5].value != nil || !bytes.Equal(raw[5].key, raw[4].key) {
		t.Errorf("record 5 is not the tombstone of record 4's key")
	}

	// A third-party consumer decodes every record.
	recs := kafkajsRead(t, w.kafka, regURL, topic, 6)
	row1 := `{"id":1,"small":-2,"big":1234567890123,"price":{"base64":"BOI="},"name":"Zoë","flag":false,"day":19844,
	  "ts":1714557600123456,"at":"2024-05-01T10:00:00.123456Z","uid":"8f14e45f-ceea-467f-a0e6-4a8b2c0b1f44",
	  "doc":"{\"a\": 1}","raw":{"base64":"AAEC"},"ratio":2.25,"tags":["x",null]}`
	// AvroData writes a field's default in place of a null value
	// (ignore.default.for.nullables=false), so flag NULL decodes as true.
	row2 := `{"id":2,"small":null,"big":2,"price":null,"name":"second","flag":true,"day":null,"ts":null,"at":null,
	  "uid":null,"doc":null,"raw":null,"ratio":null,"tags":null}`
	row3 := `{"id":3,"small":null,"big":3,"price":{"base64":"+w=="},"name":"third","flag":false,"day":null,"ts":null,
	  "at":null,"uid":null,"doc":null,"raw":null,"ratio":null,"tags":null}`
	row1u := strings.Replace(row1, `"name":"Zoë"`, `"name":"first"`, 1)
	// A delete under REPLICA IDENTITY DEFAULT carries the key; NOT NULL
	// columns get their type's fallback (§4.1).
	del2 := `{"id":2,"small":null,"big":0,"price":null,"name":"","flag":true,"day":null,"ts":null,"at":null,
	  "uid":null,"doc":null,"raw":null,"ratio":null,"tags":null}`
	want := []struct {
		key           int
		op, snapshot  string
		before, after string
		tombstone     bool
	}{
		{key: 1, op: "r", snapshot: "first", before: "null", after: row1},
		{key: 2, op: "r", snapshot: "last", before: "null", after: row2},
		{key: 3, op: "c", snapshot: "false", before: "null", after: row3},
		{key: 1, op: "u", snapshot: "false", before: "null", after: row1u},
		{key: 2, op: "d", snapshot: "false", before: del2, after: "null"},
		{key: 2, tombstone: true},
	}
	for i, w := range want {
		got := recs[i]
		if !reflect.DeepEqual(got.Key, map[string]any{"id": float64(w.key)}) {
			t.Errorf("record %d: key %v, want id %d", i, got.Key, w.key)
		}
		if w.tombstone {
			if got.Value != nil {
				t.Errorf("record %d: value %v, want a tombstone", i, got.Value)
			}
			continue
		}
		v := got.Value
		src, _ := v["source"].(map[string]any)
		if v["op"] != w.op || src["snapshot"] != w.snapshot || src["table"] != "items" || src["connector"] != "postgresql" ||
			v["transaction"] != nil {
			t.Errorf("record %d: op=%v source=%v transaction=%v, want op %s snapshot %s", i, v["op"], src, v["transaction"], w.op, w.snapshot)
		}
		if !reflect.DeepEqual(v["before"], jsonValue(t, w.before)) {
			t.Errorf("record %d: before\n got %v\nwant %s", i, v["before"], w.before)
		}
		if !reflect.DeepEqual(v["after"], jsonValue(t, w.after)) {
			t.Errorf("record %d: after\n got %v\nwant %s", i, v["after"], w.after)
		}
	}
}

// TestEndToEndAvroConnectorConverters: AvroConverter set on the connector,
// without schema.registry.url, so the embedded registry is used.
func TestEndToEndAvroConnectorConverters(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, itemsTable)
	w, regURL := avroWorker(t)
	createConnector(t, w, connectorJSON(t, "items", pg, "e2e", "public.items", map[string]string{
		"key.converter":   avroConverterClass,
		"value.converter": avroConverterClass,
	}))
	runItemsScenario(t, w, pg, regURL, "items")
	w.stop()
}

// TestEndToEndAvroWorkerConverters: AvroConverter as the worker's default
// converters, set through the environment as the Debezium image does.
func TestEndToEndAvroWorkerConverters(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, itemsTable)
	w, regURL := avroWorker(t, "CONNECT_KEY_CONVERTER="+avroConverterClass, "CONNECT_VALUE_CONVERTER="+avroConverterClass)
	createConnector(t, w, connectorJSON(t, "items", pg, "e2e", "public.items", nil))
	runItemsScenario(t, w, pg, regURL, "items")
	w.stop()
}

// TestEndToEndAvroSchemaEvolution: a nullable ADD COLUMN registers version 2
// and the next records use it; an incompatible change under BACKWARD fails
// the task with the registry's 409 message and commits nothing from the
// failing record on; once the subject accepts the change, a task restart
// delivers exactly the records that were held back.
func TestEndToEndAvroSchemaEvolution(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE evo (id SERIAL PRIMARY KEY, n INTEGER, extra TEXT)`, `INSERT INTO evo (n) VALUES (1)`)
	w, regURL := avroWorker(t)
	createConnector(t, w, connectorJSON(t, "evo", pg, "evo", "public.evo", map[string]string{
		"key.converter":   avroConverterClass,
		"value.converter": avroConverterClass,
	}))
	waitRunning(t, w, "evo")
	const topic, subject = "evo.public.evo", "evo.public.evo-value"
	waitRaw(t, w.kafka, topic, 1)

	pg.Exec(t, `ALTER TABLE evo ADD COLUMN note TEXT`, `INSERT INTO evo (n, note) VALUES (2, 'hi')`)
	raw := waitRaw(t, w.kafka, topic, 2)
	var versions []int
	registryGet(t, regURL, "/subjects/"+subject+"/versions", &versions)
	if !slices.Equal(versions, []int{1, 2}) {
		t.Fatalf("versions of %s after ADD COLUMN = %v, want [1 2]", subject, versions)
	}
	var v1, v2 subjectVersion
	registryGet(t, regURL, "/subjects/"+subject+"/versions/1", &v1)
	registryGet(t, regURL, "/subjects/"+subject+"/versions/2", &v2)
	if got := schemaID(t, raw[0].value); got != v1.ID {
		t.Errorf("first record uses schema id %d, want version 1's %d", got, v1.ID)
	}
	if got := schemaID(t, raw[1].value); got != v2.ID || v1.ID == v2.ID {
		t.Errorf("record after ADD COLUMN uses schema id %d, want version 2's %d (version 1 is %d)", got, v2.ID, v1.ID)
	}
	if !strings.Contains(v2.Schema, `{"name":"note","type":["null","string"],"default":null}`) {
		t.Errorf("version 2 lacks the nullable note column: %s", v2.Schema)
	}
	recs := kafkajsRead(t, w.kafka, regURL, topic, 2)
	if after := recs[1].Value["after"]; !reflect.DeepEqual(after, jsonValue(t, `{"id":2,"n":2,"extra":null,"note":"hi"}`)) {
		t.Errorf("record after ADD COLUMN decodes as %v", after)
	}
	if after := recs[0].Value["after"]; !reflect.DeepEqual(after, jsonValue(t, `{"id":1,"n":1,"extra":null}`)) {
		t.Errorf("first record decodes as %v", after)
	}

	// DROP COLUMN is a compatible change too: version 3, without extra.
	pg.Exec(t, `ALTER TABLE evo DROP COLUMN extra`, `INSERT INTO evo (n) VALUES (5)`)
	afterInsert3 := pgLSN(t, pg, `SELECT pg_current_wal_lsn()::text`)
	raw = waitRaw(t, w.kafka, topic, 3)
	registryGet(t, regURL, "/subjects/"+subject+"/versions", &versions)
	if !slices.Equal(versions, []int{1, 2, 3}) {
		t.Fatalf("versions of %s after DROP COLUMN = %v, want [1 2 3]", subject, versions)
	}
	var v3 subjectVersion
	registryGet(t, regURL, "/subjects/"+subject+"/versions/3", &v3)
	if got := schemaID(t, raw[2].value); got != v3.ID {
		t.Errorf("record after DROP COLUMN uses schema id %d, want version 3's %d", got, v3.ID)
	}
	if strings.Contains(v3.Schema, `"extra"`) || !strings.Contains(v3.Schema, `"note"`) {
		t.Errorf("version 3 should have note and not the dropped extra column: %s", v3.Schema)
	}
	recs = kafkajsRead(t, w.kafka, regURL, topic, 3)
	if after := recs[2].Value["after"]; !reflect.DeepEqual(after, jsonValue(t, `{"id":3,"n":5,"note":null}`)) {
		t.Errorf("record after DROP COLUMN decodes as %v", after)
	}

	// Wait until the three records are committed and confirmed to PostgreSQL.
	waitFor(t, 30*time.Second, "the slot to confirm the first three records", func() bool {
		return pgLSN(t, pg, `SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'slot_evo'`) >= afterInsert3
	})

	// int → string is no Avro promotion: BACKWARD refuses version 4. The
	// DDL itself replicates nothing; the first insert after it is the
	// failing record.
	pg.Exec(t, `ALTER TABLE evo ALTER COLUMN n TYPE TEXT`)
	beforeFailing := pgLSN(t, pg, `SELECT pg_current_wal_lsn()::text`)
	pg.Exec(t, `INSERT INTO evo (n) VALUES ('three')`, `INSERT INTO evo (n) VALUES ('four')`)
	var trace string
	waitFor(t, 60*time.Second, "the task to fail on the incompatible schema", func() bool {
		var state string
		state, trace = taskStatus(t, w, "evo")
		return state == "FAILED"
	})
	for _, want := range []string{`Schema being registered is incompatible with an earlier schema for subject "` + subject + `"`, "409"} {
		if !strings.Contains(trace, want) {
			t.Errorf("task trace does not contain %q:\n%s", want, trace)
		}
	}
	if n := len(readRaw(t, w.kafka, topic)); n != 3 {
		t.Errorf("%s holds %d records after the failure, want 3", topic, n)
	}
	if got := pgLSN(t, pg, `SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'slot_evo'`); got > beforeFailing {
		t.Errorf("slot confirmed %X after the failing record (it started after %X)", got, beforeFailing)
	}
	registryGet(t, regURL, "/subjects/"+subject+"/versions", &versions)
	if !slices.Equal(versions, []int{1, 2, 3}) {
		t.Errorf("versions of %s after the refused change = %v, want [1 2 3]", subject, versions)
	}

	// Accept the change for this subject and restart the task: the held-back
	// records arrive, once each, with version 4.
	if code, body := registrySend(t, http.MethodPut, regURL, "/config/"+subject, `{"compatibility":"NONE"}`); code != http.StatusOK {
		t.Fatalf("PUT /config/%s = %d %s", subject, code, body)
	}
	if code, body := w.do("POST", "/connectors/evo/tasks/0/restart", nil); code/100 != 2 {
		t.Fatalf("restarting the task = %d %s", code, body)
	}
	waitFor(t, 30*time.Second, "the restarted task to run", func() bool {
		state, _ := taskStatus(t, w, "evo")
		return state == "RUNNING"
	})
	raw = waitRaw(t, w.kafka, topic, 5)
	var v4 subjectVersion
	registryGet(t, regURL, "/subjects/"+subject+"/versions/4", &v4)
	for i := 3; i < len(raw); i++ {
		if got := schemaID(t, raw[i].value); got != v4.ID {
			t.Errorf("record %d uses schema id %d, want version 4's %d", i, got, v4.ID)
		}
	}
	recs = kafkajsRead(t, w.kafka, regURL, topic, 5)
	var ns []any
	for _, r := range recs[3:] {
		after, _ := r.Value["after"].(map[string]any)
		ns = append(ns, after["n"])
	}
	if len(raw) != 5 || !reflect.DeepEqual(ns, []any{"three", "four"}) {
		t.Errorf("after the restart %s holds %d records, the new ones with n = %v; want 5 and [three four]", topic, len(raw), ns)
	}
	w.stop()
}
