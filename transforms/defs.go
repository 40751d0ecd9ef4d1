package transforms

import (
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect/javaregex"
)

// The ConfigDefs of the transformations and predicates (their config()):
// one declaration each, from which their constructors parse and the
// runtime validates and lists them.

// kafkaKey is ConfigDef.define(name, type, default, validator, importance,
// doc) as Kafka's SMTs call it: no group, order -1, width NONE, the name as
// display name.
func kafkaKey(name string, t configdef.Type, def any, v configdef.Validator, imp configdef.Importance, doc string) configdef.Key {
	return configdef.Key{Name: name, Type: t, Default: def, Validator: v, Importance: imp, Documentation: doc,
		Order: -1, Width: configdef.WidthNone, DisplayName: name}
}

// debeziumKey is a Debezium Field as Field.group(config, null, …) turns it
// into a ConfigKey (no group, order 1).
func debeziumKey(name string, t configdef.Type, def any, v configdef.Validator, imp configdef.Importance, w configdef.Width, display, doc string) configdef.Key {
	return configdef.Key{Name: name, Type: t, Default: def, Validator: v, Importance: imp, Documentation: doc,
		Order: 1, Width: w, DisplayName: display}
}

const (
	high   = configdef.ImportanceHigh
	medium = configdef.ImportanceMedium
	low    = configdef.ImportanceLow
)

const replaceNullDoc = "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used."

const optionalityDoc = "Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default)."

// FilterDef is Filter.CONFIG_DEF, RecordIsTombstone's too: no properties.
var FilterDef = configdef.Define()

// InsertFieldDef is InsertField.CONFIG_DEF.
var InsertFieldDef = configdef.Define(
	kafkaKey(propTopicField, configdef.TypeString, nil, nil, medium, "Field name for Kafka topic. "+optionalityDoc),
	kafkaKey(propPartitionField, configdef.TypeString, nil, nil, medium, "Field name for Kafka partition. "+optionalityDoc),
	kafkaKey(propOffsetField, configdef.TypeString, nil, nil, medium, "Field name for Kafka offset - only applicable to sink connectors.<br/>"+optionalityDoc),
	kafkaKey(propTimestampField, configdef.TypeString, nil, nil, medium, "Field name for record timestamp. "+optionalityDoc),
	kafkaKey(propStaticField, configdef.TypeString, nil, nil, medium, "Field name for static data field. "+optionalityDoc),
	kafkaKey(propStaticValue, configdef.TypeString, nil, nil, medium, "Static field value, if field name configured."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)

// ReplaceFieldDef is ReplaceField.CONFIG_DEF; renames is checked as
// parseRenameMappings checks it.
var ReplaceFieldDef = configdef.Define(
	kafkaKey(propExclude, configdef.TypeList, []string{}, nil, medium, "Fields to exclude. This takes precedence over the fields to include."),
	kafkaKey(propInclude, configdef.TypeList, []string{}, nil, medium, "Fields to include. If specified, only these fields will be used."),
	kafkaKey(propRenames, configdef.TypeList, []string{}, configdef.Func("list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
		func(name string, v any) error {
			mappings, _ := v.([]string)
			for _, m := range mappings {
				// String.split(":") drops trailing empty parts, so "a:b:"
				// is a valid mapping and "a:" is not.
				if len(javaSplit(m, ":")) != 2 {
					return configdef.Invalid(name, v, "Invalid rename mapping: "+m)
				}
			}
			return nil
		}), medium, "Field rename mappings."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)

// nonEmptyList is Kafka's NonEmptyListValidator.
var nonEmptyList = configdef.Func("non-empty list", func(name string, v any) error {
	if l, _ := v.([]string); len(l) == 0 {
		return configdef.Invalid(name, v, "Empty list")
	}
	return nil
})

// ValueToKeyDef is ValueToKey.CONFIG_DEF.
var ValueToKeyDef = configdef.Define(
	kafkaKey(propFields, configdef.TypeList, configdef.NoDefault, nonEmptyList, high, "Field names on the record value to extract as the record key."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)

// ExtractFieldDef is ExtractField.CONFIG_DEF with
// FieldSyntaxVersion.appendConfigTo.
var ExtractFieldDef = configdef.Define(
	kafkaKey(propField, configdef.TypeString, configdef.NoDefault, nil, medium, "Field name to extract."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
	kafkaKey(propFieldSyntaxVersion, configdef.TypeString, "V1", configdef.InIgnoreCase("V1", "V2"), high,
		"Defines the version of the syntax to access fields. "+
			"If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. "+
			"If set to `V2`, the syntax will support accessing nested elements. "+
			"To access nested elements, dotted notation is used. "+
			"If dots are already included in the field name, "+
			"then backtick pairs can be used to wrap field names containing dots. "+
			"E.g. to access the subfield `baz` from a field named \"foo.bar\" in a struct/map "+
			"the following format can be used to access its elements: \"`foo.bar`.baz\"."),
)

// TimestampRouterDef is TimestampRouter.CONFIG_DEF.
var TimestampRouterDef = configdef.Define(
	kafkaKey(propTopicFormat, configdef.TypeString, "${topic}-${timestamp}", nil, high,
		"Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively."),
	// Kafka builds the SimpleDateFormat at the first record, failing the
	// task there on a bad pattern; the error depends on the pattern alone,
	// so it is given when the transform is configured.
	kafkaKey(propTimestampFormat, configdef.TypeString, "yyyyMMdd", configdef.Func("", func(name string, v any) error {
		s, _ := v.(string)
		if _, err := compileDateFormat(s); err != nil {
			return configdef.Invalid(name, v, err.Error())
		}
		return nil
	}), high,
		"Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>."),
)

// javaRegex is Kafka's RegexValidator for the patterns RE2 can run; its
// message is Tributary's explanation of what it cannot.
func javaRegex(prefix string) configdef.Validator {
	return configdef.Func("valid regex", func(name string, v any) error {
		s, _ := v.(string)
		if _, _, err := javaregex.Compile(s); err != nil {
			return configdef.Invalid(name, v, prefix+err.Error())
		}
		return nil
	})
}

// RegexRouterDef is RegexRouter.CONFIG_DEF.
var RegexRouterDef = configdef.Define(
	kafkaKey("regex", configdef.TypeString, configdef.NoDefault, javaRegex(""), high, "Regular expression to use for matching."),
	kafkaKey("replacement", configdef.TypeString, configdef.NoDefault, nil, high, "Replacement string."),
)

// TopicNameMatchesDef is TopicNameMatches.CONFIG_DEF.
var TopicNameMatchesDef = configdef.Define(
	kafkaKey("pattern", configdef.TypeString, configdef.NoDefault, configdef.All(configdef.NonEmptyString(), javaRegex("Invalid regex: ")), medium,
		"A Java regular expression for matching against the name of a record's topic."),
)

// HasHeaderKeyDef is HasHeaderKey.CONFIG_DEF.
var HasHeaderKeyDef = configdef.Define(
	kafkaKey("name", configdef.TypeString, configdef.NoDefault, configdef.NonEmptyString(), medium, "The header name."),
)

// oneOfLower accepts the given values in any case, trimmed, with
// Debezium's wording.
func oneOfLower(desc, message string, values ...string) configdef.Validator {
	return configdef.Func(desc, func(name string, v any) error {
		s, _ := v.(string)
		for _, ok := range values {
			if strings.EqualFold(s, ok) {
				return nil
			}
		}
		return configdef.Invalid(name, v, message)
	})
}

// refuseSet refuses a value other than the default of a property whose
// feature Tributary does not implement.
func refuseSet(message string) configdef.Validator {
	return configdef.Func("", func(name string, v any) error {
		if v == true || (v != nil && v != false && v != "") {
			return configdef.Invalid(name, v, message)
		}
		return nil
	})
}

// refuseAny refuses every value of a property whose feature Tributary does
// not implement.
func refuseAny(message string) configdef.Validator {
	return configdef.Func("", func(name string, v any) error {
		if v != nil {
			return configdef.Invalid(name, v, message)
		}
		return nil
	})
}

const addFieldsDoc = "Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). " +
	"Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. " +
	"Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP." +
	"Please note that the new field name is case-sensitive."

// ExtractNewRecordStateDef is ExtractNewRecordState.config() (Debezium 3.5,
// ExtractNewRecordStateConfigDefinition and ExtractNewRecordState), with
// replace.null.with.default, which Debezium reads but does not list.
var ExtractNewRecordStateDef = configdef.Define(
	debeziumKey(propDeleteTombstoneMode, configdef.TypeString, "tombstone",
		oneOfLower("drop, tombstone, rewrite, rewrite-with-tombstone, delete-to-tombstone",
			"The value must be one of drop, tombstone, rewrite, rewrite-with-tombstone, delete-to-tombstone",
			"drop", "tombstone", "rewrite", "rewrite-with-tombstone", "delete-to-tombstone"),
		medium, configdef.WidthMedium, "Handle delete and tombstone records",
		"How to handle delete records. Options are: "+
			"drop - Remove the delete event and tombstone from the stream."+
			"tombstone (default) - For each delete event, leave only a tombstone in the stream."+
			"rewrite - Remove tombstone from the record, and add a `__deleted` field with the value `true`."+
			"rewrite-with-tombstone - Retain tombstone in record and add a `__deleted` field with the value `true`."+
			"delete-to-tombstone - Convert delete events to tombstone events and drop tombstone events."),
	debeziumKey(propRouteByField, configdef.TypeString, "", nil, low, configdef.WidthLong, "Route by field name",
		"The column which determines how the events will be routed, the value will replace the topic name."),
	debeziumKey(propAddFieldsPrefix, configdef.TypeString, defaultPrefix, nil, low, configdef.WidthShort, "Field prefix to be added to each field.",
		"Adds this prefix to each field listed."),
	debeziumKey(propAddFields, configdef.TypeList, "", nil, low, configdef.WidthLong, "Adds the specified field(s) to the message if they exist.", addFieldsDoc),
	debeziumKey(propAddHeadersPrefix, configdef.TypeString, defaultPrefix, nil, low, configdef.WidthShort, "Header prefix to be added to each header.",
		"Adds this prefix listed to each header."),
	debeziumKey(propAddHeaders, configdef.TypeList, "", nil, low, configdef.WidthLong, "Adds the specified fields to the header if they exist.",
		"Adds each field listed to the header,  __ (or __<struct>_ if the struct is specified). "+
			"Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields. "+
			"Optionally one can also map new field name like version:VERSION,connector:CONNECTOR,source.ts_ms:EVENT_TIMESTAMP."+
			"Please note that the new field name is case-sensitive."),
	debeziumKey(propDropFieldsHeader, configdef.TypeString, nil, refuseSet("dropping fields named by a header is not supported by Tributary"),
		low, configdef.WidthShort, "Specifies a header that contains a list of field names to be removed",
		"Specifies the name of a header that contains a list of fields to be removed from the event value."),
	debeziumKey(propDropFieldsFromKey, configdef.TypeBoolean, false, nil, low, configdef.WidthShort,
		"Specifies whether the fields to be dropped should also be omitted from the key",
		"Specifies whether to apply the drop fields behavior to the event key as well as the value. "+
			"Default behavior is to only remove fields from the event value, not the key."),
	debeziumKey(propDropFieldsKeepCompat, configdef.TypeBoolean, true, nil, low, configdef.WidthShort,
		"Specifies if fields are dropped, will the event's schemas be compatible",
		"Controls the output event's schema compatibility when using the drop fields feature. "+
			"`true`: dropped fields are removed if the schema indicates its optional leaving the schemas unchanged, "+
			"`false`: dropped fields are removed from the key/value schemas, regardless of optionality."),
	debeziumKey(propReplaceNull, configdef.TypeBoolean, true, nil, low, configdef.WidthShort, "replace null field value with default",
		"When this option is enabled, null field values are replaced by source-defined defaults when rewriting the record."),
)

// eventRouterKey is a Debezium Field of EventRouterConfigDefinition as
// Field.group(config, group, …) defines it: order = position in the group.
func eventRouterKey(group string, order int, name string, t configdef.Type, def any, v configdef.Validator, imp configdef.Importance, display, doc string) configdef.Key {
	return configdef.Key{Name: name, Type: t, Default: def, Validator: v, Importance: imp, Documentation: doc,
		Group: group, Order: order, Width: configdef.WidthMedium, DisplayName: display}
}

// EventRouterDef is EventRouterConfigDefinition.configDef() (Debezium 3.5)
// as Tributary reads it: the Table, Router and Tracing groups, the tracing
// properties and table.expand.json.payload=true refused.
var EventRouterDef = configdef.Define(
	eventRouterKey("Table", 1, propOutboxEventID, configdef.TypeString, "id", nil, low, "Event ID Field",
		"The column which contains the event ID within the outbox table"),
	eventRouterKey("Table", 2, propOutboxEventKey, configdef.TypeString, "aggregateid", nil, low, "Event Key Field",
		"The column which contains the event key within the outbox table"),
	eventRouterKey("Table", 3, propOutboxEventType, configdef.TypeString, "type", nil, low, "Event Type Field",
		"The column which contains the event type within the outbox table"),
	eventRouterKey("Table", 4, propOutboxPayload, configdef.TypeString, "payload", nil, low, "Event Payload Field",
		"The column which contains the event payload within the outbox table"),
	eventRouterKey("Table", 5, propOutboxTimestamp, configdef.TypeString, nil, nil, medium, "Event Timestamp Field",
		"Optionally you can override the Kafka message timestamp with a value from a chosen column, otherwise it'll be the Debezium event processed timestamp."),
	eventRouterKey("Table", 6, propOutboxAdditional, configdef.TypeString, nil, configdef.Func("", func(name string, v any) error {
		if s, ok := v.(string); ok {
			if _, err := parseOutboxFields(s); err != nil {
				return configdef.Invalid(name, v, err.Error())
			}
		}
		return nil
	}), high, "Settings for each additional column in the outbox table",
		"Extra fields can be added as part of the event envelope or a message header, format is a list of colon-delimited pairs or trios when you desire to have aliases, e.g. <code>id:header,field_name:envelope:alias,field_name:partition</code> "),
	eventRouterKey("Table", 7, propOutboxErrorOnMissing, configdef.TypeBoolean, true, nil, medium, "Behavior when an additional field is missing in the change data",
		"When transforming the 'table.fields.additional.placement' fields, defines the behavior when one of the configured fields is missing in the change data: true (default) will throw an exception; false will silently skip the missing field."),
	eventRouterKey("Table", 8, propOutboxSchemaVersion, configdef.TypeString, nil, nil, low, "Event Schema Version Field",
		"The column which contains the event schema version within the outbox table"),
	eventRouterKey("Table", 9, propOutboxInvalidOp, configdef.TypeString, "warn",
		oneOfLower("warn, error, fatal", "Value must be one of warn, error, fatal", "warn", "error", "fatal"), medium,
		"Behavior when capturing an unexpected outbox event",
		"While Debezium is capturing changes from the outbox table, it is expecting only to process 'create' or 'delete' row events; in case something else is processed this transform can log it as warning, error or stop the process."),
	eventRouterKey("Table", 10, propOutboxExpandJSON, configdef.TypeBoolean, false,
		refuseSet("expanding JSON payloads into structs is not supported by Tributary"), medium, "Expand Payload escaped string as real JSON",
		"Whether or not to try unescaping a JSON string and make it real JSON. It will infer schema information from payload and update the record schema accordingly. If content is not JSON, it just produces a warning and emits the record unchanged"),
	eventRouterKey("Table", 11, propOutboxJSONNullBehavior, configdef.TypeString, "ignore",
		oneOfLower("ignore, optional_bytes", "Value must be one of ignore, optional_bytes", "ignore", "optional_bytes"), medium,
		"Behavior when json payload including null value",
		"Behavior when json payload including null value, the default will ignore null, optional_bytes will keep the null value, and treat null as optional bytes of connect."),
	eventRouterKey("Router", 1, propRouteByField, configdef.TypeString, "aggregatetype", nil, high, "Field to route events by",
		"The column which determines how the events will be routed, the value will become part of the topic name"),
	eventRouterKey("Router", 2, propOutboxTopicRegex, configdef.TypeString, "(?<routedByValue>.*)", javaRegex(""), low, "The name of the routed topic",
		"The default regex to use within the RegexRouter, the default capture will allow to replace the routed field into a new topic name defined in 'route.topic.replacement'"),
	eventRouterKey("Router", 3, propOutboxTopicReplacement, configdef.TypeString, "outbox.event.${routedByValue}", nil, high, "The name of the routed topic",
		"The name of the topic in which the events will be routed, a replacement '${routedByValue}' is available which is the value of The column configured via 'route.by.field'"),
	eventRouterKey("Router", 4, propOutboxTombstoneOnEmpty, configdef.TypeBoolean, false, nil, high, "Empty payloads cause a tombstone message",
		"Whether or not an empty payload should cause a tombstone event."),
	// Tracing (ActivateTracingSpan): refused when set, whatever the value.
	eventRouterKey("Tracing", 1, "tracing.span.context.field", configdef.TypeString, nil, refuseAny("tracing is not supported by Tributary"), high,
		"Serialized tracing span context field", "The name of the field containing java.util.Properties representation of serialized span context. Defaults to 'tracingspancontext'"),
	eventRouterKey("Tracing", 2, "tracing.operation.name", configdef.TypeString, nil, refuseAny("tracing is not supported by Tributary"), high,
		"Tracing operation name", "The operation name representing Debezium processing span. Default is 'debezium-read'"),
	eventRouterKey("Tracing", 3, "tracing.with.context.field.only", configdef.TypeBoolean, nil, refuseAny("tracing is not supported by Tributary"), high,
		"Trace only events with context field present", "Set to `true` when only events that have serialized context field should be traced."),
)

// FlattenDef is Flatten.CONFIG_DEF.
var FlattenDef = configdef.Define(
	kafkaKey(propDelimiter, configdef.TypeString, ".", nil, medium,
		"Delimiter to insert between field names from the input record when generating field names for the output record"),
)

// CastDef is Cast.CONFIG_DEF; spec is checked as parseFieldTypes checks it.
var CastDef = configdef.Define(
	kafkaKey(propSpec, configdef.TypeList, configdef.NoDefault, configdef.Func("list of colon-delimited pairs, e.g. <code>foo:bar,abc:xyz</code>",
		func(name string, v any) error {
			l, _ := v.([]string)
			if len(l) == 0 {
				return &configdef.Exception{Message: "Must specify at least one field to cast."}
			}
			_, err := parseCastSpec(name, l)
			return err
		}), high,
		"List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of "+
			"Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, "+
			"int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)

// TimestampConverterDef is TimestampConverter.CONFIG_DEF.
var TimestampConverterDef = configdef.Define(
	kafkaKey(propField, configdef.TypeString, "", nil, high,
		"The field containing the timestamp, or empty if the entire value is a timestamp"),
	kafkaKey(propTargetType, configdef.TypeString, configdef.NoDefault,
		configdef.In(tsTypeString, tsTypeUnix, tsTypeDate, tsTypeTime, tsTypeTimestamp), high,
		"The desired timestamp representation: string, unix, Date, Time, or Timestamp"),
	kafkaKey(propFormat, configdef.TypeString, "", nil, medium,
		"A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string "+
			"or used to parse the input if the input is a string."),
	kafkaKey(propUnixPrecision, configdef.TypeString, unixMillis,
		configdef.In(unixNanos, unixMicros, unixMillis, unixSeconds), low,
		"The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. "+
			"Used to generate the output when type=unix or used to parse the input if the input is a Long."+
			"Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)

// MaskFieldDef is MaskField.CONFIG_DEF.
var MaskFieldDef = configdef.Define(
	kafkaKey(propFields, configdef.TypeList, configdef.NoDefault, nonEmptyList, high, "Names of fields to mask."),
	kafkaKey(propReplacement, configdef.TypeString, nil, configdef.NonEmptyString(), low,
		"Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only)."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)

// HoistFieldDef is HoistField.CONFIG_DEF.
var HoistFieldDef = configdef.Define(
	kafkaKey(propField, configdef.TypeString, configdef.NoDefault, nil, medium,
		"Field name for the single field that will be created in the resulting Struct or Map."),
)

// HeaderFromDef is HeaderFrom.CONFIG_DEF.
var HeaderFromDef = configdef.Define(
	kafkaKey(propFields, configdef.TypeList, configdef.NoDefault, nonEmptyList, high,
		"Field names in the record whose values are to be copied or moved to headers."),
	kafkaKey(propHeaders, configdef.TypeList, configdef.NoDefault, nonEmptyList, high,
		"Header names, in the same order as the field names listed in the fields configuration property."),
	kafkaKey(propOperation, configdef.TypeString, configdef.NoDefault, configdef.In(opMove, opCopy), high,
		"Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), "+
			"or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value)."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)

// nonNull is ConfigDef.NonNullValidator.
var nonNull = configdef.Func("non-null string", func(name string, v any) error {
	if v == nil {
		return configdef.Invalid(name, v, "entry must be non null")
	}
	return nil
})

// InsertHeaderDef is InsertHeader.CONFIG_DEF.
var InsertHeaderDef = configdef.Define(
	kafkaKey(propHeader, configdef.TypeString, configdef.NoDefault, nonNull, high, "The name of the header."),
	kafkaKey(propValueLiteral, configdef.TypeString, configdef.NoDefault, nonNull, high,
		"The literal value that is to be set as the header value on all records."),
)

// DropHeadersDef is DropHeaders.CONFIG_DEF.
var DropHeadersDef = configdef.Define(
	kafkaKey(propHeaders, configdef.TypeList, configdef.NoDefault, nonEmptyList, high, "The name of the headers to be removed."),
)

// SetSchemaMetadataDef is SetSchemaMetadata.CONFIG_DEF.
var SetSchemaMetadataDef = configdef.Define(
	kafkaKey(propSchemaName, configdef.TypeString, nil, nil, high, "Schema name to set."),
	kafkaKey(propSchemaVersion, configdef.TypeInt, nil, nil, high, "Schema version to set."),
	kafkaKey(propReplaceNullWithDefault, configdef.TypeBoolean, true, nil, medium, replaceNullDoc),
)
