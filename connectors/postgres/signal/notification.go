package signal

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Notification channel names (notification.enabled.channels).
const (
	NotificationSink = "sink" // SinkNotificationChannel.CHANNEL_NAME
	NotificationLog  = "log"  // LogNotificationChannel.CHANNEL_NAME
	NotificationJMX  = "jmx"  // JmxNotificationChannel: no counterpart here
)

// NotificationTopicRequired is SinkNotificationChannel's validation
// message for notification.sink.topic.name when the sink channel is
// enabled without it.
const NotificationTopicRequired = "Notification topic name must be provided when kafka notification channel is enabled"

// Schema names and versions of the sink channel's records
// (io.debezium.schema.SchemaFactory).
const (
	NotificationKeySchemaName   = "io.debezium.connector.common.NotificationKey"
	NotificationValueSchemaName = "io.debezium.connector.common.Notification"
)

// NotificationKeySchema is SchemaFactory.notificationKeySchema:
// NotificationKey{id} version 1.
var NotificationKeySchema = versioned(schema.StructOf(NotificationKeySchemaName, false,
	schema.NewField("id", schema.StringSchema)))

// NotificationValueSchema is SchemaFactory.notificationValueSchema:
// Notification{id, type, aggregate_type, additional_data (optional
// map<string,string>), timestamp (int64)} version 1.
var NotificationValueSchema = versioned(schema.StructOf(NotificationValueSchemaName, false,
	schema.NewField("id", schema.StringSchema),
	schema.NewField("type", schema.StringSchema),
	schema.NewField("aggregate_type", schema.StringSchema),
	schema.NewField("additional_data", &schema.Schema{Type: schema.TypeMap, Optional: true, Keys: schema.StringSchema, Values: schema.StringSchema}),
	schema.NewField("timestamp", schema.Int64Schema)))

func versioned(s *schema.Schema) *schema.Schema {
	s.Version = 1
	return s
}

// NotificationConfig is notification.enabled.channels and
// notification.sink.topic.name.
type NotificationConfig struct {
	Enabled   []string
	SinkTopic string
}

// Notifier delivers notifications to the enabled channels: the log
// channel logs them, the sink channel makes the record the task queues.
type Notifier struct {
	log       *slog.Logger
	logOn     bool
	sinkTopic string // "" when the sink channel is off
}

// NewNotifier returns the notifier of cfg. jmx and unknown channel names
// are named in one warning; an enabled sink channel without a topic is an
// error with Debezium's message (ParseConfig refuses it first).
func NewNotifier(cfg NotificationConfig, log *slog.Logger) (*Notifier, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{log: log}
	var unknown []string
	for _, name := range cfg.Enabled {
		switch name = strings.TrimSpace(name); name {
		case "":
		case NotificationLog:
			n.logOn = true
		case NotificationSink:
			if strings.TrimSpace(cfg.SinkTopic) == "" {
				return nil, fmt.Errorf("notification.sink.topic.name: %s", NotificationTopicRequired)
			}
			n.sinkTopic = cfg.SinkTopic
		default:
			if !slices.Contains(unknown, name) {
				unknown = append(unknown, name)
			}
		}
	}
	if len(unknown) > 0 {
		log.Warn(fmt.Sprintf("notification.enabled.channels lists channels Tributary does not have; they are ignored (the JMX channel has no counterpart): %s",
			strings.Join(unknown, ", ")), "channels", unknown)
	}
	return n, nil
}

// Enabled reports whether any channel is on; a task may skip building
// notifications when none is.
func (n *Notifier) Enabled() bool { return n != nil && (n.logOn || n.sinkTopic != "") }

// Notify logs nt when the log channel is on and, when the sink channel is
// on, returns its record (ok) for the task to queue like any other:
// partition is the task's source partition and offset its current offset,
// which the record carries (NotificationService.notify with Offsets), nil
// when it has none yet.
func (n *Notifier) Notify(nt Notification, partition, offset map[string]any) (rec connect.SourceRecord, ok bool) {
	if n == nil {
		return connect.SourceRecord{}, false
	}
	if n.logOn {
		n.log.Info(LogLine(nt)) // LogNotificationChannel.send
	}
	if n.sinkTopic == "" {
		return connect.SourceRecord{}, false
	}
	return Record(n.sinkTopic, nt, partition, offset), true
}

// Record is the sink channel's record of nt (SinkNotificationChannel.send):
// key NotificationKey{id}, value Notification{…}, on topic, with the
// task's partition and offset. Debezium gives an empty offset map where
// the task has none; an offset-less record (nil) is the same here without
// writing an empty offset over the stored one.
func Record(topic string, nt Notification, partition, offset map[string]any) connect.SourceRecord {
	key := schema.NewStruct(NotificationKeySchema).Set("id", nt.ID)
	value := schema.NewStruct(NotificationValueSchema).
		Set("id", nt.ID).
		Set("type", nt.Type).
		Set("aggregate_type", nt.AggregateType).
		Set("timestamp", nt.Timestamp.UnixMilli())
	if nt.AdditionalData != nil {
		value.Set("additional_data", additionalData(nt.AdditionalData))
	}
	if len(offset) == 0 {
		offset = nil
	}
	return connect.SourceRecord{
		SourcePartition: partition, SourceOffset: offset, Topic: topic,
		KeySchema: NotificationKeySchema, Key: key, ValueSchema: NotificationValueSchema, Value: value,
	}
}

// additionalData orders the map as the java.util.HashMap Debezium builds
// iterates it (see javaHashMapKeys).
func additionalData(m map[string]string) schema.OrderedMap {
	out := make(schema.OrderedMap, 0, len(m))
	for _, k := range javaHashMapKeys(m) {
		out = append(out, schema.MapEntry{Key: k, Value: m[k]})
	}
	return out
}

// LogLine is the log channel's message: LogNotificationChannel logs
// "{} {}" with its prefix "[Notification Service] " and
// Notification.toString.
func LogLine(nt Notification) string {
	var b strings.Builder
	b.WriteString("[Notification Service]  {id='")
	b.WriteString(nt.ID)
	b.WriteString("', aggregateType='")
	b.WriteString(nt.AggregateType)
	b.WriteString("', type='")
	b.WriteString(nt.Type)
	b.WriteString("', additionalData=")
	if nt.AdditionalData == nil {
		b.WriteString("null")
	} else {
		b.WriteByte('{')
		for i, k := range javaHashMapKeys(nt.AdditionalData) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(nt.AdditionalData[k])
		}
		b.WriteByte('}')
	}
	fmt.Fprintf(&b, ", timestamp=%d}", nt.Timestamp.UnixMilli())
	return b.String()
}

// javaHashMapKeys returns the keys in the iteration order of the
// java.util.HashMap Debezium's notification services build: new
// HashMap<>(additionalData) over the service's Map.of(…) entries, then
// connector_name put in (buildNotificationWith). HashMap(Map) sizes its
// table to the smallest power of two of at least ceil(n / 0.75) (JDK 19
// and later; 16 for an empty map), the put of connector_name may double
// it, and iteration goes bucket by bucket, a key's bucket being its
// spread String.hashCode masked by the table size. Within a bucket the
// order is that of insertion, which for Map.of entries varies from one
// JVM to the next; here such keys come in lexical order, connector_name
// last.
func javaHashMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	hasName := false
	for k := range m {
		if k == KeyConnectorName {
			hasName = true
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	capacity := 16
	if s := len(keys); s > 0 {
		capacity = tableSizeFor(int(math.Ceil(float64(s) / 0.75)))
	}
	if hasName {
		if size := len(keys) + 1; size > capacity*3/4 {
			capacity *= 2
		}
		keys = append(keys, KeyConnectorName)
	}
	mask := uint32(capacity - 1)
	slices.SortStableFunc(keys, func(a, b string) int {
		return int(javaSpreadHash(a)&mask) - int(javaSpreadHash(b)&mask)
	})
	return keys
}

// tableSizeFor is HashMap.tableSizeFor: the smallest power of two at least
// n (at least 1).
func tableSizeFor(n int) int {
	c := 1
	for c < n {
		c <<= 1
	}
	return c
}

// javaSpreadHash is HashMap.hash for a String key.
func javaSpreadHash(s string) uint32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return uint32(h) ^ (uint32(h) >> 16)
}
