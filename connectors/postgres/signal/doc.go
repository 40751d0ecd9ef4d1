// Package signal holds what Debezium's signalling and notification
// subsystems exchange with the PostgreSQL task (io.debezium.pipeline.signal,
// io.debezium.pipeline.notification): the signal record every channel
// delivers, the channels other than the signal table (which the task reads
// from the WAL), the parsed actions, and the notification records.
//
// The package does no database I/O; a channel that reads Kafka does so
// through the connect SPI, never a Kafka client of its own.
package signal
