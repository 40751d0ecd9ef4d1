package embedded

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// reapGrace is added to a member's deadline for scheduling delays.
const reapGrace = time.Second

// memberReaper gives every classic group member the session timeout Kafka
// gives it. Kafka starts a member's session timer when its JoinGroup
// completes, whether or not the response reaches the member. kfake starts
// it only once the response is handed to a live connection (a coin toss
// when the connection has just closed), so a member whose process dies
// while its JoinGroup waits for a rebalance can stay in the group for as
// long as the group lives, holding its share of the assignment: a Kafka
// Connect worker killed while joining would keep its tasks from ever
// running again.
//
// The reaper notes each JoinGroup of a known member with the group's
// generation at that moment. Once the group has moved to another
// generation the JoinGroup has been answered (or its answer lost); if the
// member is still in the group and has sent no SyncGroup or Heartbeat for
// its session timeout since, the reaper removes it with a LeaveGroup, as
// Kafka's session expiry would. Members that synced or heartbeat have a
// running session timer in kfake and are left to it, as are static members
// (group.instance.id) and members that have not been admitted yet.
type memberReaper struct {
	addr   string
	log    *slog.Logger
	now    func() time.Time
	groups func(group string) *kfake.GroupInfo // the broker's view of a group

	mu      sync.Mutex
	joining map[memberKey]*pendingJoin

	conn *sarama.Broker // owned by the run goroutine
}

type memberKey struct{ group, member string }

// pendingJoin is a JoinGroup with nothing heard from its member since.
type pendingJoin struct {
	generation int32         // the group's generation when it was sent
	session    time.Duration // the member's session timeout
	answered   time.Time     // when the group was first seen past generation
}

func newMemberReaper(addr string, groups func(string) *kfake.GroupInfo, log *slog.Logger) *memberReaper {
	return &memberReaper{
		addr:    addr,
		log:     log,
		now:     time.Now,
		groups:  groups,
		joining: map[memberKey]*pendingJoin{},
	}
}

// watch installs the reaper's observers on c. They never handle a request:
// the broker processes each one as usual, after the observer returns.
func (r *memberReaper) watch(c *kfake.Cluster) {
	for _, key := range []kmsg.Key{kmsg.JoinGroup, kmsg.SyncGroup, kmsg.Heartbeat} {
		c.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
			r.observe(req)
			return nil, nil, false
		})
	}
}

// observe notes a JoinGroup, or that its member was heard from again.
func (r *memberReaper) observe(req kmsg.Request) {
	switch req := req.(type) {
	case *kmsg.JoinGroupRequest:
		if req.MemberID == "" || req.InstanceID != nil {
			return
		}
		// The broker has not processed this JoinGroup yet, so the
		// generation read here is the one before the rebalance that
		// answers it.
		var generation int32
		if g := r.groups(req.Group); g != nil {
			generation = g.Epoch
		}
		r.mu.Lock()
		r.joining[memberKey{req.Group, req.MemberID}] = &pendingJoin{
			generation: generation,
			session:    time.Duration(req.SessionTimeoutMillis) * time.Millisecond,
		}
		r.mu.Unlock()
	case *kmsg.SyncGroupRequest:
		r.heard(req.Group, req.MemberID)
	case *kmsg.HeartbeatRequest:
		r.heard(req.Group, req.MemberID)
	}
}

func (r *memberReaper) heard(group, member string) {
	r.mu.Lock()
	delete(r.joining, memberKey{group, member})
	r.mu.Unlock()
}

// expired returns the members whose JoinGroup was answered more than their
// session timeout ago and who are still silent and in their group, by
// group, and forgets them and every member the broker has removed.
func (r *memberReaper) expired() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	out := map[string][]string{}
	infos := map[string]*kfake.GroupInfo{}
	for k, j := range r.joining {
		info, ok := infos[k.group]
		if !ok {
			info = r.groups(k.group)
			infos[k.group] = info
		}
		if info == nil || !slices.ContainsFunc(info.Members, func(m kfake.GroupMember) bool { return m.MemberID == k.member }) {
			delete(r.joining, k) // the broker removed it
			continue
		}
		if info.Epoch == j.generation {
			continue // its rebalance has not completed
		}
		if j.answered.IsZero() {
			j.answered = now
		}
		if now.Sub(j.answered) > j.session+reapGrace {
			out[k.group] = append(out[k.group], k.member)
			delete(r.joining, k)
		}
	}
	return out
}

// run evicts expired members every interval until stop is closed.
func (r *memberReaper) run(stop <-chan struct{}, interval time.Duration) {
	defer r.closeConn()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		for group, members := range r.expired() {
			if err := r.evict(group, members); err != nil {
				r.log.Warn("evicting group members whose session expired", "group", group, "member_ids", members, "error", err)
			}
		}
	}
}

// evict sends the LeaveGroup that removes members from group, in one
// request so that the group rebalances once.
func (r *memberReaper) evict(group string, members []string) error {
	if r.conn == nil {
		b := sarama.NewBroker(r.addr)
		if err := b.Open(kafkaclient.NewConfig("tributary-embedded")); err != nil {
			return fmt.Errorf("connecting to %s: %w", r.addr, err)
		}
		r.conn = b
	}
	req := &sarama.LeaveGroupRequest{Version: 3, GroupId: group}
	for _, id := range members {
		req.Members = append(req.Members, sarama.MemberIdentity{MemberId: id})
	}
	resp, err := r.conn.LeaveGroup(req)
	if err != nil {
		r.closeConn()
		return fmt.Errorf("leaving group: %w", err)
	}
	if !errors.Is(resp.Err, sarama.ErrNoError) && !errors.Is(resp.Err, sarama.ErrUnknownMemberId) {
		return fmt.Errorf("leaving group: %w", resp.Err)
	}
	for _, m := range resp.Members {
		switch {
		case errors.Is(m.Err, sarama.ErrNoError):
			r.log.Info("evicted a group member whose session expired", "group", group, "member_id", m.MemberId)
		case errors.Is(m.Err, sarama.ErrUnknownMemberId):
			r.log.Debug("group member already gone", "group", group, "member_id", m.MemberId)
		default:
			r.log.Warn("evicting a group member whose session expired", "group", group, "member_id", m.MemberId, "error", m.Err)
		}
	}
	return nil
}

func (r *memberReaper) closeConn() {
	if r.conn != nil {
		_ = r.conn.Close()
		r.conn = nil
	}
}
