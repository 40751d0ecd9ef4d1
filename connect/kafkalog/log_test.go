package kafkalog_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

// collector records what OnRecord saw.
type collector struct {
	mu      sync.Mutex
	records []rec
	latest  map[string][]byte
}

type rec struct {
	key, value string
	tombstone  bool
}

func newCollector() *collector { return &collector{latest: map[string][]byte{}} }

func (c *collector) onRecord(key, value []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, rec{string(key), string(value), value == nil})
	if value == nil {
		delete(c.latest, string(key))
	} else {
		c.latest[string(key)] = value
	}
}

func (c *collector) snapshot() ([]rec, map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]string, len(c.latest))
	for k, v := range c.latest {
		m[k] = string(v)
	}
	return append([]rec(nil), c.records...), m
}

func open(t *testing.T, brokers []string, topic string, parts int32, c *collector) *kafkalog.Log {
	t.Helper()
	l, err := kafkalog.Open(t.Context(), kafkalog.Config{
		Brokers: brokers, Topic: topic, Partitions: parts, ReplicationFactor: -1,
		ClientID: "test", OnRecord: c.onRecord,
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestOpenCreatesCompactedTopic(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	l := open(t, brokers, "log-topic", 7, newCollector())
	if got := l.Partitions(); got != 7 {
		t.Fatalf("Partitions() = %d, want 7", got)
	}

	admin, err := sarama.NewClusterAdmin(brokers, kafkaclient.NewConfig("check"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	md, err := admin.DescribeTopics([]string{"log-topic"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(md[0].Partitions); n != 7 {
		t.Errorf("topic has %d partitions, want 7", n)
	}
	entries, err := kafkaclient.TopicConfig(admin, "log-topic")
	if err != nil {
		t.Fatal(err)
	}
	var policy string
	for _, e := range entries {
		if e.Name == "cleanup.policy" {
			policy = e.Value
		}
	}
	if policy != "compact" {
		t.Errorf("cleanup.policy = %q, want compact", policy)
	}
}

func TestSendReadToEndAndReopen(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	ctx := t.Context()
	c := newCollector()
	l := open(t, brokers, "log-rw", 5, c)

	const n = 50
	for i := range n {
		if err := l.Send(ctx, fmt.Appendf(nil, "k%d", i%10), fmt.Appendf(nil, "v%d", i)); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if err := l.Send(ctx, []byte("k3"), nil); err != nil {
		t.Fatalf("Send tombstone: %v", err)
	}
	if err := l.ReadToEnd(ctx); err != nil {
		t.Fatalf("ReadToEnd: %v", err)
	}
	recs, latest := c.snapshot()
	if len(recs) != n+1 {
		t.Fatalf("OnRecord saw %d records, want %d", len(recs), n+1)
	}
	assertLatest(t, latest)
	// Per key (one partition each), values arrive in write order.
	last := map[string]int{}
	for _, r := range recs {
		if r.tombstone {
			continue
		}
		var i int
		fmt.Sscanf(r.value, "v%d", &i)
		if prev, ok := last[r.key]; ok && prev > i {
			t.Fatalf("key %s: v%d after v%d", r.key, i, prev)
		}
		last[r.key] = i
	}
	if !recs[len(recs)-1].tombstone && !hasTombstone(recs, "k3") {
		t.Fatal("tombstone for k3 not delivered as nil value")
	}

	// A second Log over the same topic reads everything during Open.
	c2 := newCollector()
	open(t, brokers, "log-rw", 5, c2)
	recs2, latest2 := c2.snapshot()
	if len(recs2) != n+1 {
		t.Fatalf("reopened log saw %d records, want %d", len(recs2), n+1)
	}
	assertLatest(t, latest2)
}

func hasTombstone(recs []rec, key string) bool {
	for _, r := range recs {
		if r.key == key && r.tombstone {
			return true
		}
	}
	return false
}

func assertLatest(t *testing.T, latest map[string]string) {
	t.Helper()
	if len(latest) != 9 {
		t.Fatalf("latest has %d keys, want 9: %v", len(latest), latest)
	}
	for k := range 10 {
		key := fmt.Sprintf("k%d", k)
		if k == 3 {
			if _, ok := latest[key]; ok {
				t.Errorf("k3 survived its tombstone")
			}
			continue
		}
		if want := fmt.Sprintf("v%d", 40+k); latest[key] != want {
			t.Errorf("latest[%s] = %q, want %q", key, latest[key], want)
		}
	}
}

func TestSendAndApplyIsVisible(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	c := newCollector()
	l := open(t, brokers, "log-apply", 3, c)
	for i := range 20 {
		key, val := fmt.Sprintf("key-%d", i), fmt.Sprintf("val-%d", i)
		if err := l.SendAndApply(t.Context(), []byte(key), []byte(val)); err != nil {
			t.Fatalf("SendAndApply: %v", err)
		}
		if _, latest := c.snapshot(); latest[key] != val {
			t.Fatalf("after SendAndApply, %s = %q, want %q", key, latest[key], val)
		}
	}
}

func TestTailSeesOtherWriters(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	c := newCollector()
	l := open(t, brokers, "log-tail", 2, c)

	p, err := sarama.NewSyncProducer(brokers, kafkaclient.NewConfig("other"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, _, err = p.SendMessage(&sarama.ProducerMessage{Topic: "log-tail", Key: sarama.StringEncoder("x"), Value: sarama.StringEncoder("from-other")})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.ReadToEnd(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, latest := c.snapshot(); latest["x"] != "from-other" {
		t.Fatalf("latest[x] = %q, want from-other", latest["x"])
	}
}

func TestReadToEndAfterCompaction(t *testing.T) {
	cluster := kafkatest.StartCluster(t)
	brokers := cluster.ListenAddrs()
	c := newCollector()
	l := open(t, brokers, "log-compact", 1, c)
	ctx := t.Context()
	for _, kv := range [][2]string{{"a", "1"}, {"b", "1"}, {"a", "2"}, {"c", "1"}, {"b", "2"}} {
		if err := l.Send(ctx, []byte(kv[0]), []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Send(ctx, []byte("c"), nil); err != nil {
		t.Fatal(err)
	}
	// The last batch is the active segment and is never cleaned.
	if err := l.Send(ctx, []byte("z"), []byte("end")); err != nil {
		t.Fatal(err)
	}
	cluster.Compact()

	c2 := newCollector()
	open(t, brokers, "log-compact", 1, c2)
	recs, latest := c2.snapshot()
	want := map[string]string{"a": "2", "b": "2", "z": "end"}
	if fmt.Sprint(latest) != fmt.Sprint(want) {
		t.Fatalf("after compaction latest = %v, want %v", latest, want)
	}
	if len(recs) >= 7 {
		t.Fatalf("compaction removed nothing: %d records read", len(recs))
	}
}

func TestRejectsNonCompactedTopic(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	admin, err := sarama.NewClusterAdmin(brokers, kafkaclient.NewConfig("admin"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := kafkaclient.EnsureTopic(t.Context(), admin, "plain", 1, -1, map[string]string{"cleanup.policy": "delete"}); err != nil {
		t.Fatal(err)
	}
	_, err = kafkalog.Open(t.Context(), kafkalog.Config{Brokers: brokers, Topic: "plain", OnRecord: func(_, _ []byte) {}})
	if err == nil {
		t.Fatal("Open accepted a topic with cleanup.policy=delete")
	}
}

func TestEnsureTopicExistingIsSuccess(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	admin, err := sarama.NewClusterAdmin(brokers, kafkaclient.NewConfig("admin"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for range 2 {
		if err := kafkaclient.EnsureTopic(t.Context(), admin, "twice", 3, -1, nil); err != nil {
			t.Fatalf("EnsureTopic: %v", err)
		}
	}
	md, err := admin.DescribeTopics([]string{"twice"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(md[0].Partitions); n != 3 {
		t.Fatalf("%d partitions, want 3", n)
	}
}

func TestClosedLog(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	l := open(t, brokers, "log-closed", 1, newCollector())
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := l.Send(t.Context(), []byte("k"), []byte("v")); !errors.Is(err, kafkalog.ErrClosed) {
		t.Fatalf("Send after Close = %v, want ErrClosed", err)
	}
	if err := l.ReadToEnd(t.Context()); !errors.Is(err, kafkalog.ErrClosed) {
		t.Fatalf("ReadToEnd after Close = %v, want ErrClosed", err)
	}
}

func TestSendHonoursContext(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	l := open(t, brokers, "log-ctx", 1, newCollector())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := l.Send(ctx, []byte("k"), []byte("v")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with cancelled ctx = %v, want context.Canceled", err)
	}
	if err := l.ReadToEnd(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadToEnd with cancelled ctx = %v", err)
	}
}

// Close ends every goroutine the Log started, including sarama's.
func TestCloseStopsGoroutines(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	l := open(t, brokers, "log-leak", 4, newCollector())
	if err := l.Send(t.Context(), []byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := l.ReadToEnd(t.Context()); err != nil {
		t.Fatal(err)
	}
	if leaked := ownGoroutines(); leaked == "" {
		t.Fatal("no sarama or kafkalog goroutine found while the log is open; the check is blind")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Some goroutines finish just after Close returns (sarama closes a
	// connection's reader asynchronously); wait for them with a deadline.
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		leaked := ownGoroutines()
		if leaked == "" {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("goroutines left after Close:\n%s", leaked)
		case <-tick.C:
		}
	}
}

// ownGoroutines returns the stacks of goroutines running sarama or kafkalog
// code (the broker is kfake and appears in neither).
func ownGoroutines() string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "TestCloseStopsGoroutines") {
			continue
		}
		if strings.Contains(g, "github.com/IBM/sarama") || strings.Contains(g, "connect/kafkalog.(*Log)") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

func BenchmarkSend(b *testing.B) {
	brokers := kafkatest.NewCluster(b)
	l, err := kafkalog.Open(b.Context(), kafkalog.Config{Brokers: brokers, Topic: "bench", Partitions: 25, OnRecord: func(_, _ []byte) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	value := make([]byte, 200)
	b.Run("sequential", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := l.Send(b.Context(), fmt.Appendf(nil, "key-%d", i%1000), value); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("apply", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if err := l.SendAndApply(b.Context(), fmt.Appendf(nil, "key-%d", i%1000), value); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				i++
				if err := l.Send(b.Context(), fmt.Appendf(nil, "key-%d", i%1000), value); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// A log's clients are built by ClientConfig: here with SASL PLAIN against
// a broker that refuses unauthenticated clients.
func TestClientConfigSecuresEveryClient(t *testing.T) {
	brokers := kafkatest.StartCluster(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "worker", "worker-secret")).ListenAddrs()
	sec, err := security.Parse(map[string]string{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
		"sasl.jaas.config": security.PlainLoginModule + ` required username="worker" password="worker-secret";`}, security.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newCollector()
	l, err := kafkalog.Open(t.Context(), kafkalog.Config{Brokers: brokers, Topic: "secured-log", OnRecord: c.onRecord,
		ClientConfig: func() *sarama.Config { return kafkaclient.NewClientConfig("test", sec) }})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	if err := l.Send(t.Context(), []byte("k"), []byte("v")); err != nil {
		t.Fatal(err)
	}
	if err := l.ReadToEnd(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, latest := c.snapshot(); latest["k"] != "v" {
		t.Fatalf("read back %v", latest)
	}
	// Without it the broker refuses the log's clients.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if l, err := kafkalog.Open(ctx, kafkalog.Config{Brokers: brokers, Topic: "secured-log", OnRecord: c.onRecord, ClientID: "plain"}); err == nil {
		l.Close()
		t.Fatal("a plaintext client opened the log on a SASL listener")
	}
}
