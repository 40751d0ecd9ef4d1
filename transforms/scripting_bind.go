package transforms

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/schema"
)

// binder exposes Connect data to an expression as GraalJsEngine does:
// structs as read-only objects whose properties are their fields
// (asProxyObject), the headers as an object of {value, schema} by key (the
// last header of a key wins, as in the HashMap Debezium fills), and the
// schemas as objects with the methods of Kafka's Schema that expressions
// call (name(), type(), field(name).schema(), …).
type binder struct {
	vm *goja.Runtime
}

const readOnlyRecord = "Record attributes must not be modified from within this transformation"

// value converts a Connect value to a JavaScript value: numbers, strings
// and booleans as themselves, structs as read-only objects, arrays as
// arrays, maps as objects keyed by the map's keys, bytes as base64 text,
// decimals as their plain decimal text, dates as JavaScript Dates.
func (b binder) value(v any) goja.Value {
	switch x := v.(type) {
	case nil:
		return goja.Null()
	case *schema.Struct:
		return b.vm.NewDynamicObject(structObject{b: b, st: x})
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = b.value(e)
		}
		return b.vm.NewArray(out...)
	case []byte:
		return b.vm.ToValue(base64.StdEncoding.EncodeToString(x))
	case schema.Decimal:
		return b.vm.ToValue(decimalText(x))
	case time.Time:
		d, err := b.vm.New(b.vm.Get("Date"), b.vm.ToValue(x.UnixMilli()))
		if err != nil {
			return b.vm.ToValue(x.UnixMilli())
		}
		return d
	case schema.OrderedMap:
		obj := b.vm.NewObject()
		for _, e := range x {
			_ = obj.Set(mapKey(e.Key), b.value(e.Value))
		}
		return obj
	case map[any]any:
		obj := b.vm.NewObject()
		for k, e := range x {
			_ = obj.Set(mapKey(k), b.value(e))
		}
		return obj
	case map[string]any:
		obj := b.vm.NewObject()
		for k, e := range x {
			_ = obj.Set(k, b.value(e))
		}
		return obj
	}
	return b.vm.ToValue(v)
}

func mapKey(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	return fmt.Sprint(k)
}

// decimalText is BigDecimal.toPlainString.
func decimalText(d schema.Decimal) string {
	if d.Unscaled == nil {
		return "0"
	}
	s := d.Unscaled.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	scale := int(d.Scale)
	switch {
	case scale <= 0:
		s += strings.Repeat("0", -scale)
	case len(s) > scale:
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	default:
		s = "0." + strings.Repeat("0", scale-len(s)) + s
	}
	if neg {
		s = "-" + s
	}
	return s
}

// structObject is GraalJsEngine.asProxyObject(Struct).
type structObject struct {
	b  binder
	st *schema.Struct
}

func (o structObject) Get(key string) goja.Value {
	f := o.st.Schema.Field(key)
	if f == nil {
		return nil
	}
	return o.b.value(o.st.Values[f.Index])
}

func (o structObject) Set(string, goja.Value) bool {
	panic(o.b.vm.NewTypeError(readOnlyRecord))
}

func (o structObject) Has(key string) bool { return o.st.Schema.Field(key) != nil }

func (o structObject) Delete(string) bool {
	panic(o.b.vm.NewTypeError(readOnlyRecord))
}

func (o structObject) Keys() []string {
	keys := make([]string, len(o.st.Schema.Fields))
	for i, f := range o.st.Schema.Fields {
		keys[i] = f.Name
	}
	return keys
}

// headers is GraalJsEngine.headers: an object of RecordHeader {value,
// schema} by header key.
func (b binder) headers(hs []connect.Header) goja.Value {
	byKey := make(map[string]connect.Header, len(hs))
	keys := make([]string, 0, len(hs))
	for _, h := range hs {
		if _, seen := byKey[h.Key]; !seen {
			keys = append(keys, h.Key)
		}
		byKey[h.Key] = h
	}
	return b.vm.NewDynamicObject(headersObject{b: b, byKey: byKey, keys: keys})
}

type headersObject struct {
	b     binder
	byKey map[string]connect.Header
	keys  []string
}

func (o headersObject) Get(key string) goja.Value {
	h, ok := o.byKey[key]
	if !ok {
		return nil
	}
	rh := o.b.vm.NewObject()
	_ = rh.Set("value", o.b.value(h.Value))
	_ = rh.Set("schema", o.b.schema(h.Schema))
	return rh
}

func (o headersObject) Set(string, goja.Value) bool {
	panic(o.b.vm.NewTypeError(readOnlyRecord))
}

func (o headersObject) Has(key string) bool { _, ok := o.byKey[key]; return ok }

func (o headersObject) Delete(string) bool {
	panic(o.b.vm.NewTypeError(readOnlyRecord))
}

func (o headersObject) Keys() []string { return o.keys }

// schema exposes a Connect schema with the accessors of Kafka's Schema:
// type() (the Schema.Type constant's name, e.g. "STRUCT"), name(),
// version(), doc(), isOptional(), defaultValue(), parameters(), fields(),
// field(name) (with name(), index(), schema()), keySchema(), valueSchema().
func (b binder) schema(s *schema.Schema) goja.Value {
	if s == nil {
		return goja.Null()
	}
	vm := b.vm
	obj := vm.NewObject()
	set := func(name string, fn func() any) {
		_ = obj.Set(name, func(goja.FunctionCall) goja.Value {
			v := fn()
			if gv, ok := v.(goja.Value); ok {
				return gv
			}
			return vm.ToValue(v)
		})
	}
	set("type", func() any { return strings.ToUpper(s.Type.String()) })
	set("name", func() any {
		if s.Name == "" {
			return goja.Null()
		}
		return s.Name
	})
	set("version", func() any {
		if s.Version == 0 {
			return goja.Null()
		}
		return s.Version
	})
	set("doc", func() any {
		if s.Doc == "" {
			return goja.Null()
		}
		return s.Doc
	})
	set("isOptional", func() any { return s.Optional })
	set("defaultValue", func() any {
		if !s.HasDefault {
			return goja.Null()
		}
		return b.value(s.Default)
	})
	set("parameters", func() any {
		if len(s.Params) == 0 {
			return goja.Null()
		}
		p := vm.NewObject()
		for _, kv := range s.Params {
			_ = p.Set(kv.Key, kv.Value)
		}
		return p
	})
	field := func(f *schema.Field) goja.Value {
		fo := vm.NewObject()
		_ = fo.Set("name", func(goja.FunctionCall) goja.Value { return vm.ToValue(f.Name) })
		_ = fo.Set("index", func(goja.FunctionCall) goja.Value { return vm.ToValue(f.Index) })
		_ = fo.Set("schema", func(goja.FunctionCall) goja.Value { return b.schema(f.Schema) })
		return fo
	}
	_ = obj.Set("field", func(c goja.FunctionCall) goja.Value {
		if s.Type != schema.TypeStruct {
			panic(vm.NewTypeError("Cannot look up fields on non-struct type"))
		}
		f := s.Field(c.Argument(0).String())
		if f == nil {
			return goja.Null()
		}
		return field(f)
	})
	_ = obj.Set("fields", func(goja.FunctionCall) goja.Value {
		if s.Type != schema.TypeStruct {
			panic(vm.NewTypeError("Cannot list fields on non-struct type"))
		}
		out := make([]any, len(s.Fields))
		for i := range s.Fields {
			out[i] = field(&s.Fields[i])
		}
		return vm.NewArray(out...)
	})
	set("keySchema", func() any { return b.schema(s.Keys) })
	set("valueSchema", func() any {
		if s.Type == schema.TypeArray {
			return b.schema(s.Items)
		}
		return b.schema(s.Values)
	})
	return obj
}
