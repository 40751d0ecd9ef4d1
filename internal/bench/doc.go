// Package bench is `tributary bench`: end-to-end throughput, latency and
// memory scenarios measured against references in the same run
// (pg_recvlogical for streaming, COPY TO STDOUT for snapshots). Each
// scenario runs a fresh worker process (the running executable) so that its
// peak resident memory is its own; the report rewrites the results section
// of BENCHMARKS.md.
package bench
