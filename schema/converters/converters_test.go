package converters

import (
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

func TestNewByClass(t *testing.T) {
	for _, class := range Classes {
		props := map[string]string{}
		if class == AvroClass {
			props["schema.registry.url"] = "http://127.0.0.1:1"
		}
		if _, err := New(class, props, false); err != nil {
			t.Errorf("%s: %v", class, err)
		}
	}
	if _, err := New("com.example.Nope", nil, false); err == nil || !strings.Contains(err.Error(), "com.example.Nope") {
		t.Errorf("unknown class: err = %v", err)
	}
	// Without schema.registry.url an AvroConverter needs the embedded registry.
	if _, err := New(AvroClass, nil, false); err == nil || !strings.Contains(err.Error(), "schema.registry.url") {
		t.Errorf("Avro without registry: err = %v", err)
	}
	f := &Factory{EmbeddedRegistryURL: "http://127.0.0.1:8081"}
	if _, err := f.New(AvroClass, nil, true); err != nil {
		t.Errorf("Avro with the embedded registry: %v", err)
	}
	for _, bad := range []map[string]string{
		{"schema.registry.url": "http://x", "auto.register.schemas": "maybe"},
		{"schema.registry.url": "http://x", "value.subject.name.strategy": "com.example.Strategy"},
		{"schema.registry.url": "http://x", "basic.auth.credentials.source": "USER_INFO"},
	} {
		if _, err := f.New(AvroClass, bad, false); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestStringAndByteArray(t *testing.T) {
	sc, _ := New(StringClass, nil, false)
	for _, tc := range []struct {
		v    any
		want string
	}{{"héllo", "héllo"}, {int32(42), "42"}, {true, "true"}, {1.5, "1.5"}} {
		got, err := sc.FromConnect("t", nil, tc.v)
		if err != nil || string(got) != tc.want {
			t.Errorf("StringConverter(%v) = %q, %v", tc.v, got, err)
		}
	}
	if got, err := sc.FromConnect("t", nil, nil); got != nil || err != nil {
		t.Errorf("StringConverter(nil) = %v, %v", got, err)
	}
	bc, _ := New(ByteArrayClass, nil, false)
	if got, err := bc.FromConnect("t", schema.BytesSchema, []byte{1, 2}); err != nil || string(got) != "\x01\x02" {
		t.Errorf("ByteArrayConverter = %v, %v", got, err)
	}
	if _, err := bc.FromConnect("t", schema.StringSchema, "x"); err == nil {
		t.Error("ByteArrayConverter accepted a string schema")
	}
}
