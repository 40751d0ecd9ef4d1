package herder

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/loglevel"
	"github.com/tributary-cdc/tributary/connect/storage"
)

// topicCreator readies each topic before a task's first record to it, as
// Kafka Connect's AbstractWorkerSourceTask.maybeCreateTopic does. When the
// worker creates the connector's topics (topic.creation.enable on the
// worker and topic.creation.* settings on the connector), it creates a
// missing topic with the settings of the first topic creation group that
// matches it. Otherwise it asks Kafka for the topic's metadata as the
// producer would, which lets a broker with auto.create.topics.enable create
// it; a topic the broker did not create fails the task with an error saying
// what to set, where Kafka Connect's producer would wait for it forever.
//
// It also records each topic as one of the connector's active topics in the
// status topic (status-topic-*), the first time the task produces to it.
type topicCreator struct {
	admin    sarama.ClusterAdmin
	client   sarama.Client
	creation *topicCreation // nil: the worker creates none of the connector's topics
	disabled bool           // topic.creation.enable=false on the worker
	settings bool           // the connector has topic.creation.* settings
	statuses StatusStore
	id       connect.TaskID
	track    bool // topic.tracking.enable
	log      *slog.Logger
}

// EnsureTopic makes sure topic exists, creating it if the worker creates
// the connector's topics. Failing to reach Kafka is a retriable error: the
// runtime restarts the task, which resends from its committed offsets,
// instead of failing it for good.
func (t *topicCreator) EnsureTopic(ctx context.Context, topic string) error {
	var err error
	if t.creation != nil {
		err = t.create(ctx, topic)
	} else {
		err = t.lookUp(ctx, topic)
	}
	if err != nil {
		return err
	}
	if !t.track {
		return nil
	}
	st := storage.TopicStatus{Topic: topic, Connector: t.id.Connector, Task: t.id.Task, Discovered: time.Now()}
	if err := t.statuses.PutTopic(ctx, st); err != nil {
		return retriableIf(fmt.Errorf("recording active topic %s: %w", topic, err))
	}
	return nil
}

// create is maybeCreateTopic with topic creation on: an existing topic is
// used as it is; a missing one is created by its topic creation group.
func (t *topicCreator) create(ctx context.Context, topic string) error {
	exists, err := kafkaclient.TopicExists(t.admin, topic)
	if err != nil {
		return retriableIf(err)
	}
	if exists {
		t.log.Debug("topic already exists", "topic", topic)
		return nil
	}
	g := t.creation.group(topic)
	t.log.Info("creating topic", "topic", topic, "group", g.name, "partitions", g.partitions,
		"replication_factor", g.replicationFactor, "configs", g.configs)
	return retriableIf(kafkaclient.EnsureTopic(ctx, t.admin, topic, g.partitions, g.replicationFactor, g.configs))
}

// lookUp leaves the topic to the broker, as the producer's first metadata
// request does.
func (t *topicCreator) lookUp(ctx context.Context, topic string) error {
	// Kafka Connect's words, logged for every record there.
	t.log.Log(ctx, loglevel.LevelTrace, "Topic creation by the connector is disabled or the topic was "+
		"previously created. If auto.create.topics.enable is enabled on the broker, the topic will be created with default settings",
		"topic", topic)
	err := kafkaclient.LookUpTopic(t.client, topic)
	if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		return &missingTopicError{topic: topic, disabled: t.disabled, settings: t.settings, cause: err}
	}
	return retriableIf(err)
}

// retriableIf marks err retriable when it means Kafka could not be reached.
func retriableIf(err error) error {
	if kafkaclient.IsRetriable(err) {
		return connect.Retriable(err)
	}
	return err
}

// missingTopicError is a topic that neither the worker nor the broker
// creates. It is not retriable: someone has to create the topic or change
// a setting first.
type missingTopicError struct {
	topic    string
	disabled bool // topic.creation.enable=false on the worker
	settings bool // the connector has topic.creation.* settings
	cause    error
}

const setDefaultGroup = "topic.creation.default.replication.factor and topic.creation.default.partitions"

func (e *missingTopicError) Error() string {
	msg := fmt.Sprintf("topic %q does not exist and the broker does not create topics automatically (auto.create.topics.enable=false); ", e.topic)
	switch {
	case !e.disabled:
		msg += "set " + setDefaultGroup + " on the connector to let the worker create it"
	case e.settings:
		msg += "the worker ignores the connector's topic.creation.* settings because it has topic.creation.enable=false: " +
			"set topic.creation.enable=true on the worker to let it create the topic"
	default:
		msg += "set topic.creation.enable=true on the worker (Kafka Connect's default) and " + setDefaultGroup +
			" on the connector to let the worker create it"
	}
	return msg + ", or create the topic; then restart the task"
}

func (e *missingTopicError) Unwrap() error { return e.cause }
