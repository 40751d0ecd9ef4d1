package kafkatest

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
)

// NewCluster starts a single-broker in-process cluster on a free port of
// 127.0.0.1 and returns its seed brokers. The cluster is closed when the test
// ends.
func NewCluster(t testing.TB) []string {
	t.Helper()
	return StartCluster(t).ListenAddrs()
}

// StartCluster is NewCluster for tests that need the cluster itself, for
// example to trigger compaction. opts are added to the defaults (one broker,
// one partition per auto-created topic).
func StartCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	all := append([]kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(1)}, opts...)
	c, err := kfake.NewCluster(all...)
	if err != nil {
		t.Fatalf("starting kfake cluster: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}
