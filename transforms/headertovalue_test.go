package transforms

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// The fixtures follow HeaderToValueTest: a products row in an envelope
// whose source is a plain string.

var productValue = schema.StructOf("mysql-server-1.inventory.products.Value", false,
	schema.NewField("id", schema.Int64Schema),
	schema.NewField("price", schema.Float32Schema),
	schema.NewField("product", schema.StringSchema))

var productEnvelope = func() *schema.Schema {
	row := *productValue
	row.Optional = true
	return schema.StructOf("mysql-server-1.inventory.product.Envelope", false,
		schema.NewField("before", &row),
		schema.NewField("after", &row),
		schema.NewField("source", schema.StringSchema),
		schema.NewField("op", schema.StringSchema),
		schema.NewField("ts_ms", schema.OptionalInt64Schema))
}()

func productCreate(headers ...connect.Header) connect.SourceRecord {
	env := productEnvelope
	rowSchema := env.Fields[1].Schema
	row := &schema.Struct{Schema: rowSchema, Values: []any{int64(101), float32(20), "a product"}}
	return connect.SourceRecord{SourcePartition: map[string]any{}, SourceOffset: map[string]any{}, Topic: "topic",
		ValueSchema: env, Value: &schema.Struct{Schema: env, Values: []any{nil, row, nil, "c", int64(1)}}, Headers: headers}
}

var stringArrayHeader = &schema.Schema{Type: schema.TypeArray, Optional: true, Name: "h1", Items: schema.OptionalStringSchema}

func strHeader(k, v string) connect.Header {
	return connect.Header{Key: k, Schema: schema.StringSchema, Value: v}
}
func listHeader(k string) connect.Header {
	return connect.Header{Key: k, Schema: stringArrayHeader, Value: []any{"v1", "v2"}}
}

func newH2V(t *testing.T, config map[string]string) connect.Transformation {
	t.Helper()
	tr, errs := NewHeaderToValue(config)
	if len(errs) > 0 {
		t.Fatalf("NewHeaderToValue(%v): %v", config, errs)
	}
	return tr
}

// TestHeaderToValueConfig ports HeaderToValueTest's configuration cases,
// with their messages.
func TestHeaderToValueConfig(t *testing.T) {
	for _, c := range []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"whenOperationIsNotMoveOrCopy", map[string]string{"headers": "h1", "fields": "f1", "operation": "invalidOp"},
			"Invalid value invalidOp for configuration operation: The 'operation' value is invalid: Value must be one of move, copy"},
		{"whenNoFieldsDeclared", map[string]string{"headers": "h1", "operation": "copy"},
			"Invalid value null for configuration fields: The 'fields' value is invalid: A value is required"},
		{"whenNoHeadersDeclared", map[string]string{"fields": "f1", "operation": "copy"},
			"Invalid value null for configuration headers: The 'headers' value is invalid: A value is required"},
		{"whenHeadersAndFieldsHaveDifferentSize", map[string]string{"headers": "h1,h2", "fields": "f1", "operation": "copy"},
			"'fields' config must have the same number of elements as 'headers' config."},
		{"whenFieldsOrHeadersContainsAnEmptyValue", map[string]string{"headers": "h1,h2", "fields": ",f2", "operation": "copy"},
			"Invalid value ,f2 for configuration fields: The 'fields' value is invalid: Empty string element(s) not permitted"},
		{"whenFieldsOrHeadersContainsASpace", map[string]string{"headers": "header one", "fields": "f1", "operation": "copy"},
			"Invalid value header one for configuration headers: The 'headers' value is invalid: Element(s) containing space not permitted"},
		{"whenNestedFieldContainsASpaceInNestedAddress", map[string]string{"headers": "headerOne", "fields": "after.field one", "operation": "copy"},
			"Invalid value after.field one for configuration fields: The 'fields' value is invalid: Element(s) containing space not permitted"},
		{"whenNestedFieldIsSeparatedWithADotAndASpace", map[string]string{"headers": "headerOne", "fields": "after. fieldOne", "operation": "copy"},
			"Invalid value after. fieldOne for configuration fields: The 'fields' value is invalid: Element(s) containing space not permitted"},
		{"no operation", map[string]string{"headers": "h1", "fields": "f1"},
			"Invalid value null for configuration operation: The 'operation' value is invalid: A value is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, errs := NewHeaderToValue(c.config)
			if tr != nil || len(errs) != 1 || errs[0].Message != c.want {
				t.Errorf("got %v, want %q", errs, c.want)
			}
		})
	}
	// Trailing empty elements are dropped and elements trimmed, as
	// Configuration.getList reads them.
	newH2V(t, map[string]string{"headers": " h1 , h2,", "fields": " f1, f2 ", "operation": " MOVE "})
}

func payloadOf(t *testing.T, r connect.SourceRecord) *schema.Struct {
	t.Helper()
	st, ok := r.Value.(*schema.Struct)
	if !ok || st.Schema != r.ValueSchema {
		t.Fatalf("value %#v", r.Value)
	}
	return st
}

// TestHeaderToValueCopyAndMove ports the copy and move cases of
// HeaderToValueTest (whenARecordThatContainsADefinedHeader…,
// leadingAndTrailingSpaces…, …OperationIsMove…, supportNestedField,
// notExistingHeader, notExistingNestedField,
// whenARecordNotContainsHeadersShouldBeSkipped (DBZ-6411),
// whenATombstoneRecordItShouldBeSkipped).
func TestHeaderToValueCopyAndMove(t *testing.T) {
	t.Run("copy", func(t *testing.T) {
		tr := newH2V(t, map[string]string{"headers": "h1,h2", "fields": "f1,f2", "operation": "copy"})
		in := productCreate(strHeader("h1", "this is a value from h1 header"), strHeader("h2", "this is a value from h2 header"))
		out, _, err := tr.Apply(in)
		if err != nil {
			t.Fatal(err)
		}
		p := payloadOf(t, out)
		if p.Get("f1") != "this is a value from h1 header" || p.Get("f2") != "this is a value from h2 header" {
			t.Errorf("payload %v", p.Values)
		}
		if p.Schema.Name != in.ValueSchema.Name || p.Schema.Optional || len(p.Schema.Fields) != 7 || p.Schema.Fields[5].Schema != schema.StringSchema {
			t.Errorf("schema %+v", p.Schema)
		}
		if !reflect.DeepEqual(out.Headers, in.Headers) {
			t.Errorf("copy changed headers: %v", out.Headers)
		}
		if len(in.Value.(*schema.Struct).Values) != 5 {
			t.Error("input changed")
		}
	})
	t.Run("trimmed", func(t *testing.T) {
		tr := newH2V(t, map[string]string{"headers": " h1 , h2", "fields": " f1, f2 ", "operation": "copy"})
		out, _, _ := tr.Apply(productCreate(listHeader("h1"), listHeader("h2")))
		p := payloadOf(t, out)
		if !reflect.DeepEqual(p.Get("f1"), []any{"v1", "v2"}) || !reflect.DeepEqual(p.Get("f2"), []any{"v1", "v2"}) {
			t.Errorf("payload %v", p.Values)
		}
		if p.Schema.Field("f1").Schema != stringArrayHeader {
			t.Errorf("f1 schema %+v", p.Schema.Field("f1").Schema)
		}
	})
	t.Run("move", func(t *testing.T) {
		tr := newH2V(t, map[string]string{"headers": "h1,h2,h3", "fields": "f1,f2,f3", "operation": "move"})
		in := productCreate(listHeader("h1"), listHeader("h2"), listHeader("h3"), listHeader("h4"))
		out, _, _ := tr.Apply(in)
		p := payloadOf(t, out)
		for _, f := range []string{"f1", "f2", "f3"} {
			if !reflect.DeepEqual(p.Get(f), []any{"v1", "v2"}) {
				t.Errorf("%s = %v", f, p.Get(f))
			}
		}
		if len(out.Headers) != 1 || out.Headers[0].Key != "h4" || len(in.Headers) != 4 {
			t.Errorf("headers %v (input %v)", out.Headers, in.Headers)
		}
	})
	t.Run("nested", func(t *testing.T) {
		tr := newH2V(t, map[string]string{"headers": "h1,h2,h3", "fields": "f1,after.f2,source.f3", "operation": "copy"})
		out, _, err := tr.Apply(productCreate(strHeader("h1", "this is a value from h1 header"), strHeader("h2", "this is a value from h2 header")))
		if err != nil {
			t.Fatal(err)
		}
		p := payloadOf(t, out)
		after := p.Get("after").(*schema.Struct)
		if p.Get("f1") != "this is a value from h1 header" || after.Get("f2") != "this is a value from h2 header" || after.Get("id") != int64(101) {
			t.Errorf("payload %v after %v", p.Values, after.Values)
		}
		if after.Schema != p.Schema.Field("after").Schema || !after.Schema.Optional || after.Schema.Name != productValue.Name {
			t.Errorf("after schema %+v", after.Schema)
		}
		// Only structs on a nested name's path are rebuilt.
		if p.Get("before") != nil || p.Schema.Field("before").Schema != productEnvelope.Fields[0].Schema {
			t.Errorf("before %v", p.Get("before"))
		}
	})
	for _, c := range []struct{ name, headers, fields string }{
		{"notExistingHeader", "h1,", "f1"},
		{"notExistingNestedField", "h1,", "parent.f1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := newH2V(t, map[string]string{"headers": c.headers, "fields": c.fields, "operation": "copy"})
			in := productCreate(strHeader("h2", "this is a value from h2 header"))
			out, _, _ := tr.Apply(in)
			if !reflect.DeepEqual(out, in) {
				t.Errorf("record changed: %+v", out)
			}
		})
	}
	t.Run("no headers, then headers", func(t *testing.T) {
		tr := newH2V(t, map[string]string{"headers": "h1", "fields": "f1", "operation": "copy"})
		in := productCreate()
		if out, _, _ := tr.Apply(in); !reflect.DeepEqual(out, in) {
			t.Errorf("record changed: %+v", out)
		}
		out, _, _ := tr.Apply(productCreate(listHeader("h1")))
		if !reflect.DeepEqual(payloadOf(t, out).Get("f1"), []any{"v1", "v2"}) {
			t.Errorf("payload %v", out.Value)
		}
	})
	t.Run("tombstone", func(t *testing.T) {
		tr := newH2V(t, map[string]string{"headers": "h1", "fields": "f1", "operation": "copy"})
		in := connect.SourceRecord{Topic: "topic", Headers: []connect.Header{listHeader("h1")}}
		if out, keep, err := tr.Apply(in); !keep || err != nil || !reflect.DeepEqual(out, in) {
			t.Errorf("tombstone: %+v %v", out, err)
		}
	})
}

// TestHeaderToValueErrors: a nested name under a missing or primitive
// field (ConnectRecordUtil.validateNestedFieldsExist), a value that is no
// struct, and a field the value already has.
func TestHeaderToValueErrors(t *testing.T) {
	for _, c := range []struct{ fields, want string }{
		{"after.id.x", "Field 'id' is a primitive type, not a struct. Cannot add nested field 'after.id.x'."},
		{"op", "Cannot create field because of field name duplication op"},
	} {
		tr := newH2V(t, map[string]string{"headers": "h1", "fields": c.fields, "operation": "copy"})
		_, _, err := tr.Apply(productCreate(strHeader("h1", "x")))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.fields, err, c.want)
		}
	}
	tr := newH2V(t, map[string]string{"headers": "h1", "fields": "f1", "operation": "copy"})
	_, _, err := tr.Apply(connect.SourceRecord{Topic: "t", ValueSchema: schema.StringSchema, Value: "x", Headers: []connect.Header{strHeader("h1", "x")}})
	if err == nil || !strings.Contains(err.Error(), "Only Struct objects supported for [Header field insertion], found: string") {
		t.Errorf("string value: %v", err)
	}
	// Records of one schema with different header schemas get different
	// value schemas.
	a, _, _ := tr.Apply(productCreate(strHeader("h1", "x")))
	b, _, _ := tr.Apply(productCreate(listHeader("h1")))
	c, _, _ := tr.Apply(productCreate(strHeader("h1", "y")))
	if a.ValueSchema == b.ValueSchema || a.ValueSchema != c.ValueSchema {
		t.Error("value schemas not derived per header schema")
	}
}
