// Package embedded runs the Kafka-protocol broker a worker starts when it is
// given no bootstrap.servers: a single-node in-process kfake cluster whose
// topics, topic configs, records and group offsets persist in a data
// directory across restarts.
//
// Classic consumer-group members expire as in Kafka: a member whose JoinGroup
// answer was lost (its process died while it waited) is removed a session
// timeout after its rebalance, which kfake alone would not do (reaper.go).
//
// Topics are created on first use as Kafka's default
// auto.create.topics.enable=true creates them: a metadata request that names
// a missing topic and allows its creation creates it, with one partition,
// and the topic is written to the data directory before the request is
// answered (autocreate.go). Compaction runs every 30 s so that the internal
// topics stay small.
//
// The broker listens on loopback unless told otherwise, and a listener
// beyond loopback needs a SASL user: a broker that would let whoever
// reaches it read the connector configs and forge connector records is
// refused. With a user, every client authenticates with SCRAM-SHA-512 as
// that superuser, optionally over TLS; Options.ClientProps are the client
// properties that reach the broker, which its own clients (the cluster id
// look-up and the member reaper) use too. kfake registers SaslHandshake at
// v1 only, and librdkafka and kafkajs then find no SASL support, so the
// broker's ApiVersions answer advertises SaslHandshake v0–1 as a Kafka
// broker does while the handshake is answered at v1 (security.go); and
// kfake's successful handshake answer lists no mechanism, which kafkajs
// takes for "not supported", so the broker's connections fill the list in
// (handshake.go, the one place bytes between clients and kfake are
// changed; TLS is then ended there, below that, instead of by kfake).
package embedded
