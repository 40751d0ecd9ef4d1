package postgres

import (
	"slices"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connectors/postgres/signal"
	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// configDef is the connector's one declaration of its properties, with
// Debezium's names, types, defaults, descriptions and groups
// (PostgresConnectorConfig, RelationalDatabaseConnectorConfig,
// CommonConnectorConfig): ParseConfig parses with it, and the runtime lists
// and validates it.
var configDef = configdef.Define(configKeys()...)

// ConfigDef declares the connector's properties as Debezium's
// PostgresConnectorConfig does (PostgresConnector.config()).
func (*Connector) ConfigDef() *configdef.Def { return configDef }

// configKeys lists the keys, numbered within their groups, each with the
// check ParseConfig makes of it.
func configKeys() []configdef.Key {
	type k = configdef.Key
	keys := []k{
		{Name: KeyTopicPrefix, Type: configdef.TypeString, Default: configdef.NoDefault, Importance: configdef.ImportanceHigh, Group: "Connector",
			Documentation: "Topic prefix that identifies and provides a namespace for the particular database server/cluster is capturing changes.", DisplayName: "Topic prefix"},
		{Name: KeyHostname, Type: configdef.TypeString, Default: configdef.NoDefault, Importance: configdef.ImportanceHigh, Group: "Connection",
			Documentation: "Resolvable hostname or IP address of the database server.", DisplayName: "Hostname"},
		{Name: KeyPort, Type: configdef.TypeInt, Default: "5432", Importance: configdef.ImportanceHigh, Group: "Connection",
			Documentation: "Port of the database server.", DisplayName: "Port"},
		{Name: KeyUser, Type: configdef.TypeString, Importance: configdef.ImportanceHigh, Group: "Connection",
			Documentation: "Name of the database user to be used when connecting to the database.", DisplayName: "User"},
		{Name: KeyPassword, Type: configdef.TypePassword, Importance: configdef.ImportanceHigh, Group: "Connection",
			Documentation: "Password of the database user to be used when connecting to the database.", DisplayName: "Password"},
		{Name: KeyDBName, Type: configdef.TypeString, Importance: configdef.ImportanceHigh, Group: "Connection",
			Documentation: "The name of the database from which the connector should capture changes.", DisplayName: "Database"},
		{Name: KeyPluginName, Type: configdef.TypeString, Default: "pgoutput", Importance: configdef.ImportanceMedium, Group: "Connection",
			Documentation: "The name of the Postgres logical decoding plugin installed on the server. Only pgoutput is supported.", DisplayName: "Plugin"},
		{Name: KeySlotName, Type: configdef.TypeString, Default: "debezium", Importance: configdef.ImportanceMedium, Group: "Connection",
			Documentation: "The name of the Postgres logical decoding slot created for streaming changes from a plugin.", DisplayName: "Slot"},
		{Name: KeyPublicationName, Type: configdef.TypeString, Default: "dbz_publication", Importance: configdef.ImportanceLow, Group: "Connection",
			Documentation: "The name of the Postgres 10+ publication used for streaming changes from a plugin.", DisplayName: "Publication"},
		{Name: KeyPublicationAutocreate, Type: configdef.TypeString, Default: "all_tables", Importance: configdef.ImportanceLow, Group: "Connection",
			Documentation: "Applies only when streaming changes using pgoutput: all_tables, disabled, filtered or no_tables.", DisplayName: "Publication autocreate mode"},
		{Name: KeySnapshotMode, Type: configdef.TypeString, Default: "initial", Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "The criteria for running a snapshot upon startup of the connector: initial, no_data, initial_only, always, when_needed.", DisplayName: "Snapshot mode"},
		{Name: KeyTableInclude, Type: configdef.TypeList, Importance: configdef.ImportanceHigh, Group: "Filters",
			Documentation: "The tables for which changes are to be captured.", DisplayName: "Include Tables"},
		{Name: KeyTableExclude, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: "Filters",
			Documentation: "A comma-separated list of regular expressions that match the fully-qualified names of tables to be excluded from monitoring.", DisplayName: "Exclude Tables"},
		{Name: KeySchemaInclude, Type: configdef.TypeList, Importance: configdef.ImportanceHigh, Group: "Filters",
			Documentation: "The schemas for which events should be captured.", DisplayName: "Include Schemas"},
		{Name: KeySchemaExclude, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: "Filters",
			Documentation: "The schemas for which events must not be captured.", DisplayName: "Exclude Schemas"},
		{Name: KeyTombstonesOnDelete, Type: configdef.TypeBoolean, Default: "true", Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "Whether delete operations should be represented by a delete event and a subsequent tombstone event (true) or only by a delete event (false).", DisplayName: "Change the behaviour of Debezium with regards to delete operations"},
		{Name: KeyMaxBatchSize, Type: configdef.TypeInt, Default: "2048", Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "Maximum size of each batch of source records.", DisplayName: "Change event batch size"},
		{Name: KeyMaxQueueSize, Type: configdef.TypeInt, Default: "8192", Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "Maximum size of the queue for change events read from the database log but not yet recorded or forwarded.", DisplayName: "Change event buffer size"},
		{Name: KeyStatusUpdateIntervalMs, Type: configdef.TypeInt, Default: "10000", Importance: configdef.ImportanceMedium, Group: "Connection",
			Documentation: "Frequency for sending replication connection status updates to the server, given in milliseconds.", DisplayName: "Status update interval (ms)"},
		{Name: KeySnapshotFetchSize, Type: configdef.TypeInt, Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "The maximum number of records that should be loaded into memory while performing a snapshot.", DisplayName: "Snapshot fetch size"},
		{Name: KeyHeartbeatIntervalMs, Type: configdef.TypeInt, Default: "0", Importance: configdef.ImportanceMedium, Group: "Advanced",
			Documentation: "Length of an interval in milli-seconds in in which the connector periodically sends heartbeat messages to a heartbeat topic. Use 0 to disable heartbeat messages.", DisplayName: "Connector heartbeat interval (milli-seconds)"},
		{Name: KeyHeartbeatActionQuery, Type: configdef.TypeString, Importance: configdef.ImportanceLow, Group: "Advanced",
			Documentation: "The query executed with every heartbeat.", DisplayName: "An optional query to execute with every heartbeat"},
		{Name: KeyHeartbeatTopicPrefix, Type: configdef.TypeString, Default: "__debezium-heartbeat", Importance: configdef.ImportanceLow, Group: "Advanced",
			Documentation: "The prefix that is used to name heartbeat topics.", DisplayName: "A prefix used for naming of heartbeat topics"},
		{Name: KeyHeartbeatTopicName, Type: configdef.TypeString, Importance: configdef.ImportanceLow, Group: "Advanced", DisplayName: "Full name of heartbeat topic",
			Documentation: "Specify the full heartbeat topic name. When set, this overrides the default heartbeat topic naming of ${topic.heartbeat.prefix}.${topic.prefix}, allowing multiple connectors to share the same heartbeat topic."},
		{Name: KeyProvideTransactionMetadata, Type: configdef.TypeBoolean, Default: "false", Importance: configdef.ImportanceLow, Group: "Connector",
			Documentation: "Enables transaction metadata extraction together with event counting", DisplayName: "Store transaction metadata information in a dedicated topic."},
		{Name: KeySlotDropOnStop, Type: configdef.TypeBoolean, Default: "false", Importance: configdef.ImportanceMedium, Group: "Connection",
			Documentation: "Whether or not to drop the logical replication slot when the connector finishes orderly.", DisplayName: "Drop slot on stop"},
		{Name: KeySlotMaxRetries, Type: configdef.TypeInt, Default: "6", Importance: configdef.ImportanceLow, Group: "Connection",
			Documentation: "How many times to retry connecting to a replication slot when an attempt fails.", DisplayName: "Retry count"},
		{Name: KeySlotRetryDelayMs, Type: configdef.TypeLong, Default: "10000", Importance: configdef.ImportanceLow, Group: "Connection",
			Documentation: "Time to wait between retry attempts when the connector fails to connect to a replication slot, given in milliseconds.", DisplayName: "Retry delay"},
		{Name: KeyReplicaIdentityAutoset, Type: configdef.TypeString, Importance: configdef.ImportanceLow, Group: "Connector",
			Documentation: "Applies only when streaming changes using pgoutput: comma-separated <table regex>:<replica identity> entries set on captured tables at start.", DisplayName: "Replica Identity Autoset Values"},
	}
	keys = append(keys, []k{
		{Name: KeySnapshotMaxThreads, Type: configdef.TypeInt, Default: "1", Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "The maximum number of threads used to perform the snapshot. Defaults to 1.", DisplayName: "Snapshot maximum threads"},
		{Name: KeySnapshotSelectOverrides, Type: configdef.TypeString, Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "This property contains a comma-separated list of fully-qualified tables (SCHEMA_NAME.TABLE_NAME). Select statements for the individual tables are specified in further configuration properties, one for each table, identified by the id 'snapshot.select.statement.overrides.[SCHEMA_NAME].[TABLE_NAME]'. The value of those properties is the select statement to use when retrieving data from the specific table during snapshotting.",
			DisplayName:   "List of tables where the default select statement used during snapshotting should be overridden."},
		{Name: KeySnapshotIncludeCollection, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: "Connector",
			Documentation: "This setting must be set to specify a list of tables/collections whose snapshot must be taken on creating or restarting the connector.", DisplayName: "Snapshot mode include data collection"},
	}...)
	keys = append(keys, fidelityConfigKeys()...)
	keys = append(keys, runtimeConfigKeys()...)
	keys = append(keys, incrementalConfigKeys()...)
	keys = append(keys, signalConfigKeys()...)
	order := map[string]int{}
	for i := range keys {
		order[keys[i].Group]++
		keys[i].Order = order[keys[i].Group]
		keys[i].Width = configdef.WidthMedium
		if v, ok := validators[keys[i].Name]; ok {
			keys[i].Validator = v
		}
	}
	return keys
}

// Signal table and incremental snapshot keys, spelled as Debezium spells
// them (CommonConnectorConfig, PostgresConnectorConfig).
const (
	KeySignalDataCollection     = "signal.data.collection"
	KeyIncrementalChunkSize     = "incremental.snapshot.chunk.size"
	KeyIncrementalWatermarking  = "incremental.snapshot.watermarking.strategy"
	KeyReadOnly                 = "read.only"
	WatermarkInsertInsert       = "insert_insert"
	WatermarkInsertDelete       = "insert_delete"
	defaultIncrementalChunkSize = 1024
)

// incrementalConfigKeys declares the signal table and incremental snapshot
// properties with Debezium 3.5's names, types, defaults, groups and
// descriptions: signal.data.collection (CommonConnectorConfig, group
// ADVANCED 20), incremental.snapshot.chunk.size and
// incremental.snapshot.watermarking.strategy (CommonConnectorConfig, no
// group), read.only (PostgresConnectorConfig, group CONNECTION 100).
// PostgresConnectorConfig does not list
// incremental.snapshot.allow.schema.changes (only the MySQL connector
// does), so neither does this.
func incrementalConfigKeys() []configdef.Key {
	type k = configdef.Key
	return []k{
		{Name: KeySignalDataCollection, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: "Advanced",
			Documentation: "The name of the data collection that is used to send signals/commands to Debezium. For multi-partition mode connectors, multiple signal data collections can be specified as a comma-separated list. Signaling is disabled when not set.",
			DisplayName:   "Signaling data collection"},
		{Name: KeyIncrementalChunkSize, Type: configdef.TypeInt, Default: "1024", Importance: configdef.ImportanceMedium,
			Documentation: "The maximum size of chunk (number of documents/rows) for incremental snapshotting",
			DisplayName:   "Incremental snapshot chunk size", Validator: configdef.AtLeast(0)},
		{Name: KeyIncrementalWatermarking, Type: configdef.TypeString, Default: WatermarkInsertInsert, Importance: configdef.ImportanceLow,
			Documentation: "Specify the strategy used for watermarking during an incremental snapshot: 'insert_insert' both open and close signal is written into signal data collection (default); 'insert_delete' only open signal is written on signal data collection, the close will delete the relative open signal;",
			DisplayName:   "Incremental snapshot watermarking strategy", Validator: oneOf(WatermarkInsertInsert, WatermarkInsertDelete)},
		{Name: KeyReadOnly, Type: configdef.TypeBoolean, Default: "false", Importance: configdef.ImportanceLow, Group: "Connection",
			Documentation: "Switched connector to use alternative methods to deliver signals to Debezium instead of writing to signaling table",
			DisplayName:   "Read only connection"},
	}
}

// oneOf is Debezium's check of a Field.withEnum property
// (Field.EnumRecommender.validate): the value, trimmed and in any case, is
// one of values, given in the enum's declaration order; otherwise the
// error is Debezium's, "The '<name>' value is invalid: Value must be one of
// <values>" (Field.validationOutput), the values in the order of the
// HashSet Field.getEnumLiterals collects them into.
func oneOf(values ...string) configdef.Validator {
	literals := strings.Join(configdef.JavaHashSetOrder(values), ", ")
	return configdef.Func(strings.Join(values, ", "), func(name string, v any) error {
		s, _ := v.(string)
		if slices.Contains(values, strings.ToLower(strings.TrimSpace(s))) {
			return nil
		}
		return &configdef.Exception{Message: "The '" + name + "' value is invalid: Value must be one of " + literals}
	})
}

// oneOfSupported is oneOf over Debezium's values, then the refusal of those
// Tributary does not run, with why.
func oneOfSupported(debezium, supported []string, why func(name string, v any) error) configdef.Validator {
	enum := oneOf(debezium...)
	return configdef.Func(strings.Join(supported, ", "), func(name string, v any) error {
		if err := enum.EnsureValid(name, v); err != nil {
			return err
		}
		if s, _ := v.(string); !slices.Contains(supported, strings.ToLower(strings.TrimSpace(s))) {
			return why(name, v)
		}
		return nil
	})
}

// atLeastOrNull is Range.atLeast for a key whose default is null.
func atLeastOrNull(n int) configdef.Validator {
	r := configdef.AtLeast(n)
	return configdef.Func(r.String(), func(name string, v any) error {
		if v == nil {
			return nil
		}
		return r.EnsureValid(name, v)
	})
}

// validators are the checks ParseConfig makes of single properties.
var validators = map[string]configdef.Validator{
	KeyPort:                   configdef.AtLeast(1),
	KeySSLMode:                oneOf("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
	KeyPublicationAutocreate:  oneOf(PublicationDisabled, PublicationAllTables, PublicationFiltered, PublicationNoTables),
	KeyMaxBatchSize:           configdef.AtLeast(1),
	KeyMaxQueueSize:           configdef.AtLeast(1),
	KeyStatusUpdateIntervalMs: configdef.AtLeast(1),
	KeySnapshotFetchSize:      atLeastOrNull(1),
	// LogicalDecoder: Debezium 3.5 refuses any other plugin (wal2json
	// included) with its enum message; Tributary also decoderbufs.
	KeyPluginName: oneOfSupported([]string{"pgoutput", "decoderbufs"}, []string{"pgoutput"}, func(name string, v any) error {
		return configdef.Invalid(name, v, "only pgoutput is supported")
	}),
	KeySlotName: configdef.Func("lowercase letters, digits and underscores", func(name string, v any) error {
		if s, _ := v.(string); s != "" && !slotNameRE.MatchString(s) {
			return configdef.Invalid(name, v, "must contain only lowercase letters, digits and underscores")
		}
		return nil
	}),
	// SnapshotMode: Debezium 3.5 refuses never (removed in 3.3, DBZ-8171),
	// exported (removed in 2.0) and schema_only with its enum message;
	// Tributary also refuses configuration_based and custom.
	KeySnapshotMode: oneOfSupported(
		[]string{"always", SnapshotInitial, SnapshotNoData, SnapshotInitialOnly, SnapshotWhenNeeded, "configuration_based", "custom"},
		[]string{SnapshotInitial, SnapshotNoData, SnapshotInitialOnly, SnapshotAlways, SnapshotWhenNeeded},
		func(name string, v any) error {
			return configdef.Invalid(name, v, "must be one of initial, no_data, initial_only, always, when_needed: configuration_based and custom snapshots need Java classes")
		}),
	KeyDecimalHandlingMode: oneOf(typemap.DecimalPrecise, typemap.DecimalString, typemap.DecimalDouble),
	// TemporalPrecisionMode of Debezium 3.5: "structured" arrives in 3.7.
	KeyTimePrecisionMode: oneOf(typemap.TimeAdaptive, typemap.TimeAdaptiveMicros, typemap.TimeISOString,
		typemap.TimeConnect, typemap.TimeMicroseconds, typemap.TimeNanoseconds),
	KeyBinaryHandlingMode:   oneOf(typemap.BinaryBytes, typemap.BinaryBase64, typemap.BinaryBase64URLSafe, typemap.BinaryHex),
	KeyHstoreHandlingMode:   oneOf(typemap.HstoreJSON, typemap.HstoreMap),
	KeyIntervalHandlingMode: oneOf(typemap.IntervalNumeric, typemap.IntervalString),
	KeyMoneyFractionDigits:  configdef.AtLeast(0),
	KeySkippedOperations: configdef.Func("c, u, d, t or none", func(name string, v any) error {
		ops, _ := v.([]string)
		if len(ops) == 1 && strings.EqualFold(ops[0], "none") {
			return nil
		}
		for _, op := range ops {
			switch op {
			case "c", "u", "d", "t":
			default:
				return configdef.Invalid(name, strings.Join(ops, ","), "must be a comma-separated subset of c, u, d, t, or none")
			}
		}
		return nil
	}),
	KeyHeartbeatIntervalMs: configdef.AtLeast(0),
	KeyHeartbeatTopicName: configdef.Func("", func(name string, v any) error {
		// AbstractTopicNamingStrategy.heartbeatTopic: the full name wins,
		// validated as CommonConnectorConfig.validateTopicName does.
		if s, _ := v.(string); !validTopicName(s) {
			return configdef.Invalid(name, v, s+" has invalid format (only the underscore, hyphen, dot and alphanumeric characters are allowed)")
		}
		return nil
	}),
	KeySlotMaxRetries:           configdef.AtLeast(0),
	KeySlotRetryDelayMs:         configdef.AtLeast(0),
	KeySnapshotMaxThreads:       configdef.AtLeast(1),
	KeySchemaNameAdjustmentMode: oneOf("none", "avro", "avro_unicode"),
	KeyFieldNameAdjustmentMode:  oneOf("none", "avro", "avro_unicode"),
	KeySnapshotIsolation:        oneOf(IsolationSerializable, IsolationRepeatableRead, IsolationReadCommitted, IsolationReadUncommitted),
	KeySnapshotLocking: oneOfSupported([]string{"shared", "none", "custom"}, []string{"none", "shared"}, func(name string, v any) error {
		return configdef.Invalid(name, v, "custom snapshot locking needs a Java SnapshotLock implementation, which Tributary cannot load; use none or shared")
	}),
	KeySnapshotLockTimout: configdef.AtLeast(0),
	KeySnapshotDelayMs:    configdef.AtLeast(0),
	KeyMaxQueueSizeBytes:  configdef.AtLeast(0),
	KeyPollIntervalMs:     configdef.AtLeast(1),
	KeyFailureHandling:    oneOf(FailureSkip, FailureWarn, FailureFail, FailureIgnore),
	// Debezium's two strategies for relational connectors; a custom
	// class (a Java TopicNamingStrategy) cannot be loaded.
	KeyTopicNaming: configdef.Func(schemaTopicNamingStrategy+", "+defaultTopicNamingStrategy, func(name string, v any) error {
		if s, _ := v.(string); s != "" && s != schemaTopicNamingStrategy && s != defaultTopicNamingStrategy {
			return configdef.Invalid(name, v, "only "+schemaTopicNamingStrategy+" (the default) and "+defaultTopicNamingStrategy+" are available")
		}
		return nil
	}),
}

// runtimeConfigKeys describes the SSL, driver, slot, snapshot, queue and
// event-handling properties, with Debezium's names, types and defaults.
func runtimeConfigKeys() []configdef.Key {
	type k = configdef.Key
	str, boolean, long, class := configdef.TypeString, configdef.TypeBoolean, configdef.TypeLong, configdef.TypeClass
	low, med := configdef.ImportanceLow, configdef.ImportanceMedium
	return []k{
		{Name: KeySSLRootCert, Type: str, Importance: low, Group: "Connection", DisplayName: "SSL Root Certificate",
			Documentation: "File containing the root certificate(s) against which the server is validated. See the Postgres JDBC SSL docs for further information"},
		{Name: KeySSLCert, Type: str, Importance: low, Group: "Connection", DisplayName: "SSL Client Certificate",
			Documentation: "File containing the SSL Certificate for the client. See the Postgres SSL docs for further information"},
		{Name: KeySSLKey, Type: str, Importance: low, Group: "Connection", DisplayName: "SSL Client Key",
			Documentation: "File containing the SSL private key for the client. See the Postgres SSL docs for further information"},
		{Name: KeySSLPassword, Type: configdef.TypePassword, Importance: low, Group: "Connection", DisplayName: "SSL Client Key Password",
			Documentation: "Password to access the client private key from the file specified by 'database.sslkey'. See the Postgres SSL docs for further information"},
		{Name: KeyTCPKeepAlive, Type: boolean, Default: "true", Importance: med, Group: "Connection", DisplayName: "TCP keep-alive probe",
			Documentation: "Enable or disable TCP keep-alive probe to avoid dropping TCP connection"},
		{Name: KeyInitialStatements, Type: str, Importance: low, Group: "Connection", DisplayName: "Initial statements",
			Documentation: "A semicolon separated list of SQL statements to be executed when a JDBC connection to the database is established. Use doubled semicolon (';;') to use a semicolon as a character and not as a delimiter."},
		{Name: KeySlotStreamParams, Type: str, Importance: low, Group: "Connection", DisplayName: "Optional parameters to pass to the logical decoder when the stream is started.",
			Documentation: "Any optional parameters used by logical decoding plugin. Semi-colon separated. E.g. 'add-tables=public.table,public.table2;include-lsn=true'"},
		{Name: KeySlotFailover, Type: boolean, Default: "false", Importance: med, Group: "Connection", DisplayName: "Create failover slot",
			Documentation: "Whether or not to create a failover slot. This is only supported when connecting to a primary server of a Postgres cluster, version 17 or newer."},
		{Name: KeySnapshotIsolation, Type: str, Default: IsolationSerializable, Importance: low, Group: "Connector", DisplayName: "Snapshot isolation mode",
			Documentation: "Controls which transaction isolation level is used: serializable (the default), repeatable_read, read_committed or read_uncommitted."},
		{Name: KeySnapshotLocking, Type: str, Default: "none", Importance: low, Group: "Connector", DisplayName: "Snapshot locking mode",
			Documentation: "Controls how the connector holds locks on tables while performing the schema snapshot: 'shared' holds an ACCESS SHARE lock on every captured table; 'none' takes no locks."},
		{Name: KeySnapshotLockTimout, Type: long, Default: "10000", Importance: med, Group: "Connector", DisplayName: "Snapshot lock timeout (ms)",
			Documentation: "The maximum number of millis to wait for table locks at the beginning of a snapshot. If locks cannot be acquired in this time frame, the snapshot will be aborted. Defaults to 10 seconds"},
		{Name: KeySnapshotDelayMs, Type: long, Default: "0", Importance: low, Group: "Connector", DisplayName: "Snapshot Delay (milliseconds)",
			Documentation: "A delay period before a snapshot will begin, given in milliseconds. Defaults to 0 ms."},
		{Name: KeyMaxQueueSizeBytes, Type: long, Default: "0", Importance: med, Group: "Advanced", DisplayName: "Change event buffer size in bytes",
			Documentation: "Maximum size of the queue in bytes for change events read from the database log but not yet recorded or forwarded. Defaults to 0. Mean the feature is not enabled"},
		{Name: KeyPollIntervalMs, Type: long, Default: "500", Importance: med, Group: "Advanced", DisplayName: "Poll interval (ms)",
			Documentation: "Time to wait for new change events to appear after receiving no events, given in milliseconds. Defaults to 500 ms. Values will be capped at 5000 ms."},
		{Name: KeySkipUnchanged, Type: boolean, Default: "false", Importance: med, Group: "Connection", DisplayName: "Enable skipping messages without change",
			Documentation: "Enable to skip publishing messages when there is no change in included columns. For Postgres - this would require REPLICA IDENTITY of table to be FULL."},
		{Name: KeyFailureHandling, Type: str, Default: FailureFail, Importance: med, Group: "Advanced", DisplayName: "Event deserialization failure handling",
			Documentation: "Specify how failures during processing of events (i.e. when encountering a corrupted event) should be handled: 'fail' (the default), 'warn' (log and skip) or 'ignore' (skip)."},
		{Name: KeyTopicDelimiter, Type: str, Default: ".", Importance: low, Group: "Advanced", DisplayName: "Topic delimiter",
			Documentation: "Specify the delimiter for topic name."},
		// The runtime reads these two (the herder's restart policy) and
		// checks them; they are Debezium's, so the connector declares them.
		{Name: "retriable.restart.connector.wait.ms", Type: long, Default: "10000", Importance: low, Group: "Advanced", DisplayName: "Retriable restart wait (ms)",
			Documentation: "Time to wait before restarting connector after retriable exception occurs. Defaults to 10000ms."},
		{Name: "errors.max.retries", Type: configdef.TypeInt, Default: "-1", Importance: low, Group: "Advanced", DisplayName: "The maximum number of retries",
			Documentation: "The maximum number of retries on connection errors before failing (-1 = no limit, 0 = disabled, > 0 = num of retries)."},
		{Name: KeyTopicNaming, Type: class, Default: schemaTopicNamingStrategy, Importance: med, Group: "Advanced", DisplayName: "Topic naming strategy class",
			Documentation: "The name of the TopicNamingStrategy class that should be used to determine the topic name for data change, schema change, transaction, heartbeat event etc."},
	}
}

// Signal channels and notifications: Debezium 3.5's
// CommonConnectorConfig (signal.enabled.channels, signal.poll.interval.ms,
// notification.enabled.channels), FileSignalChannel (signal.file),
// KafkaSignalChannel (signal.kafka.*, signal.consumer.*) and
// SinkNotificationChannel (notification.sink.topic.name).
const (
	KeySignalEnabledChannels       = "signal.enabled.channels"
	KeySignalPollIntervalMs        = "signal.poll.interval.ms"
	KeySignalFile                  = "signal.file"
	KeySignalKafkaTopic            = "signal.kafka.topic"
	KeySignalKafkaBootstrapServers = "signal.kafka.bootstrap.servers"
	KeySignalKafkaPollTimeoutMs    = "signal.kafka.poll.timeout.ms"
	KeySignalKafkaGroupID          = "signal.kafka.groupId"
	KeyNotificationEnabledChannels = "notification.enabled.channels"
	KeyNotificationSinkTopicName   = "notification.sink.topic.name"
	// signalConsumerPrefix passes properties to the kafka channel's
	// consumer.
	signalConsumerPrefix = "signal.consumer."
)

// signalConfigKeys declares the signal channel and notification keys with
// Debezium's types, defaults and descriptions; each carries its check.
func signalConfigKeys() []configdef.Key {
	type k = configdef.Key
	str, list := configdef.TypeString, configdef.TypeList
	low, med, high := configdef.ImportanceLow, configdef.ImportanceMedium, configdef.ImportanceHigh
	return []k{
		{Name: KeySignalPollIntervalMs, Type: configdef.TypeLong, Default: "5000", Importance: med, Group: "Advanced", DisplayName: "Signal processor poll interval",
			Documentation: "Interval for looking for new signals in registered channels, given in milliseconds. Defaults to 5 seconds.", Validator: configdef.AtLeast(1)},
		{Name: KeySignalEnabledChannels, Type: list, Default: signal.ChannelSource, Importance: med, Group: "Advanced", DisplayName: "Enabled channels names",
			Documentation: "List of channels names that are enabled. Source channel is enabled by default"},
		{Name: KeySignalFile, Type: str, Default: signal.DefaultSignalFile, Importance: high, Group: "Advanced", DisplayName: "Signal file name",
			Documentation: "The name of the file for the signals to the connector"},
		{Name: KeySignalKafkaTopic, Type: str, Importance: high, Group: "Advanced", DisplayName: "Signal topic name",
			Documentation: "The name of the topic for the signals to the connector"},
		{Name: KeySignalKafkaBootstrapServers, Type: str, Importance: high, Group: "Advanced", DisplayName: "Kafka broker addresses",
			Documentation: "A list of host/port pairs that the connector will use for establishing the initial connection to the Kafka cluster for retrieving signals to the connector.This should point to the same Kafka cluster used by the Kafka Connect process."},
		{Name: KeySignalKafkaPollTimeoutMs, Type: configdef.TypeInt, Default: "0", Importance: low, Group: "Advanced", DisplayName: "Poll timeout for kafka signals (ms)",
			Documentation: "The number of milliseconds to wait while polling signals.", Validator: configdef.AtLeast(0)},
		{Name: KeySignalKafkaGroupID, Type: str, Default: signal.DefaultKafkaGroupID, Importance: low, Group: "Advanced", DisplayName: "Consumer group id for the signal topic",
			Documentation: "Consumer group id for the signal topic"},
		{Name: KeyNotificationEnabledChannels, Type: list, Importance: med, Group: "Advanced", DisplayName: "Enabled notification channels names",
			Documentation: "List of notification channels names that are enabled."},
		{Name: KeyNotificationSinkTopicName, Type: str, Importance: high, Group: "Advanced", DisplayName: "Notification topic name",
			Documentation: "The name of the topic for the notifications. This is required in case 'sink' is in the list of enabled channels"},
	}
}

// signals reads the signal channel and notification settings into c:
// notification.sink.topic.name is required with the sink channel
// (SinkNotificationChannel.validateNotificationTopicName); the kafka
// channel's signal.kafka.bootstrap.servers is checked when the task opens
// the channel, as KafkaSignalChannel.init does.
func (p *parser) signals(c *Config) {
	v := p.v
	c.Signals = signal.ChannelConfig{
		Enabled:      v.List(KeySignalEnabledChannels),
		PollInterval: time.Duration(v.Long(KeySignalPollIntervalMs)) * time.Millisecond,
		TopicPrefix:  c.TopicPrefix,
		File:         v.String(KeySignalFile),
		Kafka: signal.KafkaConfig{
			Topic:            v.String(KeySignalKafkaTopic),
			BootstrapServers: v.String(KeySignalKafkaBootstrapServers),
			GroupID:          v.String(KeySignalKafkaGroupID),
			PollTimeout:      time.Duration(v.Int(KeySignalKafkaPollTimeoutMs)) * time.Millisecond,
			Consumer:         map[string]string{},
		},
	}
	for name, value := range p.props {
		if rest, ok := strings.CutPrefix(name, signalConsumerPrefix); ok && rest != "" {
			c.Signals.Kafka.Consumer[rest] = value
		}
	}
	c.Notifications = signal.NotificationConfig{Enabled: v.List(KeyNotificationEnabledChannels), SinkTopic: v.String(KeyNotificationSinkTopicName)}
	if slices.Contains(c.Notifications.Enabled, signal.NotificationSink) && strings.TrimSpace(c.Notifications.SinkTopic) == "" {
		p.add(KeyNotificationSinkTopicName, signal.NotificationTopicRequired)
	}
}
