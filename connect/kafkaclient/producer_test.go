package kafkaclient

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/eapache/go-resiliency/breaker"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

func TestIsRetriable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("writing: %w", sarama.ErrOutOfBrokers), true},
		{fmt.Errorf("producing: %w", sarama.ErrNotLeaderForPartition), true},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{fmt.Errorf("writing: %w", syscall.ECONNRESET), true},
		{fmt.Errorf("writing to \"connect-offsets\": %w", breaker.ErrBreakerOpen), true},
		{sarama.ConfigurationError("message larger than max"), false},
		{fmt.Errorf("producing: %w", sarama.ErrMessageSizeTooLarge), false},
		{fmt.Errorf("producing: %w", sarama.ErrTopicAuthorizationFailed), false},
		{nil, false},
	} {
		if got := IsRetriable(c.err); got != c.want {
			t.Errorf("IsRetriable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// NewProducer marks this error retriable; its own metadata retries would
// make the test wait half a minute, so the plain config is used here.
func TestUnreachableBrokerIsRetriable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there any more
	p, err := sarama.NewAsyncProducer([]string{addr}, NewConfig("test"))
	if err == nil {
		p.Close()
		t.Fatal("producer connected to a closed port")
	}
	if !IsRetriable(err) {
		t.Fatalf("connecting to a closed port: %v is not retriable", err)
	}
}

// When a record fails because the broker is down and the producer is
// aborted (as the task runner does on the first failure), the records it
// still holds all fail, even though the broker comes back before they do:
// none is written after the failed one.
func TestAbortedProducerWritesNothingMore(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	opts := []kfake.Opt{kfake.Ports(port), kfake.DataDir(dir)}
	cluster := kafkatest.StartCluster(t, opts...)
	brokers := cluster.ListenAddrs()
	admin, err := sarama.NewClusterAdmin(brokers, NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := EnsureTopic(t.Context(), admin, "t", 1, -1, nil); err != nil {
		t.Fatal(err)
	}
	admin.Close()

	// A short metadata retry window, so that the first record fails soon.
	cfg := NewProducerConfig("test", DefaultProducerSettings())
	cfg.Metadata.Retry.Max = 2
	cfg.Metadata.Retry.Backoff = 20 * time.Millisecond
	p, err := newProducer(brokers, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Input() <- &sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder("before")}
	select {
	case <-p.Successes():
	case err := <-p.Errors():
		t.Fatal(err)
	}

	cluster.Close()
	const n = 200
	for i := range n {
		p.Input() <- &sarama.ProducerMessage{Topic: "t", Value: sarama.StringEncoder(fmt.Sprint("during ", i))}
	}
	select {
	case <-p.Errors():
	case <-p.Successes():
		t.Fatal("a record was written while the broker was down")
	}
	p.Abort()
	// The broker is back before the other records have failed.
	kafkatest.StartCluster(t, opts...)
	failed, written := 1, 0
	for failed+written < n {
		select {
		case <-p.Errors():
			failed++
		case <-p.Successes():
			written++
		}
	}
	if written != 0 {
		t.Fatalf("%d of the %d records behind the failed one were written once the broker was back", written, n-1)
	}
}
