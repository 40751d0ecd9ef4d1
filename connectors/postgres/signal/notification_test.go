package signal

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	return compact.Bytes()
}

var fixedTime = time.UnixMilli(1700000000123)

// TestGoldenNotificationRecord: the sink channel's record of an
// incremental snapshot's STARTED notification, through a JsonConverter,
// byte for byte.
func TestGoldenNotificationRecord(t *testing.T) {
	snaps := Snapshots{ConnectorName: "dbserver1", Now: func() time.Time { return fixedTime }}
	n, err := NewNotifier(NotificationConfig{Enabled: []string{"sink"}, SinkTopic: "notifications"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	partition, offset := map[string]any{"server": "dbserver1"}, map[string]any{"lsn": int64(42)}
	rec, ok := n.Notify(snaps.IncrementalStarted("ad-hoc", []string{"public.a", "public.b"}), partition, offset)
	if !ok {
		t.Fatal("the sink channel made no record")
	}
	if rec.Topic != "notifications" || !reflect.DeepEqual(rec.SourcePartition, partition) || !reflect.DeepEqual(rec.SourceOffset, offset) {
		t.Errorf("record topic %q partition %v offset %v", rec.Topic, rec.SourcePartition, rec.SourceOffset)
	}
	for _, c := range []struct {
		isKey bool
		file  string
	}{{true, "notification_started_key.json"}, {false, "notification_started_value.json"}} {
		conv, err := jsonconv.New(nil, c.isKey)
		if err != nil {
			t.Fatal(err)
		}
		s, v := rec.ValueSchema, any(rec.Value)
		if c.isKey {
			s, v = rec.KeySchema, rec.Key
		}
		got, err := conv.FromConnect(rec.Topic, s, v)
		if err != nil {
			t.Fatal(err)
		}
		if want := golden(t, c.file); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", c.file, got, want)
		}
	}
	// Without an offset the record carries none, instead of an empty one.
	if rec := Record("n", snaps.InitialStarted(), partition, map[string]any{}); rec.SourceOffset != nil {
		t.Errorf("empty offset kept: %v", rec.SourceOffset)
	}
}

// The snapshot services' notifications: types, aggregate types, ids and
// additional_data as Debezium's services build them.
func TestSnapshotNotifications(t *testing.T) {
	snaps := Snapshots{ConnectorName: "c", Now: func() time.Time { return fixedTime }, NewID: func() string { return "rnd" }}
	cols := []string{"public.a", "public.b"}
	for _, tc := range []struct {
		got                 Notification
		id, aggregate, kind string
		data                map[string]string
	}{
		{snaps.IncrementalStarted("sig", cols), "sig", AggregateIncrementalSnapshot, "STARTED", map[string]string{"data_collections": "public.a,public.b"}},
		{snaps.IncrementalPaused("sig", cols), "sig", AggregateIncrementalSnapshot, "PAUSED", map[string]string{"data_collections": "public.a,public.b"}},
		{snaps.IncrementalResumed("", cols), "rnd", AggregateIncrementalSnapshot, "RESUMED", map[string]string{"data_collections": "public.a,public.b"}},
		{snaps.IncrementalAborted("sig", nil), "sig", AggregateIncrementalSnapshot, "ABORTED", map[string]string{}},
		{snaps.IncrementalAborted("sig", []string{"public.b"}), "sig", AggregateIncrementalSnapshot, "ABORTED", map[string]string{"data_collections": "public.b"}},
		{snaps.IncrementalTableScanCompleted("sig", cols, "public.a", 7, ScanSucceeded), "sig", AggregateIncrementalSnapshot, "TABLE_SCAN_COMPLETED",
			map[string]string{"data_collections": "public.a,public.b", "scanned_collection": "public.a", "total_rows_scanned": "7", "status": "SUCCEEDED"}},
		{snaps.IncrementalInProgress("sig", cols, "public.a", nil, []string{"3", NullKeyPart}), "sig", AggregateIncrementalSnapshot, "IN_PROGRESS",
			map[string]string{"data_collections": "public.a,public.b", "current_collection_in_progress": "public.a", "maximum_key": `"<null>"`, "last_processed_key": "3,<null>"}},
		{snaps.IncrementalCompleted("sig"), "sig", AggregateIncrementalSnapshot, "COMPLETED", map[string]string{}},
		{snaps.InitialStarted(), "rnd", AggregateInitialSnapshot, "STARTED", map[string]string{}},
		{snaps.InitialTableInProgress("public.a", cols), "rnd", AggregateInitialSnapshot, "IN_PROGRESS",
			map[string]string{"current_collection_in_progress": "public.a", "data_collections": "public.a,public.b"}},
		{snaps.InitialTableScanCompleted("public.a", 3, cols), "rnd", AggregateInitialSnapshot, "TABLE_SCAN_COMPLETED",
			map[string]string{"scanned_collection": "public.a", "data_collections": "public.a,public.b", "total_rows_scanned": "3", "status": "SUCCEEDED"}},
		{snaps.InitialTableScanFailed("public.a"), "rnd", AggregateInitialSnapshot, "TABLE_SCAN_COMPLETED",
			map[string]string{"scanned_collection": "public.a", "status": "SQL_EXCEPTION"}},
		{snaps.InitialCompleted(), "rnd", AggregateInitialSnapshot, "COMPLETED", map[string]string{}},
		{snaps.InitialAborted(), "rnd", AggregateInitialSnapshot, "ABORTED", map[string]string{}},
		{snaps.InitialSkipped(), "rnd", AggregateInitialSnapshot, "SKIPPED", map[string]string{}},
	} {
		tc.data["connector_name"] = "c"
		want := Notification{ID: tc.id, AggregateType: tc.aggregate, Type: tc.kind, AdditionalData: tc.data, Timestamp: fixedTime}
		if !reflect.DeepEqual(tc.got, want) {
			t.Errorf("got %+v\nwant %+v", tc.got, want)
		}
	}
	if id := RandomUUID(); len(id) != 36 || id[14] != '4' || !strings.Contains("89ab", id[19:20]) {
		t.Errorf("RandomUUID() = %s", id)
	}
}

// The log channel writes LogNotificationChannel's line; jmx and unknown
// channels are named in a warning; sink without a topic is refused.
func TestNotifierChannels(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	n, err := NewNotifier(NotificationConfig{Enabled: []string{"log", "jmx", "carrier-pigeon"}}, log)
	if err != nil {
		t.Fatal(err)
	}
	snaps := Snapshots{ConnectorName: "dbserver1", Now: func() time.Time { return fixedTime }}
	if _, ok := n.Notify(snaps.IncrementalStarted("ad-hoc", []string{"public.a"}), nil, nil); ok {
		t.Error("a record without the sink channel")
	}
	out := buf.String()
	for _, want := range []string{
		"jmx, carrier-pigeon",
		`[Notification Service]  {id='ad-hoc', aggregateType='Incremental Snapshot', type='STARTED', additionalData={connector_name=dbserver1, data_collections=public.a}, timestamp=1700000000123}`,
	} {
		if !strings.Contains(out, strings.ReplaceAll(want, `"`, `\"`)) && !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if _, err := NewNotifier(NotificationConfig{Enabled: []string{"sink"}}, nil); err == nil || !strings.Contains(err.Error(), NotificationTopicRequired) {
		t.Errorf("sink without topic: %v", err)
	}
	if n, _ := NewNotifier(NotificationConfig{}, nil); n.Enabled() {
		t.Error("no channel, yet enabled")
	}
}

// javaHashMapKeys follows HashMap's table sizes: 16 for an empty map, and
// ceil(n/0.75) rounded up to a power of two, doubled past 3/4 full.
func TestJavaHashMapKeys(t *testing.T) {
	// Table of 8 (4 entries, then connector_name): buckets scanned 1,
	// connector_name 4, total_rows_scanned 6, data_collections and status 7
	// (a tie Map.of's order decides in Java; lexical here).
	m := map[string]string{"scanned_collection": "", "total_rows_scanned": "", "status": "", "data_collections": "", "connector_name": ""}
	want := []string{"scanned_collection", "connector_name", "total_rows_scanned", "data_collections", "status"}
	if got := javaHashMapKeys(m); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
