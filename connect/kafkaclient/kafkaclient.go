package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
)

// Producer retry policy. Java's producer retries until delivery.timeout.ms
// (120 s) runs out; sarama has no delivery timeout, so the retry count and
// the capped exponential backoff below give roughly the same two minutes.
const (
	producerRetries    = 60
	producerMinBackoff = 100 * time.Millisecond
	producerMaxBackoff = 2 * time.Second
)

// NewConfig returns the sarama configuration Tributary uses for every Kafka
// client: protocol version 3.9, an idempotent producer that waits for all
// in-sync replicas and partitions keys with murmur2 exactly as Java's default
// partitioner does, a consumer that starts from the oldest offset and
// reports its errors, and metadata requests that let the broker create the
// topics they name.
func NewConfig(clientID string) *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V3_9_0_0
	if clientID != "" {
		cfg.ClientID = clientID
	}

	cfg.Net.MaxOpenRequests = 1 // required by the idempotent producer

	cfg.Producer.Idempotent = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Retry.Max = producerRetries
	cfg.Producer.Retry.BackoffFunc = producerBackoff
	cfg.Producer.Return.Successes = true
	cfg.Producer.Return.Errors = true
	cfg.Producer.Partitioner = newPartitioner
	cfg.Producer.Compression = sarama.CompressionNone
	// A batch leaves when it holds 10k records or 512 KiB, or after 1 ms:
	// single writes (config and offset records) wait at most a millisecond,
	// bulk writes fill large batches.
	cfg.Producer.Flush.Frequency = time.Millisecond
	cfg.Producer.Flush.Messages = 10_000
	cfg.Producer.Flush.Bytes = 512 << 10

	cfg.Consumer.Return.Errors = true
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest

	// A metadata request for named topics lets the broker create a missing
	// one when its auto.create.topics.enable is true, as the Java
	// producer's do (LookUpTopic relies on it).
	cfg.Metadata.AllowAutoTopicCreation = true
	return cfg
}

// NewClientConfig is NewConfig for a client with the given security
// (nil is PLAINTEXT): the worker's internal clients take the view
// security.InternalProps, its admin clients security.AdminProps.
func NewClientConfig(clientID string, sec *security.Config) *sarama.Config {
	cfg := NewConfig(clientID)
	if sec != nil {
		sec.Apply(cfg)
	}
	return cfg
}

func producerBackoff(retries, _ int) time.Duration {
	d := producerMinBackoff
	for i := 0; i < retries && d < producerMaxBackoff; i++ {
		d *= 2
	}
	return min(d, producerMaxBackoff)
}

// EnsureTopic creates topic with the given partition count, replication
// factor (-1 = the broker's default) and topic configs unless it exists. An
// existing topic is left as it is, whatever its settings.
func EnsureTopic(ctx context.Context, admin sarama.ClusterAdmin, topic string, partitions int32, rf int16, configs map[string]string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("creating topic %q: %w", topic, err)
	}
	entries := make(map[string]*string, len(configs))
	for k, v := range configs {
		entries[k] = &v
	}
	err := admin.CreateTopic(topic, &sarama.TopicDetail{
		NumPartitions:     partitions,
		ReplicationFactor: rf,
		ConfigEntries:     entries,
	}, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("creating topic %q: %w", topic, err)
	}
	return nil
}

// TopicConfig describes topic's configuration entries (all of them when
// names is empty) through DescribeConfigs, with the broker's per-resource
// error as the error.
func TopicConfig(admin sarama.ClusterAdmin, topic string, names ...string) ([]sarama.ConfigEntry, error) {
	results, err := admin.DescribeConfigs([]*sarama.ConfigResource{{Type: sarama.TopicResource, Name: topic, ConfigNames: names}},
		sarama.DescribeConfigsOptions{})
	if err != nil {
		return nil, err
	}
	var entries []sarama.ConfigEntry
	for _, r := range results {
		if r.Name != topic {
			continue
		}
		if r.ErrorCode != sarama.ErrNoError {
			return nil, &sarama.DescribeConfigError{Err: r.ErrorCode, ErrMsg: r.ErrorMsg}
		}
		entries = append(entries, r.Configs...)
	}
	return entries, nil
}

// TopicExists reports whether topic exists, asking for its metadata without
// letting the broker create it (Kafka Connect's TopicAdmin.describeTopics).
func TopicExists(admin sarama.ClusterAdmin, topic string) (bool, error) {
	meta, err := admin.DescribeTopics([]string{topic})
	if err != nil {
		return false, fmt.Errorf("describing topic %q: %w", topic, err)
	}
	for _, m := range meta {
		if m.Name != topic {
			continue
		}
		switch {
		case errors.Is(m.Err, sarama.ErrNoError), errors.Is(m.Err, sarama.ErrLeaderNotAvailable):
			return true, nil
		case errors.Is(m.Err, sarama.ErrUnknownTopicOrPartition):
			return false, nil
		default:
			return false, fmt.Errorf("describing topic %q: %w", topic, m.Err)
		}
	}
	return false, nil
}

// LookUpTopic asks the cluster for topic's metadata as a producer does
// before its first record to the topic, which lets a broker with
// auto.create.topics.enable create it (client must allow that, as NewConfig
// does). It returns nil once the topic exists, even if its partitions have
// no leader yet, and an error wrapping sarama.ErrUnknownTopicOrPartition
// when the broker did not create it.
func LookUpTopic(client sarama.Client, topic string) error {
	err := client.RefreshMetadata(topic)
	if err == nil || errors.Is(err, sarama.ErrLeaderNotAvailable) {
		// A topic the broker has just created may have no leader yet;
		// the producer waits for one.
		return nil
	}
	return fmt.Errorf("looking up topic %q: %w", topic, err)
}
