// Package e2e runs the built tributary binary as a user would: embedded
// broker, REST API, example configs, a private PostgreSQL, and clients we
// did not write (kcat, kafkajs with the schema registry client, a Kafka
// Connect REST client) reading what it produced; against secured kfake
// clusters (TLS with SCRAM or PLAIN, mutual TLS) franz-go's kgo reads what a
// worker configured only through CONNECT_* variables produced. The fault-injection
// scenarios with their delivery validator live here too (make faults).
package e2e
