package transforms

import (
	"fmt"
	"slices"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Properties of InsertHeader, DropHeaders and HeaderFrom (InsertHeader.java,
// DropHeaders.java, HeaderFrom.java).
const (
	propHeader       = "header"
	propValueLiteral = "value.literal"
	propHeaders      = "headers"
	propOperation    = "operation"
	opMove           = "move"
	opCopy           = "copy"
)

// withHeaders returns r's headers followed by more, in a new slice: the
// record's own may be shared with other records.
func withHeaders(r connect.SourceRecord, more ...connect.Header) []connect.Header {
	out := make([]connect.Header, 0, len(r.Headers)+len(more))
	return append(append(out, r.Headers...), more...)
}

// insertHeader is InsertHeader: it adds a header with a fixed value to
// every record.
type insertHeader struct {
	header connect.Header
}

// NewInsertHeader configures an InsertHeader from InsertHeaderDef. The
// value is a string header holding value.literal as given.
func NewInsertHeader(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := InsertHeaderDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	return &insertHeader{header: connect.Header{Key: v.String(propHeader), Schema: schema.StringSchema, Value: v.String(propValueLiteral)}}, nil
}

func (t *insertHeader) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	r.Headers = withHeaders(r, t.header)
	return r, true, nil
}

// dropHeaders is DropHeaders: it removes every header with one of the
// configured names.
type dropHeaders struct {
	names map[string]bool
}

// NewDropHeaders configures a DropHeaders from DropHeadersDef.
func NewDropHeaders(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := DropHeadersDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	t := &dropHeaders{names: map[string]bool{}}
	for _, h := range v.List(propHeaders) {
		t.names[h] = true
	}
	return t, nil
}

func (t *dropHeaders) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	if !slices.ContainsFunc(r.Headers, func(h connect.Header) bool { return t.names[h.Key] }) {
		return r, true, nil
	}
	out := make([]connect.Header, 0, len(r.Headers))
	for _, h := range r.Headers {
		if !t.names[h.Key] {
			out = append(out, h)
		}
	}
	r.Headers = out
	return r, true, nil
}

// headerFrom is HeaderFrom$Key or HeaderFrom$Value: it copies or moves
// fields of the key or value struct into headers.
type headerFrom struct {
	side                   side
	class                  string
	fields, headers        []string
	move                   bool
	replaceNullWithDefault bool
	cache                  derivedCache[*schema.Schema]
}

// newHeaderFrom returns the constructor of HeaderFrom$Key or $Value, which
// parses HeaderFromDef.
func newHeaderFrom(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := HeaderFromDef.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		t := &headerFrom{side: s, class: s.class(HeaderFromKeyClass, HeaderFromValueClass),
			fields: v.List(propFields), headers: v.List(propHeaders), move: v.String(propOperation) == opMove,
			replaceNullWithDefault: v.Bool(propReplaceNullWithDefault)}
		if len(t.fields) != len(t.headers) {
			// Kafka's ConfigException names no property.
			return nil, []connect.ConfigError{{Name: propHeaders,
				Message: fmt.Sprintf("'%s' config must have the same number of elements as '%s' config.", propFields, propHeaders)}}
		}
		return t, nil
	}
}

func (t *headerFrom) operation() string {
	if t.move {
		return opMove
	}
	return opCopy
}

func (t *headerFrom) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if sch == nil && v == nil {
		return r, false, fmt.Errorf("%s: Only Struct objects supported for [header %s], found: null", t.class, t.operation())
	}
	st, err := requireStruct(t.class, "header "+t.operation(), sch, v)
	if err != nil {
		return r, false, err
	}
	added := make([]connect.Header, len(t.fields))
	for i, name := range t.fields {
		f := st.Schema.Field(name)
		if f == nil {
			return r, false, fmt.Errorf("%s: the %s has no field %s to %s into header %s", t.class, sideName(t.side), name, t.operation(), t.headers[i])
		}
		added[i] = connect.Header{Key: t.headers[i], Schema: f.Schema, Value: fieldValue(st, f.Index, t.replaceNullWithDefault)}
	}
	if t.move {
		updated, ok := t.cache.get(sch)
		if !ok {
			fields := make([]schema.Field, 0, len(sch.Fields))
			for _, f := range sch.Fields {
				if !slices.Contains(t.fields, f.Name) {
					fields = append(fields, schema.NewField(f.Name, f.Schema))
				}
			}
			if updated, err = buildStruct(sch, fields); err != nil {
				return r, false, fmt.Errorf("%s: %w", t.class, err)
			}
			t.cache.put(sch, updated)
		}
		out := schema.NewStruct(updated)
		for i, f := range updated.Fields {
			out.Values[i] = fieldValue(st, sch.Field(f.Name).Index, t.replaceNullWithDefault)
		}
		t.side.set(&r, updated, out)
	}
	r.Headers = withHeaders(r, added...)
	return r, true, nil
}

func sideName(s side) string {
	if s == keySide {
		return "key"
	}
	return "value"
}
