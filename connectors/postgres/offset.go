package postgres

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Offset keys, as Debezium's PostgresOffsetContext writes them (≥3.1).
const (
	offLSN                = "lsn"
	offLSNProc            = "lsn_proc"
	offLSNCommit          = "lsn_commit"
	offTxID               = "txId"
	offTsUsec             = "ts_usec"
	offMessageType        = "messageType"
	offEventsProcessed    = "lsn_events_processed"
	offSnapshot           = "snapshot"
	offLastSnapshotRecord = "last_snapshot_record"
	offSnapshotCompleted  = "snapshot_completed"
	partitionKey          = "server"
	snapshotInitial       = "INITIAL"
	// snapshotIncremental and snapshotBlocking are the snapshot key's
	// values on the records of an incremental and a blocking snapshot
	// (Debezium's SnapshotType): neither is an initial snapshot to resume.
	snapshotIncremental = "INCREMENTAL"
	snapshotBlocking    = "BLOCKING"
)

// offset is a loaded source offset. Zero LSNs mean absent.
type offset struct {
	LSN, LSNProc, LSNCommit uint64
	TxID                    int64
	HasTxID                 bool
	TsUsec                  int64
	MessageType             string
	EventsProcessed         int64
	// Snapshot is set while an initial snapshot runs (the snapshot key is
	// INITIAL, or true before 3.1). The snapshot key of an incremental or
	// blocking snapshot's records does not set it: as Debezium's
	// isInitialSnapshotRunning, only an initial snapshot is resumed.
	Snapshot           bool
	LastSnapshotRecord bool
	SnapshotCompleted  bool
}

// loadOffset reads an offset map. It accepts the older forms: snapshot true
// (≤3.0) and a missing lsn_commit; numbers may be int64, float64 or
// json.Number (whatever the offset store decoded).
func loadOffset(m map[string]any) (*offset, error) {
	if m == nil {
		return nil, nil
	}
	o := &offset{}
	if err := o.decode(m); err != nil {
		return nil, err
	}
	return o, nil
}

// decode sets o from an offset map, as loadOffset does.
func (o *offset) decode(m map[string]any) error {
	var err error
	lsn := func(key string) uint64 {
		v, ok, e := int64Value(m[key])
		if e != nil && err == nil {
			err = fmt.Errorf("reading offset key %s: %w", key, e)
		}
		if !ok || v <= 0 {
			return 0
		}
		return uint64(v)
	}
	o.LSN, o.LSNProc, o.LSNCommit = lsn(offLSN), lsn(offLSNProc), lsn(offLSNCommit)
	var e error
	if o.TxID, o.HasTxID, e = int64Value(m[offTxID]); e != nil {
		return fmt.Errorf("reading offset key %s: %w", offTxID, e)
	}
	if o.TsUsec, _, e = int64Value(m[offTsUsec]); e != nil {
		return fmt.Errorf("reading offset key %s: %w", offTsUsec, e)
	}
	if o.EventsProcessed, _, e = int64Value(m[offEventsProcessed]); e != nil {
		return fmt.Errorf("reading offset key %s: %w", offEventsProcessed, e)
	}
	if err != nil {
		return err
	}
	o.MessageType, _ = m[offMessageType].(string)
	switch v := m[offSnapshot].(type) {
	case nil:
	case bool:
		o.Snapshot = v
	case string:
		o.Snapshot = v != "" && !strings.EqualFold(v, "false") &&
			!strings.EqualFold(v, snapshotIncremental) && !strings.EqualFold(v, snapshotBlocking)
	default:
		return fmt.Errorf("reading offset key %s: unexpected %T", offSnapshot, v)
	}
	o.LastSnapshotRecord = boolValue(m[offLastSnapshotRecord])
	o.SnapshotCompleted = boolValue(m[offSnapshotCompleted])
	return nil
}

// snapshotDone reports whether the offset says no snapshot is in progress.
func (o *offset) snapshotDone() bool {
	return !o.Snapshot || o.LastSnapshotRecord || o.SnapshotCompleted
}

// flushLSN is what a committed offset lets the slot confirm: lsn_commit,
// else lsn_proc.
func (o *offset) flushLSN() uint64 {
	if o.LSNCommit != 0 {
		return o.LSNCommit
	}
	return o.LSNProc
}

// resumeLSN is where streaming restarts: lsn_commit, else lsn_proc, else lsn.
func (o *offset) resumeLSN() uint64 {
	if l := o.flushLSN(); l != 0 {
		return l
	}
	return o.LSN
}

func int64Value(v any) (int64, bool, error) {
	switch n := v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		return n, true, nil
	case int:
		return int64(n), true, nil
	case int32:
		return int64(n), true, nil
	case uint64:
		if n > math.MaxInt64 {
			return 0, false, fmt.Errorf("%d overflows int64", n)
		}
		return int64(n), true, nil
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<63 {
			return 0, false, fmt.Errorf("%v is not an integer", n)
		}
		return int64(n), true, nil
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil || f != math.Trunc(f) {
				return 0, false, fmt.Errorf("parsing %q: %w", n, err)
			}
			return int64(f), true, nil
		}
		return i, true, nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, false, fmt.Errorf("parsing %q: %w", n, err)
		}
		return i, true, nil
	}
	return 0, false, fmt.Errorf("unexpected %T", v)
}

func boolValue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}

// snapshotOffset is the offset of a snapshot record.
func snapshotOffset(lsn uint64, txID int64, tsUsec int64, last bool) map[string]any {
	return map[string]any{
		offLastSnapshotRecord: last,
		offLSN:                int64(lsn),
		offTxID:               txID,
		offTsUsec:             tsUsec,
		offSnapshot:           snapshotInitial,
		offSnapshotCompleted:  last,
	}
}

// streamOffset is the offset of a streamed event.
func streamOffset(lsn, lastCommit uint64, txID uint32, tsUsec int64, messageType string, n int64) map[string]any {
	m := map[string]any{
		offLSN:             int64(lsn),
		offLSNProc:         int64(lsn),
		offTxID:            int64(txID),
		offTsUsec:          tsUsec,
		offMessageType:     messageType,
		offEventsProcessed: n,
	}
	if lastCommit != 0 {
		m[offLSNCommit] = int64(lastCommit)
	}
	return m
}
