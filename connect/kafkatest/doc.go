// Package kafkatest starts in-process Kafka-protocol brokers (kfake) for the
// tests of other packages. Each cluster is closed by the test's cleanup.
package kafkatest
