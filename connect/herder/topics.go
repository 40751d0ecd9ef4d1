package herder

import (
	"context"
	"fmt"
	"strconv"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// topicCreator creates change-event topics on first use, with the
// connector's topic.creation.default.* settings (1 partition and the
// broker's default replication factor when unset).
type topicCreator struct {
	admin      sarama.ClusterAdmin
	partitions int32
	rf         int16
}

func newTopicCreator(admin sarama.ClusterAdmin, config map[string]string) (*topicCreator, error) {
	tc := &topicCreator{admin: admin, partitions: 1, rf: -1}
	if v, ok := config["topic.creation.default.partitions"]; ok {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || (n < 1 && n != -1) {
			return nil, fmt.Errorf("invalid topic.creation.default.partitions %q", v)
		}
		tc.partitions = int32(n)
	}
	if v, ok := config["topic.creation.default.replication.factor"]; ok {
		n, err := strconv.ParseInt(v, 10, 16)
		if err != nil || (n < 1 && n != -1) {
			return nil, fmt.Errorf("invalid topic.creation.default.replication.factor %q", v)
		}
		tc.rf = int16(n)
	}
	return tc, nil
}

func (t *topicCreator) EnsureTopic(ctx context.Context, topic string) error {
	return kafkaclient.EnsureTopic(ctx, t.admin, topic, t.partitions, t.rf, nil)
}
