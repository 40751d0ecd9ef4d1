package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tributary-cdc/tributary/connect"
)

// Endpoints beyond the connector lifecycle: health, stop, config patch,
// offsets, topics, plugin configs and validation, and log levels.

func (h *handler) adminRoutes(r *mux.Router, c string) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/health", h.health).Methods(get...)
	r.HandleFunc(c+"/config", h.patchConnectorConfig).Methods(http.MethodPatch)
	r.HandleFunc(c+"/stop", h.stopConnector).Methods(http.MethodPut)
	r.HandleFunc(c+"/offsets", h.connectorOffsets).Methods(get...)
	r.HandleFunc(c+"/offsets", h.alterOffsets).Methods(http.MethodPatch)
	r.HandleFunc(c+"/offsets", h.resetOffsets).Methods(http.MethodDelete)
	r.HandleFunc(c+"/topics", h.connectorTopics).Methods(get...)
	r.HandleFunc(c+"/topics/reset", h.resetTopics).Methods(http.MethodPut)
	r.HandleFunc("/connector-plugins/{plugin}/config", h.pluginConfig).Methods(get...)
	r.HandleFunc("/connector-plugins/{plugin}/config/validate", h.validateConfig).Methods(http.MethodPut)
}

// loggerRoutes are Kafka Connect's admin resources (ConnectRestServer.
// adminResources: LoggingResource), which admin.listeners moves to
// listeners of their own.
func (h *handler) loggerRoutes(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/admin/loggers", h.loggers).Methods(get...)
	r.HandleFunc("/admin/loggers/", h.loggers).Methods(get...)
	r.HandleFunc("/admin/loggers/{logger}", h.logger).Methods(get...)
	r.HandleFunc("/admin/loggers/{logger}", h.setLogger).Methods(http.MethodPut)
}

// healthBody is Kafka Connect's WorkerStatus.
type healthBody struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Messages of Kafka Connect's WorkerStatus.
const (
	healthyMessage   = "Worker has completed startup and is ready to handle requests."
	startingMessage  = "Worker is still starting up."
	unhealthyMessage = "Worker was unable to handle this request and may be unable to handle other requests."
)

// health answers GET /health (KIP-1017): 200 healthy, 503 while the worker
// is starting, 500 when its herder does not answer in time.
func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	hc, ok := h.herder.(HealthChecker)
	if !ok {
		writeJSON(w, http.StatusOK, healthBody{Status: "healthy", Message: healthyMessage})
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	status, detail := hc.Health(ctx)
	withDetail := func(msg string) string {
		if detail != "" {
			return msg + " " + detail
		}
		return msg
	}
	switch status {
	case "healthy":
		writeJSON(w, http.StatusOK, healthBody{Status: status, Message: healthyMessage})
	case "starting":
		writeJSON(w, http.StatusServiceUnavailable, healthBody{Status: status, Message: withDetail(startingMessage)})
	default:
		writeJSON(w, http.StatusInternalServerError, healthBody{Status: "unhealthy", Message: withDetail(unhealthyMessage)})
	}
}

// Replies of the topics routes when topic tracking is turned off.
var (
	errTopicTrackingDisabled = &requestError{status: http.StatusForbidden, message: "Topic tracking is disabled."}
	errTopicResetDisabled    = &requestError{status: http.StatusForbidden, message: "Topic tracking reset is disabled."}
)

func (h *handler) stopConnector(w http.ResponseWriter, r *http.Request) {
	s, ok := h.herder.(ConnectorStopper)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
		return
	}
	h.connectorAction(w, r, "stopping", s.StopConnector, http.StatusNoContent)
}

func (h *handler) patchConnectorConfig(w http.ResponseWriter, r *http.Request) {
	name := pathVar(r, "connector")
	p, ok := h.herder.(ConfigPatcher)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, err, connectorSubject(name))
		return
	}
	patch, err := decodePatch(body, name)
	if err != nil {
		h.fail(w, r, err, connectorSubject(name))
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	info, err := p.PatchConnectorConfig(ctx, name, patch)
	if err != nil {
		h.failOrForward(ctx, w, r, body, fmt.Errorf("patching config of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	writeJSON(w, http.StatusOK, normalizeInfo(info))
}

// decodePatch decodes a PATCH body: like a config, but null removes a key.
// A name, if given, must be the connector's.
func decodePatch(body []byte, name string) (map[string]*string, error) {
	var fields map[string]json.RawMessage
	if err := decodeObject(body, &fields); err != nil {
		return nil, err
	}
	patch := make(map[string]*string, len(fields))
	for k, v := range fields {
		if isNull(v) {
			patch[k] = nil
			continue
		}
		s, ok := scalarText(v)
		if !ok {
			return nil, badRequest("Connector config value of %q must be a string, not %s", k, jsonKind(v))
		}
		patch[k] = &s
	}
	if n, ok := patch["name"]; ok && n != nil && *n != name {
		return nil, badRequest("Connector name configuration (%s) doesn't match connector name in the URL (%s)", *n, name)
	}
	return patch, nil
}

func (h *handler) offsetManager(w http.ResponseWriter, r *http.Request) (OffsetManager, bool) {
	m, ok := h.herder.(OffsetManager)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
	}
	return m, ok
}

// messageBody is Kafka Connect's Message entity.
type messageBody struct {
	Message string `json:"message"`
}

func (h *handler) connectorOffsets(w http.ResponseWriter, r *http.Request) {
	m, ok := h.offsetManager(w, r)
	if !ok {
		return
	}
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	offsets, err := m.ConnectorOffsets(ctx, name)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading offsets of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	if offsets.Offsets == nil {
		offsets.Offsets = []connect.ConnectorOffset{}
	}
	writeJSON(w, http.StatusOK, offsets)
}

func (h *handler) alterOffsets(w http.ResponseWriter, r *http.Request) {
	m, ok := h.offsetManager(w, r)
	if !ok {
		return
	}
	name := pathVar(r, "connector")
	body, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, err, connectorSubject(name))
		return
	}
	offsets, err := decodeOffsets(body)
	if err != nil {
		h.fail(w, r, err, connectorSubject(name))
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	msg, err := m.AlterConnectorOffsets(ctx, name, offsets)
	if err != nil {
		h.failOrForward(ctx, w, r, body, fmt.Errorf("altering offsets of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	writeJSON(w, http.StatusOK, messageBody{Message: msg})
}

func (h *handler) resetOffsets(w http.ResponseWriter, r *http.Request) {
	m, ok := h.offsetManager(w, r)
	if !ok {
		return
	}
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	msg, err := m.ResetConnectorOffsets(ctx, name)
	if err != nil {
		h.failOrForward(ctx, w, r, nil, fmt.Errorf("resetting offsets of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	writeJSON(w, http.StatusOK, messageBody{Message: msg})
}

// decodeOffsets decodes {"offsets":[{"partition":{…},"offset":{…}|null}]}.
// Integral numbers become int64, others float64, as the offsets topic reads
// them back.
func decodeOffsets(body []byte) ([]connect.ConnectorOffset, error) {
	var raw struct {
		Offsets []struct {
			Partition json.RawMessage `json:"partition"`
			Offset    json.RawMessage `json:"offset"`
		} `json:"offsets"`
	}
	if err := decodeObject(body, &raw); err != nil {
		return nil, err
	}
	out := make([]connect.ConnectorOffset, 0, len(raw.Offsets))
	for _, o := range raw.Offsets {
		partition, err := decodeMap(o.Partition, "partition")
		if err != nil {
			return nil, err
		}
		offset, err := decodeMap(o.Offset, "offset")
		if err != nil {
			return nil, err
		}
		out = append(out, connect.ConnectorOffset{Partition: partition, Offset: offset})
	}
	return out, nil
}

// decodeMap decodes a JSON object (nil for null) with exact integers.
func decodeMap(raw json.RawMessage, what string) (map[string]any, error) {
	if isNull(raw) {
		return nil, nil
	}
	if bytes.TrimSpace(raw)[0] != '{' {
		return nil, badRequest("The %s of a source connector offset must be a JSON object", what)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, badRequest("Decoding %s: %v", what, err)
	}
	return numbers(m).(map[string]any), nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		if f, err := x.Float64(); err == nil && !math.IsInf(f, 0) {
			return f
		}
		return x.String()
	}
	return v
}

// topicsBody is the value of GET /connectors/{c}/topics: {"c":{"topics":[…]}}.
type topicsBody struct {
	Topics []string `json:"topics"`
}

func (h *handler) connectorTopics(w http.ResponseWriter, r *http.Request) {
	t, ok := h.herder.(TopicTracker)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
		return
	}
	if h.topicTrackingDisabled {
		h.fail(w, r, errTopicTrackingDisabled, subject{})
		return
	}
	name := pathVar(r, "connector")
	ctx, cancel := h.ctx(r)
	defer cancel()
	topics, err := t.ConnectorTopics(ctx, name)
	if err != nil {
		h.fail(w, r, fmt.Errorf("reading topics of connector %s: %w", name, err), connectorSubject(name))
		return
	}
	if topics == nil {
		topics = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]topicsBody{name: {Topics: topics}})
}

func (h *handler) resetTopics(w http.ResponseWriter, r *http.Request) {
	t, ok := h.herder.(TopicTracker)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
		return
	}
	switch {
	case h.topicTrackingDisabled:
		h.fail(w, r, errTopicTrackingDisabled, subject{})
		return
	case h.topicResetDisabled:
		h.fail(w, r, errTopicResetDisabled, subject{})
		return
	}
	h.connectorAction(w, r, "resetting topics of", t.ResetConnectorTopics, http.StatusAccepted)
}

func (h *handler) pluginConfig(w http.ResponseWriter, r *http.Request) {
	pc, ok := h.herder.(PluginConfigurer)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
		return
	}
	plugin := pathVar(r, "plugin")
	ctx, cancel := h.ctx(r)
	defer cancel()
	defs, err := pc.PluginConfig(ctx, plugin)
	if err != nil {
		h.fail(w, r, fmt.Errorf("describing plugin %s: %w", plugin, err), subject{kind: subjectPlugin, connector: plugin})
		return
	}
	if defs == nil {
		defs = []connect.ConfigKey{}
	}
	writeJSON(w, http.StatusOK, defs)
}

// normalizedPluginName drops a "Connector" suffix, as Kafka Connect's
// ConnectorPluginsResource does before comparing names.
func normalizedPluginName(name string) string {
	return strings.TrimSuffix(name, "Connector")
}

func (h *handler) validateConfig(w http.ResponseWriter, r *http.Request) {
	pc, ok := h.herder.(PluginConfigurer)
	if !ok {
		h.fail(w, r, errNotImplemented, subject{})
		return
	}
	plugin := pathVar(r, "plugin")
	body, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, err, subject{})
		return
	}
	var raw json.RawMessage
	if err := decodeObject(body, &raw); err != nil {
		h.fail(w, r, err, subject{})
		return
	}
	config, err := decodeConfigValue(raw)
	if err != nil {
		h.fail(w, r, err, subject{})
		return
	}
	if c, ok := config["connector.class"]; ok && !strings.HasSuffix(normalizedPluginName(c), normalizedPluginName(plugin)) {
		h.fail(w, r, badRequest("Included connector type %s does not match request type %s", c, plugin), subject{})
		return
	}
	ctx, cancel := h.ctx(r)
	defer cancel()
	infos, err := pc.ValidateConnectorConfig(ctx, config)
	if err != nil {
		h.fail(w, r, fmt.Errorf("validating config for plugin %s: %w", plugin, err), subject{})
		return
	}
	writeJSON(w, http.StatusOK, infos)
}

func (h *handler) loggerAPI(w http.ResponseWriter, r *http.Request) (Loggers, bool) {
	if h.loggersAPI == nil {
		h.fail(w, r, errNotImplemented, subject{})
		return nil, false
	}
	return h.loggersAPI, true
}

func (h *handler) loggers(w http.ResponseWriter, r *http.Request) {
	l, ok := h.loggerAPI(w, r)
	if !ok {
		return
	}
	out := map[string]LoggerLevel{}
	for _, name := range l.Names() {
		if level, mod, ok := l.Level(name); ok {
			out[name] = LoggerLevel{Level: level, LastModified: mod}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) logger(w http.ResponseWriter, r *http.Request) {
	l, ok := h.loggerAPI(w, r)
	if !ok {
		return
	}
	name := pathVar(r, "logger")
	level, mod, ok := l.Level(name)
	if !ok {
		h.fail(w, r, &requestError{status: http.StatusNotFound, message: "Logger " + name + " not found."}, subject{})
		return
	}
	writeJSON(w, http.StatusOK, LoggerLevel{Level: level, LastModified: mod})
}

// setLogger answers PUT /admin/loggers/{logger}. scope=cluster writes the
// level to the config topic for every worker to apply and answers 204; any
// other scope means this worker, as in Kafka Connect.
func (h *handler) setLogger(w http.ResponseWriter, r *http.Request) {
	l, ok := h.loggerAPI(w, r)
	if !ok {
		return
	}
	name := pathVar(r, "logger")
	if c, ok := l.(LoggerNameChecker); ok {
		if err := c.CheckName(name); err != nil {
			h.fail(w, r, badRequest("%s", err.Error()), subject{})
			return
		}
	}
	body, err := readBody(w, r)
	if err != nil {
		h.fail(w, r, err, subject{})
		return
	}
	var fields map[string]json.RawMessage
	if err := decodeObject(body, &fields); err != nil {
		h.fail(w, r, err, subject{})
		return
	}
	raw, present := fields["level"]
	level, isText := scalarText(raw)
	if !present || !isText {
		h.fail(w, r, badRequest("Desired 'level' parameter was not specified in request."), subject{})
		return
	}
	if !l.ValidLevel(level) {
		h.fail(w, r, &requestError{status: http.StatusNotFound, message: "invalid log level '" + level + "'."}, subject{})
		return
	}
	if strings.EqualFold(r.URL.Query().Get("scope"), "cluster") {
		cl, ok := h.herder.(ClusterLoggerSetter)
		if !ok {
			h.fail(w, r, errNotImplemented, subject{})
			return
		}
		ctx, cancel := h.ctx(r)
		defer cancel()
		if err := cl.SetClusterLoggerLevel(ctx, name, strings.ToUpper(level)); err != nil {
			h.fail(w, r, fmt.Errorf("setting the cluster's level of %s: %w", name, err), subject{})
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	changed := l.SetLevel(name, level)
	if changed == nil {
		changed = []string{}
	}
	writeJSON(w, http.StatusOK, changed)
}
