package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect/configprovider"
	"github.com/tributary-cdc/tributary/connect/embedded"
	"github.com/tributary-cdc/tributary/connect/herder"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/kafkalog"
	"github.com/tributary-cdc/tributary/connect/loglevel"
	"github.com/tributary-cdc/tributary/connect/membership"
	"github.com/tributary-cdc/tributary/connect/storage"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/internal/httpserve"
	"github.com/tributary-cdc/tributary/rest"
	"github.com/tributary-cdc/tributary/schema/converters"
)

// Version is the Kafka Connect version reported by GET /.
const Version = "3.9.0"

// Options say where a worker's configuration comes from.
type Options struct {
	// ConfigPath is the worker properties file; empty for the defaults.
	ConfigPath string
	// Environ is the process environment (KEY=value): CONNECT_* variables
	// override the file, and config providers and the memory limit read it.
	Environ []string
	// LogOutput receives the worker's log; os.Stderr when nil.
	LogOutput io.Writer
}

// App is one worker: its Kafka clients and internal-topic stores, the
// embedded broker and schema registry when no bootstrap.servers is
// configured, the herder and its group membership, and the REST listeners.
// New acquires all of it, Run serves until its context ends and then shuts
// down, and Close releases whatever New acquired.
type App struct {
	cfg       *workerconfig.Config
	log       *slog.Logger
	brokers   []string
	registry  string // the embedded registry's URL, if one runs
	workerID  string // host:port, as other workers and status records name it
	herder    *herder.Herder
	group     *membership.Group
	listeners []net.Listener
	// limits bound the REST servers: timeouts, header size, connections.
	limits  httpserve.Limits
	handler http.Handler

	ran       atomic.Bool
	closeOnce sync.Once
	closers   []func() // in acquisition order; Close runs them backwards
}

// New loads the worker configuration and starts everything but the REST
// servers and the group membership: on error, what it started is released.
func New(ctx context.Context, opts Options) (_ *App, err error) {
	cfg, unknown, err := workerconfig.Load(opts.ConfigPath, opts.Environ)
	if err != nil {
		return nil, fmt.Errorf("loading worker config: %w", err)
	}
	out := opts.LogOutput
	if out == nil {
		out = os.Stderr
	}
	levels := loglevel.NewRegistry(slog.LevelInfo)
	log := slog.New(levels.Handler(loglevel.NewOutput(out, cfg.LogFormat)))
	for _, k := range unknown {
		log.Warn("the configuration was supplied but isn't a known config", "property", k)
	}
	for _, w := range workerconfig.WithoutEffect(cfg.Props) {
		log.Warn("the configuration has no effect", "property", w[0], "reason", w[1])
	}
	a := &App{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	producerSettings, ignoredProducer, producerErrs := kafkaclient.ParseProducerSettings(
		kafkaclient.DefaultProducerSettings(), cfg.Props, kafkaclient.WorkerProducerPrefix)
	if len(producerErrs) > 0 {
		msgs := make([]string, len(producerErrs))
		for i, e := range producerErrs {
			msgs[i] = e.Message
		}
		return nil, fmt.Errorf("loading worker config: %s", strings.Join(msgs, "; "))
	}
	if len(ignoredProducer) > 0 {
		log.Warn("ignoring producer settings Tributary does not support", "properties", ignoredProducer)
	}
	transformer, err := configprovider.New(cfg.Props, configprovider.EnvLookup(opts.Environ))
	if err != nil {
		return nil, fmt.Errorf("configuring config providers: %w", err)
	}
	exactlyOnce := cfg.ExactlyOnceSource == workerconfig.ExactlyOnceEnabled
	if exactlyOnce && len(cfg.BootstrapServers) == 0 {
		// kfake writes a committing transaction's markers partition by
		// partition and, after a crash, aborts every partition that lacks
		// one: a transaction cut by the death of this process could keep
		// its offsets and lose its records.
		return nil, errors.New("loading worker config: exactly.once.source.support=enabled needs a Kafka cluster " +
			"(bootstrap.servers): the embedded broker cannot complete a transaction that was committing when its " +
			"process died, so a crash could lose the transaction's records while keeping their offsets")
	}

	// The clients' settings with the worker's config providers applied, as
	// Kafka resolves a worker's own properties (KIP-421): passwords and
	// JAAS lines often come from a file or the environment.
	clientProps, err := transformer.Transform(cfg.Props)
	if err != nil {
		return nil, fmt.Errorf("resolving worker config: %w", err)
	}
	policy, err := security.ParseOverridePolicy(clientProps[security.OverridePolicyConfig])
	if err != nil {
		return nil, fmt.Errorf("loading worker config: %w", err)
	}
	if len(cfg.BootstrapServers) == 0 {
		// The embedded broker listens in plaintext on loopback: a security
		// setting for it would be ignored, so it stops the worker.
		if err := embeddedSecurity(clientProps); err != nil {
			return nil, err
		}
	}
	sec, err := parseClientSecurity(clientProps, policy, cfg.BootstrapServers, log)
	if err != nil {
		return nil, fmt.Errorf("loading worker config: %w", err)
	}
	producerSettings.Security = sec.producer

	a.brokers = cfg.BootstrapServers
	convFactory := &converters.Factory{}
	if len(a.brokers) == 0 {
		b, err := embedded.Start(cfg.EmbeddedKafkaListeners, cfg.EmbeddedDataDir, log.With("component", "embedded-broker"))
		if err != nil {
			return nil, fmt.Errorf("starting the embedded broker: %w", err)
		}
		a.onClose(b.Close)
		a.brokers = []string{b.Addr()}
		url, closeRegistry, err := startEmbeddedRegistry(ctx, cfg, a.brokers, log)
		if err != nil {
			return nil, err
		}
		a.onClose(closeRegistry)
		a.registry = url
		convFactory.EmbeddedRegistryURL = url
	}

	clientID := "tributary-" + cfg.GroupID
	internalConfig := func() *sarama.Config { return kafkaclient.NewClientConfig(clientID, sec.internal) }
	if len(cfg.BootstrapServers) > 0 {
		// Before any client: a TLS or SASL failure names the broker, the
		// mechanism and the stage, where sarama would run out of brokers.
		if err := security.Check(ctx, internalConfig(), sec.internal, a.brokers); err != nil {
			return nil, fmt.Errorf("connecting to Kafka: %w", err)
		}
	}
	client, err := sarama.NewClient(a.brokers, internalConfig())
	if err != nil {
		return nil, fmt.Errorf("connecting to Kafka at %v: %w", a.brokers, err)
	}
	a.onClose(func() { _ = client.Close() })
	adminClient, err := sarama.NewClient(a.brokers, kafkaclient.NewClientConfig(clientID, sec.admin))
	if err != nil {
		return nil, fmt.Errorf("connecting the admin client to Kafka at %v: %w", a.brokers, err)
	}
	a.onClose(func() { _ = adminClient.Close() })
	admin, err := sarama.NewClusterAdminFromClient(adminClient)
	if err != nil {
		return nil, fmt.Errorf("creating Kafka admin client: %w", err)
	}
	clusterID, err := kafkaClusterID(client)
	if err != nil {
		return nil, err
	}

	// With exactly-once source support, offsets (and configs) are written
	// in transactions: read only what committed.
	logCfg := func(topic string, partitions int32, rf int16) kafkalog.Config {
		return kafkalog.Config{Brokers: a.brokers, Topic: topic, Partitions: partitions, ReplicationFactor: rf,
			ClientConfig: internalConfig, ClientID: clientID, Logger: log.With("component", "kafkalog", "topic", topic), ReadCommitted: exactlyOnce}
	}
	offsets, err := storage.OpenOffsetStore(ctx, logCfg(cfg.OffsetTopic, cfg.OffsetPartitions, cfg.OffsetReplicationFactor))
	if err != nil {
		return nil, fmt.Errorf("opening offset store: %w", err)
	}
	a.onClose(func() { _ = offsets.Close() })
	configs, err := storage.OpenConfigStore(ctx, logCfg(cfg.ConfigTopic, 1, cfg.ConfigReplicationFactor))
	if err != nil {
		return nil, fmt.Errorf("opening config store: %w", err)
	}
	a.onClose(func() { _ = configs.Close() })
	statuses, err := storage.OpenStatusStore(ctx, logCfg(cfg.StatusTopic, cfg.StatusPartitions, cfg.StatusReplicationFactor))
	if err != nil {
		return nil, fmt.Errorf("opening status store: %w", err)
	}
	a.onClose(func() { _ = statuses.Close() })

	if a.listeners, err = listenAll(cfg.Listeners); err != nil {
		return nil, err
	}
	a.onClose(func() {
		for _, l := range a.listeners {
			_ = l.Close()
		}
	})
	workerID := advertisedWorkerID(cfg, a.listeners[0])
	plugins := newPlugins()

	// The cycle: the group hands the herder its assignments and the herder
	// asks the group to rebalance; the config store tells the herder about
	// records other workers wrote. The group is built first, the herder
	// holds it, the store's listener is set once the herder exists (what
	// was read before is covered by its first assignment), and Run closes
	// the cycle with group.Start(herder).
	a.group = membership.New(membership.Config{
		Client: client, GroupID: cfg.GroupID, URL: "http://" + workerID,
		SessionTimeout: cfg.SessionTimeout, HeartbeatInterval: cfg.HeartbeatInterval, RebalanceTimeout: cfg.RebalanceTimeout,
		Logger: log,
	})

	h := herder.New(herder.Config{
		WorkerID:            workerID,
		Plugins:             plugins.connectors,
		Transformations:     plugins.transformations,
		Predicates:          plugins.predicates,
		Converters:          newConverterFunc(convFactory),
		ConverterConfigDef:  converters.ConfigDef,
		KeyConverter:        cfg.KeyConverter,
		ValueConverter:      cfg.ValueConverter,
		KeyConverterProps:   cfg.KeyConverterProps,
		ValueConverterProps: cfg.ValueConverterProps,
		Configs:             configs,
		Statuses:            statuses,
		Offsets:             offsets,
		Transformer:         transformer,
		NewProducer: func(s kafkaclient.ProducerSettings) (sarama.AsyncProducer, error) {
			return kafkaclient.NewProducer(a.brokers, clientID, s)
		},
		ProducerSettings: producerSettings,
		ProducerSecurity: func(connector map[string]string, log *slog.Logger) (*security.Config, []configdef.Error) {
			return kafkaclient.ProducerSecurity(clientProps, connector, policy, security.Options{Logger: log, Bootstrap: a.brokers})
		},
		ExactlyOnce: exactlyOnce,
		GroupID:     cfg.GroupID,
		NewTransactionalProducer: func(transactionalID string, s kafkaclient.ProducerSettings) (sarama.AsyncProducer, error) {
			return kafkaclient.NewTransactionalProducer(a.brokers, clientID, transactionalID, s)
		},
		FenceProducers: func(ids []string) error { return kafkaclient.FenceTransactionalIDs(adminClient, ids) },
		Admin:          admin,
		Client:         adminClient,
		OnTaskCount:    memoryLimiter(opts.Environ),
		FlushInterval:  cfg.OffsetFlushInterval,
		FlushTimeout:   cfg.OffsetFlushTimeout,
		ConfigOffset: func(context.Context) (int64, error) {
			next, err := client.GetOffset(cfg.ConfigTopic, 0, sarama.OffsetNewest)
			return next - 1, err
		},
		Group:                 a.group,
		TopicTrackingDisabled: !cfg.TopicTrackingEnable,
		TopicCreationDisabled: !cfg.TopicCreationEnable,
		Loggers:               levels,
		ServerInfo:            herder.ServerInfo{Version: Version, Commit: commit(), KafkaClusterID: clusterID},
		Logger:                log,
	})
	configs.SetListener(h)
	if err := h.Start(ctx); err != nil {
		h.Stop()
		return nil, err
	}
	a.herder, a.workerID = h, workerID
	a.limits = httpserve.Defaults(rest.DefaultRequestTimeout)
	a.handler = rest.NewHandler(rest.Config{Herder: restHerder{h, plugins}, Logger: log.With("component", "rest"),
		Loggers: levels, TopicTrackingDisabled: !cfg.TopicTrackingEnable, TopicTrackingResetDisabled: !cfg.TopicTrackingAllowReset})
	return a, nil
}

// onClose registers f to run when the App is closed, after everything
// registered later.
func (a *App) onClose(f func()) { a.closers = append(a.closers, f) }

// Run serves the REST API and joins the worker group, and blocks until ctx
// is cancelled or a listener fails. It then shuts down in order: stop
// accepting REST requests, stop the tasks (draining in-flight records and
// committing their offsets), leave the group, and close the stores, the
// Kafka clients and finally the embedded broker. Run may be called once.
func (a *App) Run(ctx context.Context) error {
	if !a.ran.CompareAndSwap(false, true) {
		return errors.New("app: Run called twice")
	}
	defer a.Close()
	servers := make([]*http.Server, len(a.listeners))
	var wg sync.WaitGroup
	serveErr := make(chan error, len(a.listeners))
	for i, l := range a.listeners {
		servers[i] = a.limits.Server(a.handler)
		wg.Go(func() {
			if err := servers[i].Serve(a.limits.Listener(l)); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr <- fmt.Errorf("serving REST on %s: %w", l.Addr(), err)
			}
		})
		a.log.Info("REST API listening", "addr", l.Addr().String())
	}
	a.group.Start(a.herder)
	a.log.Info("worker started", "worker_id", a.workerID, "group_id", a.cfg.GroupID, "kafka", a.brokers)

	var runErr error
	select {
	case <-ctx.Done():
		a.log.Info("shutting down")
	case runErr = <-serveErr:
	}

	// 1. Stop intake: no new REST requests; in-flight ones get a moment.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(shutdownCtx); err != nil {
			_ = s.Close()
		}
	}
	wg.Wait()
	// 2. Stop tasks: each drains, writes its offsets and commits them.
	a.herder.Stop()
	// 3. Leave the group, so that the others take the work over at once.
	a.group.Close()
	// 4. Deferred Close: stores, Kafka clients, then the embedded broker.
	a.log.Info("worker stopped")
	return runErr
}

// Close releases what New acquired, in reverse order. After Run it has
// nothing left to do; without Run it stops the herder too. It is safe to
// call more than once.
func (a *App) Close() {
	a.closeOnce.Do(func() {
		if a.herder != nil && !a.ran.Load() {
			a.herder.Stop()
		}
		for i := len(a.closers) - 1; i >= 0; i-- {
			a.closers[i]()
		}
	})
}

// RESTAddrs are the addresses the REST listeners are bound to.
func (a *App) RESTAddrs() []string {
	out := make([]string, len(a.listeners))
	for i, l := range a.listeners {
		out[i] = l.Addr().String()
	}
	return out
}

// Brokers are the Kafka bootstrap addresses the worker uses: the embedded
// broker's when it runs one.
func (a *App) Brokers() []string { return append([]string(nil), a.brokers...) }

// RegistryURL is the embedded schema registry's URL, or "" when none runs.
func (a *App) RegistryURL() string { return a.registry }
