package avro

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

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

// ParseRegistryOptions reads schema.registry.url, the basic or bearer
// auth settings and the schema.registry.ssl.* settings. fallbackURL is used
// when schema.registry.url is unset (the embedded registry); with neither,
// it is an error naming the property. No error shows a credential.
func ParseRegistryOptions(props map[string]string, fallbackURL string) (Options, error) {
	var o Options
	raw := strings.TrimSpace(props[RegistryURLConfig])
	if raw == "" {
		raw = fallbackURL
	}
	for u := range strings.SplitSeq(raw, ",") {
		if u = strings.TrimSpace(u); u != "" {
			o.URLs = append(o.URLs, u)
		}
	}
	if len(o.URLs) == 0 {
		return o, fmt.Errorf("missing required configuration \"%s\" which has no default value", RegistryURLConfig)
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
		return o, fmt.Errorf("Only one of '%s' and '%s' may be specified", BasicAuthSourceConfig, BearerAuthSourceConfig)
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
			return o, fmt.Errorf("invalid value for configuration %s: UserInfo must be provided when basic.auth.credentials.source is set to USER_INFO (%s or %s)",
				BasicAuthSourceConfig, BasicAuthUserInfoConfig, RegistryUserInfoConfig)
		}
	default:
		return o, fmt.Errorf("invalid value %s for configuration %s: supported are URL and USER_INFO", basic, BasicAuthSourceConfig)
	}
	switch src := strings.ToUpper(bearer); src {
	case "":
	case "STATIC_TOKEN":
		o.BearerToken = get(BearerAuthTokenConfig)
		if o.BearerToken == "" {
			return o, fmt.Errorf("Token must be provided via %s config when %s is set to STATIC_TOKEN", BearerAuthTokenConfig, BearerAuthSourceConfig)
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
		return o, fmt.Errorf("invalid value %s for configuration %s: only STATIC_TOKEN is supported", bearer, BearerAuthSourceConfig)
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
// "key.converter."/"value.converter." prefix stripped, using reg as the
// registry (built from ParseRegistryOptions by the caller).
func New(props map[string]string, isKey bool, reg Registry) (*Converter, error) {
	c := &Converter{reg: reg, isKey: isKey, autoRegister: true, opts: DefaultSchemaOptions, strategy: TopicNameStrategy,
		codecs: map[*schema.Schema]*Codec{}, entries: map[entryKey]*entry{}}
	var err error
	bools := []struct {
		key string
		dst *bool
	}{
		{AutoRegisterConfig, &c.autoRegister},
		{UseLatestVersionConfig, &c.useLatest},
		{ConnectMetaDataConfig, &c.opts.ConnectMetaData},
		{IgnoreDefaultForNullableConfig, &c.ignoreDefNil},
	}
	for _, b := range bools {
		if v, ok := props[b.key]; ok {
			if *b.dst, err = parseBool(b.key, v); err != nil {
				return nil, err
			}
		}
	}
	// enhanced.avro.schema.support only changes Avro enums and fixed types,
	// which Connect schemas built by Tributary never carry.
	if v, ok := props[EnhancedSchemaSupportConfig]; ok {
		if _, err := parseBool(EnhancedSchemaSupportConfig, v); err != nil {
			return nil, err
		}
	}
	if v, ok := props[ScrubInvalidNamesConfig]; ok {
		scrub, err := parseBool(ScrubInvalidNamesConfig, v)
		if err != nil {
			return nil, err
		}
		if scrub {
			return nil, fmt.Errorf("invalid value %s for configuration %s: only false is supported", v, ScrubInvalidNamesConfig)
		}
	}
	key := ValueSubjectStrategyConfig
	if isKey {
		key = KeySubjectStrategyConfig
	}
	if v, ok := props[key]; ok {
		switch s := strings.TrimSpace(v); s {
		case TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy:
			c.strategy = s
		default:
			return nil, fmt.Errorf("invalid value %s for configuration %s: class could not be found", v, key)
		}
	}
	if reg == nil {
		return nil, errors.New("creating AvroConverter: no schema registry")
	}
	return c, nil
}

func parseBool(name, v string) (bool, error) {
	switch t := strings.TrimSpace(v); {
	case strings.EqualFold(t, "true"):
		return true, nil
	case strings.EqualFold(t, "false"):
		return false, nil
	}
	return false, fmt.Errorf("invalid value %s for configuration %s: Expected value to be either true or false", v, name)
}

// FromConnect serialises a Connect value as Confluent-framed Avro
// (AvroConverter.fromConnectData). A nil value is a Kafka null. The first
// record of a schema on a topic registers (or looks up) the schema; later
// ones use the cached id.
func (c *Converter) FromConnect(topic string, s *schema.Schema, v any) ([]byte, error) {
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
	out := make([]byte, headerSize, 128)
	_ = AppendHeader(out[:0], e.id)
	if out, err = e.codec.AppendBinary(out, v); err != nil {
		return nil, fmt.Errorf("converting Connect data for topic %q to Avro: %w", topic, err)
	}
	return out, nil
}

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
