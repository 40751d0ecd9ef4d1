package converters

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tributary-cdc/tributary/schema"
)

// StringConverter is Kafka's StringConverter: the value's string form in
// UTF-8 (converter.encoding, the only encoding supported), schema ignored.
type StringConverter struct{}

func newStringConverter(props map[string]string) (StringConverter, error) {
	for _, k := range []string{"converter.encoding", "serializer.encoding"} {
		if v, ok := props[k]; ok && !strings.EqualFold(strings.ReplaceAll(v, "-", ""), "UTF8") {
			return StringConverter{}, fmt.Errorf("invalid value %s for configuration %s: only UTF8 is supported", v, k)
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
