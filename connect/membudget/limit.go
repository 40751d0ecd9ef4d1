package membudget

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// CgroupRoot is where the cgroup file systems are mounted, and
// ProcSelfCgroup the file naming the process's cgroups.
const (
	CgroupRoot     = "/sys/fs/cgroup"
	ProcSelfCgroup = "/proc/self/cgroup"
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

// CgroupLimitFiles returns the memory limit files that apply to a process
// whose /proc/self/cgroup reads procCgroup, under root (CgroupRoot): for
// cgroup v2 (the unified hierarchy, line "0::/path") root/path/memory.max,
// for cgroup v1 (the line whose controllers include memory)
// root/memory/path/memory.limit_in_bytes, each followed by the same file of
// every ancestor up to root, since a parent's limit bounds its children.
// Without a line for a hierarchy (or without procCgroup) its list is just
// the file at root, as in a container with its own cgroup namespace.
func CgroupLimitFiles(root string, procCgroup []byte) (v2, v1 []string) {
	v2Path, v1Path := "/", "/"
	for line := range strings.Lines(string(procCgroup)) {
		id, rest, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		if !ok {
			continue
		}
		controllers, path, ok := strings.Cut(rest, ":")
		if !ok || !strings.HasPrefix(path, "/") {
			continue
		}
		if id == "0" && controllers == "" {
			v2Path = path
		} else if slices.Contains(strings.Split(controllers, ","), "memory") {
			v1Path = path
		}
	}
	return upTo(root, v2Path, "memory.max"), upTo(filepath.Join(root, "memory"), v1Path, "memory.limit_in_bytes")
}

// upTo is base/path/name and the same name in every ancestor of path, up
// to base/name. The path is cleaned first: it cannot leave base.
func upTo(base, path, name string) []string {
	dir := filepath.Clean("/" + path)
	var files []string
	for {
		files = append(files, filepath.Join(base, dir, name))
		if dir == "/" {
			return files
		}
		dir = filepath.Dir(dir)
	}
}

// Limit returns the process's memory limit in bytes and where it came
// from: the smallest limit set by the cgroup v2 files v2 (memory.max), else
// by the cgroup v1 files v1 (memory.limit_in_bytes), as CgroupLimitFiles
// lists them; else GOMEMLIMIT in environ. 0 and SourceNone when nothing
// limits memory. Missing files set no limit.
func Limit(v2, v1 []string, environ []string) (int64, Source, error) {
	if n, err := smallest(v2, false); err != nil {
		return 0, SourceNone, err
	} else if n > 0 {
		return n, SourceCgroupV2, nil
	}
	if n, err := smallest(v1, true); err != nil {
		return 0, SourceNone, err
	} else if n > 0 {
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

// smallest is the smallest limit the files set, 0 if none does.
func smallest(files []string, v1 bool) (int64, error) {
	var least int64
	for _, f := range files {
		n, ok, err := readCgroup(f, v1)
		if err != nil {
			return 0, err
		}
		if ok && (least == 0 || n < least) {
			least = n
		}
	}
	return least, nil
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
