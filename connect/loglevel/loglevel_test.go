package loglevel

import (
	"bytes"
	"log/slog"
	"slices"
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
