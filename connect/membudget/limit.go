package membudget

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Where the container's memory limit is read from: cgroup v2 first, then
// cgroup v1.
const (
	CgroupV2MemoryMax = "/sys/fs/cgroup/memory.max"
	CgroupV1Limit     = "/sys/fs/cgroup/memory/memory.limit_in_bytes"
)

// cgroupV1Unlimited: cgroup v1 reports "no limit" as a huge page-aligned
// number (PAGE_COUNTER_MAX pages); anything above this is no limit.
const cgroupV1Unlimited = 1 << 62

// Source says where a memory limit came from.
type Source string

// The sources of a memory limit.
const (
	SourceNone       Source = ""
	SourceCgroupV2   Source = "cgroup v2 memory.max"
	SourceCgroupV1   Source = "cgroup v1 memory.limit_in_bytes"
	SourceGoMemLimit Source = "GOMEMLIMIT"
)

// Limit returns the process's memory limit in bytes and where it came
// from: the first of the cgroup files (cgroup v2 memory.max, then cgroup v1
// memory.limit_in_bytes; paths overridable for tests) that sets a limit,
// else GOMEMLIMIT in environ. 0 and SourceNone when nothing limits memory.
func Limit(v2, v1 string, environ []string) (int64, Source, error) {
	if n, ok, err := readCgroup(v2, false); err != nil {
		return 0, SourceNone, err
	} else if ok {
		return n, SourceCgroupV2, nil
	}
	if n, ok, err := readCgroup(v1, true); err != nil {
		return 0, SourceNone, err
	} else if ok {
		return n, SourceCgroupV1, nil
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GOMEMLIMIT="); ok {
			n, err := ParseGoMemLimit(v)
			if err != nil {
				return 0, SourceNone, err
			}
			if n > 0 {
				return n, SourceGoMemLimit, nil
			}
		}
	}
	return 0, SourceNone, nil
}

// readCgroup reads a limit file: "max" (v2) or a huge number (v1) is no
// limit, a missing file too.
func readCgroup(path string, v1 bool) (int64, bool, error) {
	if path == "" {
		return 0, false, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reading memory limit: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false, fmt.Errorf("reading memory limit: %s holds %q, not a number of bytes", path, s)
	}
	if v1 && n >= cgroupV1Unlimited {
		return 0, false, nil
	}
	return n, true, nil
}

// ParseGoMemLimit parses GOMEMLIMIT as the Go runtime does: a number of
// bytes with an optional unit B, KiB, MiB, GiB or TiB, or "off" (0).
func ParseGoMemLimit(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "off" {
		return 0, nil
	}
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = v, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<63-1)/mult {
		return 0, fmt.Errorf("GOMEMLIMIT: %q is not a number of bytes with an optional B, KiB, MiB, GiB or TiB", s)
	}
	return n * mult, nil
}
