package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

const offsetsWait = 60 * time.Second

// TestEndToEndOffsetsAPI drives KIP-875 against the real connector: offsets
// are readable while running, cannot be altered unless the connector is
// stopped, a patched LSN is where the resumed connector starts, and deleting
// the offsets makes snapshot.mode=initial take a new snapshot.
func TestEndToEndOffsetsAPI(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, inventorySchema)
	w := startWorker(t, workerEnv{dataDir: filepath.Join(t.TempDir(), "data")})
	if code, body := w.do("POST", "/connectors", inventoryConfig(t, pg, nil)); code != http.StatusCreated {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	const customers = "dbserver1.public.customers"
	consumeAtLeast(t, w.kafka, customers, 3)

	// GET works while running and shows Debezium's offset for the server.
	var offsets struct {
		Offsets []struct {
			Partition map[string]any `json:"partition"`
			Offset    map[string]any `json:"offset"`
		} `json:"offsets"`
	}
	waitFor(t, offsetsWait, "the snapshot's offset to be committed", func() bool {
		code, body := w.do("GET", "/connectors/inventory/offsets", nil)
		if code != http.StatusOK {
			t.Fatalf("GET offsets = %d %s", code, body)
		}
		if err := json.Unmarshal(body, &offsets); err != nil {
			t.Fatal(err)
		}
		return len(offsets.Offsets) == 1 && offsets.Offsets[0].Offset["lsn"] != nil
	})
	if got := offsets.Offsets[0].Partition; len(got) != 1 || got["server"] != "dbserver1" {
		t.Fatalf("offset partition %v", got)
	}

	patch := func(lsn uint64) []byte {
		return fmt.Appendf(nil, `{"offsets":[{"partition":{"server":"dbserver1"},"offset":{"lsn":%d,"lsn_proc":%d,"lsn_commit":%d}}]}`, lsn, lsn, lsn)
	}
	if code, body := w.do("PATCH", "/connectors/inventory/offsets", patch(1)); code != http.StatusBadRequest ||
		!strings.Contains(string(body), "Connectors must be in the STOPPED state before their offsets can be modified") {
		t.Fatalf("PATCH while running = %d %s, want 400", code, body)
	}

	if code, body := w.do("PUT", "/connectors/inventory/stop", nil); code != http.StatusNoContent {
		t.Fatalf("PUT stop = %d %s", code, body)
	}
	waitFor(t, offsetsWait, "STOPPED", func() bool {
		_, body := w.do("GET", "/connectors/inventory/status", nil)
		return strings.Contains(string(body), `"state":"STOPPED"`) && strings.Contains(string(body), `"tasks":[]`)
	})

	// While stopped: one change, the position after it, another change.
	// Patching the offset to that position skips the first change.
	pg.Exec(t, `INSERT INTO customers (first_name, last_name, email) VALUES ('Skipped', 'ByPatch', 'skipped@example.com')`)
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var lsn uint64
	if err := conn.QueryRow(t.Context(), `SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn`).Scan(&lsn); err != nil {
		t.Fatal(err)
	}
	pg.Exec(t, `INSERT INTO customers (first_name, last_name, email) VALUES ('Kept', 'AfterPatch', 'kept@example.com')`)

	code, body := w.do("PATCH", "/connectors/inventory/offsets", patch(lsn))
	if code != http.StatusOK || !strings.Contains(string(body), "altered successfully") {
		t.Fatalf("PATCH while stopped = %d %s", code, body)
	}
	if code, body := w.do("PUT", "/connectors/inventory/resume", nil); code != http.StatusAccepted {
		t.Fatalf("PUT resume = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	emails := func() []string {
		var out []string
		for _, m := range consume(t, w.kafka, customers) {
			if ev := decodeEvent(t, m); !ev.tomb && ev.after != nil {
				out = append(out, ev.op+":"+ev.after["email"].(string))
			}
		}
		return out
	}
	var got []string
	waitFor(t, offsetsWait, "the change after the patched position", func() bool {
		got = emails()
		return len(got) > 0 && got[len(got)-1] == "c:kept@example.com"
	})
	for _, e := range got {
		if strings.HasSuffix(e, "skipped@example.com") {
			t.Fatalf("the change before the patched LSN was delivered: %v", got)
		}
	}
	before := len(got)

	// DELETE while stopped, then resume: a fresh snapshot of every row.
	if code, body := w.do("PUT", "/connectors/inventory/stop", nil); code != http.StatusNoContent {
		t.Fatalf("PUT stop = %d %s", code, body)
	}
	waitFor(t, offsetsWait, "STOPPED", func() bool {
		_, body := w.do("GET", "/connectors/inventory/status", nil)
		return strings.Contains(string(body), `"state":"STOPPED"`)
	})
	if code, body := w.do("DELETE", "/connectors/inventory/offsets", nil); code != http.StatusOK || !strings.Contains(string(body), "reset successfully") {
		t.Fatalf("DELETE offsets = %d %s", code, body)
	}
	if code, body := w.do("PUT", "/connectors/inventory/resume", nil); code != http.StatusAccepted {
		t.Fatalf("PUT resume = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	waitFor(t, offsetsWait, "a new snapshot after the offsets were reset", func() bool {
		got = emails()
		snap := 0
		for _, e := range got[before:] {
			if strings.HasPrefix(e, "r:") {
				snap++
			}
		}
		return snap == 5 // the three seeded customers and both inserted while stopped
	})
	w.stop()
}
