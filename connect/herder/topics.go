package herder

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/storage"
)

// topicCreator creates change-event topics on first use, with the
// connector's topic.creation.default.* settings (1 partition and the
// broker's default replication factor when unset).
//
// It also records each topic as one of the connector's active topics in the
// status topic (status-topic-*), the first time the task produces to it.
type topicCreator struct {
	admin      sarama.ClusterAdmin
	partitions int32
	rf         int16
	statuses   StatusStore
	id         connect.TaskID
	track      bool // topic.tracking.enable
}

func newTopicCreator(admin sarama.ClusterAdmin, config map[string]string, statuses StatusStore, id connect.TaskID, track bool) (*topicCreator, error) {
	tc := &topicCreator{admin: admin, partitions: 1, rf: -1, statuses: statuses, id: id, track: track}
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

// EnsureTopic creates topic unless it exists. Failing to reach Kafka is a
// retriable error: the runtime restarts the task, which resends from its
// committed offsets, instead of failing it for good.
func (t *topicCreator) EnsureTopic(ctx context.Context, topic string) error {
	if err := kafkaclient.EnsureTopic(ctx, t.admin, topic, t.partitions, t.rf, nil); err != nil {
		if kafkaclient.IsRetriable(err) {
			return connect.Retriable(err)
		}
		return err
	}
	if !t.track {
		return nil
	}
	st := storage.TopicStatus{Topic: topic, Connector: t.id.Connector, Task: t.id.Task, Discovered: time.Now()}
	if err := t.statuses.PutTopic(ctx, st); err != nil {
		err = fmt.Errorf("recording active topic: %w", err)
		if kafkaclient.IsRetriable(err) {
			return connect.Retriable(err)
		}
		return err
	}
	return nil
}
