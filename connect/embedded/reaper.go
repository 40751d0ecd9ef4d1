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
)

// reapGrace is added to a member's deadline for scheduling delays.
const reapGrace = time.Second

// memberReaper gives every classic group member the session Kafka gives it,
// where kfake alone does not:
//
//   - Kafka starts a member's session timer when its JoinGroup completes,
//     whether or not the response reaches the member. kfake starts it only
//     once the response is handed to a live connection (a coin toss when the
//     connection has just closed), so a member whose process dies while its
//     JoinGroup waits for a rebalance can stay in the group for as long as
//     the group lives, holding its share of the assignment: a Kafka Connect
//     worker killed while joining would keep its tasks from ever running.
//     The reaper removes such a member with a LeaveGroup once it has been
//     silent for its session timeout after its rebalance completed.
//   - Kafka keeps a member alive while its JoinGroup waits for the others.
//     kfake lets the member's session timer run on, so a member that rejoins
//     promptly is expired if a slower one takes longer than its session
//     timeout to rejoin, and its JoinGroup is then never answered. The reaper
//     heartbeats for members whose JoinGroup is waiting, which keeps them
//     alive as Kafka would.
//
// It notes each JoinGroup of a known member with the group's generation at
// that moment: the JoinGroup waits while the group is at that generation (for
// at most its rebalance timeout) and has been answered (or its answer lost)
// once the group has moved on. A
// SyncGroup or Heartbeat from the member ends its watch: kfake's own timer
// then runs. Static members (group.instance.id) and members not admitted
// yet are left to the broker.
type memberReaper struct {
	addr string
	// clientConfig returns the configuration of the reaper's connection,
	// with the broker's own client security.
	clientConfig func() *sarama.Config
	log          *slog.Logger
	now          func() time.Time
	groups       func(group string) *kfake.GroupInfo // the broker's view of a group

	mu      sync.Mutex
	joining map[memberKey]*pendingJoin
	ours    map[memberKey]bool // heartbeats the reaper sent for a member

	conn *sarama.Broker // owned by the run goroutine
}

type memberKey struct{ group, member string }

// pendingJoin is a JoinGroup with nothing heard from its member since.
type pendingJoin struct {
	sent       time.Time
	generation int32         // the group's generation when it was sent
	session    time.Duration // the member's session timeout
	rebalance  time.Duration // the longest the JoinGroup can wait
	answered   time.Time     // when the reaper first saw it answered
}

func newMemberReaper(addr string, clientConfig func() *sarama.Config, groups func(string) *kfake.GroupInfo, log *slog.Logger) *memberReaper {
	return &memberReaper{
		addr:         addr,
		clientConfig: clientConfig,
		log:          log,
		now:          time.Now,
		groups:       groups,
		joining:      map[memberKey]*pendingJoin{},
		ours:         map[memberKey]bool{},
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
		session := time.Duration(req.SessionTimeoutMillis) * time.Millisecond
		rebalance := session // JoinGroup v0 has no rebalance timeout
		if req.Version >= 1 {
			rebalance = time.Duration(req.RebalanceTimeoutMillis) * time.Millisecond
		}
		r.mu.Lock()
		r.joining[memberKey{req.Group, req.MemberID}] = &pendingJoin{
			sent: r.now(), generation: generation, session: session, rebalance: rebalance,
		}
		r.mu.Unlock()
	case *kmsg.SyncGroupRequest:
		r.heard(req.Group, req.MemberID)
	case *kmsg.HeartbeatRequest:
		k := memberKey{req.Group, req.MemberID}
		r.mu.Lock()
		if r.ours[k] {
			delete(r.ours, k)
		} else {
			delete(r.joining, k)
		}
		r.mu.Unlock()
	}
}

func (r *memberReaper) heard(group, member string) {
	r.mu.Lock()
	delete(r.joining, memberKey{group, member})
	r.mu.Unlock()
}

// sweep returns, by group, the members whose JoinGroup was answered more
// than their session timeout ago and who are still silent and in their
// group, and the members whose JoinGroup is still waiting, with the group's
// generation. It forgets the first and every member the broker has removed.
func (r *memberReaper) sweep() (expired map[string][]string, waiting []waitingMember) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	expired = map[string][]string{}
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
		// A JoinGroup waits while the group stays at its generation, and
		// never longer than its rebalance timeout (a JoinGroup the broker
		// answered at once, without a rebalance, leaves the generation
		// as it was).
		if info.Epoch == j.generation && now.Sub(j.sent) <= j.rebalance+reapGrace {
			waiting = append(waiting, waitingMember{k, info.Epoch})
			continue
		}
		if j.answered.IsZero() {
			j.answered = now
		}
		if now.Sub(j.answered) > j.session+reapGrace {
			expired[k.group] = append(expired[k.group], k.member)
			delete(r.joining, k)
		}
	}
	return expired, waiting
}

// waitingMember is a member whose JoinGroup waits while its group is at
// generation.
type waitingMember struct {
	memberKey
	generation int32
}

// run keeps waiting members alive and evicts expired ones every interval
// until stop is closed.
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
		expired, waiting := r.sweep()
		for _, m := range waiting {
			if err := r.keepAlive(m); err != nil {
				r.log.Warn("heartbeating for a group member waiting for a rebalance", "group", m.group, "member_id", m.member, "error", err)
			}
		}
		for group, members := range expired {
			if err := r.evict(group, members); err != nil {
				r.log.Warn("evicting group members whose session expired", "group", group, "member_ids", members, "error", err)
			}
		}
	}
}

// keepAlive sends a Heartbeat for m, which the broker answers with
// REBALANCE_IN_PROGRESS after restarting m's session timer.
func (r *memberReaper) keepAlive(m waitingMember) error {
	if err := r.connect(); err != nil {
		return err
	}
	r.mu.Lock()
	r.ours[m.memberKey] = true
	r.mu.Unlock()
	_, err := r.conn.Heartbeat(&sarama.HeartbeatRequest{
		Version: 1, GroupId: m.group, MemberId: m.member, GenerationId: m.generation,
	})
	if err != nil {
		r.mu.Lock()
		delete(r.ours, m.memberKey)
		r.mu.Unlock()
		r.closeConn()
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// connect opens the reaper's connection to the broker if it is not open.
func (r *memberReaper) connect() error {
	if r.conn != nil {
		return nil
	}
	b := sarama.NewBroker(r.addr)
	if err := b.Open(r.clientConfig()); err != nil {
		return fmt.Errorf("connecting to %s: %w", r.addr, err)
	}
	r.conn = b
	return nil
}

// evict sends the LeaveGroup that removes members from group, in one
// request so that the group rebalances once.
func (r *memberReaper) evict(group string, members []string) error {
	if err := r.connect(); err != nil {
		return err
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
