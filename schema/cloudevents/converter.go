package cloudevents

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// ValueConverter is a converter the CloudEvents converter writes through.
type ValueConverter interface {
	FromConnect(topic string, s *schema.Schema, v any) ([]byte, error)
}

// AvroFactory builds the AvroConverter from the avro.* properties (prefix
// stripped), configured for values, and returns the registry URLs that
// dataschema names.
type AvroFactory func(props map[string]string) (conv ValueConverter, registryURLs []string, err error)

// Attribute names (CloudEventsMaker.FieldName) and Debezium's constants.
const (
	fieldID              = "id"
	fieldSource          = "source"
	fieldSpecVersion     = "specversion"
	fieldType            = "type"
	fieldTime            = "time"
	fieldDataContentType = "datacontenttype"
	fieldDataSchema      = "dataschema"
	fieldTraceParent     = "traceparent"
	fieldData            = "data"

	specVersion          = "1.0"
	schemaNameSuffix     = "CloudEvents.Envelope"
	extensionPrefix      = "iodebezium"
	txAttributePrefix    = "tx"
	dataSchemaSuffix     = "-data"
	schemaURLPath        = "/schemas/ids/"
	envelopeSchemaSuffix = ".Envelope"

	// postgresConnector is the PostgreSQL connector's source.connector,
	// the one CloudEventsProvider Tributary has.
	postgresConnector = "postgresql"
)

// Converter is CloudEventsConverter for values. It is safe for concurrent
// use.
type Converter struct {
	ceAvro, dataAvro bool
	extensions       bool
	ceSchemaName     string // schema.cloudevents.name; "" derives it
	adjust           func(string) string
	jsonSchemas      bool // json.schemas.enable, for JSON data

	ceJSON   *jsonconv.Converter // the event, schemas disabled
	dataJSON *jsonconv.Converter // JSON data
	avro     ValueConverter
	urls     string // the registry URLs, comma-separated, for dataschema

	mu     sync.Mutex
	shapes map[shapeKey]*shape
}

// shapeKey identifies the schemas derived for an envelope schema and event
// schema name.
type shapeKey struct {
	envelope *schema.Schema
	name     string
}

// shape is what is derived from an envelope schema: the data schema, the
// event schema and where the envelope's fields are.
type shape struct {
	data   *schema.Schema // io.debezium.connector.postgresql.Data
	event  *schema.Schema // the CloudEvent
	source *schema.Schema // the envelope's source schema
}

// maxShapes bounds the derived-schema cache; beyond it the cache starts
// over (a connector has as many envelope schemas as tables and schema
// versions).
const maxShapes = 4096

// New builds the converter from its properties (prefix "value.converter."
// stripped). avro builds the AvroConverter when an Avro serializer is
// configured. Problems are errors naming the property.
func New(props map[string]string, isKey bool, avro AvroFactory) (*Converter, error) {
	// configure() parses with converter.type=value whatever the use.
	p := maps.Clone(props)
	if p == nil {
		p = map[string]string{}
	}
	p[jsonconv.ConverterTypeConfig] = "value"
	v, errs := ConfigDef.Parse(p)
	if len(errs) > 0 {
		return nil, &configdef.Exception{Message: errs[0].Message}
	}
	c := &Converter{
		ceAvro:       strings.EqualFold(v.String(SerializerTypeConfig), "avro"),
		dataAvro:     strings.EqualFold(v.String(DataSerializerTypeConfig), "avro"),
		extensions:   v.Bool(ExtensionAttributesEnableConfig),
		ceSchemaName: v.String(SchemaCloudEventsNameConfig),
		adjust:       adjuster(strings.ToLower(strings.TrimSpace(v.String(SchemaNameAdjustmentModeConfig)))),
		shapes:       map[shapeKey]*shape{},
	}
	openTelemetry := v.Bool(OpenTelemetryTracingConfig)
	ms, err := parseMetadataSource(v.List(MetadataSourceConfig), openTelemetry, v.Bool(SchemaDataNameSourceHeaderConfig))
	if err != nil {
		return nil, &configdef.Exception{Message: fmt.Sprintf("Invalid value %s for configuration %s: %v",
			strings.Join(v.List(MetadataSourceConfig), ","), MetadataSourceConfig, err)}
	}
	if fields := ms.headerFields(); len(fields) > 0 {
		name := MetadataSourceConfig
		if len(fields) == 1 && fields[0] == fieldTraceParent && openTelemetry {
			name = OpenTelemetryTracingConfig
		}
		return nil, &configdef.Exception{Message: fmt.Sprintf("Invalid value for configuration %s: reading %s from record headers is not supported: "+
			"Debezium reads those headers as JsonConverter writes them, and Tributary writes headers with SimpleHeaderConverter", name, strings.Join(fields, ", "))}
	}
	if openTelemetry {
		return nil, &configdef.Exception{Message: fmt.Sprintf("Invalid value true for configuration %s: "+
			"Value for `traceparent` CloudEvents field currently can't be obtained from a record value and can only be obtained from a record header", OpenTelemetryTracingConfig)}
	}

	jsonProps := subset(props, JSONPrefix)
	if !c.ceAvro {
		ce := maps.Clone(jsonProps)
		ce[jsonconv.SchemasEnableConfig] = "false"
		ce[jsonconv.ConverterTypeConfig] = map[bool]string{true: "key", false: "value"}[isKey]
		if c.ceJSON, err = jsonconv.New(ce, isKey); err != nil {
			return nil, fmt.Errorf("configuring the CloudEvents JSON converter (%s*): %w", JSONPrefix, err)
		}
	} else if !c.dataAvro {
		return nil, &configdef.Exception{Message: "Cannot use 'application/json' data content type within Avro events"}
	}
	if !c.dataAvro {
		if c.dataJSON, err = jsonconv.New(jsonProps, true); err != nil {
			return nil, fmt.Errorf("configuring the CloudEvents data JSON converter (%s*): %w", JSONPrefix, err)
		}
		c.jsonSchemas = c.dataJSON.SchemasEnabled()
	}
	if c.ceAvro || c.dataAvro {
		avroProps := subset(props, AvroPrefix)
		if _, ok := avroProps[apicurioURLConfig]; ok {
			return nil, &configdef.Exception{Message: fmt.Sprintf("Invalid value for configuration %s%s: Apicurio's AvroConverter is not supported; use %sschema.registry.url (Confluent's)",
				AvroPrefix, apicurioURLConfig, AvroPrefix)}
		}
		if avro == nil {
			return nil, errors.New("configuring CloudEventsConverter: no Avro converter available")
		}
		conv, urls, err := avro(avroProps)
		if err != nil {
			return nil, fmt.Errorf("configuring the CloudEvents Avro converter (%s*): %w", AvroPrefix, err)
		}
		c.avro, c.urls = conv, strings.Join(urls, ",")
	}
	return c, nil
}

// FromConnect is CloudEventsConverter.fromConnectData: a Debezium envelope
// becomes a CloudEvent; a null stays null and any other record becomes a
// Kafka null.
func (c *Converter) FromConnect(topic string, s *schema.Schema, v any) ([]byte, error) {
	if s == nil || v == nil {
		return nil, nil
	}
	if s.Name == "" {
		return nil, fmt.Errorf("CloudEventsConverter: the value schema of topic %s has no name, so it cannot be told apart from a Debezium envelope", topic)
	}
	if !strings.HasSuffix(s.Name, envelopeSchemaSuffix) {
		// Non-data messages (transaction metadata, heartbeats, …).
		return nil, nil
	}
	if s.Type != schema.TypeStruct {
		return nil, errors.New("Mismatching schema")
	}
	record, ok := v.(*schema.Struct)
	if !ok {
		return nil, fmt.Errorf("Only Struct objects supported for [CloudEvents converter], found: %T", v)
	}
	source, _ := get(record, "source").(*schema.Struct)
	if source == nil {
		return nil, fmt.Errorf("CloudEventsConverter: the envelope on topic %s has no source", topic)
	}
	connector, _ := get(source, "connector").(string)
	if connector != postgresConnector {
		return nil, fmt.Errorf("No usable CloudEvents converters for connector type \"%s\"", connector)
	}
	m := maker{record: record, source: source, connector: connector}
	name := c.ceSchemaName
	if name == "" {
		name = fmt.Sprint(m.field("name")) + "." + fmt.Sprint(m.field("db")) + "." + schemaNameSuffix
	}
	sh, err := c.shape(s, source.Schema, c.adjust(name))
	if err != nil {
		return nil, err
	}
	data := schema.NewStruct(sh.data)
	for _, f := range sh.data.Fields {
		data.Values[f.Index] = get(record, f.Name)
	}

	switch {
	case !c.ceAvro && !c.dataAvro && c.jsonSchemas:
		// JSON with a schema'd JSON data: the event is written with an
		// empty data struct, whose "{}" is then replaced by the data's
		// schema and payload, so that the event itself has no schema.
		event, err := c.event(sh, m, schema.NewStruct(emptyStruct), "")
		if err != nil {
			return nil, err
		}
		dataJSON, err := c.dataJSON.FromConnect(topic, sh.data, data)
		if err != nil {
			return nil, err
		}
		eventJSON, err := c.ceJSON.FromConnect(topic, sh.event, event)
		if err != nil {
			return nil, err
		}
		if !strings.HasSuffix(string(eventJSON), "{}}") {
			return nil, fmt.Errorf("CloudEventsConverter: unexpected event JSON ending %q", eventJSON[max(0, len(eventJSON)-8):])
		}
		out := make([]byte, 0, len(eventJSON)+len(dataJSON)-2)
		out = append(out, eventJSON[:len(eventJSON)-3]...)
		out = append(out, dataJSON...)
		return append(out, '}'), nil
	case !c.ceAvro && !c.dataAvro:
		event, err := c.event(sh, m, data, "")
		if err != nil {
			return nil, err
		}
		return c.ceJSON.FromConnect(topic, sh.event, event)
	}

	// Avro data: registered under the topic, or "<topic>-data" when the
	// event is Avro too (to keep the two schemas apart).
	dataTopic := topic
	if c.ceAvro {
		dataTopic = topic + dataSchemaSuffix
	}
	dataAvro, err := c.avro.FromConnect(dataTopic, sh.data, data)
	if err != nil {
		return nil, err
	}
	if len(dataAvro) < 5 {
		return nil, fmt.Errorf("CloudEventsConverter: the Avro data of topic %s has no schema id", topic)
	}
	id := int32(binary.BigEndian.Uint32(dataAvro[1:5]))
	uri := c.urls + schemaURLPath + strconv.Itoa(int(id))
	event, err := c.event(sh, m, dataAvro, uri)
	if err != nil {
		return nil, err
	}
	if c.ceAvro {
		return c.avro.FromConnect(topic, sh.event, event)
	}
	return c.ceJSON.FromConnect(topic, sh.event, event)
}

// emptyStruct is the placeholder data schema of JSON events whose data is
// schema'd JSON (SchemaBuilder.struct()).
var emptyStruct = schema.StructOf("", false)

// shape returns the cached schemas derived from the envelope schema env.
func (c *Converter) shape(env, source *schema.Schema, eventName string) (*shape, error) {
	key := shapeKey{envelope: env, name: eventName}
	c.mu.Lock()
	defer c.mu.Unlock()
	if sh, ok := c.shapes[key]; ok && sh.source == source {
		return sh, nil
	}
	sh, err := c.derive(env, source, eventName)
	if err != nil {
		return nil, err
	}
	if len(c.shapes) >= maxShapes {
		clear(c.shapes)
	}
	c.shapes[key] = sh
	return sh, nil
}

// derive builds the data schema (RecordAndMetadataBaseImpl.dataSchema with
// PostgresCloudEventsMaker's data fields before and after) and the event
// schema (convertToCloudEventsFormat).
func (c *Converter) derive(env, source *schema.Schema, eventName string) (*shape, error) {
	var dataFields []schema.Field
	for _, name := range []string{"before", "after"} {
		f := env.Field(name)
		if f == nil {
			return nil, fmt.Errorf("CloudEventsConverter: the envelope %s has no field %s", env.Name, name)
		}
		dataFields = append(dataFields, schema.NewField(name, f.Schema))
	}
	data := schema.StructOf("io.debezium.connector."+postgresConnector+".Data", false, dataFields...)

	build := func(dataSchema *schema.Schema, withDataSchema bool) (*schema.Schema, error) {
		fields := []schema.Field{
			schema.NewField(fieldID, schema.StringSchema),
			schema.NewField(fieldSource, schema.StringSchema),
			schema.NewField(fieldSpecVersion, schema.StringSchema),
			schema.NewField(fieldType, schema.StringSchema),
			schema.NewField(fieldTime, schema.StringSchema),
			schema.NewField(fieldDataContentType, schema.StringSchema),
		}
		if withDataSchema {
			fields = append(fields, schema.NewField(fieldDataSchema, schema.StringSchema))
		}
		if c.extensions {
			fields = append(fields, schema.NewField(extensionName("op"), schema.StringSchema))
			for _, f := range source.Fields {
				ext, err := extensionSchema(f.Schema, false)
				if err != nil {
					return nil, err
				}
				fields = append(fields, schema.NewField(extensionName(f.Name), ext))
			}
			for _, f := range txBlockFields {
				ext, _ := extensionSchema(f.Schema, true)
				fields = append(fields, schema.NewField(extensionName(txAttributePrefix+f.Name), ext))
			}
		}
		fields = append(fields, schema.NewField(fieldData, dataSchema))
		return schema.StructOf(eventName, false, fields...), nil
	}
	var event *schema.Schema
	var err error
	switch {
	case c.dataAvro:
		event, err = build(schema.BytesSchema, true)
	case c.jsonSchemas:
		event, err = build(emptyStruct, false)
	default:
		event, err = build(data, false)
	}
	if err != nil {
		return nil, err
	}
	return &shape{data: data, event: event, source: source}, nil
}

// txBlockFields are TransactionMonitor.TRANSACTION_BLOCK_SCHEMA's fields.
var txBlockFields = []schema.Field{
	schema.NewField("id", schema.StringSchema),
	schema.NewField("total_order", schema.Int64Schema),
	schema.NewField("data_collection_order", schema.Int64Schema),
}

// extensionSchema is convertToCeExtensionSchema: booleans stay, integers up
// to int32 become int32, int64 and strings become strings.
func extensionSchema(s *schema.Schema, alwaysOptional bool) (*schema.Schema, error) {
	optional := alwaysOptional || s.Optional
	switch s.Type {
	case schema.TypeBoolean:
		return pick(optional, schema.OptionalBooleanSchema, schema.BooleanSchema), nil
	case schema.TypeInt8, schema.TypeInt16, schema.TypeInt32:
		return pick(optional, schema.OptionalInt32Schema, schema.Int32Schema), nil
	case schema.TypeString, schema.TypeInt64:
		return pick(optional, schema.OptionalStringSchema, schema.StringSchema), nil
	}
	return nil, fmt.Errorf("Source field of type %s cannot be converted into CloudEvents extension attribute.", strings.ToUpper(s.Type.String()))
}

func pick(optional bool, opt, req *schema.Schema) *schema.Schema {
	if optional {
		return opt
	}
	return req
}

// extensionName is adjustExtensionName: "iodebezium" and the name's ASCII
// letters and digits.
func extensionName(name string) string {
	b := []byte(extensionPrefix)
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' {
			b = append(b, ch)
		}
	}
	return string(b)
}

// event is convertToCloudEventsFormat's value.
func (c *Converter) event(sh *shape, m maker, data any, dataSchemaURI string) (*schema.Struct, error) {
	ev := schema.NewStruct(sh.event)
	t, err := m.time()
	if err != nil {
		return nil, err
	}
	ev.Set(fieldID, m.id()).
		Set(fieldSource, "/debezium/"+m.connector+"/"+fmt.Sprint(get(m.source, "name"))).
		Set(fieldSpecVersion, specVersion).
		Set(fieldType, "io.debezium.connector."+m.connector+".DataChangeEvent").
		Set(fieldTime, t).
		Set(fieldDataContentType, map[bool]string{true: "application/avro", false: "application/json"}[c.dataAvro])
	if dataSchemaURI != "" {
		ev.Set(fieldDataSchema, dataSchemaURI)
	}
	if c.extensions {
		op, _ := get(m.record, "op").(string)
		ev.Set(extensionName("op"), op)
		for _, f := range m.source.Schema.Fields {
			ev.Set(extensionName(f.Name), extensionValue(f.Schema, get(m.source, f.Name)))
		}
		if tx, _ := get(m.record, "transaction").(*schema.Struct); tx != nil {
			for _, f := range txBlockFields {
				ev.Set(extensionName(txAttributePrefix+f.Name), extensionValue(f.Schema, get(tx, f.Name)))
			}
		}
	}
	ev.Set(fieldData, data)
	return ev, nil
}

// extensionValue is ceValueFromStruct's conversion: int64 values as their
// decimal text, smaller integers as int32.
func extensionValue(s *schema.Schema, v any) any {
	switch x := v.(type) {
	case int64:
		if s.Type == schema.TypeInt64 {
			return strconv.FormatInt(x, 10)
		}
	case int8:
		return int32(x)
	case int16:
		return int32(x)
	}
	return v
}

// get is Struct.get(name): the field's value, or its default when null;
// nil for a field the struct does not have.
func get(st *schema.Struct, name string) any {
	f := st.Schema.Field(name)
	if f == nil {
		return nil
	}
	v := st.Values[f.Index]
	if v == nil && f.Schema.HasDefault {
		return f.Schema.Default
	}
	return v
}

// maker is PostgresCloudEventsMaker over one record.
type maker struct {
	record, source *schema.Struct
	connector      string
}

// field is CloudEventsMaker.sourceField: one of the common source fields
// or the PostgreSQL ones, as Java's string concatenation prints it.
func (m maker) field(name string) any {
	return get(m.source, name)
}

func javaString(v any) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(v)
}

// id is PostgresCloudEventsMaker.ceId.
func (m maker) id() string {
	return "name:" + javaString(m.field("name")) + ";lsn:" + javaString(m.field("lsn")) +
		";txId:" + javaString(m.field("txId")) + ";sequence:" + javaString(m.field("sequence"))
}

// time is CloudEventsMaker.ceTime: source.ts_ms as
// yyyy-MM-dd'T'HH:mm:ss.SSSXXX in UTC.
func (m maker) time() (string, error) {
	ms, ok := m.field("ts_ms").(int64)
	if !ok {
		return "", fmt.Errorf("CloudEventsConverter: the source has no ts_ms")
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00"), nil
}
