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
	order := map[string]int{}
	for i := range keys {
		order[keys[i].Group]++
		keys[i].Order = order[keys[i].Group]
		keys[i].Width = connect.WidthMedium
		keys[i].Dependents = []string{}
	}
	return keys
}
