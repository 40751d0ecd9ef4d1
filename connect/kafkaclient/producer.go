package kafkaclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
)

// While the broker is unreachable a task's producer keeps looking for a
// partition leader for about this long (metadata retries) before it fails
// the records it holds; the task then fails with a retriable error and the
// runtime restarts it from its committed offsets.
const (
	producerMetadataRetries = 60
	producerMetadataBackoff = 500 * time.Millisecond
)

// NewProducerConfig is NewConfig for a source task's producer with the
// given settings: it also rides out a broker outage of about half a minute
// by retrying metadata requests instead of failing the records it holds at
// once.
func NewProducerConfig(clientID string, s ProducerSettings) *sarama.Config {
	cfg := NewConfig(clientID)
	cfg.Metadata.Retry.Max = producerMetadataRetries
	cfg.Metadata.Retry.Backoff = producerMetadataBackoff
	s.Apply(cfg)
	return cfg
}

// NewProducer creates a source task's asynchronous producer. Failing to
// reach any broker is a retriable error (connect.RetriableError): the
// runtime restarts the task later.
func NewProducer(brokers []string, clientID string, s ProducerSettings) (sarama.AsyncProducer, error) {
	p, err := sarama.NewAsyncProducer(brokers, NewProducerConfig(clientID, s))
	if err != nil {
		err = fmt.Errorf("connecting the producer to %v: %w", brokers, err)
		if IsRetriable(err) {
			return nil, connect.Retriable(err)
		}
		return nil, err
	}
	return p, nil
}

// retriableKErrors are the broker error codes Kafka's Java client marks as
// RetriableException: the broker or partition leader is not available right
// now.
var retriableKErrors = []sarama.KError{
	sarama.ErrLeaderNotAvailable,
	sarama.ErrNotLeaderForPartition,
	sarama.ErrRequestTimedOut,
	sarama.ErrBrokerNotAvailable,
	sarama.ErrReplicaNotAvailable,
	sarama.ErrNetworkException,
	sarama.ErrNotEnoughReplicas,
	sarama.ErrNotEnoughReplicasAfterAppend,
	sarama.ErrNotController,
	sarama.ErrKafkaStorageError,
	sarama.ErrOffsetsLoadInProgress,
	sarama.ErrConsumerCoordinatorNotAvailable,
	sarama.ErrNotCoordinatorForConsumer,
	sarama.ErrUnknownTopicOrPartition,
	sarama.ErrFencedLeaderEpoch,
	sarama.ErrUnknownLeaderEpoch,
}

// IsRetriable reports whether err means that Kafka could not be reached or
// was not ready (a broker down or restarting, a leader moving), as opposed
// to a record or configuration Kafka will never accept.
func IsRetriable(err error) bool {
	if err == nil {
		return false
	}
	var cfgErr sarama.ConfigurationError
	if errors.As(err, &cfgErr) {
		return false
	}
	for _, k := range retriableKErrors {
		if errors.Is(err, k) {
			return true
		}
	}
	var netErr net.Error
	return errors.Is(err, sarama.ErrOutOfBrokers) ||
		errors.Is(err, sarama.ErrNotConnected) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &netErr)
}
