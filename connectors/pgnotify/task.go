package pgnotify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// Headers of every record: the channel and the PID of the PostgreSQL
// backend that sent the notification (pg_backend_pid() of the sending
// session).
const (
	HeaderChannel = "__pg_notify_channel"
	HeaderPID     = "__pg_notify_pid"
)

// closeTimeout bounds the goodbye to the server when the task stops.
const closeTimeout = 5 * time.Second

var (
	stringSchema         = &schema.Schema{Type: schema.TypeString}
	optionalStringSchema = &schema.Schema{Type: schema.TypeString, Optional: true}
	int32Schema          = &schema.Schema{Type: schema.TypeInt32}
)

// Task listens on the configured channels and hands each notification to
// the runtime as a record. It is at-most-once: it stores no offsets, and
// what is sent while it is not connected is lost.
type Task struct {
	cfg    *Config
	log    *slog.Logger
	json   *jsonconv.Converter
	queue  chan connect.SourceRecord
	failed chan error
	cancel context.CancelFunc
	done   chan struct{}
	m      metrics
}

var (
	_ connect.SourceTask      = (*Task)(nil)
	_ connect.MetricsReporter = (*Task)(nil)
)

// NewTask returns an unstarted task.
func NewTask() *Task { return &Task{} }

// dataError is a notification the task cannot turn into a record: it fails
// the task (errors.tolerance=none) instead of being retried.
type dataError struct{ err error }

func (e *dataError) Error() string { return e.err.Error() }
func (e *dataError) Unwrap() error { return e.err }

// Start parses the config and starts the listening goroutine; the first
// connection is made there, so a database that is down at start is
// retried like one that went away.
func (t *Task) Start(_ context.Context, tc connect.TaskContext, config map[string]string) error {
	cfg, errs := ParseConfig(config)
	if len(errs) > 0 {
		return fmt.Errorf("invalid configuration: %s: %s", errs[0].Name, errs[0].Message)
	}
	t.cfg, t.log = cfg, tc.Logger()
	for _, w := range cfg.Warnings {
		t.log.Warn(w)
	}
	if cfg.JSON {
		conv, err := jsonconv.New(map[string]string{jsonconv.SchemasEnableConfig: "false"}, false)
		if err != nil {
			return fmt.Errorf("building the JSON payload parser: %w", err)
		}
		t.json = conv
	}
	t.m.prefix = cfg.TopicPrefix
	t.m.lastMs.Store(-1)
	t.queue = make(chan connect.SourceRecord, cfg.MaxQueueSize)
	t.failed = make(chan error, 1)
	t.done = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	go t.run(ctx)
	return nil
}

// Poll returns the notifications queued since the last call, at most
// max.batch.size, waiting for the first. A notification that failed the
// task is reported after those received before it.
func (t *Task) Poll(ctx context.Context) ([]connect.SourceRecord, error) {
	var first connect.SourceRecord
	select {
	case first = <-t.queue:
	default:
		select {
		case first = <-t.queue:
		case err := <-t.failed:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out := []connect.SourceRecord{first}
	for len(out) < t.cfg.MaxBatchSize {
		select {
		case r := <-t.queue:
			out = append(out, r)
		default:
			t.m.produced.Add(int64(len(out)))
			return out, nil
		}
	}
	t.m.produced.Add(int64(len(out)))
	return out, nil
}

// Commit implements connect.SourceTask: records carry no offsets, so it
// is never called with one, and there is nothing to acknowledge.
func (t *Task) Commit(context.Context, map[string]any, map[string]any) error { return nil }

// Stop ends the listening goroutine, which closes its connection, and
// reports the notifications received but never polled: they are lost.
func (t *Task) Stop() error {
	if t.cancel == nil {
		return nil
	}
	t.cancel()
	<-t.done
	if n := len(t.queue); n > 0 {
		t.log.Warn("stopping with notifications received and not yet polled; they are lost", "count", n)
	}
	return nil
}

// run listens until ctx ends or a notification fails the task, and
// reconnects with a jittered exponential backoff after each failure.
func (t *Task) run(ctx context.Context) {
	defer close(t.done)
	attempt := 0
	for {
		err := t.listen(ctx, func() { attempt = 0 })
		t.m.connected.Store(false)
		if ctx.Err() != nil {
			return
		}
		if de := (*dataError)(nil); errors.As(err, &de) {
			t.failed <- err
			return
		}
		delay := backoff(t.cfg.BackoffInitial, t.cfg.BackoffMax, attempt)
		attempt++
		t.m.reconnects.Add(1)
		t.log.Warn("the listening connection failed; notifications sent until it is back are lost",
			"error", err, "attempt", attempt, "retry_in", delay)
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

// backoff is the delay before reconnection attempt n (0-based): initial
// doubled n times, at most maxDelay, then a uniformly random part of its
// second half, so that tasks which lost the same server do not return in
// step.
func backoff(initial, maxDelay time.Duration, n int) time.Duration {
	d := initial
	for i := 0; i < n && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	half := d / 2
	return half + rand.N(d-half+1)
}

// listen opens a connection, LISTENs on every channel and queues each
// notification until the connection fails or ctx ends. connected is
// called once the channels are listened to.
func (t *Task) listen(ctx context.Context, connected func()) error {
	pc := t.cfg.Conn.Config.Copy()
	// Notifications the driver read: one per WaitForNotification, and
	// those that arrived while the LISTEN statement was answered.
	var pending []*pgconn.Notification
	pc.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) { pending = append(pending, n) }
	conn, err := pgconn.ConnectConfig(ctx, pc)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, listenSQL(t.cfg.Channels)).ReadAll(); err != nil {
		return fmt.Errorf("listening on %s: %w", strings.Join(t.cfg.Channels, ", "), err)
	}
	connected()
	t.m.connected.Store(true)
	t.log.Info("listening for notifications", "channels", strings.Join(t.cfg.Channels, ","), "backend_pid", conn.PID())
	for {
		for len(pending) > 0 {
			n := pending[0]
			pending[0] = nil
			pending = pending[1:]
			if err := t.deliver(ctx, n); err != nil {
				return err
			}
		}
		if err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("waiting for notifications: %w", err)
		}
	}
}

// listenSQL is one LISTEN per channel, each name quoted as an identifier,
// in one simple query (one implicit transaction).
func listenSQL(channels []string) string {
	var b strings.Builder
	for _, ch := range channels {
		b.WriteString("LISTEN ")
		b.WriteString(pgx.Identifier{ch}.Sanitize())
		b.WriteString(";")
	}
	return b.String()
}

// deliver turns one notification into a record and queues it, waiting
// while the queue is full: the connection is then not read, and
// PostgreSQL holds what is sent in its notification queue.
func (t *Task) deliver(ctx context.Context, n *pgconn.Notification) error {
	now := time.Now()
	t.m.received.Add(1)
	t.m.lastMs.Store(now.UnixMilli())
	rec, err := t.record(n, now)
	if err != nil {
		if !t.cfg.TolerateAll {
			return &dataError{err}
		}
		t.m.skipped.Add(1)
		if t.cfg.LogErrors {
			t.log.Warn("skipping a notification (errors.tolerance=all)", "error", err)
		}
		return nil
	}
	select {
	case t.queue <- rec:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// record builds the record of a notification: keyed by its channel (so
// that one channel's notifications keep their order in one partition),
// the payload as the value, the channel and the sender's PID as headers.
// It has no source partition or offset: nothing is stored in the offsets
// topic.
func (t *Task) record(n *pgconn.Notification, now time.Time) (connect.SourceRecord, error) {
	topic, ok := t.cfg.Topics[n.Channel]
	if !ok {
		return connect.SourceRecord{}, fmt.Errorf("notification on channel %q, which is not in %s", n.Channel, KeyChannels)
	}
	rec := connect.SourceRecord{
		Topic:     topic,
		KeySchema: stringSchema, Key: n.Channel,
		ValueSchema: optionalStringSchema, Value: n.Payload,
		Timestamp: now,
		Headers: []connect.Header{
			{Key: HeaderChannel, Schema: stringSchema, Value: n.Channel},
			{Key: HeaderPID, Schema: int32Schema, Value: int32(n.PID)},
		},
	}
	if t.json != nil {
		_, v, err := t.json.ToConnect(topic, []byte(n.Payload))
		if err != nil {
			return connect.SourceRecord{}, fmt.Errorf("the payload of a notification on channel %q from backend PID %d (%d bytes) is not JSON (%s=%s): %w",
				n.Channel, n.PID, len(n.Payload), KeyPayloadFormat, FormatJSON, err)
		}
		rec.ValueSchema, rec.Value = nil, v
	}
	return rec, nil
}
