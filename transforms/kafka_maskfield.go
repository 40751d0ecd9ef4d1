package transforms

import (
	"fmt"
	"math/big"
	"time"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// Property of MaskField (MaskField.java).
const propReplacement = "replacement"

// maskField is MaskField$Key or MaskField$Value: the named fields of a
// struct are replaced by their type's empty value (0, false, "", the epoch,
// an empty array or map) or by a replacement converted to their type.
type maskField struct {
	side                   side
	class                  string
	fields                 map[string]bool
	replacement            *string
	replaceNullWithDefault bool
}

// newMaskField returns the constructor of MaskField$Key or $Value, which
// parses MaskFieldDef.
func newMaskField(s side) func(map[string]string) (connect.Transformation, []connect.ConfigError) {
	return func(config map[string]string) (connect.Transformation, []connect.ConfigError) {
		v, errs := MaskFieldDef.Parse(config)
		if len(errs) > 0 {
			return nil, errs
		}
		t := &maskField{side: s, class: s.class(MaskFieldKeyClass, MaskFieldValueClass), fields: map[string]bool{},
			replaceNullWithDefault: v.Bool(propReplaceNullWithDefault)}
		for _, f := range v.List(propFields) {
			t.fields[f] = true
		}
		if v.Get(propReplacement) != nil {
			r := v.String(propReplacement)
			t.replacement = &r
		}
		return t, nil
	}
}

func (t *maskField) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	sch, v := t.side.get(r)
	if sch == nil && v == nil {
		// Kafka's requireMap fails on a schemaless null; with no schema a
		// tombstone's value or a null key has nothing to mask.
		return r, true, nil
	}
	st, err := requireStruct(t.class, "mask fields", sch, v)
	if err != nil {
		return r, false, err
	}
	out := schema.NewStruct(st.Schema)
	for i, f := range st.Schema.Fields {
		fv := fieldValue(st, i, t.replaceNullWithDefault)
		if t.fields[f.Name] && fv != nil {
			if fv, err = t.mask(f.Schema, fv); err != nil {
				return r, false, fmt.Errorf("%s: %w", t.class, err)
			}
		}
		out.Values[i] = fv
	}
	t.side.set(&r, st.Schema, out)
	return r, true, nil
}

// mask is MaskField.masked for a non-null value.
func (t *maskField) mask(s *schema.Schema, v any) (any, error) {
	if t.replacement == nil {
		return maskedValue(s, v)
	}
	return maskReplacement(s, v, *t.replacement)
}

// maskedValue is MaskField.maskWithNullValue: the empty value of v's type.
func maskedValue(s *schema.Schema, v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return false, nil
	case int8:
		return int8(0), nil
	case int16:
		return int16(0), nil
	case int32:
		return int32(0), nil
	case int64:
		return int64(0), nil
	case float32:
		return float32(0), nil
	case float64:
		return float64(0), nil
	case string:
		return "", nil
	case time.Time:
		return time.UnixMilli(0).UTC(), nil
	case schema.Decimal:
		// BigDecimal.ZERO; at the field's scale, which the Decimal
		// converters require of a value.
		return schema.Decimal{Unscaled: new(big.Int), Scale: x.Scale}, nil
	case []any:
		return []any{}, nil
	case map[string]any, map[string]string, map[any]any, schema.OrderedMap:
		return map[string]any{}, nil
	}
	return nil, fmt.Errorf("Cannot mask value of type: %s", maskTypeName(s, v))
}

// maskReplacement is MaskField.maskWithCustomReplacement: the replacement
// converted to a number of v's type as Values.convertToLong and
// convertToDouble convert a string (new BigDecimal(s), then narrowed), or
// kept as a string.
func maskReplacement(s *schema.Schema, v any, repl string) (any, error) {
	var r *big.Rat
	parse := func() error {
		if !javaDecimalText(repl) {
			return fmt.Errorf("Unable to convert %s (class java.lang.String) to number", repl)
		}
		r, _ = new(big.Rat).SetString(repl)
		return nil
	}
	switch x := v.(type) {
	case string:
		return repl, nil
	case int8, int16, int32, int64:
		if err := parse(); err != nil {
			return nil, err
		}
		n := int64(lowBits64(new(big.Int).Quo(r.Num(), r.Denom())))
		return narrowInt(n, s.Type), nil
	case float32:
		if err := parse(); err != nil {
			return nil, err
		}
		f, _ := r.Float32()
		return f, nil
	case float64:
		if err := parse(); err != nil {
			return nil, err
		}
		f, _ := r.Float64()
		return f, nil
	case schema.Decimal:
		if err := parse(); err != nil {
			return nil, err
		}
		// new BigDecimal(replacement), at the field's scale, which the
		// Decimal converters require of a value.
		scaled := new(big.Rat).Mul(r, decimalRat(schema.Decimal{Unscaled: big.NewInt(1), Scale: -x.Scale}))
		if !scaled.IsInt() {
			return nil, fmt.Errorf("Unable to convert %s (class java.lang.String) to a decimal of scale %d", repl, x.Scale)
		}
		return schema.Decimal{Unscaled: new(big.Int).Set(scaled.Num()), Scale: x.Scale}, nil
	}
	return nil, fmt.Errorf("Cannot mask value of type %s with custom replacement.", maskTypeName(s, v))
}

// maskTypeName is the Java class of a value of schema s, for messages.
func maskTypeName(s *schema.Schema, v any) string {
	switch v.(type) {
	case bool:
		return "class java.lang.Boolean"
	case time.Time:
		return "class java.util.Date"
	case []byte:
		return "class [B"
	case []any:
		return "class java.util.ArrayList"
	case *schema.Struct:
		return "class org.apache.kafka.connect.data.Struct"
	}
	return fmt.Sprintf("%s (%T)", s.Type, v)
}
