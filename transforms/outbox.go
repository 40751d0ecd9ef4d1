package transforms

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/javaregex"
	"github.com/tributary-cdc/tributary/schema"
)

// EventRouterClass is Debezium's outbox event router, which turns inserts
// into an outbox table into events on topics chosen per row.
const EventRouterClass = "io.debezium.transforms.outbox.EventRouter"

// outboxPlugins returns the outbox transformation classes.
func outboxPlugins() []connect.TransformationPlugin {
	return []connect.TransformationPlugin{{Class: EventRouterClass, New: NewEventRouter, Config: EventRouterDef}}
}

// Properties of EventRouter (Debezium 3.5's EventRouterConfigDefinition.java).
// route.by.field is propRouteByField, shared with ExtractNewRecordState.
const (
	propOutboxEventID          = "table.field.event.id"
	propOutboxEventKey         = "table.field.event.key"
	propOutboxEventType        = "table.field.event.type"
	propOutboxPayload          = "table.field.event.payload"
	propOutboxTimestamp        = "table.field.event.timestamp"
	propOutboxSchemaVersion    = "table.field.event.schema.version"
	propOutboxAdditional       = "table.fields.additional.placement"
	propOutboxErrorOnMissing   = "table.fields.additional.error.on.missing"
	propOutboxInvalidOp        = "table.op.invalid.behavior"
	propOutboxExpandJSON       = "table.expand.json.payload"
	propOutboxJSONNullBehavior = "table.json.payload.null.behavior"
	propOutboxTopicRegex       = "route.topic.regex"
	propOutboxTopicReplacement = "route.topic.replacement"
	propOutboxTombstoneOnEmpty = "route.tombstone.on.empty.payload"
)

// Semantic names of the timestamp columns table.field.event.timestamp may
// name (io.debezium.time.*).
const (
	outboxTimestampName      = "io.debezium.time.Timestamp"
	outboxMicroTimestampName = "io.debezium.time.MicroTimestamp"
	outboxNanoTimestampName  = "io.debezium.time.NanoTimestamp"
)

// outboxPayloadField names the payload in a value struct
// (EventRouterDelegate.ENVELOPE_PAYLOAD).
const outboxPayloadField = "payload"

// outboxPlacement is where table.fields.additional.placement puts a column
// (EventRouterConfigDefinition.AdditionalFieldPlacement).
type outboxPlacement int

const (
	placeHeader outboxPlacement = iota
	placeEnvelope
	placePartition
)

// outboxField is one table.fields.additional.placement entry.
type outboxField struct {
	column    string
	placement outboxPlacement
	alias     string // the header or value field name; the column by default
}

// outboxInvalidOp is table.op.invalid.behavior: what an update of an outbox
// row does (InvalidOperationBehavior). warn and error differ only in the
// level of the log line; both drop the record.
type outboxInvalidOp int

const (
	invalidOpWarn outboxInvalidOp = iota
	invalidOpError
	invalidOpFatal
)

// eventRouter is Debezium's EventRouter (EventRouter.java, whose work is
// done by EventRouterDelegate.java) for relational connectors: a created or
// read outbox row becomes an event whose key is the event key column, whose
// value is the payload column, and whose topic comes from route.by.field.
type eventRouter struct {
	fieldID, fieldKey, fieldPayload string
	fieldTimestamp                  string // "" takes the envelope's ts_ms
	fieldVersion                    string // "" leaves value schemas unversioned
	routeBy                         string
	additional                      []outboxField
	errorOnMissing                  bool
	tombstoneOnEmpty                bool
	invalidOp                       outboxInvalidOp
	topics                          *regexRouter
	// payloadOnly is set when no column goes to the envelope: the value is
	// then the payload itself rather than a struct around it.
	payloadOnly bool

	// values caches the value struct schemas, so that the events of one
	// shape share one schema (converters cache by schema pointer).
	values map[outboxValueKey]*schema.Schema
	log    *slog.Logger
}

type outboxValueKey struct {
	row, payload *schema.Schema
	route        string
	version      int
}

// NewEventRouter configures the outbox event router. Properties that
// Tributary does not implement (table.expand.json.payload=true and the
// tracing properties) are refused rather than silently ignored.
func NewEventRouter(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := EventRouterDef.Parse(config)
	str := func(name string) string {
		// Debezium reads these names as given: no trimming.
		if raw, ok := config[name]; ok {
			return raw
		}
		return v.String(name)
	}
	t := &eventRouter{
		fieldID:          str(propOutboxEventID),
		fieldKey:         str(propOutboxEventKey),
		fieldPayload:     str(propOutboxPayload),
		fieldTimestamp:   str(propOutboxTimestamp),
		fieldVersion:     str(propOutboxSchemaVersion),
		routeBy:          str(propRouteByField),
		errorOnMissing:   v.Bool(propOutboxErrorOnMissing),
		tombstoneOnEmpty: v.Bool(propOutboxTombstoneOnEmpty),
		values:           map[outboxValueKey]*schema.Schema{},
		log:              slog.New(slog.DiscardHandler), // until SetLogger
	}
	// table.field.event.type (propOutboxEventType) is still defined by
	// Debezium but no longer read by EventRouterDelegate; it is accepted
	// and has no effect there either. table.json.payload.null.behavior is
	// read only to expand JSON payloads, which are refused; the value is
	// still checked so a typo is reported.
	switch strings.ToLower(v.String(propOutboxInvalidOp)) {
	case "error":
		t.invalidOp = invalidOpError
	case "fatal":
		t.invalidOp = invalidOpFatal
	default:
		t.invalidOp = invalidOpWarn
	}
	if s := v.Get(propOutboxAdditional); s != nil {
		// The Def checked the format; an error here is already reported.
		t.additional, _ = parseOutboxFields(v.String(propOutboxAdditional))
	}
	t.payloadOnly = !slices.ContainsFunc(t.additional, func(f outboxField) bool { return f.placement == placeEnvelope })

	// Debezium hands these two to Kafka's RegexRouter, which trims them.
	pattern, replacement := v.String(propOutboxTopicRegex), v.String(propOutboxTopicReplacement)
	if re, full, err := javaregex.Compile(pattern); err == nil {
		if template, err := translateReplacement(replacement, re); err != nil {
			// Kafka finds a bad replacement only when the first topic
			// matches; it depends on the pattern and the replacement alone,
			// so it is reported here.
			errs = append(errs, invalid(propOutboxTopicReplacement, replacement, err.Error()))
		} else {
			t.topics = &regexRouter{re: re, full: full, template: template}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return t, nil
}

// parseOutboxFields parses table.fields.additional.placement: a comma list
// of column:placement[:alias] (AdditionalFieldsValidator.java and
// EventRouterConfigDefinition.parseAdditionalFieldsConfig). Split as Java's
// String.split, so an empty entry in the middle of the list or an empty
// list is an error, and a trailing comma is not.
func parseOutboxFields(list string) ([]outboxField, error) {
	var out []outboxField
	for _, entry := range javaSplit(list, ",") {
		parts := javaSplit(entry, ":")
		if len(parts) != 2 && len(parts) != 3 {
			return nil, fmt.Errorf("A comma-separated list of valid String pairs or trios is expected but got: %s", list)
		}
		f := outboxField{column: javaTrim(parts[0])}
		// Debezium accepts any placement here and fails on the first event
		// with an unknown one; refusing it now reports the same mistake.
		switch strings.ToLower(javaTrim(parts[1])) {
		case "header":
			f.placement = placeHeader
		case "envelope":
			f.placement = placeEnvelope
		case "partition":
			f.placement = placePartition
		default:
			return nil, fmt.Errorf("placement %q of column %q is not one of header, envelope, partition", javaTrim(parts[1]), f.column)
		}
		f.alias = f.column
		if len(parts) == 3 {
			f.alias = javaTrim(parts[2])
		}
		out = append(out, f)
	}
	return out, nil
}

// Apply follows EventRouterDelegate.apply.
// SetLogger implements connect.LoggingTransformation: the updates the router
// drops are logged there.
func (t *eventRouter) SetLogger(l *slog.Logger) { t.log = l.With("transform", EventRouterClass) }

func (t *eventRouter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	// An offset-only record carries no event and passes untouched.
	if r.Topic == "" {
		return r, true, nil
	}
	if r.Value == nil {
		return r, false, nil // tombstones are dropped
	}
	// Heartbeats, schema changes, logical decoding messages and other
	// records that are no change event pass untouched.
	if r.ValueSchema == nil || !strings.HasSuffix(r.ValueSchema.Name, envelopeSuffix) {
		return r, true, nil
	}
	env, ok := r.Value.(*schema.Struct)
	if !ok {
		return r, false, fmt.Errorf("%s: value of schema %s is a %T, not a struct", EventRouterClass, r.ValueSchema.Name, r.Value)
	}
	opp, err := outboxString(env, "op")
	if err != nil {
		return r, false, err
	}
	if opp == nil {
		return r, false, fmt.Errorf("%s: change event on topic %s has a null op", EventRouterClass, r.Topic)
	}
	op := *opp
	switch op {
	case "d":
		// Deleting outbox rows right after inserting them is the usual
		// housekeeping; the delete is no event.
		return r, false, nil
	case "u":
		return t.unexpectedUpdate(r)
	}
	f, v, err := outboxGet(env, "after")
	if err != nil {
		return r, false, err
	}
	row, ok := v.(*schema.Struct)
	if !ok {
		// A truncate, or a malformed create: Debezium fails here too.
		return r, false, fmt.Errorf("%s: the %s field of a %q event is %T, not a struct", EventRouterClass, f.Name, op, v)
	}
	return t.route(r, env, row)
}

// unexpectedUpdate handles an update of an outbox row, which an outbox
// table should never see (handleUnexpectedOperation). Neither the key nor
// the row is logged: they may hold personal data.
func (t *eventRouter) unexpectedUpdate(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	switch t.invalidOp {
	case invalidOpFatal:
		return r, false, fmt.Errorf("%s: unexpected update message received on topic %s, fail", EventRouterClass, r.Topic)
	case invalidOpError:
		t.log.Error("Unexpected update message received and ignored", "topic", r.Topic)
	default:
		t.log.Warn("Unexpected update message received and ignored", "topic", r.Topic)
	}
	return r, false, nil
}

// route builds the event of an outbox row; env is the change event.
func (t *eventRouter) route(r connect.SourceRecord, env, row *schema.Struct) (connect.SourceRecord, bool, error) {
	payloadField := row.Schema.Field(t.fieldPayload)
	if payloadField == nil {
		return r, false, fmt.Errorf("%s: unable to find payload field %s in event", EventRouterClass, t.fieldPayload)
	}
	payloadSchema, payload := payloadField.Schema, row.Values[payloadField.Index]

	ts, err := t.timestamp(env, row)
	if err != nil {
		return r, false, err
	}
	idField, id, err := outboxGet(row, t.fieldID)
	if err != nil {
		return r, false, err
	}
	// Concat copies: the record's header slice may be shared.
	headers := slices.Concat(r.Headers, []connect.Header{{Key: "id", Schema: idField.Schema, Value: id}})

	var value *schema.Struct
	if !t.payloadOnly {
		vs, err := t.valueSchema(row, payloadSchema)
		if err != nil {
			return r, false, err
		}
		value = schema.NewStruct(vs)
		value.Values[0] = payload
	}

	var partition *int32
	for _, a := range t.additional {
		f := row.Schema.Field(a.column)
		if f == nil && !t.errorOnMissing && a.placement != placeEnvelope {
			// Debezium skips a missing column only where it does not
			// shape the value schema; valueSchema has already failed on a
			// missing envelope column.
			continue
		}
		f, v, err := outboxGet(row, a.column)
		if err != nil {
			return r, false, err
		}
		switch a.placement {
		case placeEnvelope:
			value.Values[value.Schema.Field(a.alias).Index] = v
		case placeHeader:
			headers = append(headers, connect.Header{Key: a.alias, Schema: f.Schema, Value: v})
		case placePartition:
			if f.Schema.Type != schema.TypeInt32 {
				return r, false, fmt.Errorf("%s: partition column %s is of type %s, not int32", EventRouterClass, a.column, f.Schema.Type)
			}
			if p, ok := v.(int32); ok {
				partition = &p
			}
		}
	}

	keyField, key, err := outboxGet(row, t.fieldKey)
	if err != nil {
		return r, false, err
	}
	routeValue, err := t.routeValue(row)
	if err != nil {
		return r, false, err
	}
	topic := t.topic(routeValue)
	if topic == "" {
		// Kafka refuses a record without a topic; Tributary would take it
		// for an offset-only record and lose the event.
		return r, false, fmt.Errorf("%s: the routed topic of event %v is empty (%s=%q)", EventRouterClass, id, t.routeBy, routeValue)
	}

	// An empty payload is a delete of the aggregate when asked: a tombstone
	// keyed by the aggregate. Java's toString of anything but a string
	// (bytes included) is never blank.
	empty := payload == nil
	if s, ok := payload.(string); ok && javaTrim(s) == "" {
		empty = true
	}
	switch {
	case empty && t.tombstoneOnEmpty:
		r.ValueSchema, r.Value = nil, nil
	case t.payloadOnly:
		r.ValueSchema, r.Value = payloadSchema, payload
	default:
		r.ValueSchema, r.Value = value.Schema, value
	}
	r.Topic, r.Partition = topic, partition
	r.KeySchema, r.Key = keyField.Schema, key
	r.Timestamp = time.Time{}
	if ts != nil {
		r.Timestamp = time.UnixMilli(*ts)
	}
	r.Headers = headers
	return r, true, nil
}

// timestamp is the event's Kafka timestamp in epoch milliseconds, or nil
// to let the producer choose (getEventTimestampMs): the timestamp column
// when configured and not null, else the change event's ts_ms (when the
// connector processed the change, not when it was committed).
func (t *eventRouter) timestamp(env, row *schema.Struct) (*int64, error) {
	envTs := func() (*int64, error) {
		f, v, err := outboxGet(env, "ts_ms")
		if err != nil {
			return nil, err
		}
		if f.Schema.Type != schema.TypeInt64 {
			return nil, fmt.Errorf("%s: envelope field ts_ms is of type %s, not int64", EventRouterClass, f.Schema.Type)
		}
		if ms, ok := v.(int64); ok {
			return &ms, nil
		}
		return nil, nil
	}
	if t.fieldTimestamp == "" {
		return envTs()
	}
	f := row.Schema.Field(t.fieldTimestamp)
	if f == nil {
		return nil, fmt.Errorf("%s: unable to find timestamp field %s in event", EventRouterClass, t.fieldTimestamp)
	}
	if f.Schema.Type != schema.TypeInt64 {
		return nil, fmt.Errorf("%s: timestamp field %s is of type %s, not int64", EventRouterClass, t.fieldTimestamp, f.Schema.Type)
	}
	if row.Values[f.Index] == nil {
		return envTs()
	}
	v, ok := row.Values[f.Index].(int64)
	if !ok {
		// Kafka's Struct.getInt64 fails on a value that is no long.
		return nil, fmt.Errorf("%s: unsupported value %T of field %s (%s) for event timestamp", EventRouterClass, row.Values[f.Index], t.fieldTimestamp, f.Schema.Name)
	}
	switch f.Schema.Name {
	case outboxTimestampName:
		return &v, nil
	case outboxMicroTimestampName:
		v /= 1_000
		return &v, nil
	case outboxNanoTimestampName:
		v /= 1_000_000
		return &v, nil
	case "":
		return nil, fmt.Errorf("%s: unsupported field type %s (without logical schema name) for event timestamp", EventRouterClass, f.Schema.Type)
	}
	return nil, fmt.Errorf("%s: unsupported field type %s for event timestamp", EventRouterClass, f.Schema.Name)
}

// routeValue reads route.by.field, which must be a string column. A null
// fails, as it does in Debezium (Kafka's RegexRouter cannot match it).
func (t *eventRouter) routeValue(row *schema.Struct) (string, error) {
	s, err := outboxString(row, t.routeBy)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", fmt.Errorf("%s: %s is null; the event cannot be routed", EventRouterClass, t.routeBy)
	}
	return *s, nil
}

// topic applies route.topic.regex and route.topic.replacement as Kafka's
// RegexRouter does (see regexRouter.Apply, which cannot be used as is: it
// leaves an empty topic alone, and an empty route value is a topic here).
func (t *eventRouter) topic(value string) string {
	rr := t.topics
	if !rr.full.MatchString(value) {
		return value
	}
	m := rr.re.FindStringSubmatchIndex(value)
	out := rr.re.ExpandString([]byte(value[:m[0]]), rr.template, value, m)
	return string(append(out, value[m[1]:]...))
}

// valueSchema returns the value struct schema when columns go to the
// envelope (getValueSchema and getSchemaBuilder): a required struct of the
// payload and the envelope columns under their aliases, named after the row
// schema with the route value inserted before its last part
// ("srv.public.outbox.Value" routed by "Order" is
// "srv.public.outbox.Order.Value"), and versioned by
// table.field.event.schema.version when set.
//
// Debezium caches these schemas by payload schema alone (or by version
// alone), so the first event of a shape names the schema for every route
// value after it; Tributary caches them per route value and row schema, so
// every event carries the name of its own route.
func (t *eventRouter) valueSchema(row *schema.Struct, payload *schema.Schema) (*schema.Schema, error) {
	route, err := t.routeValue(row)
	if err != nil {
		return nil, err
	}
	key := outboxValueKey{row: row.Schema, payload: payload, route: route}
	if t.fieldVersion != "" {
		f := row.Schema.Field(t.fieldVersion)
		if f == nil {
			return nil, fmt.Errorf("%s: %s is not a valid field name", EventRouterClass, t.fieldVersion)
		}
		if f.Schema.Type != schema.TypeInt32 {
			return nil, fmt.Errorf("%s: schema version field %s is of type %s, not int32", EventRouterClass, t.fieldVersion, f.Schema.Type)
		}
		if v, ok := row.Values[f.Index].(int32); ok {
			key.version = int(v)
		}
	}
	if s, ok := t.values[key]; ok {
		return s, nil
	}
	fields := []schema.Field{schema.NewField(outboxPayloadField, payload)}
	seen := map[string]bool{outboxPayloadField: true}
	for _, a := range t.additional {
		if a.placement != placeEnvelope {
			continue
		}
		f := row.Schema.Field(a.column)
		if f == nil {
			return nil, fmt.Errorf("%s: envelope column %s is not in the outbox table", EventRouterClass, a.column)
		}
		if seen[a.alias] {
			// Kafka's SchemaBuilder refuses a second field of one name.
			return nil, fmt.Errorf("%s: cannot create field because of field name duplication %s", EventRouterClass, a.alias)
		}
		seen[a.alias] = true
		fields = append(fields, schema.NewField(a.alias, f.Schema))
	}
	s := schema.StructOf(outboxSchemaName(row.Schema.Name, route), false, fields...)
	s.Version = key.version
	if len(t.values) >= schemaCacheSize {
		clear(t.values) // a schema change storm: start over rather than grow
	}
	t.values[key] = s
	return s, nil
}

// outboxSchemaName is EventRouterDelegate.getSchemaName.
func outboxSchemaName(rowName, route string) string {
	if rowName == "" {
		return route
	}
	if i := strings.LastIndexByte(rowName, '.'); i >= 0 {
		return rowName[:i+1] + route + "." + rowName[i+1:]
	}
	return route + "." + rowName
}

// outboxGet reads a field as Kafka's Struct.get does: an unknown name is an
// error, worded as Kafka's DataException.
func outboxGet(st *schema.Struct, name string) (*schema.Field, any, error) {
	f := st.Schema.Field(name)
	if f == nil {
		return nil, nil, fmt.Errorf("%s: %s is not a valid field name", EventRouterClass, name)
	}
	if f.Index >= len(st.Values) {
		return nil, nil, fmt.Errorf("%s: struct %s has no value for field %s", EventRouterClass, st.Schema.Name, name)
	}
	return f, st.Values[f.Index], nil
}

// outboxString reads a string field as Kafka's Struct.getString does: the
// field must exist and be of type string; nil is a null.
func outboxString(st *schema.Struct, name string) (*string, error) {
	f, v, err := outboxGet(st, name)
	if err != nil {
		return nil, err
	}
	if f.Schema.Type != schema.TypeString {
		return nil, fmt.Errorf("%s: field %s is of type %s, not string", EventRouterClass, name, f.Schema.Type)
	}
	s, ok := v.(string)
	if !ok {
		return nil, nil
	}
	return &s, nil
}
