package storage_test

import (
	"bytes"
	"testing"

	"github.com/tributary-cdc/tributary/connect/interworker"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// testdata/config-session-key-record.json is the session-key record as
// Kafka Connect 3.9 writes it: KafkaConfigBackingStore.putSessionKey
// (connect/runtime/src/main/java/org/apache/kafka/connect/storage/
// KafkaConfigBackingStore.java) under the key SESSION_KEY_KEY
// ("session-key"), the struct SESSION_KEY_V0 (key: the key's bytes in
// base64, algorithm: SecretKey.getAlgorithm, creation-timestamp: epoch
// milliseconds, in that order) through a JsonConverter with
// schemas.enable=false, as every config-topic record.
func TestConfigStoreSessionKeyRecord(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	golden := goldenRecords(t, "config-session-key-record.json")
	want := interworker.Key{Key: make([]byte, 32), Algorithm: "HmacSHA256", Created: 1700000000000}
	for i := range want.Key {
		want.Key[i] = byte(i)
	}

	writer := openConfigs(t, brokers, nil)
	if _, ok := writer.SessionKey(); ok {
		t.Fatal("a session key before any was written")
	}
	if err := writer.PutSessionKey(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	recs := readRaw(t, brokers, "connect-configs")
	if len(recs) != 1 || string(recs[0].Key) != "session-key" {
		t.Fatalf("records = %+v", recs)
	}
	// Byte for byte: Jackson writes a struct's fields in schema order.
	if !bytes.Equal(recs[0].Value, golden[0].Value) {
		t.Fatalf("session key record\n got %s\nwant %s", recs[0].Value, golden[0].Value)
	}
	if got, ok := writer.SessionKey(); !ok || !bytes.Equal(got.Key, want.Key) || got.Algorithm != want.Algorithm || got.Created != want.Created {
		t.Fatalf("writer's session key = %+v, %v", got, ok)
	}

	// A worker reads the key Kafka Connect's leader wrote; a malformed
	// record after it is ignored, as processSessionKeyRecord ignores it.
	other := kafkatest.NewCluster(t)
	produceRaw(t, other, "connect-configs", 1, append(golden,
		rawRecord{Key: []byte("session-key"), Value: []byte(`{"key":"AAAA","algorithm":"HmacSHA256","creation-timestamp":"x"}`)}))
	reader := openConfigs(t, other, nil)
	if got, ok := reader.SessionKey(); !ok || !bytes.Equal(got.Key, want.Key) || got.Algorithm != want.Algorithm || got.Created != want.Created {
		t.Fatalf("reader's session key = %+v, %v", got, ok)
	}
}
