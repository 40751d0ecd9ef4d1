package tlsconfig

import (
	"crypto/tls"
	"crypto/x509"
)

// ClientAuthConfig is the server-side setting of whether clients must
// present a certificate (Kafka's BrokerSecurityConfigs.SSL_CLIENT_AUTH_CONFIG,
// which Kafka Connect's RestServerConfig declares for its https listeners).
const ClientAuthConfig = "ssl.client.auth"

// The values of ssl.client.auth (Kafka's SslClientAuth, lower-cased as
// ConfigDef's ValidString takes them).
const (
	ClientAuthNone      = "none"
	ClientAuthRequested = "requested"
	ClientAuthRequired  = "required"
)

// LoadServer builds the TLS configuration of an https server from the ssl.*
// properties of props under prefix, as Kafka Connect's REST server reads
// them (connect/runtime/.../rest/util/SSLUtils.createServerSideSslContextFactory,
// on Jetty's SslContextFactory.Server): the key store is the server's
// certificate and is required; ssl.client.auth (none, requested, required)
// asks clients for a certificate, verified against the trust store;
// ssl.enabled.protocols, ssl.protocol and ssl.cipher.suites as for a client.
//
// Without a trust store, the certificates of the key store are the trusted
// ones, as Jetty's SslContextFactory.loadTrustStore falls back to the key
// store; the system's roots are never trusted for client certificates.
func LoadServer(props map[string]string, prefix string) (*tls.Config, error) {
	r := reader{props: props, prefix: prefix}
	cfg, err := r.protocols()
	if err != nil {
		return nil, err
	}
	certs, err := r.keyStore()
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, r.fail(KeystoreLocationConfig, "an https listener needs a key store holding its certificate and key", nil)
	}
	cfg.Certificates = certs
	switch auth := r.str(ClientAuthConfig, ClientAuthNone); auth {
	case ClientAuthNone:
		return cfg, nil
	case ClientAuthRequested:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case ClientAuthRequired:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		return nil, r.fail(ClientAuthConfig, "String must be one of: required, requested, none", nil)
	}
	if cfg.ClientCAs, err = r.trustStore(); err != nil {
		return nil, err
	}
	if cfg.ClientCAs == nil {
		cfg.ClientCAs = keyStoreTrust(certs)
	}
	return cfg, nil
}

// LoadHTTPSClient builds the TLS configuration of an https client from the
// ssl.* properties of props under prefix, as Kafka Connect's REST client
// reads them (SSLUtils.createClientSideSslContextFactory, on Jetty's
// SslContextFactory.Client): Load, except that without a trust store but
// with a key store, the key store's certificates are the trusted ones
// (Jetty's SslContextFactory.loadTrustStore), so workers sharing one
// self-signed key store reach each other. The key store's certificate is
// presented when the server asks for one.
func LoadHTTPSClient(props map[string]string, prefix string) (*tls.Config, error) {
	cfg, err := Load(props, prefix)
	if err != nil {
		return nil, err
	}
	r := reader{props: props, prefix: prefix}
	if _, hasTrust := r.secret(TruststoreCertificatesConfig); hasTrust || r.str(TruststoreLocationConfig, "") != "" ||
		len(cfg.Certificates) == 0 {
		return cfg, nil
	}
	cfg.RootCAs = keyStoreTrust(cfg.Certificates)
	if cfg.VerifyConnection != nil {
		// No host name verification: endpointIdentification captured the
		// roots before they were known; verify against the key store.
		roots := cfg.RootCAs
		cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyChain(cs.PeerCertificates, roots) }
	}
	return cfg, nil
}

// keyStoreTrust is a pool of the key store's certificates, as a Java trust
// manager made from a key store trusts the certificate of each key entry
// (KeyStores.getTrustedCerts).
func keyStoreTrust(certs []tls.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c.Leaf)
	}
	return pool
}
