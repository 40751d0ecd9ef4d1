package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
)

// QueryConnConfig builds the config of a query connection from the
// database.* and driver.* properties of props, read as the connector reads
// its own (host, port, user, password, database, SSL, keep-alive, connect
// timeout, initial statements and the driver pass-through); other
// properties are not looked at. It is what Debezium's TimescaleDb
// transformation does with its own database.* properties
// (QueryInformationSchemaMetadata: JdbcConfiguration.adapt of the
// "database." and "driver." subsets). Problems are reported per property;
// the warnings are the connector's for the same properties.
func QueryConnConfig(props map[string]string) (*pgx.ConnConfig, []string, []connect.ConfigError) {
	sub := map[string]string{KeyTopicPrefix: "query"}
	for k, v := range props {
		if strings.HasPrefix(k, databasePrefix) || strings.HasPrefix(k, driverPrefix) {
			sub[k] = v
		}
	}
	c, errs := ParseConfig(sub)
	var own []connect.ConfigError
	for _, e := range errs {
		if strings.HasPrefix(e.Name, databasePrefix) || strings.HasPrefix(e.Name, driverPrefix) {
			own = append(own, e)
		}
	}
	if len(own) > 0 {
		return nil, nil, own
	}
	if len(errs) > 0 {
		// Only database.* and driver.* properties were given, so no
		// other property can be wrong.
		return nil, nil, errs
	}
	pc, err := c.pgxConfig()
	if err != nil {
		return nil, nil, []connect.ConfigError{{Name: KeyHostname, Message: err.Error()}}
	}
	return pc, c.Warnings, nil
}
