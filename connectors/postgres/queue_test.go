package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/membudget"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
	"github.com/tributary-cdc/tributary/internal/testutil"
)

type nullContext struct{}

func (nullContext) Offset(context.Context, map[string]any) (map[string]any, error) { return nil, nil }
func (nullContext) Logger() *slog.Logger                                           { return slog.New(slog.DiscardHandler) }

// TestMaxQueueSizeInBytes snapshots rows of about 1 kB each with a 4 kB
// byte bound: while nothing polls, the queue holds at most the records
// admitted below the bound (plus the one that crossed it), and polling
// frees room for the rest.
func TestMaxQueueSizeInBytes(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE big(id int PRIMARY KEY, payload text)`,
		`INSERT INTO big SELECT g, repeat('x', 1000) FROM generate_series(1, 40) g`)
	task := NewTask()
	err := task.Start(t.Context(), nullContext{}, map[string]string{
		"topic.prefix": "p", "database.hostname": pg.Host(), "database.port": strconv.Itoa(pg.Port()),
		"database.user": "postgres", "database.dbname": "postgres", "max.queue.size.in.bytes": "4000",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for !task.queued.full() {
		if time.Now().After(deadline) {
			t.Fatal("the queue never reached its byte bound")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising
	}
	if n := task.records.len(); n > 4 {
		t.Fatalf("%d records queued with a 4000-byte bound and ~1 kB records", n)
	}
	got := 0
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for got < 40 {
		recs, err := task.Poll(ctx)
		if err != nil {
			t.Fatalf("after %d records: %v", got, err)
		}
		for _, r := range recs {
			if r.Topic != "" {
				got++
			}
		}
	}
}

// TestEventFailureHandling checks that warn, skip and ignore drop a failed
// event and fail stops the task with it.
func TestEventFailureHandling(t *testing.T) {
	for mode, wantErr := range map[string]bool{"fail": true, "warn": false, "skip": false, "ignore": false} {
		cfg, errs := ParseConfig(map[string]string{"topic.prefix": "p", "database.hostname": "h", KeyFailureHandling: mode})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		s := &streamer{t: &Task{cfg: cfg, log: slog.New(slog.DiscardHandler)}}
		err := s.eventFailed(errors.New("parsing date"))
		if (err != nil) != wantErr || (err != nil && !strings.Contains(err.Error(), "parsing date")) {
			t.Errorf("%s: %v", mode, err)
		}
	}
}

// budgetContext offers the worker's memory budget, as the runtime's
// TaskContext does.
type budgetContext struct {
	nullContext
	share *membudget.Share
}

func (c budgetContext) MemoryAccount() connect.MemoryAccount { return c.share.Account() }

// TestQueueTakesFromWorkerBudget: with no byte bound of its own, the queue
// takes its records' bytes from the task's share of the worker's budget:
// while nothing polls it holds what fits in the share (plus the record that
// found it full), and Poll gives the bytes back.
func TestQueueTakesFromWorkerBudget(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, `CREATE TABLE big(id int PRIMARY KEY, payload text)`,
		`INSERT INTO big SELECT g, repeat('x', 1000) FROM generate_series(1, 40) g`)
	budget := membudget.New(8000)
	budget.Share() // another task: this one's fair part is 4000 bytes
	share := budget.Share()
	defer share.Close()
	task := NewTask()
	err := task.Start(t.Context(), budgetContext{share: share}, map[string]string{
		"topic.prefix": "p", "database.hostname": pg.Host(), "database.port": strconv.Itoa(pg.Port()),
		"database.user": "postgres", "database.dbname": "postgres",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer task.Stop()
	// A queued row of 1,000 bytes holds about 1.4 kB: its slot, the
	// decoded event with its source block, and its offset.
	testutil.Eventually(t, 30*time.Second, "the queue to fill its share", func() error {
		if used, _ := budget.Used(); used < 4000-1600 {
			return fmt.Errorf("%d bytes queued", used)
		}
		return nil
	})
	// Room for one more record only if the task were not waiting on the
	// budget: it must be, since 40 rows do not fit.
	if used, _ := budget.Used(); used > 4000+1600 {
		t.Fatalf("%d bytes queued with a 4000-byte share and ~1.4 kB records", used)
	}
	if n := task.records.len(); n > 4 {
		t.Fatalf("%d records queued with a 4000-byte share and ~1.4 kB records", n)
	}
	got := 0
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for got < 40 {
		recs, err := task.Poll(ctx)
		if err != nil {
			t.Fatalf("after %d records: %v", got, err)
		}
		for _, r := range recs {
			if r.Topic != "" {
				got++
			}
		}
	}
	// The last batch stays taken while the runtime holds it: until the
	// next Poll.
	if used, _ := budget.Used(); used == 0 {
		t.Fatal("the batch Poll returned was given back to the budget before the next Poll")
	}
	if _, err := task.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if used, peak := budget.Used(); used != 0 || peak > 4000+1100 {
		t.Fatalf("after polling everything the budget holds %d bytes (peak %d)", used, peak)
	}
}
