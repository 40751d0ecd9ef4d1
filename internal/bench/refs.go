package bench

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// The references of one scenario, by name.
const (
	refRecvlogical = "pg_recvlogical"
	refWalsender   = "walsender limit"
	refCopy        = "COPY TO STDOUT"
	refSarama      = "produce ceiling (sarama)"
	refKgo         = "produce ceiling (franz-go kgo)"
)

// recvlogical drains slot up to endpos with pg_recvlogical into /dev/null.
func (b *bench) recvlogical(ctx context.Context, slot, publication, endpos string) (time.Duration, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, filepath.Join(b.pg.BinDir(), "pg_recvlogical"),
		"-h", b.pg.Host(), "-p", strconv.Itoa(b.pg.Port()), "-U", "postgres", "-d", "postgres",
		"--slot", slot, "--start", "--endpos", endpos, "--no-loop", "-f", "/dev/null",
		"-o", "proto_version=1", "-o", "publication_names="+publication)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("running pg_recvlogical: %w\n%s", err, out)
	}
	return time.Since(start), nil
}

// walsender drains slot up to endpos with the START_REPLICATION options
// Tributary sends, doing nothing with the pgoutput messages but
// acknowledging them: the rate at which the walsender alone can decode and
// send the WAL. It stops where pg_recvlogical --endpos does.
func (b *bench) walsender(ctx context.Context, slot, publication, endpos string) (time.Duration, error) {
	end, err := pglogrepl.ParseLSN(endpos)
	if err != nil {
		return 0, err
	}
	conn, err := pgconn.Connect(ctx, b.pg.DSN("postgres")+"&replication=database")
	if err != nil {
		return 0, fmt.Errorf("connecting for replication: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	start := time.Now()
	if err := pglogrepl.StartReplication(ctx, conn, slot, 0, pglogrepl.StartReplicationOptions{PluginArgs: []string{
		"proto_version '1'", "publication_names '" + publication + "'", "messages 'true'"}}); err != nil {
		return 0, fmt.Errorf("starting replication: %w", err)
	}
	var received pglogrepl.LSN
	ack := func() error {
		return pglogrepl.SendStandbyStatusUpdate(ctx, conn, pglogrepl.StandbyStatusUpdate{
			WALWritePosition: received, WALFlushPosition: received, WALApplyPosition: received})
	}
	lastAck := time.Now()
	for {
		msg, err := conn.ReceiveMessage(ctx)
		if err != nil {
			return 0, fmt.Errorf("receiving: %w", err)
		}
		cd, ok := msg.(*pgproto3.CopyData)
		if !ok {
			if e, ok := msg.(*pgproto3.ErrorResponse); ok {
				return 0, fmt.Errorf("replication: %s", e.Message)
			}
			continue
		}
		switch cd.Data[0] {
		case pglogrepl.PrimaryKeepaliveMessageByteID:
			ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(cd.Data[1:])
			if err != nil {
				return 0, err
			}
			if ka.ServerWALEnd >= end {
				return time.Since(start), ack()
			}
			if ka.ReplyRequested {
				if err := ack(); err != nil {
					return 0, err
				}
				lastAck = time.Now()
			}
		case pglogrepl.XLogDataByteID:
			x, err := pglogrepl.ParseXLogData(cd.Data[1:])
			if err != nil {
				return 0, err
			}
			if x.WALStart >= end {
				return time.Since(start), ack()
			}
			received = max(received, x.WALStart)
		}
		if time.Since(lastAck) > time.Second {
			if err := ack(); err != nil {
				return 0, err
			}
			lastAck = time.Now()
		}
	}
}

// copySlot makes a new slot at the position of base, which no one
// consumes: every run drains the same WAL.
func (b *bench) copySlot(ctx context.Context, base, slot string) error {
	return b.exec(ctx, fmt.Sprintf(`SELECT pg_copy_logical_replication_slot('%s', '%s')`, base, slot))
}

func (b *bench) dropSlot(ctx context.Context, slot string) error {
	return b.exec(ctx, fmt.Sprintf(
		`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '%s'`, slot))
}

// spill is what the walsender of a slot wrote to disk because a
// transaction outgrew logical_decoding_work_mem (pg_stat_replication_slots).
type spill struct {
	Txns  int64
	Bytes int64
}

func (s spill) String() string {
	if s.Txns == 0 {
		return "no spill"
	}
	return fmt.Sprintf("spilled %d txn, %.0f MB", s.Txns, float64(s.Bytes)/1e6)
}

func (b *bench) slotSpill(ctx context.Context, slot string) (spill, error) {
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return spill{}, err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	var s spill
	err = conn.QueryRow(ctx, `SELECT coalesce(sum(spill_txns), 0)::bigint, coalesce(sum(spill_bytes), 0)::bigint
		FROM pg_stat_replication_slots WHERE slot_name = $1`, slot).Scan(&s.Txns, &s.Bytes)
	return s, err
}

// slotRun drains a fresh copy of base up to endpos with drain and returns
// the time it took and what the walsender spilled.
func (b *bench) slotRun(ctx context.Context, base, slot, publication, endpos string,
	drain func(ctx context.Context, slot, publication, endpos string) (time.Duration, error)) (time.Duration, spill, error) {
	if err := b.copySlot(ctx, base, slot); err != nil {
		return 0, spill{}, err
	}
	defer func() { _ = b.dropSlot(context.Background(), slot) }()
	d, err := drain(ctx, slot, publication, endpos)
	if err != nil {
		return 0, spill{}, err
	}
	s, err := b.slotSpill(ctx, slot)
	return d, s, err
}

// copyOut reads table with COPY TO STDOUT into nothing.
func (b *bench) copyOut(ctx context.Context, table string) (time.Duration, error) {
	conn, err := pgx.Connect(ctx, b.pg.DSN("postgres"))
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close(context.Background()) }()
	start := time.Now()
	if _, err := conn.PgConn().CopyTo(ctx, io.Discard, fmt.Sprintf(`COPY (SELECT * FROM %s) TO STDOUT`, table)); err != nil {
		return 0, fmt.Errorf("copying: %w", err)
	}
	return time.Since(start), nil
}

// sampleSize bounds the records kept to build the produce ceiling's load.
const sampleSize = 20_000

// sample is records as Tributary wrote them: key, value and headers bytes.
type sample struct {
	msgs  []*sarama.ProducerMessage
	bytes int64
}

// captureSample reads up to sampleSize records of topic from broker.
func captureSample(ctx context.Context, broker, topic string) (*sample, error) {
	consumer, err := sarama.NewConsumer([]string{broker}, kafkaclient.NewConfig("bench-sample"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = consumer.Close() }()
	parts, err := consumer.Partitions(topic)
	if err != nil {
		return nil, err
	}
	client, err := sarama.NewClient([]string{broker}, kafkaclient.NewConfig("bench-sample"))
	if err != nil {
		return nil, err
	}
	defer func() { _ = client.Close() }()
	s := &sample{}
	for _, p := range parts {
		hw, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return nil, err
		}
		want := min(hw, int64(sampleSize/len(parts)))
		if want == 0 {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			return nil, err
		}
		for n := int64(0); n < want; n++ {
			select {
			case <-ctx.Done():
				_ = pc.Close()
				return nil, ctx.Err()
			case m := <-pc.Messages():
				pm := &sarama.ProducerMessage{}
				if m.Key != nil {
					pm.Key = sarama.ByteEncoder(m.Key)
				}
				if m.Value != nil {
					pm.Value = sarama.ByteEncoder(m.Value)
				}
				for _, h := range m.Headers {
					pm.Headers = append(pm.Headers, sarama.RecordHeader{Key: h.Key, Value: h.Value})
				}
				s.msgs = append(s.msgs, pm)
				s.bytes += int64(len(m.Key) + len(m.Value))
			}
		}
		_ = pc.Close()
	}
	if len(s.msgs) == 0 {
		return nil, fmt.Errorf("no records in %s", topic)
	}
	return s, nil
}

func (s *sample) avgBytes() float64 { return float64(s.bytes) / float64(len(s.msgs)) }

// createTopic makes topic exist before a ceiling run is timed (the
// broker creates topics named in metadata requests).
func createTopic(broker, topic string) error {
	client, err := sarama.NewClient([]string{broker}, kafkaclient.NewConfig("bench-ceiling"))
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	return client.RefreshMetadata(topic)
}

// deleteTopic frees the broker of a topic the bench has measured.
func deleteTopic(broker, topic string) {
	admin, err := sarama.NewClusterAdmin([]string{broker}, kafkaclient.NewConfig("bench-admin"))
	if err != nil {
		return
	}
	defer func() { _ = admin.Close() }()
	_ = admin.DeleteTopic(topic)
}

// produceSarama writes n records cycling through the sample with a bare
// sarama producer configured as Tributary's (idempotent, acks=all, the
// same batch size and linger) and returns how long until all were
// acknowledged.
func produceSarama(ctx context.Context, broker, topic string, s *sample, n int, settings kafkaclient.ProducerSettings) (time.Duration, error) {
	if err := createTopic(broker, topic); err != nil {
		return 0, err
	}
	defer deleteTopic(broker, topic)
	cfg := kafkaclient.NewProducerConfig("bench-ceiling", settings)
	p, err := sarama.NewAsyncProducer([]string{broker}, cfg)
	if err != nil {
		return 0, err
	}
	defer func() { _ = p.Close() }()
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := range n {
			src := s.msgs[i%len(s.msgs)]
			m := &sarama.ProducerMessage{Topic: topic, Key: src.Key, Value: src.Value, Headers: src.Headers}
			select {
			case p.Input() <- m:
			case <-stop:
				return
			}
		}
	}()
	for acked := 0; acked < n; {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-p.Successes():
			acked++
		case err := <-p.Errors():
			return 0, fmt.Errorf("producing: %w", err)
		}
	}
	return time.Since(start), nil
}

// produceKgo is produceSarama with franz-go's client: idempotent, acks=all,
// the same linger, batch size and compression, and its default of up to five requests
// in flight per broker (sarama's idempotent producer allows one).
func produceKgo(ctx context.Context, broker, topic string, s *sample, n int, lz4 bool) (time.Duration, error) {
	if err := createTopic(broker, topic); err != nil {
		return 0, err
	}
	defer deleteTopic(broker, topic)
	opts := []kgo.Opt{kgo.SeedBrokers(broker), kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(time.Millisecond), kgo.ProducerBatchMaxBytes(512 << 10), kgo.DefaultProduceTopic(topic),
		kgo.ProducerBatchCompression(kgo.NoCompression())}
	if lz4 {
		opts = append(opts, kgo.ProducerBatchCompression(kgo.Lz4Compression()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(s.msgs))
	for i, m := range s.msgs {
		r := &kgo.Record{Topic: topic}
		if m.Key != nil {
			r.Key, _ = m.Key.Encode()
		}
		if m.Value != nil {
			r.Value, _ = m.Value.Encode()
		}
		for _, h := range m.Headers {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: string(h.Key), Value: h.Value})
		}
		recs[i] = r
	}
	var firstErr error
	errc := make(chan error, 1)
	start := time.Now()
	for i := range n {
		src := recs[i%len(recs)]
		r := &kgo.Record{Topic: topic, Key: src.Key, Value: src.Value, Headers: src.Headers}
		cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
			if err != nil {
				select {
				case errc <- err:
				default:
				}
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		return 0, err
	}
	select {
	case firstErr = <-errc:
		return 0, fmt.Errorf("producing: %w", firstErr)
	default:
	}
	return time.Since(start), nil
}

// median of the runs' seconds.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// conditions joins the distinct conditions of the runs.
func conditions(runs []string) string {
	var out []string
	for _, c := range runs {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return strings.Join(out, "; ")
}
