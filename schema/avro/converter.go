package avro

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/schema"
	"github.com/tributary-cdc/tributary/schema/registry"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// Configuration keys, without the "key.converter."/"value.converter."
// prefix (AbstractKafkaSchemaSerDeConfig, AvroDataConfig).
const (
	RegistryURLConfig              = "schema.registry.url"
	AutoRegisterConfig             = "auto.register.schemas"
	UseLatestVersionConfig         = "use.latest.version"
	KeySubjectStrategyConfig       = "key.subject.name.strategy"
	ValueSubjectStrategyConfig     = "value.subject.name.strategy"
	BasicAuthSourceConfig          = "basic.auth.credentials.source"
	BasicAuthUserInfoConfig        = "basic.auth.user.info"
	RegistryUserInfoConfig         = "schema.registry.basic.auth.user.info"
	BearerAuthSourceConfig         = "bearer.auth.credentials.source"
	BearerAuthTokenConfig          = "bearer.auth.token"
	BearerAuthLogicalClusterConfig = "bearer.auth.logical.cluster"
	BearerAuthIdentityPoolConfig   = "bearer.auth.identity.pool.id"
	// RegistryClientPrefix prefixes the registry client's own settings,
	// its ssl.* ones among them (SchemaRegistryClientConfig.CLIENT_NAMESPACE).
	RegistryClientPrefix           = "schema.registry."
	ConnectMetaDataConfig          = "connect.meta.data"
	EnhancedSchemaSupportConfig    = "enhanced.avro.schema.support"
	ScrubInvalidNamesConfig        = "scrub.invalid.names"
	IgnoreDefaultForNullableConfig = "ignore.default.for.nullables"
)

// Subject name strategies (io.confluent.kafka.serializers.subject.*).
const (
	TopicNameStrategy       = "io.confluent.kafka.serializers.subject.TopicNameStrategy"
	RecordNameStrategy      = "io.confluent.kafka.serializers.subject.RecordNameStrategy"
	TopicRecordNameStrategy = "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"
)

// registryTimeout bounds one registry call made on behalf of a record.
const registryTimeout = 30 * time.Second

// Registry is what the converter needs from a schema registry client.
type Registry interface {
	Register(ctx context.Context, subject, schemaText string) (int, error)
	LookupID(ctx context.Context, subject, schemaText string) (int, error)
	Latest(ctx context.Context, subject string) (*registry.Schema, error)
}

// Converter is Confluent's io.confluent.connect.avro.AvroConverter: Connect
// data to Confluent-framed Avro. It is safe for concurrent use.
type Converter struct {
	reg          Registry
	isKey        bool
	autoRegister bool
	useLatest    bool
	strategy     string
	opts         SchemaOptions
	ignoreDefNil bool

	mu      sync.RWMutex
	codecs  map[*schema.Schema]*Codec // per Connect schema
	entries map[entryKey]*entry       // per topic (subject) and Connect schema
}

type entryKey struct {
	topic string
	s     *schema.Schema
}

// entry is what the per-record path needs: the schema id and the codec.
type entry struct {
	id    int
	codec *Codec
	// capHint is the capacity the next value's buffer starts with: the
	// length of the last one and an eighth, so that values of a table
	// are written in one allocation of about their size instead of being
	// grown from a guess (or allocated far too large for a small key).
	capHint atomic.Int32
}

// Options are the parsed converter properties.
type Options struct {
	URLs     []string
	UserInfo string
	// BearerToken and BearerHeaders are the STATIC_TOKEN bearer
	// credentials and Confluent Cloud's headers that go with them.
	BearerToken   string
	BearerHeaders map[string]string
	// TLS is built from the schema.registry.ssl.* settings; nil without
	// any.
	TLS *tls.Config
	// Key identifies the settings, for sharing one client between the
	// converters with the same ones.
	Key string
}

// subjectStrategy is the Validator of the subject name strategies: the
// classes Tributary implements, refused otherwise as ConfigDef.parseType
// refuses a class it cannot load.
var subjectStrategy = configdef.Func("TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy", func(name string, v any) error {
	switch s, _ := v.(string); s {
	case TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy:
		return nil
	default:
		return configdef.Invalid(name, v, "Class "+s+" could not be found.")
	}
})

// ConfigDef declares the AvroConverter properties Tributary reads, as
// Confluent's AbstractKafkaSchemaSerDeConfig, AbstractDataConfig and
// AvroDataConfig declare them (no groups), after ConverterConfig's
// converter.type. schema.registry.url has no default, but is not required:
// without it the converter uses the embedded registry, if any.
var ConfigDef = configdef.Define(
	configdef.Key{Name: ConverterTypeConfig, Type: configdef.TypeString, Default: configdef.NoDefault,
		Validator: configdef.In("key", "value", "header"), Importance: configdef.ImportanceLow,
		Documentation: "How this converter will be used.", Width: configdef.WidthNone},
	configdef.Key{Name: RegistryURLConfig, Type: configdef.TypeList, Importance: configdef.ImportanceHigh, Width: configdef.WidthNone,
		Documentation: "Comma-separated list of URLs for schema registry instances that can be used to register or look up schemas. " +
			"If you wish to get a connection to a mocked schema registry for testing, you can specify a scope using the 'mock://' pseudo-protocol. " +
			"For example, 'mock://my-scope-name' corresponds to 'MockSchemaRegistry.getClientForScope(\"my-scope-name\")'."},
	configdef.Key{Name: AutoRegisterConfig, Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Specify if the Serializer should attempt to register the Schema with Schema Registry"},
	configdef.Key{Name: UseLatestVersionConfig, Type: configdef.TypeBoolean, Default: false, Importance: configdef.ImportanceLow, Width: configdef.WidthNone,
		Documentation: "Specify if the Serializer should use the latest subject version for serialization"},
	configdef.Key{Name: BasicAuthSourceConfig, Type: configdef.TypeString, Default: "URL", Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Validator: configdef.Func("URL, USER_INFO", func(name string, v any) error {
			if s, _ := v.(string); strings.EqualFold(s, "URL") || strings.EqualFold(s, "USER_INFO") {
				return nil
			}
			return configdef.Invalid(name, v, "supported are URL and USER_INFO")
		}),
		Documentation: "Specify how to pick the credentials for Basic Auth header. The supported values are URL, USER_INFO and SASL_INHERIT"},
	configdef.Key{Name: BasicAuthUserInfoConfig, Type: configdef.TypePassword, Default: "", Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Specify the user info for Basic Auth in the form of {username}:{password}"},
	configdef.Key{Name: RegistryUserInfoConfig, Type: configdef.TypePassword, Default: "", Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Specify the user info for Basic Auth in the form of {username}:{password}"},
	configdef.Key{Name: BearerAuthSourceConfig, Type: configdef.TypeString, Default: "STATIC_TOKEN", Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Validator: configdef.Func("STATIC_TOKEN", func(name string, v any) error {
			if s, _ := v.(string); strings.EqualFold(s, "STATIC_TOKEN") {
				return nil
			}
			return configdef.Invalid(name, v, "only STATIC_TOKEN is supported")
		}),
		Documentation: "Specify how to pick the credentials for Bearer Auth header. "},
	configdef.Key{Name: BearerAuthTokenConfig, Type: configdef.TypePassword, Default: "", Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Specify the Bearer token to be used for authentication"},
	configdef.Key{Name: BearerAuthIdentityPoolConfig, Type: configdef.TypeString, Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Additional property which can added in Request header to Schema Registry. This maybe used as Principal Id for Authorization"},
	configdef.Key{Name: BearerAuthLogicalClusterConfig, Type: configdef.TypeString, Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Additional property which can added in Request header to Schema Registry"},
	configdef.Key{Name: KeySubjectStrategyConfig, Type: configdef.TypeClass, Default: TopicNameStrategy, Validator: subjectStrategy,
		Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Determines how to construct the subject name under which the key schema is registered with the schema registry. By default, <topic>-key is used as subject."},
	configdef.Key{Name: ValueSubjectStrategyConfig, Type: configdef.TypeClass, Default: TopicNameStrategy, Validator: subjectStrategy,
		Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Determines how to construct the subject name under which the value schema is registered with the schema registry. By default, <topic>-value is used as subject."},
	configdef.Key{Name: IgnoreDefaultForNullableConfig, Type: configdef.TypeBoolean, Default: false, Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Whether to ignore the default for nullable fields when the value is null"},
	// enhanced.avro.schema.support only changes Avro enums and fixed types,
	// which Connect schemas built by Tributary never carry.
	configdef.Key{Name: EnhancedSchemaSupportConfig, Type: configdef.TypeBoolean, Default: false, Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Documentation: "Toggle for enabling/disabling enhanced avro schema support: Enum symbol preservation and Package Name awareness"},
	configdef.Key{Name: ScrubInvalidNamesConfig, Type: configdef.TypeBoolean, Default: false, Importance: configdef.ImportanceMedium, Width: configdef.WidthNone,
		Validator: configdef.Func("false", func(name string, v any) error {
			if v == true {
				return configdef.Invalid(name, v, "only false is supported")
			}
			return nil
		}),
		Documentation: "Whether to scrub invalid names by replacing invalid characters with valid ones"},
	configdef.Key{Name: ConnectMetaDataConfig, Type: configdef.TypeBoolean, Default: true, Importance: configdef.ImportanceLow, Width: configdef.WidthNone,
		Documentation: "Toggle for enabling/disabling connect converter to add its meta data to the output schema or not"},
)

// ConverterTypeConfig is ConverterConfig.TYPE_CONFIG, which the runtime
// sets to key, value or header.
const ConverterTypeConfig = "converter.type"

// parse parses props with ConfigDef, converter.type set after isKey when
// absent (as Worker.newConverter sets it); the first problem is the error.
func parse(props map[string]string, isKey bool) (*configdef.Values, error) {
	if _, ok := props[ConverterTypeConfig]; !ok {
		props = maps.Clone(props)
		if props == nil {
			props = map[string]string{}
		}
		props[ConverterTypeConfig] = map[bool]string{true: "key", false: "value"}[isKey]
	}
	v, errs := ConfigDef.Parse(props)
	if len(errs) > 0 {
		return nil, &configdef.Exception{Message: errs[0].Message}
	}
	return v, nil
}

// ParseRegistryOptions reads schema.registry.url, the basic or bearer
// auth settings and the schema.registry.ssl.* settings. fallbackURL is used
// when schema.registry.url is unset (the embedded registry); with neither,
// it is an error naming the property. No error shows a credential.
func ParseRegistryOptions(props map[string]string, fallbackURL string) (Options, error) {
	var o Options
	v, err := parse(props, false)
	if err != nil {
		return o, err
	}
	urls := v.List(RegistryURLConfig)
	if !v.IsSet(RegistryURLConfig) || len(urls) == 0 {
		urls = configdef.SplitList(fallbackURL)
	}
	for _, u := range urls {
		if u != "" {
			o.URLs = append(o.URLs, u)
		}
	}
	if len(o.URLs) == 0 {
		return o, &configdef.Exception{Message: configdef.MissingMessage(RegistryURLConfig)}
	}
	// RestService.configure: basic or bearer credentials, not both. The
	// client also reads its settings with the schema.registry. prefix.
	get := func(name string) string {
		if v := strings.TrimSpace(props[name]); v != "" {
			return v
		}
		return strings.TrimSpace(props[RegistryClientPrefix+name])
	}
	basic, bearer := get(BasicAuthSourceConfig), get(BearerAuthSourceConfig)
	if basic != "" && bearer != "" {
		return o, &configdef.Exception{Message: fmt.Sprintf("Only one of '%s' and '%s' may be specified", BasicAuthSourceConfig, BearerAuthSourceConfig)}
	}
	switch src := strings.ToUpper(basic); src {
	case "", "URL":
	case "USER_INFO":
		// UserInfoCredentialProvider: the schema.registry. alias first.
		o.UserInfo = props[RegistryUserInfoConfig]
		if o.UserInfo == "" {
			o.UserInfo = props[BasicAuthUserInfoConfig]
		}
		if o.UserInfo == "" {
			return o, configdef.Invalid(BasicAuthSourceConfig, basic, "USER_INFO needs "+BasicAuthUserInfoConfig)
		}
	default:
		return o, configdef.Invalid(BasicAuthSourceConfig, basic, "supported are URL and USER_INFO")
	}
	switch src := strings.ToUpper(bearer); src {
	case "":
	case "STATIC_TOKEN":
		o.BearerToken = get(BearerAuthTokenConfig)
		if o.BearerToken == "" {
			return o, &configdef.Exception{Message: fmt.Sprintf("Token must be provided via %s config when %s is set to STATIC_TOKEN", BearerAuthTokenConfig, BearerAuthSourceConfig)}
		}
		for name, header := range map[string]string{BearerAuthLogicalClusterConfig: "target-sr-cluster", BearerAuthIdentityPoolConfig: "Confluent-Identity-Pool-Id"} {
			if v := get(name); v != "" {
				if o.BearerHeaders == nil {
					o.BearerHeaders = map[string]string{}
				}
				o.BearerHeaders[header] = v
			}
		}
	default:
		return o, configdef.Invalid(BearerAuthSourceConfig, bearer, "only STATIC_TOKEN is supported")
	}
	tlsCfg, err := registryTLS(props)
	if err != nil {
		return o, err
	}
	o.TLS = tlsCfg
	o.Key = optionsKey(props, o)
	return o, nil
}

// registryTLS builds the TLS configuration of the schema.registry.ssl.*
// settings (CachedSchemaRegistryClient: an SslFactory of the settings
// with the prefix removed). As there, once any is set, the host name is
// checked only when schema.registry.ssl.endpoint.identification.algorithm
// is https; without one the system's roots are trusted and the host name
// checked.
func registryTLS(props map[string]string) (*tls.Config, error) {
	ssl := map[string]string{}
	for k, v := range props {
		if strings.HasPrefix(k, RegistryClientPrefix+"ssl.") {
			ssl[k] = v
		}
	}
	if len(ssl) == 0 {
		return nil, nil
	}
	alg := RegistryClientPrefix + tlsconfig.EndpointIdentificationAlgorithmConfig
	if v := strings.TrimSpace(ssl[alg]); v == "" || strings.EqualFold(v, "none") {
		ssl[alg] = ""
	}
	return tlsconfig.Load(ssl, RegistryClientPrefix)
}

// optionsKey identifies the registry settings of props.
func optionsKey(props map[string]string, o Options) string {
	var parts []string
	for k, v := range props {
		if strings.HasPrefix(k, RegistryClientPrefix+"ssl.") {
			parts = append(parts, k+"="+v)
		}
	}
	for k, v := range o.BearerHeaders {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(o.URLs, ",") + "\x00" + o.UserInfo + "\x00" + o.BearerToken + "\x00" + strings.Join(parts, "\x00")
}

// New builds an AvroConverter from converter properties with the
// "key.converter."/"value.converter." prefix stripped, parsed by ConfigDef,
// using reg as the registry (built from ParseRegistryOptions by the
// caller).
func New(props map[string]string, isKey bool, reg Registry) (*Converter, error) {
	v, err := parse(props, isKey)
	if err != nil {
		return nil, err
	}
	c := &Converter{reg: reg, isKey: isKey, opts: DefaultSchemaOptions,
		autoRegister: v.Bool(AutoRegisterConfig), useLatest: v.Bool(UseLatestVersionConfig),
		ignoreDefNil: v.Bool(IgnoreDefaultForNullableConfig), strategy: v.String(ValueSubjectStrategyConfig),
		codecs: map[*schema.Schema]*Codec{}, entries: map[entryKey]*entry{}}
	c.opts.ConnectMetaData = v.Bool(ConnectMetaDataConfig)
	if isKey {
		c.strategy = v.String(KeySubjectStrategyConfig)
	}
	if reg == nil {
		return nil, errors.New("creating AvroConverter: no schema registry")
	}
	return c, nil
}

// FromConnect serialises a Connect value as Confluent-framed Avro
// (AvroConverter.fromConnectData). A nil value is a Kafka null. The first
// record of a schema on a topic registers (or looks up) the schema; later
// ones use the cached id.
func (c *Converter) FromConnect(topic string, s *schema.Schema, v any) ([]byte, error) {
	return c.AppendConnect(nil, topic, s, v)
}

// AppendConnect is FromConnect writing into dst: it appends the record to
// dst and returns the extended buffer, so that a caller that reuses its
// buffers allocates nothing per record. A nil dst is allocated at the size
// of the schema's previous value. A Kafka null is a nil slice,
// whatever dst; on an error the slice is nil too.
func (c *Converter) AppendConnect(dst []byte, topic string, s *schema.Schema, v any) ([]byte, error) {
	if v == nil && (s == nil || !hasDefault(s)) {
		return nil, nil
	}
	if s == nil {
		return nil, fmt.Errorf("converting Connect data for topic %q to Avro: schemaless values are not supported", topic)
	}
	e, err := c.entry(topic, s)
	if err != nil {
		return nil, fmt.Errorf("converting Connect data for topic %q to Avro: %w", topic, err)
	}
	fresh := dst == nil
	if fresh {
		hint := int(e.capHint.Load())
		if hint == 0 {
			hint = 128
		}
		dst = make([]byte, 0, hint)
	}
	start := len(dst)
	if dst, err = e.codec.AppendBinary(AppendHeader(dst, e.id), v); err != nil {
		return nil, fmt.Errorf("converting Connect data for topic %q to Avro: %w", topic, err)
	}
	if fresh {
		// Only buffers allocated here need the hint; a caller's reused
		// buffer keeps its own size.
		n := len(dst) - start
		e.capHint.Store(int32(min(n+n/8, maxCapHint)))
	}
	return dst, nil
}

// maxCapHint caps the starting capacity a previous value sets: one large
// value does not make every later one allocate as much.
const maxCapHint = 64 << 10

// entry returns the cached id and codec of (topic, s), registering the
// schema on first use.
func (c *Converter) entry(topic string, s *schema.Schema) (*entry, error) {
	k := entryKey{topic, s}
	if c.strategy == RecordNameStrategy {
		k.topic = ""
	}
	c.mu.RLock()
	e, ok := c.entries[k]
	c.mu.RUnlock()
	if ok {
		return e, nil
	}
	codec, err := c.codec(s)
	if err != nil {
		return nil, err
	}
	subject, err := c.subject(topic, s)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), registryTimeout)
	defer cancel()
	e = &entry{codec: codec}
	switch {
	case c.useLatest:
		latest, err := c.reg.Latest(ctx, subject)
		if err != nil {
			return nil, err
		}
		if e.codec, err = codec.withWriterSchema(latest.Schema); err != nil {
			return nil, err
		}
		e.id = latest.ID
	case c.autoRegister:
		if e.id, err = c.reg.Register(ctx, subject, string(codec.Text)); err != nil {
			return nil, err
		}
	default:
		if e.id, err = c.reg.LookupID(ctx, subject, string(codec.Text)); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.entries[k] = e
	c.mu.Unlock()
	return e, nil
}

func (c *Converter) codec(s *schema.Schema) (*Codec, error) {
	c.mu.RLock()
	codec, ok := c.codecs[s]
	c.mu.RUnlock()
	if ok {
		return codec, nil
	}
	codec, err := NewCodec(s, c.opts)
	if err != nil {
		return nil, err
	}
	codec.useDefaultForNull = !c.ignoreDefNil
	c.mu.Lock()
	c.codecs[s] = codec
	c.mu.Unlock()
	return codec, nil
}

// subject names the registry subject of s on topic by the configured
// strategy.
func (c *Converter) subject(topic string, s *schema.Schema) (string, error) {
	switch c.strategy {
	case RecordNameStrategy, TopicRecordNameStrategy:
		if s.Type != schema.TypeStruct {
			return "", fmt.Errorf("in configuration %s: record name strategy needs a struct schema, not %s",
				map[bool]string{true: KeySubjectStrategyConfig, false: ValueSubjectStrategyConfig}[c.isKey], s.Type)
		}
		name := s.Name
		if name == "" {
			name = connectNamespace + "." + defaultRecordName
		}
		if c.strategy == RecordNameStrategy {
			return name, nil
		}
		return topic + "-" + name, nil
	}
	if c.isKey {
		return topic + "-key", nil
	}
	return topic + "-value", nil
}
