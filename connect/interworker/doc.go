// Package interworker holds what Kafka Connect's sessioned protocol
// (KIP-507) adds between the workers of a cluster: the session key the
// leader generates and distributes through the config topic, and the
// signatures of the requests one worker sends another (POST
// /connectors/{c}/tasks, PUT /connectors/{c}/fence), computed as
// org.apache.kafka.connect.runtime.rest.InternalRequestSignature does: an
// HMAC of the request body under the session key, base64-encoded in
// X-Connect-Authorization, with the MAC algorithm's JVM name in
// X-Connect-Request-Signature-Algorithm.
//
// Algorithms are named as the JVM names them (HmacSHA256 and so on); the
// ones a Go binary provides are MACAlgorithms, looked up without regard to
// case as javax.crypto.Mac.getInstance does.
package interworker
