package e2e

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/internal/app"
)

// TestExampleConfigs loads the files in configs/ as a user would hand them
// to Tributary: the worker file parses with no unknown property, and the
// connector file is a valid Debezium config apart from the database it
// points at.
func TestExampleConfigs(t *testing.T) {
	cfg, unknown, err := workerconfig.Load("../configs/worker.properties", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) != 0 {
		t.Errorf("configs/worker.properties has unknown properties %v", unknown)
	}
	if len(cfg.BootstrapServers) != 0 || cfg.GroupID != "tributary" || cfg.OffsetTopic != "connect-offsets" ||
		cfg.OffsetFlushInterval != 10*time.Second || cfg.EmbeddedDataDir != "./tributary-data" {
		t.Errorf("configs/worker.properties loaded as %+v", cfg)
	}

	raw, err := os.ReadFile("../configs/inventory-connector.json")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Name   string            `json:"name"`
		Config map[string]string `json:"config"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.Name != "inventory" || body.Config["connector.class"] != postgres.ConnectorClass {
		t.Errorf("configs/inventory-connector.json: %+v", body)
	}
	if _, errs := postgres.ParseConfig(body.Config); len(errs) != 0 {
		t.Errorf("configs/inventory-connector.json does not parse: %v", errs)
	}
}

// A worker producer setting with an invalid value stops the worker before
// it starts anything, with a message naming the property.
func TestInvalidWorkerProducerSettingRefusesToStart(t *testing.T) {
	_, err := app.New(t.Context(), app.Options{Environ: []string{
		"CONNECT_PRODUCER_COMPRESSION_TYPE=brotli",
		"CONNECT_EMBEDDED_DATA_DIR=" + t.TempDir(),
	}})
	if err == nil || !strings.Contains(err.Error(), "producer.compression.type") || !strings.Contains(err.Error(), "brotli") {
		t.Fatalf("app.New = %v, want an error naming producer.compression.type", err)
	}
}

// Exactly-once delivery is refused on the embedded broker, whose crash
// recovery cannot complete a transaction that was committing.
func TestExactlyOnceNeedsAKafkaCluster(t *testing.T) {
	_, err := app.New(t.Context(), app.Options{Environ: []string{
		"CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT=enabled",
		"CONNECT_EMBEDDED_DATA_DIR=" + t.TempDir(),
	}})
	if err == nil || !strings.Contains(err.Error(), "exactly.once.source.support") || !strings.Contains(err.Error(), "bootstrap.servers") {
		t.Fatalf("app.New = %v, want an error naming exactly.once.source.support and bootstrap.servers", err)
	}
}
