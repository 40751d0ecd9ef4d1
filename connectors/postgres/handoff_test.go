package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestSnapshotHandoffHasNoGapOrDuplicate starts the task while a writer
// keeps inserting: every row must arrive exactly once, either read by the
// snapshot or streamed.
func TestSnapshotHandoffHasNoGapOrDuplicate(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)

	conn, err := pgx.Connect(t.Context(), pg.DSN("postgres"))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(context.Background())
	// The writer inserts one row per transaction until streaming has
	// delivered a row, so that writes overlap the whole hand-off.
	started, stop := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; ; i++ {
			if i == 50 {
				close(started)
			}
			select {
			case <-stop:
				return
			default:
			}
			if _, err := conn.Exec(context.Background(), `INSERT INTO customers(email) VALUES ('w')`); err != nil {
				writeErr = err
				if i < 50 {
					close(started)
				}
				return
			}
		}
	}()
	<-started
	h := newHarness(t, pg, nil)
	h.start()
	got := h.pollUntil(func(r connect.SourceRecord) bool { return op(t, r) == "c" })
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writing: %v", writeErr)
	}
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('sentinel')`)
	got = append(got, h.pollUntil(func(r connect.SourceRecord) bool {
		a := after(t, r)
		return a != nil && a.Get("email") == "sentinel"
	})...)
	seen := map[int32]string{}
	snapshotted := 0
	for _, r := range got {
		id := keyOf(r).([]any)[0].(int32)
		if prev, dup := seen[id]; dup {
			t.Fatalf("id %d delivered twice (%s, then %s)", id, prev, op(t, r))
		}
		seen[id] = op(t, r)
		if op(t, r) == "r" {
			snapshotted++
		}
	}
	last := keyOf(got[len(got)-1]).([]any)[0].(int32)
	for id := int32(1); id <= last; id++ {
		if _, ok := seen[id]; !ok {
			for _, r := range got {
				k := keyOf(r).([]any)[0].(int32)
				if k > id-4 && k < id+4 {
					t.Logf("%s %d offset %v", op(t, r), k, r.SourceOffset)
				}
			}
			t.Fatalf("id %d never delivered", id)
		}
	}
	if len(seen) != int(last) || snapshotted == 0 || snapshotted == len(seen) {
		t.Fatalf("delivered %d ids (%d snapshotted), want %d spanning both paths", len(seen), snapshotted, last)
	}
	t.Logf("%d rows snapshotted, %d streamed", snapshotted, len(seen)-snapshotted)
}

// TestDataPathErrorSurfacesFromPoll: when the replication connection dies,
// Poll returns the error instead of blocking or skipping.
func TestDataPathErrorSurfacesFromPoll(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, customersDDL)
	h := newHarness(t, pg, map[string]string{"snapshot.mode": "no_data"})
	h.start()
	pg.Exec(t, `INSERT INTO customers(email) VALUES ('a')`)
	h.poll(1)
	pg.Exec(t, `SELECT pg_terminate_backend(pid) FROM pg_stat_replication`)
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	for {
		polled, err := h.task.Poll(ctx)
		recs := h.records(polled)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				t.Fatalf("Poll did not fail with the data-path error: %v", err)
			}
			t.Logf("Poll failed: %v", err)
			return
		}
		if len(recs) > 0 {
			t.Fatalf("unexpected records:\n%s", describe(recs))
		}
	}
}
