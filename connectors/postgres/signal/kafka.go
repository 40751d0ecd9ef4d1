package signal

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// ChannelKafka is the Kafka channel's name (KafkaSignalChannel.CHANNEL_NAME).
const ChannelKafka = "kafka"

// Defaults of the Kafka channel (KafkaSignalChannel).
const (
	DefaultKafkaGroupID = "kafka-signal"
	// signalTopicSuffix names the default topic: <topic.prefix>-signal.
	signalTopicSuffix = "-signal"
)

// KafkaConfig is the Kafka channel's configuration: signal.kafka.* and
// signal.consumer.*.
type KafkaConfig struct {
	// Topic is signal.kafka.topic; "" is <topic.prefix>-signal.
	Topic string
	// BootstrapServers is signal.kafka.bootstrap.servers (required).
	BootstrapServers string
	// GroupID is signal.kafka.groupId; "" is kafka-signal.
	GroupID string
	// PollTimeout is signal.kafka.poll.timeout.ms.
	PollTimeout time.Duration
	// Consumer are the signal.consumer.* properties without the prefix.
	Consumer map[string]string
}

// ConsumerProperties are the consumer's properties as
// KafkaSignalChannel.buildKafkaConfiguration makes them: the
// signal.consumer.* ones, then, where those leave them unset,
// bootstrap.servers and group.id from signal.kafka.*, and Debezium's
// defaults enable.auto.commit=true, auto.offset.reset=earliest and
// fetch.min.bytes=1. Debezium's session.timeout.ms and deserializer
// defaults concern a Java consumer only and are not added.
func (k KafkaConfig) ConsumerProperties() map[string]string {
	p := make(map[string]string, len(k.Consumer)+5)
	for name, v := range k.Consumer {
		p[name] = v
	}
	group := k.GroupID
	if group == "" {
		group = DefaultKafkaGroupID
	}
	for name, v := range map[string]string{
		"bootstrap.servers": k.BootstrapServers, "group.id": group,
		"enable.auto.commit": "true", "auto.offset.reset": "earliest", "fetch.min.bytes": "1",
	} {
		if _, set := p[name]; !set {
			p[name] = v
		}
	}
	return p
}

// kafkaChannel is Debezium's KafkaSignalChannel: it reads partition 0 of
// the signal topic through the runtime's connect.TopicReader and takes
// only the messages whose key is the connector's logical name
// (topic.prefix).
type kafkaChannel struct {
	reader      connect.TopicReader
	topic       string
	prefix      string
	pollTimeout time.Duration
	log         *slog.Logger
}

func openKafkaChannel(ctx context.Context, cfg KafkaConfig, topicPrefix string, tc connect.TaskContext, log *slog.Logger) (*kafkaChannel, error) {
	if strings.TrimSpace(cfg.BootstrapServers) == "" && strings.TrimSpace(cfg.Consumer["bootstrap.servers"]) == "" {
		// KafkaSignalChannel.init: validateAndRecord logs this, then fails.
		return nil, fmt.Errorf("signal channel %s configuration is invalid: The 'signal.kafka.bootstrap.servers' value is invalid: A value is required", ChannelKafka)
	}
	opener, ok := tc.(connect.TopicReaderOpener)
	if !ok {
		return nil, fmt.Errorf("signal channel %s: the runtime offers no Kafka topic reader", ChannelKafka)
	}
	topic := cfg.Topic
	if topic == "" {
		topic = topicPrefix + signalTopicSuffix
	}
	r, err := opener.OpenTopicReader(ctx, connect.TopicReaderSpec{Topic: topic, Partition: 0, Properties: cfg.ConsumerProperties()})
	if err != nil {
		return nil, fmt.Errorf("signal channel %s: %w", ChannelKafka, err)
	}
	log.Info("Subscribing to signals topic", "topic", topic)
	return &kafkaChannel{reader: r, topic: topic, prefix: topicPrefix, pollTimeout: cfg.PollTimeout, log: log}, nil
}

func (c *kafkaChannel) Name() string { return ChannelKafka }

func (c *kafkaChannel) Close() error { return c.reader.Close() }

// Read polls the topic for signal.kafka.poll.timeout.ms at most and
// returns the signals among the messages (KafkaSignalChannel.read).
func (c *kafkaChannel) Read(ctx context.Context) ([]Signal, error) {
	msgs, err := c.reader.Read(ctx, c.pollTimeout)
	var out []Signal
	for _, m := range msgs {
		if s, ok := c.signalOf(m); ok {
			out = append(out, s)
		}
	}
	if err != nil {
		return out, fmt.Errorf("reading signal topic %s: %w", c.topic, err)
	}
	return out, nil
}

// signalOf is KafkaSignalChannel.processSignal: a message keyed other than
// by the connector's name is not for this connector; an empty value is
// no signal; the value is a JSON object whose "id" and "type" are strings
// and whose "data" is an object.
func (c *kafkaChannel) signalOf(m connect.TopicMessage) (Signal, bool) {
	if m.Key == nil || string(m.Key) != c.prefix {
		c.log.Info(fmt.Sprintf("Signal key '%s' doesn't match the connector's name '%s'", keyText(m.Key), c.prefix), "offset", m.Offset)
		return Signal{}, false
	}
	if len(m.Value) == 0 {
		return Signal{}, false
	}
	s, err := parseKafkaValue(m.Value)
	if err != nil {
		c.log.Warn("Skipped signal due to an error", "topic", c.topic, "offset", m.Offset, "error", err)
		return Signal{}, false
	}
	s.Offset = m.Offset
	return s, true
}

func keyText(k []byte) string {
	if k == nil {
		return "null"
	}
	return string(k)
}

// parseKafkaValue reads {"id": …, "type": …, "data": {…}}: Document's
// getString gives null for a missing or non-string id or type; data must
// be an object (getDocument(…).toString()).
func parseKafkaValue(v []byte) (Signal, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(v, &doc); err != nil || doc == nil {
		if err == nil {
			err = fmt.Errorf("not a JSON object")
		}
		return Signal{}, err
	}
	str := func(name string) string {
		var s string
		_ = json.Unmarshal(doc[name], &s)
		return s
	}
	var data map[string]json.RawMessage
	if raw, ok := doc["data"]; !ok || json.Unmarshal(raw, &data) != nil || data == nil {
		return Signal{}, fmt.Errorf("the field 'data' must be a JSON object")
	}
	compact, err := json.Marshal(doc["data"])
	if err != nil {
		return Signal{}, err
	}
	return Signal{ID: str("id"), Type: str("type"), Data: string(compact), Channel: ChannelKafka}, nil
}
