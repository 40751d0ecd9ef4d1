package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/schemaregistry"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
)

// startEmbeddedRegistry opens the schema registry stored in the embedded
// broker's _schemas topic and serves it on the first of
// embedded.schema.registry.listeners, returning its URL and the function
// that stops it. When only the default port is taken it runs without one.
func startEmbeddedRegistry(ctx context.Context, cfg *workerconfig.Config, brokers []string, sec *security.Config, log *slog.Logger) (string, func(), error) {
	listen, explicit := cfg.EmbeddedRegistryListeners, cfg.EmbeddedRegistryListenersSet
	reg, err := schemaregistry.Open(ctx, schemaregistry.Config{Brokers: brokers, ClientID: "tributary-schema-registry",
		ClientConfig:      func() *sarama.Config { return kafkaclient.NewClientConfig("tributary-schema-registry", sec) },
		ReplicationFactor: -1, Logger: log.With("component", "schema-registry")})
	if err != nil {
		return "", nil, fmt.Errorf("starting the embedded schema registry: %w", err)
	}
	first, _, _ := strings.Cut(listen, ",")
	url, err := reg.Listen(strings.TrimSpace(first))
	if err != nil {
		_ = reg.Close()
		if !explicit {
			log.Warn("embedded schema registry not started", "err", err)
			return "", func() {}, nil
		}
		return "", nil, fmt.Errorf("starting the embedded schema registry: %w", err)
	}
	log.Info("embedded schema registry listening", "url", url)
	return url, func() { _ = reg.Close() }, nil
}
