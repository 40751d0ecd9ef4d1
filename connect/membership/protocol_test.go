package membership

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/connect"
)

// readHex reads an annotated hex golden file: '#' starts a comment,
// whitespace is ignored.
func readHex(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var digits strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		line, _, _ = strings.Cut(line, "#")
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func TestMetadataGolden(t *testing.T) {
	want := readHex(t, "testdata/metadata_v0.hex")
	st := WorkerState{URL: "http://w1:8083", ConfigOffset: 42}
	if got := EncodeMetadata(st); !bytes.Equal(got, want) {
		t.Errorf("EncodeMetadata = %x, want %x", got, want)
	}
	back, err := DecodeMetadata(want)
	if err != nil {
		t.Fatal(err)
	}
	if back != st {
		t.Errorf("DecodeMetadata = %+v, want %+v", back, st)
	}
}

func TestAssignmentGolden(t *testing.T) {
	want := readHex(t, "testdata/assignment_v0.hex")
	a := Assignment{Leader: "m1", LeaderURL: "http://w1:8083", ConfigOffset: 42,
		Connectors: []string{"a"},
		Tasks:      []connect.TaskID{{Connector: "a", Task: 0}, {Connector: "b", Task: 1}}}
	if got := EncodeAssignment(a); !bytes.Equal(got, want) {
		t.Errorf("EncodeAssignment =\n%x, want\n%x", got, want)
	}
	back, err := DecodeAssignment(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, a) {
		t.Errorf("DecodeAssignment = %+v, want %+v", back, a)
	}
}

func TestDecodeTruncated(t *testing.T) {
	full := readHex(t, "testdata/assignment_v0.hex")
	for n := 1; n < len(full); n++ {
		if _, err := DecodeAssignment(full[:n]); err == nil {
			t.Errorf("DecodeAssignment of %d of %d bytes: no error", n, len(full))
		}
	}
	meta := readHex(t, "testdata/metadata_v0.hex")
	for n := 0; n < len(meta); n++ {
		if _, err := DecodeMetadata(meta[:n]); err == nil {
			t.Errorf("DecodeMetadata of %d of %d bytes: no error", n, len(meta))
		}
	}
	if a, err := DecodeAssignment(nil); err != nil || len(a.Connectors)+len(a.Tasks) != 0 {
		t.Errorf("DecodeAssignment(nil) = %+v, %v; want the empty assignment", a, err)
	}
}

func TestAssignRoundRobin(t *testing.T) {
	members := []Member{{ID: "m3"}, {ID: "m1"}, {ID: "m2"}}
	got := Assign(members, map[string]int{"c": 1, "a": 1, "b": 1})
	want := map[string]Assignment{
		"m1": {Connectors: []string{"a"}, Tasks: []connect.TaskID{{Connector: "a", Task: 0}}},
		"m2": {Connectors: []string{"b"}, Tasks: []connect.TaskID{{Connector: "b", Task: 0}}},
		"m3": {Connectors: []string{"c"}, Tasks: []connect.TaskID{{Connector: "c", Task: 0}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Assign = %+v, want %+v", got, want)
	}
}

func TestAssignCoversEverythingOnce(t *testing.T) {
	for _, tc := range []struct {
		members int
		work    map[string]int
	}{
		{1, map[string]int{"a": 3, "b": 0}},
		{2, map[string]int{"a": 1, "b": 2, "c": 1}},
		{4, map[string]int{"a": 5}},
		{3, map[string]int{}},
	} {
		t.Run(fmt.Sprint(tc.members, tc.work), func(t *testing.T) {
			var members []Member
			for i := range tc.members {
				members = append(members, Member{ID: fmt.Sprintf("m%d", i)})
			}
			plan := Assign(members, tc.work)
			if len(plan) != tc.members {
				t.Fatalf("%d assignments for %d members", len(plan), tc.members)
			}
			conns, tasks := map[string]int{}, map[connect.TaskID]int{}
			lo, hi := 1<<30, 0
			for _, a := range plan {
				for _, c := range a.Connectors {
					conns[c]++
				}
				for _, id := range a.Tasks {
					tasks[id]++
				}
				n := len(a.Connectors) + len(a.Tasks)
				lo, hi = min(lo, n), max(hi, n)
			}
			for name, n := range tc.work {
				if conns[name] != 1 {
					t.Errorf("connector %s assigned %d times", name, conns[name])
				}
				for i := range n {
					if id := (connect.TaskID{Connector: name, Task: i}); tasks[id] != 1 {
						t.Errorf("task %v assigned %d times", id, tasks[id])
					}
				}
			}
			if hi-lo > 1 {
				t.Errorf("unbalanced: members carry between %d and %d pieces of work", lo, hi)
			}
		})
	}
}
