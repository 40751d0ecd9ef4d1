package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The client SSL properties of Kafka 3.9 (SslConfigs.addClientSslSupport),
// without a prefix.
const (
	ProtocolConfig                        = "ssl.protocol"
	ProviderConfig                        = "ssl.provider"
	CipherSuitesConfig                    = "ssl.cipher.suites"
	EnabledProtocolsConfig                = "ssl.enabled.protocols"
	KeystoreTypeConfig                    = "ssl.keystore.type"
	KeystoreLocationConfig                = "ssl.keystore.location"
	KeystorePasswordConfig                = "ssl.keystore.password"
	KeyPasswordConfig                     = "ssl.key.password"
	KeystoreKeyConfig                     = "ssl.keystore.key"
	KeystoreCertificateChainConfig        = "ssl.keystore.certificate.chain"
	TruststoreCertificatesConfig          = "ssl.truststore.certificates"
	TruststoreTypeConfig                  = "ssl.truststore.type"
	TruststoreLocationConfig              = "ssl.truststore.location"
	TruststorePasswordConfig              = "ssl.truststore.password"
	KeymanagerAlgorithmConfig             = "ssl.keymanager.algorithm"
	TrustmanagerAlgorithmConfig           = "ssl.trustmanager.algorithm"
	EndpointIdentificationAlgorithmConfig = "ssl.endpoint.identification.algorithm"
	SecureRandomImplementationConfig      = "ssl.secure.random.implementation"
	EngineFactoryClassConfig              = "ssl.engine.factory.class"
)

// Names are every client SSL property, in SslConfigs' order.
var Names = []string{
	ProtocolConfig, ProviderConfig, CipherSuitesConfig, EnabledProtocolsConfig,
	KeystoreTypeConfig, KeystoreLocationConfig, KeystorePasswordConfig, KeyPasswordConfig,
	KeystoreKeyConfig, KeystoreCertificateChainConfig, TruststoreCertificatesConfig,
	TruststoreTypeConfig, TruststoreLocationConfig, TruststorePasswordConfig,
	KeymanagerAlgorithmConfig, TrustmanagerAlgorithmConfig, EndpointIdentificationAlgorithmConfig,
	SecureRandomImplementationConfig, EngineFactoryClassConfig,
}

// Store types (ssl.keystore.type, ssl.truststore.type).
const (
	TypeJKS    = "JKS"
	TypePKCS12 = "PKCS12"
	TypePEM    = "PEM"
)

// DefaultEngineFactoryClass is the only ssl.engine.factory.class honoured:
// the default one, whose behaviour this package reproduces.
const DefaultEngineFactoryClass = "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory"

// Secret reports whether the property name (without prefix) is of Kafka's
// PASSWORD type: its value never appears in an error or a log.
func Secret(name string) bool {
	switch name {
	case KeystorePasswordConfig, KeyPasswordConfig, KeystoreKeyConfig, KeystoreCertificateChainConfig,
		TruststoreCertificatesConfig, TruststorePasswordConfig:
		return true
	}
	return false
}

// ConfigError is a property that cannot be honoured. Name is the full
// property name (prefix included); Value is "[hidden]" for secrets, as
// Kafka's ConfigException prints them.
type ConfigError struct {
	Name, Value, Reason string
	Err                 error
}

func (e *ConfigError) Error() string {
	s := fmt.Sprintf("Invalid value %s for configuration %s: %s", e.Value, e.Name, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ConfigError) Unwrap() error { return e.Err }

// reader reads the properties of props under prefix.
type reader struct {
	props  map[string]string
	prefix string
}

// str returns the trimmed value of name, or def when it is unset or blank
// (ConfigDef trims STRING and LIST values).
func (r reader) str(name, def string) string {
	if v := strings.TrimSpace(r.props[r.prefix+name]); v != "" {
		return v
	}
	return def
}

// secret returns the value of a PASSWORD property as given (not trimmed)
// and whether it is set to something other than blanks.
func (r reader) secret(name string) (string, bool) {
	v := r.props[r.prefix+name]
	return v, strings.TrimSpace(v) != ""
}

func (r reader) fail(name, reason string, err error) *ConfigError {
	v := r.props[r.prefix+name]
	if Secret(name) {
		v = "[hidden]"
	}
	return &ConfigError{Name: r.prefix + name, Value: v, Reason: reason, Err: err}
}

// protocols starts a configuration of either side: the JCA settings
// checked, then the protocol versions and cipher suites.
func (r reader) protocols() (*tls.Config, error) {
	if err := r.checkJCA(); err != nil {
		return nil, err
	}
	cfg := &tls.Config{}
	if err := r.versions(cfg); err != nil {
		return nil, err
	}
	if err := r.cipherSuites(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Load builds a client TLS configuration from the ssl.* properties of props
// under prefix. Without a trust store the system's roots are trusted (a JVM
// trusts its cacerts); without a key store no client certificate is sent.
func Load(props map[string]string, prefix string) (*tls.Config, error) {
	r := reader{props: props, prefix: prefix}
	cfg, err := r.protocols()
	if err != nil {
		return nil, err
	}
	roots, err := r.trustStore()
	if err != nil {
		return nil, err
	}
	cfg.RootCAs = roots
	if cfg.Certificates, err = r.keyStore(); err != nil {
		return nil, err
	}
	if err := r.endpointIdentification(cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// checkJCA refuses the settings that choose Java security implementations
// Go has no counterpart for, and accepts the names of the JDK's own, which
// crypto/tls and crypto/rand stand in for.
func (r reader) checkJCA() error {
	if v := r.str(ProviderConfig, ""); v != "" {
		return r.fail(ProviderConfig, "JCA security providers are not supported; remove the setting", nil)
	}
	if v := r.str(EngineFactoryClassConfig, ""); v != "" && v != DefaultEngineFactoryClass {
		return r.fail(EngineFactoryClassConfig, "only "+DefaultEngineFactoryClass+" is supported", nil)
	}
	if v := r.str(KeymanagerAlgorithmConfig, ""); v != "" && !equalFoldAny(v, "SunX509", "NewSunX509", "PKIX") {
		return r.fail(KeymanagerAlgorithmConfig, "supported are SunX509 and PKIX", nil)
	}
	if v := r.str(TrustmanagerAlgorithmConfig, ""); v != "" && !equalFoldAny(v, "PKIX", "SunPKIX", "X509", "X.509", "SunX509") {
		return r.fail(TrustmanagerAlgorithmConfig, "supported are PKIX and SunX509", nil)
	}
	if v := r.str(SecureRandomImplementationConfig, ""); v != "" &&
		!equalFoldAny(v, "SHA1PRNG", "NativePRNG", "NativePRNGBlocking", "NativePRNGNonBlocking", "DRBG") {
		return r.fail(SecureRandomImplementationConfig, "supported are the JDK's SHA1PRNG, NativePRNG, NativePRNGBlocking, NativePRNGNonBlocking and DRBG (all served by the system's secure random source)", nil)
	}
	return nil
}

func equalFoldAny(v string, names ...string) bool {
	for _, n := range names {
		if strings.EqualFold(v, n) {
			return true
		}
	}
	return false
}

var tlsVersions = []struct {
	name    string
	version uint16
}{
	{"TLSv1", tls.VersionTLS10}, {"TLSv1.1", tls.VersionTLS11}, {"TLSv1.2", tls.VersionTLS12}, {"TLSv1.3", tls.VersionTLS13},
}

func tlsVersion(name string) (uint16, bool) {
	for _, v := range tlsVersions {
		if v.name == name {
			return v.version, true
		}
	}
	return 0, false
}

// versions sets the protocol range: ssl.enabled.protocols (default
// TLSv1.2,TLSv1.3) capped by ssl.protocol (default TLSv1.3): "If this config
// is set to 'TLSv1.2', clients will not use 'TLSv1.3' even if it is one of
// the values in ssl.enabled.protocols" (SslConfigs).
func (r reader) versions(cfg *tls.Config) error {
	protocol := r.str(ProtocolConfig, "TLSv1.3")
	var ceiling uint16
	if strings.EqualFold(protocol, "TLS") {
		ceiling = tls.VersionTLS13
	} else {
		for _, v := range tlsVersions {
			if strings.EqualFold(v.name, protocol) {
				ceiling = v.version
			}
		}
	}
	if ceiling == 0 {
		return r.fail(ProtocolConfig, "supported are TLSv1.3, TLSv1.2, TLSv1.1, TLSv1 and TLS", nil)
	}
	var enabled []uint16
	for _, name := range splitList(r.str(EnabledProtocolsConfig, "TLSv1.2,TLSv1.3")) {
		v, ok := tlsVersion(name)
		if !ok {
			return r.fail(EnabledProtocolsConfig, fmt.Sprintf("unsupported protocol %s; supported are TLSv1.3, TLSv1.2, TLSv1.1 and TLSv1", name), nil)
		}
		enabled = append(enabled, v)
	}
	slices.Sort(enabled)
	enabled = slices.Compact(enabled)
	for i := 1; i < len(enabled); i++ {
		if enabled[i] != enabled[i-1]+1 {
			return r.fail(EnabledProtocolsConfig, "the enabled protocols must be consecutive versions", nil)
		}
	}
	lo, hi := enabled[0], min(enabled[len(enabled)-1], ceiling)
	if lo > hi {
		return r.fail(EnabledProtocolsConfig, fmt.Sprintf("no enabled protocol is allowed by %s%s=%s", r.prefix, ProtocolConfig, protocol), nil)
	}
	cfg.MinVersion, cfg.MaxVersion = lo, hi
	return nil
}

// splitList splits a LIST value as ConfigDef does: on commas, trimmed,
// empty items dropped.
func splitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// cipherSuites maps ssl.cipher.suites to Go's suites. Java spells them with
// the IANA names Go uses, some also with an SSL_ prefix. TLS 1.3 suites
// cannot be restricted in Go; a list with only TLS 1.3 suites limits the
// connection to TLS 1.3, a list without any limits it to TLS 1.2.
func (r reader) cipherSuites(cfg *tls.Config) error {
	names := splitList(r.str(CipherSuitesConfig, ""))
	if len(names) == 0 {
		return nil
	}
	byName := map[string]*tls.CipherSuite{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		byName[s.Name] = s
	}
	var ids []uint16
	tls13 := false
	for _, n := range names {
		s, ok := byName[n]
		if !ok && strings.HasPrefix(n, "SSL_") {
			s, ok = byName["TLS_"+strings.TrimPrefix(n, "SSL_")]
		}
		if !ok {
			return r.fail(CipherSuitesConfig, "unsupported cipher suite "+n, nil)
		}
		if slices.Equal(s.SupportedVersions, []uint16{tls.VersionTLS13}) {
			tls13 = true
			continue
		}
		ids = append(ids, s.ID)
	}
	switch {
	case len(ids) == 0:
		cfg.MinVersion = max(cfg.MinVersion, tls.VersionTLS13)
	case !tls13:
		cfg.MaxVersion = min(cfg.MaxVersion, tls.VersionTLS12)
	}
	if cfg.MinVersion > cfg.MaxVersion {
		return r.fail(CipherSuitesConfig, "no enabled protocol can use these cipher suites", nil)
	}
	cfg.CipherSuites = ids
	return nil
}

// endpointIdentification applies ssl.endpoint.identification.algorithm:
// https (the default) checks the broker's host name against its
// certificate; an empty value turns that check off but still verifies the
// certificate chain against the trust store.
func (r reader) endpointIdentification(cfg *tls.Config) error {
	v, set := r.props[r.prefix+EndpointIdentificationAlgorithmConfig]
	v = strings.TrimSpace(v)
	switch {
	case !set || strings.EqualFold(v, "https"):
		return nil
	case v == "":
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true // the chain is verified below, only the host name is not
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChain(cs.PeerCertificates, roots) }
		return nil
	}
	return r.fail(EndpointIdentificationAlgorithmConfig, "supported are https and an empty value (no host name verification)", nil)
}

// verifyChain verifies a server's chain against roots (nil: the system's)
// without checking its host name.
func verifyChain(chain []*x509.Certificate, roots *x509.CertPool) error {
	if len(chain) == 0 {
		return errors.New("tls: the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: chain, Err: err}
	}
	return nil
}
