package security

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect/jaas"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// Client security properties of Kafka 3.9 (CommonClientConfigs and
// SaslConfigs.addClientSaslSupport); the ssl.* ones are tlsconfig's.
const (
	SecurityProtocolConfig  = "security.protocol"
	SecurityProvidersConfig = "security.providers"

	SaslMechanismConfig                  = "sasl.mechanism"
	SaslJaasConfig                       = "sasl.jaas.config"
	SaslClientCallbackHandlerClassConfig = "sasl.client.callback.handler.class"
	SaslLoginCallbackHandlerClassConfig  = "sasl.login.callback.handler.class"
	SaslLoginClassConfig                 = "sasl.login.class"

	SaslKerberosServiceNameConfig             = "sasl.kerberos.service.name"
	SaslKerberosKinitCmdConfig                = "sasl.kerberos.kinit.cmd"
	SaslKerberosTicketRenewWindowFactorConfig = "sasl.kerberos.ticket.renew.window.factor"
	SaslKerberosTicketRenewJitterConfig       = "sasl.kerberos.ticket.renew.jitter"
	SaslKerberosMinTimeBeforeReloginConfig    = "sasl.kerberos.min.time.before.relogin"

	SaslLoginRefreshWindowFactorConfig     = "sasl.login.refresh.window.factor"
	SaslLoginRefreshWindowJitterConfig     = "sasl.login.refresh.window.jitter"
	SaslLoginRefreshMinPeriodSecondsConfig = "sasl.login.refresh.min.period.seconds"
	SaslLoginRefreshBufferSecondsConfig    = "sasl.login.refresh.buffer.seconds"
	SaslLoginConnectTimeoutMsConfig        = "sasl.login.connect.timeout.ms"
	SaslLoginReadTimeoutMsConfig           = "sasl.login.read.timeout.ms"
	SaslLoginRetryBackoffMaxMsConfig       = "sasl.login.retry.backoff.max.ms"
	SaslLoginRetryBackoffMsConfig          = "sasl.login.retry.backoff.ms"

	SaslOAuthBearerScopeClaimNameConfig                = "sasl.oauthbearer.scope.claim.name"
	SaslOAuthBearerSubClaimNameConfig                  = "sasl.oauthbearer.sub.claim.name"
	SaslOAuthBearerTokenEndpointURLConfig              = "sasl.oauthbearer.token.endpoint.url"
	SaslOAuthBearerJwksEndpointURLConfig               = "sasl.oauthbearer.jwks.endpoint.url"
	SaslOAuthBearerJwksEndpointRefreshMsConfig         = "sasl.oauthbearer.jwks.endpoint.refresh.ms"
	SaslOAuthBearerJwksEndpointRetryBackoffMaxMsConfig = "sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms"
	SaslOAuthBearerJwksEndpointRetryBackoffMsConfig    = "sasl.oauthbearer.jwks.endpoint.retry.backoff.ms"
	SaslOAuthBearerClockSkewSecondsConfig              = "sasl.oauthbearer.clock.skew.seconds"
	SaslOAuthBearerExpectedAudienceConfig              = "sasl.oauthbearer.expected.audience"
	SaslOAuthBearerExpectedIssuerConfig                = "sasl.oauthbearer.expected.issuer"
	SaslOAuthBearerHeaderURLEncodeConfig               = "sasl.oauthbearer.header.urlencode"
)

// Security protocols (SecurityProtocol).
const (
	Plaintext     = "PLAINTEXT"
	SSL           = "SSL"
	SaslPlaintext = "SASL_PLAINTEXT"
	SaslSSL       = "SASL_SSL"
)

// SASL mechanisms. AWS_MSK_IAM is the mechanism of AWS's Java library; it is
// sent to the broker as OAUTHBEARER with a token from AWS's Go signer, which
// MSK's IAM listeners accept.
const (
	MechanismPlain       = "PLAIN"
	MechanismScramSHA256 = "SCRAM-SHA-256"
	MechanismScramSHA512 = "SCRAM-SHA-512"
	MechanismOAuthBearer = "OAUTHBEARER"
	MechanismAWSMSKIAM   = "AWS_MSK_IAM"
	MechanismGSSAPI      = "GSSAPI"
)

// Login modules and callback handlers Tributary implements.
const (
	PlainLoginModule       = "org.apache.kafka.common.security.plain.PlainLoginModule"
	ScramLoginModule       = "org.apache.kafka.common.security.scram.ScramLoginModule"
	OAuthBearerLoginModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
	IAMLoginModule         = "software.amazon.msk.auth.iam.IAMLoginModule"

	OAuthBearerLoginCallbackHandler        = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler"
	OAuthBearerLoginCallbackHandlerSecured = "org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerLoginCallbackHandler"
	IAMClientCallbackHandler               = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
	IAMOAuthBearerLoginCallbackHandler     = "software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler"

	defaultSaslClientCallbackHandler = "org.apache.kafka.common.security.authenticator.SaslClientCallbackHandler"
	oauthSaslClientCallbackHandler   = "org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerSaslClientCallbackHandler"
	defaultLoginCallbackHandler      = "org.apache.kafka.common.security.authenticator.AbstractLogin$DefaultLoginCallbackHandler"
	defaultLoginClass                = "org.apache.kafka.common.security.authenticator.DefaultLogin"
	oauthLoginClass                  = "org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerRefreshingLogin"
)

// SaslNames are the client SASL properties, in SaslConfigs' order.
var SaslNames = []string{
	SaslKerberosServiceNameConfig, SaslKerberosKinitCmdConfig, SaslKerberosTicketRenewWindowFactorConfig,
	SaslKerberosTicketRenewJitterConfig, SaslKerberosMinTimeBeforeReloginConfig,
	SaslLoginRefreshWindowFactorConfig, SaslLoginRefreshWindowJitterConfig, SaslLoginRefreshMinPeriodSecondsConfig,
	SaslLoginRefreshBufferSecondsConfig, SaslMechanismConfig, SaslJaasConfig, SaslClientCallbackHandlerClassConfig,
	SaslLoginCallbackHandlerClassConfig, SaslLoginClassConfig, SaslLoginConnectTimeoutMsConfig, SaslLoginReadTimeoutMsConfig,
	SaslLoginRetryBackoffMaxMsConfig, SaslLoginRetryBackoffMsConfig, SaslOAuthBearerScopeClaimNameConfig,
	SaslOAuthBearerSubClaimNameConfig, SaslOAuthBearerTokenEndpointURLConfig, SaslOAuthBearerJwksEndpointURLConfig,
	SaslOAuthBearerJwksEndpointRefreshMsConfig, SaslOAuthBearerJwksEndpointRetryBackoffMaxMsConfig,
	SaslOAuthBearerJwksEndpointRetryBackoffMsConfig, SaslOAuthBearerClockSkewSecondsConfig,
	SaslOAuthBearerExpectedAudienceConfig, SaslOAuthBearerExpectedIssuerConfig, SaslOAuthBearerHeaderURLEncodeConfig,
}

// Names are every client security property of Kafka 3.9: security.*,
// ssl.* and sasl.*.
var Names = slices.Concat([]string{SecurityProtocolConfig, SecurityProvidersConfig}, tlsconfig.Names, SaslNames)

// Secret reports whether a property's value must never be shown.
func Secret(name string) bool {
	return name == SaslJaasConfig || tlsconfig.Secret(name)
}

// ConfigError is a security property that cannot be honoured; Name is the
// property, Value its value ("[hidden]" for secrets).
type ConfigError = tlsconfig.ConfigError

// Options are what Parse needs besides the properties.
type Options struct {
	// Logger receives the warning naming the properties that have no
	// effect with the chosen protocol and mechanism. Nil discards it.
	Logger *slog.Logger
	// Bootstrap are the bootstrap servers; AWS_MSK_IAM takes the AWS
	// region from their host names.
	Bootstrap []string
	// Now is the clock of token refreshes; nil is time.Now.
	Now func() time.Time
}

// Config is the parsed security of one Kafka client.
type Config struct {
	// Protocol is security.protocol.
	Protocol string
	// Mechanism is sasl.mechanism, or "" without SASL.
	Mechanism string
	// TLS is the TLS configuration, nil without TLS.
	TLS *tls.Config
	// Unused are the properties set that have no effect with this
	// protocol and mechanism, each with the reason (also logged).
	Unused map[string]string

	user, password string
	tokens         sarama.AccessTokenProvider
}

// Describe names the protocol and mechanism, for messages.
func (c *Config) Describe() string {
	if c.Mechanism == "" {
		return SecurityProtocolConfig + "=" + c.Protocol
	}
	return SecurityProtocolConfig + "=" + c.Protocol + ", " + SaslMechanismConfig + "=" + c.Mechanism
}

// Apply configures a sarama client for c: TLS, and SASL with the
// handshake at version 1 (KIP-152's SaslAuthenticate framing, which every
// supported broker speaks).
func (c *Config) Apply(cfg *sarama.Config) {
	cfg.Net.TLS.Enable = c.TLS != nil
	cfg.Net.TLS.Config = c.TLS
	cfg.Net.SASL.Enable = c.Mechanism != ""
	if c.Mechanism == "" {
		return
	}
	cfg.Net.SASL.Handshake = true
	cfg.Net.SASL.Version = sarama.SASLHandshakeV1
	switch c.Mechanism {
	case MechanismPlain:
		cfg.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		cfg.Net.SASL.User, cfg.Net.SASL.Password = c.user, c.password
	case MechanismScramSHA256, MechanismScramSHA512:
		cfg.Net.SASL.Mechanism = sarama.SASLMechanism(c.Mechanism)
		cfg.Net.SASL.User, cfg.Net.SASL.Password = c.user, c.password
		cfg.Net.SASL.SCRAMClientGeneratorFunc = scramClientFor(c.Mechanism)
	case MechanismOAuthBearer, MechanismAWSMSKIAM:
		cfg.Net.SASL.Mechanism = sarama.SASLTypeOAuth
		cfg.Net.SASL.TokenProvider = c.tokens
	}
}

// props reads the trimmed values of a client's properties.
type props map[string]string

func (p props) str(name, def string) string {
	if v := strings.TrimSpace(p[name]); v != "" {
		return v
	}
	return def
}

func (p props) set(name string) bool { return strings.TrimSpace(p[name]) != "" }

func fail(p props, name, reason string, err error) *ConfigError {
	v := p[name]
	if Secret(name) {
		v = "[hidden]"
	}
	return &ConfigError{Name: name, Value: v, Reason: reason, Err: err}
}

// Parse reads the security properties of one Kafka client (names without
// a client prefix: the caller picks the producer.*, admin.* or consumer.*
// view). A property that cannot be honoured is a *ConfigError naming it;
// properties that have no effect with the chosen protocol and mechanism
// are listed in Config.Unused and logged.
func Parse(raw map[string]string, opts Options) (*Config, error) {
	p := props(raw)
	c := &Config{Unused: map[string]string{}}
	c.Protocol = strings.ToUpper(p.str(SecurityProtocolConfig, Plaintext))
	switch c.Protocol {
	case Plaintext, SSL, SaslPlaintext, SaslSSL:
	default:
		return nil, fail(p, SecurityProtocolConfig, "supported are PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL", nil)
	}
	if p.set(SecurityProvidersConfig) {
		return nil, fail(p, SecurityProvidersConfig, "JCA security providers are not supported; remove the setting", nil)
	}
	tlsOn := c.Protocol == SSL || c.Protocol == SaslSSL
	saslOn := c.Protocol == SaslPlaintext || c.Protocol == SaslSSL
	if tlsOn {
		cfg, err := tlsconfig.Load(raw, "")
		if err != nil {
			return nil, err
		}
		c.TLS = cfg
	} else {
		for _, n := range tlsconfig.Names {
			if p.set(n) {
				c.Unused[n] = "security.protocol=" + c.Protocol + " does not use TLS"
			}
		}
	}
	if saslOn {
		if err := c.parseSASL(p, opts); err != nil {
			return nil, err
		}
	} else {
		for _, n := range SaslNames {
			if p.set(n) {
				c.Unused[n] = "security.protocol=" + c.Protocol + " does not use SASL"
			}
		}
	}
	if len(c.Unused) > 0 && opts.Logger != nil {
		names := make([]string, 0, len(c.Unused))
		for n := range c.Unused {
			names = append(names, n)
		}
		sort.Strings(names)
		opts.Logger.Warn("Security settings without effect for this client", "settings", names, "security", c.Describe())
	}
	return c, nil
}

func (c *Config) parseSASL(p props, opts Options) error {
	c.Mechanism = p.str(SaslMechanismConfig, MechanismGSSAPI)
	switch c.Mechanism {
	case MechanismPlain, MechanismScramSHA256, MechanismScramSHA512, MechanismOAuthBearer, MechanismAWSMSKIAM:
	case MechanismGSSAPI:
		return fail(p, SaslMechanismConfig, "GSSAPI (Kerberos, the default mechanism) is not supported; supported are PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER and AWS_MSK_IAM", nil)
	default:
		return fail(p, SaslMechanismConfig, "unknown SASL mechanism; supported are PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER and AWS_MSK_IAM", nil)
	}
	// JaasContext.loadClientContext: one login module from sasl.jaas.config.
	// Java falls back to a JAAS file named by a JVM system property; there is
	// no JVM here.
	if !p.set(SaslJaasConfig) {
		return fail(p, SaslJaasConfig, "SASL needs sasl.jaas.config (a JAAS file through java.security.auth.login.config is not read)", nil)
	}
	modules, err := jaas.Parse(p[SaslJaasConfig])
	if err != nil {
		return fail(p, SaslJaasConfig, "invalid JAAS configuration", err)
	}
	if len(modules) != 1 {
		return fail(p, SaslJaasConfig, fmt.Sprintf("JAAS config property contains %d login modules, should be 1 module", len(modules)), nil)
	}
	m := modules[0]

	loginClass := p.str(SaslLoginClassConfig, "")
	clientHandler := p.str(SaslClientCallbackHandlerClassConfig, "")
	loginHandler := p.str(SaslLoginCallbackHandlerClassConfig, "")
	tokenMechanism := c.Mechanism == MechanismOAuthBearer || c.Mechanism == MechanismAWSMSKIAM
	if loginClass != "" && loginClass != defaultLoginClass && !(tokenMechanism && loginClass == oauthLoginClass) {
		return fail(p, SaslLoginClassConfig, "custom Login classes are not supported", nil)
	}

	switch c.Mechanism {
	case MechanismPlain, MechanismScramSHA256, MechanismScramSHA512:
		// SaslClientCallbackHandler takes the name and password from the
		// subject, where both PlainLoginModule and ScramLoginModule put
		// them: either module works with either mechanism.
		if m.Class != PlainLoginModule && m.Class != ScramLoginModule {
			return fail(p, SaslJaasConfig, fmt.Sprintf("login module %s is not supported with %s; use %s or %s", m.Class, c.Mechanism, PlainLoginModule, ScramLoginModule), nil)
		}
		if clientHandler != "" && clientHandler != defaultSaslClientCallbackHandler {
			return fail(p, SaslClientCallbackHandlerClassConfig, "custom SASL client callback handlers are not supported", nil)
		}
		if loginHandler != "" && loginHandler != defaultLoginCallbackHandler {
			return fail(p, SaslLoginCallbackHandlerClassConfig, "custom login callback handlers are not supported with "+c.Mechanism, nil)
		}
		user, okUser := m.Options["username"]
		pass, okPass := m.Options["password"]
		if !okUser || user == "" {
			return fail(p, SaslJaasConfig, "the login module has no username option", nil)
		}
		if !okPass {
			return fail(p, SaslJaasConfig, "the login module has no password option", nil)
		}
		if strings.EqualFold(m.Options["tokenauth"], "true") {
			return fail(p, SaslJaasConfig, "delegation token authentication (tokenauth=true) is not supported", nil)
		}
		c.user, c.password = user, pass
		c.unusedOptions(m, "username", "password", "tokenauth")
		c.unusedTokenSettings(p)
	case MechanismOAuthBearer:
		if clientHandler != "" && clientHandler != oauthSaslClientCallbackHandler {
			return fail(p, SaslClientCallbackHandlerClassConfig, "custom SASL client callback handlers are not supported", nil)
		}
		if m.Class != OAuthBearerLoginModule {
			return fail(p, SaslJaasConfig, fmt.Sprintf("login module %s is not supported with OAUTHBEARER; use %s", m.Class, OAuthBearerLoginModule), nil)
		}
		switch loginHandler {
		case OAuthBearerLoginCallbackHandler, OAuthBearerLoginCallbackHandlerSecured:
			tp, err := newOAuthProvider(p, m, opts, c.Unused)
			if err != nil {
				return err
			}
			c.tokens = tp
		case IAMOAuthBearerLoginCallbackHandler:
			tp, err := newIAMProvider(p, m, opts, c.Unused)
			if err != nil {
				return err
			}
			c.tokens = tp
			c.unusedSettings(p, "the AWS MSK IAM signer makes the token", endpointSettings...)
		case "":
			return fail(p, SaslLoginCallbackHandlerClassConfig, "the unsecured OAUTHBEARER login (no login callback handler) is not supported; set "+OAuthBearerLoginCallbackHandler, nil)
		default:
			return fail(p, SaslLoginCallbackHandlerClassConfig, "supported are "+OAuthBearerLoginCallbackHandler+" and "+IAMOAuthBearerLoginCallbackHandler, nil)
		}
	case MechanismAWSMSKIAM:
		if m.Class != IAMLoginModule {
			return fail(p, SaslJaasConfig, fmt.Sprintf("login module %s is not supported with AWS_MSK_IAM; use %s", m.Class, IAMLoginModule), nil)
		}
		if clientHandler != "" && clientHandler != IAMClientCallbackHandler {
			return fail(p, SaslClientCallbackHandlerClassConfig, "AWS_MSK_IAM supports only "+IAMClientCallbackHandler, nil)
		}
		if loginHandler != "" && loginHandler != defaultLoginCallbackHandler {
			return fail(p, SaslLoginCallbackHandlerClassConfig, "custom login callback handlers are not supported with AWS_MSK_IAM", nil)
		}
		tp, err := newIAMProvider(p, m, opts, c.Unused)
		if err != nil {
			return err
		}
		c.tokens = tp
		c.unusedSettings(p, "the AWS MSK IAM signer makes the token", endpointSettings...)
	}
	for _, n := range []string{SaslKerberosServiceNameConfig, SaslKerberosKinitCmdConfig, SaslKerberosTicketRenewWindowFactorConfig,
		SaslKerberosTicketRenewJitterConfig, SaslKerberosMinTimeBeforeReloginConfig} {
		if p.set(n) {
			c.Unused[n] = "only GSSAPI uses it"
		}
	}
	for _, n := range []string{SaslOAuthBearerJwksEndpointURLConfig, SaslOAuthBearerJwksEndpointRefreshMsConfig,
		SaslOAuthBearerJwksEndpointRetryBackoffMaxMsConfig, SaslOAuthBearerJwksEndpointRetryBackoffMsConfig,
		SaslOAuthBearerClockSkewSecondsConfig, SaslOAuthBearerExpectedAudienceConfig, SaslOAuthBearerExpectedIssuerConfig} {
		if p.set(n) {
			c.Unused[n] = "brokers validate tokens with it; clients do not use it"
		}
	}
	return nil
}

// unusedOptions records the JAAS options the login module does not read
// (Java ignores them too).
func (c *Config) unusedOptions(m jaas.LoginModule, known ...string) {
	for k := range m.Options {
		if !slices.Contains(known, k) {
			c.Unused[SaslJaasConfig+" option "+k] = m.Class + " does not read it"
		}
	}
}

// endpointSettings are the settings of the OAuth token endpoint login.
var endpointSettings = []string{SaslLoginConnectTimeoutMsConfig, SaslLoginReadTimeoutMsConfig,
	SaslLoginRetryBackoffMaxMsConfig, SaslLoginRetryBackoffMsConfig, SaslOAuthBearerScopeClaimNameConfig,
	SaslOAuthBearerSubClaimNameConfig, SaslOAuthBearerTokenEndpointURLConfig, SaslOAuthBearerHeaderURLEncodeConfig}

// unusedTokenSettings records the token login settings, which mechanisms
// without tokens do not use.
func (c *Config) unusedTokenSettings(p props) {
	c.unusedSettings(p, "only OAUTHBEARER and AWS_MSK_IAM use it", SaslLoginRefreshWindowFactorConfig,
		SaslLoginRefreshWindowJitterConfig, SaslLoginRefreshMinPeriodSecondsConfig, SaslLoginRefreshBufferSecondsConfig)
	c.unusedSettings(p, "only OAUTHBEARER uses it", endpointSettings...)
}

func (c *Config) unusedSettings(p props, reason string, names ...string) {
	for _, n := range names {
		if p.set(n) {
			c.Unused[n] = reason
		}
	}
}

// refreshSettings are the sasl.login.refresh.* settings of a token login
// (ExpiringCredentialRefreshConfig), checked against ConfigDef's ranges.
type refreshSettings struct {
	windowFactor, windowJitter float64
	minPeriod, buffer          time.Duration
}

func parseRefresh(p props) (refreshSettings, error) {
	var s refreshSettings
	var err error
	if s.windowFactor, err = floatIn(p, SaslLoginRefreshWindowFactorConfig, 0.8, 0.5, 1.0); err != nil {
		return s, err
	}
	if s.windowJitter, err = floatIn(p, SaslLoginRefreshWindowJitterConfig, 0.05, 0, 0.25); err != nil {
		return s, err
	}
	minPeriod, err := intIn(p, SaslLoginRefreshMinPeriodSecondsConfig, 60, 0, 900)
	if err != nil {
		return s, err
	}
	buffer, err := intIn(p, SaslLoginRefreshBufferSecondsConfig, 300, 0, 3600)
	if err != nil {
		return s, err
	}
	s.minPeriod, s.buffer = time.Duration(minPeriod)*time.Second, time.Duration(buffer)*time.Second
	return s, nil
}

func floatIn(p props, name string, def, lo, hi float64) (float64, error) {
	if !p.set(name) {
		return def, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(p[name]), 64)
	if err != nil {
		return 0, fail(p, name, "Not a number of type DOUBLE", nil)
	}
	if v < lo || v > hi {
		return 0, fail(p, name, fmt.Sprintf("Value must be between %v and %v", lo, hi), nil)
	}
	return v, nil
}

func intIn(p props, name string, def, lo, hi int64) (int64, error) {
	if !p.set(name) {
		return def, nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(p[name]), 10, 64)
	if err != nil {
		return 0, fail(p, name, "Not a number of type LONG", nil)
	}
	if v < lo || v > hi {
		return 0, fail(p, name, fmt.Sprintf("Value must be between %d and %d", lo, hi), nil)
	}
	return v, nil
}

// tokenContext bounds one token fetch made while a broker connection
// waits (sarama's AccessTokenProvider has no context).
func tokenContext(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// errNoToken marks a failure to obtain an OAUTHBEARER token, so that a
// broker check can tell it from a refusal by the broker.
var errNoToken = errors.New("no SASL token")

// TokenError is a failure to obtain an OAUTHBEARER or AWS_MSK_IAM token.
type TokenError struct {
	Source string // the token endpoint or "AWS signer"
	Err    error
}

func (e *TokenError) Error() string {
	return fmt.Sprintf("obtaining a SASL token from %s: %v", e.Source, e.Err)
}

func (e *TokenError) Unwrap() []error { return []error{errNoToken, e.Err} }

// httpClientFor is the token endpoint client with the login timeouts.
func httpClientFor(tlsCfg *tls.Config, connect, read time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	if connect > 0 {
		tr.TLSHandshakeTimeout = connect
		tr.DialContext = (&net.Dialer{Timeout: connect}).DialContext
	}
	if read > 0 {
		tr.ResponseHeaderTimeout = read
	}
	return &http.Client{Transport: tr}
}
