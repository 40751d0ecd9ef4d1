package postgres

import (
	"context"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
)

// Class names of the connector and its task.
const (
	ConnectorClass = "io.debezium.connector.postgresql.PostgresConnector"
	TaskClass      = "io.debezium.connector.postgresql.PostgresConnectorTask"
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

// Validate checks the properties and, if they are valid, that the database
// is reachable with the configured credentials.
func (*Connector) Validate(ctx context.Context, config map[string]string) []connect.ConfigError {
	cfg, errs := ParseConfig(config)
	if len(errs) > 0 {
		return errs
	}
	ctx, cancel := context.WithTimeout(ctx, validateTimeout)
	defer cancel()
	pc, err := cfg.connConfig(false)
	if err != nil {
		return []connect.ConfigError{{Name: KeyHostname, Message: err.Error()}}
	}
	conn, err := pgconn.ConnectConfig(ctx, pc)
	var pubFound bool
	var capacity *connect.ConfigError
	if err == nil {
		res := conn.ExecParams(ctx, "SELECT 1 FROM pg_publication WHERE pubname = $1",
			[][]byte{[]byte(cfg.PublicationName)}, nil, nil, nil).Read()
		err = res.Err
		pubFound = len(res.Rows) > 0
		if err == nil {
			capacity, err = checkSlotCapacity(ctx, conn, cfg.SlotName)
		}
		_ = conn.Close(context.Background())
	}
	if err != nil {
		return []connect.ConfigError{UnreachableError(cfg.Host, cfg.Port, err)}
	}
	if capacity != nil {
		return []connect.ConfigError{*capacity}
	}
	if cfg.PublicationMode == PublicationDisabled && !pubFound {
		return []connect.ConfigError{{Name: KeyPublicationAutocreate, Message: fmt.Sprintf(
			"Publication '%s' does not exist and %s is disabled; create it or change %s",
			cfg.PublicationName, KeyPublicationAutocreate, KeyPublicationAutocreate)}}
	}
	return nil
}

// UnreachableError is the validation error, on database.hostname, of a
// database the configuration does not reach: the connectors of this
// module answer it alike.
func UnreachableError(host string, port int, err error) connect.ConfigError {
	return connect.ConfigError{Name: KeyHostname, Message: fmt.Sprintf(
		"Error while validating connector config: connecting to the database at %s=%s, %s=%d: %v",
		KeyHostname, host, KeyPort, port, err)}
}

// slotCapacityQuery reads whether the slot exists and how many of the
// server's replication slots and WAL senders are taken. Slots and WAL
// senders are server-wide, whatever the database.
const slotCapacityQuery = `SELECT
	EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = $1),
	(SELECT count(*) FROM pg_replication_slots),
	current_setting('max_replication_slots')::int,
	(SELECT count(*) FROM pg_stat_replication),
	current_setting('max_wal_senders')::int`

// checkSlotCapacity refuses a connector whose slot does not exist yet when
// the server has no replication slot or WAL sender left for it: its task
// would fail at start ("all replication slots are in use") after the
// connector was created. A connector whose slot exists is not checked: the
// slot is already counted, and its WAL sender is the one it had.
func checkSlotCapacity(ctx context.Context, conn *pgconn.PgConn, slot string) (*connect.ConfigError, error) {
	res := conn.ExecParams(ctx, slotCapacityQuery, [][]byte{[]byte(slot)}, nil, nil, nil).Read()
	if res.Err != nil {
		return nil, fmt.Errorf("reading replication capacity: %w", res.Err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 5 {
		return nil, fmt.Errorf("reading replication capacity: unexpected result")
	}
	row := res.Rows[0]
	if string(row[0]) == "t" {
		return nil, nil
	}
	var n [4]int
	for i := range n {
		v, err := strconv.Atoi(string(row[i+1]))
		if err != nil {
			return nil, fmt.Errorf("reading replication capacity: %w", err)
		}
		n[i] = v
	}
	slots, maxSlots, senders, maxSenders := n[0], n[1], n[2], n[3]
	switch {
	case slots >= maxSlots:
		return &connect.ConfigError{Name: KeySlotName, Message: fmt.Sprintf(
			"Replication slot '%s' does not exist and cannot be created: all %d replication slots of the server are in use (max_replication_slots=%d); drop an unused slot or raise max_replication_slots",
			slot, slots, maxSlots)}, nil
	case senders >= maxSenders:
		return &connect.ConfigError{Name: KeySlotName, Message: fmt.Sprintf(
			"Replication slot '%s' does not exist and cannot be streamed from: all %d WAL senders of the server are in use (max_wal_senders=%d); stop an unused replication connection or raise max_wal_senders",
			slot, senders, maxSenders)}, nil
	}
	return nil, nil
}

// TaskConfigs returns exactly one task, configured like the connector.
func (*Connector) TaskConfigs(config map[string]string, _ int) ([]map[string]string, error) {
	return []map[string]string{maps.Clone(config)}, nil
}

// NewTask implements connect.Connector.
func (*Connector) NewTask() connect.SourceTask { return NewTask() }

// ExactlyOnceSupport answers SUPPORTED, as Debezium's PostgresConnector
// does: with exactly-once source support the runtime writes each batch of
// records and its offsets in one Kafka transaction, and the task confirms an
// LSN to the slot only after that transaction committed.
func (*Connector) ExactlyOnceSupport(map[string]string) connect.ExactlyOnceSupport {
	return connect.ExactlyOnceSupported
}

// sessionParams make the server's text output match what typemap parses, on
// query and replication connections alike.
var sessionParams = map[string]string{
	"TimeZone":         "UTC",
	"DateStyle":        "ISO, MDY",
	"IntervalStyle":    "postgres",
	"bytea_output":     "hex",
	"application_name": "tributary",
}

// connString is the keyword/value connection string of the config without
// its secrets: the password and sslpassword are handed to the driver as
// fields (parseOptions, setSecrets), so that no error the driver builds from
// the string can show them, whatever characters they contain.
func (c *Config) connString() string {
	var b strings.Builder
	kv := func(k, v string) {
		if v == "" {
			return
		}
		v = strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `'`, `\'`)
		fmt.Fprintf(&b, "%s='%s' ", k, v)
	}
	kv("host", c.Host)
	kv("port", strconv.Itoa(c.Port))
	kv("user", c.User)
	kv("dbname", c.DBName)
	kv("sslmode", c.SSLMode)
	kv("sslrootcert", c.Conn.SSLRootCert)
	kv("sslcert", c.Conn.SSLCert)
	kv("sslkey", c.Conn.SSLKey)
	kv("options", c.Conn.Options)
	kv("connect_timeout", strconv.Itoa(c.Conn.ConnectTimeout))
	return b.String()
}

// applyConn completes a parsed connection config: session parameters,
// TCP keep-alive and, on query connections, the initial statements.
func (c *Config) applyConn(pc *pgconn.Config, replication bool) {
	maps.Copy(pc.RuntimeParams, sessionParams)
	if !c.Conn.TCPKeepAlive {
		// pgconn's default dialer probes every 5 minutes; a negative
		// KeepAlive turns probes off, as pgjdbc's tcpKeepAlive=false does.
		d := &net.Dialer{Timeout: pc.ConnectTimeout, KeepAlive: -1}
		pc.DialFunc = d.DialContext
	}
	if replication {
		pc.RuntimeParams["replication"] = "database"
		return
	}
	if stmts := c.Conn.InitialStatements; len(stmts) > 0 {
		pc.AfterConnect = func(ctx context.Context, conn *pgconn.PgConn) error {
			for _, s := range stmts {
				if _, err := conn.Exec(ctx, s).ReadAll(); err != nil {
					return fmt.Errorf("running %s statement %q: %w", KeyInitialStatements, s, err)
				}
			}
			return nil
		}
	}
}

// parseOptions hands database.sslpassword to the driver as a callback, the
// way libpq's PQsetSSLKeyPassHook does, instead of in the connection string.
func (c *Config) parseOptions() pgconn.ParseConfigOptions {
	if c.Conn.SSLPassword == "" {
		return pgconn.ParseConfigOptions{}
	}
	pass := c.Conn.SSLPassword
	return pgconn.ParseConfigOptions{GetSSLPassword: func(context.Context) string { return pass }}
}

// setSecrets sets the password field of a parsed config (a password left
// empty keeps what PGPASSWORD or the password file gave, as before).
func (c *Config) setSecrets(pc *pgconn.Config) {
	if c.Password != "" {
		pc.Password = c.Password
	}
}

// connConfig builds the pgconn config; replication adds replication=database.
func (c *Config) connConfig(replication bool) (*pgconn.Config, error) {
	pc, err := pgconn.ParseConfigWithOptions(c.connString(), c.parseOptions())
	if err != nil {
		return nil, fmt.Errorf("building connection config: %w", err)
	}
	c.setSecrets(pc)
	c.applyConn(pc, replication)
	return pc, nil
}

// pgxConfig builds the config of the query connection.
func (c *Config) pgxConfig() (*pgx.ConnConfig, error) {
	pc, err := pgx.ParseConfigWithOptions(c.connString(), pgx.ParseConfigOptions{ParseConfigOptions: c.parseOptions()})
	if err != nil {
		return nil, fmt.Errorf("building connection config: %w", err)
	}
	c.setSecrets(&pc.Config)
	c.applyConn(&pc.Config, false)
	return pc, nil
}
