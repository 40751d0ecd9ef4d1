package signal

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The file channel takes every line and empties the file
// (FileSignalChannel.read); blank lines are skipped and a malformed line
// is logged and skipped. The two signal lines are Debezium's
// debezium_signaling_file.signals.txt, after its blank lines.
func TestFileChannel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.txt")
	var logs bytes.Buffer
	chs, err := OpenChannels(t.Context(), ChannelConfig{Enabled: []string{"source", "file"}, File: path}, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(chs) != 1 || chs[0].Name() != "file" {
		t.Fatalf("channels %v", chs)
	}
	ch := chs[0]
	defer ch.Close()
	if got, err := ch.Read(t.Context()); err != nil || len(got) != 0 {
		t.Fatalf("missing file: %v, %v", got, err)
	}
	content := "\n\n  \n\t\n" +
		`{"id":"d139b9b7-7777-4547-917d-111111111111", "type":"execute-snapshot", "data":{"data-collections": ["public.MyFirstTable", "public.MySecondTable"]}}` + "\n" +
		"not json\n" +
		`{"id":"d139b9b7-7777-4547-917d-222222222222", "type":"execute-snapshot", "data":{"data-collections": ["public2.MyFirstTable", "public2.MySecondTable"]}}` + "\r\n" +
		`{"id": 7, "type": "log", "data": {"message": "m"}}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ch.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Signal{
		{ID: "d139b9b7-7777-4547-917d-111111111111", Type: "execute-snapshot", Data: `{"data-collections":["public.MyFirstTable","public.MySecondTable"]}`, Channel: "file"},
		{ID: "d139b9b7-7777-4547-917d-222222222222", Type: "execute-snapshot", Data: `{"data-collections":["public2.MyFirstTable","public2.MySecondTable"]}`, Channel: "file"},
		{ID: "7", Type: "log", Data: `{"message":"m"}`, Channel: "file"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("signals\n got %+v\nwant %+v", got, want)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) != 0 {
		t.Errorf("file not emptied: %q, %v", b, err)
	}
	if !strings.Contains(logs.String(), "not json") {
		t.Errorf("the malformed line is not logged:\n%s", logs.String())
	}
	if got, err := ch.Read(t.Context()); err != nil || len(got) != 0 {
		t.Errorf("second read: %v, %v", got, err)
	}
	// Lines appended after a read are the next read's.
	if err := os.WriteFile(path, []byte(`{"id":"3","type":"pause-snapshot","data":{}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ch.Read(t.Context()); err != nil || len(got) != 1 || got[0].ID != "3" {
		t.Errorf("third read: %v, %v", got, err)
	}
}

// jmx and unknown channel names are named in one warning; the others open.
func TestOpenChannelsWarnsAboutUnknownChannels(t *testing.T) {
	var logs bytes.Buffer
	chs, err := OpenChannels(t.Context(), ChannelConfig{Enabled: []string{"jmx", "file", " nope ", "source"}, File: filepath.Join(t.TempDir(), "f")},
		nil, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer CloseChannels(chs)
	if len(chs) != 1 || chs[0].Name() != ChannelFile {
		t.Errorf("channels %v", chs)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "jmx, nope") {
		t.Errorf("no warning naming jmx and nope:\n%s", logs.String())
	}
	// The kafka channel needs its bootstrap servers, in Debezium's words.
	_, err = OpenChannels(t.Context(), ChannelConfig{Enabled: []string{"file", "kafka"}, TopicPrefix: "p"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "The 'signal.kafka.bootstrap.servers' value is invalid: A value is required") {
		t.Errorf("kafka without bootstrap servers: %v", err)
	}
}
