package loglevel

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// NameAttr is the attribute that names a logger.
const NameAttr = "component"

// Root is the name of the root logger.
const Root = "root"

// Bounds on what a registry keeps, so that requests naming loggers cannot
// grow it without limit. Log4j has none; these are far above the loggers a
// worker has.
const (
	// MaxNameLen is the longest logger name, in bytes.
	MaxNameLen = 256
	// MaxLoggers caps both the loggers with a level set and the named
	// loggers registered by the program.
	MaxLoggers = 1024
)

// Extra slog levels for log4j's TRACE, FATAL, OFF and ALL.
const (
	LevelTrace = slog.Level(-8)
	LevelFatal = slog.Level(12)
	levelOff   = slog.Level(1 << 20)
	levelAll   = slog.Level(-1 << 20)
)

var byName = map[string]slog.Level{
	"OFF": levelOff, "FATAL": LevelFatal, "ERROR": slog.LevelError, "WARN": slog.LevelWarn,
	"INFO": slog.LevelInfo, "DEBUG": slog.LevelDebug, "TRACE": LevelTrace, "ALL": levelAll,
}

func levelName(l slog.Level) string {
	for n, v := range byName {
		if v == l {
			return n
		}
	}
	return l.String()
}

type entry struct {
	level    slog.Level
	modified int64 // epoch ms; 0 = never
}

// Registry holds the levels. It is safe for concurrent use.
type Registry struct {
	now func() time.Time

	mu     sync.RWMutex
	root   entry
	levels map[string]entry // explicitly set
	known  map[string]bool  // every named logger seen
}

// NewRegistry returns a registry whose root level is root.
func NewRegistry(root slog.Level) *Registry {
	return &Registry{now: time.Now, root: entry{level: root}, levels: map[string]entry{}, known: map[string]bool{}}
}

// Handler wraps next so that records pass only at or above the level of
// their logger. next should accept every level (e.g. LevelTrace).
func (r *Registry) Handler(next slog.Handler) slog.Handler {
	return &handler{reg: r, next: next}
}

// effective returns the level of name: its own, else its nearest dotted
// ancestor's, else root's.
func (r *Registry) effective(name string) entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.effectiveLocked(name)
}

func (r *Registry) effectiveLocked(name string) entry {
	for n := name; n != ""; {
		if e, ok := r.levels[n]; ok {
			return e
		}
		i := strings.LastIndexByte(n, '.')
		if i < 0 {
			break
		}
		n = n[:i]
	}
	return r.root
}

// register records a logger the program named. Beyond MaxLoggers names it
// is not listed; its level still follows its ancestors and root.
func (r *Registry) register(name string) {
	r.mu.RLock()
	ok := r.known[name]
	r.mu.RUnlock()
	if !ok {
		r.mu.Lock()
		if len(r.known) < MaxLoggers {
			r.known[name] = true
		}
		r.mu.Unlock()
	}
}

// CheckName reports why SetLevel would refuse name: longer than
// MaxNameLen, containing ISO control characters (listed by code point as
// Kafka's ConfigDef.NonEmptyStringWithoutControlChars does), or new when
// MaxLoggers loggers already have a level.
func (r *Registry) CheckName(name string) error {
	if len(name) > MaxNameLen {
		return fmt.Errorf("Logger name is %d bytes long; at most %d are allowed", len(name), MaxNameLen)
	}
	var found []string
	for _, c := range name {
		if unicode.IsControl(c) {
			found = append(found, strconv.Itoa(int(c)))
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("Logger name may not contain control sequences but had the following ASCII chars: %s", strings.Join(found, ", "))
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.checkRoomLocked(name)
}

func (r *Registry) checkRoomLocked(name string) error {
	if _, set := r.levels[name]; set || name == Root || len(r.levels) < MaxLoggers {
		return nil
	}
	return fmt.Errorf("Levels are set on %d loggers, the most allowed; set the level of a common ancestor instead", MaxLoggers)
}

// ValidLevel reports whether level is one of log4j's level names.
func (r *Registry) ValidLevel(level string) bool {
	_, ok := byName[strings.ToUpper(level)]
	return ok
}

// Level describes one logger; false if no logger of that name exists.
func (r *Registry) Level(name string) (level string, lastModified *int64, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if name == Root {
		return levelName(r.root.level), ms(r.root.modified), true
	}
	_, set := r.levels[name]
	if !set && !r.known[name] {
		return "", nil, false
	}
	e := r.effectiveLocked(name)
	return levelName(e.level), ms(e.modified), true
}

func ms(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// Names lists root and every known or configured logger, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	set := maps.Clone(r.known)
	for n := range r.levels {
		set[n] = true
	}
	set[Root] = true
	return slices.Sorted(maps.Keys(set))
}

// SetLevel sets the level of name and every logger below it (by name
// prefix, as Kafka Connect does) and returns the loggers changed, sorted.
// "root" changes every logger. An invalid level or a name CheckName
// refuses changes nothing.
func (r *Registry) SetLevel(name, level string) []string {
	l, ok := byName[strings.ToUpper(level)]
	if !ok || r.CheckName(name) != nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checkRoomLocked(name) != nil {
		return nil
	}
	e := entry{level: l, modified: r.now().UnixMilli()}
	changed := map[string]bool{}
	names := maps.Clone(r.known)
	for n := range r.levels {
		names[n] = true
	}
	if name == Root {
		r.root = e
		changed[Root] = true
		for n := range names {
			r.levels[n] = e
			changed[n] = true
		}
	} else {
		r.levels[name] = e
		changed[name] = true
		for n := range names {
			if strings.HasPrefix(n, name) {
				r.levels[n] = e
				changed[n] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(changed))
}

type handler struct {
	reg  *Registry
	next slog.Handler
	name string
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.reg.effective(h.name).level && h.next.Enabled(ctx, l)
}

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	return h.next.Handle(ctx, rec)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	name := h.name
	for _, a := range attrs {
		if a.Key == NameAttr {
			name = a.Value.String()
		}
	}
	if name != h.name {
		h.reg.register(name)
	}
	return &handler{reg: h.reg, next: h.next.WithAttrs(attrs), name: name}
}

func (h *handler) WithGroup(g string) slog.Handler {
	return &handler{reg: h.reg, next: h.next.WithGroup(g), name: h.name}
}
