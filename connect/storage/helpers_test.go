package storage_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

func logConfig(brokers []string, topic string, partitions int32) kafkalog.Config {
	return kafkalog.Config{
		Brokers: brokers, Topic: topic, Partitions: partitions, ReplicationFactor: -1, ClientID: "storage-test",
	}
}

type rawRecord struct {
	Partition int32
	Key       []byte
	Value     []byte // nil = tombstone
}

// readRaw consumes every partition of topic from the start to its end.
func readRaw(t *testing.T, brokers []string, topic string) []rawRecord {
	t.Helper()
	var out []rawRecord
	for _, m := range kafkatest.ReadAll(t, brokers, topic) {
		out = append(out, rawRecord{Partition: m.Partition, Key: m.Key, Value: m.Value})
	}
	return out
}

// produceRaw writes records as another Kafka Connect worker would: keyed,
// murmur2-partitioned, value nil for a tombstone.
func produceRaw(t *testing.T, brokers []string, topic string, partitions int32, recs []rawRecord) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(brokers, kafkaclient.NewConfig("raw-admin"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := kafkaclient.EnsureTopic(t.Context(), admin, topic, partitions, -1, map[string]string{"cleanup.policy": "compact"}); err != nil {
		t.Fatal(err)
	}
	p, err := sarama.NewSyncProducer(brokers, kafkaclient.NewConfig("raw-writer"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, r := range recs {
		msg := &sarama.ProducerMessage{Topic: topic, Key: sarama.ByteEncoder(r.Key)}
		if r.Value != nil {
			msg.Value = sarama.ByteEncoder(r.Value)
		}
		if _, _, err := p.SendMessage(msg); err != nil {
			t.Fatal(err)
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type goldenRecord struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// goldenRecords reads a testdata file holding [{"key":…,"value":…}] and
// returns the records with compact values (nil for a JSON null).
func goldenRecords(t *testing.T, name string) []rawRecord {
	t.Helper()
	var recs []goldenRecord
	if err := json.Unmarshal(readFile(t, name), &recs); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	out := make([]rawRecord, len(recs))
	for i, r := range recs {
		out[i].Key = []byte(r.Key)
		if string(r.Value) != "null" {
			var buf bytes.Buffer
			if err := json.Compact(&buf, r.Value); err != nil {
				t.Fatal(err)
			}
			out[i].Value = buf.Bytes()
		}
	}
	return out
}

// assertJSONEqual compares two JSON documents as values.
func assertJSONEqual(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: decoding %q: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: decoding golden %q: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// javaMurmur2 is org.apache.kafka.common.utils.Utils.murmur2, written here
// independently of sarama so the test checks the partitioner, not itself.
func javaMurmur2(data []byte) int32 {
	const seed, m, r = uint32(0x9747b28c), uint32(0x5bd1e995), 24
	length := len(data)
	h := seed ^ uint32(length)
	n := length / 4
	for i := range n {
		k := binary.LittleEndian.Uint32(data[i*4:])
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n*4:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// javaPartition is what Kafka's default partitioner picks for a key.
func javaPartition(key []byte, partitions int32) int32 {
	return (javaMurmur2(key) & 0x7fffffff) % partitions
}

func TestJavaMurmur2Vectors(t *testing.T) {
	// org.apache.kafka.common.utils.UtilsTest.testMurmur2
	for in, want := range map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		if got := javaMurmur2([]byte(in)); got != want {
			t.Errorf("murmur2(%q) = %d, want %d", in, got, want)
		}
	}
}

func describeTopic(t *testing.T, brokers []string, topic string) (partitions int, cleanup string) {
	t.Helper()
	admin, err := sarama.NewClusterAdmin(brokers, kafkaclient.NewConfig("describe"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	md, err := admin.DescribeTopics([]string{topic})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := kafkaclient.TopicConfig(admin, topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name == "cleanup.policy" {
			cleanup = e.Value
		}
	}
	return len(md[0].Partitions), cleanup
}
