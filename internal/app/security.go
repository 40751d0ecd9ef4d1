package app

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
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

// embeddedSecurity refuses client security settings on a worker without
// bootstrap.servers: the embedded broker speaks plaintext on loopback, so
// they would be ignored.
func embeddedSecurity(props map[string]string) error {
	for _, prefix := range []string{"", security.ProducerPrefix, security.AdminPrefix, security.ConsumerPrefix} {
		for _, n := range security.Names {
			if strings.TrimSpace(props[prefix+n]) != "" {
				return fmt.Errorf("loading worker config: %s%s is set but bootstrap.servers is not: the embedded broker "+
					"listens in plaintext on loopback only; set bootstrap.servers to reach a secured Kafka cluster, or remove %s%s",
					prefix, n, prefix, n)
			}
		}
	}
	return nil
}
