package pgnotify

import (
	"context"
	"maps"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
)

// ConnectorClass is the connector's class name.
const ConnectorClass = "io.tributary.connector.postgresql.NotifyConnector"

// validateTimeout bounds the database check of Validate.
const validateTimeout = 8 * time.Second

// Connector is the configuration-level half of the connector.
type Connector struct{}

// New returns the connector.
func New() *Connector { return &Connector{} }

var _ connect.Connector = (*Connector)(nil)

// Class implements connect.Connector.
func (*Connector) Class() string { return ConnectorClass }

// Type implements connect.Connector.
func (*Connector) Type() string { return "source" }

// Version implements connect.Connector: the PostgreSQL connector's.
func (*Connector) Version() string { return postgres.New().Version() }

// ConfigDef implements connect.ConfigDefiner.
func (*Connector) ConfigDef() *configdef.Def { return configDef }

// Validate checks the properties and, if they are valid, that the database
// is reachable with them (a 400 naming database.hostname otherwise, as the
// PostgreSQL connector answers).
func (*Connector) Validate(ctx context.Context, config map[string]string) []connect.ConfigError {
	cfg, errs := ParseConfig(config)
	if len(errs) > 0 {
		return errs
	}
	ctx, cancel := context.WithTimeout(ctx, validateTimeout)
	defer cancel()
	conn, err := pgconn.ConnectConfig(ctx, &cfg.Conn.Config)
	if err != nil {
		return []connect.ConfigError{postgres.UnreachableError(cfg.Conn.Host, int(cfg.Conn.Port), err)}
	}
	_ = conn.Close(context.Background())
	return nil
}

// TaskConfigs returns exactly one task: a second listener would produce
// every notification twice.
func (*Connector) TaskConfigs(config map[string]string, _ int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(config)}, nil
}

// NewTask implements connect.Connector.
func (*Connector) NewTask() connect.SourceTask { return NewTask() }
