package embedded

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func joinRequest(group, member string, sessionMs int32) *kmsg.JoinGroupRequest {
	r := kmsg.NewPtrJoinGroupRequest()
	r.Version = 5
	r.Group, r.MemberID = group, member
	r.SessionTimeoutMillis, r.RebalanceTimeoutMillis = sessionMs, 60000
	return r
}

func heartbeatRequest(group, member string) *kmsg.HeartbeatRequest {
	r := kmsg.NewPtrHeartbeatRequest()
	r.Group, r.MemberID = group, member
	return r
}

func syncRequest(group, member string) *kmsg.SyncGroupRequest {
	r := kmsg.NewPtrSyncGroupRequest()
	r.Group, r.MemberID = group, member
	return r
}

// TestReaperDeadlines pins when the reaper gives up on a member: when it has
// been silent for its session timeout (plus a grace) since the reaper first
// saw the group past the generation its JoinGroup was sent in, and only if
// the broker still counts it as a member.
func TestReaperDeadlines(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	at := func(d time.Duration) { now = t0.Add(d) }
	groups := map[string]*kfake.GroupInfo{}
	setGroup := func(name string, epoch int32, members ...string) {
		g := &kfake.GroupInfo{Group: name, Epoch: epoch}
		for _, m := range members {
			g.Members = append(g.Members, kfake.GroupMember{MemberID: m})
		}
		groups[name] = g
	}
	r := newMemberReaper("unused", nil, func(name string) *kfake.GroupInfo { return groups[name] }, slog.New(slog.DiscardHandler))
	r.now = func() time.Time { return now }
	expect := func(want map[string][]string) {
		t.Helper()
		got, _ := r.sweep()
		for g := range got {
			slices.Sort(got[g])
		}
		if !maps.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("at %v: expired = %v, want %v", now.Sub(t0), got, want)
		}
	}

	setGroup("g", 3, "live")
	static := joinRequest("g", "static", 6000)
	static.InstanceID = new("instance-1")
	r.observe(static)                          // left to the broker
	r.observe(joinRequest("g", "", 6000))      // not admitted yet: left to the broker
	r.observe(joinRequest("g", "dead", 6000))  // its JoinGroup response will be lost
	r.observe(joinRequest("g", "slow", 6000))  // syncs, then heartbeats: kfake's timer runs
	r.observe(joinRequest("g", "gone", 6000))  // the broker removes it itself
	r.observe(joinRequest("g", "live", 10000)) // rejoins, as members do in a rebalance
	setGroup("other", 1, "parked")
	r.observe(joinRequest("other", "parked", 6000)) // its rebalance never completes

	at(30 * time.Second) // however long a rebalance takes, nobody is reaped before it completes
	setGroup("g", 3, "dead", "slow", "gone", "live")
	expect(map[string][]string{})
	// Meanwhile the reaper heartbeats for every member whose JoinGroup
	// waits, and its own heartbeats do not count as the member's.
	_, waiting := r.sweep()
	var names []string
	for _, w := range waiting {
		names = append(names, fmt.Sprintf("%s/%s@%d", w.group, w.member, w.generation))
	}
	slices.Sort(names)
	if want := []string{"g/dead@3", "g/gone@3", "g/live@3", "g/slow@3", "other/parked@1"}; !slices.Equal(names, want) {
		t.Fatalf("waiting = %v, want %v", names, want)
	}
	r.ours[memberKey{"g", "dead"}] = true
	r.observe(heartbeatRequest("g", "dead"))
	if r.joining[memberKey{"g", "dead"}] == nil || r.ours[memberKey{"g", "dead"}] {
		t.Fatal("the reaper's own heartbeat ended its watch of the member")
	}

	setGroup("g", 4, "dead", "slow", "gone", "live") // the rebalance answered them all
	at(31 * time.Second)
	expect(map[string][]string{}) // answered, as far as the reaper knows, at 31 s
	r.observe(syncRequest("g", "live"))
	r.observe(syncRequest("g", "slow"))
	at(34 * time.Second)
	r.observe(heartbeatRequest("g", "live"))
	setGroup("g", 4, "dead", "slow", "live") // "gone" expired in the broker
	at(38*time.Second - time.Millisecond)    // 31 s + session 6 s + grace 1 s
	expect(map[string][]string{})
	at(38*time.Second + time.Millisecond)
	expect(map[string][]string{"g": {"dead"}})
	// A JoinGroup waits no longer than its rebalance timeout (60 s): one
	// still unanswered after that was answered without a rebalance, and
	// its member gets its session timeout from then on.
	at(61 * time.Second)
	if _, waiting := r.sweep(); len(waiting) != 1 || waiting[0].member != "parked" {
		t.Fatalf("waiting = %v, want only the parked member", waiting)
	}
	at(62 * time.Second)
	expect(map[string][]string{})
	at(69*time.Second + time.Millisecond) // 62 s + session 6 s + grace 1 s
	expect(map[string][]string{"other": {"parked"}})
	if len(r.joining) != 0 {
		t.Fatalf("reaper tracks %d members, want none", len(r.joining))
	}
}
