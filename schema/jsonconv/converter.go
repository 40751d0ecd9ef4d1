package jsonconv

import (
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/schema"
)

// Configuration keys, without the "key.converter."/"value.converter." prefix
// (connect/json/JsonConverterConfig.java).
const (
	SchemasEnableConfig          = "schemas.enable"
	DecimalFormatConfig          = "decimal.format"
	ReplaceNullWithDefaultConfig = "replace.null.with.default"
	SchemasCacheSizeConfig       = "schemas.cache.size"
)

// Values of decimal.format.
const (
	DecimalFormatBase64  = "BASE64"
	DecimalFormatNumeric = "NUMERIC"
)

const (
	defaultCacheSize = 1000
	// maxPooledBuffer keeps one oversized record from pinning its buffer.
	maxPooledBuffer = 1 << 20
)

// Converter converts between Connect data and JsonConverter bytes. Build it
// with New; it is safe for concurrent use.
type Converter struct {
	schemasEnabled bool
	numeric        bool // decimal.format=NUMERIC
	replaceNull    bool // replace.null.with.default
	isKey          bool

	fromCache *pointerCache // *schema.Schema → its JSON and field keys
	toCache   *jsonCache    // schema JSON → *schema.Schema
	bufs      sync.Pool     // *[]byte scratch buffers for FromConnect
}

// ConverterTypeConfig is ConverterConfig.TYPE_CONFIG, which the runtime
// sets to key, value or header.
const ConverterTypeConfig = "converter.type"

// ConfigDef is JsonConverterConfig.configDef(): ConverterConfig's
// converter.type, then the Schemas and Serialization groups.
var ConfigDef = configdef.Define(
	configdef.Key{Name: ConverterTypeConfig, Type: configdef.TypeString, Default: configdef.NoDefault,
		Validator: configdef.In("key", "value", "header"), Importance: configdef.ImportanceLow,
		Documentation: "How this converter will be used.", Width: configdef.WidthNone},
	configdef.Key{Name: SchemasEnableConfig, Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceHigh,
		Documentation: "Include schemas within each of the serialized values and keys.",
		Group:         "Schemas", Order: 0, Width: configdef.WidthMedium, DisplayName: "Enable Schemas"},
	configdef.Key{Name: SchemasCacheSizeConfig, Type: configdef.TypeInt, Default: defaultCacheSize, Importance: configdef.ImportanceHigh,
		Documentation: "The maximum number of schemas that can be cached in this converter instance.",
		Group:         "Schemas", Order: 1, Width: configdef.WidthMedium, DisplayName: "Schema Cache Size"},
	configdef.Key{Name: DecimalFormatConfig, Type: configdef.TypeString, Default: DecimalFormatBase64,
		Validator:  configdef.InIgnoreCase(DecimalFormatBase64, DecimalFormatNumeric),
		Importance: configdef.ImportanceLow,
		Documentation: "Controls which format this converter will serialize decimals in." +
			" This value is case insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
		Group: "Serialization", Order: 0, Width: configdef.WidthMedium, DisplayName: "Decimal Format"},
	configdef.Key{Name: ReplaceNullWithDefaultConfig, Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceLow,
		Documentation: "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
		Group:         "Serialization", Order: 1, Width: configdef.WidthMedium, DisplayName: "Replace null with default"},
)

// New builds a converter from converter properties with the
// "key.converter."/"value.converter." prefix already stripped, parsed by
// ConfigDef (converter.type defaults to key or value after isKey, as the
// worker sets it). schemas.cache.size bounds each schema cache. Unknown
// properties are ignored; a bad value is an error naming the property,
// worded as Kafka's ConfigException.
func New(props map[string]string, isKey bool) (*Converter, error) {
	props = withConverterType(props, isKey)
	v, errs := ConfigDef.Parse(props)
	if len(errs) > 0 {
		return nil, &configdef.Exception{Message: errs[0].Message}
	}
	c := &Converter{
		schemasEnabled: v.Bool(SchemasEnableConfig),
		numeric:        strings.EqualFold(v.String(DecimalFormatConfig), DecimalFormatNumeric),
		replaceNull:    v.Bool(ReplaceNullWithDefaultConfig),
		isKey:          isKey,
	}
	size := max(v.Int(SchemasCacheSizeConfig), 1)
	c.fromCache = &pointerCache{m: make(map[*schema.Schema]*schemaEntry), max: size}
	c.toCache = &jsonCache{m: make(map[string]*schema.Schema), max: size}
	c.bufs.New = func() any { b := make([]byte, 0, 1024); return &b }
	return c, nil
}

// withConverterType returns props with converter.type set as the worker
// sets it (Worker.newConverter puts it when absent).
func withConverterType(props map[string]string, isKey bool) map[string]string {
	if _, ok := props[ConverterTypeConfig]; ok {
		return props
	}
	out := maps.Clone(props)
	if out == nil {
		out = map[string]string{}
	}
	out[ConverterTypeConfig] = "value"
	if isKey {
		out[ConverterTypeConfig] = "key"
	}
	return out
}

// SchemasEnabled reports whether records carry the schema envelope.
func (c *Converter) SchemasEnabled() bool { return c.schemasEnabled }

// IsKey reports whether the converter was configured for record keys.
func (c *Converter) IsKey() bool { return c.isKey }

// FromConnect serialises a Connect value the way JsonConverter.fromConnectData
// does. s == nil && v == nil returns nil: a Kafka null (tombstone). s == nil
// with a value writes it schemaless (and "schema":null in the envelope). The
// returned slice is the caller's.
//
// The record is written into a pooled scratch buffer (AppendConnect) and
// copied out at its exact size: one allocation per record.
func (c *Converter) FromConnect(topic string, s *schema.Schema, v any) ([]byte, error) {
	bp := c.bufs.Get().(*[]byte)
	out, err := c.AppendConnect((*bp)[:0], topic, s, v)
	var res []byte
	if out != nil {
		res = make([]byte, len(out))
		copy(res, out)
	}
	if cap(out) <= maxPooledBuffer && cap(out) >= cap(*bp) {
		*bp = out[:0]
	}
	c.bufs.Put(bp)
	return res, err
}

// AppendConnect is FromConnect writing into dst: it appends the record to
// dst and returns the extended buffer, so that a caller that reuses its
// buffers allocates nothing per record. A Kafka null is a nil slice,
// whatever dst; on an error the slice is nil too.
//
// The envelope's constant head, {"schema":…,"payload":, is rendered once
// per schema (schemaEntry.head); a record is its head, its payload and a
// closing brace.
func (c *Converter) AppendConnect(dst []byte, topic string, s *schema.Schema, v any) ([]byte, error) {
	if s == nil && v == nil {
		return nil, nil
	}
	e := encoder{numeric: c.numeric, replaceNull: c.replaceNull}
	head := nullSchemaHead
	if s != nil {
		ent, err := c.schemaEntry(s)
		if err != nil {
			return nil, fmt.Errorf("converting Connect data for topic %q to JSON: %w", topic, err)
		}
		e.keys, head = ent.keys, ent.head
	}
	if c.schemasEnabled {
		dst = append(dst, head...)
	}
	dst, err := e.appendValue(dst, s, v)
	if err != nil {
		return nil, fmt.Errorf("converting Connect data for topic %q to JSON: %w", topic, err)
	}
	if c.schemasEnabled {
		dst = append(dst, '}')
	}
	return dst, nil
}

// nullSchemaHead is the envelope head of a value without a schema.
var nullSchemaHead = []byte(`{"schema":null,"payload":`)

// schemaEntry is what FromConnect derives once from a record schema.
// It is immutable once cached.
type schemaEntry struct {
	// head is the envelope up to the payload, {"schema":…,"payload":;
	// nil when schemas.enable=false.
	head []byte
	keys map[*schema.Schema][][]byte
}

// schemaEntry returns the cached entry of s, building it on first use.
func (c *Converter) schemaEntry(s *schema.Schema) (*schemaEntry, error) {
	if ent, ok := c.fromCache.get(s); ok {
		return ent, nil
	}
	ent := &schemaEntry{keys: make(map[*schema.Schema][][]byte)}
	fieldKeys(s, ent.keys)
	if c.schemasEnabled {
		// Java never serialises the schema without the envelope, so a
		// schema it could not serialise fails only in envelope mode.
		e := encoder{numeric: c.numeric, replaceNull: c.replaceNull}
		js, err := e.appendSchema(nil, s)
		if err != nil {
			return nil, fmt.Errorf("serialising schema: %w", err)
		}
		head := make([]byte, 0, len(`{"schema":,"payload":`)+len(js))
		head = append(head, `{"schema":`...)
		head = append(head, js...)
		ent.head = append(head, `,"payload":`...)
	}
	c.fromCache.put(s, ent)
	return ent, nil
}

// pointerCache maps schemas to their entries. It is bounded: when full, an
// arbitrary entry makes room (Go's map iteration order is random).
type pointerCache struct {
	mu  sync.RWMutex
	m   map[*schema.Schema]*schemaEntry
	max int
}

func (c *pointerCache) get(s *schema.Schema) (*schemaEntry, bool) {
	c.mu.RLock()
	ent, ok := c.m[s]
	c.mu.RUnlock()
	return ent, ok
}

func (c *pointerCache) put(s *schema.Schema, js *schemaEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[s]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[s] = js
}

func (c *pointerCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

// jsonCache maps schema JSON text to the schema parsed from it, so records
// that share a schema share one *schema.Schema.
type jsonCache struct {
	mu  sync.RWMutex
	m   map[string]*schema.Schema
	max int
}

func (c *jsonCache) get(raw []byte) (*schema.Schema, bool) {
	c.mu.RLock()
	s, ok := c.m[string(raw)]
	c.mu.RUnlock()
	return s, ok
}

func (c *jsonCache) put(raw []byte, s *schema.Schema) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[string(raw)]; !ok && len(c.m) >= c.max {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[string(raw)] = s
}

func (c *jsonCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
