// Package jaas reads Java Authentication and Authorization Service
// configuration as the JVM and Kafka do: a sasl.jaas.config value (one or
// more login module entries, Kafka's JaasConfig) and a login configuration
// file (named entries of login modules, the JVM's ConfigFile), with
// java.io.StreamTokenizer's rules. Errors name entries and option keys,
// never option values: they are often passwords.
package jaas
