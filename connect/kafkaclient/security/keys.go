package security

import (
	"github.com/tributary-cdc/tributary/configdef"
	"github.com/tributary-cdc/tributary/tlsconfig"
)

// unsupported marks the documentation of a setting Parse refuses.
const unsupported = " Tributary: not supported; setting it stops the worker (or is refused in a connector override)."

// kerberos marks the documentation of the GSSAPI settings.
const kerberos = " Tributary: GSSAPI is not supported; with another mechanism the setting has no effect (logged as a warning)."

// noEffect marks the documentation of a setting that has no effect on a
// client, as in Kafka's clients.
const noEffect = " Tributary: has no effect on a client (logged as a warning when set), as in Kafka's clients."

// Keys declares the client security settings (names without a client
// prefix) with Kafka 3.9's types and defaults (CommonClientConfigs,
// SslConfigs.addClientSslSupport, SaslConfigs.addClientSaslSupport), for
// the README and config/validate. Parse reads and checks them: a client
// receives the settings as given, as Kafka Connect hands its clients the
// originals, and applies the defaults itself.
func Keys() []configdef.Key {
	high, medium, low := configdef.ImportanceHigh, configdef.ImportanceMedium, configdef.ImportanceLow
	str, list, pass, class := configdef.TypeString, configdef.TypeList, configdef.TypePassword, configdef.TypeClass
	key := func(name string, typ configdef.Type, def any, imp configdef.Importance, doc string) configdef.Key {
		return configdef.Key{Name: name, Type: typ, Default: def, Importance: imp, Documentation: doc}
	}
	return []configdef.Key{
		key(SecurityProtocolConfig, str, Plaintext, medium, "Protocol used to communicate with brokers. Valid values are: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL."),
		key(SecurityProvidersConfig, str, nil, low, "A list of configurable creator classes each returning a provider implementing security algorithms."+unsupported),

		key(tlsconfig.ProtocolConfig, str, "TLSv1.3", medium, "The SSL protocol used to generate the SSLContext. The default is 'TLSv1.3'. "+
			"Tributary: TLSv1.3, TLSv1.2, TLSv1.1, TLSv1 and TLS."),
		key(tlsconfig.ProviderConfig, str, nil, medium, "The name of the security provider used for SSL connections."+unsupported),
		key(tlsconfig.CipherSuitesConfig, list, nil, low, "A list of cipher suites. This is a named combination of authentication, encryption, MAC and key exchange algorithm "+
			"used to negotiate the security settings for a network connection using TLS or SSL network protocol. By default all the available cipher suites are supported. "+
			"Tributary: by their IANA names."),
		key(tlsconfig.EnabledProtocolsConfig, list, "TLSv1.2,TLSv1.3", medium, "The list of protocols enabled for SSL connections."),
		key(tlsconfig.KeystoreTypeConfig, str, tlsconfig.TypeJKS, medium, "The file format of the key store file. This is optional for client. "+
			"Tributary: JKS, PKCS12 and PEM."),
		key(tlsconfig.KeystoreLocationConfig, str, nil, high, "The location of the key store file. This is optional for client and can be used for two-way authentication for client."),
		key(tlsconfig.KeystorePasswordConfig, pass, nil, high, "The store password for the key store file. This is optional for client and only needed if 'ssl.keystore.location' is configured. "+
			"Key store password is not supported for PEM format."),
		key(tlsconfig.KeyPasswordConfig, pass, nil, high, "The password of the private key in the key store file or the PEM key specified in 'ssl.keystore.key'."),
		key(tlsconfig.KeystoreKeyConfig, pass, nil, high, "Private key in the format specified by 'ssl.keystore.type'. Default SSL engine factory supports only PEM format with PKCS#8 keys. "+
			"If the key is encrypted, key password must be specified using 'ssl.key.password'"),
		key(tlsconfig.KeystoreCertificateChainConfig, pass, nil, high, "Certificate chain in the format specified by 'ssl.keystore.type'. "+
			"Default SSL engine factory supports only PEM format with a list of X.509 certificates"),
		key(tlsconfig.TruststoreCertificatesConfig, pass, nil, high, "Trusted certificates in the format specified by 'ssl.truststore.type'. "+
			"Default SSL engine factory supports only PEM format with X.509 certificates."),
		key(tlsconfig.TruststoreTypeConfig, str, tlsconfig.TypeJKS, medium, "The file format of the trust store file. Tributary: JKS, PKCS12 (Java's and openssl's forms) and PEM."),
		key(tlsconfig.TruststoreLocationConfig, str, nil, high, "The location of the trust store file."),
		key(tlsconfig.TruststorePasswordConfig, pass, nil, high, "The password for the trust store file. If a password is not set, trust store file configured will still be used, "+
			"but integrity checking is disabled. Trust store password is not supported for PEM format."),
		key(tlsconfig.KeymanagerAlgorithmConfig, str, "SunX509", low, "The algorithm used by key manager factory for SSL connections. Tributary: SunX509 and PKIX."),
		key(tlsconfig.TrustmanagerAlgorithmConfig, str, "PKIX", low, "The algorithm used by trust manager factory for SSL connections. Tributary: PKIX and SunX509."),
		key(tlsconfig.EndpointIdentificationAlgorithmConfig, str, "https", low, "The endpoint identification algorithm to validate server hostname using server certificate. "+
			"Tributary: https checks the host name; empty skips it (the chain is still verified)."),
		key(tlsconfig.SecureRandomImplementationConfig, str, nil, low, "The SecureRandom PRNG implementation to use for SSL cryptography operations. "+
			"Tributary: the JDK's names; all are served by the system's secure random source."),
		key(tlsconfig.EngineFactoryClassConfig, class, nil, low, "The class of type org.apache.kafka.common.security.auth.SslEngineFactory to provide SSLEngine objects. "+
			"Tributary: only the default one, "+tlsconfig.DefaultEngineFactoryClass+"."),

		key(SaslKerberosServiceNameConfig, str, nil, medium, "The Kerberos principal name that Kafka runs as."+kerberos),
		key(SaslKerberosKinitCmdConfig, str, "/usr/bin/kinit", low, "Kerberos kinit command path."+kerberos),
		key(SaslKerberosTicketRenewWindowFactorConfig, configdef.TypeDouble, 0.8, low, "Login thread will sleep until the specified window factor of time from last refresh to ticket's expiry has been reached."+kerberos),
		key(SaslKerberosTicketRenewJitterConfig, configdef.TypeDouble, 0.05, low, "Percentage of random jitter added to the renewal time."+kerberos),
		key(SaslKerberosMinTimeBeforeReloginConfig, configdef.TypeLong, int64(60000), low, "Login thread sleep time between refresh attempts."+kerberos),
		key(SaslLoginRefreshWindowFactorConfig, configdef.TypeDouble, 0.8, low, "Login refresh thread will sleep until the specified window factor relative to the credential's lifetime has been reached. "+
			"Legal values are between 0.5 (50%) and 1.0 (100%) inclusive. Currently applies only to OAUTHBEARER."),
		key(SaslLoginRefreshWindowJitterConfig, configdef.TypeDouble, 0.05, low, "The maximum amount of random jitter relative to the credential's lifetime that is added to the login refresh thread's sleep time. "+
			"Legal values are between 0 and 0.25 (25%) inclusive. Currently applies only to OAUTHBEARER."),
		key(SaslLoginRefreshMinPeriodSecondsConfig, configdef.TypeShort, int16(60), low, "The desired minimum time for the login refresh thread to wait before refreshing a credential, in seconds. "+
			"Legal values are between 0 and 900 (15 minutes). Currently applies only to OAUTHBEARER."),
		key(SaslLoginRefreshBufferSecondsConfig, configdef.TypeShort, int16(300), low, "The amount of buffer time before credential expiration to maintain when refreshing a credential, in seconds. "+
			"Legal values are between 0 and 3600 (1 hour). Currently applies only to OAUTHBEARER."),
		key(SaslMechanismConfig, str, MechanismGSSAPI, medium, "SASL mechanism used for client connections. "+
			"Tributary: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER and AWS_MSK_IAM (sent as OAUTHBEARER tokens signed by AWS's Go signer); GSSAPI is not supported."),
		key(SaslJaasConfig, pass, nil, medium, "JAAS login context parameters for SASL connections in the format used by JAAS configuration files. "+
			"Tributary: one login module: "+PlainLoginModule+", "+ScramLoginModule+", "+OAuthBearerLoginModule+" or "+IAMLoginModule+"."),
		key(SaslClientCallbackHandlerClassConfig, class, nil, medium, "The fully qualified name of a SASL client callback handler class that implements the AuthenticateCallbackHandler interface. "+
			"Tributary: only "+IAMClientCallbackHandler+" (with AWS_MSK_IAM) besides Kafka's defaults."),
		key(SaslLoginCallbackHandlerClassConfig, class, nil, medium, "The fully qualified name of a SASL login callback handler class that implements the AuthenticateCallbackHandler interface. "+
			"Tributary: "+OAuthBearerLoginCallbackHandler+" (or its .secured. name) and "+IAMOAuthBearerLoginCallbackHandler+"."),
		key(SaslLoginClassConfig, class, nil, medium, "The fully qualified name of a class that implements the Login interface. Tributary: only Kafka's defaults."),
		key(SaslLoginConnectTimeoutMsConfig, configdef.TypeInt, nil, low, "The (optional) value in milliseconds for the external authentication provider connection timeout. Currently applies only to OAUTHBEARER."),
		key(SaslLoginReadTimeoutMsConfig, configdef.TypeInt, nil, low, "The (optional) value in milliseconds for the external authentication provider read timeout. Currently applies only to OAUTHBEARER."),
		key(SaslLoginRetryBackoffMaxMsConfig, configdef.TypeLong, int64(10000), low, "The (optional) value in milliseconds for the maximum wait between login attempts to the external authentication provider. "+
			"Currently applies only to OAUTHBEARER."),
		key(SaslLoginRetryBackoffMsConfig, configdef.TypeLong, int64(100), low, "The (optional) value in milliseconds for the initial wait between login attempts to the external authentication provider. "+
			"Currently applies only to OAUTHBEARER."),
		key(SaslOAuthBearerScopeClaimNameConfig, str, "scope", low, "The OAuth claim for the scope is often named \"scope\", but this (optional) setting can provide a different name to use for the scope included in the JWT payload's claims."),
		key(SaslOAuthBearerSubClaimNameConfig, str, "sub", low, "The OAuth claim for the subject is often named \"sub\", but this (optional) setting can provide a different name to use for the subject included in the JWT payload's claims."),
		key(SaslOAuthBearerTokenEndpointURLConfig, str, nil, medium, "The URL for the OAuth/OIDC identity provider. If the URL is HTTP(S)-based, it is the issuer's token endpoint URL "+
			"to which requests will be made to login based on the configuration in sasl.jaas.config. If the URL is file-based, it specifies a file containing an access token."),
		key(SaslOAuthBearerJwksEndpointURLConfig, str, nil, medium, "The OAuth/OIDC provider URL from which the provider's JWKS (JSON Web Key Set) can be retrieved."+noEffect),
		key(SaslOAuthBearerJwksEndpointRefreshMsConfig, configdef.TypeLong, int64(3600000), low, "The (optional) value in milliseconds for the broker to wait between refreshing its JWKS cache."+noEffect),
		key(SaslOAuthBearerJwksEndpointRetryBackoffMaxMsConfig, configdef.TypeLong, int64(10000), low, "The (optional) value in milliseconds for the maximum wait between attempts to retrieve the JWKS."+noEffect),
		key(SaslOAuthBearerJwksEndpointRetryBackoffMsConfig, configdef.TypeLong, int64(100), low, "The (optional) value in milliseconds for the initial wait between JWKS retrieval attempts."+noEffect),
		key(SaslOAuthBearerClockSkewSecondsConfig, configdef.TypeInt, 30, low, "The (optional) value in seconds to allow for differences between the time of the OAuth/OIDC identity provider and the broker."+noEffect),
		key(SaslOAuthBearerExpectedAudienceConfig, list, nil, low, "The (optional) comma-delimited setting for the broker to use to verify that the JWT was issued for one of the expected audiences."+noEffect),
		key(SaslOAuthBearerExpectedIssuerConfig, str, nil, low, "The (optional) setting for the broker to use to verify that the JWT was created by the expected issuer."+noEffect),
		key(SaslOAuthBearerHeaderURLEncodeConfig, configdef.TypeBoolean, false, low, "The (optional) setting to enable the OAuth client to URL-encode the client_id and client_secret in the authorization header in accordance with RFC6749."),
	}
}
