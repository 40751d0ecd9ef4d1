package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connectors/postgres/javaser"
	"github.com/tributary-cdc/tributary/connectors/postgres/pgtest"
)

// TestEndToEndIncrementalSnapshotKafkaSignalAndKill: an execute-snapshot
// signal produced by kcat on the Kafka signal channel starts an incremental
// snapshot of a table the connector streams without having snapshotted it;
// the worker is killed with SIGKILL half-way, and the restarted task resumes
// after the chunk key stored in its committed offset (Debezium's
// incremental_snapshot_* fields, the key Java-serialized), not from the
// start: exactly the rows already in Kafka beyond that key are read again.
// The broker runs in its own process, so what reached Kafka before the kill
// can be read after it.
func TestEndToEndIncrementalSnapshotKafkaSignalAndKill(t *testing.T) {
	const rows, chunk = 20000, 1024
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE debezium_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))",
		"CREATE TABLE backfill (id int PRIMARY KEY, v text)",
		fmt.Sprintf("INSERT INTO backfill SELECT g, 'row ' || g FROM generate_series(1, %d) g", rows))
	host := startWorker(t, brokerHostEnv(filepath.Join(t.TempDir(), "broker"), freePort(t)))
	env := workerEnv{dataDir: t.TempDir(), extraEnv: []string{"CONNECT_BOOTSTRAP_SERVERS=" + host.kafka,
		"CONNECT_OFFSET_FLUSH_INTERVAL_MS=100"}}
	w := startWorker(t, env)
	config := inventoryConfig(t, pg, func(c map[string]string) {
		c["table.include.list"] = "public.backfill"
		c["snapshot.mode"] = "no_data"
		c["signal.data.collection"] = "public.debezium_signal"
		c["signal.enabled.channels"] = "source,kafka"
		c["signal.kafka.bootstrap.servers"] = host.kafka
		c["incremental.snapshot.chunk.size"] = fmt.Sprint(chunk)
	})
	if code, body := w.do("POST", "/connectors", config); code != 201 {
		t.Fatalf("POST /connectors = %d %s", code, body)
	}
	waitRunning(t, w, "inventory")
	waitCommittedOffset(t, w)

	// Debezium's Kafka signal: keyed by topic.prefix on <topic.prefix>-signal.
	signal := `{"type":"execute-snapshot","data":{"data-collections":["public.backfill"],"type":"incremental"}}`
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	produce := exec.CommandContext(ctx, "kcat", "-b", host.kafka, "-P", "-t", "dbserver1-signal", "-k", "dbserver1")
	produce.Stdin = bytes.NewBufferString(signal + "\n")
	if out, err := produce.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v %s", err, out)
	}

	const topic = "dbserver1.public.backfill"
	waitFor(t, 2*time.Minute, "half of the table in Kafka", func() bool {
		n, err := kcatOffsets(host.kafka, topic)
		return err == nil && n >= rows/2
	})
	w.kill()

	// What reached Kafka, and the position the offsets topic holds.
	before := consume(t, host.kafka, topic)
	var last map[string]any
	for _, m := range consume(t, host.kafka, "connect-offsets") {
		if m.Key != nil && m.Payload != nil && bytes.Contains([]byte(*m.Key), []byte(`"inventory"`)) {
			last = nil
			if err := json.Unmarshal([]byte(*m.Payload), &last); err != nil {
				t.Fatalf("offset %s: %v", *m.Payload, err)
			}
		}
	}
	for _, field := range []string{"incremental_snapshot_collections", "incremental_snapshot_primary_key", "incremental_snapshot_maximum_key"} {
		if _, ok := last[field].(string); !ok {
			t.Fatalf("the committed offset lacks %s: %v", field, last)
		}
	}
	key := func(field string) int {
		t.Helper()
		k, err := javaser.Decode(last[field].(string))
		if err != nil || len(k) != 1 {
			t.Fatalf("%s = %v: %v, %v", field, last[field], k, err)
		}
		id, ok := k[0].(int32)
		if !ok {
			t.Fatalf("%s holds %T, want a java.lang.Integer", field, k[0])
		}
		return int(id)
	}
	stored, maximum := key("incremental_snapshot_primary_key"), key("incremental_snapshot_maximum_key")
	if maximum != rows || stored <= 0 || stored > len(before) {
		t.Fatalf("offset keys: last %d, maximum %d, with %d rows in Kafka", stored, maximum, len(before))
	}

	w = startWorker(t, env)
	waitRunning(t, w, "inventory")
	var after []kcatMessage
	waitFor(t, 2*time.Minute, "every row in Kafka", func() bool {
		after = consume(t, host.kafka, topic)
		seen := map[any]bool{}
		for _, m := range after {
			if ev := decodeEvent(t, m); ev.op == "r" {
				seen[ev.key["id"]] = true
			}
		}
		return len(seen) == rows
	})
	reads := 0
	for _, m := range after {
		if ev := decodeEvent(t, m); ev.op == "r" {
			if ev.snapshot != "incremental" {
				t.Fatalf("a read event with source.snapshot %q", ev.snapshot)
			}
			reads++
		}
	}
	// Resumed at stored+1: the rows of the first run beyond the stored key
	// are read again, nothing before it.
	reread := reads - rows
	if want := len(before) - stored; reread != want {
		t.Errorf("%d rows read again, want %d (%d in Kafka before the kill, offset at key %d)", reread, want, len(before), stored)
	}
	t.Logf("killed after %d rows; the committed offset was at key %d; %d rows (%.1f chunks) read again", len(before), stored,
		reread, float64(reread)/chunk)
	w.stop()
	host.stop()
}
