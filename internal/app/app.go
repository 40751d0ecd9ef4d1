package app

import (
	"context"
	"crypto/tls"
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
	scheme    string // http or https: other workers reach this one at scheme://workerID
	herder    *herder.Herder
	group     *membership.Group
	memory    memorySetup
	listeners []restListener // listeners, then admin.listeners
	// limits bound the REST servers: timeouts, header size, connections.
	limits httpserve.Limits
	// handler serves the listeners, adminHandler the admin listeners.
	handler, adminHandler http.Handler

	ran       atomic.Bool
	closeOnce sync.Once
	closers   []func() // in acquisition order; Close runs them backwards
}

// New loads the worker configuration and starts everything but the REST
// servers and the group membership: on error, what it started is released.
// Its phases, in order: the settings (resolveSettings), the embedded broker
// and registry when no bootstrap.servers is set (startEmbedded), the Kafka
// clients (connectKafka), the internal topics (openStores), the REST
// listeners, and the herder with its group (newHerder).
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
	a := &App{cfg: cfg, log: log, brokers: cfg.BootstrapServers}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	set, err := resolveSettings(cfg, opts.Environ, log)
	if err != nil {
		return nil, err
	}
	auth, err := restAuthentication(cfg, opts.Environ, log.With("component", "rest"))
	if err != nil {
		return nil, err
	}
	convFactory := &converters.Factory{}
	if len(cfg.BootstrapServers) == 0 {
		if convFactory.EmbeddedRegistryURL, err = a.startEmbedded(ctx, set); err != nil {
			return nil, err
		}
		if set.embedded.User != "" {
			convFactory.EmbeddedRegistryUserInfo = set.embedded.User + ":" + set.embedded.Password
		}
	}
	k, err := a.connectKafka(ctx, set.sec)
	if err != nil {
		return nil, err
	}
	st, err := a.openStores(ctx, k, set.exactlyOnce)
	if err != nil {
		return nil, err
	}
	if a.listeners, err = openRESTListeners(cfg, set.restProps); err != nil {
		return nil, err
	}
	a.onClose(func() {
		for _, l := range a.listeners {
			_ = l.ln.Close()
		}
	})
	warnExposedListeners(log, a.listeners, auth != nil)
	a.scheme = advertisedScheme(cfg)
	warnUnusedHTTPSSettings(log, cfg, a.listeners, a.scheme)
	forwarder, err := restClient(set.restProps, a.scheme)
	if err != nil {
		return nil, err
	}
	a.workerID = advertisedWorkerID(cfg, advertisedListener(a.listeners, a.scheme))
	plugins := newPlugins()
	procCgroup, err := readProcCgroup()
	if err != nil {
		return nil, err
	}
	if a.memory, err = setupMemory(cfg.MemoryBudget, opts.Environ, procCgroup, log); err != nil {
		return nil, err
	}
	if a.herder, err = a.newHerder(ctx, set, k, st, plugins, convFactory, levels, forwarder); err != nil {
		return nil, err
	}
	a.limits = httpserve.Defaults(rest.DefaultRequestTimeout)
	restCfg := rest.Config{Herder: restHerder{a.herder, plugins}, Logger: log.With("component", "rest"),
		Loggers: levels, TopicTrackingDisabled: !cfg.TopicTrackingEnable, TopicTrackingResetDisabled: !cfg.TopicTrackingAllowReset,
		Client: forwarder, Routes: restRoutes(cfg)}
	// Kafka Connect applies its filters and REST extensions to the main
	// listeners only: the admin listeners serve /admin/loggers bare.
	a.handler = restFilters(cfg, auth, rest.NewHandler(restCfg))
	if len(cfg.AdminListeners) > 0 {
		restCfg.Routes = rest.RoutesAdmin
		a.adminHandler = rest.NewHandler(restCfg)
	}
	return a, nil
}

// settings are what the worker's properties resolve to before anything
// connects.
type settings struct {
	producer    kafkaclient.ProducerSettings
	transformer *configprovider.Transformer
	exactlyOnce bool
	// clientProps are the worker's properties with its config providers
	// applied, as Kafka resolves a worker's own properties (KIP-421):
	// passwords and JAAS lines often come from a file or the environment.
	clientProps map[string]string
	// restProps are the worker's properties with its config providers
	// applied, for the REST listeners and the client that forwards
	// requests: clientProps before the embedded broker's client settings
	// are written into them.
	restProps map[string]string
	policy    security.OverridePolicy
	sec       clientSecurity
	// embedded configures the embedded broker (without bootstrap.servers).
	embedded embedded.Options
}

func resolveSettings(cfg *workerconfig.Config, environ []string, log *slog.Logger) (*settings, error) {
	set := &settings{exactlyOnce: cfg.ExactlyOnceSource == workerconfig.ExactlyOnceEnabled}
	producer, ignored, producerErrs := kafkaclient.ParseProducerSettings(
		kafkaclient.DefaultProducerSettings(), cfg.Props, kafkaclient.WorkerProducerPrefix)
	if len(producerErrs) > 0 {
		msgs := make([]string, len(producerErrs))
		for i, e := range producerErrs {
			msgs[i] = e.Message
		}
		return nil, fmt.Errorf("loading worker config: %s", strings.Join(msgs, "; "))
	}
	if len(ignored) > 0 {
		log.Warn("ignoring producer settings Tributary does not support", "properties", ignored)
	}
	var err error
	if set.transformer, err = configprovider.New(cfg.Props, configprovider.EnvLookup(environ)); err != nil {
		return nil, fmt.Errorf("configuring config providers: %w", err)
	}
	for _, name := range set.transformer.Unrestricted() {
		log.Warn("the config provider reads every file or environment variable the worker can: any connector config may read them; "+
			"set allowed.paths (file, dir) or allowlist.pattern (env)", "provider", name,
			"property", "config.providers."+name+".param")
	}
	if set.exactlyOnce && len(cfg.BootstrapServers) == 0 {
		// kfake writes a committing transaction's markers partition by
		// partition and, after a crash, aborts every partition that lacks
		// one: a transaction cut by the death of this process could keep
		// its offsets and lose its records.
		return nil, errors.New("loading worker config: exactly.once.source.support=enabled needs a Kafka cluster " +
			"(bootstrap.servers): the embedded broker cannot complete a transaction that was committing when its " +
			"process died, so a crash could lose the transaction's records while keeping their offsets")
	}
	if set.clientProps, err = set.transformer.Transform(cfg.Props); err != nil {
		return nil, fmt.Errorf("resolving worker config: %w", err)
	}
	set.restProps = set.clientProps
	if set.policy, err = security.ParseOverridePolicy(set.clientProps[security.OverridePolicyConfig]); err != nil {
		return nil, fmt.Errorf("loading worker config: %w", err)
	}
	if len(cfg.BootstrapServers) == 0 {
		// The embedded broker's security comes from embedded.kafka.*: a
		// client security setting would be ignored, so it stops the
		// worker. The worker's clients then use the embedded broker's.
		if err := embeddedSecurity(set.clientProps); err != nil {
			return nil, err
		}
		if set.embedded, err = embeddedOptions(cfg, set.clientProps, log); err != nil {
			return nil, err
		}
		if set.clientProps, err = withEmbeddedClientProps(set.clientProps, set.embedded); err != nil {
			return nil, err
		}
	}
	if set.sec, err = parseClientSecurity(set.clientProps, set.policy, cfg.BootstrapServers, log); err != nil {
		return nil, fmt.Errorf("loading worker config: %w", err)
	}
	producer.Security = set.sec.producer
	set.producer = producer
	return set, nil
}

// startEmbedded starts the embedded broker and schema registry and returns
// the registry's URL ("" when its default port was taken).
func (a *App) startEmbedded(ctx context.Context, set *settings) (string, error) {
	b, err := embedded.StartWith(set.embedded)
	if err != nil {
		return "", fmt.Errorf("starting the embedded broker (%s=%s): %w", workerconfig.PropEmbeddedKafkaListeners,
			a.cfg.EmbeddedKafkaListeners, err)
	}
	a.onClose(b.Close)
	a.brokers = []string{b.Addr()}
	url, closeRegistry, err := startEmbeddedRegistry(ctx, a.cfg, a.brokers, set.sec.internal, set.embedded, a.log)
	if err != nil {
		return "", err
	}
	a.onClose(closeRegistry)
	a.registry = url
	return url, nil
}

// kafkaClients are the worker's own Kafka clients.
type kafkaClients struct {
	clientID string
	// internal builds the configuration of the internal topics' and the
	// group's clients.
	internal    func() *sarama.Config
	client      sarama.Client // group membership, config topic offsets, cluster id
	adminClient sarama.Client // topic creation and look-ups, fencing
	admin       sarama.ClusterAdmin
	clusterID   string
}

// connectKafka checks the brokers with the internal clients' security (a
// TLS or SASL failure then names the broker, the mechanism and the stage,
// where sarama would run out of brokers) and opens the worker's clients.
func (a *App) connectKafka(ctx context.Context, sec clientSecurity) (*kafkaClients, error) {
	k := &kafkaClients{clientID: "tributary-" + a.cfg.GroupID}
	k.internal = func() *sarama.Config { return kafkaclient.NewClientConfig(k.clientID, sec.internal) }
	if len(a.cfg.BootstrapServers) > 0 {
		if err := security.Check(ctx, k.internal(), sec.internal, a.brokers); err != nil {
			return nil, fmt.Errorf("connecting to Kafka: %w", err)
		}
	}
	var err error
	if k.client, err = sarama.NewClient(a.brokers, k.internal()); err != nil {
		return nil, fmt.Errorf("connecting to Kafka at %v: %w", a.brokers, err)
	}
	a.onClose(func() { _ = k.client.Close() })
	if k.adminClient, err = sarama.NewClient(a.brokers, kafkaclient.NewClientConfig(k.clientID, sec.admin)); err != nil {
		return nil, fmt.Errorf("connecting the admin client to Kafka at %v: %w", a.brokers, err)
	}
	a.onClose(func() { _ = k.adminClient.Close() })
	if k.admin, err = sarama.NewClusterAdminFromClient(k.adminClient); err != nil {
		return nil, fmt.Errorf("creating Kafka admin client: %w", err)
	}
	if k.clusterID, err = kafkaClusterID(k.client); err != nil {
		return nil, err
	}
	return k, nil
}

// stores are Kafka Connect's three internal topics.
type stores struct {
	offsets  *storage.OffsetStore
	configs  *storage.ConfigStore
	statuses *storage.StatusStore
}

// openStores opens the offset, config and status topics, reading each to
// its end. With exactly-once source support offsets (and configs) are
// written in transactions: only what committed is read.
func (a *App) openStores(ctx context.Context, k *kafkaClients, exactlyOnce bool) (*stores, error) {
	logCfg := func(topic string, partitions int32, rf int16) kafkalog.Config {
		return kafkalog.Config{Brokers: a.brokers, Topic: topic, Partitions: partitions, ReplicationFactor: rf,
			ClientConfig: k.internal, ClientID: k.clientID, Logger: a.log.With("component", "kafkalog", "topic", topic),
			ReadCommitted: exactlyOnce}
	}
	st := &stores{}
	var err error
	if st.offsets, err = storage.OpenOffsetStore(ctx, logCfg(a.cfg.OffsetTopic, a.cfg.OffsetPartitions, a.cfg.OffsetReplicationFactor)); err != nil {
		return nil, fmt.Errorf("opening offset store: %w", err)
	}
	a.onClose(func() { _ = st.offsets.Close() })
	if st.configs, err = storage.OpenConfigStore(ctx, logCfg(a.cfg.ConfigTopic, 1, a.cfg.ConfigReplicationFactor)); err != nil {
		return nil, fmt.Errorf("opening config store: %w", err)
	}
	a.onClose(func() { _ = st.configs.Close() })
	if st.statuses, err = storage.OpenStatusStore(ctx, logCfg(a.cfg.StatusTopic, a.cfg.StatusPartitions, a.cfg.StatusReplicationFactor)); err != nil {
		return nil, fmt.Errorf("opening status store: %w", err)
	}
	a.onClose(func() { _ = st.statuses.Close() })
	return st, nil
}

// newHerder builds the worker's group membership and its herder, and
// starts the herder.
//
// The cycle: the group hands the herder its assignments and the herder asks
// the group to rebalance; the config store tells the herder about records
// other workers wrote. The group is built first, the herder holds it, the
// store's listener is set once the herder exists (what was read before is
// covered by its first assignment), and Run closes the cycle with
// group.Start(herder).
func (a *App) newHerder(ctx context.Context, set *settings, k *kafkaClients, st *stores, plugins *plugins,
	convFactory *converters.Factory, levels *loglevel.Registry, forwarder *http.Client) (*herder.Herder, error) {
	cfg := a.cfg
	protocol, err := membership.ParseCompatibility(cfg.ConnectProtocol)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", workerconfig.PropConnectProtocol, err)
	}
	a.group = membership.New(membership.Config{
		Client: k.client, GroupID: cfg.GroupID, URL: a.scheme + "://" + a.workerID,
		SessionTimeout: cfg.SessionTimeout, HeartbeatInterval: cfg.HeartbeatInterval, RebalanceTimeout: cfg.RebalanceTimeout,
		Protocol: protocol, MaxDelay: cfg.ScheduledRebalanceMaxDelay,
		Logger: a.log,
	})
	h := herder.New(herder.Config{
		WorkerID:            a.workerID,
		RESTScheme:          a.scheme,
		Plugins:             plugins.connectors,
		Transformations:     plugins.transformations,
		Predicates:          plugins.predicates,
		Converters:          newConverterFunc(convFactory),
		ConverterConfigDef:  converters.ConfigDef,
		KeyConverter:        cfg.KeyConverter,
		ValueConverter:      cfg.ValueConverter,
		KeyConverterProps:   cfg.KeyConverterProps,
		ValueConverterProps: cfg.ValueConverterProps,
		Configs:             st.configs,
		Statuses:            st.statuses,
		Offsets:             st.offsets,
		Transformer:         set.transformer,
		NewProducer: func(s kafkaclient.ProducerSettings) (sarama.AsyncProducer, error) {
			return kafkaclient.NewProducer(a.brokers, k.clientID, s)
		},
		ProducerSettings: set.producer,
		ProducerSecurity: func(connector map[string]string, log *slog.Logger) (*security.Config, []configdef.Error) {
			return kafkaclient.ProducerSecurity(set.clientProps, connector, set.policy, security.Options{Logger: log, Bootstrap: a.brokers})
		},
		ExactlyOnce: set.exactlyOnce,
		GroupID:     cfg.GroupID,
		NewTransactionalProducer: func(transactionalID string, s kafkaclient.ProducerSettings) (sarama.AsyncProducer, error) {
			return kafkaclient.NewTransactionalProducer(a.brokers, k.clientID, transactionalID, s)
		},
		FenceProducers: func(ids []string) error { return kafkaclient.FenceTransactionalIDs(k.adminClient, ids) },
		Admin:          k.admin,
		Client:         k.adminClient,
		OnTaskCount:    a.memory.onTaskCount,
		MemoryBudget:   a.memory.budget,
		FlushInterval:  cfg.OffsetFlushInterval,
		FlushTimeout:   cfg.OffsetFlushTimeout,
		ConfigOffset: func(context.Context) (int64, error) {
			next, err := k.client.GetOffset(cfg.ConfigTopic, 0, sarama.OffsetNewest)
			return next - 1, err
		},
		Group: a.group,
		InterWorker: herder.InterWorkerConfig{
			KeyAlgorithm: cfg.InterWorker.KeyAlgorithm, KeySize: cfg.InterWorker.KeySize, KeyTTL: cfg.InterWorker.KeyTTL,
			SignatureAlgorithm: cfg.InterWorker.SignatureAlgorithm, VerificationAlgorithms: cfg.InterWorker.VerificationAlgorithms,
		},
		HTTPClient:            forwarder,
		TopicTrackingDisabled: !cfg.TopicTrackingEnable,
		TopicCreationDisabled: !cfg.TopicCreationEnable,
		Loggers:               levels,
		ServerInfo:            herder.ServerInfo{Version: Version, Commit: commit(), KafkaClusterID: k.clusterID},
		Logger:                a.log,
	})
	st.configs.SetListener(h)
	if err := h.Start(ctx); err != nil {
		h.Stop()
		return nil, err
	}
	return h, nil
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
		h := a.handler
		if l.admin {
			h = a.adminHandler
		}
		servers[i] = a.limits.Server(h)
		// Failed TLS handshakes and broken connections are the
		// clients' doing: Jetty logs them at DEBUG.
		servers[i].ErrorLog = slog.NewLogLogger(a.log.With("component", "rest", "listener", l.url).Handler(), slog.LevelDebug)
		wg.Go(func() {
			if err := serve(servers[i], a.limits.Listener(l.ln), l.tls); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr <- fmt.Errorf("serving REST on %s: %w", l.url, err)
			}
		})
		if l.admin {
			a.log.Info("REST admin endpoints listening", "listener", l.url, "addr", l.ln.Addr().String())
		} else {
			a.log.Info("REST API listening", "listener", l.url, "addr", l.ln.Addr().String())
		}
	}
	if b := a.memory.budget; b != nil {
		memCtx, stopMem := context.WithCancel(ctx)
		var memDone sync.WaitGroup
		memDone.Go(func() { returnMemory(memCtx, b, returnInterval) })
		defer memDone.Wait()
		defer stopMem()
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

// serve serves srv on l, over TLS with cfg when it is not nil. HTTP/2 is
// not offered: Kafka Connect's Jetty connectors speak HTTP/1.1, which the
// server limits bound.
func serve(srv *http.Server, l net.Listener, cfg *tls.Config) error {
	if cfg == nil {
		return srv.Serve(l)
	}
	srv.TLSConfig = cfg
	srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	return srv.ServeTLS(l, "", "")
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

// RESTAddrs are the addresses the REST listeners (listeners) are bound
// to.
func (a *App) RESTAddrs() []string { return a.restAddrs(false) }

// AdminAddrs are the addresses the admin listeners (admin.listeners) are
// bound to.
func (a *App) AdminAddrs() []string { return a.restAddrs(true) }

func (a *App) restAddrs(admin bool) []string {
	var out []string
	for _, l := range a.listeners {
		if l.admin == admin {
			out = append(out, l.ln.Addr().String())
		}
	}
	return out
}

// RESTURL is the URL other workers reach this one at: the advertised
// listener's scheme, host and port.
func (a *App) RESTURL() string { return a.scheme + "://" + a.workerID }

// Brokers are the Kafka bootstrap addresses the worker uses: the embedded
// broker's when it runs one.
func (a *App) Brokers() []string { return append([]string(nil), a.brokers...) }

// RegistryURL is the embedded schema registry's URL, or "" when none runs.
func (a *App) RegistryURL() string { return a.registry }
