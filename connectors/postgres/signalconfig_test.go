package postgres

import (
	"reflect"
	"testing"
	"time"
)

// The signal channel and notification settings: Debezium's defaults,
// signal.consumer.* passed to the kafka channel without a warning, and the
// sink channel refused without its topic in SinkNotificationChannel's words.
func TestSignalAndNotificationConfig(t *testing.T) {
	c, errs := ParseConfig(map[string]string{KeyTopicPrefix: "p", KeyHostname: "h"})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	s := c.Signals
	if !reflect.DeepEqual(s.Enabled, []string{"source"}) || s.PollInterval != 5*time.Second || s.File != "file-signals.txt" ||
		s.TopicPrefix != "p" || s.Kafka.GroupID != "kafka-signal" || s.Kafka.PollTimeout != 0 || s.Kafka.Topic != "" {
		t.Errorf("defaults %+v", s)
	}
	if got := s.Kafka.ConsumerProperties(); got["auto.offset.reset"] != "earliest" || got["enable.auto.commit"] != "true" || got["group.id"] != "kafka-signal" {
		t.Errorf("consumer defaults %v", got)
	}

	c, errs = ParseConfig(map[string]string{KeyTopicPrefix: "p", KeyHostname: "h",
		KeySignalEnabledChannels: "source,kafka", KeySignalKafkaBootstrapServers: "k:9092", KeySignalKafkaPollTimeoutMs: "250",
		"signal.consumer.security.protocol": "SSL", "signal.consumer.group.id": "mine",
		KeyNotificationEnabledChannels: "sink,log", KeyNotificationSinkTopicName: "notes"})
	if len(errs) != 0 || len(c.Warnings) != 0 {
		t.Fatal(errs, c.Warnings)
	}
	if !c.Signals.IsEnabled("kafka") || c.Signals.Kafka.PollTimeout != 250*time.Millisecond || c.Notifications.SinkTopic != "notes" {
		t.Errorf("parsed %+v %+v", c.Signals, c.Notifications)
	}
	if got := c.Signals.Kafka.ConsumerProperties(); got["security.protocol"] != "SSL" || got["group.id"] != "mine" || got["bootstrap.servers"] != "k:9092" {
		t.Errorf("consumer properties %v", got)
	}

	_, errs = ParseConfig(map[string]string{KeyTopicPrefix: "p", KeyHostname: "h", KeyNotificationEnabledChannels: "sink"})
	if len(errs) != 1 || errs[0].Name != KeyNotificationSinkTopicName ||
		errs[0].Message != "Notification topic name must be provided when kafka notification channel is enabled" {
		t.Errorf("sink without topic: %v", errs)
	}
	_, errs = ParseConfig(map[string]string{KeyTopicPrefix: "p", KeyHostname: "h", KeySignalPollIntervalMs: "0"})
	if len(errs) != 1 || errs[0].Name != KeySignalPollIntervalMs {
		t.Errorf("signal.poll.interval.ms=0: %v", errs)
	}
}
