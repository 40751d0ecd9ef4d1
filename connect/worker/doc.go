// Package worker runs source tasks: it polls a connect.SourceTask, converts
// its records, produces them to Kafka and commits their offsets, in the way
// Kafka Connect's WorkerSourceTask does.
//
// The invariant it keeps is the product's first promise: an offset is written
// to the offsets topic only once Kafka has acknowledged every record up to the
// one that carried it, and the task is told (SourceTask.Commit) only after that
// write is durable, in poll order per source partition: the SPI's commit
// contract. The ack tracker is the one account of records in flight; tasks
// keep none. Producer or conversion errors fail the task; they are
// never logged and skipped. A produce error that means Kafka was unreachable
// (kafkaclient.IsRetriable) fails it with a connect.RetriableError, so the
// runtime restarts it from its committed offsets; a periodic offset commit
// that fails that way is logged and made at the next flush. Offsets are
// forgotten only once written: those a flush could not write are kept for
// the next one (periodic or final), unless a newer offset of the same source
// partition has become committable meanwhile, which replaces them. An
// offset-only record the task returns is a request to have its position
// acknowledged: once committable it triggers a flush at once, instead of
// waiting for the periodic one (one a transformation dropped does not).
//
// Backpressure: at most MaxInFlight records and MaxInFlightBytes bytes are
// produced but unacknowledged; while either budget is spent, polling waits,
// so a slow or absent broker slows the task down instead of growing memory.
// The ack tracker holds that window too: a record's size (its converted key,
// value and headers) is measured once, when it is converted, and given back
// at its acknowledgement. With a worker memory budget (SourceTaskConfig's
// Budget, package membudget) the runner holds a share of it while it runs:
// the window takes from the share what its records hold (their bytes, their
// offsets, the producer's messages), and the task is offered accounts of
// the same share (connect.MemoryAccounter) for what it holds.
//
// Messages are reused: a record becomes a producer message the producer is
// done with, and, with a converter that appends (AppendConverter: JSON,
// Avro), its key and value are written into that message's buffers, so the
// steady state allocates nothing per record here. A message is reused only
// once nothing can read it: the producer returned it on Successes or
// Errors, or, for the exactly-once runner, its transaction committed.
//
// Shutdown order (SourceTaskRunner.Run): stop polling, wait for in-flight
// records to be acknowledged, write and commit the last offsets, stop the
// task, close the producer.
//
// ExactlyOnceRunner is the exactly-once variant (KIP-618): each transaction
// (one poll batch, or one interval) holds the records and the offset records
// for them, written by the task's transactional producer; the task is told
// only after the transaction committed. Under a worker memory budget the
// open transaction's records are held in the task's share until it
// commits, and a transaction that fills the share commits early.
package worker
