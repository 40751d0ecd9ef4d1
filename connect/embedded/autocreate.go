package embedded

import (
	"errors"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// createTopicsOnFirstUse makes the broker create a missing topic that a
// metadata request names and allows it to create, as a Kafka broker with
// its default auto.create.topics.enable=true does, with the default
// partition count and no topic configs. Producers ask for a topic's
// metadata before they send to it, so this is how a source connector whose
// topics the worker does not create (no topic.creation.* settings) gets
// them, as it would from Kafka.
//
// kfake's own auto-creation (kfake.AllowAutoTopicCreation) is not used: it
// does not write the topic to the data directory, so a topic it created
// and every record in it would be forgotten if the process died before the
// broker's next orderly shutdown. Cluster.CreateTopic writes it at once,
// before the metadata request is answered.
func createTopicsOnFirstUse(c *kfake.Cluster, log *slog.Logger) {
	c.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		// The broker answers the request as usual once this returns;
		// the cluster serves CreateTopic and TopicInfo meanwhile.
		r := req.(*kmsg.MetadataRequest)
		if !r.AllowAutoTopicCreation {
			return nil, nil, false
		}
		for _, t := range r.Topics {
			if t.Topic == nil || *t.Topic == "" || t.TopicID != [16]byte{} {
				continue // all topics, or a topic named by id: nothing to create
			}
			name := *t.Topic
			if c.TopicInfo(name) != nil {
				continue
			}
			switch err := c.CreateTopic(name, -1, nil); {
			case err == nil:
				log.Info("created topic on first use", "topic", name)
			case errors.Is(err, kerr.TopicAlreadyExists):
			default:
				// An invalid name, say: the metadata answer reports the
				// topic unknown.
				log.Debug("not creating topic on first use", "topic", name, "error", err)
			}
		}
		return nil, nil, false
	})
}
