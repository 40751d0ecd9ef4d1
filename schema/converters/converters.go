package converters

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/avro"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
	"github.com/tributary-cdc/tributary/schema/registry"
)

// Converter class names, as Kafka Connect and Confluent spell them.
const (
	JSONClass      = "org.apache.kafka.connect.json.JsonConverter"
	AvroClass      = "io.confluent.connect.avro.AvroConverter"
	StringClass    = "org.apache.kafka.connect.storage.StringConverter"
	ByteArrayClass = "org.apache.kafka.connect.converters.ByteArrayConverter"
)

// Classes are the converter classes Tributary provides, in the order GET
// /connector-plugins lists them.
var Classes = []string{AvroClass, JSONClass, ByteArrayClass, StringClass}

// Converter turns a Connect value into record bytes.
type Converter interface {
	FromConnect(topic string, s *schema.Schema, v any) ([]byte, error)
}

// New builds a converter without an embedded registry: an AvroConverter
// needs schema.registry.url.
func New(class string, props map[string]string, isKey bool) (Converter, error) {
	return (&Factory{}).New(class, props, isKey)
}

// Factory builds converters. Registry clients are shared between the
// converters that point at the same registry, so their caches are too.
type Factory struct {
	// EmbeddedRegistryURL is used by AvroConverters without
	// schema.registry.url; "" means there is no embedded registry.
	EmbeddedRegistryURL string
	// EmbeddedRegistryUserInfo (user:password) authenticates the
	// AvroConverters that use the embedded registry without credentials of
	// their own; "" when the embedded registry needs none.
	EmbeddedRegistryUserInfo string

	mu      sync.Mutex
	clients map[string]*registry.Client
}

// New builds the converter of class from its properties (prefix
// "key.converter."/"value.converter." stripped). An unknown class or a bad
// property is an error naming it.
func (f *Factory) New(class string, props map[string]string, isKey bool) (Converter, error) {
	switch strings.TrimSpace(class) {
	case JSONClass:
		return jsonconv.New(props, isKey)
	case AvroClass:
		opts, err := avro.ParseRegistryOptions(props, f.EmbeddedRegistryURL)
		if err != nil {
			return nil, err
		}
		if f.EmbeddedRegistryUserInfo != "" && strings.TrimSpace(props[avro.RegistryURLConfig]) == "" &&
			opts.UserInfo == "" && opts.BearerToken == "" {
			opts.UserInfo = f.EmbeddedRegistryUserInfo
			opts.Key += "\x00embedded registry credentials"
		}
		client, err := f.client(opts)
		if err != nil {
			return nil, err
		}
		return avro.New(props, isKey, client)
	case StringClass:
		return newStringConverter(props)
	case ByteArrayClass:
		return ByteArrayConverter{}, nil
	}
	return nil, fmt.Errorf("class %s could not be found", class)
}

// ConfigDef returns the properties of a converter class (Converter.config()),
// or nil for a class Tributary does not provide.
func ConfigDef(class string) *configdef.Def {
	switch strings.TrimSpace(class) {
	case JSONClass:
		return jsonconv.ConfigDef
	case AvroClass:
		return avro.ConfigDef
	case StringClass:
		return StringConfigDef
	case ByteArrayClass:
		return ByteArrayConfigDef
	}
	return nil
}

func (f *Factory) client(opts avro.Options) (*registry.Client, error) {
	key := opts.Key
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[key]; ok {
		return c, nil
	}
	c, err := registry.New(registry.Config{URLs: opts.URLs, UserInfo: opts.UserInfo, BearerToken: opts.BearerToken,
		Headers: opts.BearerHeaders, TLS: opts.TLS})
	if err != nil {
		return nil, err
	}
	if f.clients == nil {
		f.clients = map[string]*registry.Client{}
	}
	f.clients[key] = c
	return c, nil
}
