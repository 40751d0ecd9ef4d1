//go:build race

package testutil

// RaceEnabled reports whether the test binary runs under the race
// detector, whose sync.Pool drops a share of what is put back and so
// changes allocation counts.
const RaceEnabled = true
