package embedded_test

import (
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/embedded"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
)

func start(t *testing.T, listen, dir string) *embedded.Broker {
	t.Helper()
	b, err := embedded.Start(listen, dir, nil)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

type kv struct{ k, v string }

func readAll(t *testing.T, addr, topic string) []kv {
	t.Helper()
	var mu sync.Mutex
	var got []kv
	l, err := kafkalog.Open(t.Context(), kafkalog.Config{
		Brokers: []string{addr}, Topic: topic, Partitions: 3,
		OnRecord: func(k, v []byte) {
			mu.Lock()
			got = append(got, kv{string(k), string(v)})
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	mu.Lock()
	defer mu.Unlock()
	return append([]kv(nil), got...)
}

func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	b := start(t, "127.0.0.1:0", dir)
	id := b.ClusterID()
	if id == "" || id == "kfake" {
		t.Fatalf("ClusterID() = %q, want a generated id", id)
	}

	l, err := kafkalog.Open(t.Context(), kafkalog.Config{
		Brokers: []string{b.Addr()}, Topic: "persisted", Partitions: 3, OnRecord: func(_, _ []byte) {},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if err := l.Send(t.Context(), []byte("k"+strconv.Itoa(i)), []byte("v"+strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	before := readAll(t, b.Addr(), "persisted")
	if len(before) != 30 {
		t.Fatalf("read %d records before restart, want 30", len(before))
	}
	b.Close()

	b2 := start(t, "127.0.0.1:0", dir)
	if b2.ClusterID() != id {
		t.Errorf("cluster id changed across restart: %q → %q", id, b2.ClusterID())
	}
	after := readAll(t, b2.Addr(), "persisted")
	if len(after) != len(before) {
		t.Fatalf("read %d records after restart, want %d", len(after), len(before))
	}
	seen := map[kv]bool{}
	for _, r := range before {
		seen[r] = true
	}
	for _, r := range after {
		if !seen[r] {
			t.Errorf("record %v after restart was not there before", r)
		}
	}

	// The topic kept its config (kafkalog refuses a non-compacted topic,
	// but check it directly too).
	admin, err := sarama.NewClusterAdmin([]string{b2.Addr()}, kafkaclient.NewConfig("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	entries, err := kafkaclient.TopicConfig(admin, "persisted", "cleanup.policy")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Value != "compact" {
		t.Errorf("cleanup.policy after restart = %+v", entries)
	}
}

// A producer's first metadata request for a topic creates it, as a Kafka
// broker with its default auto.create.topics.enable=true does, with the
// broker's default partition count; and the topic is on disk at once: a
// broker started on a copy of the data directory taken while the first one
// runs (the state a crash leaves) has the topic and its records. A metadata
// request that does not allow creation creates nothing.
func TestAutoTopicCreationSurvivesACrash(t *testing.T) {
	dir := t.TempDir()
	b := start(t, "127.0.0.1:0", dir)
	p, err := sarama.NewSyncProducer([]string{b.Addr()}, kafkaclient.NewConfig("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for i := range 3 {
		if _, _, err := p.SendMessage(&sarama.ProducerMessage{Topic: "auto", Value: sarama.StringEncoder("v" + strconv.Itoa(i))}); err != nil {
			t.Fatalf("producing to a new topic: %v", err)
		}
	}
	admin, err := sarama.NewClusterAdmin([]string{b.Addr()}, kafkaclient.NewConfig("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	meta, err := admin.DescribeTopics([]string{"absent"}) // AllowAutoTopicCreation=false
	if err != nil {
		t.Fatal(err)
	}
	if len(meta) != 1 || !errors.Is(meta[0].Err, sarama.ErrUnknownTopicOrPartition) {
		t.Fatalf("describing a missing topic: %+v, want unknown topic", meta)
	}

	crashed := t.TempDir()
	if err := os.CopyFS(crashed, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	b2 := start(t, "127.0.0.1:0", crashed)
	client, err := sarama.NewClient([]string{b2.Addr()}, kafkaclient.NewConfig("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	topics, err := client.Topics()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(topics, "auto") || slices.Contains(topics, "absent") {
		t.Fatalf("topics after the crash: %v, want auto and not absent", topics)
	}
	parts, err := client.Partitions("auto")
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 {
		t.Fatalf("auto has partitions %v, want the broker's default of 1", parts)
	}
	if hw, err := client.GetOffset("auto", 0, sarama.OffsetNewest); err != nil || hw != 3 {
		t.Fatalf("auto's high watermark after the crash = %d, %v; want 3", hw, err)
	}
}

func TestWildcardListenAdvertisesLoopback(t *testing.T) {
	opts := embedded.Options{Listen: "0.0.0.0:0", DataDir: t.TempDir(), User: "u", Password: "p"}
	b, err := embedded.StartWith(opts) // beyond loopback: authenticated
	if err != nil {
		t.Fatalf("StartWith: %v", err)
	}
	t.Cleanup(b.Close)
	host, port, err := net.SplitHostPort(b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if host != "127.0.0.1" || port == "0" {
		t.Fatalf("Addr() = %q, want 127.0.0.1 and the chosen port", b.Addr())
	}
	// Clients bootstrap from it and follow the advertised address.
	props, err := opts.ClientProps()
	if err != nil {
		t.Fatal(err)
	}
	l, err := kafkalog.Open(t.Context(), kafkalog.Config{Brokers: []string{b.Addr()}, Topic: "wild", Partitions: 1,
		ClientConfig: func() *sarama.Config { return clientConfig(t, props) }, OnRecord: func(_, _ []byte) {}})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestListenFailure(t *testing.T) {
	b := start(t, "127.0.0.1:0", t.TempDir())
	if _, err := embedded.Start(b.Addr(), t.TempDir(), nil); err == nil {
		t.Fatal("second broker on a used port started")
	}
}
