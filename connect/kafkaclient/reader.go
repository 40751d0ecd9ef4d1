package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
)

// Java consumer properties a PartitionReader honours (Kafka 3.9's
// ConsumerConfig), besides the security ones.
const (
	consumerBootstrapServers  = "bootstrap.servers"
	consumerGroupID           = "group.id"
	consumerClientID          = "client.id"
	consumerAutoOffsetReset   = "auto.offset.reset"
	consumerEnableAutoCommit  = "enable.auto.commit"
	consumerAutoCommitMs      = "auto.commit.interval.ms"
	consumerFetchMinBytes     = "fetch.min.bytes"
	consumerFetchMaxWaitMs    = "fetch.max.wait.ms"
	consumerMaxPartitionBytes = "max.partition.fetch.bytes"
	consumerMaxPollRecords    = "max.poll.records"
	consumerKeyDeserializer   = "key.deserializer"
	consumerValueDeserializer = "value.deserializer"

	stringDeserializer = "org.apache.kafka.common.serialization.StringDeserializer"
)

// readerBuffer bounds the messages a PartitionReader's consumer holds
// between two reads, besides those of one fetch.
const readerBuffer = 256

// PartitionReader reads one partition of one topic for a task, as a Java
// KafkaConsumer does after assign(): it starts at the group's committed
// offset (else auto.offset.reset), commits its position to the group
// (auto-commit every auto.commit.interval.ms, and at Close), and never
// joins the group. It implements connect.TopicReader.
//
// Like KafkaConsumer, it connects on the first Read, not when opened: a
// broker that cannot be reached (or refuses the credentials) fails that
// Read with the pre-flight check's diagnosis, and the next Read tries
// again.
type PartitionReader struct {
	spec       connect.TopicReaderSpec
	log        *slog.Logger
	brokers    []string
	group      string
	cfg        *sarama.Config
	sec        *security.Config
	initial    int64 // sarama.OffsetOldest or OffsetNewest, or 0 for "none"
	maxRecords int

	mu       sync.Mutex // serialises Read and Close, and guards what follows
	closed   bool
	client   sarama.Client
	consumer sarama.Consumer
	offsets  sarama.OffsetManager
	pom      sarama.PartitionOffsetManager
	pc       sarama.PartitionConsumer
}

var _ connect.TopicReader = (*PartitionReader)(nil)

// errReaderClosed is returned by Read after Close.
var errReaderClosed = errors.New("the topic reader is closed")

// OpenPartitionReader checks spec.Properties and returns a reader of the
// partition; it does no I/O. Errors and warnings name the property; no
// credential is shown.
func OpenPartitionReader(spec connect.TopicReaderSpec, log *slog.Logger) (*PartitionReader, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := spec.Properties
	get := func(name string) string { return strings.TrimSpace(p[name]) }
	r := &PartitionReader{spec: spec, log: log, maxRecords: 500, brokers: splitList(get(consumerBootstrapServers)), group: get(consumerGroupID)}
	if len(r.brokers) == 0 {
		return nil, fmt.Errorf("reading topic %s: %s is required", spec.Topic, consumerBootstrapServers)
	}
	if r.group == "" {
		return nil, fmt.Errorf("reading topic %s: %s is required", spec.Topic, consumerGroupID)
	}
	var err error
	if r.sec, err = security.Parse(securityProps(p), security.Options{Logger: log, Bootstrap: r.brokers}); err != nil {
		return nil, fmt.Errorf("reading topic %s: %w", spec.Topic, err)
	}
	r.cfg = NewClientConfig(get(consumerClientID), r.sec)
	if err := r.configure(r.cfg, get); err != nil {
		return nil, fmt.Errorf("reading topic %s: %w", spec.Topic, err)
	}
	if ignored := ignoredConsumerProps(p); len(ignored) > 0 {
		log.Warn("consumer properties Tributary does not honour have no effect", "topic", spec.Topic, "properties", ignored)
	}
	return r, nil
}

// connect builds the clients, after the pre-flight check.
func (r *PartitionReader) connect(ctx context.Context) error {
	if err := security.Check(ctx, r.cfg, r.sec, r.brokers); err != nil {
		return fmt.Errorf("reading topic %s: %w", r.spec.Topic, err)
	}
	client, err := sarama.NewClient(r.brokers, r.cfg)
	if err != nil {
		return fmt.Errorf("reading topic %s: connecting to %s: %w", r.spec.Topic, strings.Join(r.brokers, ","), err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return errors.Join(fmt.Errorf("reading topic %s: %w", r.spec.Topic, err), client.Close())
	}
	offsets, err := sarama.NewOffsetManagerFromClient(r.group, client)
	if err != nil {
		return errors.Join(fmt.Errorf("reading topic %s: %w", r.spec.Topic, err), consumer.Close(), client.Close())
	}
	r.client, r.consumer, r.offsets = client, consumer, offsets
	return nil
}

// configure applies the consumer properties to cfg.
func (r *PartitionReader) configure(cfg *sarama.Config, get func(string) string) error {
	cfg.ChannelBufferSize = readerBuffer
	cfg.Consumer.Offsets.AutoCommit.Enable = true
	cfg.Consumer.Offsets.AutoCommit.Interval = 5 * time.Second
	r.initial = sarama.OffsetNewest // Java's default auto.offset.reset
	switch v := strings.ToLower(get(consumerAutoOffsetReset)); v {
	case "", "latest":
	case "earliest":
		r.initial = sarama.OffsetOldest
	case "none":
		r.initial = 0
	default:
		return fmt.Errorf("invalid value %s for configuration %s: must be one of earliest, latest, none", v, consumerAutoOffsetReset)
	}
	cfg.Consumer.Offsets.Initial = r.initial
	if r.initial == 0 {
		cfg.Consumer.Offsets.Initial = sarama.OffsetOldest // never used: a missing offset fails
	}
	if v := get(consumerEnableAutoCommit); v != "" {
		b, err := strconv.ParseBool(strings.ToLower(v))
		if err != nil {
			return fmt.Errorf("invalid value %s for configuration %s: expected value to be either true or false", v, consumerEnableAutoCommit)
		}
		cfg.Consumer.Offsets.AutoCommit.Enable = b
	}
	ints := []struct {
		name string
		min  int
		set  func(int)
	}{
		{consumerAutoCommitMs, 0, func(n int) { cfg.Consumer.Offsets.AutoCommit.Interval = time.Duration(max(n, 1)) * time.Millisecond }},
		{consumerFetchMinBytes, 0, func(n int) { cfg.Consumer.Fetch.Min = int32(max(n, 1)) }},
		{consumerFetchMaxWaitMs, 0, func(n int) { cfg.Consumer.MaxWaitTime = time.Duration(max(n, 1)) * time.Millisecond }},
		{consumerMaxPartitionBytes, 0, func(n int) { cfg.Consumer.Fetch.Default = int32(max(n, 1)) }},
		{consumerMaxPollRecords, 1, func(n int) { r.maxRecords = n }},
	}
	for _, c := range ints {
		v := get(c.name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || int(n) < c.min {
			return fmt.Errorf("invalid value %s for configuration %s: must be an integer of at least %d", v, c.name, c.min)
		}
		c.set(int(n))
	}
	for _, name := range []string{consumerKeyDeserializer, consumerValueDeserializer} {
		if v := get(name); v != "" && v != stringDeserializer {
			return fmt.Errorf("invalid value %s for configuration %s: only %s is available", v, name, stringDeserializer)
		}
	}
	return nil
}

// honouredConsumerProps are the properties configure reads.
var honouredConsumerProps = []string{consumerBootstrapServers, consumerGroupID, consumerClientID, consumerAutoOffsetReset,
	consumerEnableAutoCommit, consumerAutoCommitMs, consumerFetchMinBytes, consumerFetchMaxWaitMs, consumerMaxPartitionBytes,
	consumerMaxPollRecords, consumerKeyDeserializer, consumerValueDeserializer}

// ignoredConsumerProps lists, sorted, the properties set that the reader
// does not honour.
func ignoredConsumerProps(p map[string]string) []string {
	var out []string
	for name := range p {
		if !slices.Contains(honouredConsumerProps, name) && !slices.Contains(security.Names, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func securityProps(p map[string]string) map[string]string {
	out := map[string]string{}
	for _, name := range security.Names {
		if v, ok := p[name]; ok {
			out[name] = v
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// Read implements connect.TopicReader.
func (r *PartitionReader) Read(ctx context.Context, wait time.Duration) ([]connect.TopicMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errReaderClosed
	}
	if r.client == nil {
		if err := r.connect(ctx); err != nil {
			return nil, err
		}
	}
	if r.pc == nil {
		ok, err := r.start()
		if err != nil || !ok {
			return nil, err
		}
	}
	var out []connect.TopicMessage
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	for len(out) < r.maxRecords {
		if err := r.drainErrors(); err != nil {
			return out, err
		}
		if len(out) > 0 || timeout == nil {
			// Return what is already fetched without waiting.
			select {
			case m := <-r.pc.Messages():
				out = append(out, r.take(m))
				continue
			default:
				return out, nil
			}
		}
		select {
		case m := <-r.pc.Messages():
			out = append(out, r.take(m))
		case <-timeout:
			return out, nil
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
	return out, nil
}

func (r *PartitionReader) take(m *sarama.ConsumerMessage) connect.TopicMessage {
	r.pom.MarkOffset(m.Offset+1, "")
	return connect.TopicMessage{Key: m.Key, Value: m.Value, Offset: m.Offset}
}

// drainErrors takes the consumer's and offset manager's errors: a fetch
// error is returned, a commit error logged (the next commit retries).
func (r *PartitionReader) drainErrors() error {
	for {
		select {
		case err := <-r.pc.Errors():
			return fmt.Errorf("reading topic %s partition %d: %w", r.spec.Topic, r.spec.Partition, err)
		case err := <-r.pom.Errors():
			r.log.Warn("committing the consumer group's offset", "topic", r.spec.Topic, "group", r.group, "error", err)
		default:
			return nil
		}
	}
}

// start begins consuming once the partition exists, from the group's
// committed offset or auto.offset.reset. It reports false while the topic
// does not exist.
func (r *PartitionReader) start() (bool, error) {
	parts, err := r.client.Partitions(r.spec.Topic)
	if errors.Is(err, sarama.ErrUnknownTopicOrPartition) || err == nil && !slices.Contains(parts, r.spec.Partition) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading topic %s: %w", r.spec.Topic, err)
	}
	if r.pom == nil {
		pom, err := r.offsets.ManagePartition(r.spec.Topic, r.spec.Partition)
		if errors.Is(err, sarama.ErrGroupIDNotFound) {
			// A broker with KIP-848's coordinator answers a group that
			// has never committed this way; the Java consumer's first
			// auto-commit would create it with the reset position.
			if err = r.seedGroup(); err == nil {
				pom, err = r.offsets.ManagePartition(r.spec.Topic, r.spec.Partition)
			}
		}
		if err != nil {
			return false, fmt.Errorf("reading the committed offset of topic %s partition %d for group %s: %w", r.spec.Topic, r.spec.Partition, r.group, err)
		}
		r.pom = pom
	}
	next, _ := r.pom.NextOffset()
	if next < 0 && r.initial == 0 {
		return false, fmt.Errorf("reading topic %s partition %d: no committed offset for group %s and %s is none",
			r.spec.Topic, r.spec.Partition, r.group, consumerAutoOffsetReset)
	}
	pc, err := r.consumer.ConsumePartition(r.spec.Topic, r.spec.Partition, next)
	if errors.Is(err, sarama.ErrOffsetOutOfRange) && r.initial != 0 {
		// KafkaConsumer resets an out-of-range position by
		// auto.offset.reset.
		r.log.Warn("the committed offset is out of range; resetting", "topic", r.spec.Topic, "partition", r.spec.Partition,
			"offset", next, consumerAutoOffsetReset, r.spec.Properties[consumerAutoOffsetReset])
		pc, err = r.consumer.ConsumePartition(r.spec.Topic, r.spec.Partition, r.initial)
	}
	if err != nil {
		return false, fmt.Errorf("reading topic %s partition %d from offset %d: %w", r.spec.Topic, r.spec.Partition, next, err)
	}
	r.pc = pc
	return true, nil
}

// seedGroup commits the auto.offset.reset position of the partition for a
// group that has no committed offset at all.
func (r *PartitionReader) seedGroup() error {
	if r.initial == 0 {
		return fmt.Errorf("no committed offset for group %s and %s is none", r.group, consumerAutoOffsetReset)
	}
	offset, err := r.client.GetOffset(r.spec.Topic, r.spec.Partition, r.initial)
	if err != nil {
		return fmt.Errorf("looking up the %s offset: %w", r.spec.Properties[consumerAutoOffsetReset], err)
	}
	broker, err := r.client.Coordinator(r.group)
	if err != nil {
		return fmt.Errorf("finding the coordinator of group %s: %w", r.group, err)
	}
	req := sarama.NewOffsetCommitRequest(r.cfg, r.group)
	req.AddBlock(r.spec.Topic, r.spec.Partition, offset, 0, "")
	resp, err := broker.CommitOffset(req)
	if err != nil {
		return fmt.Errorf("committing the initial offset of group %s: %w", r.group, err)
	}
	if kerr := resp.Errors[r.spec.Topic][r.spec.Partition]; kerr != sarama.ErrNoError {
		return fmt.Errorf("committing the initial offset of group %s: %w", r.group, kerr)
	}
	return nil
}

// Close commits the position to the group and releases the clients.
func (r *PartitionReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	var errs []error
	if r.pc != nil {
		errs = append(errs, r.pc.Close())
		r.pc = nil
	}
	if r.offsets != nil {
		r.offsets.Commit() // KafkaSignalChannel.close: commitSync
		if r.pom != nil {
			errs = append(errs, r.pom.Close())
		}
		errs = append(errs, r.offsets.Close())
		r.offsets = nil
	}
	if r.consumer != nil {
		errs = append(errs, r.consumer.Close())
		r.consumer = nil
	}
	if r.client != nil {
		errs = append(errs, r.client.Close())
		r.client = nil
	}
	return errors.Join(errs...)
}
