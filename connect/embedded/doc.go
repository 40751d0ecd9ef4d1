// Package embedded runs the Kafka-protocol broker a worker starts when it is
// given no bootstrap.servers: a single-node in-process kfake cluster whose
// topics, topic configs, records and group offsets persist in a data
// directory across restarts.
//
// Classic consumer-group members expire as in Kafka: a member whose JoinGroup
// answer was lost (its process died while it waited) is removed a session
// timeout after its rebalance, which kfake alone would not do (reaper.go).
//
// Topics are never created implicitly; the runtime creates the ones it needs.
// Compaction runs every 30 s so that the internal topics stay small.
package embedded
