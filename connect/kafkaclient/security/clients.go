package security

import (
	"fmt"
	"sort"
	"strings"
)

// Prefixes of a Kafka Connect worker's client settings and of a
// connector's client overrides (WorkerConfig, ConnectorConfig).
const (
	ProducerPrefix         = "producer."
	ConsumerPrefix         = "consumer."
	AdminPrefix            = "admin."
	ProducerOverridePrefix = "producer.override."
	ConsumerOverridePrefix = "consumer.override."
	AdminOverridePrefix    = "admin.override."
	configProvidersPrefix  = "config.providers"

	// OverridePolicyConfig is the worker setting that says which client
	// settings a connector may override.
	OverridePolicyConfig = "connector.client.config.override.policy"
)

// OverridePolicy is a ConnectorClientConfigOverridePolicy: None, Principal
// or All (the default since Kafka 3.0).
type OverridePolicy string

// The override policies.
const (
	PolicyNone      OverridePolicy = "None"
	PolicyPrincipal OverridePolicy = "Principal"
	PolicyAll       OverridePolicy = "All"
)

// ParseOverridePolicy reads connector.client.config.override.policy: a
// policy's alias or class name; unset is All.
func ParseOverridePolicy(v string) (OverridePolicy, error) {
	v = strings.TrimSpace(v)
	const pkg = "org.apache.kafka.connect.connector.policy."
	switch v {
	case "", "All", "AllConnectorClientConfigOverridePolicy", pkg + "AllConnectorClientConfigOverridePolicy":
		return PolicyAll, nil
	case "Principal", "PrincipalConnectorClientConfigOverridePolicy", pkg + "PrincipalConnectorClientConfigOverridePolicy":
		return PolicyPrincipal, nil
	case "None", "NoneConnectorClientConfigOverridePolicy", pkg + "NoneConnectorClientConfigOverridePolicy":
		return PolicyNone, nil
	}
	return "", &ConfigError{Name: OverridePolicyConfig, Value: v,
		Reason: "supported are None, Principal and All (or their class names)"}
}

// Allows reports whether the policy lets a connector override the client
// setting name (without prefix): All allows every one, Principal
// sasl.jaas.config, sasl.mechanism and security.protocol
// (PrincipalConnectorClientConfigOverridePolicy), None none.
func (p OverridePolicy) Allows(name string) bool {
	switch p {
	case PolicyAll:
		return true
	case PolicyPrincipal:
		return name == SaslJaasConfig || name == SaslMechanismConfig || name == SecurityProtocolConfig
	}
	return false
}

// OverrideError lists the connector overrides a policy refuses, each
// with Kafka's message, keyed by the full property name.
type OverrideError struct {
	Refused map[string]string
}

func (e *OverrideError) Error() string {
	keys := make([]string, 0, len(e.Refused))
	for k := range e.Refused {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = e.Refused[k]
	}
	return strings.Join(msgs, "; ")
}

// withPrefix returns the properties of props under prefix, prefix
// removed (AbstractConfig.originalsWithPrefix).
func withPrefix(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// overrides returns a connector's overrides under prefix, checked against
// the policy (AbstractConnectorClientConfigOverridePolicy.validate).
func overrides(connector map[string]string, prefix string, policy OverridePolicy) (map[string]string, error) {
	out := withPrefix(connector, prefix)
	refused := map[string]string{}
	for name := range out {
		if !policy.Allows(name) {
			refused[prefix+name] = fmt.Sprintf("The '%s' policy does not allow '%s' to be overridden in the connector configuration.", policy, name)
		}
	}
	if len(refused) > 0 {
		return nil, &OverrideError{Refused: refused}
	}
	return out, nil
}

// TaskProducerProps are the settings a source task's producer sees
// (Worker.baseProducerConfigs): the worker's producer.* settings and the
// connector's producer.override.* ones, prefixes removed. The worker's
// top-level security settings do not reach it, as in Kafka Connect.
func TaskProducerProps(worker, connector map[string]string, policy OverridePolicy) (map[string]string, error) {
	props := withPrefix(worker, ProducerPrefix)
	ov, err := overrides(connector, ProducerOverridePrefix, policy)
	if err != nil {
		return nil, err
	}
	for k, v := range ov {
		props[k] = v
	}
	return props, nil
}

// AdminProps are the settings a connector's admin client sees
// (Worker.adminConfigs): the worker's top-level settings other than
// producer.*, consumer.*, admin.* and config.providers*, then its admin.*
// settings, then the connector's admin.override.* ones.
func AdminProps(worker, connector map[string]string, policy OverridePolicy) (map[string]string, error) {
	props := map[string]string{}
	for k, v := range worker {
		if !strings.HasPrefix(k, AdminPrefix) && !strings.HasPrefix(k, ProducerPrefix) &&
			!strings.HasPrefix(k, ConsumerPrefix) && !strings.HasPrefix(k, configProvidersPrefix) {
			props[k] = v
		}
	}
	for k, v := range withPrefix(worker, AdminPrefix) {
		props[k] = v
	}
	ov, err := overrides(connector, AdminOverridePrefix, policy)
	if err != nil {
		return nil, err
	}
	for k, v := range ov {
		props[k] = v
	}
	return props, nil
}

// InternalProps are the settings of the worker's own clients: the group
// membership and the producers, consumers and admin clients of the
// internal topics (WorkerGroupMember, KafkaOffsetBackingStore,
// KafkaConfigBackingStore, KafkaStatusBackingStore take the worker's
// originals). Only the top-level names count; producer.* and consumer.*
// settings do not reach them.
func InternalProps(worker map[string]string) map[string]string {
	props := make(map[string]string, len(worker))
	for k, v := range worker {
		props[k] = v
	}
	return props
}

// ProducerProtocolWarning is the warning for a worker whose own
// security.protocol is not PLAINTEXT while producer.security.protocol is
// unset: its source tasks' producers then connect in plaintext, as in Kafka
// Connect, which catches Java users too. It returns "" otherwise.
func ProducerProtocolWarning(worker map[string]string) string {
	top := strings.ToUpper(strings.TrimSpace(worker[SecurityProtocolConfig]))
	if top == "" || top == Plaintext || strings.TrimSpace(worker[ProducerPrefix+SecurityProtocolConfig]) != "" {
		return ""
	}
	return fmt.Sprintf("The worker sets %s=%s but not %s%s: source task producers read only producer.* settings "+
		"and will connect with PLAINTEXT (as in Kafka Connect); set %s%s and the producer.ssl.*/producer.sasl.* settings they need",
		SecurityProtocolConfig, top, ProducerPrefix, SecurityProtocolConfig, ProducerPrefix, SecurityProtocolConfig)
}
