package postgres

import "github.com/tributary-cdc/tributary/configdef"

// fidelityConfigKeys describes the filtering, column mapper, type handling
// and naming properties the connector honours, with Debezium's names,
// types, defaults and descriptions (RelationalDatabaseConnectorConfig,
// CommonConnectorConfig, PostgresConnectorConfig). The column mappers
// whose names carry a parameter are listed under their pattern names, as
// Debezium lists them.
func fidelityConfigKeys() []configdef.Key {
	type k = configdef.Key
	const (
		conn = "Connection"
		cn   = "Connector"
		adv  = "Advanced"
		flt  = "Filters"
	)
	return []k{
		{Name: KeySSLMode, Type: configdef.TypeString, Default: "prefer", Importance: configdef.ImportanceMedium, Group: conn,
			Documentation: "Whether to use an encrypted connection to Postgres. Options include: 'disable', 'allow', 'prefer' (the default), 'require', 'verify-ca' and 'verify-full'.", DisplayName: "SSL mode"},
		{Name: KeyColumnInclude, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: flt,
			Documentation: "Regular expressions matching columns to include in change events", DisplayName: "Include Columns"},
		{Name: KeyColumnExclude, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: flt,
			Documentation: "Regular expressions matching columns to exclude from change events", DisplayName: "Exclude Columns"},
		{Name: KeyMessageKeyColumns, Type: configdef.TypeString, Importance: configdef.ImportanceMedium, Group: cn,
			Documentation: "A semicolon-separated list of expressions that match fully-qualified tables and column(s) to be used as message key. Each expression must match the pattern '<fully-qualified table name>:<key columns>', where the table names could be defined as (DB_NAME.TABLE_NAME) or (SCHEMA_NAME.TABLE_NAME), depending on the specific connector, and the key columns are a comma-separated list of columns representing the custom key. For any table without an explicit key configuration the table's primary key column(s) will be used as message key. Example: dbserver1.inventory.orderlines:orderId,orderLineId;dbserver1.inventory.orders:id", DisplayName: "Columns PK mapping"},
		{Name: KeySkippedOperations, Type: configdef.TypeList, Default: "t", Importance: configdef.ImportanceLow, Group: cn,
			Documentation: "The comma-separated list of operations to skip during streaming, defined as: 'c' for inserts/create; 'u' for updates; 'd' for deletes, 't' for truncates, and 'none' to indicate nothing skipped. By default, only truncate operations will be skipped.", DisplayName: "Skipped Operations"},
		{Name: KeyDecimalHandlingMode, Type: configdef.TypeString, Default: "precise", Importance: configdef.ImportanceMedium, Group: cn,
			Documentation: "Specify how DECIMAL and NUMERIC columns should be represented in change events, including: 'precise' (the default) uses java.math.BigDecimal to represent values, which are encoded in the change events using a binary representation and Kafka Connect's 'org.apache.kafka.connect.data.Decimal' type; 'string' uses string to represent values; 'double' represents values using Java's 'double', which may not offer the precision but will be far easier to use in consumers.", DisplayName: "Decimal Handling"},
		{Name: KeyTimePrecisionMode, Type: configdef.TypeString, Default: "adaptive", Importance: configdef.ImportanceMedium, Group: cn,
			Documentation: "Time, date, and timestamps can be represented with different kinds of precisions, including: 'adaptive' (the default) bases the precision of time, date, and timestamp values on the database column's precision; 'adaptive_time_microseconds' like 'adaptive' mode, but TIME fields always use microseconds precision; 'connect' always represents time, date, and timestamp values using Kafka Connect's built-in representations for Time, Date, and Timestamp, which uses millisecond precision regardless of the database columns' precision.", DisplayName: "Time Precision"},
		{Name: KeyBinaryHandlingMode, Type: configdef.TypeString, Default: "bytes", Importance: configdef.ImportanceLow, Group: cn,
			Documentation: "Specify how binary (blob, binary, etc.) columns should be represented in change events, including: 'bytes' represents binary data as byte array (default); 'base64' represents binary data as base64-encoded string; 'base64-url-safe' represents binary data as base64-url-safe-encoded string; 'hex' represents binary data as hex-encoded (base16) string", DisplayName: "Binary Handling"},
		{Name: KeyHstoreHandlingMode, Type: configdef.TypeString, Default: "json", Importance: configdef.ImportanceLow, Group: cn,
			Documentation: "Specify how HSTORE columns should be represented in change events, including: 'json' represents values as string-ified JSON (default); 'map' represents values as a key/value map", DisplayName: "HStore Handling"},
		{Name: KeyIntervalHandlingMode, Type: configdef.TypeString, Default: "numeric", Importance: configdef.ImportanceLow, Group: cn,
			Documentation: "Specify how INTERVAL columns should be represented in change events, including: 'string' represents values as an exact ISO formatted string; 'numeric' (default) represents values using the inexact conversion into microseconds", DisplayName: "Interval Handling"},
		{Name: KeyMoneyFractionDigits, Type: configdef.TypeShort, Default: "2", Importance: configdef.ImportanceLow, Group: cn,
			Documentation: "Number of fractional digits when money type is converted to 'precise' decimal number.", DisplayName: "Money fraction digits"},
		{Name: KeyIncludeUnknownTypes, Type: configdef.TypeBoolean, Default: "false", Importance: configdef.ImportanceLow, Group: cn,
			Documentation: "Specify whether the fields of data type not supported by Debezium should be processed: 'false' (the default) omits the fields; 'true' converts the field into an implementation dependent binary representation.", DisplayName: "Include unknown datatypes"},
		{Name: KeyUnavailablePlaceholder, Type: configdef.TypeString, Default: "__debezium_unavailable_value", Importance: configdef.ImportanceMedium, Group: cn,
			Documentation: "Specify the constant that will be provided by Debezium to indicate that the original value is a toasted value not provided by the database. If starts with 'hex:' prefix it is expected that the rest of the string represents hexadecimal encoded octets.", DisplayName: "Toasted value placeholder"},
		{Name: KeyExtendedHeaders, Type: configdef.TypeBoolean, Default: "true", Importance: configdef.ImportanceLow, Group: adv,
			Documentation: "Enable/Disable Debezium context headers that provides essential metadata for tracking and identifying the source of CDC events in downstream processing systems.", DisplayName: "Enable/Disable Debezium context headers"},
		{Name: KeyTopicTransaction, Type: configdef.TypeString, Default: "transaction", Importance: configdef.ImportanceLow, Group: cn,
			Documentation: "The name of the transaction metadata topic. The full topic name pattern is <topic.prefix>.<topic.transaction>", DisplayName: "Transaction topic name"},
		{Name: KeyMessagePrefixInclude, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: flt,
			Documentation: "A comma-separated list of regular expressions that match the logical decoding message prefixes to be monitored. All prefixes are monitored by default.", DisplayName: "Include Logical Decoding Message Prefixes"},
		{Name: KeyMessagePrefixExclude, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: flt,
			Documentation: "A comma-separated list of regular expressions that match the logical decoding message prefixes to be excluded from monitoring.", DisplayName: "Exclude Logical Decoding Message Prefixes"},
		{Name: "column.truncate.to.(d+).chars", Type: configdef.TypeInt, Importance: configdef.ImportanceMedium, Group: adv,
			Documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that should be truncated to the configured amount of characters.", DisplayName: "Truncate Columns To n Characters"},
		{Name: "column.mask.with.(d+).chars", Type: configdef.TypeString, Importance: configdef.ImportanceMedium, Group: adv,
			Documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that should be masked with configured amount of asterisk ('*') characters.", DisplayName: "Mask Columns With n Asterisks"},
		{Name: "column.mask.hash.([^.]+).with.salt.(.+)", Type: configdef.TypeString, Importance: configdef.ImportanceMedium, Group: adv,
			Documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that should be masked by hashing the input. Using the specified hash algorithms and salt.", DisplayName: "Mask Columns Using Hash and Salt"},
		{Name: KeyDatatypePropagateSourceType, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: adv,
			Documentation: "A comma-separated list of regular expressions matching the database-specific data type names that adds the data type's original type and original length as parameters to the corresponding field schemas in the emitted change records.", DisplayName: "Propagate Source Types by Data Type"},
		{Name: KeyColumnPropagateSourceType, Type: configdef.TypeList, Importance: configdef.ImportanceMedium, Group: adv,
			Documentation: "A comma-separated list of regular expressions matching fully-qualified names of columns that adds the column’s original type and original length as parameters to the corresponding field schemas in the emitted change records.", DisplayName: "Propagate Source Types by Columns"},
		{Name: KeySchemaNameAdjustmentMode, Type: configdef.TypeString, Default: "none", Importance: configdef.ImportanceLow, Group: adv,
			Documentation: "Specify how schema names should be adjusted for compatibility with the message converter used by the connector, including: 'avro' replaces the characters that cannot be used in the Avro type name with underscore; 'avro_unicode' replaces the underscore or characters that cannot be used in the Avro type name with corresponding unicode like _uxxxx. Note: _ is an escape sequence like backslash in Java;'none' does not apply any adjustment (default)", DisplayName: "Schema Name Adjustment"},
		{Name: KeyFieldNameAdjustmentMode, Type: configdef.TypeString, Default: "none", Importance: configdef.ImportanceLow, Group: adv,
			Documentation: "Specify how field names should be adjusted for compatibility with the message converter used by the connector, including: 'avro' replaces the characters that cannot be used in the Avro type name with underscore; 'avro_unicode' replaces the underscore or characters that cannot be used in the Avro type name with corresponding unicode like _uxxxx. Note: _ is an escape sequence like backslash in Java;'none' does not apply any adjustment (default)", DisplayName: "Field Name Adjustment"},
		{Name: KeyPublishViaPartitionRoot, Type: configdef.TypeBoolean, Default: "false", Importance: configdef.ImportanceMedium, Group: cn,
			Documentation: "A boolean that determines whether the connector should publish changes via the partition root. When true, changes are published through partition root. When false, changes are published directly.", DisplayName: "Publish via partition root"},
	}
}
