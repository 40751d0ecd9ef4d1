package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// The fault suite runs the built binary under a workload of inserts,
// updates and deletes whose every change carries a unique sequence number,
// injects a fault, and checks with a validator that every committed change
// was delivered (duplicates are allowed; loss and per-key reordering are
// not). `make test` runs each scenario once, small; `make faults` sets
// FAULT_LOOPS and FAULT_REPORT to run longer and write RELIABILITY.md.

// change is one committed row change: op c/u/d, the row id and the sequence
// number of the row version it created (c, u) or removed (d).
type change struct {
	op  string
	id  int
	seq int64
}

// ledgerWriter applies random single-statement transactions to the ledger
// table from one goroutine and records each change once it has committed.
type ledgerWriter struct {
	conn *pgx.Conn
	rnd  *rand.Rand

	mu        sync.Mutex
	committed []change
	live      map[int]int64 // id → seq of the current row version
	nextID    int
}

const ledgerDDL = `CREATE TABLE ledger (id int PRIMARY KEY, seq bigint NOT NULL);
ALTER TABLE ledger REPLICA IDENTITY FULL;
CREATE SEQUENCE ledger_seq;`

func newLedgerWriter(t *testing.T, pg *pgtest.Server, seed uint64) *ledgerWriter {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return &ledgerWriter{conn: conn, rnd: rand.New(rand.NewPCG(seed, seed)), live: map[int]int64{}}
}

// step commits one random change.
func (l *ledgerWriter) step(ctx context.Context) error {
	l.mu.Lock()
	ids := make([]int, 0, len(l.live))
	for id := range l.live {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	slices.Sort(ids)
	var c change
	switch r := l.rnd.IntN(10); {
	case len(ids) < 5 || r < 5:
		l.nextID++
		c = change{op: "c", id: l.nextID}
		if err := l.conn.QueryRow(ctx, `INSERT INTO ledger VALUES ($1, nextval('ledger_seq')) RETURNING seq`, c.id).Scan(&c.seq); err != nil {
			return err
		}
	case r < 8:
		c = change{op: "u", id: ids[l.rnd.IntN(len(ids))]}
		if err := l.conn.QueryRow(ctx, `UPDATE ledger SET seq = nextval('ledger_seq') WHERE id = $1 RETURNING seq`, c.id).Scan(&c.seq); err != nil {
			return err
		}
	default:
		c = change{op: "d", id: ids[l.rnd.IntN(len(ids))]}
		if err := l.conn.QueryRow(ctx, `DELETE FROM ledger WHERE id = $1 RETURNING seq`, c.id).Scan(&c.seq); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.committed = append(l.committed, c)
	if c.op == "d" {
		delete(l.live, c.id)
	} else {
		l.live[c.id] = c.seq
	}
	return nil
}

// run writes until ctx ends. A statement under way when it ends still
// completes, so that no change is in doubt.
func (l *ledgerWriter) run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := l.step(context.WithoutCancel(ctx)); err != nil {
				return err
			}
		}
	}
}

// reconnect replaces the writer's connection (after a database restart).
func (l *ledgerWriter) reconnect(t *testing.T, pg *pgtest.Server) {
	t.Helper()
	_ = l.conn.Close(context.Background())
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	l.conn = conn
	t.Cleanup(func() { conn.Close(context.Background()) })
}

// workload runs a ledgerWriter in its own goroutine until halted.
type workload struct {
	stop context.CancelFunc
	errc chan error
}

func startWorkload(t *testing.T, l *ledgerWriter) *workload {
	ctx, stop := context.WithCancel(t.Context())
	w := &workload{stop: stop, errc: make(chan error, 1)}
	go func() { w.errc <- l.run(ctx, 2*time.Millisecond) }()
	return w
}

// halt stops the writer after its current statement.
func (w *workload) halt(t *testing.T) {
	t.Helper()
	w.stop()
	if err := <-w.errc; err != nil {
		t.Fatalf("workload: %v", err)
	}
}

func (l *ledgerWriter) changes() []change {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.committed)
}

// faultReport is one validator verdict.
type faultReport struct {
	scenario                          string
	faults                            int
	committed, delivered, lost, dupes int
	outOfOrder                        int
}

// validate compares the delivered records with the committed changes.
// Snapshot records (op r) stand for the row version they show.
func validate(t *testing.T, scenario string, faults int, committed []change, records []kcatMessage) faultReport {
	t.Helper()
	rep := faultReport{scenario: scenario, faults: faults, committed: len(committed)}
	var delivered []change
	for _, m := range records {
		ev := decodeEvent(t, m)
		if ev.tomb {
			continue
		}
		row := ev.after
		op := ev.op
		if op == "d" {
			row = ev.before
		}
		if op == "r" {
			op = "c"
		}
		delivered = append(delivered, change{op: op, id: int(row["id"].(float64)), seq: int64(row["seq"].(float64))})
	}
	rep.delivered = len(delivered)
	seen := map[change]bool{}
	var firsts []change
	for _, c := range delivered {
		if seen[c] {
			rep.dupes++
			continue
		}
		seen[c] = true
		firsts = append(firsts, c)
	}
	for _, c := range committed {
		if !seen[c] {
			rep.lost++
		}
	}
	// Per key, first deliveries must follow commit order (seq order).
	last := map[int]int64{}
	for _, c := range firsts {
		if prev, ok := last[c.id]; ok && c.seq < prev {
			rep.outOfOrder++
		}
		if c.seq > last[c.id] {
			last[c.id] = c.seq
		}
	}
	return rep
}

func faultLoops() int {
	if n, err := strconv.Atoi(os.Getenv("FAULT_LOOPS")); err == nil && n > 0 {
		return n
	}
	return 1
}

var (
	faultReportsMu sync.Mutex
	faultReports   []faultReport
)

func recordFaultReport(t *testing.T, r faultReport) {
	t.Helper()
	t.Logf("%s: faults=%d committed=%d delivered=%d lost=%d duplicated=%d out-of-order=%d",
		r.scenario, r.faults, r.committed, r.delivered, r.lost, r.dupes, r.outOfOrder)
	if r.lost != 0 || r.outOfOrder != 0 {
		t.Errorf("%s: %d changes lost, %d out of order per key", r.scenario, r.lost, r.outOfOrder)
	}
	faultReportsMu.Lock()
	faultReports = append(faultReports, r)
	faultReportsMu.Unlock()
	writeFaultReport(t)
}

// writeFaultReport rewrites FAULT_REPORT (RELIABILITY.md) with the table of
// every scenario run so far in this process.
func writeFaultReport(t *testing.T) {
	path := os.Getenv("FAULT_REPORT")
	if path == "" {
		return
	}
	faultReportsMu.Lock()
	defer faultReportsMu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "| Scenario | Faults injected | Changes committed | Records delivered | Lost | Duplicated | Out of order per key |\n|---|---|---|---|---|---|---|\n")
	for _, r := range faultReports {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d |\n", r.scenario, r.faults, r.committed, r.delivered, r.lost, r.dupes, r.outOfOrder)
	}
	if err := writeSection(path, "faults", b.String()); err != nil {
		t.Errorf("writing %s: %v", path, err)
	}
}

// writeSection replaces the text between <!-- name begin/end --> markers.
func writeSection(path, name, body string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	begin, end := "<!-- "+name+" begin -->", "<!-- "+name+" end -->"
	text := string(old)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		return fmt.Errorf("markers %s … %s not found", begin, end)
	}
	text = text[:i] + begin + "\n" + body + text[j:]
	return os.WriteFile(path, []byte(text), 0o644)
}

func ledgerConfig(t *testing.T, pg *pgtest.Server) []byte {
	return inventoryConfig(t, pg, func(c map[string]string) {
		c["table.include.list"] = "public.ledger"
	})
}

// waitDelivered waits until every committed change is in the topic and
// returns the records.
func waitDelivered(t *testing.T, w *process, topic string, committed []change) []kcatMessage {
	t.Helper()
	var records []kcatMessage
	deadline := time.NewTimer(90 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		records = consume(t, w.kafka, topic)
		if validate(t, "", 0, committed, records).lost == 0 {
			return records
		}
		select {
		case <-deadline.C:
			break wait
		case <-tick.C:
		}
	}
	t.Fatalf("timed out after 90s waiting for %d committed changes to be delivered: %s",
		len(committed), describeLoss(t, committed, records))
	return nil
}

// describeLoss names the first committed changes missing from records and
// the position of the last one delivered, for a failure message.
func describeLoss(t *testing.T, committed []change, records []kcatMessage) string {
	t.Helper()
	seen := map[change]bool{}
	for _, m := range records {
		ev := decodeEvent(t, m)
		if ev.tomb {
			continue
		}
		row, op := ev.after, ev.op
		if op == "d" {
			row = ev.before
		}
		if op == "r" {
			op = "c"
		}
		seen[change{op: op, id: int(row["id"].(float64)), seq: int64(row["seq"].(float64))}] = true
	}
	var lost []string
	lastSeen := -1
	for i, c := range committed {
		if seen[c] {
			lastSeen = i
			continue
		}
		if len(lost) < 10 {
			lost = append(lost, fmt.Sprintf("#%d %s id=%d seq=%d", i, c.op, c.id, c.seq))
		}
	}
	return fmt.Sprintf("%d records read; last committed change delivered is #%d; first lost: %s",
		len(records), lastSeen, strings.Join(lost, ", "))
}

// TestFaultKillDuringStreaming SIGKILLs the worker repeatedly while a
// workload runs; after the last restart every committed change must be in
// Kafka, in order per key.
func TestFaultKillDuringStreaming(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, ledgerDDL)
	env := workerEnv{dataDir: filepath.Join(t.TempDir(), "data")}
	w := startWorker(t, env)
	if code, body := w.do("POST", "/connectors", ledgerConfig(t, pg)); code != 201 {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	// The workload starts once the (empty) snapshot's offset is committed:
	// the scenario is about streaming, and a change committed before the
	// snapshot shows only as the row version the snapshot read.
	waitCommittedOffset(t, w)

	writer := newLedgerWriter(t, pg, 1)
	ctx, stop := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- writer.run(ctx, 2*time.Millisecond) }()

	const topic = "dbserver1.public.ledger"
	loops := faultLoops()
	for range loops {
		// Let some changes flow, then crash at an arbitrary point.
		target := len(writer.changes()) + 100
		waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(writer.changes()) >= target })
		w.kill()
		w = startWorker(t, env)
		waitRunning(t, w, "inventory")
	}
	stop()
	if err := <-errc; err != nil {
		t.Fatalf("workload: %v", err)
	}
	committed := writer.changes()
	records := waitDelivered(t, w, topic, committed)
	recordFaultReport(t, validate(t, "SIGKILL during streaming", loops, committed, records))
	w.stop()
}

// TestFaultKillDuringSnapshot SIGKILLs the worker while the initial
// snapshot is being written; the restarted worker must deliver every row.
func TestFaultKillDuringSnapshot(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, ledgerDDL, `INSERT INTO ledger SELECT g, nextval('ledger_seq') FROM generate_series(1, 20000) g`)
	committed := make([]change, 0, 20000)
	for i := 1; i <= 20000; i++ {
		committed = append(committed, change{op: "c", id: i, seq: int64(i)})
	}
	env := workerEnv{dataDir: filepath.Join(t.TempDir(), "data")}
	const topic = "dbserver1.public.ledger"
	loops := faultLoops()
	w := startWorker(t, env)
	if code, body := w.do("POST", "/connectors", ledgerConfig(t, pg)); code != 201 {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	for range loops {
		// Crash once the snapshot has begun to reach Kafka.
		waitFor(t, 60*time.Second, "the snapshot to start", func() bool {
			out, err := kcatOffsets(w.kafka, topic)
			return err == nil && out > 0
		})
		w.kill()
		w = startWorker(t, env)
	}
	waitRunning(t, w, "inventory")
	records := waitDelivered(t, w, topic, committed)
	recordFaultReport(t, validate(t, "SIGKILL during snapshot", loops, committed, records))
	w.stop()
}

// kcatOffsets returns how many records topic holds (its end offset), as
// kcat's offset query reports it.
func kcatOffsets(broker, topic string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := execOutput(ctx, "kcat", "-b", broker, "-Q", "-t", topic+":0:-1")
	if err != nil {
		return 0, err
	}
	// Output: "<topic> [0] offset <n>"
	fields := strings.Fields(strings.TrimSpace(out))
	if len(fields) < 4 {
		return 0, fmt.Errorf("unexpected kcat -Q output %q", out)
	}
	return strconv.ParseInt(fields[len(fields)-1], 10, 64)
}

func execOutput(ctx context.Context, name string, args ...string) (string, error) {
	b, err := exec.CommandContext(ctx, name, args...).Output()
	return string(b), err
}

// TestValidator checks the validator itself on hand-made records: a lost
// change, a duplicate and a per-key reordering are each counted.
func TestValidator(t *testing.T) {
	rec := func(op string, id, seq int) kcatMessage {
		key := fmt.Sprintf(`{"schema":null,"payload":{"id":%d}}`, id)
		row := fmt.Sprintf(`{"id":%d,"seq":%d}`, id, seq)
		before, after := "null", row
		if op == "d" {
			before, after = row, "null"
		}
		value := fmt.Sprintf(`{"schema":null,"payload":{"before":%s,"after":%s,"source":{},"op":%q}}`, before, after, op)
		return kcatMessage{Key: &key, Payload: &value}
	}
	tombstone := rec("d", 2, 2)
	tombstone.Payload = nil
	committed := []change{{"c", 1, 1}, {"c", 2, 2}, {"u", 1, 3}, {"d", 2, 2}, {"u", 1, 4}}
	records := []kcatMessage{
		rec("r", 1, 1), rec("c", 2, 2), rec("u", 1, 4), rec("u", 1, 3), // 1: 4 before 3
		rec("d", 2, 2), tombstone, // a tombstone is ignored
		rec("c", 2, 2), // a duplicate
	}
	got := validate(t, "synthetic", 0, committed, records)
	want := faultReport{scenario: "synthetic", committed: 5, delivered: 6, lost: 0, dupes: 1, outOfOrder: 1}
	if got != want {
		t.Fatalf("validate = %+v, want %+v", got, want)
	}
	if got := validate(t, "synthetic", 0, committed, records[:3]); got.lost != 2 {
		t.Fatalf("lost = %d, want 2 (u 1/3 and d 2/2 missing)", got.lost)
	}
}

// Database fault scenarios: the worker keeps running while PostgreSQL
// misbehaves; its task fails with a retriable error, is restarted by the
// runtime after retriable.restart.connector.wait.ms and resumes from the
// committed offsets.

// retriableFailure is the worker's log message for a task restarted after
// a retriable error, and restartedTask the one for the restart itself.
const (
	retriableFailure = "task failed with a retriable error; restarting it"
	restartedTask    = "restarting task after a retriable failure"
)

func logCount(w *process, msg string) int {
	return strings.Count(w.log(), `msg="`+msg+`"`)
}

// dbFaultConfig is the ledger connector with quick restarts.
func dbFaultConfig(t *testing.T, pg *pgtest.Server) []byte {
	return inventoryConfig(t, pg, func(c map[string]string) {
		c["table.include.list"] = "public.ledger"
		c["retriable.restart.connector.wait.ms"] = "200"
		c["slot.retry.delay.ms"] = "200"
		c["slot.max.retries"] = "50"
		// PostgreSQL shuts down only once its walsender has been told how
		// far the connector got.
		c["status.update.interval.ms"] = "500"
	})
}

// runDatabaseFault streams a workload, injects fault once per loop and
// waits each time for the task to be restarted and RUNNING again; then it
// validates delivery.
func runDatabaseFault(t *testing.T, scenario string, fault func(t *testing.T, pg *pgtest.Server, w *process, writer *ledgerWriter, load **workload)) {
	pg := pgtest.Start(t)
	pg.Exec(t, ledgerDDL)
	env := workerEnv{dataDir: filepath.Join(t.TempDir(), "data")}
	w := startWorker(t, env)
	if code, body := w.do("POST", "/connectors", dbFaultConfig(t, pg)); code != 201 {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	// Streaming scenario: the workload starts after the empty snapshot.
	waitCommittedOffset(t, w)
	writer := newLedgerWriter(t, pg, 2)
	load := startWorkload(t, writer)
	const topic = "dbserver1.public.ledger"
	loops := faultLoops()
	for i := range loops {
		target := len(writer.changes()) + 100
		waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(writer.changes()) >= target })
		fault(t, pg, w, writer, &load)
		waitFor(t, 60*time.Second, "the task to be restarted", func() bool { return logCount(w, restartedTask) > i })
		waitRunning(t, w, "inventory")
	}
	// The task streams again: changes made after the last fault arrive.
	target := len(writer.changes()) + 50
	waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(writer.changes()) >= target })
	load.halt(t)
	committed := writer.changes()
	records := waitDelivered(t, w, topic, committed)
	recordFaultReport(t, validate(t, scenario, loops, committed, records))
	if n := logCount(w, retriableFailure); n < loops {
		t.Errorf("%d retriable failures logged, want at least %d", n, loops)
	}
	if os.Getenv("FAULT_DEBUG") != "" {
		t.Log(w.log())
	}
	w.stop()
}

// terminateWalsender ends the connector's walsender with
// pg_terminate_backend, once it is streaming.
func terminateWalsender(t *testing.T, pg *pgtest.Server) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	waitFor(t, 60*time.Second, "the walsender to be terminated", func() bool {
		var done bool
		err := conn.QueryRow(t.Context(), `SELECT coalesce(bool_or(pg_terminate_backend(active_pid)), false)
			FROM pg_replication_slots WHERE slot_name = 'debezium_inventory' AND active_pid IS NOT NULL`).Scan(&done)
		if err != nil {
			t.Fatal(err)
		}
		return done
	})
}

// TestFaultWalsenderTerminated: the replication connection is terminated
// on the server side while changes stream.
func TestFaultWalsenderTerminated(t *testing.T) {
	runDatabaseFault(t, "walsender terminated (pg_terminate_backend)", func(t *testing.T, pg *pgtest.Server, _ *process, _ *ledgerWriter, _ **workload) {
		terminateWalsender(t, pg)
	})
}

// TestFaultPostgresRestart: PostgreSQL is restarted while changes stream.
func TestFaultPostgresRestart(t *testing.T) {
	runDatabaseFault(t, "PostgreSQL restarted", func(t *testing.T, pg *pgtest.Server, _ *process, writer *ledgerWriter, load **workload) {
		(*load).halt(t)
		pg.Restart(t)
		writer.reconnect(t, pg)
		*load = startWorkload(t, writer)
	})
}

// TestFaultPostgresUnreachable: PostgreSQL is down long enough for restart
// attempts to fail with connection refused, then comes back.
func TestFaultPostgresUnreachable(t *testing.T) {
	runDatabaseFault(t, "PostgreSQL unreachable (stopped, then started)", func(t *testing.T, pg *pgtest.Server, w *process, writer *ledgerWriter, load **workload) {
		(*load).halt(t)
		before := logCount(w, retriableFailure)
		pg.Stop(t)
		// The streaming task fails, and at least one restart fails too
		// while the server is down.
		waitFor(t, 60*time.Second, "restarts to fail while the database is down", func() bool {
			return logCount(w, retriableFailure) >= before+2
		})
		pg.Restart(t)
		writer.reconnect(t, pg)
		*load = startWorkload(t, writer)
	})
}

// Broker faults: the worker under test uses a broker hosted by another
// tributary process (its embedded broker, with its data dir on disk, and no
// connectors); the broker host is stopped for a while and started again on
// the same data dir and port.

// brokerHostEnv is a tributary process that only hosts the broker: its own
// group and internal topics keep it out of the worker's cluster.
func brokerHostEnv(dataDir string, port int) workerEnv {
	return workerEnv{dataDir: dataDir, extraEnv: []string{
		fmt.Sprintf("CONNECT_EMBEDDED_KAFKA_LISTENERS=127.0.0.1:%d", port),
		"CONNECT_GROUP_ID=broker-host",
		"CONNECT_CONFIG_STORAGE_TOPIC=broker-host-configs",
		"CONNECT_OFFSET_STORAGE_TOPIC=broker-host-offsets",
		"CONNECT_STATUS_STORAGE_TOPIC=broker-host-status",
	}}
}

// brokerOutage is how long the broker stays down: short in `make test`,
// longer (FAULT_BROKER_OUTAGE, e.g. 2m) under `make faults`.
func brokerOutage() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("FAULT_BROKER_OUTAGE")); err == nil && d > 0 {
		return d
	}
	if faultLoops() > 1 {
		return 30 * time.Second
	}
	return 10 * time.Second
}

// brokerCatchUp bounds how long after the broker's return the changes
// committed during the outage take to be in Kafka and confirmed to the
// slot: the reconnect, the rejoin, streaming the outage's backlog (a few
// thousand changes) and an offset commit; far below
// scheduled.rebalance.max.delay.ms.
const brokerCatchUp = 60 * time.Second

// waitSlotConfirmsNow waits until the connector's slot has confirmed the
// WAL written up to now: every change committed before is in Kafka and its
// offset committed. The workload must go on, so that a later transaction
// carries the confirmed position past now.
func waitSlotConfirmsNow(t *testing.T, pg *pgtest.Server, timeout time.Duration) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var now string
	if err := conn.QueryRow(t.Context(), `SELECT pg_current_wal_lsn()::text`).Scan(&now); err != nil {
		t.Fatal(err)
	}
	waitFor(t, timeout, "the slot to confirm the WAL up to "+now, func() bool {
		var done bool
		err := conn.QueryRow(t.Context(), `SELECT coalesce(bool_or(confirmed_flush_lsn >= $1::pg_lsn), false)
			FROM pg_replication_slots WHERE slot_name = 'debezium_inventory'`, now).Scan(&done)
		if err != nil {
			t.Fatal(err)
		}
		return done
	})
}

// TestFaultBrokerOutage stops the worker's broker (SIGTERM to the process
// hosting it) while a workload runs, keeps it down for brokerOutage, and
// starts it again; the changes committed during the outage must be in
// Kafka and confirmed to the slot within brokerCatchUp, the task must be
// RUNNING afterwards and every committed change delivered, in order per
// key.
func TestFaultBrokerOutage(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, ledgerDDL)
	hostEnv := brokerHostEnv(filepath.Join(t.TempDir(), "broker"), freePort(t))
	host := startWorker(t, hostEnv)
	w := startWorker(t, workerEnv{dataDir: t.TempDir(), extraEnv: []string{
		"CONNECT_BOOTSTRAP_SERVERS=" + host.kafka,
		// Rebalances after the outage settle quickly.
		"CONNECT_SESSION_TIMEOUT_MS=6000",
		"CONNECT_HEARTBEAT_INTERVAL_MS=1000",
		// Kafka Connect's default: the restarted broker has forgotten the
		// group, so the worker rejoins as a new member, and its work must
		// not wait for its old membership to come back.
		"CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS=300000",
	}})
	if code, body := w.do("POST", "/connectors", dbFaultConfig(t, pg)); code != 201 {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	// Streaming scenario: the workload starts after the empty snapshot.
	waitCommittedOffset(t, w)
	writer := newLedgerWriter(t, pg, 3)
	load := startWorkload(t, writer)
	const topic = "dbserver1.public.ledger"
	loops := faultLoops()
	outage := brokerOutage()
	for range loops {
		target := len(writer.changes()) + 100
		waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(writer.changes()) >= target })
		host.stop()
		// The workload goes on while the broker is down; the pipeline
		// waits on it (bounded) instead of buffering without limit.
		down := time.Now()
		target = len(writer.changes()) + 100
		waitFor(t, outage+60*time.Second, "the outage to last", func() bool {
			return time.Since(down) >= outage && len(writer.changes()) >= target
		})
		host = startWorker(t, hostEnv)
		back := time.Now()
		waitSlotConfirmsNow(t, pg, brokerCatchUp)
		t.Logf("the changes committed during the outage were confirmed %v after the broker's return", time.Since(back).Round(100*time.Millisecond))
		waitRunning(t, w, "inventory")
	}
	target := len(writer.changes()) + 50
	waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(writer.changes()) >= target })
	load.halt(t)
	committed := writer.changes()
	records := waitDelivered(t, host, topic, committed)
	recordFaultReport(t, validate(t, "broker outage (broker host stopped, then started)", loops, committed, records))
	if os.Getenv("FAULT_DEBUG") != "" {
		t.Log(w.log())
	}
	w.stop()
	host.stop()
}

// waitCommittedOffset waits until the inventory connector has a committed
// offset: faults injected before that would test the initial snapshot.
func waitCommittedOffset(t *testing.T, w *process) {
	t.Helper()
	waitFor(t, 60*time.Second, "a committed offset", func() bool {
		_, body := w.do("GET", "/connectors/inventory/offsets", nil)
		return strings.Contains(string(body), `"lsn"`)
	})
}
