// Package kafkalog is Tributary's counterpart of Kafka Connect's
// KafkaBasedLog: a compacted topic that is read completely at start, then
// tailed, together with a durable writer for it.
//
// A Log knows nothing about the payload. Every record of every partition is
// handed to Config.OnRecord from one goroutine, in offset order within a
// partition. ReadToEnd is the synchronisation point: when it returns, every
// record that was in the topic when it was called has gone through OnRecord.
//
// The Log owns its sarama client, producer, consumer and goroutines; Close
// stops and waits for all of them.
package kafkalog
