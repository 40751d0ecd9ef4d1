package embedded

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
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

// ErrUnauthenticated is returned by StartWith for a listener reachable
// beyond loopback on a broker that does not authenticate its clients.
var ErrUnauthenticated = errors.New("a listener beyond loopback needs SASL authentication")

// Options configure a broker.
type Options struct {
	// Listen is "host:port" (default 127.0.0.1:9092; port 0 picks a free
	// port). A host beyond loopback needs User.
	Listen string
	// DataDir is where the broker persists its state.
	DataDir string
	Logger  *slog.Logger
	// User and Password, when User is set, are the SCRAM-SHA-512
	// superuser every client must authenticate as (SASL_PLAINTEXT, or
	// SASL_SSL with TLS).
	User, Password string
	// TLS, when set, is the listener's server configuration; it must hold
	// the broker's certificate.
	TLS *tls.Config
}

// Start runs a plaintext broker on listen that authenticates nobody; see
// StartWith.
func Start(listen, dataDir string, logger *slog.Logger) (*Broker, error) {
	return StartWith(Options{Listen: listen, DataDir: dataDir, Logger: logger})
}

// StartWith runs a single-node broker that persists its state under
// opts.DataDir. A broker started again on the same DataDir has the topics,
// configs, records and committed group offsets of the previous one. Like a
// Kafka broker with its default settings, it creates a missing topic (one
// partition) when a client asks for its metadata and allows creation. A
// listener beyond loopback without opts.User is refused (ErrUnauthenticated).
func StartWith(opts Options) (*Broker, error) {
	listen, dataDir, logger := opts.Listen, opts.DataDir, opts.Logger
	if listen == "" {
		listen = DefaultListen
	}
	if dataDir == "" {
		return nil, fmt.Errorf("starting embedded broker: no data directory")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	clientProps, err := opts.ClientProps()
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker: %w", err)
	}
	sec, err := security.Parse(clientProps, security.Options{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker: its own clients' security: %w", err)
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker: listening on %s: %w", listen, err)
	}
	bound := ln.Addr().(*net.TCPAddr)
	if !bound.IP.IsLoopback() && opts.User == "" {
		ln.Close()
		return nil, fmt.Errorf("starting embedded broker: listening on %s: %w", bound, ErrUnauthenticated)
	}
	adv := advertised(bound)
	used := false
	listenFn := func(string, string) (net.Listener, error) {
		if used { // one broker, one listener
			return nil, fmt.Errorf("embedded broker listens only once")
		}
		used = true
		if opts.User != "" {
			return &advertisedListener{Listener: &saslListener{Listener: ln, tls: opts.TLS, mechanisms: []string{saslMechanism}}, addr: adv}, nil
		}
		return &advertisedListener{Listener: ln, addr: adv}, nil
	}
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.ListenFn(listenFn),
		kfake.DataDir(dataDir),
		kfake.DefaultNumPartitions(1),
		kfake.ClusterID(newClusterID()), // ignored when dataDir holds a cluster
		kfake.BrokerConfigs(map[string]string{"log.cleaner.backoff.ms": "30000"}),
		kfake.WithLogger(kfakeLogger{logger}),
	}
	if opts.User != "" {
		kopts = append(kopts, kfake.EnableSASL(), kfake.Superuser(saslMechanism, opts.User, opts.Password))
	}
	if opts.TLS != nil && opts.User == "" {
		kopts = append(kopts, kfake.TLS(opts.TLS))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("starting embedded broker: %w", err)
	}
	clientConfig := func() *sarama.Config { return kafkaclient.NewClientConfig("tributary-embedded", sec) }
	var versions *apiVersions
	if opts.User != "" {
		versions = advertiseHandshakeV0(c)
	}
	createTopicsOnFirstUse(c, logger.With("component", "embedded-broker"))
	b := &Broker{cluster: c, addr: adv.String(), stopReaper: make(chan struct{}), reaperDone: make(chan struct{})}
	if versions != nil {
		if err := versions.load(b.addr, sec.TLS); err != nil {
			c.Close()
			return nil, fmt.Errorf("starting embedded broker: %w", err)
		}
	}
	reaper := newMemberReaper(b.addr, clientConfig, c.GroupInfo, logger.With("component", "embedded-broker"))
	reaper.watch(c)
	go func() {
		defer close(b.reaperDone)
		reaper.run(b.stopReaper, time.Second)
	}()
	if b.clusterID, err = fetchClusterID(b.addr, clientConfig()); err != nil {
		b.Close()
		return nil, fmt.Errorf("starting embedded broker: %w", err)
	}
	logger.Info("embedded Kafka broker started", "addr", b.addr, "data_dir", dataDir, "cluster_id", b.clusterID,
		"security_protocol", sec.Protocol)
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
func fetchClusterID(addr string, cfg *sarama.Config) (string, error) {
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
