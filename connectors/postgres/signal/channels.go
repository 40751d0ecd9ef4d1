package signal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// Channel names of signal.enabled.channels besides file and kafka.
const (
	// ChannelSource is the signal table (signal.data.collection), read
	// from the WAL by the task: no Channel of this package.
	ChannelSource = "source"
	// ChannelJMX is Debezium's JMX channel, which has no counterpart here.
	ChannelJMX = "jmx"
)

// DefaultPollInterval is signal.poll.interval.ms's default
// (CommonConnectorConfig.SIGNAL_POLL_INTERVAL_MS).
const DefaultPollInterval = 5 * time.Second

// ChannelConfig is the configuration of the signal channels.
type ChannelConfig struct {
	// Enabled is signal.enabled.channels (default "source").
	Enabled []string
	// PollInterval is signal.poll.interval.ms: how often the task calls
	// Read on each channel OpenChannels returns.
	PollInterval time.Duration
	// TopicPrefix is topic.prefix, the connector's logical name: the
	// kafka channel's default topic and the key its signals carry.
	TopicPrefix string
	// File is signal.file; "" is file-signals.txt.
	File string
	// Kafka is the kafka channel's configuration.
	Kafka KafkaConfig
}

// IsEnabled reports whether the channel is listed in
// signal.enabled.channels (names compared as Debezium does: exactly, after
// trimming).
func (c ChannelConfig) IsEnabled(name string) bool {
	return slices.ContainsFunc(c.Enabled, func(n string) bool { return strings.TrimSpace(n) == name })
}

// OpenChannels opens the enabled channels this package implements (file,
// kafka), in the order listed, for the task to Read every PollInterval
// and Close when it stops. The source channel is the task's own and is
// skipped here. jmx and unknown names are named in one warning and
// skipped; the other channels still open. A channel that cannot be
// configured is an error naming it (Debezium fails the task's start the
// same way), after the channels already opened are closed.
func OpenChannels(ctx context.Context, cfg ChannelConfig, tc connect.TaskContext, log *slog.Logger) ([]Channel, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var out []Channel
	var unknown []string
	seen := map[string]bool{}
	for _, name := range cfg.Enabled {
		name = strings.TrimSpace(name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		var ch Channel
		var err error
		switch name {
		case ChannelSource:
			continue
		case ChannelFile:
			ch = newFileChannel(cfg.File, log)
		case ChannelKafka:
			ch, err = openKafkaChannel(ctx, cfg.Kafka, cfg.TopicPrefix, tc, log)
		default:
			unknown = append(unknown, name)
			continue
		}
		if err != nil {
			return nil, errors.Join(err, closeAll(out))
		}
		out = append(out, ch)
	}
	if len(unknown) > 0 {
		log.Warn(fmt.Sprintf("signal.enabled.channels lists channels Tributary does not have; they are ignored (the JMX channel has no counterpart): %s",
			strings.Join(unknown, ", ")), "channels", unknown)
	}
	return out, nil
}

func closeAll(chs []Channel) error {
	var errs []error
	for _, c := range chs {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing signal channel %s: %w", c.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// CloseChannels closes every channel, joining their errors.
func CloseChannels(chs []Channel) error { return closeAll(chs) }
