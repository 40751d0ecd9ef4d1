package kafkaclient

import (
	"slices"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkatest"
)

func TestParseProducerSettings(t *testing.T) {
	def := DefaultProducerSettings()
	got, ignored, errs := ParseProducerSettings(def, map[string]string{
		"producer.override.compression.type":       "LZ4",
		"producer.override.compression.lz4.level":  "12",
		"producer.override.compression.zstd.level": "5", // not the codec in use
		"producer.override.linger.ms":              "20",
		"producer.override.max.request.size":       "2097152",
		"producer.override.buffer.memory":          "8388608",
		"producer.override.batch.size":             "16384",
		"producer.override.acks":                   "all",
		"compression.type":                         "gzip", // not prefixed
	}, ConnectorProducerPrefix)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := ProducerSettings{Compression: sarama.CompressionLZ4, GzipLevel: -1, LZ4Level: 12, ZstdLevel: 5, Linger: 20 * time.Millisecond,
		MaxRequestSize: 2 << 20, BufferMemory: 8 << 20}
	if got != want {
		t.Errorf("settings = %+v, want %+v", got, want)
	}
	if w := []string{"producer.override.acks", "producer.override.batch.size"}; !slices.Equal(ignored, w) {
		t.Errorf("ignored = %v, want %v", ignored, w)
	}

	// linger.ms=0 means "at once", which sarama needs as a short timer.
	got, _, errs = ParseProducerSettings(def, map[string]string{"producer.linger.ms": "0"}, WorkerProducerPrefix)
	if len(errs) > 0 || got.Linger != time.Millisecond {
		t.Errorf("linger.ms=0: %v, %v", got.Linger, errs)
	}
	// Without settings the base is kept.
	if got, _, errs := ParseProducerSettings(def, nil, WorkerProducerPrefix); len(errs) > 0 || got != def {
		t.Errorf("no settings: %+v, %v", got, errs)
	}
}

// The defaults are Kafka's producer defaults, with the runtime's
// buffer.memory; Kafka's default level of a codec is sarama's.
func TestDefaultProducerSettings(t *testing.T) {
	want := ProducerSettings{Compression: sarama.CompressionNone, GzipLevel: -1, LZ4Level: 9, ZstdLevel: 3,
		Linger: time.Millisecond, MaxRequestSize: 1 << 20, BufferMemory: 16 << 20}
	if got := DefaultProducerSettings(); got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
	for _, codec := range []sarama.CompressionCodec{sarama.CompressionNone, sarama.CompressionGZIP, sarama.CompressionLZ4, sarama.CompressionZSTD} {
		s := want
		s.Compression = codec
		cfg := sarama.NewConfig()
		s.Apply(cfg)
		if cfg.Producer.CompressionLevel != sarama.CompressionLevelDefault {
			t.Errorf("%v: level %d, want sarama's default", codec, cfg.Producer.CompressionLevel)
		}
	}
}

// A connector's override of compression.type takes the worker's level for
// that codec, not the level of the worker's codec: the producer's config
// is the worker's producer.* settings with the connector's overrides.
func TestProducerOverrideKeepsLevelsPerCodec(t *testing.T) {
	worker, _, errs := ParseProducerSettings(DefaultProducerSettings(), map[string]string{
		"producer.compression.type": "gzip", "producer.compression.gzip.level": "5", "producer.compression.zstd.level": "7",
	}, WorkerProducerPrefix)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for codec, level := range map[string]int{"gzip": 5, "zstd": 7, "lz4": sarama.CompressionLevelDefault} {
		s, _, errs := ParseProducerSettings(worker, map[string]string{"producer.override.compression.type": codec}, ConnectorProducerPrefix)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		cfg := sarama.NewConfig()
		s.Apply(cfg)
		if cfg.Producer.CompressionLevel != level {
			t.Errorf("override %s: level %d, want %d", codec, cfg.Producer.CompressionLevel, level)
		}
	}
}

// Every invalid setting is reported, named in full, in Kafka's words.
func TestParseProducerSettingsErrorsNameTheProperty(t *testing.T) {
	for _, c := range []struct{ key, value, message string }{
		{"producer.override.compression.type", "brotli", "String must be one of: none, gzip, snappy, lz4, zstd"},
		{"producer.override.linger.ms", "-1", "Value must be at least 0"},
		{"producer.override.max.request.size", "0", "Value must be at least 1"},
		{"producer.override.buffer.memory", "lots", "Not a number of type LONG"},
		{"producer.override.compression.gzip.level", "high", "Not a number of type INT"},
		{"producer.override.compression.gzip.level", "0", "Value must be between 1 and 9 or equal to -1"},
		{"producer.override.compression.lz4.level", "18", "Value must be no more than 17"},
		{"producer.override.compression.zstd.level", "23", "Value must be no more than 22"},
	} {
		_, _, errs := ParseProducerSettings(DefaultProducerSettings(), map[string]string{c.key: c.value}, ConnectorProducerPrefix)
		want := "Invalid value " + c.value + " for configuration " + c.key + ": " + c.message
		if len(errs) != 1 || errs[0].Name != c.key || errs[0].Message != want {
			t.Errorf("%s=%s: errors %v, want %q", c.key, c.value, errs, want)
		}
	}
	_, _, errs := ParseProducerSettings(DefaultProducerSettings(), map[string]string{
		"producer.linger.ms": "-1", "producer.compression.type": "brotli"}, WorkerProducerPrefix)
	if len(errs) != 2 {
		t.Errorf("errors %v, want both", errs)
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
