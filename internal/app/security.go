package app

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/tributary-cdc/tributary/connect/embedded"
	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
	"github.com/tributary-cdc/tributary/connect/workerconfig"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// clientSecurity is the security of each kind of Kafka client a worker
// builds, from Kafka Connect's views of the worker's properties.
type clientSecurity struct {
	// internal: group membership, the internal topics' clients and the
	// cluster id look-up (the top-level settings).
	internal *security.Config
	// admin: topic creation, topic look-ups and fencing (the top level,
	// then admin.*).
	admin *security.Config
	// producer: source task producers without connector overrides
	// (producer.* only); each task's own comes from
	// kafkaclient.ProducerSecurity.
	producer *security.Config
}

// parseClientSecurity parses the three views; an error names the property
// as the worker's properties spell it.
func parseClientSecurity(props map[string]string, policy security.OverridePolicy, brokers []string, log *slog.Logger) (clientSecurity, error) {
	var s clientSecurity
	opts := func(client string) security.Options {
		return security.Options{Logger: log.With("client", client), Bootstrap: brokers}
	}
	var err error
	if s.internal, err = security.Parse(security.InternalProps(props), opts("internal")); err != nil {
		return s, err
	}
	adminProps, err := security.AdminProps(props, nil, policy)
	if err != nil {
		return s, err
	}
	if s.admin, err = security.Parse(adminProps, opts("admin")); err != nil {
		var ce *security.ConfigError
		if errors.As(err, &ce) {
			if _, ok := props[security.AdminPrefix+ce.Name]; ok {
				named := *ce
				named.Name = security.AdminPrefix + ce.Name
				return s, &named
			}
		}
		return s, err
	}
	sec, errs := kafkaclient.ProducerSecurity(props, nil, policy, opts("producer"))
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Message
		}
		return s, errors.New(strings.Join(msgs, "; "))
	}
	s.producer = sec
	return s, nil
}

// embeddedClientPrefixes are the prefixes of the worker's clients'
// security settings: internal and admin clients read the top level (admin
// clients then admin.*), task producers producer.*, consumers consumer.*.
var embeddedClientPrefixes = []string{"", security.ProducerPrefix, security.AdminPrefix, security.ConsumerPrefix}

// embeddedSecurity refuses client security settings on a worker without
// bootstrap.servers: the embedded broker's security is set with
// embedded.kafka.*, and the worker's clients follow it.
func embeddedSecurity(props map[string]string) error {
	for _, prefix := range embeddedClientPrefixes {
		for _, n := range security.Names {
			if strings.TrimSpace(props[prefix+n]) != "" {
				hint := ""
				if prefix == "" && strings.HasPrefix(n, "ssl.") {
					// Kafka Connect's https listeners fall back to the
					// top-level ssl.*; with the embedded broker they
					// are the clients' settings and stop the worker.
					hint = "; for the REST API's https listeners, set " + workerconfig.PropListenersHTTPSPrefix + n
				}
				return fmt.Errorf("loading worker config: %s%s is set but bootstrap.servers is not: the embedded broker's "+
					"security is set with %s and %s* and the worker's clients follow it; set bootstrap.servers to reach "+
					"a secured Kafka cluster, or remove %s%s%s",
					prefix, n, workerconfig.PropEmbeddedSaslUsername, workerconfig.PropEmbeddedKafkaPrefix+"ssl.", prefix, n, hint)
			}
		}
	}
	return nil
}

// embeddedOptions are the embedded broker's settings: its listener and data
// directory, the SCRAM-SHA-512 user of embedded.kafka.sasl.*, and TLS with
// the key store of embedded.kafka.ssl.* (read as Kafka reads a key store).
func embeddedOptions(cfg *workerconfig.Config, props map[string]string, log *slog.Logger) (embedded.Options, error) {
	o := embedded.Options{Listen: cfg.EmbeddedKafkaListeners, DataDir: cfg.EmbeddedDataDir,
		Logger: log.With("component", "embedded-broker"),
		User:   strings.TrimSpace(props[workerconfig.PropEmbeddedSaslUsername]), Password: props[workerconfig.PropEmbeddedSaslPassword]}
	if o.User == "" && strings.TrimSpace(o.Password) != "" {
		return o, fmt.Errorf("loading worker config: %s is set but %s is not", workerconfig.PropEmbeddedSaslPassword,
			workerconfig.PropEmbeddedSaslUsername)
	}
	prefix := workerconfig.PropEmbeddedKafkaPrefix
	if strings.TrimSpace(props[prefix+tlsconfig.KeystoreLocationConfig]) == "" &&
		strings.TrimSpace(props[prefix+tlsconfig.KeystoreKeyConfig]) == "" {
		return o, nil
	}
	client, err := tlsconfig.Load(props, prefix)
	if err != nil {
		return o, fmt.Errorf("loading worker config: %w", err)
	}
	if len(client.Certificates) == 0 {
		return o, fmt.Errorf("loading worker config: %s%s holds no key and certificate", prefix, tlsconfig.KeystoreLocationConfig)
	}
	o.TLS = &tls.Config{Certificates: client.Certificates, MinVersion: client.MinVersion, MaxVersion: client.MaxVersion,
		CipherSuites: client.CipherSuites}
	return o, nil
}

// withEmbeddedClientProps returns props with the client security settings
// that reach the embedded broker, for each kind of the worker's clients.
func withEmbeddedClientProps(props map[string]string, o embedded.Options) (map[string]string, error) {
	client, err := o.ClientProps()
	if err != nil {
		return nil, fmt.Errorf("configuring the embedded broker: %w", err)
	}
	out := maps.Clone(props)
	for _, prefix := range embeddedClientPrefixes {
		for k, v := range client {
			out[prefix+k] = v
		}
	}
	return out, nil
}
