package signal

import (
	"context"
	"time"
)

// Signal is one signal as a channel delivers it: Debezium's SignalRecord
// (io.debezium.pipeline.signal.SignalRecord: id, type, data).
type Signal struct {
	// ID identifies the signal; it is logged with every problem.
	ID string
	// Type is the action: "execute-snapshot", "log", ….
	Type string
	// Data is the action's JSON payload, possibly empty.
	Data string
	// Channel is the name of the channel it came from: "source", "kafka",
	// "file".
	Channel string
	// Offset is the message's offset in the signal topic for the kafka
	// channel (Debezium's channelOffset additional data), 0 otherwise.
	Offset int64
}

// Channel is a signal channel the task polls every signal.poll.interval.ms
// (Debezium's SignalChannelReader). The source channel is not one: its
// signals are rows of the signal table, read from the WAL.
type Channel interface {
	// Name is the channel's name in signal.enabled.channels.
	Name() string
	// Read returns the signals that arrived since the last call; it returns
	// promptly when there are none.
	Read(ctx context.Context) ([]Signal, error)
	// Close releases the channel.
	Close() error
}

// Notification is Debezium's io.debezium.pipeline.notification.Notification.
type Notification struct {
	ID             string
	AggregateType  string
	Type           string
	AdditionalData map[string]string
	Timestamp      time.Time
}
