package postgres

import (
	"encoding/json"
	"testing"
)

func TestLoadOffset(t *testing.T) {
	tests := []struct {
		name        string
		in          map[string]any
		done        bool
		flush       uint64
		resume      uint64
		txID        int64
		eventsAtLSN int64
	}{
		{"streaming, int64", map[string]any{"lsn": int64(300), "lsn_proc": int64(300), "lsn_commit": int64(200),
			"txId": int64(555), "ts_usec": int64(1), "messageType": "INSERT", "lsn_events_processed": int64(2)},
			true, 200, 200, 555, 2},
		{"streaming, float64 from JSON", map[string]any{"lsn": 300.0, "lsn_proc": 300.0, "lsn_commit": 200.0, "txId": 555.0},
			true, 200, 200, 555, 0},
		{"json.Number", map[string]any{"lsn": json.Number("300"), "lsn_proc": json.Number("250"), "txId": json.Number("7")},
			true, 250, 250, 7, 0},
		{"older: no lsn_commit", map[string]any{"lsn": int64(300), "lsn_proc": int64(280), "txId": int64(1)},
			true, 280, 280, 1, 0},
		{"older: snapshot true", map[string]any{"lsn": int64(100), "snapshot": true, "last_snapshot_record": false, "txId": int64(9)},
			false, 0, 100, 9, 0},
		{"older: last snapshot record", map[string]any{"lsn": int64(100), "snapshot": true, "last_snapshot_record": true},
			true, 0, 100, 0, 0},
		{"3.1 snapshot running", map[string]any{"lsn": int64(100), "snapshot": "INITIAL", "snapshot_completed": false, "last_snapshot_record": false},
			false, 0, 100, 0, 0},
		{"3.1 snapshot completed as string", map[string]any{"lsn": int64(100), "snapshot": "INITIAL", "snapshot_completed": "true"},
			true, 0, 100, 0, 0},
		{"snapshot false string", map[string]any{"lsn": int64(100), "snapshot": "false"}, true, 0, 100, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := loadOffset(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if o.snapshotDone() != tc.done || o.flushLSN() != tc.flush || o.resumeLSN() != tc.resume ||
				o.TxID != tc.txID || o.EventsProcessed != tc.eventsAtLSN {
				t.Fatalf("got %+v (done %v flush %d resume %d)", o, o.snapshotDone(), o.flushLSN(), o.resumeLSN())
			}
		})
	}
	for _, bad := range []map[string]any{{"lsn": "x"}, {"txId": 1.5}, {"lsn": []int{1}}, {"snapshot": 3}} {
		if _, err := loadOffset(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	if o, err := loadOffset(nil); o != nil || err != nil {
		t.Errorf("nil offset: %v %v", o, err)
	}
}

// TestOffsetRoundTrip: what the task writes, read back after a JSON round
// trip (as the offsets topic stores it), is what it wrote.
func TestOffsetRoundTrip(t *testing.T) {
	for _, m := range []map[string]any{
		streamOffset(300, 200, 555, 1714557600123456, msgUpdate, 3),
		snapshotOffset(100, 9, 1714557600123456, true),
	} {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		a, _ := loadOffset(m)
		c, err := loadOffset(back)
		if err != nil || *a != *c {
			t.Errorf("round trip of %v: %+v vs %+v (%v)", m, a, c, err)
		}
	}
	if _, ok := streamOffset(300, 0, 1, 1, msgInsert, 1)[offLSNCommit]; ok {
		t.Errorf("an unknown lsn_commit is written")
	}
}
