package loglevel

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// TestJSONOutput: each record is one line that encoding/json reads, with
// slog's time, level and msg keys, the logger's name and the attributes.
func TestJSONOutput(t *testing.T) {
	reg := NewRegistry(slog.LevelInfo)
	var out buffer
	log := slog.New(reg.Handler(NewOutput(&out, FormatJSON))).With(NameAttr, "herder")
	log.Info("connector started", "connector", "inventory", "tasks", 2)
	log.Debug("hidden")
	log.WithGroup("task").Warn("restarting", "id", 0)

	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), out.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("line %q: %v", lines[0], err)
	}
	for k, want := range map[string]any{"level": "INFO", "msg": "connector started", NameAttr: "herder",
		"connector": "inventory", "tasks": float64(2)} {
		if rec[k] != want {
			t.Errorf("%s = %#v, want %#v (%s)", k, rec[k], want, lines[0])
		}
	}
	if _, ok := rec["time"].(string); !ok {
		t.Errorf("no time in %s", lines[0])
	}
	rec = nil
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatalf("line %q: %v", lines[1], err)
	}
	if task, _ := rec["task"].(map[string]any); rec["level"] != "WARN" || task["id"] != float64(0) {
		t.Errorf("grouped record = %s", lines[1])
	}
}

// TestOutputLevelNames: log4j's extra levels render in both formats as
// slog's own text handler renders them.
func TestOutputLevelNames(t *testing.T) {
	for _, c := range []struct {
		level slog.Level
		want  string
	}{{LevelTrace, "DEBUG-4"}, {slog.LevelDebug, "DEBUG"}, {LevelFatal, "ERROR+4"}} {
		var plain buffer
		slog.New(slog.NewTextHandler(&plain, &slog.HandlerOptions{Level: LevelTrace})).Log(context.Background(), c.level, "m")
		if !strings.Contains(plain.String(), " level="+c.want+" ") {
			t.Fatalf("slog renders %v as %s", c.level, plain.String())
		}
		reg := NewRegistry(slog.LevelInfo)
		reg.SetLevel(Root, "ALL")

		var text buffer
		slog.New(reg.Handler(NewOutput(&text, FormatText))).Log(context.Background(), c.level, "m")
		if got, want := dropTime(text.String()), dropTime(plain.String()); got != want {
			t.Errorf("text output %q, want %q", got, want)
		}

		var js buffer
		slog.New(reg.Handler(NewOutput(&js, FormatJSON))).Log(context.Background(), c.level, "m")
		var rec map[string]any
		if err := json.Unmarshal([]byte(js.String()), &rec); err != nil || rec["level"] != c.want {
			t.Errorf("JSON output %q (%v), want level %s", js.String(), err, c.want)
		}
	}
}

// dropTime removes the leading time=… of a text line.
func dropTime(line string) string {
	_, rest, _ := strings.Cut(line, " ")
	return rest
}

func TestUnknownFormatPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewOutput accepted format xml")
		}
	}()
	NewOutput(&buffer{}, "xml")
}
