package postgres

import "testing"

// SplitSnapshotTablesFrom makes, for the rest of the test, the snapshot
// split tables of at least pages pages into key ranges; 0 splits every
// table with a primary key. Set it before starting a task: it is restored
// after the task's own cleanup.
func SplitSnapshotTablesFrom(t testing.TB, pages int64) {
	old := snapshotSplitMinPages.Swap(pages)
	t.Cleanup(func() { snapshotSplitMinPages.Store(old) })
}
