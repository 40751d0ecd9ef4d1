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

// TestConfigMessages pins the converters' refusals, worded as Kafka's
// ConfigException (ConfigDef.parseType and the validators) words them.
func TestConfigMessages(t *testing.T) {
	f := &Factory{EmbeddedRegistryURL: "http://127.0.0.1:8081"}
	for _, c := range []struct {
		class string
		props map[string]string
		want  string
	}{
		{AvroClass, map[string]string{"auto.register.schemas": "maybe"},
			"Invalid value maybe for configuration auto.register.schemas: Expected value to be either true or false"},
		{AvroClass, map[string]string{"value.subject.name.strategy": "com.example.Strategy"},
			"Invalid value com.example.Strategy for configuration value.subject.name.strategy: Class com.example.Strategy could not be found."},
		{AvroClass, map[string]string{"basic.auth.credentials.source": "USER_INFO"},
			"Invalid value USER_INFO for configuration basic.auth.credentials.source: USER_INFO needs basic.auth.user.info"},
		{AvroClass, map[string]string{"scrub.invalid.names": "true"},
			"Invalid value true for configuration scrub.invalid.names: only false is supported"},
		{JSONClass, map[string]string{"decimal.format": "hex"},
			"Invalid value hex for configuration decimal.format: String must be one of (case insensitive): NUMERIC, BASE64"},
		{StringClass, map[string]string{"converter.encoding": "latin1"},
			"Invalid value latin1 for configuration converter.encoding: only UTF8 is supported"},
	} {
		_, err := f.New(c.class, c.props, false)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s %v: error %v, want %q", c.class, c.props, err, c.want)
		}
	}
	if _, err := New(AvroClass, nil, false); err == nil || err.Error() != `Missing required configuration "schema.registry.url" which has no default value.` {
		t.Errorf("Avro without a registry: %v", err)
	}
	for _, class := range Classes {
		if ConfigDef(class) == nil {
			t.Errorf("%s has no ConfigDef", class)
		}
	}
}
