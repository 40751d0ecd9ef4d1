package kafkaclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/eapache/go-resiliency/breaker"

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

// abortHorizon bounds a metadata refresh of an abortable producer: far
// beyond any real refresh, it only serves to make one give up at once
// after Abort (a backoff past it ends the refresh).
const abortHorizon = 100 * 365 * 24 * time.Hour

// Producer is a source task's producer. When it fails a record, records
// behind it may still be waiting for the broker; if the broker came back
// before they failed too, they would be written after a gap, and the task,
// restarted from its committed offsets, would write the failed record after
// them: its key's changes out of order. Abort prevents that: from then on
// every record the producer holds fails at once, without waiting for the
// broker again.
type Producer struct {
	sarama.AsyncProducer
	aborted *atomic.Bool
}

// Abort makes every record the producer still holds fail as soon as it
// would next wait for the broker.
func (p *Producer) Abort() { p.aborted.Store(true) }

// errAborted is why an aborted producer connects to no broker.
var errAborted = errors.New("the producer was aborted after a record failed")

// abortableDialer connects to brokers until its producer is aborted.
type abortableDialer struct {
	d       net.Dialer
	aborted *atomic.Bool
}

func (a *abortableDialer) Dial(network, addr string) (net.Conn, error) {
	if a.aborted.Load() {
		return nil, errAborted
	}
	return a.d.Dial(network, addr)
}

// NewProducer creates a source task's asynchronous producer, a *Producer.
// Failing to reach any broker is a retriable error (connect.RetriableError):
// the runtime restarts the task later.
func NewProducer(brokers []string, clientID string, s ProducerSettings) (sarama.AsyncProducer, error) {
	p, err := newProducer(brokers, NewProducerConfig(clientID, s))
	if err != nil {
		return nil, err
	}
	return p, nil
}

// newProducer makes cfg abortable and creates the producer.
func newProducer(brokers []string, cfg *sarama.Config) (*Producer, error) {
	aborted := new(atomic.Bool)
	metadataBackoff, produceBackoff := cfg.Metadata.Retry.Backoff, cfg.Producer.Retry.BackoffFunc
	cfg.Metadata.Timeout = abortHorizon
	cfg.Metadata.Retry.BackoffFunc = func(int, int) time.Duration {
		if aborted.Load() {
			return 2 * abortHorizon
		}
		return metadataBackoff
	}
	cfg.Producer.Retry.BackoffFunc = func(retries, maxRetries int) time.Duration {
		if aborted.Load() {
			return 0
		}
		return produceBackoff(retries, maxRetries)
	}
	// Records already routed to a broker would be sent as soon as its
	// connection is reopened: once aborted, it is not.
	cfg.Net.Proxy.Enable = true
	cfg.Net.Proxy.Dialer = &abortableDialer{
		d:       net.Dialer{Timeout: cfg.Net.DialTimeout, KeepAlive: cfg.Net.KeepAlive, LocalAddr: cfg.Net.LocalAddr},
		aborted: aborted,
	}
	p, err := sarama.NewAsyncProducer(brokers, cfg)
	if err != nil {
		err = fmt.Errorf("connecting the producer to %v: %w", brokers, err)
		if IsRetriable(err) {
			return nil, connect.Retriable(err)
		}
		return nil, err
	}
	return &Producer{AsyncProducer: p, aborted: aborted}, nil
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
// to a record or configuration Kafka will never accept. sarama's circuit
// breaker, which refuses a partition's writes for a while after repeated
// failures to reach its broker, is such a state too.
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
		errors.Is(err, breaker.ErrBreakerOpen) ||
		errors.Is(err, sarama.ErrNotConnected) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &netErr)
}
