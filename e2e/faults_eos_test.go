package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestFaultKillExactlyOnce runs the streaming kill loop with
// exactly.once.source.support=enabled: each poll batch and its offsets
// commit in one Kafka transaction, so a read_committed reader must see
// every committed change exactly once — no loss, no reordering and, unlike
// at-least-once delivery, no duplicates — however often the worker is
// SIGKILLed. As with Kafka, the broker must survive the worker: it runs in
// its own process (exactly-once is refused on a worker's embedded broker).
func TestFaultKillExactlyOnce(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, ledgerDDL)
	host := startWorker(t, brokerHostEnv(filepath.Join(t.TempDir(), "broker"), freePort(t)))
	env := workerEnv{
		dataDir: filepath.Join(t.TempDir(), "data"),
		extraEnv: []string{
			"CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=enabled",
			"CONNECT_BOOTSTRAP_SERVERS=" + host.kafka,
			// The broker outlives the killed workers, so their group
			// memberships linger until they expire: keep that short, or
			// the last worker waits out every dead member's rebalance.
			"CONNECT_SESSION_TIMEOUT_MS=6000",
			"CONNECT_HEARTBEAT_INTERVAL_MS=1000",
			"CONNECT_REBALANCE_TIMEOUT_MS=10000",
		},
	}
	w := startWorker(t, env)
	config := inventoryConfig(t, pg, func(c map[string]string) {
		c["table.include.list"] = "public.ledger"
		// The PostgreSQL connector declares exactly-once support, so
		// requiring it is accepted.
		c["exactly.once.support"] = "required"
	})
	if code, body := w.do("POST", "/connectors", config); code != 201 {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	waitCommittedOffset(t, w)

	writer := newLedgerWriter(t, pg, 7)
	wl := startWorkload(t, writer)

	const topic = "dbserver1.public.ledger"
	loops := max(2, faultLoops())
	for i := range loops {
		target := len(writer.changes()) + 100
		waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(writer.changes()) >= target })
		w.kill()
		if i == 0 {
			// A worker killed as soon as it starts, while it joins the
			// group: its membership must not keep the task from the
			// next worker (the broker expires it as Kafka would).
			w = startWorker(t, env)
			w.kill()
		}
		w = startWorker(t, env)
		waitRunning(t, w, "inventory")
	}
	wl.halt(t)
	committed := writer.changes()

	var records []kcatMessage
	waitFor(t, 120*time.Second, "every committed change to be readable read_committed", func() bool {
		records = consume(t, w.kafka, topic, "-X", "isolation.level=read_committed")
		return validate(t, "", 0, committed, records).lost == 0
	})
	// The killed workers' group members expire as in Kafka, some by the
	// broker's own session timer, the rest evicted by its reaper.
	t.Logf("group members evicted by the broker's reaper: %d", strings.Count(host.log(), "evicted a group member"))
	rep := validate(t, "SIGKILL of the worker during streaming, exactly-once", loops+1, committed, records)
	recordFaultReport(t, rep)
	if rep.dupes != 0 {
		t.Errorf("exactly-once: %d changes delivered more than once to a read_committed reader", rep.dupes)
	}
	w.stop()
	host.stop()
}
