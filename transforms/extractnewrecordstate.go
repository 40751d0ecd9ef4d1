package transforms

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// ExtractNewRecordStateClass is Debezium's envelope-flattening transform.
const ExtractNewRecordStateClass = "io.debezium.transforms.ExtractNewRecordState"

// Properties of ExtractNewRecordState (Debezium 3.5's
// ExtractNewRecordStateConfigDefinition.java and ExtractNewRecordState.java).
const (
	propDeleteTombstoneMode  = "delete.tombstone.handling.mode"
	propRouteByField         = "route.by.field"
	propAddFields            = "add.fields"
	propAddFieldsPrefix      = "add.fields.prefix"
	propAddHeaders           = "add.headers"
	propAddHeadersPrefix     = "add.headers.prefix"
	propReplaceNull          = "replace.null.with.default"
	propDropFieldsHeader     = "drop.fields.header.name"
	propDropFieldsFromKey    = "drop.fields.from.key"
	propDropFieldsKeepCompat = "drop.fields.keep.schema.compatible"
)

const (
	// deletedField marks rewritten records ("true" on deletes, "false"
	// otherwise); ExtractNewRecordStateConfigDefinition.DELETED_FIELD.
	deletedField = "__deleted"
	// defaultPrefix prefixes add.fields and add.headers names.
	defaultPrefix = "__"
	// envelopeSuffix names Debezium change-event value schemas
	// (Envelope.isEnvelopeSchema).
	envelopeSuffix = ".Envelope"
	// schemaCacheSize bounds the derived-schema cache, as
	// ExtractNewRecordState's SCHEMA_CACHE_SIZE does.
	schemaCacheSize = 64
)

// deleteMode is delete.tombstone.handling.mode.
type deleteMode int

const (
	modeTombstone            deleteMode = iota // delete → null value, tombstone dropped
	modeDrop                                   // delete and tombstone dropped
	modeRewrite                                // delete → before + __deleted=true, tombstone dropped
	modeRewriteWithTombstone                   // as rewrite, tombstone kept
	modeDeleteToTombstone                      // delete → tombstone (null schema and value), tombstone dropped
)

// parseDeleteMode reads the mode trimmed and in any case, as
// DeleteTombstoneHandling.parse does.
func parseDeleteMode(v string) (deleteMode, bool) {
	switch strings.ToLower(javaTrim(v)) {
	case "tombstone":
		return modeTombstone, true
	case "drop":
		return modeDrop, true
	case "rewrite":
		return modeRewrite, true
	case "rewrite-with-tombstone":
		return modeRewriteWithTombstone, true
	case "delete-to-tombstone":
		return modeDeleteToTombstone, true
	}
	return 0, false
}

func (m deleteMode) rewrites() bool { return m == modeRewrite || m == modeRewriteWithTombstone }

// extractNewRecordState is Debezium's ExtractNewRecordState: a change
// event's value becomes the row state it carries.
type extractNewRecordState struct {
	mode                   deleteMode
	replaceNullWithDefault bool
	routeByField           string
	fields, headers        []fieldRef

	// Derived value schemas and header schemas, per input schema, so that
	// records of one table share one output schema (converters cache by
	// schema pointer) and no record rebuilds it.
	values       map[valueKey]*derivedValue
	headerShapes map[*schema.Schema][]*schema.Schema

	// legacy are the removed properties the configuration carries, warned
	// about once when the task gives the transform its logger.
	legacy []string
}

// legacyUnwrapProperties are ExtractNewRecordStateConfigDefinition's
// DROP_TOMBSTONES and HANDLE_DELETES, last in Debezium 3.1: Debezium 3.5
// ignores them, whatever their value, and handles deletes and tombstones
// as delete.tombstone.handling.mode says.
var legacyUnwrapProperties = []string{"drop.tombstones", "delete.handling.mode"}

type valueKey struct{ row, envelope *schema.Schema }

// derivedValue is the output schema for one row schema in one envelope, and
// the add.fields entries that the envelope has (absent ones are skipped).
type derivedValue struct {
	schema  *schema.Schema
	present []int // indexes into fields
}

// NewExtractNewRecordState configures the transform. Properties Debezium 3.5
// no longer reads (drop.tombstones and delete.handling.mode, removed in 3.2)
// are accepted and ignored as Debezium 3.5 ignores them, with a warning
// naming each; drop.fields.header.name, which Tributary does not
// implement, is refused rather than silently ignored.
func NewExtractNewRecordState(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := ExtractNewRecordStateDef.Parse(config)
	t := &extractNewRecordState{
		values:       map[valueKey]*derivedValue{},
		headerShapes: map[*schema.Schema][]*schema.Schema{},
	}
	t.mode, _ = parseDeleteMode(v.String(propDeleteTombstoneMode))
	for _, name := range legacyUnwrapProperties {
		if _, ok := config[name]; ok {
			t.legacy = append(t.legacy, name)
		}
	}
	// drop.fields.from.key and drop.fields.keep.schema.compatible have no
	// effect without drop.fields.header.name, in Debezium too; the Def
	// still checks them so that a typo is reported.
	t.replaceNullWithDefault = v.Bool(propReplaceNull)
	// Debezium reads the names and prefixes as given: no trimming.
	raw := func(name string) string {
		if s, ok := config[name]; ok {
			return s
		}
		return v.String(name)
	}
	t.routeByField = raw(propRouteByField)
	var err error
	if t.fields, err = parseFieldRefs(raw(propAddFieldsPrefix), config[propAddFields]); err != nil {
		errs = append(errs, invalid(propAddFields, config[propAddFields], err.Error()))
	}
	if t.headers, err = parseFieldRefs(raw(propAddHeadersPrefix), config[propAddHeaders]); err != nil {
		errs = append(errs, invalid(propAddHeaders, config[propAddHeaders], err.Error()))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return t, nil
}

// Apply follows ExtractNewRecordState.doApply.
func (t *extractNewRecordState) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	// An offset-only record is no tombstone: it passes untouched.
	if r.Topic == "" {
		return r, true, nil
	}
	tombstone := r.Value == nil
	isEnvelope := r.ValueSchema != nil && strings.HasSuffix(r.ValueSchema.Name, envelopeSuffix)
	var env *schema.Struct
	if isEnvelope && !tombstone {
		var ok bool
		if env, ok = r.Value.(*schema.Struct); !ok {
			return r, false, fmt.Errorf("%s: value of schema %s is a %T, not a struct", ExtractNewRecordStateClass, r.ValueSchema.Name, r.Value)
		}
	}

	// Headers go on before tombstones are handled, so a kept tombstone
	// carries the op header too.
	if (isEnvelope || tombstone) && len(t.headers) > 0 {
		hs, err := t.makeHeaders(env)
		if err != nil {
			return r, false, err
		}
		// Concat copies: the record's header slice may be shared.
		r.Headers = slices.Concat(r.Headers, hs)
	}
	if tombstone {
		return r, t.mode == modeRewriteWithTombstone, nil
	}
	if !isEnvelope {
		return r, true, nil
	}

	afterField, beforeField := env.Schema.Field("after"), env.Schema.Field("before")
	if afterField == nil || beforeField == nil {
		return r, false, fmt.Errorf("%s: envelope %s has no before or after field", ExtractNewRecordStateClass, env.Schema.Name)
	}
	after, err := structField(env, afterField)
	if err != nil {
		return r, false, err
	}
	if after != nil {
		return t.change(r, env, after)
	}
	before, err := structField(env, beforeField)
	if err != nil {
		return r, false, err
	}
	if before == nil {
		// Neither before nor after: a truncate, which Debezium drops
		// (AbstractExtractRecordStrategy.handleTruncateRecord).
		return r, false, nil
	}
	return t.delete(r, env, before, afterField.Schema)
}

// change handles creates, reads and updates: the value becomes after.
func (t *extractNewRecordState) change(r connect.SourceRecord, env, after *schema.Struct) (connect.SourceRecord, bool, error) {
	deleted := ""
	if t.mode.rewrites() {
		deleted = "false"
	}
	// Debezium routes after inserting __deleted and before adding fields,
	// so __deleted can route and add.fields names cannot.
	if t.routeByField != "" {
		topic, err := routeTopic(after, t.routeByField, deleted)
		if err != nil {
			return r, false, err
		}
		if javaTrim(topic) != "" {
			r.Topic = topic
		}
	}
	return t.flatten(r, env, after, deleted)
}

// delete handles deletes as DefaultDeleteHandlingStrategy.handleDeleteRecord.
func (t *extractNewRecordState) delete(r connect.SourceRecord, env, before *schema.Struct, afterSchema *schema.Schema) (connect.SourceRecord, bool, error) {
	if t.mode == modeDrop {
		return r, false, nil
	}
	if t.routeByField != "" {
		topic, err := routeTopic(before, t.routeByField, "")
		if err != nil {
			return r, false, err
		}
		if javaTrim(topic) != "" {
			r.Topic = topic
		}
	}
	switch t.mode {
	case modeTombstone:
		// Debezium keeps the after field's schema with a null value here
		// (its ExtractField delegate); sinks such as the JDBC sink read that
		// as a flattened delete, unlike a tombstone with no schema.
		r.ValueSchema, r.Value = afterSchema, nil
		return r, true, nil
	case modeDeleteToTombstone:
		r.ValueSchema, r.Value = nil, nil
		return r, true, nil
	}
	return t.flatten(r, env, before, "true")
}

// flatten makes row the record value, with __deleted (unless deleted is
// empty) and the add.fields entries appended. Debezium always rebuilds the
// schema here (ExtractNewRecordState.addFields, even with no field to add),
// with SchemaUtil.copySchemaBasics: the row schema's name, version, doc and
// parameters, but not its optionality, so the value schema is required.
func (t *extractNewRecordState) flatten(r connect.SourceRecord, env, row *schema.Struct, deleted string) (connect.SourceRecord, bool, error) {
	if len(row.Values) != len(row.Schema.Fields) {
		return r, false, fmt.Errorf("%s: struct %s has %d values for %d fields", ExtractNewRecordStateClass, row.Schema.Name, len(row.Values), len(row.Schema.Fields))
	}
	d, err := t.derive(row.Schema, env.Schema)
	if err != nil {
		return r, false, err
	}
	vals := make([]any, len(d.schema.Fields))
	n := copy(vals, row.Values)
	if deleted != "" {
		// Kafka's InsertField copies with Struct.get, which reads a null
		// as the field's default unless replace.null.with.default=false.
		if t.replaceNullWithDefault {
			for i, f := range row.Schema.Fields {
				if vals[i] == nil && f.Schema.HasDefault && f.Schema.Default != nil {
					vals[i] = f.Schema.Default
				}
			}
		}
		vals[n] = deleted
		n++
	}
	for _, i := range d.present {
		v := t.fields[i].value(env)
		if err := checkCopyable(t.fields[i], v); err != nil {
			return r, false, err
		}
		vals[n] = v
		n++
	}
	r.ValueSchema, r.Value = d.schema, &schema.Struct{Schema: d.schema, Values: vals}
	return r, true, nil
}

// derive returns the cached output schema of row schemas in envelope.
func (t *extractNewRecordState) derive(row, envelope *schema.Schema) (*derivedValue, error) {
	key := valueKey{row, envelope}
	if d, ok := t.values[key]; ok {
		return d, nil
	}
	fields := make([]schema.Field, 0, len(row.Fields)+1+len(t.fields))
	for _, f := range row.Fields {
		fields = append(fields, schema.NewField(f.Name, f.Schema))
	}
	if t.mode.rewrites() {
		fields = append(fields, schema.NewField(deletedField, schema.OptionalStringSchema))
	}
	d := &derivedValue{}
	for i, ref := range t.fields {
		s, err := ref.schema(envelope)
		if err != nil {
			return nil, err
		}
		if s != nil {
			fields = append(fields, schema.NewField(ref.name, s))
			d.present = append(d.present, i)
		}
	}
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if seen[f.Name] {
			// Kafka's SchemaBuilder refuses a second field of one name.
			return nil, fmt.Errorf("%s: cannot create field because of field name duplication %s", ExtractNewRecordStateClass, f.Name)
		}
		seen[f.Name] = true
	}
	out := schema.StructOf(row.Name, false, fields...)
	out.Version, out.Doc, out.Params = row.Version, row.Doc, row.Params
	d.schema = out
	if len(t.values) >= schemaCacheSize {
		clear(t.values) // a schema change storm: start over rather than grow
	}
	t.values[key] = d
	return d, nil
}

// makeHeaders builds the add.headers headers (AbstractExtractNewRecordState
// .makeHeaders). A tombstone (env nil) gets only an op header, "d".
func (t *extractNewRecordState) makeHeaders(env *schema.Struct) ([]connect.Header, error) {
	var out []connect.Header
	if env == nil {
		for _, ref := range t.headers {
			if ref.field == "op" {
				out = append(out, connect.Header{Key: ref.name, Schema: schema.StringSchema, Value: "d"})
			}
		}
		return out, nil
	}
	shapes, ok := t.headerShapes[env.Schema]
	if !ok {
		shapes = make([]*schema.Schema, len(t.headers))
		for i, ref := range t.headers {
			s, err := ref.schema(env.Schema)
			if err != nil {
				return nil, err
			}
			shapes[i] = s
		}
		if len(t.headerShapes) >= schemaCacheSize {
			clear(t.headerShapes)
		}
		t.headerShapes[env.Schema] = shapes
	}
	for i, ref := range t.headers {
		if shapes[i] == nil {
			continue
		}
		v := ref.value(env)
		if err := checkCopyable(ref, v); err != nil {
			return nil, err
		}
		out = append(out, connect.Header{Key: ref.name, Schema: shapes[i], Value: v})
	}
	return out, nil
}

// structField returns an envelope's before or after struct, or nil.
func structField(env *schema.Struct, f *schema.Field) (*schema.Struct, error) {
	if f.Index >= len(env.Values) {
		return nil, fmt.Errorf("%s: envelope %s has no value for field %s", ExtractNewRecordStateClass, env.Schema.Name, f.Name)
	}
	switch v := env.Values[f.Index].(type) {
	case nil:
		return nil, nil
	case *schema.Struct:
		return v, nil
	default:
		return nil, fmt.Errorf("%s: envelope field %s is a %T, not a struct", ExtractNewRecordStateClass, f.Name, v)
	}
}

// routeTopic reads route.by.field from row as Kafka's Struct.getString
// does: the field must exist and be a string. deleted, when not empty, is
// the __deleted value Debezium has already inserted.
func routeTopic(row *schema.Struct, name, deleted string) (string, error) {
	f := row.Schema.Field(name)
	if f == nil {
		if deleted != "" && name == deletedField {
			return deleted, nil
		}
		return "", fmt.Errorf("%s: %s=%s: %s is not a valid field name", ExtractNewRecordStateClass, propRouteByField, name, name)
	}
	if f.Schema.Type != schema.TypeString {
		return "", fmt.Errorf("%s: %s=%s: field %s is of type %s, not string", ExtractNewRecordStateClass, propRouteByField, name, name, f.Schema.Type)
	}
	s, _ := row.Values[f.Index].(string)
	return s, nil
}

// SetLogger implements connect.LoggingTransformation: it warns about each
// removed property the configuration carries, once per task.
func (t *extractNewRecordState) SetLogger(l *slog.Logger) {
	for _, name := range t.legacy {
		l.Warn(fmt.Sprintf("The configuration '%s' of %s was removed in Debezium 3.2 and is ignored, as Debezium 3.5 ignores it: "+
			"deletes and tombstones are handled as %s says (default tombstone).", name, ExtractNewRecordStateClass, propDeleteTombstoneMode),
			"transform", ExtractNewRecordStateClass, "property", name)
	}
}
