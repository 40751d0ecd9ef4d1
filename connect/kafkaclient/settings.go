package kafkaclient

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
)

// Producer settings a worker sets with the `producer.` prefix and a
// connector overrides with `producer.override.`, spelled as Kafka's Java
// producer spells them. Only settings with the same meaning in sarama are
// honoured; the others are reported as ignored.
const (
	ProducerCompressionType = "compression.type"
	ProducerGzipLevel       = "compression.gzip.level"
	ProducerLZ4Level        = "compression.lz4.level"
	ProducerZstdLevel       = "compression.zstd.level"
	ProducerLingerMs        = "linger.ms"
	ProducerMaxRequestSize  = "max.request.size"
	ProducerBufferMemory    = "buffer.memory"
)

// Worker and connector prefixes of the producer settings.
const (
	WorkerProducerPrefix    = "producer."
	ConnectorProducerPrefix = "producer.override."
)

// ProducerSettings are the tunable parts of a source task's producer.
type ProducerSettings struct {
	// Compression and CompressionLevel are compression.type and its
	// codec's level (sarama.CompressionLevelDefault when unset).
	Compression      sarama.CompressionCodec
	CompressionLevel int
	// Linger is linger.ms: how long a batch waits for more records.
	Linger time.Duration
	// MaxRequestSize is max.request.size: the largest batch of records.
	MaxRequestSize int
	// BufferMemory is buffer.memory: the bytes of records produced but not
	// yet acknowledged, after which polling the task waits. 0 leaves the
	// runtime's default.
	BufferMemory int64
}

// DefaultProducerSettings are Kafka Connect's producer defaults (no
// compression, 1 MiB requests), with sarama's shortest linger.
func DefaultProducerSettings() ProducerSettings {
	return ProducerSettings{
		Compression:      sarama.CompressionNone,
		CompressionLevel: sarama.CompressionLevelDefault,
		Linger:           time.Millisecond,
		MaxRequestSize:   1024 * 1024,
	}
}

var compressionCodecs = map[string]sarama.CompressionCodec{
	"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP, "snappy": sarama.CompressionSnappy,
	"lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD,
}

// ProducerSettingError is an invalid producer setting; Key is the full
// property name (with its prefix).
type ProducerSettingError struct {
	Key, Value, Reason string
}

func (e *ProducerSettingError) Error() string {
	return fmt.Sprintf("Invalid value %s for configuration %s: %s", e.Value, e.Key, e.Reason)
}

// ParseProducerSettings overlays the properties of props that start with
// prefix onto base. It returns the settings and, sorted, the full names of
// prefixed properties it does not honour.
func ParseProducerSettings(base ProducerSettings, props map[string]string, prefix string) (ProducerSettings, []string, error) {
	s := base
	var ignored []string
	keys := make([]string, 0, len(props))
	for k := range props {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	level := func(k, v string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, &ProducerSettingError{k, v, "Not a number of type INT"}
		}
		return n, nil
	}
	levelKeys := map[string]sarama.CompressionCodec{
		ProducerGzipLevel: sarama.CompressionGZIP, ProducerLZ4Level: sarama.CompressionLZ4, ProducerZstdLevel: sarama.CompressionZSTD,
	}
	levels := map[sarama.CompressionCodec]int{}
	for _, k := range keys {
		v := props[k]
		switch name := strings.TrimPrefix(k, prefix); name {
		case ProducerCompressionType:
			c, ok := compressionCodecs[strings.ToLower(strings.TrimSpace(v))]
			if !ok {
				return s, nil, &ProducerSettingError{k, v, "String must be one of: none, gzip, snappy, lz4, zstd"}
			}
			s.Compression = c
		case ProducerGzipLevel, ProducerLZ4Level, ProducerZstdLevel:
			n, err := level(k, v)
			if err != nil {
				return s, nil, err
			}
			levels[levelKeys[name]] = n
		case ProducerLingerMs:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 0 {
				return s, nil, &ProducerSettingError{k, v, "Value must be at least 0"}
			}
			// sarama needs a time trigger: 0 means as soon as possible.
			s.Linger = max(time.Duration(n)*time.Millisecond, time.Millisecond)
		case ProducerMaxRequestSize:
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 {
				return s, nil, &ProducerSettingError{k, v, "Value must be at least 1"}
			}
			s.MaxRequestSize = n
		case ProducerBufferMemory:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < 1 {
				return s, nil, &ProducerSettingError{k, v, "Value must be at least 1"}
			}
			s.BufferMemory = n
		default:
			ignored = append(ignored, k)
		}
	}
	if n, ok := levels[s.Compression]; ok {
		s.CompressionLevel = n
	}
	return s, ignored, nil
}

// Apply writes the settings into a producer's sarama config.
func (s ProducerSettings) Apply(cfg *sarama.Config) {
	cfg.Producer.Compression = s.Compression
	cfg.Producer.CompressionLevel = s.CompressionLevel
	cfg.Producer.Flush.Frequency = s.Linger
	cfg.Producer.MaxMessageBytes = s.MaxRequestSize
	// A batch leaves at half the request limit, so that the next one fills
	// while it is in flight.
	cfg.Producer.Flush.Bytes = min(cfg.Producer.Flush.Bytes, s.MaxRequestSize/2)
}
