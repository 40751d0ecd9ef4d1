package herder

import (
	"context"
	"log/slog"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// A change topic that cannot be readied because Kafka is down is a
// retriable failure (the task is restarted), not a fatal one, whether the
// worker creates it or leaves it to the broker.
func TestEnsureTopicBrokerDownIsRetriable(t *testing.T) {
	cluster := kafkatest.StartCluster(t, kfake.AllowAutoTopicCreation())
	client, err := sarama.NewClient(cluster.ListenAddrs(), kafkaclient.NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	creation, errs := parseTopicCreation(map[string]string{
		"topic.creation.default.replication.factor": "-1", "topic.creation.default.partitions": "2"}, true)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	log := slog.New(slog.DiscardHandler)
	creators := []struct {
		name string
		tc   *topicCreator
	}{
		{"worker", &topicCreator{admin: admin, client: client, creation: creation, log: log}},
		{"broker", &topicCreator{admin: admin, client: client, log: log}},
	}
	for _, c := range creators {
		if err := c.tc.EnsureTopic(context.Background(), "up-"+c.name); err != nil {
			t.Fatalf("EnsureTopic with the broker up (%s creates): %v", c.name, err)
		}
	}
	cluster.Close()
	for _, c := range creators {
		err := c.tc.EnsureTopic(context.Background(), "down-"+c.name)
		if err == nil {
			t.Fatalf("EnsureTopic with the broker down succeeded (%s creates)", c.name)
		}
		if !connect.IsRetriable(err) {
			t.Fatalf("EnsureTopic with the broker down (%s creates) = %v, want a retriable error", c.name, err)
		}
	}
}
