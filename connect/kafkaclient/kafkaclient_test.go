package kafkaclient_test

import (
	"testing"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

func TestNewConfigIsValidAndIdempotent(t *testing.T) {
	cfg := kafkaclient.NewConfig("tributary-test")
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if !cfg.Producer.Idempotent || cfg.Producer.RequiredAcks != sarama.WaitForAll || cfg.Net.MaxOpenRequests != 1 {
		t.Errorf("producer is not idempotent with acks=all: %+v", cfg.Producer)
	}
	if cfg.ClientID != "tributary-test" || cfg.Version != sarama.V3_9_0_0 {
		t.Errorf("ClientID %q, Version %v", cfg.ClientID, cfg.Version)
	}
	if cfg.Consumer.Offsets.Initial != sarama.OffsetOldest || !cfg.Consumer.Return.Errors {
		t.Errorf("consumer config: %+v", cfg.Consumer)
	}
}

// The configured partitioner places keys where Java's default partitioner
// does. Hashes are Kafka's UtilsTest.testMurmur2 vectors.
func TestPartitionerIsJavaCompatible(t *testing.T) {
	p := kafkaclient.NewConfig("t").Producer.Partitioner("topic")
	for key, hash := range map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		for _, n := range []int32{1, 5, 25} {
			got, err := p.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key)}, n)
			if err != nil {
				t.Fatal(err)
			}
			if want := (hash & 0x7fffffff) % n; got != want {
				t.Errorf("key %q, %d partitions: partition %d, Java picks %d", key, n, got, want)
			}
		}
	}
}
