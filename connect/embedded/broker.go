package embedded

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// DefaultListen is where the broker listens when no address is given.
const DefaultListen = "127.0.0.1:9092"

// Broker is a running embedded broker.
type Broker struct {
	cluster    *kfake.Cluster
	addr       string
	clusterID  string
	stopReaper chan struct{}
	reaperDone chan struct{}
	closeOnce  sync.Once
}

// Start runs a single-node broker listening on listen ("host:port", default
// 127.0.0.1:9092; port 0 picks a free port) that persists its state under
// dataDir. A broker started again on the same dataDir has the topics,
// configs, records and committed group offsets of the previous one. Like a
// Kafka broker with its default settings, it creates a missing topic (one
// partition) when a client asks for its metadata and allows creation.
func Start(listen, dataDir string, logger *slog.Logger) (*Broker, error) {
	if listen == "" {
		listen = DefaultListen
	}
	if dataDir == "" {
		return nil, fmt.Errorf("starting embedded broker: no data directory")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker: listening on %s: %w", listen, err)
	}
	adv := advertised(ln.Addr().(*net.TCPAddr))
	used := false
	listenFn := func(string, string) (net.Listener, error) {
		if used { // one broker, one listener
			return nil, fmt.Errorf("embedded broker listens only once")
		}
		used = true
		return &advertisedListener{Listener: ln, addr: adv}, nil
	}
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.ListenFn(listenFn),
		kfake.DataDir(dataDir),
		kfake.DefaultNumPartitions(1),
		kfake.ClusterID(newClusterID()), // ignored when dataDir holds a cluster
		kfake.BrokerConfigs(map[string]string{"log.cleaner.backoff.ms": "30000"}),
		kfake.WithLogger(kfakeLogger{logger}),
	)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("starting embedded broker: %w", err)
	}
	createTopicsOnFirstUse(c, logger.With("component", "embedded-broker"))
	b := &Broker{cluster: c, addr: adv.String(), stopReaper: make(chan struct{}), reaperDone: make(chan struct{})}
	reaper := newMemberReaper(b.addr, c.GroupInfo, logger.With("component", "embedded-broker"))
	reaper.watch(c)
	go func() {
		defer close(b.reaperDone)
		reaper.run(b.stopReaper, time.Second)
	}()
	if b.clusterID, err = fetchClusterID(b.addr); err != nil {
		b.Close()
		return nil, fmt.Errorf("starting embedded broker: %w", err)
	}
	logger.Info("embedded Kafka broker started", "addr", b.addr, "data_dir", dataDir, "cluster_id", b.clusterID)
	return b, nil
}

// Addr is the "host:port" clients should bootstrap from.
func (b *Broker) Addr() string { return b.addr }

// ClusterID is the cluster's id, stable across restarts on one data dir.
func (b *Broker) ClusterID() string { return b.clusterID }

// Close writes the broker's state to its data directory and stops it.
func (b *Broker) Close() {
	b.closeOnce.Do(func() {
		close(b.stopReaper)
		<-b.reaperDone
		b.cluster.Close()
	})
}

// advertised is the address put in metadata: the listening address, with a
// wildcard host replaced by loopback so clients can dial it.
func advertised(a *net.TCPAddr) *net.TCPAddr {
	if a.IP == nil || a.IP.IsUnspecified() {
		return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: a.Port}
	}
	return a
}

// advertisedListener reports the advertised address as its own: kfake puts
// its listener's address in metadata responses.
type advertisedListener struct {
	net.Listener
	addr net.Addr
}

func (l *advertisedListener) Addr() net.Addr { return l.addr }

// newClusterID returns a random id in Kafka's format (a base64url UUID).
func newClusterID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// fetchClusterID asks the broker for its cluster id, which kfake takes from
// the data directory when it restarts over one.
func fetchClusterID(addr string) (string, error) {
	cfg := kafkaclient.NewConfig("tributary-embedded")
	br := sarama.NewBroker(addr)
	if err := br.Open(cfg); err != nil {
		return "", fmt.Errorf("connecting to %s: %w", addr, err)
	}
	defer func() { _ = br.Close() }()
	resp, err := br.GetMetadata(sarama.NewMetadataRequest(cfg.Version, nil))
	if err != nil {
		return "", fmt.Errorf("reading cluster id: %w", err)
	}
	if resp.ClusterID == nil {
		return "", fmt.Errorf("reading cluster id: none in metadata")
	}
	return *resp.ClusterID, nil
}

// kfakeLogger sends kfake's log lines to slog.
type kfakeLogger struct{ l *slog.Logger }

func (k kfakeLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	var lvl slog.Level
	switch level {
	case kfake.LogLevelError:
		lvl = slog.LevelError
	case kfake.LogLevelWarn:
		lvl = slog.LevelWarn
	case kfake.LogLevelInfo: // kfake logs every request at info
		lvl = slog.LevelDebug
	default:
		lvl = slog.LevelDebug - 4
	}
	ctx := context.Background()
	if !k.l.Enabled(ctx, lvl) {
		return
	}
	k.l.Log(ctx, lvl, fmt.Sprintf(format, args...))
}
