package kafkaclient

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

func TestParseProducerSettings(t *testing.T) {
	def := DefaultProducerSettings()
	got, ignored, err := ParseProducerSettings(def, map[string]string{
		"producer.override.compression.type":       "LZ4",
		"producer.override.compression.lz4.level":  "9",
		"producer.override.compression.zstd.level": "3", // not the codec in use
		"producer.override.linger.ms":              "20",
		"producer.override.max.request.size":       "2097152",
		"producer.override.buffer.memory":          "8388608",
		"producer.override.batch.size":             "16384",
		"producer.override.acks":                   "all",
		"compression.type":                         "gzip", // not prefixed
	}, ConnectorProducerPrefix)
	if err != nil {
		t.Fatal(err)
	}
	want := ProducerSettings{Compression: sarama.CompressionLZ4, CompressionLevel: 9, Linger: 20 * time.Millisecond,
		MaxRequestSize: 2 << 20, BufferMemory: 8 << 20}
	if got != want {
		t.Errorf("settings = %+v, want %+v", got, want)
	}
	if w := []string{"producer.override.acks", "producer.override.batch.size"}; !slices.Equal(ignored, w) {
		t.Errorf("ignored = %v, want %v", ignored, w)
	}

	// linger.ms=0 means "at once", which sarama needs as a short timer.
	got, _, err = ParseProducerSettings(def, map[string]string{"producer.linger.ms": "0"}, WorkerProducerPrefix)
	if err != nil || got.Linger != time.Millisecond {
		t.Errorf("linger.ms=0: %v, %v", got.Linger, err)
	}
	// Without settings the base is kept.
	if got, _, err := ParseProducerSettings(def, nil, WorkerProducerPrefix); err != nil || got != def {
		t.Errorf("no settings: %+v, %v", got, err)
	}
}

func TestParseProducerSettingsErrorsNameTheProperty(t *testing.T) {
	for key, value := range map[string]string{
		"producer.override.compression.type":       "brotli",
		"producer.override.linger.ms":              "-1",
		"producer.override.max.request.size":       "0",
		"producer.override.buffer.memory":          "lots",
		"producer.override.compression.gzip.level": "high",
	} {
		_, _, err := ParseProducerSettings(DefaultProducerSettings(), map[string]string{key: value}, ConnectorProducerPrefix)
		var se *ProducerSettingError
		if !errors.As(err, &se) || se.Key != key || se.Value != value {
			t.Errorf("%s=%s: error %v does not name the property and value", key, value, err)
		}
	}
}

// The settings reach the wire: a producer with compression.type=lz4 writes
// LZ4-compressed record batches.
func TestProducerSettingsCompressBatches(t *testing.T) {
	brokers := kafkatest.NewCluster(t)
	admin, err := sarama.NewClusterAdmin(brokers, NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := EnsureTopic(t.Context(), admin, "lz4", 1, -1, nil); err != nil {
		t.Fatal(err)
	}
	s := DefaultProducerSettings()
	s.Compression = sarama.CompressionLZ4
	p, err := NewProducer(brokers, "test", s)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		p.Input() <- &sarama.ProducerMessage{Topic: "lz4", Value: sarama.StringEncoder("record " + string(rune('a'+i)))}
	}
	for range 10 {
		select {
		case <-p.Successes():
		case err := <-p.Errors():
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	client, err := sarama.NewClient(brokers, NewConfig("test"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	leader, err := client.Leader("lz4", 0)
	if err != nil {
		t.Fatal(err)
	}
	req := &sarama.FetchRequest{Version: 4, MaxBytes: 1 << 20, MaxWaitTime: 100}
	req.AddBlock("lz4", 0, 0, 1<<20, -1)
	resp, err := leader.Fetch(req)
	if err != nil {
		t.Fatal(err)
	}
	block := resp.GetBlock("lz4", 0)
	if block == nil || len(block.RecordsSet) == 0 {
		t.Fatal("fetch returned no record batches")
	}
	for _, rs := range block.RecordsSet {
		if rs.RecordBatch == nil || rs.RecordBatch.Codec != sarama.CompressionLZ4 {
			t.Fatalf("record batch %+v is not LZ4-compressed", rs.RecordBatch)
		}
	}
}
