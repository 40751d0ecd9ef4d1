package kafkaclient

import (
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/IBM/sarama"
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
