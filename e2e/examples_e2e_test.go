package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// examplesDir holds one connector per transformation class; its README
// describes the conventions this test relies on.
const examplesDir = "../configs/examples"

// examplePrefix is the topic prefix the examples are written with; the test
// replaces it, wherever it occurs in a config or an expectation, with a
// prefix of the connector's own.
const examplePrefix = "dbserver1"

// exampleTable is the table every example captures (public.example).
const exampleTable = `
CREATE TABLE public.example (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text,
  price numeric(10,2),
  created_at timestamp(3) NOT NULL
);
INSERT INTO public.example VALUES
  (1, 'alice', 'alice@example.com', 19.99, '2024-03-01 12:34:56.789'),
  (2, 'bob', 'bob@example.com', 5.00, '2024-03-02 08:00:00');
`

// exampleChanges are the changes made while each connector streams: an
// insert, an update and a delete of the same row, which leave the table as
// the next connector's snapshot expects it.
var exampleChanges = []string{
	`INSERT INTO public.example VALUES (3, 'carol', 'carol@example.com', 7.50, '2024-03-03 10:00:00')`,
	`UPDATE public.example SET name = 'carol2' WHERE id = 3`,
	`DELETE FROM public.example WHERE id = 3`,
}

// exampleExpect is a <name>.expect.json file: what the records of one
// example must show. Every string may name the example prefix.
type exampleExpect struct {
	// MinRecords is how many records the connector's topics must hold in
	// all (default 1).
	MinRecords int `json:"minRecords"`
	// Topic is a regular expression every topic of the connector matches.
	Topic string `json:"topic"`
	// KeyContains and ValueContains must each occur in some record's key
	// or value (the JsonConverter's text).
	KeyContains   []string `json:"keyContains"`
	ValueContains []string `json:"valueContains"`
	// Headers are "name=value" pairs some record carries.
	Headers []string `json:"headers"`
	// Absent must occur in no record's key, value or header names.
	Absent []string `json:"absent"`
}

// TestEndToEndExampleConnectors posts every connector of configs/examples
// to one worker, one after the other, against one PostgreSQL: each
// connector captures public.example (with <name>.sql run first when there
// is one), sees its snapshot and then an insert, update and delete, and
// must stay RUNNING while its records, read back with kcat, show what
// <name>.expect.json says they show.
func TestEndToEndExampleConnectors(t *testing.T) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Fatalf("kcat is required (make deps installs it): %v", err)
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, ".expect.json") })
	if len(files) == 0 {
		t.Fatalf("no connector configs in %s", examplesDir)
	}
	pg := pgtest.Start(t)
	pg.Exec(t, exampleTable)
	w := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data")})

	names := map[string]string{}
	for i, file := range files {
		base := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(base, func(t *testing.T) {
			prefix := fmt.Sprintf("ex%02d", i)
			name, body, expect := loadExample(t, file, prefix, pg)
			if other, ok := names[name]; ok {
				t.Fatalf("connector name %q is used by %s too", name, other)
			}
			names[name] = file
			runExample(t, w, pg, name, prefix, body, expect)
		})
	}
}

// loadExample reads an example and its expectation, points the connector
// at the test database and gives it its own prefix, slot and publication.
func loadExample(t *testing.T, file, prefix string, pg *pgtest.Server) (string, []byte, exampleExpect) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if body.Name == "" || body.Config["connector.class"] == "" {
		t.Fatalf("%s: a connector needs a name and a connector.class", file)
	}
	for k, v := range body.Config {
		body.Config[k] = strings.ReplaceAll(v, examplePrefix, prefix)
	}
	body.Config["database.hostname"] = pg.Host()
	body.Config["database.port"] = strconv.Itoa(pg.Port())
	body.Config["database.user"] = "postgres"
	body.Config["database.password"] = "postgres"
	body.Config["database.dbname"] = "postgres"
	// A transformation with a connection of its own (TimescaleDb) names
	// the database in transforms.<alias>.database.*: the same one.
	for k := range body.Config {
		rest, ok := strings.CutPrefix(k, "transforms.")
		if !ok {
			continue
		}
		if _, prop, ok := strings.Cut(rest, "."); ok && slices.Contains(
			[]string{"database.hostname", "database.port", "database.user", "database.password", "database.dbname"}, prop) {
			body.Config[k] = body.Config[prop]
		}
	}
	body.Config["topic.prefix"] = prefix
	body.Config["slot.name"] = prefix
	body.Config["publication.name"] = prefix + "_publication"
	out, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}

	expect := exampleExpect{MinRecords: 1}
	if raw, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".expect.json"); err == nil {
		raw = bytes.ReplaceAll(raw, []byte(examplePrefix), []byte(prefix))
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&expect); err != nil {
			t.Fatalf("%s.expect.json: %v", strings.TrimSuffix(file, ".json"), err)
		}
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if sql, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".sql"); err == nil {
		pg.Exec(t, string(sql))
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return body.Name, out, expect
}

// runExample runs one connector through its snapshot and the changes,
// checks its records and removes it with its replication slot.
func runExample(t *testing.T, w *process, pg *pgtest.Server, name, prefix string, body []byte, expect exampleExpect) {
	before := listTopics(t, w.kafka)
	if code, resp := w.do("POST", "/connectors", body); code != http.StatusCreated {
		t.Fatalf("POST /connectors = %d %s", code, resp)
	}
	defer removeExample(t, w, pg, name, prefix)
	waitRunning(t, w, name)
	// Changes made once the slot exists are streamed after the snapshot.
	waitFor(t, 60*time.Second, "replication slot "+prefix, func() bool {
		return pgCount(t, pg, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", prefix) == 1
	})
	pg.Exec(t, exampleChanges...)

	var topics []string
	var records []kcatMessage
	waitFor(t, 90*time.Second, fmt.Sprintf("%d records from %s", expect.MinRecords, name), func() bool {
		topics = newTopics(before, listTopics(t, w.kafka))
		records = records[:0]
		for _, topic := range topics {
			records = append(records, consume(t, w.kafka, topic)...)
		}
		return len(records) >= expect.MinRecords
	})
	// A transformation that fails on the changes fails the task; the
	// records above are read after the last change was produced.
	waitRunning(t, w, name)
	checkExample(t, topics, records, expect)
}

// checkExample checks the records of one example against its expectation.
func checkExample(t *testing.T, topics []string, records []kcatMessage, expect exampleExpect) {
	t.Helper()
	if expect.Topic != "" {
		re := regexp.MustCompile(expect.Topic)
		for _, topic := range topics {
			if !re.MatchString(topic) {
				t.Errorf("topic %s does not match %s", topic, expect.Topic)
			}
		}
	}
	var keys, values, headers []string
	for _, m := range records {
		if m.Key != nil {
			keys = append(keys, *m.Key)
		}
		if m.Payload != nil {
			values = append(values, *m.Payload)
		}
		for i := 0; i+1 < len(m.Headers); i += 2 {
			headers = append(headers, m.Headers[i]+"="+m.Headers[i+1])
		}
	}
	some := func(list []string, s string) bool {
		return slices.ContainsFunc(list, func(x string) bool { return strings.Contains(x, s) })
	}
	for _, s := range expect.KeyContains {
		if !some(keys, s) {
			t.Errorf("no key contains %s; keys:\n%s", s, strings.Join(keys, "\n"))
		}
	}
	for _, s := range expect.ValueContains {
		if !some(values, s) {
			t.Errorf("no value contains %s; values:\n%s", s, strings.Join(values, "\n"))
		}
	}
	for _, h := range expect.Headers {
		if !slices.Contains(headers, h) {
			t.Errorf("no record has header %s; headers: %v", h, headers)
		}
	}
	for _, s := range expect.Absent {
		if some(keys, s) || some(values, s) || some(headers, s) {
			t.Errorf("%s occurs in a record", s)
		}
	}
}

// removeExample deletes the connector and drops its replication slot, so
// that the examples after it find free slots.
func removeExample(t *testing.T, w *process, pg *pgtest.Server, name, slot string) {
	t.Helper()
	if code, resp := w.do("DELETE", "/connectors/"+name, nil); code != http.StatusNoContent {
		t.Errorf("DELETE /connectors/%s = %d %s", name, code, resp)
		return
	}
	waitFor(t, 60*time.Second, "replication slot "+slot+" released", func() bool {
		return pgCount(t, pg, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1 AND active", slot) == 0
	})
	pgCount(t, pg, "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots WHERE slot_name = $1", slot)
}

// pgCount runs a query returning one count.
func pgCount(t *testing.T, pg *pgtest.Server, query string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// listTopics lists the broker's topics with kcat.
func listTopics(t *testing.T, broker string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "kcat", "-b", broker, "-L", "-J").Output()
	if err != nil {
		t.Fatalf("kcat -L: %v", err)
	}
	var md struct {
		Topics []struct {
			Topic string `json:"topic"`
		} `json:"topics"`
	}
	if err := json.Unmarshal(out, &md); err != nil {
		t.Fatalf("kcat -L output %q: %v", out, err)
	}
	var topics []string
	for _, tp := range md.Topics {
		topics = append(topics, tp.Topic)
	}
	return topics
}

// newTopics are the topics of after that are not in before, other than
// the worker's own (connect-offsets and the like) and Kafka's internal
// ones.
func newTopics(before, after []string) []string {
	var out []string
	for _, tp := range after {
		if !slices.Contains(before, tp) && !strings.HasPrefix(tp, "_") && !strings.HasPrefix(tp, "connect-") {
			out = append(out, tp)
		}
	}
	slices.Sort(out)
	return out
}
