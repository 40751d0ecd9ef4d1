package herder

import (
	"context"
	"testing"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// A change topic that cannot be created because Kafka is down is a
// retriable failure (the task is restarted), not a fatal one.
func TestEnsureTopicBrokerDownIsRetriable(t *testing.T) {
	cluster := kafkatest.StartCluster(t)
	admin, err := sarama.NewClusterAdmin(cluster.ListenAddrs(), kafkaclient.NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	tc, err := newTopicCreator(admin, nil, nil, connect.TaskID{Connector: "c", Task: 0}, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := tc.EnsureTopic(context.Background(), "up"); err != nil {
		t.Fatalf("EnsureTopic with the broker up: %v", err)
	}
	cluster.Close()
	err = tc.EnsureTopic(context.Background(), "down")
	if err == nil {
		t.Fatal("EnsureTopic with the broker down succeeded")
	}
	if !connect.IsRetriable(err) {
		t.Fatalf("EnsureTopic with the broker down = %v, want a retriable error", err)
	}
}
