// Package security configures the security of Tributary's Kafka clients
// from the properties a Java client reads: security.protocol (PLAINTEXT,
// SSL, SASL_PLAINTEXT, SASL_SSL), ssl.* (through package tlsconfig) and
// sasl.* (Kafka 3.9's CommonClientConfigs, SslConfigs and SaslConfigs).
//
// Parse turns one client's properties into a Config and Apply writes it
// into a sarama configuration. SASL mechanisms: PLAIN and SCRAM-SHA-256/512
// with the name and password of a PlainLoginModule or ScramLoginModule
// line of sasl.jaas.config (parsed by ParseJAAS exactly as Kafka's
// JaasConfig does); OAUTHBEARER with Kafka's client credentials login
// (KIP-768, OAuthBearerLoginCallbackHandler) or a token file; AWS_MSK_IAM
// (IAMLoginModule, or OAUTHBEARER with IAMOAuthBearerLoginCallbackHandler)
// sent as OAUTHBEARER tokens made by AWS's Go signer, which MSK's IAM
// listeners accept. Token logins keep their token until Kafka's refresh
// time (sasl.login.refresh.*) and fetch the next one on the first
// connection after it; they start no goroutine.
//
// Nothing is silently ignored: a setting that cannot be honoured (an
// unknown protocol or mechanism, GSSAPI, a login module, callback handler
// or login class other than the ones above, an unreadable or unknown store)
// is a *ConfigError naming the property; a setting that has no effect with
// the chosen protocol and mechanism (ssl.* under PLAINTEXT, sasl.kerberos.*
// with SCRAM, the broker-side sasl.oauthbearer.jwks.* …) is listed in
// Config.Unused and logged as a warning, as Java clients ignore them too.
// No error or log carries a password, a JAAS line or a token.
//
// Check is the pre-flight connection a worker makes before starting its
// clients: it tells a TCP, TLS handshake, certificate, Kafka protocol
// (e.g. PLAINTEXT against a TLS port) or SASL authentication failure apart
// and names the broker, the protocol and mechanism, and the settings to
// look at, where sarama would only report that it ran out of brokers.
//
// Parse reads one client's view of the settings, without prefixes. The
// views are Kafka Connect's: TaskProducerProps (the worker's producer.*
// and the connector's producer.override.*, never the worker's top-level
// security settings), AdminProps (the top level, admin.*, then
// admin.override.*) and InternalProps (the top level, for the group
// membership and the internal topics' clients). Connector overrides pass
// connector.client.config.override.policy (None, Principal, All) with
// Kafka's messages; ProducerProtocolWarning is the warning for a worker
// whose task producers would connect in plaintext.
package security
