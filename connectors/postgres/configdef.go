package postgres

import "github.com/tributary-cdc/tributary/connect"

// ConfigDef describes the connector's properties as Debezium's
// PostgresConnectorConfig does (GET /connector-plugins/{plugin}/config).
func (*Connector) ConfigDef() []connect.ConfigKey {
	def := func(s string) *string { return &s }
	type k = connect.ConfigKey
	keys := []k{
		{Name: KeyTopicPrefix, Type: connect.TypeString, Required: true, Importance: connect.ImportanceHigh, Group: "Connector",
			Documentation: "Topic prefix that identifies and provides a namespace for the particular database server/cluster is capturing changes.", DisplayName: "Topic prefix"},
		{Name: KeyHostname, Type: connect.TypeString, Required: true, Importance: connect.ImportanceHigh, Group: "Connection",
			Documentation: "Resolvable hostname or IP address of the database server.", DisplayName: "Hostname"},
		{Name: KeyPort, Type: connect.TypeInt, Default: def("5432"), Importance: connect.ImportanceHigh, Group: "Connection",
			Documentation: "Port of the database server.", DisplayName: "Port"},
		{Name: KeyUser, Type: connect.TypeString, Required: true, Importance: connect.ImportanceHigh, Group: "Connection",
			Documentation: "Name of the database user to be used when connecting to the database.", DisplayName: "User"},
		{Name: KeyPassword, Type: connect.TypePassword, Importance: connect.ImportanceHigh, Group: "Connection",
			Documentation: "Password of the database user to be used when connecting to the database.", DisplayName: "Password"},
		{Name: KeyDBName, Type: connect.TypeString, Required: true, Importance: connect.ImportanceHigh, Group: "Connection",
			Documentation: "The name of the database from which the connector should capture changes.", DisplayName: "Database"},
		{Name: KeyPluginName, Type: connect.TypeString, Default: def("pgoutput"), Importance: connect.ImportanceMedium, Group: "Connection",
			Documentation: "The name of the Postgres logical decoding plugin installed on the server. Only pgoutput is supported.", DisplayName: "Plugin"},
		{Name: KeySlotName, Type: connect.TypeString, Default: def("debezium"), Importance: connect.ImportanceMedium, Group: "Connection",
			Documentation: "The name of the Postgres logical decoding slot created for streaming changes from a plugin.", DisplayName: "Slot"},
		{Name: KeyPublicationName, Type: connect.TypeString, Default: def("dbz_publication"), Importance: connect.ImportanceLow, Group: "Connection",
			Documentation: "The name of the Postgres 10+ publication used for streaming changes from a plugin.", DisplayName: "Publication"},
		{Name: KeyPublicationAutocreate, Type: connect.TypeString, Default: def("all_tables"), Importance: connect.ImportanceLow, Group: "Connection",
			Documentation: "Applies only when streaming changes using pgoutput: all_tables, disabled, filtered or no_tables.", DisplayName: "Publication autocreate mode"},
		{Name: KeySnapshotMode, Type: connect.TypeString, Default: def("initial"), Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "The criteria for running a snapshot upon startup of the connector: initial, no_data, initial_only, always, when_needed.", DisplayName: "Snapshot mode"},
		{Name: KeyTableInclude, Type: connect.TypeList, Importance: connect.ImportanceHigh, Group: "Filters",
			Documentation: "The tables for which changes are to be captured.", DisplayName: "Include Tables"},
		{Name: KeyTableExclude, Type: connect.TypeList, Importance: connect.ImportanceMedium, Group: "Filters",
			Documentation: "A comma-separated list of regular expressions that match the fully-qualified names of tables to be excluded from monitoring.", DisplayName: "Exclude Tables"},
		{Name: KeySchemaInclude, Type: connect.TypeList, Importance: connect.ImportanceHigh, Group: "Filters",
			Documentation: "The schemas for which events should be captured.", DisplayName: "Include Schemas"},
		{Name: KeySchemaExclude, Type: connect.TypeList, Importance: connect.ImportanceMedium, Group: "Filters",
			Documentation: "The schemas for which events must not be captured.", DisplayName: "Exclude Schemas"},
		{Name: KeyTombstonesOnDelete, Type: connect.TypeBoolean, Default: def("true"), Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "Whether delete operations should be represented by a delete event and a subsequent tombstone event (true) or only by a delete event (false).", DisplayName: "Change the behaviour of Debezium with regards to delete operations"},
		{Name: KeyMaxBatchSize, Type: connect.TypeInt, Default: def("2048"), Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "Maximum size of each batch of source records.", DisplayName: "Change event batch size"},
		{Name: KeyMaxQueueSize, Type: connect.TypeInt, Default: def("8192"), Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "Maximum size of the queue for change events read from the database log but not yet recorded or forwarded.", DisplayName: "Change event buffer size"},
		{Name: KeyStatusUpdateIntervalMs, Type: connect.TypeInt, Default: def("10000"), Importance: connect.ImportanceMedium, Group: "Connection",
			Documentation: "Frequency for sending replication connection status updates to the server, given in milliseconds.", DisplayName: "Status update interval (ms)"},
		{Name: KeySnapshotFetchSize, Type: connect.TypeInt, Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "The maximum number of records that should be loaded into memory while performing a snapshot.", DisplayName: "Snapshot fetch size"},
		{Name: KeyHeartbeatIntervalMs, Type: connect.TypeInt, Default: def("0"), Importance: connect.ImportanceMedium, Group: "Advanced",
			Documentation: "Length of an interval in milli-seconds in in which the connector periodically sends heartbeat messages to a heartbeat topic. Use 0 to disable heartbeat messages.", DisplayName: "Connector heartbeat interval (milli-seconds)"},
		{Name: KeyHeartbeatActionQuery, Type: connect.TypeString, Importance: connect.ImportanceLow, Group: "Advanced",
			Documentation: "The query executed with every heartbeat.", DisplayName: "An optional query to execute with every heartbeat"},
		{Name: KeyHeartbeatTopicPrefix, Type: connect.TypeString, Default: def("__debezium-heartbeat"), Importance: connect.ImportanceLow, Group: "Advanced",
			Documentation: "The prefix that is used to name heartbeat topics.", DisplayName: "A prefix used for naming of heartbeat topics"},
		{Name: KeyHeartbeatTopicName, Type: connect.TypeString, Importance: connect.ImportanceLow, Group: "Advanced", DisplayName: "Full name of heartbeat topic",
			Documentation: "Specify the full heartbeat topic name. When set, this overrides the default heartbeat topic naming of ${topic.heartbeat.prefix}.${topic.prefix}, allowing multiple connectors to share the same heartbeat topic."},
		{Name: KeyProvideTransactionMetadata, Type: connect.TypeBoolean, Default: def("false"), Importance: connect.ImportanceLow, Group: "Connector",
			Documentation: "Enables transaction metadata extraction together with event counting", DisplayName: "Store transaction metadata information in a dedicated topic."},
		{Name: KeySlotDropOnStop, Type: connect.TypeBoolean, Default: def("false"), Importance: connect.ImportanceMedium, Group: "Connection",
			Documentation: "Whether or not to drop the logical replication slot when the connector finishes orderly.", DisplayName: "Drop slot on stop"},
		{Name: KeySlotMaxRetries, Type: connect.TypeInt, Default: def("6"), Importance: connect.ImportanceLow, Group: "Connection",
			Documentation: "How many times to retry connecting to a replication slot when an attempt fails.", DisplayName: "Retry count"},
		{Name: KeySlotRetryDelayMs, Type: connect.TypeLong, Default: def("10000"), Importance: connect.ImportanceLow, Group: "Connection",
			Documentation: "Time to wait between retry attempts when the connector fails to connect to a replication slot, given in milliseconds.", DisplayName: "Retry delay"},
		{Name: KeyReplicaIdentityAutoset, Type: connect.TypeString, Importance: connect.ImportanceLow, Group: "Connector",
			Documentation: "Applies only when streaming changes using pgoutput: comma-separated <table regex>:<replica identity> entries set on captured tables at start.", DisplayName: "Replica Identity Autoset Values"},
	}
	keys = append(keys, []k{
		{Name: KeySnapshotMaxThreads, Type: connect.TypeInt, Default: def("1"), Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "The maximum number of threads used to perform the snapshot. Defaults to 1.", DisplayName: "Snapshot maximum threads"},
		{Name: KeySnapshotSelectOverrides, Type: connect.TypeString, Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "This property contains a comma-separated list of fully-qualified tables (SCHEMA_NAME.TABLE_NAME). Select statements for the individual tables are specified in further configuration properties, one for each table, identified by the id 'snapshot.select.statement.overrides.[SCHEMA_NAME].[TABLE_NAME]'. The value of those properties is the select statement to use when retrieving data from the specific table during snapshotting.",
			DisplayName:   "List of tables where the default select statement used during snapshotting should be overridden."},
		{Name: KeySnapshotIncludeCollection, Type: connect.TypeList, Importance: connect.ImportanceMedium, Group: "Connector",
			Documentation: "This setting must be set to specify a list of tables/collections whose snapshot must be taken on creating or restarting the connector.", DisplayName: "Snapshot mode include data collection"},
	}...)
	keys = append(keys, fidelityConfigKeys()...)
	keys = append(keys, runtimeConfigKeys()...)
	order := map[string]int{}
	for i := range keys {
		order[keys[i].Group]++
		keys[i].Order = order[keys[i].Group]
		keys[i].Width = connect.WidthMedium
		keys[i].Dependents = []string{}
	}
	return keys
}

// runtimeConfigKeys describes the SSL, driver, slot, snapshot, queue and
// event-handling properties, with Debezium's names, types and defaults.
func runtimeConfigKeys() []connect.ConfigKey {
	def := func(s string) *string { return &s }
	type k = connect.ConfigKey
	str, boolean, long, class := connect.TypeString, connect.TypeBoolean, connect.TypeLong, connect.TypeClass
	low, med := connect.ImportanceLow, connect.ImportanceMedium
	return []k{
		{Name: KeySSLRootCert, Type: str, Importance: low, Group: "Connection", DisplayName: "SSL Root Certificate",
			Documentation: "File containing the root certificate(s) against which the server is validated. See the Postgres JDBC SSL docs for further information"},
		{Name: KeySSLCert, Type: str, Importance: low, Group: "Connection", DisplayName: "SSL Client Certificate",
			Documentation: "File containing the SSL Certificate for the client. See the Postgres SSL docs for further information"},
		{Name: KeySSLKey, Type: str, Importance: low, Group: "Connection", DisplayName: "SSL Client Key",
			Documentation: "File containing the SSL private key for the client. See the Postgres SSL docs for further information"},
		{Name: KeySSLPassword, Type: connect.TypePassword, Importance: low, Group: "Connection", DisplayName: "SSL Client Key Password",
			Documentation: "Password to access the client private key from the file specified by 'database.sslkey'. See the Postgres SSL docs for further information"},
		{Name: KeyTCPKeepAlive, Type: boolean, Default: def("true"), Importance: med, Group: "Connection", DisplayName: "TCP keep-alive probe",
			Documentation: "Enable or disable TCP keep-alive probe to avoid dropping TCP connection"},
		{Name: KeyInitialStatements, Type: str, Importance: low, Group: "Connection", DisplayName: "Initial statements",
			Documentation: "A semicolon separated list of SQL statements to be executed when a JDBC connection to the database is established. Use doubled semicolon (';;') to use a semicolon as a character and not as a delimiter."},
		{Name: KeySlotStreamParams, Type: str, Importance: low, Group: "Connection", DisplayName: "Optional parameters to pass to the logical decoder when the stream is started.",
			Documentation: "Any optional parameters used by logical decoding plugin. Semi-colon separated. E.g. 'add-tables=public.table,public.table2;include-lsn=true'"},
		{Name: KeySlotFailover, Type: boolean, Default: def("false"), Importance: med, Group: "Connection", DisplayName: "Create failover slot",
			Documentation: "Whether or not to create a failover slot. This is only supported when connecting to a primary server of a Postgres cluster, version 17 or newer."},
		{Name: KeySnapshotIsolation, Type: str, Default: def(IsolationSerializable), Importance: low, Group: "Connector", DisplayName: "Snapshot isolation mode",
			Documentation: "Controls which transaction isolation level is used: serializable (the default), repeatable_read, read_committed or read_uncommitted."},
		{Name: KeySnapshotLocking, Type: str, Default: def("none"), Importance: low, Group: "Connector", DisplayName: "Snapshot locking mode",
			Documentation: "Controls how the connector holds locks on tables while performing the schema snapshot: 'shared' holds an ACCESS SHARE lock on every captured table; 'none' takes no locks."},
		{Name: KeySnapshotLockTimout, Type: long, Default: def("10000"), Importance: med, Group: "Connector", DisplayName: "Snapshot lock timeout (ms)",
			Documentation: "The maximum number of millis to wait for table locks at the beginning of a snapshot. If locks cannot be acquired in this time frame, the snapshot will be aborted. Defaults to 10 seconds"},
		{Name: KeySnapshotDelayMs, Type: long, Default: def("0"), Importance: low, Group: "Connector", DisplayName: "Snapshot Delay (milliseconds)",
			Documentation: "A delay period before a snapshot will begin, given in milliseconds. Defaults to 0 ms."},
		{Name: KeyMaxQueueSizeBytes, Type: long, Default: def("0"), Importance: med, Group: "Advanced", DisplayName: "Change event buffer size in bytes",
			Documentation: "Maximum size of the queue in bytes for change events read from the database log but not yet recorded or forwarded. Defaults to 0. Mean the feature is not enabled"},
		{Name: KeyPollIntervalMs, Type: long, Default: def("500"), Importance: med, Group: "Advanced", DisplayName: "Poll interval (ms)",
			Documentation: "Time to wait for new change events to appear after receiving no events, given in milliseconds. Defaults to 500 ms. Values will be capped at 5000 ms."},
		{Name: KeySkipUnchanged, Type: boolean, Default: def("false"), Importance: med, Group: "Connection", DisplayName: "Enable skipping messages without change",
			Documentation: "Enable to skip publishing messages when there is no change in included columns. For Postgres - this would require REPLICA IDENTITY of table to be FULL."},
		{Name: KeyFailureHandling, Type: str, Default: def(FailureFail), Importance: med, Group: "Advanced", DisplayName: "Event deserialization failure handling",
			Documentation: "Specify how failures during processing of events (i.e. when encountering a corrupted event) should be handled: 'fail' (the default), 'warn' (log and skip) or 'ignore' (skip)."},
		{Name: KeyTopicDelimiter, Type: str, Default: def("."), Importance: low, Group: "Advanced", DisplayName: "Topic delimiter",
			Documentation: "Specify the delimiter for topic name."},
		{Name: KeyTopicNaming, Type: class, Default: def(schemaTopicNamingStrategy), Importance: med, Group: "Advanced", DisplayName: "Topic naming strategy class",
			Documentation: "The name of the TopicNamingStrategy class that should be used to determine the topic name for data change, schema change, transaction, heartbeat event etc."},
	}
}
