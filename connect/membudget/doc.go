// Package membudget is the worker's one memory budget: the bytes every
// task holds in its connector's queue and in its in-flight window to Kafka
// come out of a single worker-wide budget, shared in fair parts among the
// running tasks.
//
// A Budget has one Share per running task; a Share has one Account per
// holder of records (the connector's queue, the runtime's in-flight
// window). An account takes bytes while its task's share and the budget
// have room, and waits otherwise: backpressure, which a PostgreSQL task
// passes on to the replication stream, whose changes the server keeps in
// its WAL. An account that holds nothing always gets its next record,
// however large: each holder can make progress with one record, so no task
// can wedge another, and the budget is exceeded by at most one record per
// holder.
//
// Limit derives the budget from the memory limit of the process's cgroup
// (cgroup v2 memory.max, cgroup v1 memory.limit_in_bytes, in the directory
// /proc/self/cgroup names and its ancestors: CgroupLimitFiles) or
// GOMEMLIMIT. SizeOf estimates the memory a record's values hold.
package membudget
