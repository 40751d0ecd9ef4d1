// Package basicauth is Kafka Connect's BasicAuthSecurityRestExtension
// (connect/basic-auth-extension in apache/kafka 3.9): HTTP basic
// authentication of REST requests against the users of the JAAS login
// configuration entry KafkaConnect, whose login module is
// PropertyFileLoginModule and whose file option names a .properties file of
// user=password lines.
//
// Invariants:
//   - a request is served only if its credentials match a user of the file,
//     or it is one of the internal requests JaasBasicAuthFilter exempts, or
//     the file is empty (as in Kafka, with a WARN at start);
//   - the credentials file is read once, when the filter is built, as
//     PropertyFileLoginModule caches it for the life of the JVM;
//   - passwords and Authorization headers are never logged or returned.
package basicauth
