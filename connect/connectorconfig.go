package connect

import (
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
)

// The framework's connector properties: Kafka Connect 3.9's
// ConnectorConfig.configDef() and SourceConnectorConfig.configDef()
// (connect/runtime/src/main/java/org/apache/kafka/connect/runtime), in
// their groups. The runtime parses and validates connector configs with
// them; connectors use them to tell their own properties from the
// framework's.

// Framework groups, as ConnectorConfig and SourceConnectorConfig name them.
const (
	GroupCommon             = "Common"
	GroupTransforms         = "Transforms"
	GroupPredicates         = "Predicates"
	GroupErrorHandling      = "Error Handling"
	GroupTopicCreation      = "Topic Creation"
	GroupExactlyOnceSupport = "Exactly Once Support"
	GroupOffsetsTopic       = "offsets.topic"
)

// aliasValidator is ConnectorConfig.aliasValidator (and the topic creation
// groups' validator): a list without duplicates.
func aliasValidator(desc string) configdef.Validator {
	return configdef.All(configdef.NonNull(), configdef.Func(desc, func(name string, v any) error {
		aliases, _ := v.([]string)
		seen := map[string]bool{}
		for _, a := range aliases {
			if seen[a] {
				return configdef.Invalid(name, v, "Duplicate alias provided.")
			}
			seen[a] = true
		}
		return nil
	}))
}

const converterDoc = "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka." +
	" This controls the format of the %s in messages written to or read from Kafka, and since this is" +
	" independent of connectors it allows any connector to work with any serialization format." +
	" Examples of common formats include JSON and Avro."

// ConnectorConfigDef is ConnectorConfig.configDef(). Converter classes are
// checked by the runtime, which knows the installed ones.
var ConnectorConfigDef = configdef.Define(
	configdef.Key{Name: "name", Type: configdef.TypeString, Default: configdef.NoDefault, Validator: configdef.NonEmptyStringWithoutControlChars(),
		Importance: configdef.ImportanceHigh, Documentation: "Globally unique name to use for this connector.",
		Group: GroupCommon, Order: 1, Width: configdef.WidthMedium, DisplayName: "Connector name"},
	configdef.Key{Name: "connector.class", Type: configdef.TypeString, Default: configdef.NoDefault, Importance: configdef.ImportanceHigh,
		Documentation: "Name or alias of the class for this connector. Must be a subclass of org.apache.kafka.connect.connector.Connector. " +
			"If the connector is org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full name, " +
			" or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a bit shorter",
		Group: GroupCommon, Order: 2, Width: configdef.WidthLong, DisplayName: "Connector class"},
	configdef.Key{Name: "tasks.max", Type: configdef.TypeInt, Default: 1, Validator: configdef.AtLeast(1), Importance: configdef.ImportanceHigh,
		Documentation: "Maximum number of tasks to use for this connector.", Group: GroupCommon, Order: 3, Width: configdef.WidthShort, DisplayName: "Tasks max"},
	configdef.Key{Name: "tasks.max.enforce", Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceLow,
		Documentation: "(Deprecated) Whether to enforce that the tasks.max property is respected by the connector. " +
			"By default, connectors that generate too many tasks will fail, and existing sets of tasks that exceed the tasks.max property will also be failed. " +
			"If this property is set to false, then connectors will be allowed to generate more than the maximum number of tasks, and existing sets of " +
			"tasks that exceed the tasks.max property will be allowed to run. " +
			"This property is deprecated and will be removed in an upcoming major release.",
		Group: GroupCommon, Order: 4, Width: configdef.WidthShort, DisplayName: "Enforce tasks max"},
	configdef.Key{Name: "key.converter", Type: configdef.TypeClass, Importance: configdef.ImportanceLow,
		Documentation: strings.Replace(converterDoc, "%s", "keys", 1),
		Group:         GroupCommon, Order: 5, Width: configdef.WidthShort, DisplayName: "Key converter class"},
	configdef.Key{Name: "value.converter", Type: configdef.TypeClass, Importance: configdef.ImportanceLow,
		Documentation: strings.Replace(converterDoc, "%s", "values", 1),
		Group:         GroupCommon, Order: 6, Width: configdef.WidthShort, DisplayName: "Value converter class"},
	configdef.Key{Name: "header.converter", Type: configdef.TypeClass, Importance: configdef.ImportanceLow,
		Documentation: "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka." +
			" This controls the format of the header values in messages written to or read from Kafka, and since this is" +
			" independent of connectors it allows any connector to work with any serialization format." +
			" Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize" +
			" header values to strings and deserialize them by inferring the schemas.",
		Group: GroupCommon, Order: 7, Width: configdef.WidthShort, DisplayName: "Header converter class"},
	configdef.Key{Name: "transforms", Type: configdef.TypeList, Default: []string{}, Validator: aliasValidator("unique transformation aliases"),
		Importance: configdef.ImportanceLow, Documentation: "Aliases for the transformations to be applied to records.",
		Group: GroupTransforms, Order: 8, Width: configdef.WidthLong, DisplayName: "Transforms"},
	configdef.Key{Name: "predicates", Type: configdef.TypeList, Default: []string{}, Validator: aliasValidator("unique predicate aliases"),
		Importance: configdef.ImportanceLow, Documentation: "Aliases for the predicates used by transformations.",
		Group: GroupPredicates, Order: 9, Width: configdef.WidthLong, DisplayName: "Predicates"},
	configdef.Key{Name: "config.action.reload", Type: configdef.TypeString, Default: "restart", Validator: configdef.In("none", "restart"),
		Importance: configdef.ImportanceLow,
		Documentation: "The action that Connect should take on the connector when changes in external " +
			"configuration providers result in a change in the connector's configuration properties. " +
			"A value of 'none' indicates that Connect will do nothing. " +
			"A value of 'restart' indicates that Connect should restart/reload the connector with the " +
			"updated configuration properties." +
			"The restart may actually be scheduled in the future if the external configuration provider " +
			"indicates that a configuration value will expire in the future.",
		Group: GroupCommon, Order: 10, Width: configdef.WidthMedium, DisplayName: "Reload Action"},
	configdef.Key{Name: "errors.retry.timeout", Type: configdef.TypeLong, Default: int64(0), Importance: configdef.ImportanceMedium,
		Documentation: "The maximum duration in milliseconds that a failed operation " +
			"will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.",
		Group: GroupErrorHandling, Order: 1, Width: configdef.WidthMedium, DisplayName: "Retry Timeout for Errors"},
	configdef.Key{Name: "errors.retry.delay.max.ms", Type: configdef.TypeLong, Default: int64(60000), Importance: configdef.ImportanceMedium,
		Documentation: "The maximum duration in milliseconds between consecutive retry attempts. " +
			"Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.",
		Group: GroupErrorHandling, Order: 2, Width: configdef.WidthMedium, DisplayName: "Maximum Delay Between Retries for Errors"},
	configdef.Key{Name: "errors.tolerance", Type: configdef.TypeString, Default: "none", Validator: configdef.In("none", "all"),
		Importance: configdef.ImportanceMedium,
		Documentation: "Behavior for tolerating errors during connector operation. 'none' is the default value " +
			"and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
		Group: GroupErrorHandling, Order: 3, Width: configdef.WidthShort, DisplayName: "Error Tolerance"},
	configdef.Key{Name: "errors.log.enable", Type: configdef.TypeBoolean, Default: false, Importance: configdef.ImportanceMedium,
		Documentation: "If true, write each error and the details of the failed operation and problematic record " +
			"to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
		Group: GroupErrorHandling, Order: 4, Width: configdef.WidthShort, DisplayName: "Log Errors"},
	configdef.Key{Name: "errors.log.include.messages", Type: configdef.TypeBoolean, Default: false, Importance: configdef.ImportanceMedium,
		Documentation: "Whether to include in the log the Connect record that resulted in a failure. " +
			"For sink records, the topic, partition, offset, and timestamp will be logged. " +
			"For source records, the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka partition, source partition, " +
			"and source offset will be logged. " +
			"This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.",
		Group: GroupErrorHandling, Order: 5, Width: configdef.WidthShort, DisplayName: "Log Error Details"},
)

// SourceConnectorConfigDef is SourceConnectorConfig.configDef():
// ConnectorConfigDef, then the Topic Creation, Exactly Once Support and
// offsets.topic groups.
var SourceConnectorConfigDef = ConnectorConfigDef.With(
	configdef.Key{Name: "topic.creation.groups", Type: configdef.TypeList, Default: []string{}, Validator: aliasValidator("unique topic creation groups"),
		Importance: configdef.ImportanceLow, Documentation: "Groups of configurations for topics created by source connectors",
		Group: GroupTopicCreation, Order: 1, Width: configdef.WidthLong, DisplayName: "Topic Creation Groups"},
	configdef.Key{Name: "exactly.once.support", Type: configdef.TypeString, Default: "requested", Validator: configdef.InIgnoreCase("requested", "required"),
		Importance: configdef.ImportanceMedium,
		Documentation: "Permitted values are requested, required. " +
			"If set to \"required\", forces a preflight check for the connector to ensure that it can provide exactly-once semantics " +
			"with the given configuration. Some connectors may be capable of providing exactly-once semantics but not signal to " +
			"Connect that they support this; in that case, documentation for the connector should be consulted carefully before " +
			"creating it, and the value for this property should be set to \"requested\". " +
			"Additionally, if the value is set to \"required\" but the worker that performs preflight validation does not have " +
			"exactly-once support enabled for source connectors, requests to create or validate the connector will fail.",
		Group: GroupExactlyOnceSupport, Order: 2, Width: configdef.WidthShort, DisplayName: "Exactly once support"},
	configdef.Key{Name: "transaction.boundary", Type: configdef.TypeString, Default: "poll", Validator: configdef.InIgnoreCase("poll", "interval", "connector"),
		Importance: configdef.ImportanceMedium,
		Documentation: "Permitted values are: poll, interval, connector. " +
			"If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from " +
			"this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that " +
			"not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with " +
			"this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.",
		Group: GroupExactlyOnceSupport, Order: 3, Width: configdef.WidthShort, DisplayName: "Transaction Boundary"},
	configdef.Key{Name: "transaction.boundary.interval.ms", Type: configdef.TypeLong, Validator: configdef.Func("[0,...]", func(name string, v any) error {
		if v == nil {
			return nil
		}
		return configdef.AtLeast(0).EnsureValid(name, v)
	}), Importance: configdef.ImportanceLow,
		Documentation: "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. " +
			"If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different " +
			"transaction.boundary is specified.",
		Group: GroupExactlyOnceSupport, Order: 4, Width: configdef.WidthShort, DisplayName: "Transaction boundary interval"},
	configdef.Key{Name: "offsets.storage.topic", Type: configdef.TypeString, Validator: configdef.NonEmptyString(), Importance: configdef.ImportanceLow,
		Documentation: "The name of a separate offsets topic to use for this connector. " +
			"If empty or not specified, the worker’s global offsets topic name will be used. " +
			"If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector " +
			"(which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer " +
			"has been overridden from the worker's). Only applicable in distributed mode; in standalone mode, setting this property will have no effect.",
		Group: GroupOffsetsTopic, Order: 1, Width: configdef.WidthLong, DisplayName: "Offsets topic"},
)

// frameworkPrefixes are the connector properties the runtime reads under a
// prefix: transformations, predicates, converters, client overrides and
// topic creation groups.
var frameworkPrefixes = []string{"transforms.", "predicates.", "key.converter.", "value.converter.", "header.converter.",
	"producer.override.", "consumer.override.", "admin.override.", "topic.creation."}

// IsFrameworkProperty reports whether the runtime, not the connector, reads
// the connector property name.
func IsFrameworkProperty(name string) bool {
	if _, ok := SourceConnectorConfigDef.Key(name); ok {
		return true
	}
	return slices.ContainsFunc(frameworkPrefixes, func(p string) bool { return strings.HasPrefix(name, p) })
}
