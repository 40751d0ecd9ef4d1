package pgtrigger

import (
	"context"
	"maps"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
)

// Class names of the connector and its task.
const (
	ConnectorClass = "io.tributary.connector.postgresql.TriggerConnector"
	TaskClass      = "io.tributary.connector.postgresql.TriggerConnectorTask"
)

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

// Version implements connect.Connector.
func (*Connector) Version() string { return envelope.ConnectorVersion }

// ConfigDef lists the properties: the PostgreSQL connector's connection,
// filter, type-handling, key and topic ones, and the trigger.* ones.
func (*Connector) ConfigDef() *configdef.Def { return postgres.TriggerConfigDef() }

// Validate checks the properties and, if they are valid, that the
// database is reachable with the configured credentials.
func (*Connector) Validate(ctx context.Context, config map[string]string) []connect.ConfigError {
	cfg, errs := postgres.ParseTriggerConfig(config)
	if len(errs) > 0 {
		return errs
	}
	ctx, cancel := context.WithTimeout(ctx, validateTimeout)
	defer cancel()
	pc, err := cfg.PgxConfig()
	if err == nil {
		var conn *pgx.Conn
		if conn, err = pgx.ConnectConfig(ctx, pc); err == nil {
			_, err = conn.Exec(ctx, "SELECT 1")
			_ = conn.Close(context.Background())
		}
	}
	if err != nil {
		return []connect.ConfigError{postgres.UnreachableError(cfg.Host, cfg.Port, err)}
	}
	return nil
}

// TaskConfigs returns exactly one task, configured like the connector.
func (*Connector) TaskConfigs(config map[string]string, _ int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(config)}, nil
}

// NewTask implements connect.Connector.
func (*Connector) NewTask() connect.SourceTask { return postgres.NewTriggerTask() }
