// Package worker runs source tasks: it polls a connect.SourceTask, converts
// its records, produces them to Kafka and commits their offsets, in the way
// Kafka Connect's WorkerSourceTask does.
//
// The invariant it keeps is the product's first promise: an offset is written
// to the offsets topic only once Kafka has acknowledged every record up to the
// one that carried it, and the task is told (SourceTask.Commit) only after that
// write is durable. Producer or conversion errors fail the task; they are
// never logged and skipped.
//
// Shutdown order (SourceTaskRunner.Run): stop polling, wait for in-flight
// records to be acknowledged, write and commit the last offsets, stop the
// task, close the producer.
package worker
