package avro

import (
	"bytes"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// TestWireFormat checks the Confluent framing byte by byte (debezium.md
// §5.2): magic 0, 4-byte big-endian id, then the Avro body (id 1 is the
// zigzag varint 0x02).
func TestWireFormat(t *testing.T) {
	s, v := connectFromJSON(t, readFile(t, "connect-customers-key.json"))
	c, err := NewCodec(s, DefaultSchemaOptions)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.AppendBinary(AppendHeader(nil, 0x01020304), v)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 1, 2, 3, 4, 0x02}; !bytes.Equal(got, want) {
		t.Errorf("got % x, want % x", got, want)
	}
	id, body, err := ParseHeader(got)
	if err != nil || id != 0x01020304 || !bytes.Equal(body, []byte{2}) {
		t.Errorf("ParseHeader = %d, % x, %v", id, body, err)
	}
	if _, _, err := ParseHeader([]byte{1, 0, 0, 0, 1}); err == nil {
		t.Error("magic byte 1 accepted")
	}
}

// TestOptionalAndDefaultEncoding checks union branch indexes and the
// null-to-default rule: ["null","string"] null → 0x00; "hi" → 0x02 then
// the string; an optional field with a default is [T,"null"], so null is
// written as the default in branch 0.
func TestOptionalAndDefaultEncoding(t *testing.T) {
	snap := &schema.Schema{Type: schema.TypeString, Optional: true, Name: "io.debezium.data.Enum", Version: 1,
		Params: []schema.Param{{Key: "allowed", Value: "true,false"}}, Default: "false", HasDefault: true}
	s := schema.StructOf("r.V", false, schema.NewField("a", schema.OptionalStringSchema), schema.NewField("snap", snap))
	c, err := NewCodec(s, DefaultSchemaOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		vals []any
		want []byte
	}{
		{[]any{nil, nil}, []byte{0x00, 0x00, 0x0a, 'f', 'a', 'l', 's', 'e'}},
		{[]any{"hi", "true"}, []byte{0x02, 0x04, 'h', 'i', 0x00, 0x08, 't', 'r', 'u', 'e'}},
	} {
		got, err := c.AppendBinary(nil, &schema.Struct{Schema: s, Values: tc.vals})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%v: got % x, want % x", tc.vals, got, tc.want)
		}
	}
	c.useDefaultForNull = false
	if got, _ := c.AppendBinary(nil, &schema.Struct{Schema: s, Values: []any{nil, nil}}); !bytes.Equal(got, []byte{0, 0x02}) {
		t.Errorf("ignore.default.for.nullables: got % x, want 00 02", got)
	}
}
