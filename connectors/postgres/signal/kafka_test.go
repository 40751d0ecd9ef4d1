package signal

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
	"github.com/tributary-cdc/tributary/internal/testutil"
	"github.com/tributary-cdc/tributary/tlsconfig/tlstest"
)

// runtimeContext is the runtime's side of the SPI as connect/worker offers
// it: a TaskContext whose topic readers are kafkaclient's.
type runtimeContext struct{ log *slog.Logger }

func (runtimeContext) Offset(context.Context, map[string]any) (map[string]any, error) {
	return nil, nil
}
func (c runtimeContext) Logger() *slog.Logger { return c.log }
func (c runtimeContext) OpenTopicReader(_ context.Context, spec connect.TopicReaderSpec) (connect.TopicReader, error) {
	return kafkaclient.OpenPartitionReader(spec, c.log)
}

// produce writes records with franz-go, an independent client.
func produce(t *testing.T, opts []kgo.Opt, recs ...*kgo.Record) {
	t.Helper()
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func rec(topic, key, value string) *kgo.Record {
	r := &kgo.Record{Topic: topic, Partition: 0, Value: []byte(value)}
	if key != "" {
		r.Key = []byte(key)
	}
	return r
}

// readSignals reads ch until it has returned n signals.
func readSignals(t *testing.T, ch Channel, n int) []Signal {
	t.Helper()
	var got []Signal
	testutil.Eventually(t, time.Minute, fmt.Sprintf("%d signals", n), func() error {
		s, err := ch.Read(t.Context())
		if err != nil {
			return err
		}
		got = append(got, s...)
		if len(got) < n {
			return fmt.Errorf("%d signals so far", len(got))
		}
		return nil
	})
	if len(got) != n {
		t.Fatalf("got %d signals, want %d: %+v", len(got), n, got)
	}
	return got
}

// The kafka channel reads <topic.prefix>-signal from the earliest offset,
// takes only the messages keyed by topic.prefix, skips a malformed one,
// and commits its position to the kafka-signal group: a channel opened
// later reads only what came after.
func TestKafkaChannel(t *testing.T) {
	const topic = "dbserver1-signal"
	brokers := kafkatest.StartCluster(t, kfake.SeedTopics(1, topic)).ListenAddrs()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := ChannelConfig{Enabled: []string{"source", "kafka"}, TopicPrefix: "dbserver1",
		Kafka: KafkaConfig{BootstrapServers: strings.Join(brokers, ","), PollTimeout: 100 * time.Millisecond}}
	produce(t, []kgo.Opt{kgo.SeedBrokers(brokers...)},
		rec(topic, "dbserver1", `{"id":"12345","type":"execute-snapshot","data": {"data-collections": ["public.a"], "type": "INCREMENTAL"}}`),
		rec(topic, "otherserver", `{"id":"x","type":"log","data":{"message":"not for us"}}`),
		rec(topic, "", `{"id":"y","type":"log","data":{"message":"no key"}}`),
		rec(topic, "dbserver1", `not json`),
		rec(topic, "dbserver1", `{"type":"log","data":{"message":"hello {}"}}`),
	)
	chs, err := OpenChannels(t.Context(), cfg, runtimeContext{log}, log)
	if err != nil {
		t.Fatal(err)
	}
	got := readSignals(t, chs[0], 2)
	want := []Signal{
		{ID: "12345", Type: "execute-snapshot", Data: `{"data-collections":["public.a"],"type":"INCREMENTAL"}`, Channel: "kafka", Offset: 0},
		{ID: "", Type: "log", Data: `{"message":"hello {}"}`, Channel: "kafka", Offset: 4},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("signal %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	for _, s := range want {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%+v): %v", s, err)
		}
	}
	if out := logs.String(); !strings.Contains(out, "Signal key 'otherserver' doesn't match the connector's name 'dbserver1'") ||
		!strings.Contains(out, "Skipped signal due to an error") {
		t.Errorf("log lacks the ignored and the skipped message:\n%s", out)
	}
	if err := CloseChannels(chs); err != nil {
		t.Fatal(err)
	}

	produce(t, []kgo.Opt{kgo.SeedBrokers(brokers...)}, rec(topic, "dbserver1", `{"id":"later","type":"pause-snapshot","data":{}}`))
	chs, err = OpenChannels(t.Context(), cfg, runtimeContext{log}, log)
	if err != nil {
		t.Fatal(err)
	}
	if got := readSignals(t, chs[0], 1); got[0].ID != "later" || got[0].Offset != 5 {
		t.Errorf("after reopening: %+v", got)
	}
	if err := CloseChannels(chs); err != nil {
		t.Fatal(err)
	}
	// Another group starts from the earliest offset again.
	cfg.Kafka.GroupID = "another"
	chs, err = OpenChannels(t.Context(), cfg, runtimeContext{log}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer CloseChannels(chs)
	if got := readSignals(t, chs[0], 3); got[0].ID != "12345" || got[2].ID != "later" {
		t.Errorf("another group: %+v", got)
	}
}

// signal.consumer.* carries the client security settings: the channel
// reads a SASL_SSL (SCRAM-SHA-512) broker; with a wrong password a read
// fails naming SASL, without the password, and the channel stays usable.
func TestKafkaChannelSecurity(t *testing.T) {
	const topic = "secure-signals"
	brokers := kafkatest.StartCluster(t, kfake.TLS(tlstest.ServerConfig(tlstest.FixtureBroker(t), nil)),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "signals", "signal-secret"), kfake.SeedTopics(1, topic)).ListenAddrs()
	produce(t, []kgo.Opt{kgo.SeedBrokers(brokers...), kgo.DialTLSConfig(&tls.Config{RootCAs: tlstest.FixtureCA(t), MinVersion: tls.VersionTLS12}),
		kgo.SASL(scram.Auth{User: "signals", Pass: "signal-secret"}.AsSha512Mechanism())},
		rec(topic, "inventory", `{"id":"s1","type":"log","data":{"message":"over TLS"}}`))
	consumer := func(password string) map[string]string {
		return map[string]string{
			"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512",
			"sasl.jaas.config":        fmt.Sprintf(`org.apache.kafka.common.security.scram.ScramLoginModule required username="signals" password="%s";`, password),
			"ssl.truststore.location": tlstest.Fixture("truststore.jks"),
			"ssl.truststore.password": tlstest.TrustStorePassword,
			"session.timeout.ms":      "10000",
		}
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	cfg := ChannelConfig{Enabled: []string{"kafka"}, TopicPrefix: "inventory",
		Kafka: KafkaConfig{Topic: topic, BootstrapServers: brokers[0], Consumer: consumer("wrong-secret")}}
	chs, err := OpenChannels(t.Context(), cfg, runtimeContext{log}, log)
	if err != nil {
		t.Fatal(err)
	}
	_, err = chs[0].Read(t.Context())
	if err == nil || !strings.Contains(err.Error(), "SASL") || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("read with a wrong password: %v", err)
	}
	if _, err := chs[0].Read(t.Context()); err == nil {
		t.Error("a second read with a wrong password succeeded")
	}
	CloseChannels(chs)

	cfg.Kafka.Consumer = consumer("signal-secret")
	chs, err = OpenChannels(t.Context(), cfg, runtimeContext{log}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer CloseChannels(chs)
	if got := readSignals(t, chs[0], 1); got[0].ID != "s1" {
		t.Errorf("got %+v", got)
	}
	out := logs.String()
	if strings.Contains(out, "signal-secret") || strings.Contains(out, "wrong-secret") {
		t.Errorf("a password is logged:\n%s", out)
	}
	if !strings.Contains(out, "session.timeout.ms") {
		t.Errorf("the ignored consumer property is not named:\n%s", out)
	}
}
