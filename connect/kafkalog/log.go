package kafkalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// ErrClosed is returned by operations on a Log that has been closed.
var ErrClosed = errors.New("kafka log closed")

// recordBuffer bounds the records handed from the partition consumers to the
// goroutine that calls OnRecord.
const recordBuffer = 256

// fetchMaxWait is how long a fetch waits at the broker for new records.
const fetchMaxWait = 100 * time.Millisecond

// Config describes the topic a Log reads and writes.
type Config struct {
	Brokers []string
	Topic   string
	// Partitions and ReplicationFactor are used when the topic has to be
	// created (-1 replication factor = broker default). An existing topic is
	// used with the partitions it has.
	Partitions        int32
	ReplicationFactor int16
	// ClientConfig returns a fresh configuration for each of the log's
	// clients, with the worker's security for internal clients
	// (kafkaclient.NewClientConfig); nil is kafkaclient.NewConfig(ClientID).
	ClientConfig func() *sarama.Config
	ClientID     string
	Logger       *slog.Logger
	// OnRecord receives every record, in offset order per partition, from a
	// single goroutine. A nil value is a tombstone. The slices are not
	// reused by the Log, so OnRecord may keep them.
	OnRecord func(key, value []byte)
	// ReadCommitted reads with read_committed isolation: records of open
	// or aborted transactions never reach OnRecord, and ReadToEnd reads up
	// to the last stable offset. Exactly-once source tasks write offsets
	// in transactions, so their offsets topic must be read this way.
	ReadCommitted bool
}

// position is where a record landed in the topic.
type position struct {
	Partition int32
	Offset    int64
}

// Log is a compacted topic read to its end and then tailed.
type Log struct {
	topic     string
	onRecord  func(key, value []byte)
	logger    *slog.Logger
	isolation sarama.IsolationLevel

	// client serves metadata, admin requests, offset listing and the
	// producer; fetchClient serves only the consumer. They are separate
	// because a fetch long-polls its connection, and with one request in
	// flight per connection a write would queue behind it.
	client      sarama.Client
	fetchClient sarama.Client
	admin       sarama.ClusterAdmin
	producer    sarama.AsyncProducer
	consumer    sarama.Consumer
	pcs         []sarama.PartitionConsumer

	records chan *sarama.ConsumerMessage
	closing chan struct{}

	// sendMu guards sends to the producer's input against Close closing it.
	sendMu sync.RWMutex

	mu      sync.Mutex
	next    []int64 // per partition: offset of the next record OnRecord will see
	waiters []*waiter
	err     error // fatal tailing error

	tailers   sync.WaitGroup // partition forwarders and the dispatcher
	results   sync.WaitGroup // producer result reader
	closeOnce sync.Once
	closeErr  error
}

// waiter is a ReadToEnd (or a send waiting to be applied) in progress.
type waiter struct {
	targets []int64 // per partition; -1 = nothing to wait for
	pending int     // partitions whose target is not reached yet
	done    chan struct{}
}

type sendResult struct {
	pos position
	err error
}

// Open ensures the topic exists (compacted), reads every partition to its end
// and starts tailing it.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("opening kafka log: no brokers")
	}
	if cfg.Topic == "" {
		return nil, errors.New("opening kafka log: no topic")
	}
	if cfg.OnRecord == nil {
		return nil, fmt.Errorf("opening kafka log %q: no OnRecord", cfg.Topic)
	}
	if cfg.Partitions < 1 {
		cfg.Partitions = 1
	}
	if cfg.ReplicationFactor == 0 {
		cfg.ReplicationFactor = -1
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{
		topic:    cfg.Topic,
		onRecord: cfg.OnRecord,
		logger:   logger.With("topic", cfg.Topic),
		records:  make(chan *sarama.ConsumerMessage, recordBuffer),
		closing:  make(chan struct{}),
	}
	if cfg.ReadCommitted {
		l.isolation = sarama.ReadCommitted
	}
	if err := l.open(ctx, cfg); err != nil {
		_ = l.Close() // the open error is the one to report
		return nil, fmt.Errorf("opening kafka log %q: %w", cfg.Topic, err)
	}
	return l, nil
}

func (l *Log) open(ctx context.Context, cfg Config) error {
	newConfig := cfg.ClientConfig
	if newConfig == nil {
		newConfig = func() *sarama.Config { return kafkaclient.NewConfig(cfg.ClientID) }
	}
	var err error
	l.client, err = sarama.NewClient(cfg.Brokers, newConfig())
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	fetchCfg := newConfig()
	// Internal topics are quiet; a short long-poll costs a few idle fetches
	// a second and bounds how long Close waits for the consumer to stop.
	fetchCfg.Consumer.MaxWaitTime = fetchMaxWait
	fetchCfg.Consumer.IsolationLevel = l.isolation
	l.fetchClient, err = sarama.NewClient(cfg.Brokers, fetchCfg)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	l.admin, err = sarama.NewClusterAdminFromClient(l.client)
	if err != nil {
		return fmt.Errorf("creating admin client: %w", err)
	}
	err = kafkaclient.EnsureTopic(ctx, l.admin, cfg.Topic, cfg.Partitions, cfg.ReplicationFactor,
		map[string]string{"cleanup.policy": "compact"})
	if err != nil {
		return err
	}
	if err := l.checkCompacted(); err != nil {
		return err
	}
	if err := l.client.RefreshMetadata(cfg.Topic); err != nil {
		return fmt.Errorf("reading metadata: %w", err)
	}
	parts, err := l.client.Partitions(cfg.Topic)
	if err != nil {
		return fmt.Errorf("listing partitions: %w", err)
	}
	slices.Sort(parts)
	for i, p := range parts {
		if p != int32(i) {
			return fmt.Errorf("listing partitions: unexpected partition set %v", parts)
		}
	}
	l.next = make([]int64, len(parts))

	l.producer, err = sarama.NewAsyncProducerFromClient(l.client)
	if err != nil {
		return fmt.Errorf("creating producer: %w", err)
	}
	l.results.Add(1)
	go l.readResults()

	l.consumer, err = sarama.NewConsumerFromClient(l.fetchClient)
	if err != nil {
		return fmt.Errorf("creating consumer: %w", err)
	}
	for _, p := range parts {
		pc, err := l.consumer.ConsumePartition(cfg.Topic, p, sarama.OffsetOldest)
		if err != nil {
			return fmt.Errorf("consuming partition %d: %w", p, err)
		}
		l.pcs = append(l.pcs, pc)
	}
	for _, pc := range l.pcs {
		l.tailers.Add(1)
		go l.forward(pc)
	}
	l.tailers.Add(1)
	go l.dispatch()

	return l.ReadToEnd(ctx)
}

// checkCompacted refuses a topic whose cleanup policy is not exactly
// "compact", as Kafka Connect does: with deletion, old connector configs and
// offsets would silently disappear.
func (l *Log) checkCompacted() error {
	entries, err := kafkaclient.TopicConfig(l.admin, l.topic, "cleanup.policy")
	if err != nil {
		return fmt.Errorf("describing topic config: %w", err)
	}
	for _, e := range entries {
		if e.Name == "cleanup.policy" && strings.TrimSpace(e.Value) != "compact" {
			return fmt.Errorf("checking topic: cleanup.policy is %q, it must be \"compact\"", e.Value)
		}
	}
	return nil
}

// Partitions is the number of partitions of the topic.
func (l *Log) Partitions() int32 { return int32(len(l.next)) }

// forward moves one partition's records to the dispatcher. It owns nothing;
// Close stops it through l.closing.
func (l *Log) forward(pc sarama.PartitionConsumer) {
	defer l.tailers.Done()
	msgs, errs := pc.Messages(), pc.Errors()
	var lastErr error
	for {
		select {
		case msg, ok := <-msgs:
			if !ok {
				select {
				case <-l.closing:
				default:
					l.fail(fmt.Errorf("consuming: partition consumer stopped: %w", lastErr))
				}
				return
			}
			select {
			case l.records <- msg:
			case <-l.closing:
				return
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			// sarama retries by itself; a consumer that gives up closes
			// its message channel, which is handled above.
			lastErr = err
			l.logger.Warn("consuming internal topic", "error", err)
		case <-l.closing:
			return
		}
	}
}

// dispatch calls OnRecord for every record, from this one goroutine.
func (l *Log) dispatch() {
	defer l.tailers.Done()
	for {
		select {
		case msg := <-l.records:
			l.onRecord(msg.Key, msg.Value)
			l.advance(msg.Partition, msg.Offset+1)
		case <-l.closing:
			return
		}
	}
}

func (l *Log) advance(partition int32, next int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	prev := l.next[partition]
	if next <= prev {
		return
	}
	l.next[partition] = next
	if len(l.waiters) == 0 {
		return
	}
	kept := l.waiters[:0]
	for _, w := range l.waiters {
		if t := w.targets[partition]; t >= 0 && prev < t && next >= t {
			w.pending--
		}
		if w.pending == 0 {
			close(w.done)
			continue
		}
		kept = append(kept, w)
	}
	clear(l.waiters[len(kept):])
	l.waiters = kept
}

// fail records a fatal tailing error and releases every waiter.
func (l *Log) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = err
	}
	for _, w := range l.waiters {
		close(w.done)
	}
	l.waiters = nil
}

// wait blocks until every partition has been applied up to targets.
func (l *Log) wait(ctx context.Context, targets []int64) error {
	w := &waiter{targets: targets, done: make(chan struct{})}
	l.mu.Lock()
	if l.err != nil {
		err := l.err
		l.mu.Unlock()
		return err
	}
	for p, t := range targets {
		if t >= 0 && l.next[p] < t {
			w.pending++
		}
	}
	if w.pending == 0 {
		l.mu.Unlock()
		return nil
	}
	l.waiters = append(l.waiters, w)
	l.mu.Unlock()

	// The consumer delivers no transaction markers (and, read_committed,
	// no aborted records), so a partition that ends with them never shows
	// its applied position reaching the target. While waiting, look at what
	// lies between the applied position and the target and skip it when
	// nothing there can be delivered.
	probe := time.NewTimer(fetchMaxWait / 2)
	defer probe.Stop()
	for {
		select {
		case <-w.done:
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.err
		case <-ctx.Done():
			l.removeWaiter(w)
			return ctx.Err()
		case <-l.closing:
			l.removeWaiter(w)
			return ErrClosed
		case <-probe.C:
			if err := l.skipUndeliverable(targets); err != nil {
				l.logger.Warn("looking for transaction markers at the end of the topic", "error", err)
			}
			probe.Reset(fetchMaxWait)
		}
	}
}

// skipUndeliverable advances the applied position of every partition short
// of its target over records the consumer will never deliver: transaction
// control batches and, read_committed, batches of aborted transactions.
// Kafka's Java consumer does the same by reporting its fetch position.
func (l *Log) skipUndeliverable(targets []int64) error {
	l.mu.Lock()
	next := slices.Clone(l.next)
	l.mu.Unlock()
	for p, t := range targets {
		if t < 0 || next[p] >= t {
			continue
		}
		end, err := l.undeliverableUntil(int32(p), next[p], t)
		if err != nil {
			return err
		}
		if end > next[p] {
			l.advance(int32(p), end)
		}
	}
	return nil
}

// undeliverableUntil fetches partition from offset from and returns the
// offset up to which (at most target) it holds no deliverable record.
func (l *Log) undeliverableUntil(partition int32, from, target int64) (int64, error) {
	b, err := l.client.Leader(l.topic, partition)
	if err != nil {
		return from, fmt.Errorf("finding leader of partition %d: %w", partition, err)
	}
	req := &sarama.FetchRequest{Version: 4, MaxWaitTime: 0, MinBytes: 0, MaxBytes: 1 << 20, Isolation: l.isolation}
	req.AddBlock(l.topic, partition, from, 1<<20, -1)
	resp, err := b.Fetch(req)
	if err != nil {
		return from, fmt.Errorf("fetching partition %d: %w", partition, err)
	}
	block := resp.GetBlock(l.topic, partition)
	if block == nil {
		return from, fmt.Errorf("fetching partition %d: %w", partition, sarama.ErrIncompleteResponse)
	}
	if !errors.Is(block.Err, sarama.ErrNoError) {
		return from, fmt.Errorf("fetching partition %d: %w", partition, block.Err)
	}
	aborted := slices.Clone(block.AbortedTransactions)
	slices.SortFunc(aborted, func(a, b *sarama.AbortedTransaction) int { return int(a.FirstOffset - b.FirstOffset) })
	abortedPIDs := map[int64]bool{}
	end := from
	for _, rs := range block.RecordsSet {
		batch := rs.RecordBatch
		if batch == nil || batch.PartialTrailingRecord {
			return end, nil // legacy or incomplete: leave it to the consumer
		}
		if batch.LastOffset() < end {
			continue
		}
		if batch.FirstOffset >= target {
			return target, nil
		}
		for len(aborted) > 0 && aborted[0].FirstOffset <= batch.LastOffset() {
			abortedPIDs[aborted[0].ProducerID] = true
			aborted = aborted[1:]
		}
		switch {
		case batch.Control:
			// An abort marker ends that producer's aborted transaction.
			delete(abortedPIDs, batch.ProducerID)
		case l.isolation == sarama.ReadCommitted && batch.IsTransactional && abortedPIDs[batch.ProducerID]:
		default:
			return end, nil // a deliverable record: the consumer will report it
		}
		end = min(batch.LastOffset()+1, target)
	}
	if len(block.RecordsSet) == 0 {
		return target, nil // compacted away: nothing left to deliver
	}
	return end, nil
}

func (l *Log) removeWaiter(w *waiter) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := slices.Index(l.waiters, w); i >= 0 {
		l.waiters = slices.Delete(l.waiters, i, i+1)
	}
}

// ReadToEnd returns once every record up to the end offsets taken at call
// time has gone through OnRecord.
func (l *Log) ReadToEnd(ctx context.Context) error {
	targets, err := l.endOffsets()
	if err != nil {
		return fmt.Errorf("reading %q to its end: %w", l.topic, err)
	}
	if err := l.wait(ctx, targets); err != nil {
		return fmt.Errorf("reading %q to its end: %w", l.topic, err)
	}
	return nil
}

// endOffsets returns, per partition, the offset the tail must reach, or -1
// when the partition holds no readable record.
func (l *Log) endOffsets() ([]int64, error) {
	select {
	case <-l.closing:
		return nil, ErrClosed
	default:
	}
	version := l.client.Config().Version
	byLeader := map[int32][]int32{}
	leaders := map[int32]*sarama.Broker{}
	for p := range l.next {
		b, err := l.client.Leader(l.topic, int32(p))
		if err != nil {
			return nil, fmt.Errorf("finding leader of partition %d: %w", p, err)
		}
		leaders[b.ID()] = b
		byLeader[b.ID()] = append(byLeader[b.ID()], int32(p))
	}
	targets := make([]int64, len(l.next))
	for id, parts := range byLeader {
		newest, err := l.listOffsets(leaders[id], version, parts, sarama.OffsetNewest)
		if err != nil {
			return nil, err
		}
		oldest, err := l.listOffsets(leaders[id], version, parts, sarama.OffsetOldest)
		if err != nil {
			return nil, err
		}
		for i, p := range parts {
			if newest[i] <= oldest[i] {
				targets[p] = -1
			} else {
				targets[p] = newest[i]
			}
		}
	}
	return targets, nil
}

func (l *Log) listOffsets(b *sarama.Broker, version sarama.KafkaVersion, parts []int32, which int64) ([]int64, error) {
	req := sarama.NewOffsetRequest(version)
	for _, p := range parts {
		req.AddBlock(l.topic, p, which, 1)
	}
	// read_committed, the newest offset is the last stable offset: records
	// of transactions still open are not waited for.
	req.IsolationLevel = l.isolation
	resp, err := b.GetAvailableOffsets(req)
	if err != nil {
		return nil, fmt.Errorf("listing offsets: %w", err)
	}
	out := make([]int64, len(parts))
	for i, p := range parts {
		block := resp.GetBlock(l.topic, p)
		if block == nil {
			return nil, fmt.Errorf("listing offsets of partition %d: %w", p, sarama.ErrIncompleteResponse)
		}
		if !errors.Is(block.Err, sarama.ErrNoError) {
			return nil, fmt.Errorf("listing offsets of partition %d: %w", p, block.Err)
		}
		if len(block.Offsets) != 1 {
			return nil, fmt.Errorf("listing offsets of partition %d: %d offsets returned", p, len(block.Offsets))
		}
		out[i] = block.Offsets[0]
	}
	return out, nil
}

// Send writes one record (value nil = tombstone), partitioned by murmur2 of
// the key, and returns once the broker has acknowledged it to all in-sync
// replicas.
func (l *Log) Send(ctx context.Context, key, value []byte) error {
	_, err := l.send(ctx, key, value)
	return err
}

// SendAndApply is Send followed by waiting until the record has gone through
// OnRecord, so that the writer's own view includes it.
func (l *Log) SendAndApply(ctx context.Context, key, value []byte) error {
	pos, err := l.send(ctx, key, value)
	if err != nil {
		return err
	}
	targets := make([]int64, len(l.next))
	for i := range targets {
		targets[i] = -1
	}
	targets[pos.Partition] = pos.Offset + 1
	if err := l.wait(ctx, targets); err != nil {
		return fmt.Errorf("reading back record written to %q: %w", l.topic, err)
	}
	return nil
}

func (l *Log) send(ctx context.Context, key, value []byte) (position, error) {
	res := make(chan sendResult, 1)
	msg := &sarama.ProducerMessage{Topic: l.topic, Metadata: res}
	if key != nil {
		msg.Key = sarama.ByteEncoder(key)
	}
	if value != nil {
		msg.Value = sarama.ByteEncoder(value)
	}
	if err := l.enqueue(ctx, msg); err != nil {
		return position{}, fmt.Errorf("writing to %q: %w", l.topic, err)
	}
	select {
	case r := <-res:
		if r.err != nil {
			return position{}, fmt.Errorf("writing to %q: %w", l.topic, r.err)
		}
		return r.pos, nil
	case <-ctx.Done():
		return position{}, fmt.Errorf("writing to %q: %w", l.topic, ctx.Err())
	}
}

func (l *Log) enqueue(ctx context.Context, msg *sarama.ProducerMessage) error {
	l.sendMu.RLock()
	defer l.sendMu.RUnlock()
	select {
	case <-l.closing:
		return ErrClosed
	default:
	}
	select {
	case l.producer.Input() <- msg:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-l.closing:
		return ErrClosed
	}
}

// readResults hands every acknowledgement or failure to the Send waiting for
// it. It ends when the producer has shut down and closed both channels.
func (l *Log) readResults() {
	defer l.results.Done()
	succ, errs := l.producer.Successes(), l.producer.Errors()
	for succ != nil || errs != nil {
		select {
		case msg, ok := <-succ:
			if !ok {
				succ = nil
				continue
			}
			msg.Metadata.(chan sendResult) <- sendResult{pos: position{Partition: msg.Partition, Offset: msg.Offset}}
		case perr, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if res, ok := perr.Msg.Metadata.(chan sendResult); ok {
				res <- sendResult{err: perr.Err}
			}
		}
	}
}

// Close stops tailing, flushes the producer and closes the clients. It
// waits for every goroutine of the Log.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		close(l.closing)
		l.tailers.Wait()
		var errs []error
		// Stop every partition consumer at once (each may wait for a fetch
		// long-poll), then drain them. What is left in their channels no
		// longer matters: tailing has stopped.
		for _, pc := range l.pcs {
			pc.AsyncClose()
		}
		for _, pc := range l.pcs {
			drain(pc)
		}
		if l.consumer != nil {
			if err := l.consumer.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing consumer: %w", err))
			}
		}
		l.sendMu.Lock() // no Send is between its closing check and the input channel
		if l.producer != nil {
			l.producer.AsyncClose()
			l.results.Wait()
		}
		l.sendMu.Unlock()
		for _, c := range []sarama.Client{l.client, l.fetchClient} {
			if c == nil {
				continue
			}
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing client: %w", err))
			}
		}
		if len(errs) > 0 {
			l.closeErr = fmt.Errorf("closing kafka log %q: %w", l.topic, errors.Join(errs...))
		}
	})
	return l.closeErr
}

// drain empties a closing partition consumer's channels until sarama closes
// both.
func drain(pc sarama.PartitionConsumer) {
	msgs, errs := pc.Messages(), pc.Errors()
	for msgs != nil || errs != nil {
		select {
		case _, ok := <-msgs:
			if !ok {
				msgs = nil
			}
		case _, ok := <-errs:
			if !ok {
				errs = nil
			}
		}
	}
}
