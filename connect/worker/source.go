package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/schema"
)

// Converter turns a Connect value into record bytes (Kafka Connect's
// Converter.fromConnectData).
type Converter interface {
	FromConnect(topic string, s *schema.Schema, v any) ([]byte, error)
}

// OffsetStore is the durable offset storage the runner writes to.
type OffsetStore interface {
	Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error)
	Put(ctx context.Context, connector string, partition, offset map[string]any) error
}

// TopicCreator makes sure a topic exists before the first record goes to it.
type TopicCreator interface {
	EnsureTopic(ctx context.Context, topic string) error
}

// SourceTaskConfig is everything a SourceTaskRunner needs.
type SourceTaskConfig struct {
	ID     connect.TaskID
	Task   connect.SourceTask
	Config map[string]string // the task config handed to Task.Start

	KeyConverter   Converter
	ValueConverter Converter
	Producer       sarama.AsyncProducer // owned by the runner from now on: Run closes it
	Offsets        OffsetStore
	Topics         TopicCreator

	// FlushInterval is offset.flush.interval.ms; FlushTimeout bounds the
	// final drain at shutdown (offset.flush.timeout.ms in spirit).
	FlushInterval time.Duration
	FlushTimeout  time.Duration
	// MaxInFlight bounds records produced but not yet acknowledged.
	MaxInFlight int
	// MaxInFlightBytes bounds the bytes (keys, values and headers) of those
	// records, like the Java producer's buffer.memory: polling waits while
	// the budget is spent. A record larger than the whole budget still goes
	// out, alone.
	MaxInFlightBytes int64

	Logger *slog.Logger
}

// SourceTaskRunner drives one source task.
type SourceTaskRunner struct {
	cfg SourceTaskConfig
	log *slog.Logger

	slots   chan struct{} // one token per in-flight record
	bytes   *byteBudget   // bytes of the in-flight records
	tracker *ackTracker
	conv    *recordConverter
	commitM sync.Mutex // serialises offset flushes
}

// NewSourceTaskRunner validates cfg and returns a runner.
func NewSourceTaskRunner(cfg SourceTaskConfig) *SourceTaskRunner {
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = time.Minute
	}
	if cfg.FlushTimeout <= 0 {
		cfg.FlushTimeout = 5 * time.Second
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.MaxInFlightBytes <= 0 {
		cfg.MaxInFlightBytes = DefaultMaxInFlightBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &SourceTaskRunner{
		cfg:     cfg,
		log:     cfg.Logger,
		slots:   make(chan struct{}, cfg.MaxInFlight),
		bytes:   newByteBudget(cfg.MaxInFlightBytes),
		tracker: newAckTracker(),
		conv:    newRecordConverter(cfg.KeyConverter, cfg.ValueConverter, cfg.Topics),
	}
}

// Run starts the task and runs it until ctx is cancelled (a clean stop,
// returning nil) or the task fails (returning the error). In both cases it
// shuts down in order before returning.
func (r *SourceTaskRunner) Run(ctx context.Context) error {
	tc := &taskContext{connector: r.cfg.ID.Connector, offsets: r.cfg.Offsets, log: r.log}
	if err := r.cfg.Task.Start(ctx, tc, r.cfg.Config); err != nil {
		stopErr := r.cfg.Task.Stop()
		closeErr := r.cfg.Producer.Close() // nothing was produced
		if ctx.Err() != nil {
			return nil
		}
		return errors.Join(fmt.Errorf("starting task: %w", err), stopErr, closeErr)
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // owner of the producer's result channels
		defer wg.Done()
		r.collectAcks(cancel)
	}()
	go func() { // periodic offset flush
		defer wg.Done()
		t := time.NewTicker(r.cfg.FlushInterval)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if err := r.flush(runCtx); err != nil {
					if connect.IsRetriable(err) && runCtx.Err() == nil {
						// As Kafka Connect does: an offset commit that
						// fails because Kafka is unreachable is logged and
						// made at the next flush, with newer offsets; the
						// records keep flowing (the producer waits for the
						// broker on its own).
						r.log.Warn("committing offsets failed; retrying at the next flush", "error", err)
						continue
					}
					cancel(err)
					return
				}
			}
		}
	}()

	pollErr := r.pollLoop(runCtx)
	if pollErr != nil && !errors.Is(pollErr, context.Canceled) {
		cancel(pollErr)
	}

	// Phase 2: drain. Polling has stopped; wait for in-flight records to be
	// acknowledged, then write and commit the offsets they make safe. This
	// runs after a failure too: the acknowledged prefix is still safe, and
	// committing it spares duplicates after a restart.
	failure := context.Cause(runCtx)
	if errors.Is(failure, context.Canceled) {
		failure = nil
	}
	drainCtx, drainCancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.FlushTimeout)
	derr := r.waitDrained(drainCtx)
	ferr := r.flush(drainCtx)
	drainCancel()
	if failure == nil {
		failure = errors.Join(derr, ferr)
	}

	// Close the producer; collectAcks drains its result channels until they
	// close, so waiting for it waits for the producer to finish.
	cancel(nil)
	r.cfg.Producer.AsyncClose()
	wg.Wait()

	stopErr := r.cfg.Task.Stop()
	if failure != nil {
		return errors.Join(failure, stopErr)
	}
	if stopErr != nil {
		return fmt.Errorf("stopping task: %w", stopErr)
	}
	return nil
}

func (r *SourceTaskRunner) pollLoop(ctx context.Context) error {
	for {
		records, err := r.cfg.Task.Poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return context.Canceled
			}
			return fmt.Errorf("polling task: %w", err)
		}
		for i := range records {
			if err := r.send(ctx, &records[i]); err != nil {
				if ctx.Err() != nil {
					return context.Canceled
				}
				return err
			}
		}
	}
}

// send converts one record and hands it to the producer, blocking while the
// in-flight budget is spent.
func (r *SourceTaskRunner) send(ctx context.Context, rec *connect.SourceRecord) error {
	if rec.Topic == "" { // offset-only: acknowledged at once, committed in order
		r.tracker.ack(r.tracker.add(rec.SourcePartition, rec.SourceOffset))
		return nil
	}
	msg, size, err := r.conv.message(ctx, rec)
	if err != nil {
		return err
	}
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := r.bytes.acquire(ctx, size); err != nil {
		<-r.slots
		return err
	}
	seq := r.tracker.add(rec.SourcePartition, rec.SourceOffset)
	msg.Metadata = inFlight{seq: seq, size: size}
	select {
	case r.cfg.Producer.Input() <- msg:
		return nil
	case <-ctx.Done():
		// Never handed to the producer: forget it. Its offset and those of
		// the records after it are never committed, so it is re-read after
		// a restart.
		r.tracker.dropLast(seq)
		r.bytes.release(size)
		<-r.slots
		return ctx.Err()
	}
}

// recordConverter turns source records into producer messages, creating
// each topic before its first record.
type recordConverter struct {
	key, value Converter
	topics     TopicCreator
	created    map[string]bool
}

func newRecordConverter(key, value Converter, topics TopicCreator) *recordConverter {
	return &recordConverter{key: key, value: value, topics: topics, created: make(map[string]bool)}
}

// message converts rec (which has a topic) and returns the message and its
// size in bytes (keys, values and headers).
func (c *recordConverter) message(ctx context.Context, rec *connect.SourceRecord) (*sarama.ProducerMessage, int64, error) {
	if !c.created[rec.Topic] {
		if err := c.topics.EnsureTopic(ctx, rec.Topic); err != nil {
			return nil, 0, fmt.Errorf("creating topic %s: %w", rec.Topic, err)
		}
		c.created[rec.Topic] = true
	}
	key, err := c.key.FromConnect(rec.Topic, rec.KeySchema, rec.Key)
	if err != nil {
		return nil, 0, fmt.Errorf("converting key for topic %s: %w", rec.Topic, err)
	}
	value, err := c.value.FromConnect(rec.Topic, rec.ValueSchema, rec.Value)
	if err != nil {
		return nil, 0, fmt.Errorf("converting value for topic %s: %w", rec.Topic, err)
	}
	msg := &sarama.ProducerMessage{Topic: rec.Topic, Timestamp: rec.Timestamp}
	if key != nil {
		msg.Key = sarama.ByteEncoder(key)
	}
	if value != nil {
		msg.Value = sarama.ByteEncoder(value)
	}
	if rec.Partition != nil {
		msg.Partition = *rec.Partition
	}
	if len(rec.Headers) > 0 {
		msg.Headers = make([]sarama.RecordHeader, len(rec.Headers))
		for i, h := range rec.Headers {
			v, err := headerBytes(h)
			if err != nil {
				return nil, 0, fmt.Errorf("converting header %s: %w", h.Key, err)
			}
			msg.Headers[i] = sarama.RecordHeader{Key: []byte(h.Key), Value: v}
		}
	}
	size := int64(len(key) + len(value))
	for _, h := range msg.Headers {
		size += int64(len(h.Key) + len(h.Value))
	}
	return msg, size, nil
}

// inFlight is the metadata the runner attaches to each produced message.
type inFlight struct {
	seq  uint64
	size int64
}

// headerBytes is Kafka Connect's SimpleHeaderConverter for the header values
// connectors emit: strings as UTF-8, bytes as-is, nil as a null header.
func headerBytes(h connect.Header) ([]byte, error) {
	switch v := h.Value.(type) {
	case nil:
		return nil, nil
	case string:
		return []byte(v), nil
	case []byte:
		return v, nil
	default:
		return nil, fmt.Errorf("unsupported header value type %T", v)
	}
}

// collectAcks consumes the producer's successes and errors until both
// channels close (after AsyncClose). The first error is reported through fail
// at once, so the task stops; later results are drained so the producer can
// close.
func (r *SourceTaskRunner) collectAcks(fail func(error)) {
	successes, errs := r.cfg.Producer.Successes(), r.cfg.Producer.Errors()
	failed := false
	for successes != nil || errs != nil {
		select {
		case msg, ok := <-successes:
			if !ok {
				successes = nil
				continue
			}
			m := msg.Metadata.(inFlight)
			r.tracker.ack(m.seq)
			r.bytes.release(m.size)
			<-r.slots
		case perr, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if !failed {
				r.log.Warn("a record could not be produced; failing the task", "topic", perr.Msg.Topic, "error", perr.Err)
				failed = true
				// Set the cause before waking waiters on the tracker.
				err := fmt.Errorf("producing to topic %s: %w", perr.Msg.Topic, perr.Err)
				if kafkaclient.IsRetriable(perr.Err) {
					// Kafka is unreachable: the restarted task re-reads
					// from the committed offsets, which never pass this
					// record.
					err = connect.Retriable(err)
				}
				fail(err)
			}
			r.tracker.fail()
			r.bytes.release(perr.Msg.Metadata.(inFlight).size)
			<-r.slots
		}
	}
}

// waitDrained blocks until no record is in flight, or fails if a record
// could not be produced or ctx ends first.
func (r *SourceTaskRunner) waitDrained(ctx context.Context) error {
	for {
		changed := r.tracker.changed() // taken before the checks, so no wake-up is missed
		if r.tracker.failed() {
			return errors.New("a record could not be produced")
		}
		if n := r.tracker.inFlight(); n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d in-flight records to be acknowledged: %w", r.tracker.inFlight(), ctx.Err())
		case <-changed:
		}
	}
}

// flush writes the newest fully-acknowledged offset of every source partition
// and, once durable, tells the task.
func (r *SourceTaskRunner) flush(ctx context.Context) error {
	r.commitM.Lock()
	defer r.commitM.Unlock()
	for _, p := range r.tracker.takeCommittable() {
		if err := r.cfg.Offsets.Put(ctx, r.cfg.ID.Connector, p.partition, p.offset); err != nil {
			err = fmt.Errorf("writing offsets: %w", err)
			if kafkaclient.IsRetriable(err) {
				err = connect.Retriable(err)
			}
			return err
		}
		if err := r.cfg.Task.Commit(ctx, p.partition, p.offset); err != nil {
			return fmt.Errorf("committing offsets to the task: %w", err)
		}
	}
	return nil
}

type taskContext struct {
	connector string
	offsets   offsetReader
	log       *slog.Logger
}

// offsetReader is what a task's context needs of the offset store.
type offsetReader interface {
	Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error)
}

func (t *taskContext) Offset(ctx context.Context, partition map[string]any) (map[string]any, error) {
	return t.offsets.Get(ctx, t.connector, partition)
}

func (t *taskContext) Logger() *slog.Logger { return t.log }

// partitionKey returns a stable identity for a source partition map. Tasks
// usually reuse one map for every record, so the last encoding is cached by
// map identity.
type partitionKeyer struct {
	last    reflect.Value
	lastKey string
}

func (k *partitionKeyer) key(m map[string]any) string {
	v := reflect.ValueOf(m)
	if k.last.IsValid() && v.UnsafePointer() == k.last.UnsafePointer() {
		return k.lastKey
	}
	b, err := json.Marshal(m) // sorted keys: stable
	if err != nil {
		b = fmt.Appendf(nil, "%v", m)
	}
	k.last, k.lastKey = v, string(b)
	return k.lastKey
}
