package e2e

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

const (
	cloudEventsClass  = "io.debezium.converters.CloudEventsConverter"
	cloudEventsScript = "testdata/cloudevents/consume.js"
	exampleTableDDL   = `CREATE TABLE public.example (id int PRIMARY KEY, name text)`
)

// TestEndToEndCloudEvents runs the PostgreSQL connector with Debezium's
// CloudEventsConverter as its value converter, as Debezium's cloudevents
// example configures it: JSON events with schema'd JSON data read back with
// kcat, and Avro events with Avro data through the embedded registry read
// back with kafkajs and @kafkajs/confluent-schema-registry.
func TestEndToEndCloudEvents(t *testing.T) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Fatalf("kcat is required (make deps installs it): %v", err)
	}
	pg := pgtest.Start(t)
	pg.Exec(t, exampleTableDDL, `INSERT INTO public.example VALUES (1, 'Alice')`)
	w, regURL := avroWorker(t)

	createConnector(t, w, connectorJSON(t, "cejson", pg, "cejson", "public.example", map[string]string{
		"value.converter":                      cloudEventsClass,
		"value.converter.serializer.type":      "json",
		"value.converter.data.serializer.type": "json",
	}))
	createConnector(t, w, connectorJSON(t, "ceavro", pg, "ceavro", "public.example", map[string]string{
		"key.converter":                            "org.apache.kafka.connect.json.JsonConverter",
		"key.converter.schemas.enable":             "false",
		"value.converter":                          cloudEventsClass,
		"value.converter.serializer.type":          "avro",
		"value.converter.data.serializer.type":     "avro",
		"value.converter.avro.schema.registry.url": regURL,
	}))
	waitRunning(t, w, "cejson")
	waitRunning(t, w, "ceavro")
	consumeAtLeast(t, w.kafka, "cejson.public.example", 1)
	pg.Exec(t, `INSERT INTO public.example VALUES (2, 'Bob')`, `UPDATE public.example SET name = 'Alicia' WHERE id = 1`,
		`DELETE FROM public.example WHERE id = 2`)

	// JSON: snapshot read, insert, update, delete, and the delete's
	// tombstone (a Kafka null, as the converter writes null for null).
	msgs := consumeAtLeast(t, w.kafka, "cejson.public.example", 5)
	if len(msgs) != 5 {
		t.Fatalf("cejson.public.example has %d records, want 5", len(msgs))
	}
	ops := []string{"r", "c", "u", "d"}
	for i, m := range msgs[:4] {
		if m.Payload == nil {
			t.Fatalf("record %d is a null", i)
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(*m.Payload), &ev); err != nil {
			t.Fatalf("record %d: %v: %s", i, err, *m.Payload)
		}
		// CloudEventsConverterTest.shouldConvertToCloudEventsInJson.
		id, _ := ev["id"].(string)
		if !strings.HasPrefix(id, "name:cejson;lsn:") || !strings.Contains(id, ";sequence:") ||
			ev["source"] != "/debezium/postgresql/cejson" || ev["specversion"] != "1.0" ||
			ev["type"] != "io.debezium.connector.postgresql.DataChangeEvent" || ev["datacontenttype"] != "application/json" ||
			ev["iodebeziumop"] != ops[i] || ev["iodebeziumtable"] != "example" || ev["iodebeziumconnector"] != "postgresql" {
			t.Errorf("record %d: %s", i, *m.Payload)
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", ev["time"].(string)); err != nil {
			t.Errorf("record %d time: %v", i, err)
		}
		if _, err := strconv.ParseInt(ev["iodebeziumtsms"].(string), 10, 64); err != nil {
			t.Errorf("record %d: iodebeziumtsms %v", i, ev["iodebeziumtsms"])
		}
		data := ev["data"].(map[string]any)
		if data["schema"].(map[string]any)["name"] != "io.debezium.connector.postgresql.Data" {
			t.Errorf("record %d data schema: %v", i, data["schema"])
		}
		payload := data["payload"].(map[string]any)
		if i < 3 && payload["after"] == nil || i == 3 && payload["before"] == nil {
			t.Errorf("record %d data payload: %v", i, payload)
		}
	}
	if msgs[4].Payload != nil {
		t.Errorf("the delete's tombstone became %s", *msgs[4].Payload)
	}

	// Avro: kafkajs decodes the event and, through its dataschema id, the
	// data.
	recs := cloudEventsRead(t, w.kafka, regURL, "ceavro.public.example", 4)
	for i, r := range recs {
		ev := r.Event
		if ev["source"] != "/debezium/postgresql/ceavro" || ev["datacontenttype"] != "application/avro" ||
			ev["iodebeziumop"] != ops[i] || !strings.HasPrefix(ev["dataschema"].(string), regURL+"/schemas/ids/") {
			t.Errorf("event %d: %v", i, ev)
		}
		if r.Key != `{"id":`+map[bool]string{true: "1", false: "2"}[i == 0 || i == 2]+`}` {
			t.Errorf("key %d: %s", i, r.Key)
		}
	}
	after := func(i int) map[string]any {
		a, _ := recs[i].Data["after"].(map[string]any)
		return a
	}
	if a := after(0); a == nil || a["id"] != float64(1) || a["name"] != "Alice" {
		t.Errorf("snapshot data: %v", recs[0].Data)
	}
	if a := after(2); a == nil || a["name"] != "Alicia" {
		t.Errorf("update data: %v", recs[2].Data)
	}
	// Metadata read from headers is refused at creation, naming the
	// property.
	code, out := w.do("POST", "/connectors", connectorJSON(t, "ceheader", pg, "ceheader", "public.example", map[string]string{
		"value.converter":                 cloudEventsClass,
		"value.converter.metadata.source": "value,id:header,type:header",
	}))
	if code != http.StatusBadRequest || !strings.Contains(string(out), "metadata.source") {
		t.Errorf("POST with metadata.source from headers = %d %s", code, out)
	}

	var subjects []string
	registryGet(t, regURL, "/subjects", &subjects)
	for _, want := range []string{"ceavro.public.example-value", "ceavro.public.example-data-value"} {
		if !strings.Contains(strings.Join(subjects, ","), want) {
			t.Errorf("subjects %v lack %s", subjects, want)
		}
	}
}

// cloudEventRecord is what testdata/cloudevents/consume.js prints.
type cloudEventRecord struct {
	Key   string         `json:"key"`
	Event map[string]any `json:"event"`
	Data  map[string]any `json:"data"`
}

func cloudEventsRead(t *testing.T, broker, regURL, topic string, n int) []cloudEventRecord {
	t.Helper()
	var recs []cloudEventRecord
	runKafkajs(t, cloudEventsScript, &recs, broker, regURL, topic, strconv.Itoa(n))
	return recs
}

// TestEndToEndScriptingTransforms runs Debezium's scripting Filter and
// ContentBasedRouter with jsr223.graal.js, read back with kcat, and shows a
// runaway expression failing its task instead of hanging it.
func TestEndToEndScriptingTransforms(t *testing.T) {
	if _, err := exec.LookPath("kcat"); err != nil {
		t.Fatalf("kcat is required (make deps installs it): %v", err)
	}
	pg := pgtest.Start(t)
	pg.Exec(t, exampleTableDDL, `INSERT INTO public.example VALUES (1, 'Alice'), (2, 'Bob')`)
	w := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data")})

	createConnector(t, w, connectorJSON(t, "scripted", pg, "scripted", "public.example", map[string]string{
		"transforms":                           "filter,route",
		"transforms.filter.type":               "io.debezium.transforms.Filter",
		"transforms.filter.language":           "jsr223.graal.js",
		"transforms.filter.condition":          "value.op != 'd' && !(value.after.name || '').startsWith('secret')",
		"transforms.filter.null.handling.mode": "drop",
		"transforms.route.type":                "io.debezium.transforms.ContentBasedRouter",
		"transforms.route.language":            "jsr223.graal.js",
		"transforms.route.topic.expression":    "value.after.id % 2 == 0 ? topic + '.even' : null",
		"transforms.route.topic.regex":         `scripted\.public\..*`,
	}))
	waitRunning(t, w, "scripted")
	consumeAtLeast(t, w.kafka, "scripted.public.example", 1)
	pg.Exec(t, `INSERT INTO public.example VALUES (3, 'Carol'), (4, 'secret agent'), (6, 'Dan')`,
		`DELETE FROM public.example WHERE id = 1`, `INSERT INTO public.example VALUES (5, 'Eve')`)

	ids := func(msgs []kcatMessage) []float64 {
		var out []float64
		for _, m := range msgs {
			var v struct {
				Payload struct {
					Op    string         `json:"op"`
					After map[string]any `json:"after"`
				} `json:"payload"`
			}
			if m.Payload == nil {
				t.Fatalf("a null on %s: null.handling.mode=drop drops them", m.Topic)
			}
			if err := json.Unmarshal([]byte(*m.Payload), &v); err != nil {
				t.Fatal(err)
			}
			if v.Payload.Op == "d" {
				t.Fatalf("a delete on %s passed the filter", m.Topic)
			}
			out = append(out, v.Payload.After["id"].(float64))
		}
		return out
	}
	odd := ids(consumeAtLeast(t, w.kafka, "scripted.public.example", 3))
	even := ids(consumeAtLeast(t, w.kafka, "scripted.public.example.even", 2))
	if !equalFloats(odd, []float64{1, 3, 5}) || !equalFloats(even, []float64{2, 6}) {
		t.Errorf("odd = %v, even = %v", odd, even)
	}

	// A runaway expression: the task fails, naming the expression.
	createConnector(t, w, connectorJSON(t, "runaway", pg, "runaway", "public.example", map[string]string{
		"transforms":                "spin",
		"transforms.spin.type":      "io.debezium.transforms.Filter",
		"transforms.spin.language":  "jsr223.graal.js",
		"transforms.spin.condition": "while (true) {}",
		"snapshot.mode":             "initial",
	}))
	var trace string
	waitFor(t, 60*time.Second, "the runaway task FAILED", func() bool {
		var state string
		state, trace = taskStatus(t, w, "runaway")
		return state == "FAILED"
	})
	if !strings.Contains(trace, "ran longer than") || !strings.Contains(trace, "while (true) {}") {
		t.Errorf("trace = %s", trace)
	}

	// Groovy is refused: a 400, and config/validate puts the error on
	// transforms.f.language.
	groovy := map[string]string{
		"transforms":             "f",
		"transforms.f.type":      "io.debezium.transforms.Filter",
		"transforms.f.language":  "jsr223.groovy",
		"transforms.f.condition": "value.op == 'c'",
	}
	body := connectorJSON(t, "groovy", pg, "groovy", "public.example", groovy)
	if code, out := w.do("POST", "/connectors", body); code != http.StatusBadRequest || !strings.Contains(string(out), "Groovy expressions are not supported") {
		t.Errorf("POST with Groovy = %d %s", code, out)
	}
	var cfg struct {
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal(body, &cfg); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(cfg.Config)
	if err != nil {
		t.Fatal(err)
	}
	code, out := w.do("PUT", "/connector-plugins/io.debezium.connector.postgresql.PostgresConnector/config/validate", raw)
	var validated struct {
		Configs []struct {
			Value struct {
				Name   string   `json:"name"`
				Errors []string `json:"errors"`
			} `json:"value"`
		} `json:"configs"`
	}
	if err := json.Unmarshal(out, &validated); code != http.StatusOK || err != nil {
		t.Fatalf("validate = %d %s", code, out)
	}
	found := false
	for _, c := range validated.Configs {
		if c.Value.Name == "transforms.f.language" {
			found = len(c.Value.Errors) == 1 && strings.Contains(c.Value.Errors[0], "Groovy expressions are not supported")
		}
	}
	if !found {
		t.Errorf("config/validate does not name transforms.f.language: %s", out)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
