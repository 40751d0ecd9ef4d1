package kafkatest

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// ReadAll returns every record of every partition of topic, from the
// oldest offset to the end the broker reports when it is called, in
// partition order; it fails the test if they do not arrive within 20 s.
func ReadAll(tb testing.TB, brokers []string, topic string) []*sarama.ConsumerMessage {
	tb.Helper()
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_9_0_0
	return ReadAllWith(tb, brokers, topic, cfg)
}

// ReadAllWith is ReadAll with a client configuration of the caller's, for
// a broker that needs TLS or SASL.
func ReadAllWith(tb testing.TB, brokers []string, topic string, cfg *sarama.Config) []*sarama.ConsumerMessage {
	tb.Helper()
	cfg.Consumer.MaxWaitTime = 20 * time.Millisecond // closing waits for the last fetch
	client, err := sarama.NewClient(brokers, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = client.Close() }()
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = consumer.Close() }()
	parts, err := client.Partitions(topic)
	if err != nil {
		tb.Fatal(err)
	}
	var out []*sarama.ConsumerMessage
	for _, p := range parts {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			tb.Fatal(err)
		}
		start, err := client.GetOffset(topic, p, sarama.OffsetOldest)
		if err != nil {
			tb.Fatal(err)
		}
		if end <= start {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, start)
		if err != nil {
			tb.Fatal(err)
		}
		timeout := time.NewTimer(20 * time.Second)
	read:
		for {
			select {
			case m := <-pc.Messages():
				out = append(out, m)
				if m.Offset+1 >= end {
					break read
				}
			case <-timeout.C:
				tb.Fatalf("reading %s/%d: timed out before offset %d", topic, p, end)
			}
		}
		timeout.Stop()
		_ = pc.Close()
	}
	return out
}
