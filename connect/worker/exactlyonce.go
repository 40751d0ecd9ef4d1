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
)

// TransactionBoundary is a connector's transaction.boundary: what one
// transaction of an exactly-once source task holds.
type TransactionBoundary int

const (
	// BoundaryPoll commits one transaction per non-empty poll batch
	// (transaction.boundary=poll, Kafka Connect's default).
	BoundaryPoll TransactionBoundary = iota
	// BoundaryInterval commits, after a poll, once the transaction has been
	// open for the boundary interval (transaction.boundary=interval).
	BoundaryInterval
)

// maxReusedPerTxn is how many messages of a transaction are kept to be
// reused once it commits; later ones are left to the collector.
const maxReusedPerTxn = 4096

// TransactionalOffsetStore is the offset storage of an exactly-once task:
// offsets are read from it, and its records are written by the task's own
// transactional producer so that they commit with the records they cover.
// The store must read its topic read_committed, so that it never sees the
// offsets of an aborted transaction.
type TransactionalOffsetStore interface {
	Get(ctx context.Context, connector string, partition map[string]any) (map[string]any, error)
	// Topic is the offsets topic.
	Topic() string
	// Encode returns the offsets-topic record for a connector partition's
	// offset, in Kafka Connect's format.
	Encode(connector string, partition, offset map[string]any) (key, value []byte, err error)
}

// ExactlyOnceConfig is everything an ExactlyOnceRunner needs.
type ExactlyOnceConfig struct {
	ID     connect.TaskID
	Task   connect.SourceTask
	Config map[string]string
	// Transforms are applied to each polled record, as in SourceTaskConfig.
	Transforms []connect.Transformation

	KeyConverter   Converter
	ValueConverter Converter
	// Producer is the task's transactional producer, already initialised
	// (kafkaclient.NewTransactionalProducer), which fenced any zombie of
	// the task. Owned by the runner from now on: Run closes it.
	Producer sarama.AsyncProducer
	Offsets  TransactionalOffsetStore
	Topics   TopicCreator

	Boundary         TransactionBoundary
	BoundaryInterval time.Duration // transaction.boundary.interval.ms; default 60 s

	// Budget, when set, is the worker's memory budget: while the task runs
	// it holds a share of it, from which both the records of its open
	// transaction and what the task itself holds
	// (connect.MemoryAccounter) are taken.
	Budget *membudget.Budget

	// Errors and ErrorMetrics are as in SourceTaskConfig.
	Errors       ErrorHandling
	ErrorMetrics *ErrorMetrics

	Logger *slog.Logger
}

// ExactlyOnceRunner drives one source task with exactly-once delivery, as
// Kafka Connect's ExactlyOnceWorkerSourceTask does: the records of a
// transaction and the offsets that cover them are written by one
// transactional producer and committed together; only after the commit is
// the task told (SourceTask.Commit). A commit that fails fails the task; a
// fenced producer (a newer instance of the task exists) fails it for good.
type ExactlyOnceRunner struct {
	cfg  ExactlyOnceConfig
	log  *slog.Logger
	conv *recordConverter

	// The open transaction.
	inTxn    bool
	txnStart time.Time
	pending  offsetSet // newest offset per source partition
	// sent are the transaction's messages, released once it commits.
	sent []*outMessage
	// mem is the open transaction's account in the worker's budget, nil
	// without one; held is what the transaction's records took from it.
	mem  connect.MemoryAccount
	held int64

	errMu    sync.Mutex
	firstErr error // first record the producer could not write
}

// NewExactlyOnceRunner returns a runner for cfg.
func NewExactlyOnceRunner(cfg ExactlyOnceConfig) *ExactlyOnceRunner {
	if cfg.BoundaryInterval <= 0 {
		cfg.BoundaryInterval = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &ExactlyOnceRunner{
		cfg: cfg,
		log: cfg.Logger,
		conv: newRecordConverter(cfg.KeyConverter, cfg.ValueConverter, cfg.Topics,
			newOperator(cfg.Errors, cfg.ID, cfg.Logger, cfg.ErrorMetrics)),
		pending: offsetSet{m: make(map[string]committable)},
	}
}

// Run starts the task and runs it until ctx is cancelled (a clean stop: the
// open transaction is committed, and Run returns nil) or it fails (the open
// transaction is aborted, and Run returns the error).
func (r *ExactlyOnceRunner) Run(ctx context.Context) error {
	tc := &taskContext{connector: r.cfg.ID.Connector, offsets: r.cfg.Offsets, log: r.log}
	if r.cfg.Budget != nil {
		// Closed when Run returns: whatever the task and the transaction
		// still hold goes back to the budget with it.
		tc.share = r.cfg.Budget.Share()
		defer tc.share.Close()
		r.mem = tc.share.Account()
	}
	if err := r.cfg.Task.Start(ctx, tc, r.cfg.Config); err != nil {
		stopErr := r.cfg.Task.Stop()
		closeErr := r.cfg.Producer.Close()
		if ctx.Err() != nil {
			return nil
		}
		return errors.Join(fmt.Errorf("starting task: %w", err), stopErr, closeErr)
	}

	var wg sync.WaitGroup
	wg.Go(r.collectErrors)

	failure := r.loop(ctx)
	// A clean stop commits what was polled, so the task's last records are
	// not produced again after a restart.
	if failure == nil && r.inTxn {
		failure = r.commit(context.WithoutCancel(ctx))
	}
	if failure != nil && r.inTxn && !kafkaclient.IsFenced(failure) {
		if err := r.cfg.Producer.AbortTxn(); err != nil {
			r.log.Warn("aborting the transaction of a failed task", "error", err)
		}
	}
	r.cfg.Producer.AsyncClose()
	wg.Wait()

	return stopTask(r.cfg.Task, failure)
}

func (r *ExactlyOnceRunner) loop(ctx context.Context) error {
	for {
		records, err := r.cfg.Task.Poll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("polling task: %w", err)
		}
		for i := range records {
			if err := r.send(ctx, &records[i]); err != nil {
				if ctx.Err() != nil {
					return nil // what was sent commits at the clean stop
				}
				return err
			}
		}
		if r.inTxn && (r.cfg.Boundary == BoundaryPoll || time.Since(r.txnStart) >= r.cfg.BoundaryInterval) {
			if err := r.commit(ctx); err != nil {
				return err
			}
		}
	}
}

// send adds one record to the open transaction, beginning one if needed.
// With a worker budget the record's bytes are taken from the task's share
// until the transaction commits; when the share is spent, the open
// transaction is committed first, which gives its bytes back: nothing else
// would, so waiting could only wedge the task.
func (r *ExactlyOnceRunner) send(ctx context.Context, rec *connect.SourceRecord) error {
	out, size, err := r.conv.process(ctx, r.cfg.Transforms, rec)
	if err != nil {
		return err
	}
	if r.mem != nil && out != nil {
		n := heldInWindow(nil, size)
		if ok, _ := r.mem.TryAcquire(n); !ok {
			if r.inTxn {
				if err := r.commit(ctx); err != nil {
					return err
				}
			}
			// The account holds nothing now: the record goes.
			for ok, changed := r.mem.TryAcquire(n); !ok; ok, changed = r.mem.TryAcquire(n) {
				select {
				case <-changed:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		r.held += n
	}
	if !r.inTxn {
		if err := r.cfg.Producer.BeginTxn(); err != nil {
			return r.txnError("beginning a transaction", err)
		}
		r.inTxn, r.txnStart = true, time.Now()
	}
	if out != nil {
		select {
		case r.cfg.Producer.Input() <- &out.msg:
			// Kept for reuse after the commit, up to maxReusedPerTxn: a
			// long transaction (transaction.boundary=interval) must not
			// hold every record it wrote until it commits.
			if len(r.sent) < maxReusedPerTxn {
				r.sent = append(r.sent, out)
			}
		case <-ctx.Done():
			r.conv.release(out)
			return ctx.Err() // not sent: its offset is not recorded either
		}
	}
	if rec.SourcePartition != nil && rec.SourceOffset != nil {
		r.pending.set(rec.SourcePartition, rec.SourceOffset)
	}
	return nil
}

// commit writes the offsets of the open transaction with its producer,
// commits it, and then tells the task.
func (r *ExactlyOnceRunner) commit(ctx context.Context) error {
	offsets := r.pending.take()
	for _, c := range offsets {
		key, value, err := r.cfg.Offsets.Encode(r.cfg.ID.Connector, c.partition, c.offset)
		if err != nil {
			return fmt.Errorf("writing offsets: %w", err)
		}
		msg := &sarama.ProducerMessage{Topic: r.cfg.Offsets.Topic(), Key: sarama.ByteEncoder(key)}
		if value != nil {
			msg.Value = sarama.ByteEncoder(value)
		}
		select {
		case r.cfg.Producer.Input() <- msg:
		case <-ctx.Done():
			return fmt.Errorf("writing offsets: %w", ctx.Err())
		}
	}
	if err := r.cfg.Producer.CommitTxn(); err != nil {
		return r.txnError("committing a transaction", err)
	}
	r.inTxn = false
	// The producer has flushed the transaction's records, and holds none of
	// them any more: a transaction whose record failed does not commit. The
	// messages of a transaction that did not commit are never reused.
	for i, out := range r.sent {
		r.conv.release(out)
		r.sent[i] = nil
	}
	r.sent = r.sent[:0]
	if r.mem != nil {
		r.mem.Release(r.held)
		r.held = 0
	}
	// Kafka now holds the records and their offsets; only now may the task
	// release what they cover (e.g. confirm an LSN to PostgreSQL).
	for _, c := range offsets {
		if err := r.cfg.Task.Commit(ctx, c.partition, c.offset); err != nil {
			return fmt.Errorf("committing offsets to the task: %w", err)
		}
	}
	return nil
}

// txnError wraps a transaction failure with the first record error, if any.
// A fenced producer can never write again: the error is final. Kafka being
// unreachable is retriable: the restarted task re-reads from the committed
// offsets.
func (r *ExactlyOnceRunner) txnError(what string, err error) error {
	r.errMu.Lock()
	first := r.firstErr
	r.errMu.Unlock()
	if first != nil && !errors.Is(err, first) {
		err = fmt.Errorf("%w (first failed record: %w)", err, first)
	}
	switch {
	case kafkaclient.IsFenced(err):
		return fmt.Errorf("%s: the producer was fenced by a newer instance of task %s-%d: %w",
			what, r.cfg.ID.Connector, r.cfg.ID.Task, err)
	case kafkaclient.IsRetriable(err):
		return connect.Retriable(fmt.Errorf("%s: %w", what, err))
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}

// collectErrors drains the producer's errors until it closes, keeping the
// first: the transaction it belongs to cannot commit.
func (r *ExactlyOnceRunner) collectErrors() {
	for perr := range r.cfg.Producer.Errors() {
		r.errMu.Lock()
		if r.firstErr == nil {
			r.firstErr = fmt.Errorf("producing to topic %s: %w", perr.Msg.Topic, perr.Err)
			r.log.Warn("a record could not be produced; the transaction will fail", "topic", perr.Msg.Topic, "error", perr.Err)
		}
		r.errMu.Unlock()
	}
}
