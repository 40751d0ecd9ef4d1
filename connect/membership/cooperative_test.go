package membership

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

func TestAssignmentV1Golden(t *testing.T) {
	want := readHex(t, "testdata/assignment_v1.hex")
	a := Assignment{Version: 1, Leader: "m1", LeaderURL: "http://w1:8083", ConfigOffset: 42,
		Connectors:        []string{"a"},
		Tasks:             []connect.TaskID{{Connector: "a", Task: 0}, {Connector: "b", Task: 1}},
		RevokedConnectors: []string{"c"},
		RevokedTasks:      []connect.TaskID{{Connector: "c", Task: 2}},
		Delay:             10000,
	}
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

func TestMetadataV1V2Golden(t *testing.T) {
	held := &Assignment{Version: 1, Leader: "m1", LeaderURL: "http://w1:8083", ConfigOffset: 41,
		Connectors: []string{"a"}, Tasks: []connect.TaskID{{Connector: "a", Task: 0}}}
	for _, tc := range []struct {
		file    string
		version int16
		st      WorkerState
	}{
		{"testdata/metadata_v1.hex", 1, WorkerState{URL: "http://w1:8083", ConfigOffset: 42, Assignment: held}},
		{"testdata/metadata_v2.hex", 2, WorkerState{URL: "http://w2:8083", ConfigOffset: -1}},
	} {
		want := readHex(t, tc.file)
		if got := EncodeMetadataVersion(tc.st, tc.version); !bytes.Equal(got, want) {
			t.Errorf("%s: EncodeMetadataVersion =\n%x, want\n%x", tc.file, got, want)
		}
		back, err := DecodeMetadata(want)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !reflect.DeepEqual(back, tc.st) {
			t.Errorf("%s: DecodeMetadata = %+v, want %+v", tc.file, back, tc.st)
		}
	}
}

func TestDecodeV1Truncated(t *testing.T) {
	// The trailing fields of ASSIGNMENT_V1 and ALLOCATION_V1 may be missing
	// (TOLERATE_MISSING_FIELDS_WITH_DEFAULTS); anything cut inside a field
	// is an error.
	full := readHex(t, "testdata/assignment_v1.hex")
	revokedAt := len(full) - 4 - (4 + 3 + 4 + 8)
	for n := 1; n < len(full); n++ {
		_, err := DecodeAssignment(full[:n])
		if tolerated := n == revokedAt || n == len(full)-4; tolerated != (err == nil) {
			t.Errorf("DecodeAssignment of %d of %d bytes: error %v", n, len(full), err)
		}
	}
	meta := readHex(t, "testdata/metadata_v1.hex")
	for n := 0; n < len(meta); n++ {
		_, err := DecodeMetadata(meta[:n])
		if tolerated := n == 2+16+8; tolerated != (err == nil) {
			t.Errorf("DecodeMetadata of %d of %d bytes: error %v", n, len(meta), err)
		}
	}
}

// FuzzDecode feeds member metadata and assignments, which arrive from other
// group members through the coordinator, to the decoders: they must not
// panic, and what they accept must encode again to something they read the
// same way.
func FuzzDecode(f *testing.F) {
	for _, file := range []string{"assignment_v0.hex", "assignment_v1.hex", "metadata_v0.hex", "metadata_v1.hex", "metadata_v2.hex"} {
		f.Add(readHex(f, "testdata/"+file))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := DecodeAssignment(b); err == nil && len(b) > 0 {
			again, err := DecodeAssignment(EncodeAssignment(a))
			if err != nil || !reflect.DeepEqual(again, a) {
				t.Errorf("assignment %+v does not survive a round trip: %+v, %v", a, again, err)
			}
		}
		if s, err := DecodeMetadata(b); err == nil && len(b) >= 2 {
			v := int16(b[0])<<8 | int16(b[1])
			if v > 2 {
				v = 2
			}
			again, err := DecodeMetadata(EncodeMetadataVersion(s, v))
			if err != nil || again.URL != s.URL || again.ConfigOffset != s.ConfigOffset {
				t.Errorf("metadata %+v does not survive a round trip: %+v, %v", s, again, err)
			}
		}
	})
}

// round runs the assignor for members holding what held says and applies
// the plans, as members do. A member id names its worker before any "/":
// "w1/2" is worker w1's second membership.
func round(t *testing.T, a *cooperativeAssignor, held map[string]set, work map[string]int, gen *int32) (map[string]memberPlan, time.Duration) {
	t.Helper()
	urls := map[string]string{}
	for id := range held {
		worker, _, _ := strings.Cut(id, "/")
		urls[id] = "http://" + worker + ":8083"
	}
	plans, delay := a.assign(held, urls, work, *gen, *gen+1)
	*gen++
	for id, p := range plans {
		next := held[id].minus(p.revoked)
		next.addAll(p.assigned)
		held[id] = next
	}
	return plans, delay
}

func count(held map[string]set) (connectors, tasks map[string]int) {
	connectors, tasks = map[string]int{}, map[string]int{}
	for id, s := range held {
		connectors[id], tasks[id] = len(s.connectors), len(s.tasks)
	}
	return connectors, tasks
}

func TestCooperativeAssignorJoinRevokesThenAssigns(t *testing.T) {
	now := time.Unix(0, 0)
	a := &cooperativeAssignor{maxDelay: time.Minute, now: func() time.Time { return now }}
	work := map[string]int{"a": 2, "b": 2}
	gen := int32(0)
	held := map[string]set{"m1": newSet()}
	round(t, a, held, work, &gen)
	if c, tk := count(held); c["m1"] != 2 || tk["m1"] != 4 {
		t.Fatalf("one member holds %d connectors and %d tasks, want all", c["m1"], tk["m1"])
	}

	// m2 joins: the first round only revokes m1's excess…
	held["m2"] = newSet()
	plans, _ := round(t, a, held, work, &gen)
	if r := plans["m1"].revoked; len(r.connectors) != 1 || len(r.tasks) != 2 {
		t.Errorf("m1's revocations = %+v, want 1 connector and 2 tasks", r)
	}
	if !plans["m2"].assigned.empty() {
		t.Errorf("m2 was given %+v while m1 still ran it", plans["m2"].assigned)
	}
	// …the second hands it to m2, revoking nothing.
	plans, _ = round(t, a, held, work, &gen)
	for id, p := range plans {
		if !p.revoked.empty() {
			t.Errorf("%s lost %+v in the second round", id, p.revoked)
		}
	}
	if c, tk := count(held); c["m1"] != 1 || c["m2"] != 1 || tk["m1"] != 2 || tk["m2"] != 2 {
		t.Errorf("connectors %v, tasks %v after the join; want an even split", c, tk)
	}
}

func TestCooperativeAssignorDelaysLostWork(t *testing.T) {
	now := time.Unix(0, 0)
	a := &cooperativeAssignor{maxDelay: 10 * time.Second, now: func() time.Time { return now }}
	work := map[string]int{"a": 2, "b": 2}
	gen := int32(0)
	held := map[string]set{"m1": newSet(), "m2": newSet()}
	round(t, a, held, work, &gen)
	lostTasks := len(held["m2"].tasks)

	delete(held, "m2")
	_, delay := round(t, a, held, work, &gen)
	if delay != 10*time.Second {
		t.Errorf("delay = %v after a member left, want scheduled.rebalance.max.delay.ms", delay)
	}
	if len(held["m1"].tasks) != 4-lostTasks {
		t.Errorf("m1 took over the lost tasks at once")
	}
	now = now.Add(4 * time.Second)
	if _, delay = round(t, a, held, work, &gen); delay != 6*time.Second {
		t.Errorf("delay = %v in a round 4 s later, want the remaining 6 s", delay)
	}
	// The member comes back under a new id before the delay is up: it gets
	// the lost work when the delay ends, and m1 keeps its own.
	held["m3"] = newSet()
	round(t, a, held, work, &gen)
	now = now.Add(6 * time.Second)
	plans, delay := round(t, a, held, work, &gen)
	if delay != 0 || len(held["m3"].tasks) != lostTasks || len(held["m1"].tasks) != 4-lostTasks {
		t.Errorf("after the delay: m1 %d tasks, m3 %d tasks, delay %v; want m3 to take the %d lost tasks",
			len(held["m1"].tasks), len(held["m3"].tasks), delay, lostTasks)
	}
	if !plans["m1"].revoked.empty() {
		t.Errorf("m1 lost %+v", plans["m1"].revoked)
	}
}

// A worker whose membership lapsed (the coordinator forgot the group, as an
// embedded broker does when it restarts) gives up its work and joins again
// under a new member id: it is the worker the scheduled delay would wait
// for, so its work is assigned again at once, whether it is back in the
// round that finds the work lost or during the delay.
func TestCooperativeAssignorReassignsAtOnceToReturningWorker(t *testing.T) {
	now := time.Unix(0, 0)
	a := &cooperativeAssignor{maxDelay: 5 * time.Minute, now: func() time.Time { return now }}
	work := map[string]int{"a": 2, "b": 2}
	gen := int32(0)
	held := map[string]set{"w1/1": newSet()}
	round(t, a, held, work, &gen)

	// Alone in the group, and leader: it comes back as w1/2.
	delete(held, "w1/1")
	held["w1/2"] = newSet()
	if _, delay := round(t, a, held, work, &gen); delay != 0 || len(held["w1/2"].tasks) != 4 {
		t.Errorf("worker back under a new member id: %d tasks, delay %v; want all 4 at once", len(held["w1/2"].tasks), delay)
	}

	// Two workers: w2's membership lapses and the group rebalances
	// without it, which schedules the delay; w2 is back under a new id
	// before the delay is up and takes its work again at once.
	held["w2/1"] = newSet()
	round(t, a, held, work, &gen)
	round(t, a, held, work, &gen)
	lostTasks := len(held["w2/1"].tasks)
	if lostTasks == 0 {
		t.Fatal("w2 was given no task")
	}
	delete(held, "w2/1")
	if _, delay := round(t, a, held, work, &gen); delay != 5*time.Minute {
		t.Fatalf("delay = %v after w2 left, want scheduled.rebalance.max.delay.ms", delay)
	}
	now = now.Add(time.Second)
	held["w2/2"] = newSet()
	plans, delay := round(t, a, held, work, &gen)
	if delay != 0 || len(held["w2/2"].tasks) != lostTasks || !plans["w1/2"].revoked.empty() {
		t.Errorf("w2 back under a new member id: %d tasks, delay %v, w1 revoked %+v; want its %d tasks at once, nothing revoked",
			len(held["w2/2"].tasks), delay, plans["w1/2"].revoked, lostTasks)
	}
}

// Workers that advertise the same URL cannot be told apart: one of them
// leaving is waited out as Kafka Connect does, since the URL still in the
// group belongs to a worker that stayed.
func TestCooperativeAssignorSharedURLWaitsOutTheDelay(t *testing.T) {
	now := time.Unix(0, 0)
	a := &cooperativeAssignor{maxDelay: 5 * time.Minute, now: func() time.Time { return now }}
	work := map[string]int{"a": 2, "b": 2}
	gen := int32(0)
	held := map[string]set{"same/1": newSet(), "same/2": newSet()}
	round(t, a, held, work, &gen)
	round(t, a, held, work, &gen)
	if len(held["same/2"].tasks) == 0 {
		t.Fatal("same/2 was given no task")
	}
	delete(held, "same/2")
	if _, delay := round(t, a, held, work, &gen); delay != 5*time.Minute {
		t.Fatalf("delay = %v after one of two workers with one URL left, want scheduled.rebalance.max.delay.ms", delay)
	}
	if len(held["same/1"].tasks) != 2 {
		t.Errorf("same/1 holds %d tasks during the delay, want its own 2", len(held["same/1"].tasks))
	}
}

func TestCooperativeAssignorWorkChanges(t *testing.T) {
	a := &cooperativeAssignor{maxDelay: time.Minute, now: time.Now}
	work := map[string]int{"a": 1, "b": 1, "c": 1, "d": 1}
	gen := int32(0)
	held := map[string]set{"m1": newSet(), "m2": newSet()}
	round(t, a, held, work, &gen)

	work["e"] = 3
	plans, _ := round(t, a, held, work, &gen)
	for id, p := range plans {
		if !p.revoked.empty() {
			t.Errorf("creating a connector revoked %+v from %s", p.revoked, id)
		}
	}
	delete(work, "a")
	plans, _ = round(t, a, held, work, &gen)
	revoked := newSet()
	for _, p := range plans {
		revoked.addAll(p.revoked)
	}
	want := setOf([]string{"a"}, []connect.TaskID{{Connector: "a", Task: 0}})
	if !reflect.DeepEqual(revoked, want) {
		t.Errorf("deleting connector a revoked %+v, want only a and its task", revoked)
	}
	// Two members holding the same task (one lost its membership and came
	// back) both give it up; the next round hands it to one.
	dup := connect.TaskID{Connector: "e", Task: 0}
	held["m1"].tasks[dup], held["m2"].tasks[dup] = true, true
	plans, _ = round(t, a, held, work, &gen)
	if !plans["m1"].revoked.tasks[dup] || !plans["m2"].revoked.tasks[dup] {
		t.Errorf("a task held twice was not revoked from both: %+v", plans)
	}
	round(t, a, held, work, &gen)
	if held["m1"].tasks[dup] == held["m2"].tasks[dup] {
		t.Errorf("task %v held by both or neither after the follow-up round", dup)
	}
}
