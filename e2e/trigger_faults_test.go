package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// clientWriter is one client of a concurrent workload on the ledger: it
// owns the ids id0+1, id0+2, … for its inserts, updates and deletes, and
// also updates the shared hot rows, whose writers wait for each other's
// row locks. With long set, each of its transactions holds several
// changes over several ticks, overlapping the other clients' short ones.
// A change is recorded once its transaction has committed.
type clientWriter struct {
	conn *pgx.Conn
	rnd  *rand.Rand
	long bool
	id0  int
	hot  int

	mu        sync.Mutex
	committed []change
	live      map[int]int64
	nextID    int
}

// statement makes one random change inside tx and returns it.
func (c *clientWriter) statement(ctx context.Context, tx pgx.Tx, pending map[int]int64) (change, error) {
	ids := make([]int, 0, len(pending))
	for id, seq := range pending {
		if seq != 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var ch change
	switch r := c.rnd.IntN(10); {
	case !c.long && r == 0:
		ch = change{op: "u", id: 1 + c.rnd.IntN(c.hot)}
		err := tx.QueryRow(ctx, `UPDATE ledger SET seq = nextval('ledger_seq') WHERE id = $1 RETURNING seq`, ch.id).Scan(&ch.seq)
		return ch, err
	case len(ids) < 5 || r < 5:
		c.nextID++
		ch = change{op: "c", id: c.id0 + c.nextID}
		err := tx.QueryRow(ctx, `INSERT INTO ledger VALUES ($1, nextval('ledger_seq')) RETURNING seq`, ch.id).Scan(&ch.seq)
		return ch, err
	case r < 8:
		ch = change{op: "u", id: ids[c.rnd.IntN(len(ids))]}
		err := tx.QueryRow(ctx, `UPDATE ledger SET seq = nextval('ledger_seq') WHERE id = $1 RETURNING seq`, ch.id).Scan(&ch.seq)
		return ch, err
	default:
		ch = change{op: "d", id: ids[c.rnd.IntN(len(ids))]}
		err := tx.QueryRow(ctx, `DELETE FROM ledger WHERE id = $1 RETURNING seq`, ch.id).Scan(&ch.seq)
		return ch, err
	}
}

// run commits transactions until ctx ends, one statement per tick; a
// transaction under way when ctx ends is still committed.
func (c *clientWriter) run(ctx context.Context) error {
	tick := time.NewTicker(3 * time.Millisecond)
	defer tick.Stop()
	for ctx.Err() == nil {
		size := 1
		if c.long {
			size = 5 + c.rnd.IntN(20)
		}
		tx, err := c.conn.Begin(context.WithoutCancel(ctx))
		if err != nil {
			return err
		}
		c.mu.Lock()
		pending := make(map[int]int64, len(c.live))
		for id, seq := range c.live {
			pending[id] = seq
		}
		c.mu.Unlock()
		var changes []change
		for i := range size {
			if i > 0 {
				select {
				case <-tick.C:
				case <-ctx.Done():
				}
			}
			ch, err := c.statement(context.WithoutCancel(ctx), tx, pending)
			if err != nil {
				_ = tx.Rollback(context.Background())
				return fmt.Errorf("client %d: %w", c.id0, err)
			}
			changes = append(changes, ch)
			if ch.op == "d" {
				pending[ch.id] = 0
			} else if ch.id > c.hot {
				pending[ch.id] = ch.seq
			}
		}
		if err := tx.Commit(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("client %d: %w", c.id0, err)
		}
		c.mu.Lock()
		c.committed = append(c.committed, changes...)
		for _, ch := range changes {
			switch {
			case ch.op == "d":
				delete(c.live, ch.id)
			case ch.id > c.hot:
				c.live[ch.id] = ch.seq
			}
		}
		c.mu.Unlock()
		select {
		case <-tick.C:
		case <-ctx.Done():
		}
	}
	return nil
}

// multiWorkload runs several clients, one of them with long transactions.
type multiWorkload struct {
	clients []*clientWriter
	stop    context.CancelFunc
	errc    chan error
}

const hotRows = 5

func newMultiWorkload(t *testing.T, pg *pgtest.Server, n int) *multiWorkload {
	t.Helper()
	m := &multiWorkload{}
	for i := range n {
		c := &clientWriter{rnd: rand.New(rand.NewPCG(uint64(i+7), 3)), long: i == 0, id0: (i + 1) * 1_000_000, hot: hotRows, live: map[int]int64{}}
		m.clients = append(m.clients, c)
	}
	m.reconnect(t, pg)
	return m
}

func (m *multiWorkload) reconnect(t *testing.T, pg *pgtest.Server) {
	t.Helper()
	for _, c := range m.clients {
		if c.conn != nil {
			_ = c.conn.Close(context.Background())
		}
		conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		c.conn = conn
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
}

func (m *multiWorkload) start(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	m.stop = stop
	m.errc = make(chan error, len(m.clients))
	for _, c := range m.clients {
		go func() { m.errc <- c.run(ctx) }()
	}
}

// halt stops every client after its current transaction.
func (m *multiWorkload) halt(t *testing.T) {
	t.Helper()
	m.stop()
	var errs []error
	for range m.clients {
		errs = append(errs, <-m.errc)
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("workload: %v", err)
	}
}

// changes is every committed change of every client, plus the hot rows'
// inserts.
func (m *multiWorkload) changes() []change {
	out := make([]change, 0, 1024)
	for i := 1; i <= hotRows; i++ {
		out = append(out, change{op: "c", id: i, seq: int64(i)})
	}
	for _, c := range m.clients {
		c.mu.Lock()
		out = append(out, c.committed...)
		c.mu.Unlock()
	}
	return out
}

// TestFaultTriggerConnector runs the trigger-based connector under a
// concurrent workload of four clients, one of them with long transactions
// overlapping the others' short ones and all of them updating shared hot
// rows; the worker is SIGKILLed and restarted, then PostgreSQL is
// restarted. Every committed change must be in Kafka, in order per key.
func TestFaultTriggerConnector(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, ledgerDDL, fmt.Sprintf(`INSERT INTO ledger SELECT g, nextval('ledger_seq') FROM generate_series(1, %d) g`, hotRows))
	env := workerEnv{dataDir: filepath.Join(t.TempDir(), "data")}
	w := startWorker(t, env)
	config := inventoryConfig(t, pg, func(c map[string]string) {
		c["connector.class"] = "io.tributary.connector.postgresql.TriggerConnector"
		for _, k := range []string{"plugin.name", "slot.name", "publication.name", "publication.autocreate.mode"} {
			delete(c, k)
		}
		c["table.include.list"] = "public.ledger"
		c["retriable.restart.connector.wait.ms"] = "200"
		c["poll.interval.ms"] = "200"
	})
	if code, body := w.do("POST", "/connectors", config); code != 201 {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	// The workload starts once the snapshot's position is committed.
	waitFor(t, 60*time.Second, "a committed offset", func() bool {
		_, body := w.do("GET", "/connectors/inventory/offsets", nil)
		return strings.Contains(string(body), `"trigger_prev"`)
	})

	t.Log("snapshot committed")
	load := newMultiWorkload(t, pg, 4)
	load.start(t)
	const topic = "dbserver1.public.ledger"
	loops := faultLoops()
	for range loops {
		target := len(load.changes()) + 200
		waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(load.changes()) >= target })
		w.kill()
		w = startWorker(t, env)
		waitRunning(t, w, "inventory")
		t.Log("worker killed and restarted")
	}
	for i := range loops {
		target := len(load.changes()) + 200
		waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(load.changes()) >= target })
		load.halt(t)
		pg.Restart(t)
		load.reconnect(t, pg)
		load.start(t)
		waitFor(t, 60*time.Second, "the task to be restarted", func() bool { return logCount(w, restartedTask) > i })
		waitRunning(t, w, "inventory")
		t.Log("PostgreSQL restarted; task running again")
	}
	target := len(load.changes()) + 100
	waitFor(t, 60*time.Second, "the workload to progress", func() bool { return len(load.changes()) >= target })
	load.halt(t)
	committed := load.changes()
	t.Logf("workload halted after %d changes", len(committed))
	records := waitDelivered(t, w, topic, committed)
	recordFaultReport(t, validate(t, "Trigger connector: concurrent long and short transactions, SIGKILL, PostgreSQL restarted", 2*loops, committed, records))
	w.stop()
}
