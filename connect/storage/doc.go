// Package storage holds Kafka Connect's three internal topics: connector
// offsets, connector and task configs, and connector and task statuses.
// Each store is a kafkalog.Log plus the in-memory view built from it.
//
// The record formats are Kafka Connect's own (KafkaOffsetBackingStore,
// KafkaConfigBackingStore, KafkaStatusBackingStore, all written with
// JsonConverter and schemas.enable=false), so a Java worker and Tributary can
// read what the other wrote. Golden files in testdata pin them.
//
// Every write returns only after the broker acknowledged it and the store's
// own view includes it. The view is updated from the log's single callback
// goroutine and guarded by the store's mutex.
package storage
