package postgres

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Connection, slot, snapshot, queue and event-handling keys, spelled as
// Debezium spells them (PostgresConnectorConfig, CommonConnectorConfig,
// RelationalDatabaseConnectorConfig, AbstractTopicNamingStrategy).
const (
	KeySSLRootCert        = "database.sslrootcert"
	KeySSLCert            = "database.sslcert"
	KeySSLKey             = "database.sslkey"
	KeySSLPassword        = "database.sslpassword"
	KeySSLFactory         = "database.sslfactory"
	KeyTCPKeepAlive       = "database.tcpKeepAlive"
	KeyInitialStatements  = "database.initial.statements"
	KeySlotStreamParams   = "slot.stream.params"
	KeySlotFailover       = "slot.failover"
	KeySnapshotIsolation  = "snapshot.isolation.mode"
	KeySnapshotLocking    = "snapshot.locking.mode"
	KeySnapshotLockTimout = "snapshot.lock.timeout.ms"
	KeySnapshotDelayMs    = "snapshot.delay.ms"
	KeyMaxQueueSizeBytes  = "max.queue.size.in.bytes"
	KeyPollIntervalMs     = "poll.interval.ms"
	KeySkipUnchanged      = "skip.messages.without.change"
	KeyFailureHandling    = "event.processing.failure.handling.mode"
	KeyTopicDelimiter     = "topic.delimiter"
	KeyTopicNaming        = "topic.naming.strategy"

	databasePrefix = "database."
	driverPrefix   = "driver."
)

// Snapshot isolation modes (snapshot.isolation.mode).
const (
	IsolationSerializable    = "serializable"
	IsolationRepeatableRead  = "repeatable_read"
	IsolationReadCommitted   = "read_committed"
	IsolationReadUncommitted = "read_uncommitted"
)

// Event processing failure handling modes.
const (
	FailureFail   = "fail"
	FailureWarn   = "warn"
	FailureSkip   = "skip"
	FailureIgnore = "ignore"
)

// maxPollInterval is Debezium's cap on poll.interval.ms
// (CommonConnectorConfig.MAX_ALLOWED_POLL_INTERVAL_MILLIS).
const maxPollInterval = 5 * time.Second

// The topic naming strategies of Debezium 3.5 that Tributary runs. They
// differ only in data-change topics (AbstractTopicNamingStrategy names the
// heartbeat, transaction and schema-change topics for both):
// SchemaTopicNamingStrategy, the default, joins the prefix with
// TableId.schemaParts (<prefix>.<schema>.<table>), DefaultTopicNamingStrategy
// with TableId.databaseParts (catalog and table), and a PostgreSQL TableId
// has no catalog: <prefix>.<table>, so tables of the same name in two
// schemas share a topic. Both sanitize the name the same way.
const (
	schemaTopicNamingStrategy  = "io.debezium.schema.SchemaTopicNamingStrategy"
	defaultTopicNamingStrategy = "io.debezium.schema.DefaultTopicNamingStrategy"
)

// connectionSettings are what the JDBC driver of Debezium receives besides
// host, port, user, password and database, mapped to pgx.
type connectionSettings struct {
	SSLRootCert, SSLCert, SSLKey, SSLPassword string
	// TCPKeepAlive false turns TCP keep-alive probes off.
	TCPKeepAlive bool
	// ConnectTimeout is pgjdbc's connectTimeout (seconds, 0 = none).
	ConnectTimeout int
	// Options is the libpq/pgjdbc "options" startup parameter
	// (e.g. "-c search_path=app").
	Options string
	// InitialStatements run on every query connection once it is open,
	// never on the replication connection (as Debezium's JdbcConnection
	// runs them only when connection(true) opens it).
	InitialStatements []string
}

// debeziumDatabaseKeys are the database.* properties Debezium itself reads;
// any other database.* or driver.* property goes to the JDBC driver.
var debeziumDatabaseKeys = []string{
	KeyHostname, KeyPort, KeyUser, KeyPassword, KeyDBName, KeySSLMode, KeySSLRootCert, KeySSLCert, KeySSLKey,
	KeySSLPassword, KeySSLFactory, KeyTCPKeepAlive, KeyInitialStatements,
	"database.query.timeout.ms", "database.connection.timeout.ms", "database.connection.factory.class",
}

// runtimeProps reads the properties of this file into c.
func (p *parser) runtimeProps(c *Config) {
	v := p.v
	c.Conn = p.connectionSettings()
	c.StreamParams = p.streamParams()
	c.SlotFailover = v.Bool(KeySlotFailover)
	c.SnapshotIsolation = strings.ToLower(v.String(KeySnapshotIsolation))
	c.SnapshotLockShared = strings.EqualFold(v.String(KeySnapshotLocking), "shared")
	c.SnapshotLockTimeout = time.Duration(v.Long(KeySnapshotLockTimout)) * time.Millisecond
	c.SnapshotDelay = time.Duration(v.Long(KeySnapshotDelayMs)) * time.Millisecond
	c.MaxQueueBytes = v.Long(KeyMaxQueueSizeBytes)
	c.PollInterval = min(time.Duration(v.Long(KeyPollIntervalMs))*time.Millisecond, maxPollInterval)
	c.SkipUnchanged = v.Bool(KeySkipUnchanged)
	c.FailureMode = strings.ToLower(v.String(KeyFailureHandling))
}

// connectionSettings reads the SSL, keep-alive and initial statement
// properties, and the driver pass-through: as in Debezium, database.* and
// driver.* properties Debezium does not read itself go to the JDBC driver
// (driver.* winning); those with a pgx equivalent are mapped, the others
// are reported in c.Warnings and ignored.
func (p *parser) connectionSettings() connectionSettings {
	s := connectionSettings{ConnectTimeout: 10}
	driver := map[string]string{} // pgjdbc property name → value
	var dbKeys, drvKeys []string
	for k := range p.props {
		switch {
		case strings.HasPrefix(k, driverPrefix):
			drvKeys = append(drvKeys, k)
		case strings.HasPrefix(k, databasePrefix) && !slices.Contains(debeziumDatabaseKeys, k) && !legacyName(k):
			dbKeys = append(dbKeys, k)
		}
	}
	sort.Strings(dbKeys)
	sort.Strings(drvKeys)
	origin := map[string]string{}
	for _, k := range dbKeys {
		driver[strings.TrimPrefix(k, databasePrefix)], origin[strings.TrimPrefix(k, databasePrefix)] = p.props[k], k
	}
	for _, k := range drvKeys {
		driver[strings.TrimPrefix(k, driverPrefix)], origin[strings.TrimPrefix(k, driverPrefix)] = p.props[k], k
	}
	file := func(key, driverName string) string {
		v := p.props[key]
		if d, ok := driver[driverName]; ok {
			v, key = d, origin[driverName]
			delete(driver, driverName)
		}
		if v == "" {
			return ""
		}
		if _, err := os.Stat(v); err != nil {
			p.invalid(key, v, fmt.Sprintf("cannot read the file: %v", err))
		}
		return v
	}
	before := len(p.errs)
	s.SSLRootCert = file(KeySSLRootCert, "sslrootcert")
	s.SSLCert = file(KeySSLCert, "sslcert")
	s.SSLKey = file(KeySSLKey, "sslkey")
	s.SSLPassword = p.v.Password(KeySSLPassword).Value()
	if v, ok := driver["sslpassword"]; ok {
		s.SSLPassword = v
		delete(driver, "sslpassword")
	}
	s.TCPKeepAlive = p.v.Bool(KeyTCPKeepAlive)
	if v, ok := driver["tcpKeepAlive"]; ok {
		if _, set := p.props[KeyTCPKeepAlive]; !set || v != "" {
			s.TCPKeepAlive = p.boolValue(origin["tcpKeepAlive"], true)
		}
		delete(driver, "tcpKeepAlive")
	}
	if _, ok := driver["connectTimeout"]; ok {
		s.ConnectTimeout = p.intValue(origin["connectTimeout"], 10, 0)
		delete(driver, "connectTimeout")
	}
	if v, ok := driver["options"]; ok {
		s.Options = v
		delete(driver, "options")
	}
	if v := p.props[KeySSLFactory]; v != "" {
		p.warn(fmt.Sprintf("%s=%s is ignored: Java SSL socket factories have no equivalent; use %s and the certificate properties",
			KeySSLFactory, v, KeySSLMode))
	}
	rest := make([]string, 0, len(driver))
	for k := range driver {
		rest = append(rest, origin[k])
	}
	sort.Strings(rest)
	for _, k := range rest {
		p.warn(fmt.Sprintf("%s is ignored: the JDBC driver property has no equivalent in Tributary", k))
	}
	s.InitialStatements = splitStatements(p.props[KeyInitialStatements])
	if len(p.errs) == before {
		p.checkTLSFiles(s)
	}
	return s
}

// checkTLSFiles loads the certificate and key files as the connections
// will, so that a file that exists but is unusable (not PEM, wrong
// password) is reported against its property rather than at connect time.
func (p *parser) checkTLSFiles(s connectionSettings) {
	if s.SSLRootCert == "" && s.SSLCert == "" && s.SSLKey == "" {
		return
	}
	c := Config{Host: "localhost", Port: 5432, SSLMode: "require", Conn: s}
	c.Conn.Options, c.Conn.ConnectTimeout = "", 0
	_, err := pgconn.ParseConfigWithOptions(c.connString(), c.parseOptions())
	if err == nil {
		return
	}
	msg := err.Error()
	key, value := KeySSLCert, s.SSLCert
	switch {
	case strings.Contains(msg, "CA"):
		key, value = KeySSLRootCert, s.SSLRootCert
	case strings.Contains(msg, "sslkey") || strings.Contains(msg, "decrypt") || strings.Contains(msg, "private key"):
		key, value = KeySSLKey, s.SSLKey
	}
	p.invalid(key, value, msg)
}

// splitStatements splits database.initial.statements as Debezium's
// JdbcConnection.parseSqlStatementString does: ';' separates statements,
// ";;" is a literal ';', and blank statements are dropped.
func splitStatements(v string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for i := 0; i < len(v); i++ {
		if v[i] != ';' {
			cur.WriteByte(v[i])
			continue
		}
		switch {
		case i == len(v)-1: // a trailing delimiter
		case v[i+1] == ';':
			cur.WriteByte(';')
			i++
		default:
			flush()
		}
	}
	flush()
	return out
}

// streamParam is one slot.stream.params entry.
type streamParam struct{ name, value string }

// streamParams parses "k=v;k2=v2" as Debezium's ReplicationConnectionBuilder
// does: entries that do not split into exactly two parts on '=' are
// ignored with a warning.
func (p *parser) streamParams() []streamParam {
	v := p.props[KeySlotStreamParams]
	if v == "" {
		return nil
	}
	var out []streamParam
	for _, entry := range strings.Split(v, ";") {
		parts := strings.Split(entry, "=")
		// Java's String.split drops trailing empty strings: "a=" is one part.
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		if len(parts) != 2 {
			p.warn(fmt.Sprintf("%s: ignoring the invalid entry %q (expected name=value)", KeySlotStreamParams, entry))
			continue
		}
		out = append(out, streamParam{name: parts[0], value: parts[1]})
	}
	return out
}

// warn records a problem that does not invalidate the configuration; the
// task logs it when it starts.
func (p *parser) warn(msg string) {
	p.warnings = append(p.warnings, msg)
}

// pluginArgs are the START_REPLICATION options: slot.stream.params, then
// the options Tributary needs, which win over a parameter of the same name
// as Debezium's own options do (they are set after the stream params on the
// same Properties).
func (c *Config) pluginArgs() []string {
	own := [][2]string{
		{"proto_version", "1"},
		{"publication_names", c.PublicationName},
		{"messages", "true"},
	}
	var out []string
	for _, sp := range c.StreamParams {
		if slices.ContainsFunc(own, func(o [2]string) bool { return o[0] == sp.name }) {
			continue
		}
		out = append(out, pgx.Identifier{sp.name}.Sanitize()+" "+quoteLiteral(sp.value))
	}
	for _, o := range own {
		out = append(out, o[0]+" "+quoteLiteral(o[1]))
	}
	return out
}
