package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"

	"github.com/tributary-cdc/tributary/connectors/postgres/signal"
)

// channelSource is the name of the signal table's channel
// (SourceSignalChannel.CHANNEL_NAME).
const channelSource = signal.ChannelSource

// externalSignals bounds the signals read from the other channels and not
// yet carried out: the reader waits for room.
const externalSignals = 64

// readSignals reads the signal channels other than the signal table every
// signal.poll.interval.ms (Debezium's SignalProcessor) and hands their
// signals to the streaming loop, waking it. A channel that fails to read
// is logged and read again at the next interval.
func (t *Task) readSignals(ctx context.Context) error {
	ticker := time.NewTicker(t.cfg.Signals.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		for _, ch := range t.channels {
			sigs, err := ch.Read(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				t.log.Warn("reading a signal channel failed", "channel", ch.Name(), "error", err)
				continue
			}
			for _, sig := range sigs {
				sig.Channel = ch.Name()
				select {
				case t.external <- sig:
					t.wake.wake()
				case <-ctx.Done():
					return nil
				}
			}
		}
	}
}

// externalSignals carries out the signals the other channels delivered, at
// the position reached.
func (s *streamer) externalSignals(ctx context.Context) error {
	for {
		select {
		case sig := <-s.t.external:
			s.t.log.Info("received a signal", "signal_id", sig.ID, "signal_type", sig.Type, "channel", sig.Channel)
			if err := s.inc.signal(ctx, sig, 0, s.positionOffset()); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// sendNotification hands a notification to the notification channels and
// queues the sink channel's record, with offset off, through Task.send.
func (t *Task) sendNotification(ctx context.Context, n signal.Notification, off map[string]any, k keeper) error {
	rec, ok := t.notifier.Notify(n, t.partition, off)
	if !ok {
		return nil
	}
	return t.send(ctx, rec, k)
}

// isSignalTable reports whether schema.table is a signal table.
func (c *Config) isSignalTable(schemaName, table string) bool {
	for _, s := range c.SignalTables {
		if s.Schema == schemaName && s.Name == table {
			return true
		}
	}
	return false
}

// sourceSignal turns a change of the signal table into a signal and
// carries it out (SourceSignalChannel.process, SignalRecord
// .buildSignalRecordFromChangeEventSource): an insert is the signal its
// first three columns (id, type, data) describe; under the insert_delete
// watermarking strategy, the deletion of an open window signal closes
// that window. A change that is no signal is logged and skipped.
func (s *streamer) sourceSignal(ctx context.Context, r *relation, lsn uint64, kind string, n int64,
	oldTuple, newTuple *pglogrepl.TupleData,
) error {
	tuple := newTuple
	if kind == msgDelete {
		tuple = oldTuple
	}
	row, err := r.layout.Row(tuple)
	if err != nil {
		s.t.log.Warn("skipping a signal row that cannot be decoded", "table", r.table.Topic, "error", err)
		return nil
	}
	if len(row) < 3 {
		s.t.log.Warn("skipping a signal: the signal table needs at least 3 columns (id, type, data)", "columns", len(row))
		return nil
	}
	text := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return x
		}
		return fmt.Sprint(v)
	}
	sig := signal.Signal{ID: text(row[0]), Type: text(row[1]), Data: text(row[2]), Channel: channelSource}
	if kind == msgDelete {
		if !strings.HasSuffix(sig.ID, "-open") {
			return nil
		}
		sig = signal.Signal{ID: strings.ReplaceAll(sig.ID, "open", "close"), Type: signal.TypeSnapshotWindowClose, Channel: channelSource}
	}
	_, off, _ := s.eventParts(r.table, lsn, kind, n)
	return s.inc.signal(ctx, sig, lsn, off)
}
