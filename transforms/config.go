package transforms

import (
	"fmt"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// invalid builds a config error worded as Kafka's ConfigException
// ("Invalid value V for configuration NAME: REASON").
func invalid(name, value, reason string) connect.ConfigError {
	return connect.ConfigError{Name: name, Message: fmt.Sprintf("Invalid value %s for configuration %s: %s", value, name, reason)}
}

// missing is Kafka's error for a required property that is absent.
func missing(name string) connect.ConfigError {
	return connect.ConfigError{Name: name, Message: fmt.Sprintf("Missing required configuration %q which has no default value.", name)}
}

// javaTrim is Java's String.trim, which Kafka's ConfigDef and Debezium
// apply to values: it strips every character up to U+0020 at both ends
// (control characters included, other Unicode spaces not).
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// parseBool parses a BOOLEAN property as Kafka's ConfigDef does: trimmed,
// "true" or "false" in any case; an absent property takes def.
func parseBool(config map[string]string, name string, def bool, errs *[]connect.ConfigError) bool {
	v, ok := config[name]
	if !ok {
		return def
	}
	switch strings.ToLower(javaTrim(v)) {
	case "true":
		return true
	case "false":
		return false
	}
	*errs = append(*errs, invalid(name, v, "Expected value to be either true or false"))
	return def
}
