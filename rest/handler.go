package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/tributary-cdc/tributary/connect"
)

// DefaultRequestTimeout bounds a herder call, as Kafka Connect's
// RestServer.DEFAULT_REST_REQUEST_TIMEOUT_MS does.
const DefaultRequestTimeout = 90 * time.Second

// Config configures NewHandler.
type Config struct {
	Herder Herder
	// Logger receives 5xx replies at Error and 4xx at Debug; nil discards.
	Logger *slog.Logger
	// RequestTimeout bounds each herder call; on expiry the reply is 500
	// "Request timed out". Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Loggers, if set, backs /admin/loggers; without it those routes
	// answer 501.
	Loggers Loggers
	// TopicTrackingDisabled (topic.tracking.enable=false) and
	// TopicTrackingResetDisabled (topic.tracking.allow.reset=false) make
	// the topics routes answer 403.
	TopicTrackingDisabled, TopicTrackingResetDisabled bool
	// Client forwards requests to other workers; nil means a client with
	// no timeout of its own (the request timeout bounds it).
	Client *http.Client
	// Routes picks the endpoints served: RoutesAll (the zero value) when
	// admin.listeners is not set.
	Routes Routes
}

// Routes are the endpoints one handler serves, as Kafka Connect's
// RestServer.initializeResources splits them between its listeners and
// the admin listeners (admin.listeners).
type Routes int

const (
	// RoutesAll is the whole API, /admin included: admin.listeners is
	// not set.
	RoutesAll Routes = iota
	// RoutesPublic is the API without /admin, which answers 404 as any
	// unknown route: for the listeners when admin.listeners is set (the
	// admin listeners serve /admin) or empty (/admin is disabled).
	RoutesPublic
	// RoutesAdmin is /admin only, for the admin listeners; every other
	// route answers 404.
	RoutesAdmin
)

type handler struct {
	herder     Herder
	log        *slog.Logger
	timeout    time.Duration
	loggersAPI Loggers
	client     *http.Client
	// metricsHandler serves GET /metrics; nil if the herder reports no
	// metrics.
	metricsHandler http.Handler

	topicTrackingDisabled, topicResetDisabled bool
}

// NewHandler returns the HTTP handler serving Kafka Connect's REST API.
func NewHandler(cfg Config) http.Handler {
	h := &handler{herder: cfg.Herder, log: cfg.Logger, timeout: cfg.RequestTimeout, loggersAPI: cfg.Loggers,
		client: cfg.Client, topicTrackingDisabled: cfg.TopicTrackingDisabled, topicResetDisabled: cfg.TopicTrackingResetDisabled}
	if h.client == nil {
		h.client = &http.Client{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.timeout <= 0 {
		h.timeout = DefaultRequestTimeout
	}
	if src, ok := cfg.Herder.(MetricsSource); ok {
		h.metricsHandler = newMetricsHandler(src, h.log)
	}

	// Encoded paths keep a connector name such as "a/b" (sent as a%2Fb) in
	// one path segment; pathVar unescapes it. Paths are not cleaned: a
	// redirect would drop a POST body, so an unclean path is simply unknown.
	r := mux.NewRouter().UseEncodedPath().SkipClean(true)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, errRouteNotFound, subject{})
	})
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, errMethodNotAllowed, subject{})
	})

	if cfg.Routes != RoutesAdmin {
		h.publicRoutes(r)
	}
	if cfg.Routes != RoutesPublic {
		h.loggerRoutes(r)
	}
	r.Use(h.requireJSON)

	return h.recoverPanics(r)
}

// publicRoutes are every endpoint but /admin (ConnectRestServer.
// regularResources), with Tributary's /metrics.
func (h *handler) publicRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/", h.serverInfo).Methods(get...)
	for _, p := range []string{"/connectors", "/connectors/"} {
		r.HandleFunc(p, h.listConnectors).Methods(get...)
		r.HandleFunc(p, h.createConnector).Methods(http.MethodPost)
	}
	const c = "/connectors/{connector}"
	const t = c + "/tasks/{task:-?[0-9]+}"
	r.HandleFunc(c, h.connectorInfo).Methods(get...)
	r.HandleFunc(c, h.deleteConnector).Methods(http.MethodDelete)
	r.HandleFunc(c+"/config", h.connectorConfig).Methods(get...)
	r.HandleFunc(c+"/config", h.putConnectorConfig).Methods(http.MethodPut)
	r.HandleFunc(c+"/status", h.connectorStatus).Methods(get...)
	r.HandleFunc(c+"/restart", h.restartConnector).Methods(http.MethodPost)
	r.HandleFunc(c+"/pause", h.pauseConnector).Methods(http.MethodPut)
	r.HandleFunc(c+"/resume", h.resumeConnector).Methods(http.MethodPut)
	r.HandleFunc(c+"/tasks", h.taskConfigs).Methods(get...)
	r.HandleFunc(c+"/tasks", h.putTaskConfigs).Methods(http.MethodPost)
	r.HandleFunc(c+"/fence", h.fenceZombies).Methods(http.MethodPut)
	r.HandleFunc(c+"/tasks-config", h.tasksConfig).Methods(get...)
	r.HandleFunc(t+"/status", h.taskStatus).Methods(get...)
	r.HandleFunc(t+"/restart", h.restartTask).Methods(http.MethodPost)
	r.HandleFunc("/connector-plugins", h.plugins).Methods(get...)
	r.HandleFunc("/connector-plugins/", h.plugins).Methods(get...)
	r.HandleFunc("/metrics", h.metrics).Methods(get...)
	h.adminRoutes(r, c)
}

// recoverPanics turns a panic below it (a herder bug) into a 500 reply
// instead of a dropped connection.
func (h *handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.fail(w, r, fmt.Errorf("serving %s %s: panic: %v", r.Method, r.URL.EscapedPath(), v), subject{})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ctx is the request's context bounded by the request timeout.
func (h *handler) ctx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), h.timeout)
}

// pathVar returns the unescaped path variable; mux matched it on the
// escaped path.
func pathVar(r *http.Request, key string) string {
	v := mux.Vars(r)[key]
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// taskID reads {connector} and {task}; ok is false if task overflows int,
// which Jersey answers with 404 as well.
func taskID(r *http.Request) (connect.TaskID, bool) {
	n, err := strconv.Atoi(mux.Vars(r)["task"])
	return connect.TaskID{Connector: pathVar(r, "connector"), Task: n}, err == nil
}

// boolParam is JAX-RS's Boolean query parameter: only "true" (any case) is
// true; absent gives def.
func boolParam(r *http.Request, key string, def bool) bool {
	vs, ok := r.URL.Query()[key]
	if !ok || len(vs) == 0 {
		return def
	}
	return strings.EqualFold(vs[0], "true")
}

func (h *handler) serverInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, h.herder.ServerInfo())
}

// connectorExpansion is one value of GET /connectors?expand=….
type connectorExpansion struct {
	Status *connect.ConnectorStateInfo `json:"status,omitempty"`
	Info   *connect.ConnectorInfo      `json:"info,omitempty"`
}

func (h *handler) listConnectors(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := h.ctx(r)
	defer cancel()
	names, err := h.herder.Connectors(ctx)
	if err != nil {
		h.fail(w, r, fmt.Errorf("listing connectors: %w", err), subject{})
		return
	}
	expand, ok := r.URL.Query()["expand"]
	if !ok {
		if names == nil {
			names = []string{}
		}
		writeJSON(w, http.StatusOK, names)
		return
	}
	var withStatus, withInfo bool
	for _, e := range expand {
		switch e {
		case "status":
			withStatus = true
		case "info":
			withInfo = true
		}
	}
	out := make(map[string]connectorExpansion, len(names))
	for _, name := range names {
		var exp connectorExpansion
		err := h.expand(ctx, name, withStatus, withInfo, &exp)
		switch {
		case errors.Is(err, connect.ErrNotFound):
			// Deleted while we were listing: leave it out, as Kafka Connect does.
			continue
		case err != nil:
			h.fail(w, r, err, connectorSubject(name))
			return
		}
		out[name] = exp
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) expand(ctx context.Context, name string, withStatus, withInfo bool, exp *connectorExpansion) error {
	if withStatus {
		st, err := h.herder.ConnectorStatus(ctx, name)
		if err != nil {
			return fmt.Errorf("reading status of connector %s: %w", name, err)
		}
		st = normalizeStatus(st)
		exp.Status = &st
	}
	if withInfo {
		info, err := h.herder.ConnectorInfo(ctx, name)
		if err != nil {
			return fmt.Errorf("reading info of connector %s: %w", name, err)
		}
		info = normalizeInfo(info)
		exp.Info = &info
	}
	return nil
}

func (h *handler) createConnector(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, err, subject{})
		return
	}
	req, err := decodeCreateRequest(body)
	if err != nil {
		h.fail(w, r, err, subject{})
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	var info connect.ConnectorInfo
	switch req.InitialState {
	case "", connect.StateRunning:
		info, err = h.herder.CreateConnector(ctx, req.Name, req.Config)
	default:
		creator, ok := h.herder.(InitialStateCreator)
		if !ok {
			err = badRequest("Initial state %s is not supported by this worker", req.InitialState)
			break
		}
		info, err = creator.CreateConnectorInState(ctx, req.Name, req.Config, req.InitialState)
	}
	if err != nil {
		h.failOrForward(ctx, w, r, body, fmt.Errorf("creating connector %s: %w", req.Name, err), connectorSubject(req.Name))
		return
	}
	w.Header().Set("Location", connectorLocation(req.Name))
	writeJSON(w, http.StatusCreated, normalizeInfo(info))
}

func connectorLocation(name string) string {
	return "/connectors/" + url.PathEscape(name)
}

func (h *handler) connectorInfo(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	info, err := h.herder.ConnectorInfo(ctx, name)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading connector %s: %w", name, err), connectorSubject(name))
		return
	}
	writeJSON(w, http.StatusOK, normalizeInfo(info))
}

func (h *handler) connectorConfig(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	config, err := h.herder.ConnectorConfig(ctx, name)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading config of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	if config == nil {
		config = map[string]string{}
	}
	writeJSON(w, http.StatusOK, config)
}

func (h *handler) putConnectorConfig(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	body, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, err, connectorSubject(name))
		return
	}
	config, err := decodeConfig(body, name)
	if err != nil {
		h.fail(w, r, err, connectorSubject(name))
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	info, created, err := h.herder.PutConnectorConfig(ctx, name, config)
	if err != nil {
		h.failOrForward(ctx, w, r, body, fmt.Errorf("writing config of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", connectorLocation(name))
	}
	writeJSON(w, status, normalizeInfo(info))
}

func (h *handler) connectorStatus(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	st, err := h.herder.ConnectorStatus(ctx, name)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading status of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	writeJSON(w, http.StatusOK, normalizeStatus(st))
}

// taskInfo is Kafka Connect's TaskInfo entity.
type taskInfo struct {
	ID     connect.TaskID    `json:"id"`
	Config map[string]string `json:"config"`
}

func (h *handler) taskConfigs(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	configs, err := h.herder.TaskConfigs(ctx, name)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading task configs of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	out := make([]taskInfo, len(configs))
	for i, c := range configs {
		if c == nil {
			c = map[string]string{}
		}
		out[i] = taskInfo{ID: connect.TaskID{Connector: name, Task: i}, Config: c}
	}
	writeJSON(w, http.StatusOK, out)
}

// tasksConfig serves the deprecated GET /connectors/{c}/tasks-config:
// {"<c>-<n>": {…}}.
func (h *handler) tasksConfig(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	configs, err := h.herder.TaskConfigs(ctx, name)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading task configs of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	out := make(map[string]map[string]string, len(configs))
	for i, c := range configs {
		if c == nil {
			c = map[string]string{}
		}
		out[taskName(name, i)] = c
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) taskStatus(w http.ResponseWriter, r *http.Request) {
	id, ok := taskID(r)
	if !ok {
		h.fail(w, r, errRouteNotFound, subject{})
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	st, err := h.herder.TaskStatus(ctx, id)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading status of task %s: %w", taskName(id.Connector, id.Task), err), taskSubject(subjectTaskStatus, id))
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *handler) restartConnector(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	includeTasks := boolParam(r, "includeTasks", false)
	onlyFailed := boolParam(r, "onlyFailed", false)
	ctx, cancel := h.ctx(r)
	defer cancel()
	if !includeTasks && !onlyFailed {
		if err := h.herder.RestartConnector(ctx, name); err != nil {
			h.failOrForward(ctx, w, r, nil, fmt.Errorf("restarting connector %s: %w", name, err), connectorSubject(name))
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	restarter, ok := h.herder.(ConnectorAndTasksRestarter)
	if !ok {
		h.fail(w, r, errNotImplemented, connectorSubject(name))
		return
	}
	st, err := restarter.RestartConnectorAndTasks(ctx, name, includeTasks, onlyFailed)
	if err != nil {
		h.failOrForward(ctx, w, r, nil, fmt.Errorf("restarting connector %s and its tasks: %w", name, err), connectorSubject(name))
		return
	}
	writeJSON(w, http.StatusAccepted, normalizeStatus(st))
}

func (h *handler) restartTask(w http.ResponseWriter, r *http.Request) {
	id, ok := taskID(r)
	if !ok {
		h.fail(w, r, errRouteNotFound, subject{})
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := h.herder.RestartTask(ctx, id); err != nil {
		if url, ok := forwardTo(err); ok {
			h.forward(ctx, w, r, url, nil)
			return
		}
		h.fail(w, r, fmt.Errorf("restarting task %s: %w", taskName(id.Connector, id.Task), err), taskSubject(subjectTask, id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) pauseConnector(w http.ResponseWriter, r *http.Request) {
	h.connectorAction(w, r, "pausing", h.herder.PauseConnector, http.StatusAccepted)
}

func (h *handler) resumeConnector(w http.ResponseWriter, r *http.Request) {
	h.connectorAction(w, r, "resuming", h.herder.ResumeConnector, http.StatusAccepted)
}

func (h *handler) deleteConnector(w http.ResponseWriter, r *http.Request) {
	h.connectorAction(w, r, "deleting", h.herder.DeleteConnector, http.StatusNoContent)
}

// connectorAction runs a body-less action on {connector} and replies with
// status and no body.
func (h *handler) connectorAction(w http.ResponseWriter, r *http.Request, verb string, act func(context.Context, string) error, status int) {
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	if err := act(ctx, name); err != nil {
		h.failOrForward(ctx, w, r, nil, fmt.Errorf("%s connector %s: %w", verb, name, err), connectorSubject(name))
		return
	}
	w.WriteHeader(status)
}

func (h *handler) plugins(w http.ResponseWriter, r *http.Request) {
	connectorsOnly := boolParam(r, "connectorsOnly", true)
	all := h.herder.Plugins()
	out := make([]PluginInfo, 0, len(all))
	for _, p := range all {
		if connectorsOnly && p.Type != PluginSource && p.Type != PluginSink {
			continue
		}
		out = append(out, p)
	}
	writeJSON(w, http.StatusOK, out)
}

// normalizeInfo makes absent collections empty, as Kafka Connect writes
// them ("tasks": [] right after creation, never null).
func normalizeInfo(info connect.ConnectorInfo) connect.ConnectorInfo {
	if info.Config == nil {
		info.Config = map[string]string{}
	}
	if info.Tasks == nil {
		info.Tasks = []connect.TaskID{}
	}
	return info
}

func normalizeStatus(st connect.ConnectorStateInfo) connect.ConnectorStateInfo {
	if st.Tasks == nil {
		st.Tasks = []connect.TaskState{}
	}
	return st
}

// writeJSON writes v as compact JSON without HTML escaping and without a
// trailing newline, as Jackson does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a bug in this package (an unencodable type) gets here.
		status = http.StatusInternalServerError
		buf.Reset()
		msg, _ := json.Marshal("encoding response: " + err.Error())
		fmt.Fprintf(&buf, `{"error_code":500,"message":%s}`, msg)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
