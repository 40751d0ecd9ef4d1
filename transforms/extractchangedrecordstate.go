package transforms

import (
	"slices"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// ExtractChangedRecordStateClass is Debezium's transform that lists the
// changed and unchanged columns of an update in headers.
const ExtractChangedRecordStateClass = "io.debezium.transforms.ExtractChangedRecordState"

// Properties of ExtractChangedRecordState (Debezium 3.5,
// debezium-connect-plugins/.../transforms/ExtractChangedRecordState.java).
const (
	propECRSChanged   = "header.changed.name"
	propECRSUnchanged = "header.unchanged.name"
)

// ExtractChangedRecordStateDef is ExtractChangedRecordState.config().
var ExtractChangedRecordStateDef = configdef.Define(
	debeziumKey(propECRSChanged, configdef.TypeString, nil, nil, low, configdef.WidthLong, "Header change name.",
		"Specify the header changed name, default is null which means not send changes to header."),
	debeziumKey(propECRSUnchanged, configdef.TypeString, nil, nil, low, configdef.WidthLong, "Header unchanged name.",
		"Specify the header unchanged name of schema, default is null which means not send changes to header."),
)

// extractChangedRecordState adds to each change event a header listing the
// columns whose value differs between before and after, and one listing
// the others; both are empty lists unless the event has both states.
type extractChangedRecordState struct {
	changedName, unchangedName     string
	changedSchema, unchangedSchema *schema.Schema
}

// NewExtractChangedRecordState configures the transform. Each header's
// schema is an optional array of optional strings named after the header.
func NewExtractChangedRecordState(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := ExtractChangedRecordStateDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	t := &extractChangedRecordState{}
	// A blank name adds no header (Strings.isNullOrBlank).
	if name := v.String(propECRSChanged); javaTrim(name) != "" {
		t.changedName = name
		t.changedSchema = &schema.Schema{Type: schema.TypeArray, Optional: true, Name: name, Items: schema.OptionalStringSchema}
	}
	if name := v.String(propECRSUnchanged); javaTrim(name) != "" {
		t.unchangedName = name
		t.unchangedSchema = &schema.Schema{Type: schema.TypeArray, Optional: true, Name: name, Items: schema.OptionalStringSchema}
	}
	return t, nil
}

// Apply follows ExtractChangedRecordState.apply.
func (t *extractChangedRecordState) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if r.Topic == "" || r.Value == nil || !isEnvelope(r) {
		return r, true, nil
	}
	env, err := requireStruct(ExtractChangedRecordStateClass, "Record value should be struct.", r.ValueSchema, r.Value)
	if err != nil {
		return r, false, err
	}
	changed, unchanged := []any{}, []any{}
	after, before := env.Get("after"), env.Get("before")
	if after != nil && before != nil {
		a, err := requireStruct(ExtractChangedRecordStateClass, "After value should be struct.", r.ValueSchema, after)
		if err != nil {
			return r, false, err
		}
		b, err := requireStruct(ExtractChangedRecordStateClass, "Before value should be struct.", r.ValueSchema, before)
		if err != nil {
			return r, false, err
		}
		for i, f := range a.Schema.Fields {
			bf := b.Schema.Field(f.Name)
			var bv any
			if bf != nil && bf.Index < len(b.Values) {
				bv = b.Values[bf.Index]
			}
			var av any
			if i < len(a.Values) {
				av = a.Values[i]
			}
			// getWithoutDefault on both sides; values compare as
			// Objects.equals does.
			if schema.Equal(av, bv) {
				unchanged = append(unchanged, f.Name)
			} else {
				changed = append(changed, f.Name)
			}
		}
	}
	// The headers are added to every change event, as Debezium does, so
	// that a chain sees the same headers whatever the operation.
	var add []connect.Header
	if t.changedName != "" {
		add = append(add, connect.Header{Key: t.changedName, Schema: t.changedSchema, Value: changed})
	}
	if t.unchangedName != "" {
		add = append(add, connect.Header{Key: t.unchangedName, Schema: t.unchangedSchema, Value: unchanged})
	}
	if len(add) > 0 {
		r.Headers = slices.Concat(r.Headers, add)
	}
	return r, true, nil
}
