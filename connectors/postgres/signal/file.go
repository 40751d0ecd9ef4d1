package signal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
)

// ChannelFile is the file channel's name (FileSignalChannel.CHANNEL_NAME).
const ChannelFile = "file"

// DefaultSignalFile is signal.file's default (FileSignalChannel.init).
const DefaultSignalFile = "file-signals.txt"

// maxSignalFile bounds what one read of the signal file takes in.
const maxSignalFile = 16 << 20

// fileChannel is Debezium's FileSignalChannel: every read takes all the
// lines of the file, empties it, and returns one signal per line that is a
// JSON object {"id": …, "type": …, "data": …}; blank lines are skipped, and
// a line that is not such an object is logged and skipped.
type fileChannel struct {
	path string
	log  *slog.Logger
}

func newFileChannel(path string, log *slog.Logger) *fileChannel {
	if path == "" {
		path = DefaultSignalFile
	}
	log.Info("Reading signal file", "file", path) // FileSignalChannel.init
	return &fileChannel{path: path, log: log}
}

func (c *fileChannel) Name() string { return ChannelFile }

func (c *fileChannel) Close() error { return nil }

// Read reads and empties the file, as FileSignalChannel.read does
// (Files.readAllLines, then new FileWriter(file, false)). A missing file
// or a directory reads as no signal.
func (c *fileChannel) Read(context.Context) ([]Signal, error) {
	f, err := os.OpenFile(c.path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		if st, serr := os.Stat(c.path); serr == nil && st.IsDir() {
			return nil, nil
		}
		return nil, fmt.Errorf("reading signal file %s: %w", c.path, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, maxSignalFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading signal file %s: %w", c.path, err)
	}
	if n > maxSignalFile {
		return nil, fmt.Errorf("reading signal file %s: it holds more than %d bytes", c.path, maxSignalFile)
	}
	if n == 0 {
		return nil, nil
	}
	if err := f.Truncate(0); err != nil {
		return nil, fmt.Errorf("emptying signal file %s: %w", c.path, err)
	}
	var out []Signal
	for _, line := range strings.Split(buf.String(), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		s, err := parseFileLine(line)
		if err != nil {
			c.log.Warn("Skipped signal due to an error", "line", line, "error", err)
			continue
		}
		c.log.Info("Processing signal", "id", s.ID, "type", s.Type, "data", s.Data)
		out = append(out, s)
	}
	return out, nil
}

// parseFileLine is FileSignalChannel.readSignalString: id and type as
// text (JsonNode.asText), data as the JSON of the "data" node.
func parseFileLine(line string) (Signal, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &doc); err != nil || doc == nil {
		if err == nil {
			err = errors.New("not a JSON object")
		}
		return Signal{}, err
	}
	for _, name := range []string{"id", "type", "data"} {
		if _, ok := doc[name]; !ok {
			return Signal{}, fmt.Errorf("the field '%s' is missing", name)
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc["data"]); err != nil {
		return Signal{}, err
	}
	return Signal{ID: asText(doc["id"]), Type: asText(doc["type"]), Data: compact.String(), Channel: ChannelFile}, nil
}

// asText is Jackson's JsonNode.asText: a string's value, a scalar's JSON
// text, "" for an object or array.
func asText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	t := strings.TrimSpace(string(raw))
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		return ""
	}
	return t
}
