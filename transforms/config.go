package transforms

import (
	"fmt"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
)

// invalid builds a config error worded as Kafka's ConfigException
// ("Invalid value V for configuration NAME: REASON").
func invalid(name, value, reason string) connect.ConfigError {
	return connect.ConfigError{Name: name, Message: fmt.Sprintf("Invalid value %s for configuration %s: %s", value, name, reason)}
}

// javaTrim is Java's String.trim, which Kafka's ConfigDef and Debezium
// apply to values.
func javaTrim(s string) string { return configdef.JavaTrim(s) }
