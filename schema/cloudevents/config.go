package cloudevents

import (
	"fmt"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// Class is the converter's class name.
const Class = "io.debezium.converters.CloudEventsConverter"

// Properties (CloudEventsConverterConfig, Debezium 3.5), without the
// "value.converter." prefix.
const (
	SerializerTypeConfig             = "serializer.type"
	DataSerializerTypeConfig         = "data.serializer.type"
	OpenTelemetryTracingConfig       = "opentelemetry.tracing.attributes.enable"
	ExtensionAttributesEnableConfig  = "extension.attributes.enable"
	SchemaNameAdjustmentModeConfig   = "schema.name.adjustment.mode"
	SchemaCloudEventsNameConfig      = "schema.cloudevents.name"
	SchemaDataNameSourceHeaderConfig = "schema.data.name.source.header.enable"
	MetadataSourceConfig             = "metadata.source"

	// JSONPrefix and AvroPrefix prefix the properties handed to the JSON
	// and Avro converters underneath.
	JSONPrefix = "json."
	AvroPrefix = "avro."

	// apicurioURLConfig names Apicurio's registry, whose converter
	// Debezium loads instead of Confluent's when it is set.
	apicurioURLConfig = "apicurio.registry.url"
)

const metadataSourceDefault = "value,id:generate,type:generate,traceparent:header,dataSchemaName:generate"

// defineKey is ConfigDef.define(name, type, default, importance, doc) as
// CloudEventsConverterConfig calls it: no group, order -1, width NONE.
func defineKey(name string, t configdef.Type, def any, v configdef.Validator, imp configdef.Importance, doc string) configdef.Key {
	return configdef.Key{Name: name, Type: t, Default: def, Validator: v, Importance: imp, Documentation: doc,
		Order: -1, Width: configdef.WidthNone, DisplayName: name}
}

// serializerType accepts json and avro in any case (SerializerType.withName
// lower-cases the name; any other name leaves Debezium without a serializer).
var serializerType = configdef.Func("json, avro", func(name string, v any) error {
	if s, _ := v.(string); strings.EqualFold(s, "json") || strings.EqualFold(s, "avro") {
		return nil
	}
	return configdef.Invalid(name, v, "the serializer type must be json or avro")
})

// adjustmentMode accepts SchemaNameAdjustmentMode's values.
var adjustmentMode = configdef.Func("none, avro, avro_unicode", func(name string, v any) error {
	s, _ := v.(string)
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "none", "avro", "avro_unicode":
		return nil
	}
	return configdef.Invalid(name, v, "the mode must be one of none, avro, avro_unicode")
})

func converterTypeKey() configdef.Key {
	k, _ := jsonconv.ConfigDef.Key(jsonconv.ConverterTypeConfig)
	return k
}

// ConfigDef is CloudEventsConverterConfig.configDef(): ConverterConfig's
// converter.type, then the converter's properties in their order.
var ConfigDef = configdef.Define(
	converterTypeKey(),
	defineKey(SerializerTypeConfig, configdef.TypeString, "json", serializerType, configdef.ImportanceHigh,
		"Specify a serializer to serialize CloudEvents values"),
	defineKey(DataSerializerTypeConfig, configdef.TypeString, "json", serializerType, configdef.ImportanceHigh,
		"Specify a serializer to serialize the data field of CloudEvents values"),
	defineKey(OpenTelemetryTracingConfig, configdef.TypeBoolean, false, nil, configdef.ImportanceHigh,
		"Specify whether to include OpenTelemetry tracing attributes to a cloud event"),
	defineKey(ExtensionAttributesEnableConfig, configdef.TypeBoolean, true, nil, configdef.ImportanceHigh,
		"Specify whether to include extension attributes to a cloud event"),
	defineKey(SchemaNameAdjustmentModeConfig, configdef.TypeString, "avro", adjustmentMode, configdef.ImportanceLow,
		"Specify how schema names should be adjusted for compatibility with the message converter used by the connector, including:"+
			"'avro' replaces the characters that cannot be used in the Avro type name with underscore (default)"+
			"'none' does not apply any adjustment"),
	defineKey(SchemaCloudEventsNameConfig, configdef.TypeString, nil, nil, configdef.ImportanceLow,
		"Specify CloudEvents schema name under which the schema is registered in a Schema Registry"),
	defineKey(SchemaDataNameSourceHeaderConfig, configdef.TypeBoolean, false, nil, configdef.ImportanceLow,
		"Specify whether CloudEvents.data schema name can be retrieved from the header"),
	defineKey(MetadataSourceConfig, configdef.TypeList, metadataSourceDefault, nil, configdef.ImportanceHigh,
		"Specify from where to retrieve metadata"),
)

// Metadata sources (CloudEventsConverterConfig.MetadataSourceValue).
const (
	sourceValue    = "value"
	sourceHeader   = "header"
	sourceGenerate = "generate"
)

// metadataSource is CloudEventsConverterConfig.MetadataSource: where the
// global metadata and each customisable attribute come from.
type metadataSource struct {
	global, id, typ, traceParent, dataSchemaName string
}

// parseMetadataSource is CloudEventsConverterConfig.metadataSource(), word
// for word in its errors.
func parseMetadataSource(list []string, openTelemetry, dataSchemaNameFromHeader bool) (metadataSource, error) {
	parse := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		switch s {
		case sourceValue, sourceHeader, sourceGenerate:
			return s
		}
		return ""
	}
	if len(list) == 0 {
		return metadataSource{}, fmt.Errorf("Global metadata source can't be empty")
	}
	global := parse(list[0])
	if global != sourceValue && global != sourceHeader {
		return metadataSource{}, fmt.Errorf("Global metadata source can't be %s", strings.ToUpper(strings.TrimSpace(list[0])))
	}
	var id, typ, traceParent, dataSchemaName string
	for _, item := range list[1:] {
		field, src, ok := strings.Cut(item, ":")
		if !ok {
			return metadataSource{}, fmt.Errorf("Field `%s` has no source", field)
		}
		if strings.Contains(src, ":") {
			src, _, _ = strings.Cut(src, ":")
		}
		s := parse(src)
		switch s {
		case "":
			return metadataSource{}, fmt.Errorf("Field source `%s` is not valid", src)
		case sourceValue:
			return metadataSource{}, fmt.Errorf("Field metadata source can't be VALUE")
		}
		switch field {
		case "id":
			id = s
		case "type":
			typ = s
		case "traceparent":
			traceParent = s
		case "dataSchemaName":
			dataSchemaName = s
		default:
			return metadataSource{}, fmt.Errorf("Field `%s` is not allowed to set custom source", field)
		}
	}
	or := func(s string) string {
		if s == "" {
			return global
		}
		return s
	}
	m := metadataSource{global: global, id: or(id), typ: or(typ), traceParent: or(traceParent), dataSchemaName: or(dataSchemaName)}
	// traceparent and the data schema name come from a header only when
	// their features are enabled (backward compatibility in Debezium).
	if m.traceParent == sourceHeader && !openTelemetry {
		m.traceParent = sourceGenerate
	}
	if m.dataSchemaName == sourceHeader && !dataSchemaNameFromHeader {
		m.dataSchemaName = sourceGenerate
	}
	return m, nil
}

// headerFields lists what m would read from record headers.
func (m metadataSource) headerFields() []string {
	var out []string
	for _, f := range []struct{ name, src string }{
		{"the source, op and transaction of the event (global)", m.global}, {"id", m.id}, {"type", m.typ},
		{"traceparent", m.traceParent}, {"dataSchemaName", m.dataSchemaName},
	} {
		if f.src == sourceHeader {
			out = append(out, f.name)
		}
	}
	return out
}

// subset is Configuration.subset(prefix, true): the properties under
// prefix, without it.
func subset(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}
