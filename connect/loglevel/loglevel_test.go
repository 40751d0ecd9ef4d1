package loglevel

import (
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) { b.mu.Lock(); defer b.mu.Unlock(); return b.b.Write(p) }
func (b *buffer) String() string              { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

func TestLevelsSwitchAtRunTime(t *testing.T) {
	reg := NewRegistry(slog.LevelInfo)
	reg.now = func() time.Time { return time.UnixMilli(1714557600000) }
	var out buffer
	root := slog.New(reg.Handler(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: LevelTrace})))
	herder := root.With(NameAttr, "herder")
	kafkalog := root.With(NameAttr, "kafkalog")
	topicLog := kafkalog.With("topic", "connect-offsets")

	herder.Debug("hidden-1")
	root.Info("shown-1")
	if changed := reg.SetLevel("herder", "debug"); !slices.Equal(changed, []string{"herder"}) {
		t.Errorf("SetLevel(herder) changed %v", changed)
	}
	herder.Debug("shown-2")
	topicLog.Debug("hidden-2")
	if lvl, mod, ok := reg.Level("herder"); !ok || lvl != "DEBUG" || mod == nil || *mod != 1714557600000 {
		t.Errorf("Level(herder) = %s, %v, %v", lvl, mod, ok)
	}
	if lvl, mod, ok := reg.Level("kafkalog"); !ok || lvl != "INFO" || mod != nil {
		t.Errorf("Level(kafkalog) = %s, %v, %v", lvl, mod, ok)
	}
	if _, _, ok := reg.Level("nope"); ok {
		t.Error("Level(nope) found")
	}
	if changed := reg.SetLevel(Root, "ERROR"); !slices.Equal(changed, []string{"herder", "kafkalog", "root"}) {
		t.Errorf("SetLevel(root) changed %v", changed)
	}
	herder.Warn("hidden-3")
	topicLog.Error("shown-3")
	if got := reg.SetLevel("x", "LOUD"); got != nil || reg.ValidLevel("LOUD") || !reg.ValidLevel("trace") {
		t.Error("an invalid level was accepted")
	}
	s := out.String()
	for _, want := range []string{"shown-1", "shown-2", "shown-3"} {
		if !strings.Contains(s, want) {
			t.Errorf("log lacks %s:\n%s", want, s)
		}
	}
	for _, not := range []string{"hidden-1", "hidden-2", "hidden-3"} {
		if strings.Contains(s, not) {
			t.Errorf("log has %s:\n%s", not, s)
		}
	}
	if names := reg.Names(); !slices.Equal(names, []string{"herder", "kafkalog", "root"}) {
		t.Errorf("Names = %v", names)
	}
}

func TestDottedAncestors(t *testing.T) {
	reg := NewRegistry(slog.LevelInfo)
	reg.SetLevel("io.debezium", "TRACE")
	if e := reg.effective("io.debezium.connector.postgresql"); e.level != LevelTrace {
		t.Errorf("child level = %v", e.level)
	}
	if e := reg.effective("io.debeziumx"); e.level != slog.LevelInfo {
		t.Errorf("non-child level = %v", e.level)
	}
}

func TestNamesBounded(t *testing.T) {
	reg := NewRegistry(slog.LevelInfo)
	for i := range 3 * MaxLoggers {
		name := "x." + strings.Repeat("n", i%50) + "." + strconv.Itoa(i)
		changed := reg.SetLevel(name, "DEBUG")
		if err := reg.CheckName("fresh.one"); i < MaxLoggers-1 && (err != nil || len(changed) == 0) {
			t.Fatalf("set %d: changed %v, CheckName %v", i, changed, err)
		}
	}
	if n := len(reg.Names()); n != MaxLoggers+1 {
		t.Errorf("%d names after %d distinct sets, want the cap %d plus root", n, 3*MaxLoggers, MaxLoggers)
	}
	if err := reg.CheckName("fresh.one"); err == nil || !strings.Contains(err.Error(), "1024") {
		t.Errorf("CheckName of a new name at the cap = %v", err)
	}
	// Loggers that already have a level, and root, can still change.
	if changed := reg.SetLevel("x..0", "TRACE"); len(changed) == 0 {
		t.Error("a logger with a level could not change at the cap")
	}
	if changed := reg.SetLevel(Root, "WARN"); len(changed) == 0 {
		t.Error("root could not change at the cap")
	}

	// Loggers the program names are capped too.
	prog := NewRegistry(slog.LevelInfo)
	root := slog.New(prog.Handler(slog.DiscardHandler))
	for i := range 2 * MaxLoggers {
		root.With(NameAttr, "c"+strconv.Itoa(i)).Info("x")
	}
	if n := len(prog.Names()); n != MaxLoggers+1 {
		t.Errorf("%d names after %d components, want %d", n, 2*MaxLoggers, MaxLoggers+1)
	}
}

func TestCheckName(t *testing.T) {
	reg := NewRegistry(slog.LevelInfo)
	for name, want := range map[string]string{
		"io.debezium":                     "",
		"a\nb\x7f\u0085":                  "Logger name may not contain control sequences but had the following ASCII chars: 10, 127, 133",
		strings.Repeat("a", MaxNameLen):   "",
		strings.Repeat("a", MaxNameLen+1): "Logger name is 257 bytes long; at most 256 are allowed",
	} {
		err := reg.CheckName(name)
		if got := fmt.Sprint(err); (want == "" && err != nil) || (want != "" && got != want) {
			t.Errorf("CheckName(%.20q) = %v, want %q", name, err, want)
		}
		if changed := reg.SetLevel(name, "DEBUG"); (want == "") != (len(changed) > 0) {
			t.Errorf("SetLevel(%.20q) changed %v", name, changed)
		}
	}
}
