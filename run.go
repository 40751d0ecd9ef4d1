package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/configprovider"
	"github.com/tributary-cdc/tributary/connect/embedded"
	"github.com/tributary-cdc/tributary/connect/herder"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/loglevel"
	"github.com/tributary-cdc/tributary/connect/membership"
	"github.com/tributary-cdc/tributary/connect/schemaregistry"
	"github.com/tributary-cdc/tributary/connect/storage"
	"github.com/tributary-cdc/tributary/connect/worker"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/rest"
	"github.com/tributary-cdc/tributary/schema/converters"
	"github.com/tributary-cdc/tributary/transforms"
)

// version is the Kafka Connect version reported by GET /.
const version = "3.9.0"

// Embedded schema registry listener property and its default.
const (
	propEmbeddedRegistryListeners = "embedded.schema.registry.listeners"
	defaultEmbeddedRegistryURL    = "http://127.0.0.1:8081"
)

// run starts a worker and blocks until ctx is cancelled, then shuts down in
// order: stop accepting REST requests, stop the tasks (draining in-flight
// records and committing their offsets), close the stores and Kafka clients,
// and finally stop the embedded broker.
func run(ctx context.Context, args, environ []string) error {
	var path string
	switch len(args) {
	case 0:
	case 1:
		path = args[0]
	default:
		return errors.New("usage: tributary [worker.properties]")
	}
	cfg, unknown, err := workerconfig.Load(path, environ)
	if err != nil {
		return fmt.Errorf("loading worker config: %w", err)
	}
	levels := loglevel.NewRegistry(slog.LevelInfo)
	log := slog.New(levels.Handler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: loglevel.LevelTrace})))
	for _, k := range unknown {
		log.Warn("the configuration was supplied but isn't a known config", "property", k)
	}

	producerSettings, ignoredProducer, err := kafkaclient.ParseProducerSettings(
		kafkaclient.DefaultProducerSettings(), cfg.Props, kafkaclient.WorkerProducerPrefix)
	if err != nil {
		return fmt.Errorf("loading worker config: %w", err)
	}
	if len(ignoredProducer) > 0 {
		log.Warn("ignoring producer settings Tributary does not support", "properties", ignoredProducer)
	}

	transformer, err := configprovider.New(cfg.Props, configprovider.EnvLookup(environ))
	if err != nil {
		return fmt.Errorf("configuring config providers: %w", err)
	}

	if cfg.ExactlyOnceSource == workerconfig.ExactlyOnceEnabled && len(cfg.BootstrapServers) == 0 {
		// kfake writes a committing transaction's markers partition by
		// partition and, after a crash, aborts every partition that lacks
		// one: a transaction cut by the death of this process could keep
		// its offsets and lose its records.
		return errors.New("loading worker config: exactly.once.source.support=enabled needs a Kafka cluster " +
			"(bootstrap.servers): the embedded broker cannot complete a transaction that was committing when its " +
			"process died, so a crash could lose the transaction's records while keeping their offsets")
	}
	brokers := cfg.BootstrapServers
	if len(brokers) == 0 {
		b, err := embedded.Start(cfg.EmbeddedKafkaListeners, cfg.EmbeddedDataDir, log.With("component", "embedded-broker"))
		if err != nil {
			return fmt.Errorf("starting the embedded broker: %w", err)
		}
		defer b.Close()
		brokers = []string{b.Addr()}
	}
	convFactory := &converters.Factory{}
	if len(cfg.BootstrapServers) == 0 {
		url, closeRegistry, err := startEmbeddedRegistry(ctx, cfg, brokers, log)
		if err != nil {
			return err
		}
		defer closeRegistry()
		convFactory.EmbeddedRegistryURL = url
	}

	clientID := "tributary-" + cfg.GroupID
	client, err := sarama.NewClient(brokers, kafkaclient.NewConfig(clientID))
	if err != nil {
		return fmt.Errorf("connecting to Kafka at %v: %w", brokers, err)
	}
	defer client.Close()
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return fmt.Errorf("creating Kafka admin client: %w", err)
	}
	clusterID, err := kafkaClusterID(client)
	if err != nil {
		return err
	}

	// With exactly-once source support, offsets (and configs) are written in
	// transactions: read only what committed.
	exactlyOnce := cfg.ExactlyOnceSource == workerconfig.ExactlyOnceEnabled
	logCfg := func(topic string, partitions int32, rf int16) kafkalog.Config {
		return kafkalog.Config{Brokers: brokers, Topic: topic, Partitions: partitions, ReplicationFactor: rf,
			ClientID: clientID, Logger: log.With("component", "kafkalog", "topic", topic), ReadCommitted: exactlyOnce}
	}
	offsets, err := storage.OpenOffsetStore(ctx, logCfg(cfg.OffsetTopic, cfg.OffsetPartitions, cfg.OffsetReplicationFactor))
	if err != nil {
		return fmt.Errorf("opening offset store: %w", err)
	}
	defer offsets.Close()
	// Config records written by other workers reach the herder through
	// onChange; those read before it exists are covered by its first
	// assignment.
	var changes atomic.Pointer[herder.Herder]
	onChange := func(name string) {
		if h := changes.Load(); h != nil {
			h.ConfigChanged(name)
		}
	}
	configs, err := storage.OpenConfigStore(ctx, logCfg(cfg.ConfigTopic, 1, cfg.ConfigReplicationFactor), onChange)
	if err != nil {
		return fmt.Errorf("opening config store: %w", err)
	}
	defer configs.Close()
	statuses, err := storage.OpenStatusStore(ctx, logCfg(cfg.StatusTopic, cfg.StatusPartitions, cfg.StatusReplicationFactor))
	if err != nil {
		return fmt.Errorf("opening status store: %w", err)
	}
	defer statuses.Close()

	listeners, err := listenAll(cfg.Listeners)
	if err != nil {
		return err
	}
	workerID := advertisedWorkerID(cfg, listeners[0])
	var group *membership.Group

	h := herder.New(herder.Config{
		WorkerID:            workerID,
		Plugins:             []func() connect.Connector{func() connect.Connector { return postgres.New() }},
		Transformations:     transforms.Plugins(),
		Predicates:          transforms.PredicatePlugins(),
		Converters:          newConverterFunc(convFactory),
		KeyConverter:        cfg.KeyConverter,
		ValueConverter:      cfg.ValueConverter,
		KeyConverterProps:   cfg.KeyConverterProps,
		ValueConverterProps: cfg.ValueConverterProps,
		Configs:             configs,
		Statuses:            statuses,
		Offsets:             offsets,
		Transformer:         transformer,
		NewProducer: func(s kafkaclient.ProducerSettings) (sarama.AsyncProducer, error) {
			return kafkaclient.NewProducer(brokers, clientID, s)
		},
		ProducerSettings: producerSettings,
		ExactlyOnce:      exactlyOnce,
		GroupID:          cfg.GroupID,
		NewTransactionalProducer: func(transactionalID string, s kafkaclient.ProducerSettings) (sarama.AsyncProducer, error) {
			return kafkaclient.NewTransactionalProducer(brokers, clientID, transactionalID, s)
		},
		FenceProducers: func(ids []string) error { return kafkaclient.FenceTransactionalIDs(client, ids) },
		Admin:          admin,
		Client:         client,
		OnTaskCount:    memoryLimiter(environ),
		FlushInterval:  cfg.OffsetFlushInterval,
		FlushTimeout:   cfg.OffsetFlushTimeout,
		Clustered:      true,
		ConfigOffset: func(context.Context) (int64, error) {
			next, err := client.GetOffset(cfg.ConfigTopic, 0, sarama.OffsetNewest)
			return next - 1, err
		},
		OnWorkChanged:         func() { group.Rejoin() },
		TopicTrackingDisabled: !cfg.TopicTrackingEnable,
		TopicCreationDisabled: !cfg.TopicCreationEnable,
		Loggers:               levels,
		ServerInfo:            herder.ServerInfo{Version: version, Commit: commit(), KafkaClusterID: clusterID},
		Logger:                log,
	})
	changes.Store(h)
	configs.SetListener(h)
	group = membership.New(membership.Config{
		Client: client, GroupID: cfg.GroupID, URL: "http://" + workerID,
		SessionTimeout: cfg.SessionTimeout, HeartbeatInterval: cfg.HeartbeatInterval, RebalanceTimeout: cfg.RebalanceTimeout,
		Handler: h, Logger: log,
	})
	if err := h.Start(ctx); err != nil {
		for _, l := range listeners {
			l.Close()
		}
		h.Stop()
		return err
	}

	handler := rest.NewHandler(rest.Config{Herder: restHerder{h}, Logger: log.With("component", "rest"), Loggers: levels,
		TopicTrackingDisabled: !cfg.TopicTrackingEnable, TopicTrackingResetDisabled: !cfg.TopicTrackingAllowReset})
	servers := make([]*http.Server, len(listeners))
	var wg sync.WaitGroup
	serveErr := make(chan error, len(listeners))
	for i, l := range listeners {
		servers[i] = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		wg.Go(func() {
			if err := servers[i].Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr <- fmt.Errorf("serving REST on %s: %w", l.Addr(), err)
			}
		})
		log.Info("REST API listening", "addr", l.Addr().String())
	}
	group.Start()
	log.Info("worker started", "worker_id", workerID, "group_id", cfg.GroupID, "kafka", brokers)

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-serveErr:
	}

	// 1. Stop intake: no new REST requests; in-flight ones get a moment.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil {
			s.Close()
		}
	}
	wg.Wait()
	// 2. Stop tasks: each drains, writes its offsets and commits them.
	h.Stop()
	// 3. Leave the group, so that the others take the work over at once.
	group.Close()
	// 4. Deferred: stores, Kafka clients, then the embedded broker.
	log.Info("worker stopped")
	return runErr
}

// kafkaClusterID asks a broker for the cluster id reported by GET /.
func kafkaClusterID(client sarama.Client) (string, error) {
	for _, b := range client.Brokers() {
		if err := b.Open(client.Config()); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
			continue
		}
		resp, err := b.GetMetadata(&sarama.MetadataRequest{Version: 2})
		if err != nil {
			continue
		}
		if resp.ClusterID != nil {
			return *resp.ClusterID, nil
		}
	}
	return "", errors.New("reading the Kafka cluster id: no broker answered")
}

// listenAll opens a TCP listener for every http:// URL in listeners.
func listenAll(urls []string) ([]net.Listener, error) {
	var out []net.Listener
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" {
			for _, l := range out {
				l.Close()
			}
			return nil, fmt.Errorf("invalid value %s for configuration listeners: only http:// listeners are supported", raw)
		}
		l, err := net.Listen("tcp", u.Host)
		if err != nil {
			for _, l := range out {
				l.Close()
			}
			return nil, fmt.Errorf("listening on %s: %w", raw, err)
		}
		out = append(out, l)
	}
	return out, nil
}

// advertisedWorkerID is the host:port other workers and status records use:
// rest.advertised.host.name/port when set, else the machine's host name and
// the first listener's port.
func advertisedWorkerID(cfg *workerconfig.Config, l net.Listener) string {
	host := cfg.AdvertisedHostName
	if host == "" {
		if lh, _, err := net.SplitHostPort(l.Addr().String()); err == nil && lh != "" && !net.ParseIP(lh).IsUnspecified() {
			host = lh
		} else if hn, err := os.Hostname(); err == nil {
			host = hn
		}
	}
	port := cfg.AdvertisedPort
	if port == 0 {
		port = l.Addr().(*net.TCPAddr).Port
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// newConverterFunc adapts the converter factory to the herder.
func newConverterFunc(f *converters.Factory) herder.ConverterFactory {
	return func(class string, props map[string]string, isKey bool) (worker.Converter, error) {
		return f.New(class, props, isKey)
	}
}

// startEmbeddedRegistry opens the schema registry stored in the embedded
// broker's _schemas topic and serves it on the first of
// embedded.schema.registry.listeners, returning its URL.
func startEmbeddedRegistry(ctx context.Context, cfg *workerconfig.Config, brokers []string, log *slog.Logger) (string, func(), error) {
	listen, explicit := cfg.Props[propEmbeddedRegistryListeners]
	if listen == "" {
		listen, explicit = defaultEmbeddedRegistryURL, false
	}
	reg, err := schemaregistry.Open(ctx, schemaregistry.Config{Brokers: brokers, ClientID: "tributary-schema-registry",
		ReplicationFactor: -1, Logger: log.With("component", "schema-registry")})
	if err != nil {
		return "", nil, fmt.Errorf("starting the embedded schema registry: %w", err)
	}
	first, _, _ := strings.Cut(listen, ",")
	url, err := reg.Listen(strings.TrimSpace(first))
	if err != nil {
		reg.Close()
		if !explicit {
			// Only the default port is taken: run without a registry.
			log.Warn("embedded schema registry not started", "err", err)
			return "", func() {}, nil
		}
		return "", nil, fmt.Errorf("starting the embedded schema registry: %w", err)
	}
	log.Info("embedded schema registry listening", "url", url)
	return url, func() { reg.Close() }, nil
}

// restHerder adapts the herder's plugin and server descriptions to the REST
// layer's types.
type restHerder struct{ *herder.Herder }

func (h restHerder) ServerInfo() rest.ServerInfo {
	si := h.Herder.ServerInfo()
	return rest.ServerInfo{Version: si.Version, Commit: si.Commit, KafkaClusterID: si.KafkaClusterID}
}

func (h restHerder) Plugins() []rest.PluginInfo {
	pg := postgres.New()
	out := []rest.PluginInfo{
		{Class: pg.Class(), Type: pg.Type(), Version: pg.Version()},
	}
	for _, c := range converters.Classes {
		out = append(out, rest.PluginInfo{Class: c, Type: rest.PluginConverter, Version: version})
	}
	for _, t := range transforms.Plugins() {
		out = append(out, rest.PluginInfo{Class: t.Class, Type: rest.PluginTransformation, Version: version})
	}
	for _, p := range transforms.PredicatePlugins() {
		out = append(out, rest.PluginInfo{Class: p.Class, Type: rest.PluginPredicate, Version: version})
	}
	return out
}
