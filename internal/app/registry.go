package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/embedded"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/schemaregistry"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
)

// startEmbeddedRegistry opens the schema registry stored in the embedded
// broker's _schemas topic and serves it on the first of
// embedded.schema.registry.listeners, returning its URL and the function
// that stops it. When only the default port is taken it runs without one.
// With the embedded broker's SASL user (opts.User), writes to the registry
// need that user's credentials; without one, a listener beyond loopback
// stops the worker, as the broker's does: whoever reached it could set a
// subject's compatibility to NONE or register schemas.
func startEmbeddedRegistry(ctx context.Context, cfg *workerconfig.Config, brokers []string, sec *security.Config,
	opts embedded.Options, log *slog.Logger) (string, func(), error) {
	listen, explicit := cfg.EmbeddedRegistryListeners, cfg.EmbeddedRegistryListenersSet
	first, _, _ := strings.Cut(listen, ",")
	first = strings.TrimSpace(first)
	if u, err := url.Parse(first); err == nil && opts.User == "" && !loopbackHost(u.Hostname()) {
		return "", nil, fmt.Errorf("starting the embedded schema registry: %s=%s is reachable beyond loopback and nobody "+
			"would need credentials to change it: set %s (its user then authenticates registry writes) or listen on 127.0.0.1",
			workerconfig.PropEmbeddedRegistryListeners, listen, workerconfig.PropEmbeddedSaslUsername)
	}
	reg, err := schemaregistry.Open(ctx, schemaregistry.Config{Brokers: brokers, ClientID: "tributary-schema-registry",
		ClientConfig:      func() *sarama.Config { return kafkaclient.NewClientConfig("tributary-schema-registry", sec) },
		ReplicationFactor: -1, Logger: log.With("component", "schema-registry"),
		WriteUser: opts.User, WritePassword: opts.Password})
	if err != nil {
		return "", nil, fmt.Errorf("starting the embedded schema registry: %w", err)
	}
	regURL, err := reg.Listen(first)
	if err != nil {
		_ = reg.Close()
		if !explicit {
			log.Warn("embedded schema registry not started", "err", err)
			return "", func() {}, nil
		}
		return "", nil, fmt.Errorf("starting the embedded schema registry: %w", err)
	}
	if u, err := url.Parse(first); err == nil && opts.User != "" && !loopbackHost(u.Hostname()) {
		log.Warn("the embedded schema registry is reachable beyond loopback over http://: the credentials its writes need "+
			"(the embedded broker's SASL user) cross the network in clear text", "property", workerconfig.PropEmbeddedRegistryListeners,
			"listener", first)
	}
	log.Info("embedded schema registry listening", "url", regURL, "authenticated_writes", opts.User != "")
	return regURL, func() { _ = reg.Close() }, nil
}

// loopbackHost reports whether a listener host binds loopback only: a
// loopback IP or localhost. An empty host, 0.0.0.0 or :: binds every
// interface.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
