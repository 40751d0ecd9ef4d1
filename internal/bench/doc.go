// Package bench is `tributary bench`: end-to-end throughput, latency,
// restart and memory scenarios measured against references in the same
// run, each the median of interleaved runs: pg_recvlogical and a minimal
// pgoutput client that only acknowledges (the walsender's own limit) on
// copies of one slot, the produce ceiling (Tributary's record bytes written
// by bare sarama and franz-go producers with Tributary's producer settings)
// and COPY TO STDOUT. Each Tributary run is a fresh worker process (the
// running executable), with the broker embedded or in a second process,
// so that its CPU time and peak resident memory are its own. The report
// rewrites the results section of BENCHMARKS.md, targets included.
//
// Scenarios are registered in the scenarios table (bench.go): a name for
// -scenarios and a function that adds its results with bench.add. The
// scale scenario (scale.go) runs apart: N connectors on a cluster of worker
// processes, eager against cooperative rebalancing, written to a section of
// its own.
package bench
