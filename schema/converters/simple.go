package converters

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/jsonconv"
)

// StringConverter is Kafka's StringConverter: the value's string form in
// UTF-8 (converter.encoding, the only encoding supported), schema ignored.
type StringConverter struct{}

// utf8Only accepts the names Java gives UTF-8.
var utf8Only = configdef.Func("UTF-8", func(name string, v any) error {
	if s, _ := v.(string); !strings.EqualFold(strings.ReplaceAll(s, "-", ""), "UTF8") {
		return configdef.Invalid(name, v, "only UTF8 is supported")
	}
	return nil
})

// StringConfigDef is StringConverterConfig.configDef().
var StringConfigDef = configdef.Define(converterTypeKey(),
	configdef.Key{Name: "converter.encoding", Type: configdef.TypeString, Default: "UTF-8", Validator: utf8Only,
		Importance: configdef.ImportanceHigh, Documentation: "The name of the Java character set to use for encoding strings as byte arrays.",
		Order: -1, Width: configdef.WidthMedium, DisplayName: "Encoding"})

// ByteArrayConfigDef is ByteArrayConverter's ConverterConfig.newConfigDef().
var ByteArrayConfigDef = configdef.Define(converterTypeKey())

func converterTypeKey() configdef.Key {
	k, _ := jsonconv.ConfigDef.Key(jsonconv.ConverterTypeConfig)
	return k
}

func newStringConverter(props map[string]string) (StringConverter, error) {
	props = maps.Clone(props)
	if props == nil {
		props = map[string]string{}
	}
	if _, ok := props[jsonconv.ConverterTypeConfig]; !ok {
		props[jsonconv.ConverterTypeConfig] = "value"
	}
	if _, errs := StringConfigDef.Parse(props); len(errs) > 0 {
		return StringConverter{}, &configdef.Exception{Message: errs[0].Message}
	}
	// StringConverter.configure also hands serializer.encoding to its
	// StringSerializer.
	if v, ok := props["serializer.encoding"]; ok {
		if err := utf8Only.EnsureValid("serializer.encoding", v); err != nil {
			return StringConverter{}, err
		}
	}
	return StringConverter{}, nil
}

// FromConnect writes v's string form; nil stays a Kafka null.
func (StringConverter) FromConnect(_ string, _ *schema.Schema, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []byte(x), nil
	case []byte:
		return append([]byte(nil), x...), nil
	case bool:
		return strconv.AppendBool(nil, x), nil
	case int8, int16, int32, int64, int:
		return fmt.Appendf(nil, "%d", x), nil
	case float32:
		return strconv.AppendFloat(nil, float64(x), 'g', -1, 32), nil
	case float64:
		return strconv.AppendFloat(nil, x, 'g', -1, 64), nil
	case fmt.Stringer:
		return []byte(x.String()), nil
	}
	return fmt.Appendf(nil, "%v", v), nil
}

// ByteArrayConverter is Kafka's ByteArrayConverter: bytes pass through; a
// schema other than bytes is an error.
type ByteArrayConverter struct{}

// FromConnect passes []byte through; nil stays a Kafka null.
func (ByteArrayConverter) FromConnect(topic string, s *schema.Schema, v any) ([]byte, error) {
	if s != nil && s.Type != schema.TypeBytes {
		return nil, fmt.Errorf("converting data for topic %q: invalid schema type for ByteArrayConverter: %s", topic, s.Type)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		return x, nil
	}
	return nil, fmt.Errorf("converting data for topic %q: ByteArrayConverter is not compatible with objects of type %T", topic, v)
}
