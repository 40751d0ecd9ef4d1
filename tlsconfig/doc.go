// Package tlsconfig builds the crypto/tls client configuration of a Kafka or
// schema registry client from the ssl.* properties a Java client reads
// (Kafka's SslConfigs and DefaultSslEngineFactory), under any prefix: ""
// for a Kafka client's own properties, "schema.registry." for the registry
// client of a converter.
//
// Trust and key stores come in the formats Java users have: JKS (read with
// keystore-go), PKCS12 (read with go-pkcs12: Java-form trust stores whose
// certificates carry the trusted-certificate attribute, openssl-form trust
// stores without it, and key stores made by keytool or openssl), PEM files
// and inline PEM (ssl.truststore.certificates, ssl.keystore.key,
// ssl.keystore.certificate.chain) with PKCS#8 keys, encrypted ones
// decrypted with ssl.key.password.
//
// LoadServer and LoadHTTPSClient read the same properties for Kafka
// Connect's https REST listeners and the client forwarding requests to
// them, as Jetty's SslContextFactory does: the key store is the server
// certificate, ssl.client.auth asks for client certificates, and the key
// store stands in for a missing trust store.
//
// Every property is honoured or refused: a setting that Go's TLS stack has
// no equivalent for (a JCA provider, a custom engine factory, an unknown
// store type or protocol) is a *ConfigError naming the property. Errors and
// their causes never contain a password, a key or an inline certificate.
//
// The package sits below everything else: both the Kafka clients
// (connect/kafkaclient/security) and the schema registry client
// (schema/registry) import it, and it imports no other package of the
// module.
package tlsconfig
