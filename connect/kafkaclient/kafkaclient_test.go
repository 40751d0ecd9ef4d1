package kafkaclient_test

import (
	"errors"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
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

// TopicExists never creates a topic; LookUpTopic asks as a producer does,
// which creates the topic on a broker that creates topics automatically and
// reports it unknown on one that does not.
func TestTopicLookUps(t *testing.T) {
	for _, auto := range []bool{false, true} {
		var opts []kfake.Opt
		if auto {
			opts = append(opts, kfake.AllowAutoTopicCreation())
		}
		brokers := kafkatest.StartCluster(t, opts...).ListenAddrs()
		client, err := sarama.NewClient(brokers, kafkaclient.NewConfig("test"))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		admin, err := sarama.NewClusterAdminFromClient(client)
		if err != nil {
			t.Fatal(err)
		}
		if exists, err := kafkaclient.TopicExists(admin, "t"); err != nil || exists {
			t.Fatalf("auto-create %v: TopicExists of a missing topic = %v, %v", auto, exists, err)
		}
		err = kafkaclient.LookUpTopic(client, "t")
		switch {
		case auto && err != nil:
			t.Fatalf("LookUpTopic on a broker that creates topics: %v", err)
		case !auto && !errors.Is(err, sarama.ErrUnknownTopicOrPartition):
			t.Fatalf("LookUpTopic on a broker that does not create topics = %v, want unknown topic", err)
		}
		if exists, err := kafkaclient.TopicExists(admin, "t"); err != nil || exists != auto {
			t.Fatalf("auto-create %v: after LookUpTopic TopicExists = %v, %v", auto, exists, err)
		}
	}
}

type chosen struct {
	p  int32
	ok bool
}

func (c chosen) ChosenPartition() (int32, bool) { return c.p, c.ok }

// A record that names its partition goes there, as Java's producer sends
// a ProducerRecord with a partition; one outside the topic fails with
// KafkaProducer's message; others are hashed.
func TestPartitionerHonoursChosenPartition(t *testing.T) {
	p := kafkaclient.NewConfig("t").Producer.Partitioner("topic")
	key := sarama.StringEncoder("foobar")
	for _, c := range []struct {
		meta any
		want int32
	}{
		{chosen{2, true}, 2},
		{chosen{1, true}, 1},
		{chosen{2, false}, 0}, // hashed: -790332482 & 0x7fffffff % 3
		{nil, 0},
	} {
		got, err := p.Partition(&sarama.ProducerMessage{Topic: "topic", Key: key, Metadata: c.meta}, 3)
		if err != nil || got != c.want {
			t.Errorf("%v: partition %d, %v; want %d", c.meta, got, err, c.want)
		}
	}
	_, err := p.Partition(&sarama.ProducerMessage{Topic: "topic", Metadata: chosen{3, true}}, 3)
	if err == nil || err.Error() != "Invalid partition given with record: 3 is not in the range [0...3)." {
		t.Errorf("out of range: %v", err)
	}
}
