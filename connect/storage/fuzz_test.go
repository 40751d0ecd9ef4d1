package storage

import (
	"bytes"
	"testing"

	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// The fuzz targets feed arbitrary records to the stores' record parsers, as
// a corrupt or foreign topic would. A record the parser cannot decode is
// skipped; none may panic. The seed corpora are in testdata/fuzz.

func fuzzLogConfig(f *testing.F, topic string, partitions int32) kafkalog.Config {
	return kafkalog.Config{Brokers: kafkatest.NewCluster(f), Topic: topic, Partitions: partitions,
		ReplicationFactor: -1, ClientID: "fuzz"}
}

// value returns nil (a tombstone) for an empty input, as fuzzing cannot
// otherwise tell them apart.
func value(b []byte, tombstone bool) []byte {
	if tombstone {
		return nil
	}
	return b
}

func FuzzOffsetRecord(f *testing.F) {
	f.Add([]byte(`["inventory",{"server":"dbserver1"}]`), []byte(`{"lsn_proc":24023128,"lsn":24023128,"txId":555}`), false)
	f.Add([]byte(`["inventory",{"server":"dbserver1"}]`), []byte(nil), true)
	f.Add([]byte(`["inventory",null]`), []byte(`null`), false)
	s, err := OpenOffsetStore(f.Context(), fuzzLogConfig(f, "connect-offsets", 1))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, key, val []byte, tombstone bool) {
		s.apply(key, value(val, tombstone))
		connector, partition, err := parseOffsetKey(key)
		if err != nil {
			return
		}
		// A key that parses encodes again, and its canonical form parses
		// to the same connector.
		canon, err := offsetKey(connector, partition)
		if err != nil {
			t.Fatalf("parsed key %q does not encode: %v", key, err)
		}
		again, _, err := parseOffsetKey([]byte(canon))
		if err != nil || again != connector {
			t.Fatalf("canonical key %q of %q parses to %q, %v", canon, key, again, err)
		}
		s.Partitions(connector)
	})
}

func FuzzConfigRecord(f *testing.F) {
	f.Add([]byte("connector-inventory"), []byte(`{"properties":{"name":"inventory","tasks.max":"1"}}`), false)
	f.Add([]byte("task-inventory-0"), []byte(`{"properties":{"name":"inventory"}}`), false)
	f.Add([]byte("commit-inventory"), []byte(`{"tasks":1}`), false)
	f.Add([]byte("target-state-inventory"), []byte(`{"state":"PAUSED","state.v2":"STOPPED"}`), false)
	f.Add([]byte("connector-inventory"), []byte(nil), true)
	f.Add([]byte("task-inventory-x"), []byte(`{"properties":{}}`), false)
	s, err := OpenConfigStore(f.Context(), fuzzLogConfig(f, "connect-configs", 1))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, key, val []byte, tombstone bool) {
		s.apply(key, value(val, tombstone))
		for _, name := range s.Connectors() {
			s.Connector(name)
		}
	})
}

func FuzzStatusRecord(f *testing.F) {
	f.Add([]byte("status-connector-inventory"), []byte(`{"state":"RUNNING","trace":null,"worker_id":"10.0.0.5:8083","generation":3}`), false)
	f.Add([]byte("status-task-inventory-0"), []byte(`{"state":"FAILED","trace":"boom","worker_id":"w","generation":3}`), false)
	f.Add([]byte("status-task-inventory-0"), []byte(nil), true)
	f.Add([]byte("status-topic-orders:connector-inventory"), []byte(`{"topic":{"name":"orders","connector":"inventory","task":0,"discoverTimestamp":1}}`), false)
	f.Add([]byte("status-task-inventory-"), []byte(`{}`), false)
	s, err := OpenStatusStore(f.Context(), fuzzLogConfig(f, "connect-status", 1))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, key, val []byte, tombstone bool) {
		s.apply(key, value(val, tombstone))
		if bytes.HasPrefix(key, []byte("status-task-")) {
			if id, err := parseTaskID(string(key[len("status-task-"):])); err == nil {
				s.Task(id)
				s.TaskStatuses(id.Connector)
			}
		}
		if st, err := parseStatus(val); err == nil && st.State == "" && len(val) == 0 {
			t.Fatalf("empty value parsed as %+v", st)
		}
	})
}
