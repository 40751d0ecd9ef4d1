package schemaregistry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkalog"
)

// DefaultTopic is Confluent Schema Registry's kafkastore.topic.
const DefaultTopic = "_schemas"

// DefaultCompatibility is the registry's default compatibility level.
const DefaultCompatibility = "BACKWARD"

// Config configures the registry's store.
type Config struct {
	Brokers           []string
	Topic             string // default _schemas
	ReplicationFactor int16  // -1 = broker default
	ClientID          string
	// ClientConfig returns the configuration of each Kafka client of the
	// store, with the worker's security; nil is kafkaclient.NewConfig.
	ClientConfig func() *sarama.Config
	Logger       *slog.Logger
	// WriteUser and WritePassword, when WriteUser is set, are the HTTP
	// basic credentials every request that changes the registry needs
	// (registering a schema, setting a compatibility level); reads stay
	// open, as the consumers decoding records need them.
	WriteUser, WritePassword string
}

// version is one registered version of a subject.
type version struct {
	Version int
	ID      int
	Schema  string
	Deleted bool
	parsed  *avroType
}

// Registry is the registry's state, read from and written to the _schemas
// topic. It is safe for concurrent use.
type Registry struct {
	log    *kafkalog.Log
	logger *slog.Logger

	writeUser, writePassword string

	writeMu sync.Mutex // serialises registrations and config changes

	mu            sync.RWMutex
	subjects      map[string][]*version
	ids           map[int]string // id → schema text
	byText        map[string]int // compact schema text → id
	maxID         int
	compat        string
	subjectCompat map[string]string
	bad           int // records that could not be applied

	serveMu sync.Mutex
	servers []*httpServer
}

// Open reads the _schemas topic (creating it compacted when missing) and
// keeps tailing it.
func Open(ctx context.Context, cfg Config) (*Registry, error) {
	if cfg.Topic == "" {
		cfg.Topic = DefaultTopic
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Registry{logger: cfg.Logger, subjects: map[string][]*version{}, ids: map[int]string{},
		byText: map[string]int{}, subjectCompat: map[string]string{}, writeUser: cfg.WriteUser, writePassword: cfg.WritePassword}
	l, err := kafkalog.Open(ctx, kafkalog.Config{Brokers: cfg.Brokers, Topic: cfg.Topic, Partitions: 1,
		ReplicationFactor: cfg.ReplicationFactor, ClientID: cfg.ClientID, ClientConfig: cfg.ClientConfig, Logger: cfg.Logger, OnRecord: r.apply})
	if err != nil {
		return nil, fmt.Errorf("opening schema registry store: %w", err)
	}
	r.log = l
	return r, nil
}

// Close stops the HTTP listeners and the store.
func (r *Registry) Close() error {
	r.serveMu.Lock()
	servers := r.servers
	r.servers = nil
	r.serveMu.Unlock()
	for _, s := range servers {
		s.close()
	}
	return r.log.Close()
}

// Record keys and values of the _schemas topic, in Confluent's field order
// (SchemaRegistryKey / SchemaValue / ConfigKey / ConfigValue).
type schemaKey struct {
	KeyType string `json:"keytype"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
	Magic   int    `json:"magic"`
}

type schemaValue struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
	Deleted bool   `json:"deleted"`
}

type configKey struct {
	KeyType string  `json:"keytype"`
	Subject *string `json:"subject"`
	Magic   int     `json:"magic"`
}

type configValue struct {
	CompatibilityLevel string `json:"compatibilityLevel"`
}

// apply folds one _schemas record into the state (kafkalog's OnRecord).
func (r *Registry) apply(key, value []byte) {
	var k struct {
		KeyType string  `json:"keytype"`
		Subject *string `json:"subject"`
		Version int     `json:"version"`
	}
	if err := json.Unmarshal(key, &k); err != nil {
		r.logger.Warn("skipping unreadable _schemas record", "key", string(key), "err", err)
		r.mu.Lock()
		r.bad++
		r.mu.Unlock()
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch k.KeyType {
	case "SCHEMA":
		if k.Subject == nil {
			return
		}
		if value == nil {
			r.removeVersion(*k.Subject, k.Version)
			return
		}
		var v schemaValue
		if err := json.Unmarshal(value, &v); err != nil {
			r.logger.Warn("skipping unreadable _schemas schema record", "key", string(key), "err", err)
			r.bad++
			return
		}
		parsed, err := parseAvro(v.Schema)
		if err != nil {
			r.logger.Warn("skipping _schemas record with an unparsable schema", "subject", v.Subject, "version", v.Version, "err", err)
			r.bad++
			return
		}
		r.removeVersion(v.Subject, v.Version)
		vs := append(r.subjects[v.Subject], &version{Version: v.Version, ID: v.ID, Schema: v.Schema, Deleted: v.Deleted, parsed: parsed})
		sort.Slice(vs, func(i, j int) bool { return vs[i].Version < vs[j].Version })
		r.subjects[v.Subject] = vs
		r.ids[v.ID] = v.Schema
		r.byText[canonical(v.Schema)] = v.ID
		r.maxID = max(r.maxID, v.ID)
	case "CONFIG":
		level := ""
		if value != nil {
			var v configValue
			if err := json.Unmarshal(value, &v); err != nil {
				r.bad++
				return
			}
			level = v.CompatibilityLevel
		}
		if k.Subject == nil {
			r.compat = level
		} else if level == "" {
			delete(r.subjectCompat, *k.Subject)
		} else {
			r.subjectCompat[*k.Subject] = level
		}
	}
}

func (r *Registry) removeVersion(subject string, v int) {
	vs := r.subjects[subject]
	r.subjects[subject] = slices.DeleteFunc(vs, func(x *version) bool { return x.Version == v })
	if len(r.subjects[subject]) == 0 {
		delete(r.subjects, subject)
	}
}

// canonical is the form schemas are compared in: the JSON without
// insignificant whitespace.
func canonical(text string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(text)) != nil {
		return text
	}
	return b.String()
}

// errIncompatible and friends carry the registry's error codes up to the
// HTTP layer.
type apiError struct {
	status int
	code   int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// Register registers schemaText under subject, returning the id. A schema
// already registered under the subject returns its id; a schema registered
// under another subject keeps its id in this one.
func (r *Registry) Register(ctx context.Context, subject, schemaText string) (int, error) {
	parsed, err := parseAvro(schemaText)
	if err != nil {
		return 0, &apiError{422, 42201, "Invalid schema " + schemaText + ": " + err.Error()}
	}
	canon := canonical(schemaText)
	r.writeMu.Lock()
	defer r.writeMu.Unlock()

	r.mu.RLock()
	var live []*avroType
	next := 1
	for _, v := range r.subjects[subject] {
		if !v.Deleted && canonical(v.Schema) == canon {
			r.mu.RUnlock()
			return v.ID, nil
		}
		if !v.Deleted {
			live = append(live, v.parsed)
		}
		next = v.Version + 1
	}
	level := r.levelLocked(subject)
	id, known := r.byText[canon]
	if !known {
		id = r.maxID + 1
	}
	r.mu.RUnlock()

	if msgs := checkCompatibility(level, parsed, live); len(msgs) > 0 {
		return 0, &apiError{409, 409, fmt.Sprintf("Schema being registered is incompatible with an earlier schema for subject %q, details: [%s]",
			subject, joinMsgs(msgs))}
	}
	key, _ := json.Marshal(schemaKey{KeyType: "SCHEMA", Subject: subject, Version: next, Magic: 1})
	val, _ := json.Marshal(schemaValue{Subject: subject, Version: next, ID: id, Schema: schemaText})
	if err := r.log.SendAndApply(ctx, key, val); err != nil {
		return 0, &apiError{500, 50001, "Error while registering schema: " + err.Error()}
	}
	r.logger.Info("registered schema", "subject", subject, "version", next, "id", id)
	return id, nil
}

func joinMsgs(msgs []string) string {
	var b bytes.Buffer
	for i, m := range msgs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m)
	}
	return b.String()
}

// levelLocked is the effective compatibility level of subject.
func (r *Registry) levelLocked(subject string) string {
	if l, ok := r.subjectCompat[subject]; ok && subject != "" {
		return l
	}
	if r.compat != "" {
		return r.compat
	}
	return DefaultCompatibility
}

// SetCompatibility sets the level of subject ("" = global).
func (r *Registry) SetCompatibility(ctx context.Context, subject, level string) error {
	if !compatibilityLevels[level] {
		return &apiError{422, 42203, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive"}
	}
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	k := configKey{KeyType: "CONFIG", Magic: 0}
	if subject != "" {
		k.Subject = &subject
	}
	key, _ := json.Marshal(k)
	val, _ := json.Marshal(configValue{CompatibilityLevel: level})
	if err := r.log.SendAndApply(ctx, key, val); err != nil {
		return &apiError{500, 50001, "Failed to update compatibility level: " + err.Error()}
	}
	return nil
}

// lookup finds schemaText among the live versions of subject.
func (r *Registry) lookup(subject, schemaText string) (*version, error) {
	if _, err := parseAvro(schemaText); err != nil {
		return nil, &apiError{422, 42201, "Invalid schema " + schemaText + ": " + err.Error()}
	}
	canon := canonical(schemaText)
	r.mu.RLock()
	defer r.mu.RUnlock()
	vs, ok := r.subjects[subject]
	if !ok || !hasLive(vs) {
		return nil, subjectNotFound(subject)
	}
	for _, v := range vs {
		if !v.Deleted && canonical(v.Schema) == canon {
			return v, nil
		}
	}
	return nil, &apiError{404, 40403, "Schema not found"}
}

func hasLive(vs []*version) bool {
	for _, v := range vs {
		if !v.Deleted {
			return true
		}
	}
	return false
}

func subjectNotFound(subject string) error {
	return &apiError{404, 40401, fmt.Sprintf("Subject '%s' not found.", subject)}
}

// versionOf returns a live version of subject: n, or the latest for n < 0.
func (r *Registry) versionOf(subject string, n int) (*version, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	vs := r.subjects[subject]
	if !hasLive(vs) {
		return nil, subjectNotFound(subject)
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if v := vs[i]; !v.Deleted && (n < 0 || v.Version == n) {
			return v, nil
		}
	}
	return nil, &apiError{404, 40402, fmt.Sprintf("Version %d not found.", n)}
}

// schemaByID returns the text of id.
func (r *Registry) schemaByID(id int) (string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.ids[id]
	if !ok {
		return "", &apiError{404, 40403, fmt.Sprintf("Schema %d not found", id)}
	}
	return s, nil
}

func (r *Registry) subjectList() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.subjects))
	for s, vs := range r.subjects {
		if hasLive(vs) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func (r *Registry) versionList(subject string) ([]int, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []int
	for _, v := range r.subjects[subject] {
		if !v.Deleted {
			out = append(out, v.Version)
		}
	}
	if len(out) == 0 {
		return nil, subjectNotFound(subject)
	}
	return out, nil
}

// compatibleWith checks schemaText against version n (or latest, n < 0) of
// subject under the subject's level, non-transitively as Confluent's
// compatibility endpoint does for one version.
func (r *Registry) compatibleWith(subject string, n int, schemaText string) ([]string, error) {
	parsed, err := parseAvro(schemaText)
	if err != nil {
		return nil, &apiError{422, 42201, "Invalid schema " + schemaText + ": " + err.Error()}
	}
	v, err := r.versionOf(subject, n)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	level := r.levelLocked(subject)
	r.mu.RUnlock()
	return checkCompatibility(trimTransitive(level), parsed, []*avroType{v.parsed}), nil
}

func trimTransitive(level string) string {
	if i := len(level) - len("_TRANSITIVE"); i > 0 && level[i:] == "_TRANSITIVE" {
		return level[:i]
	}
	return level
}
