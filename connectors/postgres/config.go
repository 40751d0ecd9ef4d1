package postgres

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// Configuration keys, spelled as Debezium spells them.
const (
	KeyTopicPrefix                = "topic.prefix"
	KeyHostname                   = "database.hostname"
	KeyPort                       = "database.port"
	KeyUser                       = "database.user"
	KeyPassword                   = "database.password"
	KeyDBName                     = "database.dbname"
	KeySSLMode                    = "database.sslmode"
	KeyPluginName                 = "plugin.name"
	KeySlotName                   = "slot.name"
	KeyPublicationName            = "publication.name"
	KeyPublicationAutocreate      = "publication.autocreate.mode"
	KeySnapshotMode               = "snapshot.mode"
	KeyTableInclude               = "table.include.list"
	KeyTableExclude               = "table.exclude.list"
	KeySchemaInclude              = "schema.include.list"
	KeySchemaExclude              = "schema.exclude.list"
	KeyMaxBatchSize               = "max.batch.size"
	KeyMaxQueueSize               = "max.queue.size"
	KeyStatusUpdateIntervalMs     = "status.update.interval.ms"
	KeySnapshotFetchSize          = "snapshot.fetch.size"
	KeyTombstonesOnDelete         = "tombstones.on.delete"
	KeySkippedOperations          = "skipped.operations"
	KeyExtendedHeaders            = "extended.headers.enabled"
	KeyProvideTransactionMetadata = "provide.transaction.metadata"

	KeyColumnInclude          = "column.include.list"
	KeyColumnExclude          = "column.exclude.list"
	KeyMessageKeyColumns      = "message.key.columns"
	KeyDecimalHandlingMode    = "decimal.handling.mode"
	KeyTimePrecisionMode      = "time.precision.mode"
	KeyBinaryHandlingMode     = "binary.handling.mode"
	KeyHstoreHandlingMode     = "hstore.handling.mode"
	KeyIntervalHandlingMode   = "interval.handling.mode"
	KeyMoneyFractionDigits    = "money.fraction.digits"
	KeyIncludeUnknownTypes    = "include.unknown.datatypes"
	KeyUnavailablePlaceholder = "unavailable.value.placeholder"

	KeyHeartbeatIntervalMs    = "heartbeat.interval.ms"
	KeyHeartbeatActionQuery   = "heartbeat.action.query"
	KeyHeartbeatTopicPrefix   = "topic.heartbeat.prefix"
	KeyHeartbeatTopicName     = "topic.heartbeat.name"
	KeyTopicTransaction       = "topic.transaction"
	KeySlotDropOnStop         = "slot.drop.on.stop"
	KeySlotMaxRetries         = "slot.max.retries"
	KeySlotRetryDelayMs       = "slot.retry.delay.ms"
	KeyReplicaIdentityAutoset = "replica.identity.autoset.values"
	KeyMessagePrefixInclude   = "message.prefix.include.list"
	KeyMessagePrefixExclude   = "message.prefix.exclude.list"
)

// Snapshot tuning keys.
const (
	KeySnapshotMaxThreads        = "snapshot.max.threads"
	KeySnapshotSelectOverrides   = "snapshot.select.statement.overrides"
	KeySnapshotIncludeCollection = "snapshot.include.collection.list"
)

// Snapshot modes (canonical names).
const (
	SnapshotInitial     = "initial"
	SnapshotNoData      = "no_data"
	SnapshotInitialOnly = "initial_only"
	SnapshotAlways      = "always"
	SnapshotWhenNeeded  = "when_needed"
)

// Publication autocreate modes.
const (
	PublicationAllTables = "all_tables"
	PublicationFiltered  = "filtered"
	PublicationDisabled  = "disabled"
	PublicationNoTables  = "no_tables"
)

var snapshotModes = map[string]string{
	"initial": SnapshotInitial, "exported": SnapshotInitial,
	"no_data": SnapshotNoData, "never": SnapshotNoData, "schema_only": SnapshotNoData,
	"initial_only": SnapshotInitialOnly, "always": SnapshotAlways, "when_needed": SnapshotWhenNeeded,
}

var slotNameRE = regexp.MustCompile(`^[a-z0-9_]+$`)

// Config is a parsed connector configuration.
type Config struct {
	TopicPrefix string
	// TopicDelimiter joins the parts of topic names (topic.delimiter).
	TopicDelimiter string
	Host           string
	Port           int
	User           string
	Password       string
	DBName         string
	SSLMode        string

	SlotName        string
	PublicationName string
	PublicationMode string
	SnapshotMode    string

	Filter TableFilter
	// Columns filters columns; KeyColumns are the message.key.columns rules.
	Columns    ColumnFilter
	KeyColumns KeyColumnRules

	MaxBatchSize         int
	MaxQueueSize         int
	StatusUpdateInterval time.Duration
	SnapshotFetchSize    int

	// Types are the type-handling modes.
	Types *typemap.Options

	TombstonesOnDelete bool
	// Skipped holds the skipped operations among c, u, d, t.
	Skipped         map[string]bool
	ExtendedHeaders bool

	// HeartbeatInterval is 0 when heartbeats are off.
	HeartbeatInterval    time.Duration
	HeartbeatActionQuery string
	HeartbeatTopic       string // <topic.heartbeat.prefix>.<topic.prefix>

	// ProvideTxMetadata adds BEGIN/END records on TransactionTopic and the
	// transaction block to every streamed event.
	ProvideTxMetadata bool
	TransactionTopic  string // <topic.prefix>.<topic.transaction>

	SlotDropOnStop bool
	SlotMaxRetries int
	SlotRetryDelay time.Duration
	// ReplicaIdentities are the replica.identity.autoset.values rules.
	ReplicaIdentities []replicaIdentityRule

	// MessagePrefixes filters logical decoding messages by prefix.
	MessagePrefixes PrefixFilter

	// ColumnRewrites are the column.mask.with.<n>.chars and
	// column.truncate.to.<n>.chars rules, in property-name order.
	ColumnRewrites []columnRewrite

	// Mappers are the column mappers in Debezium's precedence order:
	// column.truncate.*, column.mask.with.*, column.propagate.source.type,
	// datatype.propagate.source.type, column.mask.hash.*,
	// column.mask.hash.v2.*; a column gets the first that matches.
	Mappers []mapperRule
	// SchemaNaming and FieldNaming are schema.name.adjustment.mode and
	// field.name.adjustment.mode (none, avro, avro_unicode).
	SchemaNaming, FieldNaming string
	// PublishViaPartitionRoot creates the publication with
	// publish_via_partition_root = true (publish.via.partition.root).
	PublishViaPartitionRoot bool

	// SnapshotMaxThreads is the number of connections reading tables in
	// parallel during the snapshot.
	SnapshotMaxThreads int
	// SnapshotSelects maps "schema.table" to the SELECT that snapshots it
	// (snapshot.select.statement.overrides).
	SnapshotSelects map[string]string
	// SnapshotInclude selects, among the captured tables, those the
	// snapshot reads; nil reads them all.
	SnapshotInclude []*regexp.Regexp

	// Conn holds the SSL files, keep-alive, connect timeout, options and
	// initial statements of the connections.
	Conn connectionSettings
	// StreamParams are slot.stream.params, added to START_REPLICATION.
	StreamParams []streamParam
	// SlotFailover asks for a failover slot (PostgreSQL 17+ primaries).
	SlotFailover bool
	// SnapshotIsolation is snapshot.isolation.mode, used when the snapshot
	// does not read the slot's exported snapshot.
	SnapshotIsolation string
	// SnapshotLockShared locks every captured table IN ACCESS SHARE MODE
	// for the snapshot, waiting at most SnapshotLockTimeout for each.
	SnapshotLockShared  bool
	SnapshotLockTimeout time.Duration
	// SnapshotDelay is waited before the snapshot starts.
	SnapshotDelay time.Duration
	// MaxQueueBytes bounds the record queue by estimated bytes; 0 = off.
	MaxQueueBytes int64
	// PollInterval is how long Poll waits for a first record.
	PollInterval time.Duration
	// SkipUnchanged drops updates whose value did not change.
	SkipUnchanged bool
	// FailureMode is event.processing.failure.handling.mode.
	FailureMode string
	// Warnings are problems that do not invalidate the configuration.
	Warnings []string
}

// ParseConfig parses and checks a connector configuration without contacting
// the database. It returns every problem found, each naming its property.
func ParseConfig(props map[string]string) (*Config, []connect.ConfigError) {
	p := parser{props: props}
	c := &Config{
		TopicPrefix:     p.required(KeyTopicPrefix),
		Host:            p.required(KeyHostname),
		Port:            p.intValue(KeyPort, 5432, 1),
		User:            p.str(KeyUser, ""),
		Password:        p.str(KeyPassword, ""),
		DBName:          p.str(KeyDBName, ""),
		SSLMode:         p.oneOf(KeySSLMode, "prefer", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
		SlotName:        p.str(KeySlotName, "debezium"),
		PublicationName: p.str(KeyPublicationName, "dbz_publication"),
		PublicationMode: p.oneOf(KeyPublicationAutocreate, PublicationAllTables,
			PublicationAllTables, PublicationFiltered, PublicationDisabled, PublicationNoTables),
		MaxBatchSize:         p.intValue(KeyMaxBatchSize, 2048, 1),
		MaxQueueSize:         p.intValue(KeyMaxQueueSize, 8192, 1),
		StatusUpdateInterval: time.Duration(p.intValue(KeyStatusUpdateIntervalMs, 10000, 1)) * time.Millisecond,
		SnapshotFetchSize:    p.intValue(KeySnapshotFetchSize, 10240, 1),
		TombstonesOnDelete:   p.boolValue(KeyTombstonesOnDelete, true),
		ExtendedHeaders:      p.boolValue(KeyExtendedHeaders, true),
	}
	if v, ok := props[KeyPluginName]; ok && v != "pgoutput" {
		p.invalid(KeyPluginName, v, "only pgoutput is supported")
	}
	if c.SlotName != "" && !slotNameRE.MatchString(c.SlotName) {
		p.invalid(KeySlotName, c.SlotName, "must contain only lowercase letters, digits and underscores")
	}
	mode := p.str(KeySnapshotMode, SnapshotInitial)
	if m, ok := snapshotModes[strings.ToLower(mode)]; ok {
		c.SnapshotMode = m
	} else {
		p.invalid(KeySnapshotMode, mode,
			"must be one of initial, no_data, initial_only, always, when_needed (aliases: never, schema_only, exported)")
	}
	if c.MaxQueueSize <= c.MaxBatchSize && p.props[KeyMaxQueueSize] != "" {
		p.invalid(KeyMaxQueueSize, props[KeyMaxQueueSize], fmt.Sprintf("must be larger than %s", KeyMaxBatchSize))
	} else if c.MaxQueueSize <= c.MaxBatchSize {
		c.MaxQueueSize = c.MaxBatchSize + 1
	}
	c.Types = &typemap.Options{
		Decimal: p.oneOf(KeyDecimalHandlingMode, typemap.DecimalPrecise,
			typemap.DecimalPrecise, typemap.DecimalDouble, typemap.DecimalString),
		// Debezium's "structured" mode (struct values) is not supported
		// and is refused like an unknown mode.
		Time: p.oneOf(KeyTimePrecisionMode, typemap.TimeAdaptive,
			typemap.TimeAdaptive, typemap.TimeAdaptiveMicros, typemap.TimeConnect,
			typemap.TimeISOString, typemap.TimeMicroseconds, typemap.TimeNanoseconds),
		Binary: p.oneOf(KeyBinaryHandlingMode, typemap.BinaryBytes,
			typemap.BinaryBytes, typemap.BinaryBase64, typemap.BinaryBase64URLSafe, typemap.BinaryHex),
		Hstore:         p.oneOf(KeyHstoreHandlingMode, typemap.HstoreJSON, typemap.HstoreJSON, typemap.HstoreMap),
		Interval:       p.oneOf(KeyIntervalHandlingMode, typemap.IntervalNumeric, typemap.IntervalNumeric, typemap.IntervalString),
		MoneyDigits:    p.intValue(KeyMoneyFractionDigits, 2, 0),
		IncludeUnknown: p.boolValue(KeyIncludeUnknownTypes, false),
		Placeholder:    p.str(KeyUnavailablePlaceholder, typemap.UnavailableValue),
	}
	c.Skipped = p.skipped()
	c.HeartbeatInterval = time.Duration(p.intValue(KeyHeartbeatIntervalMs, 0, 0)) * time.Millisecond
	c.HeartbeatActionQuery = strings.TrimSpace(p.props[KeyHeartbeatActionQuery])
	// Debezium's AbstractTopicNamingStrategy joins every topic's parts with
	// topic.delimiter.
	c.TopicDelimiter = p.str(KeyTopicDelimiter, ".")
	c.HeartbeatTopic = p.str(KeyHeartbeatTopicPrefix, "__debezium-heartbeat") + c.TopicDelimiter + c.TopicPrefix
	if name := p.props[KeyHeartbeatTopicName]; name != "" {
		// AbstractTopicNamingStrategy.heartbeatTopic: the full name wins,
		// validated as CommonConnectorConfig.validateTopicName does.
		if strings.IndexFunc(name, func(r rune) bool { return r > 0x7f || !envelope.ValidTopicByte(byte(r)) }) >= 0 {
			p.invalid(KeyHeartbeatTopicName, name, name+" has invalid format (only the underscore, hyphen, dot and alphanumeric characters are allowed)")
		}
		c.HeartbeatTopic = name
	}
	c.ProvideTxMetadata = p.boolValue(KeyProvideTransactionMetadata, false)
	c.TransactionTopic = c.TopicPrefix + c.TopicDelimiter + p.str(KeyTopicTransaction, "transaction")
	c.SlotDropOnStop = p.boolValue(KeySlotDropOnStop, false)
	c.SlotMaxRetries = p.intValue(KeySlotMaxRetries, 6, 0)
	c.SlotRetryDelay = time.Duration(p.intValue(KeySlotRetryDelayMs, 10000, 0)) * time.Millisecond
	c.ReplicaIdentities = p.replicaIdentities()
	c.MessagePrefixes = PrefixFilter{Include: p.regexList(KeyMessagePrefixInclude), Exclude: p.regexList(KeyMessagePrefixExclude)}
	p.exclusive(KeyMessagePrefixInclude, KeyMessagePrefixExclude)
	c.Filter = TableFilter{
		TableInclude:  p.regexList(KeyTableInclude),
		TableExclude:  p.regexList(KeyTableExclude),
		SchemaInclude: p.regexList(KeySchemaInclude),
		SchemaExclude: p.regexList(KeySchemaExclude),
	}
	c.Columns = ColumnFilter{Include: p.regexList(KeyColumnInclude), Exclude: p.regexList(KeyColumnExclude)}
	c.KeyColumns = p.keyColumns()
	c.ColumnRewrites = p.columnRewrites()
	p.fidelity(c)
	p.exclusive(KeyColumnInclude, KeyColumnExclude)
	p.exclusive(KeyTableInclude, KeyTableExclude)
	p.exclusive(KeySchemaInclude, KeySchemaExclude)
	p.snapshotTuning(c)
	p.runtimeProps(c)
	c.Warnings = p.warnings
	return c, p.errs
}

// parser collects every problem while reading properties.
type parser struct {
	props    map[string]string
	errs     []connect.ConfigError
	warnings []string
}

func (p *parser) add(name, msg string) {
	p.errs = append(p.errs, connect.ConfigError{Name: name, Message: msg})
}

// invalid records Kafka Connect's ConfigException message.
func (p *parser) invalid(name, value, why string) {
	p.add(name, fmt.Sprintf("Invalid value %s for configuration %s: %s", value, name, why))
}

func (p *parser) str(name, def string) string {
	if v, ok := p.props[name]; ok && v != "" {
		return v
	}
	return def
}

func (p *parser) required(name string) string {
	v := strings.TrimSpace(p.props[name])
	if v == "" {
		p.add(name, fmt.Sprintf("Missing required configuration \"%s\" which has no default value.", name))
	}
	return v
}

func (p *parser) intValue(name string, def, minimum int) int {
	v, ok := p.props[name]
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		p.invalid(name, v, "Not a number of type INT")
		return def
	}
	if n < minimum {
		p.invalid(name, v, fmt.Sprintf("Value must be at least %d", minimum))
		return def
	}
	return n
}

func (p *parser) boolValue(name string, def bool) bool {
	v, ok := p.props[name]
	if !ok || v == "" {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true
	case "false":
		return false
	}
	p.invalid(name, v, "Expected value to be either true or false")
	return def
}

func (p *parser) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(p.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.invalid(name, p.props[name], "must be one of "+strings.Join(allowed, ", "))
	return def
}

// regexList reads a Debezium regex list (see patternList).
func (p *parser) regexList(name string) []*regexp.Regexp {
	return p.patternList(name)
}

func (p *parser) exclusive(include, exclude string) {
	if strings.TrimSpace(p.props[include]) != "" && strings.TrimSpace(p.props[exclude]) != "" {
		p.invalid(exclude, p.props[exclude], fmt.Sprintf("\"%s\" is already specified", include))
	}
}

func (p *parser) skipped() map[string]bool {
	v := strings.TrimSpace(p.str(KeySkippedOperations, "t"))
	out := map[string]bool{}
	if strings.EqualFold(v, "none") {
		return out
	}
	for _, op := range strings.Split(v, ",") {
		op = strings.TrimSpace(op)
		switch op {
		case "c", "u", "d", "t":
			out[op] = true
		default:
			p.invalid(KeySkippedOperations, v, "must be a comma-separated subset of c, u, d, t, or none")
			return map[string]bool{"t": true}
		}
	}
	return out
}

// TableFilter selects the captured tables with anchored regexes over
// schema.table (tables) and schema (schemas).
type TableFilter struct {
	TableInclude, TableExclude   []*regexp.Regexp
	SchemaInclude, SchemaExclude []*regexp.Regexp
}

// Captures reports whether the table is captured and its rank: the index of
// the first table.include.list pattern it matches (0 without that list),
// which orders the snapshot as Debezium does.
func (f TableFilter) Captures(schemaName, table string) (bool, int) {
	if schemaName == "pg_catalog" || schemaName == "information_schema" ||
		strings.HasPrefix(schemaName, "pg_toast") || strings.HasPrefix(schemaName, "pg_temp") {
		return false, 0
	}
	if len(f.SchemaInclude) > 0 && !anyMatch(f.SchemaInclude, schemaName) {
		return false, 0
	}
	if anyMatch(f.SchemaExclude, schemaName) {
		return false, 0
	}
	full := schemaName + "." + table
	if anyMatch(f.TableExclude, full) {
		return false, 0
	}
	if len(f.TableInclude) == 0 {
		return true, 0
	}
	for i, re := range f.TableInclude {
		if re.MatchString(full) {
			return true, i
		}
	}
	return false, 0
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// ColumnFilter selects columns with anchored regexes over
// schema.table.column.
type ColumnFilter struct {
	Include, Exclude []*regexp.Regexp
}

func (f ColumnFilter) captures(schemaName, table, column string) bool {
	if len(f.Include) == 0 && len(f.Exclude) == 0 {
		return true
	}
	full := schemaName + "." + table + "." + column
	if len(f.Include) > 0 {
		return anyMatch(f.Include, full)
	}
	return !anyMatch(f.Exclude, full)
}

// KeyColumnRules are message.key.columns. As in Debezium's
// CustomKeyMapper, every "<table regex>:<c1>,<c2>" rule becomes one
// predicate per column, "<table regex>.<column>", matched (anchored,
// case-insensitive) against schema.table.column; the key is the columns
// each predicate matches, predicate by predicate, so the key fields follow
// the order the property lists them in.
type KeyColumnRules []keyColumnRule

type keyColumnRule struct {
	patterns []*regexp.Regexp // one predicate: any pattern matches
}

// columns returns the key columns of the table, or false when no predicate
// matches any of its columns (the primary key stays the key).
func (r KeyColumnRules) columns(info *tableInfo) ([]string, bool) {
	prefix := info.Schema + "." + info.Name + "."
	var out []string
	for _, rule := range r {
		for _, c := range info.Columns {
			// Debezium would add a column twice when two predicates match it
			// (and then fail to build the key schema); it is listed once.
			if anyMatch(rule.patterns, prefix+c.Name) && !slices.Contains(out, c.Name) {
				out = append(out, c.Name)
			}
		}
	}
	return out, len(out) > 0
}

// msgKeyColumnsRE is Debezium's CustomKeyMapper.MSG_KEY_COLUMNS_PATTERN.
var msgKeyColumnsRE = regexp.MustCompile(`^\s*([^:]+):([^:,]+(,[^:,]+)*)\s*$`)

// keyColumns parses "schema.tbl:c1,c2;(.*).orders:pk3".
func (p *parser) keyColumns() KeyColumnRules {
	v := p.props[KeyMessageKeyColumns]
	if strings.TrimSpace(v) == "" {
		return nil
	}
	// Java's String.split drops trailing empty strings.
	parts := strings.Split(v, ";")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	var out KeyColumnRules
	for _, part := range parts {
		if !msgKeyColumnsRE.MatchString(part) {
			p.invalid(KeyMessageKeyColumns, v, fmt.Sprintf("%s has an invalid format (expecting '%s')", part, msgKeyColumnsRE))
			return nil
		}
		tbl, cols, _ := strings.Cut(part, ":")
		for _, c := range strings.Split(cols, ",") {
			res, err := compileRegexList(tbl + "." + strings.TrimSpace(c))
			if err != nil {
				p.invalid(KeyMessageKeyColumns, v, err.Error())
				return nil
			}
			out = append(out, keyColumnRule{patterns: res})
		}
	}
	return out
}

// PrefixFilter selects logical decoding messages with anchored regexes over
// their prefix.
type PrefixFilter struct {
	Include, Exclude []*regexp.Regexp
}

func (f PrefixFilter) captures(prefix string) bool {
	if len(f.Include) > 0 {
		return anyMatch(f.Include, prefix)
	}
	return !anyMatch(f.Exclude, prefix)
}

// replicaIdentityRule is one replica.identity.autoset.values entry: tables
// matching the anchored regex over schema.table get the identity.
type replicaIdentityRule struct {
	table    *regexp.Regexp
	identity string // FULL, DEFAULT, NOTHING or "USING INDEX <name>"
}

// replicaIdentities parses "public.t1:FULL,public.t2:INDEX t2_idx".
func (p *parser) replicaIdentities() []replicaIdentityRule {
	v := strings.TrimSpace(p.props[KeyReplicaIdentityAutoset])
	if v == "" {
		return nil
	}
	var out []replicaIdentityRule
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tbl, ident, ok := strings.Cut(part, ":")
		// Debezium matches the table part with Predicates.includes: anchored
		// and case-insensitive.
		re, err := regexp.Compile(`(?i)^(?:` + strings.TrimSpace(tbl) + `)$`)
		if !ok || strings.TrimSpace(tbl) == "" || err != nil {
			p.invalid(KeyReplicaIdentityAutoset, v, fmt.Sprintf("%q must be <table regex>:<replica identity>", part))
			return nil
		}
		fields := strings.Fields(ident)
		rule := replicaIdentityRule{table: re}
		switch {
		case len(fields) == 1 && slices.Contains([]string{"FULL", "DEFAULT", "NOTHING"}, strings.ToUpper(fields[0])):
			rule.identity = strings.ToUpper(fields[0])
		case len(fields) == 2 && strings.EqualFold(fields[0], "INDEX"):
			rule.identity = "USING INDEX " + pgx.Identifier{fields[1]}.Sanitize()
		default:
			p.invalid(KeyReplicaIdentityAutoset, v,
				fmt.Sprintf("%q: the replica identity must be DEFAULT, FULL, NOTHING or INDEX <index name>", part))
			return nil
		}
		out = append(out, rule)
	}
	return out
}

// columnRewrite is one column.mask.with.<n>.chars (mask) or
// column.truncate.to.<n>.chars rule over schema.table.column.
type columnRewrite struct {
	columns []*regexp.Regexp
	mask    bool
	n       int
}

var (
	maskKeyRE     = regexp.MustCompile(`^column\.mask\.with\.(\d+)\.chars$`)
	truncateKeyRE = regexp.MustCompile(`^column\.truncate\.to\.(\d+)\.chars$`)
)

// columnRewrites reads the column.mask.with.<n>.chars and
// column.truncate.to.<n>.chars properties.
func (p *parser) columnRewrites() []columnRewrite {
	keys := make([]string, 0, len(p.props))
	for k := range p.props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []columnRewrite
	for _, k := range keys {
		mask := true
		m := maskKeyRE.FindStringSubmatch(k)
		if m == nil {
			mask = false
			if m = truncateKeyRE.FindStringSubmatch(k); m == nil {
				continue
			}
		}
		n, err := strconv.Atoi(m[1])
		if err != nil || (!mask && n < 1) {
			p.invalid(k, p.props[k], "the number of characters must be a positive integer")
			continue
		}
		if res := p.patternList(k); len(res) > 0 {
			out = append(out, columnRewrite{columns: res, mask: mask, n: n})
		}
	}
	return out
}

// snapshotTuning reads snapshot.max.threads,
// snapshot.select.statement.overrides (+ .<schema>.<table>) and
// snapshot.include.collection.list. A table listed in the overrides
// without its statement is an error naming the missing property: running
// the default SELECT instead would silently snapshot rows the override was
// meant to leave out.
func (p *parser) snapshotTuning(c *Config) {
	c.SnapshotMaxThreads = p.intValue(KeySnapshotMaxThreads, 1, 1)
	c.SnapshotInclude = p.regexList(KeySnapshotIncludeCollection)
	list := strings.TrimSpace(p.props[KeySnapshotSelectOverrides])
	if list == "" {
		return
	}
	for _, table := range strings.Split(list, ",") {
		table = strings.TrimSpace(table)
		if table == "" {
			continue
		}
		key := KeySnapshotSelectOverrides + "." + table
		stmt := strings.TrimSpace(p.props[key])
		if stmt == "" {
			p.add(key, fmt.Sprintf("Missing configuration \"%s\": %s lists %s but gives no SELECT statement for it",
				key, KeySnapshotSelectOverrides, table))
			continue
		}
		if c.SnapshotSelects == nil {
			c.SnapshotSelects = map[string]string{}
		}
		c.SnapshotSelects[table] = stmt
	}
}
