package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestEndToEndReplicationSlotsExhausted: on a server with
// max_replication_slots=10, ten connectors hold every slot; the eleventh is
// refused with a 400 naming the limit instead of being created with a task
// that fails, and the validate endpoint reports the same error.
func TestEndToEndReplicationSlotsExhausted(t *testing.T) {
	pg := pgtest.Start(t, "max_replication_slots=10", "max_wal_senders=20")
	pg.Exec(t, "CREATE TABLE public.t (id int PRIMARY KEY)")
	w := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data")})
	for i := 1; i <= 10; i++ {
		name := fmt.Sprintf("c%d", i)
		createConnector(t, w, connectorJSON(t, name, pg, name, "public.t", nil))
	}
	waitFor(t, 2*time.Minute, "ten replication slots", func() bool {
		return pgCount(t, pg, "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'slot_c%'") == 10
	})

	body := connectorJSON(t, "c11", pg, "c11", "public.t", nil)
	code, out := w.do("POST", "/connectors", body)
	if code != http.StatusBadRequest || !strings.Contains(string(out), "max_replication_slots=10") {
		t.Fatalf("11th connector: POST = %d %s, want 400 naming max_replication_slots", code, out)
	}
	if code, out := w.do("GET", "/connectors/c11", nil); code != http.StatusNotFound {
		t.Fatalf("refused connector exists: GET = %d %s", code, out)
	}

	code, out = w.do("PUT", "/connector-plugins/PostgresConnector/config/validate",
		mustConfig(t, connectorJSON(t, "c11", pg, "c11", "public.t", map[string]string{"name": "c11"})))
	if code != http.StatusOK {
		t.Fatalf("validate = %d %s", code, out)
	}
	var v struct {
		ErrorCount int `json:"error_count"`
		Configs    []struct {
			Value struct {
				Name   string   `json:"name"`
				Errors []string `json:"errors"`
			} `json:"value"`
		} `json:"configs"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	errs := map[string][]string{}
	for _, c := range v.Configs {
		if len(c.Value.Errors) > 0 {
			errs[c.Value.Name] = c.Value.Errors
		}
	}
	if v.ErrorCount != 1 || len(errs["slot.name"]) != 1 || !strings.Contains(errs["slot.name"][0], "max_replication_slots=10") {
		t.Fatalf("validate: %d errors %q; want one on slot.name naming max_replication_slots", v.ErrorCount, errs)
	}

	// A connector that already has its slot is not refused: its config
	// can still be updated.
	code, out = w.do("PUT", "/connectors/c1/config", mustConfig(t, connectorJSON(t, "c1", pg, "c1", "public.t", map[string]string{"max.batch.size": "1024"})))
	if code != http.StatusOK {
		t.Fatalf("update of c1 = %d %s", code, out)
	}
	w.stop()
}

// mustConfig returns the "config" object of a POST /connectors body.
func mustConfig(t *testing.T, body []byte) []byte {
	t.Helper()
	var req struct {
		Config json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	return req.Config
}
