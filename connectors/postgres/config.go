package postgres

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/connectors/postgres/signal"
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

// snapshotModes are Debezium 3.5's SnapshotMode values Tributary runs;
// never (removed in Debezium 3.3), exported and schema_only are refused as
// Debezium 3.5 refuses them.
var snapshotModes = map[string]string{
	"initial": SnapshotInitial, "no_data": SnapshotNoData,
	"initial_only": SnapshotInitialOnly, "always": SnapshotAlways, "when_needed": SnapshotWhenNeeded,
}

var slotNameRE = regexp.MustCompile(`^[a-z0-9_]+$`)

// Config is a parsed connector configuration.
type Config struct {
	TopicPrefix string
	// Trigger is set for the trigger-based capture (ParseTriggerConfig).
	Trigger *TriggerConfig
	// TopicDelimiter joins the parts of topic names (topic.delimiter).
	TopicDelimiter string
	// TopicNaming is topic.naming.strategy's class.
	TopicNaming string
	Host        string
	Port        int
	User        string
	Password    string
	DBName      string
	SSLMode     string

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
	// SignalTables are signal.data.collection: captured whatever the
	// filters say, their inserts are signals; the incremental snapshot
	// writes its watermarks to the first (Debezium allows one).
	SignalTables []signalTable
	// IncrementalChunkSize is incremental.snapshot.chunk.size.
	IncrementalChunkSize int
	// WatermarkInsertDelete is incremental.snapshot.watermarking.strategy
	// insert_delete: a chunk's window closes by deleting its open mark.
	WatermarkInsertDelete bool
	// Signals configures the signal channels other than the signal table
	// (signal.enabled.channels, signal.poll.interval.ms, signal.file,
	// signal.kafka.*, signal.consumer.*); Notifications the notification
	// channels.
	Signals       signal.ChannelConfig
	Notifications signal.NotificationConfig
	// Warnings are problems that do not invalidate the configuration.
	Warnings []string
}

// defaultSnapshotFetchSize is what Debezium reads when snapshot.fetch.size
// is unset (RelationalDatabaseConnectorConfig.DEFAULT_SNAPSHOT_FETCH_SIZE):
// the key itself has a null default.
const defaultSnapshotFetchSize = 10240

// ParseConfig parses and checks a connector configuration without contacting
// the database. It returns every problem found, each naming its property:
// first what configDef finds property by property, then the checks that
// span properties or parse Debezium's own formats. An empty value is unset.
func ParseConfig(props map[string]string) (*Config, []connect.ConfigError) {
	set := make(map[string]string, len(props))
	for k, v := range props {
		if strings.TrimSpace(v) != "" {
			set[k] = v
		}
	}
	v, errs := configDef.Parse(set)
	p := parser{props: props, v: v, errs: errs}
	lower := func(name string) string { return strings.ToLower(v.String(name)) }
	c := &Config{
		TopicPrefix:          v.String(KeyTopicPrefix),
		Host:                 v.String(KeyHostname),
		Port:                 v.Int(KeyPort),
		User:                 v.String(KeyUser),
		Password:             v.Password(KeyPassword).Value(),
		DBName:               v.String(KeyDBName),
		SSLMode:              lower(KeySSLMode),
		SlotName:             v.String(KeySlotName),
		PublicationName:      v.String(KeyPublicationName),
		PublicationMode:      lower(KeyPublicationAutocreate),
		SnapshotMode:         snapshotModes[lower(KeySnapshotMode)],
		MaxBatchSize:         v.Int(KeyMaxBatchSize),
		MaxQueueSize:         v.Int(KeyMaxQueueSize),
		StatusUpdateInterval: time.Duration(v.Int(KeyStatusUpdateIntervalMs)) * time.Millisecond,
		SnapshotFetchSize:    defaultSnapshotFetchSize,
		TombstonesOnDelete:   v.Bool(KeyTombstonesOnDelete),
		ExtendedHeaders:      v.Bool(KeyExtendedHeaders),
	}
	if n := v.Get(KeySnapshotFetchSize); n != nil {
		c.SnapshotFetchSize = n.(int)
	}
	if c.MaxQueueSize <= c.MaxBatchSize && v.IsSet(KeyMaxQueueSize) {
		p.invalid(KeyMaxQueueSize, props[KeyMaxQueueSize], fmt.Sprintf("must be larger than %s", KeyMaxBatchSize))
	} else if c.MaxQueueSize <= c.MaxBatchSize {
		c.MaxQueueSize = c.MaxBatchSize + 1
	}
	c.Types = &typemap.Options{
		Decimal:        lower(KeyDecimalHandlingMode),
		Time:           lower(KeyTimePrecisionMode),
		Binary:         lower(KeyBinaryHandlingMode),
		Hstore:         lower(KeyHstoreHandlingMode),
		Interval:       lower(KeyIntervalHandlingMode),
		MoneyDigits:    int(v.Short(KeyMoneyFractionDigits)),
		IncludeUnknown: v.Bool(KeyIncludeUnknownTypes),
		Placeholder:    v.String(KeyUnavailablePlaceholder),
	}
	c.Skipped = map[string]bool{}
	if ops := v.List(KeySkippedOperations); len(ops) != 1 || !strings.EqualFold(ops[0], "none") {
		for _, op := range ops {
			c.Skipped[op] = true
		}
	}
	c.HeartbeatInterval = time.Duration(v.Int(KeyHeartbeatIntervalMs)) * time.Millisecond
	c.HeartbeatActionQuery = strings.TrimSpace(props[KeyHeartbeatActionQuery])
	// Debezium's AbstractTopicNamingStrategy joins every topic's parts with
	// topic.delimiter.
	c.TopicDelimiter = v.String(KeyTopicDelimiter)
	c.TopicNaming = v.String(KeyTopicNaming)
	c.HeartbeatTopic = v.String(KeyHeartbeatTopicPrefix) + c.TopicDelimiter + c.TopicPrefix
	if name := v.String(KeyHeartbeatTopicName); name != "" {
		c.HeartbeatTopic = name
	}
	c.ProvideTxMetadata = v.Bool(KeyProvideTransactionMetadata)
	c.TransactionTopic = c.TopicPrefix + c.TopicDelimiter + v.String(KeyTopicTransaction)
	c.SlotDropOnStop = v.Bool(KeySlotDropOnStop)
	c.SlotMaxRetries = v.Int(KeySlotMaxRetries)
	c.SlotRetryDelay = time.Duration(v.Long(KeySlotRetryDelayMs)) * time.Millisecond
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
	p.incrementalProps(c)
	p.signals(c)
	p.legacy()
	p.unknown()
	c.Warnings = p.warnings
	return c, p.errs
}

// ownPrefixes are the families of properties the connector reads besides
// configDef's keys; database.* and driver.* ones are checked, and warned
// about, with the driver pass-through.
var ownPrefixes = []string{"column.truncate.to.", "column.mask.with.", "column.mask.hash.",
	KeySnapshotSelectOverrides + ".", databasePrefix, driverPrefix, signalConsumerPrefix}

// unknown warns about every property neither the connector nor the
// runtime reads, in Kafka's words (AbstractConfig.logUnused's
// counterpart for unknown keys): it has no effect.
func (p *parser) unknown() {
	for _, name := range configDef.Unknown(p.props) {
		if connect.IsFrameworkProperty(name) || legacyName(name) || slices.ContainsFunc(ownPrefixes, func(pre string) bool { return strings.HasPrefix(name, pre) }) {
			continue
		}
		p.warn("The configuration '" + name + "' was supplied but isn't a known config.")
	}
}

// validTopicName is CommonConnectorConfig.validateTopicName: only ASCII
// letters, digits, '.', '_' and '-'.
func validTopicName(name string) bool {
	return strings.IndexFunc(name, func(r rune) bool { return r > 0x7f || !envelope.ValidTopicByte(byte(r)) }) < 0
}

// parser collects every problem while reading properties.
type parser struct {
	props    map[string]string
	v        *configdef.Values // props parsed by configDef
	errs     []connect.ConfigError
	warnings []string
}

func (p *parser) add(name, msg string) {
	p.errs = append(p.errs, connect.ConfigError{Name: name, Message: msg})
}

// invalid records Kafka Connect's ConfigException message.
func (p *parser) invalid(name, value, why string) {
	p.add(name, configdef.Invalid(name, value, why).Error())
}

// intValue and boolValue parse properties configDef cannot declare (the
// driver pass-through's), as ConfigDef parses an INT and a BOOLEAN.
func (p *parser) intValue(name string, def, minimum int) int {
	v, ok := p.props[name]
	if !ok || v == "" {
		return def
	}
	n, err := configdef.ParseType(name, v, configdef.TypeInt)
	if err == nil {
		err = configdef.AtLeast(minimum).EnsureValid(name, n)
	}
	if err != nil {
		p.add(name, err.Error())
		return def
	}
	return n.(int)
}

func (p *parser) boolValue(name string, def bool) bool {
	v, ok := p.props[name]
	if !ok || v == "" {
		return def
	}
	b, err := configdef.ParseType(name, v, configdef.TypeBoolean)
	if err != nil {
		p.add(name, err.Error())
		return def
	}
	return b.(bool)
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

// TableFilter selects the captured tables with anchored regexes over
// schema.table (tables) and schema (schemas).
type TableFilter struct {
	TableInclude, TableExclude   []*regexp.Regexp
	SchemaInclude, SchemaExclude []*regexp.Regexp
	// Signals are the signal tables (schema.table): as in Debezium's
	// RelationalTableFilters, they are captured whatever the lists say.
	Signals []string
}

// Captures reports whether the table is captured and its rank: the index of
// the first table.include.list pattern it matches (0 without that list),
// which orders the snapshot as Debezium does.
func (f TableFilter) Captures(schemaName, table string) (bool, int) {
	if schemaName == "pg_catalog" || schemaName == "information_schema" ||
		strings.HasPrefix(schemaName, "pg_toast") || strings.HasPrefix(schemaName, "pg_temp") {
		return false, 0
	}
	if len(f.Signals) > 0 && slices.Contains(f.Signals, schemaName+"."+table) {
		return true, len(f.TableInclude)
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
	c.SnapshotMaxThreads = p.v.Int(KeySnapshotMaxThreads)
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
