package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/membudget"
	"github.com/tributary-cdc/tributary/schema"
)

// Converter turns a Connect value into record bytes (Kafka Connect's
// Converter.fromConnectData).
type Converter interface {
	FromConnect(topic string, s *schema.Schema, v any) ([]byte, error)
}

// AppendConverter is a Converter that can write a record into a buffer of
// the caller's: AppendConnect appends what FromConnect would return to dst
// and returns the extended buffer (dst's array, or a new one when dst was
// too small, which the caller then owns), or nil for a Kafka null, whatever
// dst. The runners write each record into buffers they reuse once the
// producer is done with the message, so that converting a record allocates
// nothing.
type AppendConverter interface {
	Converter
	AppendConnect(dst []byte, topic string, s *schema.Schema, v any) ([]byte, error)
}

// OffsetStore is the durable offset storage the runner writes to.
type OffsetStore interface {
	Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error)
	Put(ctx context.Context, connector string, partition, offset map[string]any) error
}

// TopicCreator makes sure a topic exists before the task's first record to
// it: it creates the topic, or checks that Kafka has it. Its errors name the
// topic; a connect.RetriableError means Kafka could not be reached.
type TopicCreator interface {
	EnsureTopic(ctx context.Context, topic string) error
}

// SourceTaskConfig is everything a SourceTaskRunner needs.
type SourceTaskConfig struct {
	ID     connect.TaskID
	Task   connect.SourceTask
	Config map[string]string // the task config handed to Task.Start

	// Transforms are the connector's transformations, applied in order to
	// each polled record before conversion.
	Transforms []connect.Transformation

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
	// Budget, when set, is the worker's memory budget: while the task runs
	// it holds a share of it, from which both its in-flight window and
	// what the task itself holds (connect.MemoryAccounter) are taken.
	Budget *membudget.Budget

	// Errors is the connector's errors.* configuration; ErrorMetrics, if
	// set, counts the failures (else the runner keeps its own).
	Errors       ErrorHandling
	ErrorMetrics *ErrorMetrics

	Logger *slog.Logger
}

// SourceTaskRunner drives one source task.
type SourceTaskRunner struct {
	cfg SourceTaskConfig
	log *slog.Logger

	tracker *ackTracker // the records in flight, and the window bounding them
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
		tracker: newAckTracker(cfg.MaxInFlight, cfg.MaxInFlightBytes),
		conv: newRecordConverter(cfg.KeyConverter, cfg.ValueConverter, cfg.Topics,
			newOperator(cfg.Errors, cfg.ID, cfg.Logger, cfg.ErrorMetrics)),
	}
}

// Run starts the task and runs it until ctx is cancelled (a clean stop,
// returning nil) or the task fails (returning the error). In both cases it
// shuts down in order before returning.
func (r *SourceTaskRunner) Run(ctx context.Context) error {
	tc := &taskContext{connector: r.cfg.ID.Connector, offsets: r.cfg.Offsets, log: r.log}
	if r.cfg.Budget != nil {
		// Closed when Run returns: whatever the task and the window still
		// hold goes back to the budget with it.
		tc.share = r.cfg.Budget.Share()
		defer tc.share.Close()
		r.tracker.mem = tc.share.Account()
	}
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
	go func() { // periodic offset flush, and prompt ones the task asks for
		defer wg.Done()
		t := time.NewTicker(r.cfg.FlushInterval)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
			case <-r.tracker.promptly:
			}
			if err := r.flush(runCtx); err != nil {
				if connect.IsRetriable(err) && runCtx.Err() == nil {
					// As Kafka Connect does: an offset commit that fails
					// because Kafka is unreachable is logged and made at
					// the next flush, with the offsets it did not write or
					// newer ones; the records keep flowing (the producer
					// waits for the broker on its own).
					r.log.Warn("committing offsets failed; retrying at the next flush", "error", err)
					continue
				}
				cancel(err)
				return
			}
		}
	}()

	pollErr := r.pollLoop(runCtx)
	if pollErr != nil && runCtx.Err() == nil {
		// The task's own error, even one that wraps a cancellation of
		// the task's making: a task that is not being stopped does not
		// end cleanly.
		cancel(pollErr)
	}

	// Phase 2: drain. Polling has stopped; wait for in-flight records to be
	// acknowledged, then write and commit the offsets they make safe. This
	// runs after a failure too: the acknowledged prefix is still safe, and
	// committing it spares duplicates after a restart.
	failure := context.Cause(runCtx)
	if ctx.Err() != nil && failure == context.Cause(ctx) {
		failure = nil // stopped: the cancellation is the caller's, not a failure
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

	return stopTask(r.cfg.Task, failure)
}

// stopTask stops the task after its run ended, with failure (nil for a
// clean stop), and returns the run's outcome.
func stopTask(task connect.SourceTask, failure error) error {
	stopErr := task.Stop()
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
// in-flight window is full.
func (r *SourceTaskRunner) send(ctx context.Context, rec *connect.SourceRecord) error {
	// An offset-only record from the task asks for its position to be
	// acknowledged: it is committed as soon as the records before it are
	// in Kafka. One a transformation dropped waits for the next flush.
	requested := rec.Topic == ""
	out, size, err := r.conv.process(ctx, r.cfg.Transforms, rec)
	if err != nil {
		return err
	}
	if out == nil { // offset-only, dropped or skipped: acknowledged at once, committed in order
		r.tracker.ack(r.tracker.add(rec.SourcePartition, rec.SourceOffset, requested))
		return nil
	}
	seq, err := r.tracker.admit(ctx, rec.SourcePartition, rec.SourceOffset, size)
	if err != nil {
		r.conv.release(out)
		return err
	}
	out.seq = seq
	select {
	case r.cfg.Producer.Input() <- &out.msg:
		// From now on the message is the producer's until it comes back on
		// Successes or Errors (collectAcks), where it is released.
		return nil
	case <-ctx.Done():
		// Never handed to the producer: forget it. Its offset and those of
		// the records after it are never committed, so it is re-read after
		// a restart.
		r.tracker.dropLast(seq)
		r.conv.release(out)
		return ctx.Err()
	}
}

// recordConverter turns source records into producer messages, readying
// each topic (TopicCreator) before its first record. It is used by one
// goroutine, except release, which any goroutine may call.
type recordConverter struct {
	key, value Converter
	topics     TopicCreator
	created    map[string]bool
	headers    headerCache
	op         *operator // the errors.* handling of each stage
	// free holds the released messages (*outMessage), with the buffers
	// their key and value were written into. A sync.Pool, not a list of
	// the task's own: what a burst leaves behind goes back to the heap
	// after a garbage collection or two instead of staying with the task.
	free sync.Pool
}

func newRecordConverter(key, value Converter, topics TopicCreator, op *operator) *recordConverter {
	if op == nil {
		op = newOperator(ErrorHandling{}, connect.TaskID{}, nil, nil)
	}
	return &recordConverter{key: key, value: value, topics: topics, created: make(map[string]bool), op: op}
}

// outMessage is a producer message together with what its interface fields
// point to, so that a record costs one allocation at most instead of one
// each for the message, the boxed key, the boxed value and the metadata
// (the message's Metadata is the outMessage itself). *sarama.ByteEncoder
// is an Encoder with the same bytes as ByteEncoder.
//
// Messages are reused: once nothing can read one any more, release gives
// it back with keyBuf and valueBuf, the buffers an AppendConverter wrote
// its key and value into, and the next records are written into them. That
// is when the producer has returned it on Successes or Errors (sarama
// holds no reference to a message it has returned: its request was encoded
// into a buffer of its own before the response came, and a retried message
// is returned once, after its last attempt), or, for a transactional
// producer that returns no successes, when its transaction has committed
// (CommitTxn waits for every message of the transaction).
type outMessage struct {
	msg              sarama.ProducerMessage
	key, value       sarama.ByteEncoder
	keyBuf, valueBuf []byte

	// seq is the record's sequence number in the ack tracker, which also
	// holds its size.
	seq uint64
	// partition is the record's own partition, when chosen (a
	// transformation's): kafkaclient's partitioner uses it.
	partition int32
	chosen    bool
}

// ChosenPartition implements kafkaclient.PartitionChooser.
func (m *outMessage) ChosenPartition() (int32, bool) { return m.partition, m.chosen }

// reuseSlack: a buffer that held a record of n bytes is reused if its
// capacity is at most n + n/4 + reuseSlack. The in-flight window and the
// memory budget count records by their length, so a reused buffer may hold
// only a little more than that; one grown by a rare large record is left
// to the collector once a small record has been written into it.
const reuseSlack = 256

// get returns a message to fill: a released one, with its buffers, or a
// new one.
func (c *recordConverter) get() *outMessage {
	if out, ok := c.free.Get().(*outMessage); ok {
		return out
	}
	return new(outMessage)
}

// release gives out back for reuse. Its caller guarantees that nothing
// reads it any more (see outMessage): a message released while the
// producer still holds it would have its bytes overwritten by a later
// record.
func (c *recordConverter) release(out *outMessage) {
	keyBuf, valueBuf := reusable(out.keyBuf, len(out.key)), reusable(out.valueBuf, len(out.value))
	*out = outMessage{keyBuf: keyBuf, valueBuf: valueBuf}
	c.free.Put(out)
}

// reusable returns buf emptied if it is worth reusing after holding a
// record of n bytes, else nil.
func reusable(buf []byte, n int) []byte {
	if cap(buf) > n+n/4+reuseSlack {
		return nil
	}
	return buf[:0]
}

// convert is conv.FromConnect, written into *buf when conv can append;
// *buf is then the buffer holding the record.
func convert(conv Converter, buf *[]byte, topic string, s *schema.Schema, v any) ([]byte, error) {
	a, ok := conv.(AppendConverter)
	if !ok {
		return conv.FromConnect(topic, s, v)
	}
	b, err := a.AppendConnect((*buf)[:0], topic, s, v)
	if cap(b) > cap(*buf) {
		*buf = b[:0]
	}
	return b, err
}

// process transforms rec in place and converts it, each stage under c.op:
// it returns the message and its size in bytes (keys, values and headers),
// or no message when rec is (or has become) offset-only: a record the task
// returned without a topic, one a transformation dropped, or one op
// skipped after a failure, which keeps only its source partition and
// offset so that they are committed in order.
func (c *recordConverter) process(ctx context.Context, chain []connect.Transformation, rec *connect.SourceRecord) (*outMessage, int64, error) {
	op := c.op
	original := *rec // as polled, for the error log
	skip, err := transformOp(ctx, chain, op, rec, original)
	if err != nil {
		return nil, 0, err
	}
	if !skip && rec.Topic != "" {
		out, size, skip, err := c.message(ctx, op, rec, original)
		if err != nil || !skip {
			return out, size, err
		}
	}
	*rec = connect.SourceRecord{SourcePartition: original.SourcePartition, SourceOffset: original.SourceOffset}
	return nil, 0, nil
}

// message converts rec (which has a topic), its headers, key and value each
// under op (the order of Kafka Connect's convertTransformedRecord), and
// returns the message and its size in bytes (keys, values and headers), or
// skip. The error log shows original, the record as polled.
func (c *recordConverter) message(ctx context.Context, op *operator, rec *connect.SourceRecord, original connect.SourceRecord) (_ *outMessage, _ int64, skip bool, _ error) {
	if !c.created[rec.Topic] {
		if err := c.topics.EnsureTopic(ctx, rec.Topic); err != nil {
			return nil, 0, false, err
		}
		c.created[rec.Topic] = true
	}
	headers, headerSize, err := c.headers.convert(rec.Headers)
	for a := op.begin(); err != nil; {
		if retry, skip, err := op.failed(ctx, stageHeaderConverter, headerConverterClass, original, &a, err); !retry {
			return nil, 0, skip, err
		}
		headers, headerSize, err = c.headers.convert(rec.Headers)
	}
	out := c.get()
	if skip, err := c.convertKeyValue(ctx, op, rec, original, out); skip || err != nil {
		c.release(out)
		return nil, 0, skip, err
	}
	out.msg = sarama.ProducerMessage{Topic: rec.Topic, Timestamp: createTime(rec.Timestamp), Headers: headers}
	if out.key != nil {
		out.msg.Key = &out.key
	}
	if out.value != nil {
		out.msg.Value = &out.value
	}
	if rec.Partition != nil {
		out.partition, out.chosen = *rec.Partition, true
	}
	out.msg.Metadata = out // a pointer: boxing it allocates nothing
	return out, int64(len(out.key)+len(out.value)) + headerSize, false, nil
}

// convertKeyValue converts rec's key and then its value into out, each
// under op, or returns skip or the error.
func (c *recordConverter) convertKeyValue(ctx context.Context, op *operator, rec *connect.SourceRecord, original connect.SourceRecord, out *outMessage) (skip bool, _ error) {
	var err error
	out.key, err = convert(c.key, &out.keyBuf, rec.Topic, rec.KeySchema, rec.Key)
	for a := op.begin(); err != nil; {
		err = fmt.Errorf("converting key for topic %s: %w", rec.Topic, err)
		if retry, skip, err := op.failed(ctx, stageKeyConverter, op.cfg.KeyConverterClass, original, &a, err); !retry {
			return skip, err
		}
		out.key, err = convert(c.key, &out.keyBuf, rec.Topic, rec.KeySchema, rec.Key)
	}
	out.value, err = convert(c.value, &out.valueBuf, rec.Topic, rec.ValueSchema, rec.Value)
	for a := op.begin(); err != nil; {
		err = fmt.Errorf("converting value for topic %s: %w", rec.Topic, err)
		if retry, skip, err := op.failed(ctx, stageValueConverter, op.cfg.ValueConverterClass, original, &a, err); !retry {
			return skip, err
		}
		out.value, err = convert(c.value, &out.valueBuf, rec.Topic, rec.ValueSchema, rec.Value)
	}
	return false, nil
}

// createTime is the Kafka timestamp of a record with timestamp ts, taken
// as the record is handed to the producer. A record without one is stamped
// now, as Kafka's producer stamps it when KafkaProducer.send is called,
// before the record waits for buffer memory or for the request in flight.
// sarama would stamp it only when adding it to a batch, after that wait,
// so a CreateTime would tell when the producer got round to the record
// rather than when Kafka Connect would have stamped it.
func createTime(ts time.Time) time.Time {
	if ts.IsZero() {
		return time.Now()
	}
	return ts
}

// headerCache converts record headers, remembering the converted form of
// the last header list. Connectors attach the same context headers to every
// record (Debezium's __debezium.context.*), so converting them once and
// letting every message share the result saves two allocations per header
// per record. Only string and null values are remembered: they cannot change
// behind the cache's back, while a []byte could.
type headerCache struct {
	entries []headerEntry // by position in the last header list
	// last is the converted list of entries, shared read-only by every
	// message whose headers equal it (sarama only reads them). Its capacity
	// is its length, so an append by anyone copies.
	last     []sarama.RecordHeader
	lastSize int64
}

type headerEntry struct {
	key   string
	value string
	null  bool
	out   sarama.RecordHeader
}

func (e *headerEntry) matches(h connect.Header) bool {
	if h.Key != e.key {
		return false
	}
	switch v := h.Value.(type) {
	case nil:
		return e.null
	case string:
		return !e.null && v == e.value
	}
	return false
}

// convert returns the producer headers of hs and their size in bytes (keys
// and values).
func (c *headerCache) convert(hs []connect.Header) ([]sarama.RecordHeader, int64, error) {
	if len(hs) == 0 {
		return nil, 0, nil
	}
	if len(hs) == len(c.entries) && c.last != nil && c.matchesAll(hs) {
		return c.last, c.lastSize, nil
	}
	out := make([]sarama.RecordHeader, len(hs))
	var size int64
	cacheable := true
	for i, h := range hs {
		if i < len(c.entries) && c.entries[i].matches(h) {
			out[i] = c.entries[i].out
		} else {
			v, err := headerBytes(h)
			if err != nil {
				return nil, 0, fmt.Errorf("converting header %s: %w", h.Key, err)
			}
			out[i] = sarama.RecordHeader{Key: []byte(h.Key), Value: v}
		}
		size += int64(len(out[i].Key) + len(out[i].Value))
		switch h.Value.(type) {
		case nil, string:
		default:
			cacheable = false
		}
	}
	if !cacheable {
		return out, size, nil
	}
	if cap(c.entries) < len(hs) {
		c.entries = make([]headerEntry, len(hs))
	}
	c.entries = c.entries[:len(hs)]
	for i, h := range hs {
		e := headerEntry{key: h.Key, null: h.Value == nil, out: out[i]}
		if s, ok := h.Value.(string); ok {
			e.value = s
		}
		c.entries[i] = e
	}
	c.last, c.lastSize = out, size
	return out, size, nil
}

func (c *headerCache) matchesAll(hs []connect.Header) bool {
	for i := range hs {
		if !c.entries[i].matches(hs[i]) {
			return false
		}
	}
	return true
}

// headerBytes is Kafka Connect's SimpleHeaderConverter: strings as UTF-8,
// nil as a null header, and any other Connect value (the numbers, structs
// and dates that HeaderFrom copies from a record) as Values.convertToString
// writes it. Bytes pass as they are.
func headerBytes(h connect.Header) ([]byte, error) {
	switch v := h.Value.(type) {
	case nil:
		return nil, nil
	case string:
		return []byte(v), nil
	case []byte:
		return v, nil
	default:
		s, err := schema.ValueString(v)
		if err != nil {
			return nil, err
		}
		return []byte(s), nil
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
			out := msg.Metadata.(*outMessage)
			r.tracker.ack(out.seq)
			r.conv.release(out)
		case perr, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if !failed {
				// Make the records behind this one fail too, rather than be
				// written after it once the broker is back (see
				// kafkaclient.Producer).
				if a, ok := r.cfg.Producer.(interface{ Abort() }); ok {
					a.Abort()
				}
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
			out := perr.Msg.Metadata.(*outMessage)
			r.tracker.fail(out.seq)
			r.conv.release(out)
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
// and, once durable, tells the task. Offsets it does not get to write are
// kept for the next flush (the periodic one after a retriable failure, or
// the final one at shutdown), unless a newer offset of their partition has
// become committable meanwhile; as Kafka Connect's WorkerSourceTask keeps
// them in its OffsetStorageWriter until a flush succeeds. Without that, an
// idle partition's last offset would never be written after one failed
// write, and the task never told (a PostgreSQL slot would stop advancing).
func (r *SourceTaskRunner) flush(ctx context.Context) error {
	r.commitM.Lock()
	defer r.commitM.Unlock()
	offsets := r.tracker.takeCommittable()
	for i, p := range offsets {
		if err := r.cfg.Offsets.Put(ctx, r.cfg.ID.Connector, p.partition, p.offset); err != nil {
			r.tracker.restore(offsets[i:])
			err = fmt.Errorf("writing offsets: %w", err)
			if kafkaclient.IsRetriable(err) {
				err = connect.Retriable(err)
			}
			return err
		}
		if err := r.cfg.Task.Commit(ctx, p.partition, p.offset); err != nil {
			r.tracker.restore(offsets[i+1:])
			return fmt.Errorf("committing offsets to the task: %w", err)
		}
	}
	return nil
}

var (
	_ connect.TopicReaderOpener = (*taskContext)(nil)
	_ connect.MemoryAccounter   = (*taskContext)(nil)
)

type taskContext struct {
	connector string
	offsets   offsetReader
	log       *slog.Logger
	share     *membudget.Share // nil without a worker budget
}

// MemoryAccount implements connect.MemoryAccounter: an account of the
// task's share of the worker's budget, nil when the worker has none.
func (t *taskContext) MemoryAccount() connect.MemoryAccount {
	if t.share == nil {
		return nil
	}
	return t.share.Account()
}

// offsetReader is what a task's context needs of the offset store.
type offsetReader interface {
	Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error)
}

func (t *taskContext) Offset(ctx context.Context, partition map[string]any) (map[string]any, error) {
	return t.offsets.Get(ctx, t.connector, partition)
}

func (t *taskContext) Logger() *slog.Logger { return t.log }

// OpenTopicReader implements connect.TopicReaderOpener: a reader with the
// task's logger and a client of its own, which the task closes.
func (t *taskContext) OpenTopicReader(_ context.Context, spec connect.TopicReaderSpec) (connect.TopicReader, error) {
	return kafkaclient.OpenPartitionReader(spec, t.log)
}
