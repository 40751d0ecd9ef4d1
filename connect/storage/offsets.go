package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"

	"github.com/tributary-cdc/tributary/connect/kafkalog"
)

// OffsetEntry is one source partition of a connector and its last offset.
type OffsetEntry struct {
	Partition map[string]any
	Offset    map[string]any
}

// OffsetStore is the offsets topic (Kafka Connect's KafkaOffsetBackingStore).
//
// A record's key is the JSON array [connector, partition map] and its value
// the JSON offset map; a tombstone resets the partition. Numbers read back as
// int64 when integral, float64 otherwise.
type OffsetStore struct {
	log    *kafkalog.Log
	logger *slog.Logger
	topic  string

	mu      sync.RWMutex
	entries map[string]offsetRecord // by canonical key
}

type offsetRecord struct {
	connector string
	partition map[string]any
	offset    map[string]any
	// rawKey is the key as it was written. Kafka Connect looks offsets up
	// by key bytes, so an existing partition is rewritten under the same
	// bytes even if another writer ordered the map's keys differently.
	rawKey []byte
}

// OpenOffsetStore opens the offsets topic described by cfg (its OnRecord is
// replaced) and reads it to the end.
func OpenOffsetStore(ctx context.Context, cfg kafkalog.Config) (*OffsetStore, error) {
	s := &OffsetStore{logger: loggerOf(cfg), topic: cfg.Topic, entries: map[string]offsetRecord{}}
	cfg.OnRecord = s.apply
	l, err := kafkalog.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("opening offset store: %w", err)
	}
	s.log = l
	return s, nil
}

func loggerOf(cfg kafkalog.Config) *slog.Logger {
	if cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cfg.Logger.With("topic", cfg.Topic)
}

// offsetKey encodes the canonical key bytes for a connector's partition.
func offsetKey(connector string, partition map[string]any) (string, error) {
	if partition == nil {
		partition = map[string]any{}
	}
	b, err := marshal([]any{connector, partition})
	if err != nil {
		return "", fmt.Errorf("encoding offset key: %w", err)
	}
	return string(b), nil
}

func parseOffsetKey(key []byte) (string, map[string]any, error) {
	v, err := unmarshal(key)
	if err != nil {
		return "", nil, err
	}
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return "", nil, errors.New("not a [connector, partition] array")
	}
	connector, ok := arr[0].(string)
	if !ok {
		return "", nil, errors.New("connector name is not a string")
	}
	partition, ok := arr[1].(map[string]any)
	if !ok && arr[1] != nil {
		return "", nil, errors.New("partition is not an object")
	}
	return connector, partition, nil
}

// apply is the log's OnRecord.
func (s *OffsetStore) apply(key, value []byte) {
	connector, partition, err := parseOffsetKey(key)
	if err != nil {
		// Kafka Connect ignores what it cannot decode; so do we, loudly.
		s.logger.Error("ignoring offset record with malformed key", "key", string(key), "error", err)
		return
	}
	canon, err := offsetKey(connector, partition)
	if err != nil {
		s.logger.Error("ignoring offset record", "key", string(key), "error", err)
		return
	}
	if value == nil {
		s.mu.Lock()
		delete(s.entries, canon)
		s.mu.Unlock()
		return
	}
	v, err := unmarshal(value)
	if err != nil {
		s.logger.Error("ignoring offset record with malformed value", "key", string(key), "error", err)
		return
	}
	offset, ok := v.(map[string]any)
	if !ok {
		if v == nil { // a JSON null value resets like a tombstone
			s.mu.Lock()
			delete(s.entries, canon)
			s.mu.Unlock()
			return
		}
		s.logger.Error("ignoring offset record whose value is not an object", "key", string(key))
		return
	}
	s.mu.Lock()
	s.entries[canon] = offsetRecord{connector: connector, partition: partition, offset: offset, rawKey: key}
	s.mu.Unlock()
}

// Get returns the last offset of a connector's partition, or nil if there is
// none. It reads the topic to its end first.
func (s *OffsetStore) Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error) {
	canon, err := offsetKey(connector, partition)
	if err != nil {
		return nil, fmt.Errorf("reading offset: %w", err)
	}
	if err := s.log.ReadToEnd(ctx); err != nil {
		return nil, fmt.Errorf("reading offset: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if r, ok := s.entries[canon]; ok {
		return maps.Clone(r.offset), nil
	}
	return nil, nil
}

// Topic is the offsets topic.
func (s *OffsetStore) Topic() string { return s.topic }

// Encode returns the record that Put would write for a connector
// partition's offset (nil = reset): its key (the bytes an existing record of
// the partition was written with) and value. Exactly-once source tasks
// write it with their own transactional producer; the store sees it, like
// any record of the topic, once it is committed.
func (s *OffsetStore) Encode(connector string, partition, offset map[string]any) (key, value []byte, err error) {
	canon, err := offsetKey(connector, partition)
	if err != nil {
		return nil, nil, err
	}
	key = []byte(canon)
	s.mu.RLock()
	if r, ok := s.entries[canon]; ok {
		key = r.rawKey
	}
	s.mu.RUnlock()
	if offset != nil {
		if value, err = marshal(offset); err != nil {
			return nil, nil, fmt.Errorf("encoding offset: %w", err)
		}
	}
	return key, value, nil
}

// Put writes a connector partition's offset (nil = reset) and returns once it
// is durable and visible to Get and Partitions.
func (s *OffsetStore) Put(ctx context.Context, connector string, partition, offset map[string]any) error {
	key, value, err := s.Encode(connector, partition, offset)
	if err != nil {
		return fmt.Errorf("writing offset: %w", err)
	}
	if err := s.log.SendAndApply(ctx, key, value); err != nil {
		return fmt.Errorf("writing offset: %w", err)
	}
	return nil
}

// Partitions returns every partition of connector with a live offset,
// ordered by key. It does not read the topic first.
func (s *OffsetStore) Partitions(connector string) []OffsetEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := make([]string, 0, len(s.entries))
	for k, r := range s.entries {
		if r.connector == connector {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]OffsetEntry, len(keys))
	for i, k := range keys {
		r := s.entries[k]
		out[i] = OffsetEntry{Partition: maps.Clone(r.partition), Offset: maps.Clone(r.offset)}
	}
	return out
}

// Refresh reads the topic to its end.
func (s *OffsetStore) Refresh(ctx context.Context) error {
	if err := s.log.ReadToEnd(ctx); err != nil {
		return fmt.Errorf("refreshing offsets: %w", err)
	}
	return nil
}

// Close closes the underlying log.
func (s *OffsetStore) Close() error { return s.log.Close() }
