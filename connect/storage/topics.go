package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// topicStatusPrefix keys the active-topic records of the status topic:
// status-topic-<topic>:connector-<connector> (KafkaStatusBackingStore).
const topicStatusPrefix = "status-topic-"

// TopicStatus records that a connector's task produced to a topic.
type TopicStatus struct {
	Topic      string
	Connector  string
	Task       int
	Discovered time.Time
}

type topicStatusValue struct {
	Topic topicStatusFields `json:"topic"`
}

// topicStatusFields keeps Kafka Connect's field order.
type topicStatusFields struct {
	Name              string `json:"name"`
	Connector         string `json:"connector"`
	Task              int    `json:"task"`
	DiscoverTimestamp int64  `json:"discoverTimestamp"`
}

func topicStatusKey(connector, topic string) string {
	return topicStatusPrefix + topic + ":connector-" + connector
}

// applyTopic applies the record whose key, without its prefix, is rest.
func (s *StatusStore) applyTopic(rest string, value []byte) error {
	topic, connector, ok := strings.Cut(rest, ":connector-")
	if !ok || topic == "" || connector == "" {
		return fmt.Errorf("decoding topic status key %q", rest)
	}
	if value == nil {
		s.mu.Lock()
		delete(s.topics[connector], topic)
		if len(s.topics[connector]) == 0 {
			delete(s.topics, connector)
		}
		s.mu.Unlock()
		return nil
	}
	var v topicStatusValue
	if err := json.Unmarshal(value, &v); err != nil {
		return fmt.Errorf("decoding topic status: %w", err)
	}
	st := TopicStatus{Topic: topic, Connector: connector, Task: v.Topic.Task, Discovered: time.UnixMilli(v.Topic.DiscoverTimestamp)}
	s.mu.Lock()
	if s.topics[connector] == nil {
		s.topics[connector] = map[string]TopicStatus{}
	}
	s.topics[connector][topic] = st
	s.mu.Unlock()
	return nil
}

// PutTopic records that a task of connector produced to topic, unless that
// is already recorded.
func (s *StatusStore) PutTopic(ctx context.Context, st TopicStatus) error {
	if _, ok := s.Topic(st.Connector, st.Topic); ok {
		return nil
	}
	b, err := marshal(topicStatusValue{Topic: topicStatusFields{
		Name: st.Topic, Connector: st.Connector, Task: st.Task, DiscoverTimestamp: st.Discovered.UnixMilli(),
	}})
	if err != nil {
		return fmt.Errorf("encoding topic status: %w", err)
	}
	if err := s.log.SendAndApply(ctx, []byte(topicStatusKey(st.Connector, st.Topic)), b); err != nil {
		return fmt.Errorf("writing active topic %q of connector %q: %w", st.Topic, st.Connector, err)
	}
	return nil
}

// Topic returns the active-topic record of connector and topic.
func (s *StatusStore) Topic(connector, topic string) (TopicStatus, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st, ok := s.topics[connector][topic]
	return st, ok
}

// Topics returns the names of a connector's active topics, sorted.
func (s *StatusStore) Topics(connector string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Sorted(maps.Keys(s.topics[connector]))
}

// ResetTopics writes a tombstone for every active topic of connector.
func (s *StatusStore) ResetTopics(ctx context.Context, connector string) error {
	for _, topic := range s.Topics(connector) {
		if err := s.log.SendAndApply(ctx, []byte(topicStatusKey(connector, topic)), nil); err != nil {
			return fmt.Errorf("resetting active topic %q of connector %q: %w", topic, connector, err)
		}
	}
	return nil
}
