package kafkaclient

import (
	"errors"
	"sort"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect/kafkaclient/security"
)

// ProducerSecurity parses the security of a source task's producer as
// Kafka Connect builds it (Worker.baseProducerConfigs): the worker's
// producer.* settings, then the connector's producer.override.* ones
// where policy (connector.client.config.override.policy) allows them; the
// worker's top-level security settings do not reach it. With a nil
// connector it is the producer of a connector without overrides. Each
// problem is an error naming the full property, as a 400 names it; no
// error shows a secret. log receives the warning for settings without
// effect and, when the worker's own security.protocol is not PLAINTEXT and
// the producer sets none, security.ProducerProtocolWarning.
func ProducerSecurity(worker, connector map[string]string, policy security.OverridePolicy, opts security.Options) (*security.Config, []configdef.Error) {
	props, err := security.TaskProducerProps(worker, connector, policy)
	var oe *security.OverrideError
	if errors.As(err, &oe) {
		names := make([]string, 0, len(oe.Refused))
		for n := range oe.Refused {
			names = append(names, n)
		}
		sort.Strings(names)
		errs := make([]configdef.Error, len(names))
		for i, n := range names {
			errs[i] = configdef.Error{Name: n, Message: oe.Refused[n]}
		}
		return nil, errs
	}
	if err != nil {
		return nil, []configdef.Error{{Name: security.OverridePolicyConfig, Message: err.Error()}}
	}
	// Only the security settings: the others are ParseProducerSettings'.
	own := map[string]string{}
	for _, n := range security.Names {
		if v, ok := props[n]; ok {
			own[n] = v
		}
	}
	sec, err := security.Parse(own, opts)
	var ce *security.ConfigError
	if errors.As(err, &ce) {
		named := *ce
		named.Name = WorkerProducerPrefix + ce.Name
		if _, ok := connector[ConnectorProducerPrefix+ce.Name]; ok {
			named.Name = ConnectorProducerPrefix + ce.Name
		}
		return nil, []configdef.Error{{Name: named.Name, Message: named.Error()}}
	}
	if err != nil {
		return nil, []configdef.Error{{Name: WorkerProducerPrefix + security.SecurityProtocolConfig, Message: err.Error()}}
	}
	if opts.Logger != nil && strings.TrimSpace(own[security.SecurityProtocolConfig]) == "" {
		if w := security.ProducerProtocolWarning(worker); w != "" {
			opts.Logger.Warn(w)
		}
	}
	return sec, nil
}
