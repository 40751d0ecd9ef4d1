package membership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
)

// Handler is the worker side of membership. The group loop calls it from a
// single goroutine, so calls never overlap.
type Handler interface {
	// ReadConfig reads the config topic to its end and returns the offset of
	// its last record (-1 when empty) and the work it describes: the task
	// count of every connector.
	ReadConfig(ctx context.Context) (offset int64, work map[string]int, err error)
	// Revoke stops the given connectors and tasks of the previous
	// assignment, committing offsets, and returns when they have stopped:
	// all of it before an eager rebalance, the revocations of a
	// cooperative assignment otherwise.
	Revoke(connectors []string, tasks []connect.TaskID)
	// Assigned starts what the assignment gives this worker: a is
	// everything it now holds (under a cooperative protocol, what it kept
	// and what was added). On the leader, work is what the assignment was
	// computed from, so that the leader can ask for a rebalance when the
	// config topic moves past it; on the other members it is nil.
	Assigned(a Assignment, generation int32, work map[string]int)
}

// Config wires a Group.
type Config struct {
	// Client locates the group coordinator.
	Client sarama.Client
	// Sarama configures the connection to the coordinator; its read
	// timeout is raised to cover a rebalance. Defaults to Client's config.
	Sarama *sarama.Config

	GroupID string
	URL     string // this worker's advertised REST URL

	SessionTimeout    time.Duration // session.timeout.ms
	HeartbeatInterval time.Duration // heartbeat.interval.ms
	RebalanceTimeout  time.Duration // rebalance.timeout.ms

	// Protocol is connect.protocol: the newest sub-protocol this worker
	// offers; the older ones are offered too.
	Protocol Compatibility
	// MaxDelay is scheduled.rebalance.max.delay.ms: how long, under a
	// cooperative protocol, the connectors and tasks of a member that left
	// wait for it to come back before they are reassigned.
	MaxDelay time.Duration

	Logger *slog.Logger
}

// Group is one worker's membership, from Start until Close.
type Group struct {
	cfg     Config
	handler Handler // set by Start, before the loop runs
	log     *slog.Logger
	ctx     context.Context
	started atomic.Bool
	rejoin  chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}

	mu         sync.Mutex
	broker     *sarama.Broker // connection to the coordinator
	memberID   string
	generation int32
	leaderURL  string

	// Owned by the loop goroutine.
	held          *Assignment   // what this member holds; nil before its first assignment
	protocol      Compatibility // the sub-protocol of the last completed round
	lastCompleted int32         // generation of the last completed round
	assignor      cooperativeAssignor
}

// New returns a Group; Start joins it.
func New(cfg Config) *Group {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sarama == nil {
		cfg.Sarama = cfg.Client.Config()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Group{
		assignor:      cooperativeAssignor{maxDelay: cfg.MaxDelay, now: time.Now},
		lastCompleted: -1,
		cfg:           cfg,
		log:           cfg.Logger.With("component", "membership", "group_id", cfg.GroupID),
		ctx:           ctx,
		rejoin:        make(chan struct{}, 1),
		cancel:        cancel,
		done:          make(chan struct{}),
	}
}

// Start runs the group loop in a goroutine owned by g until Close, handing
// h the assignments. h typically holds g too, to ask for rebalances: the
// group is built first, then its handler, which Start closes the cycle with.
func (g *Group) Start(h Handler) {
	g.handler = h
	g.started.Store(true)
	go g.run(g.ctx)
}

// Rejoin asks for a rebalance, for example because the set of connectors
// or tasks changed. It never blocks.
func (g *Group) Rejoin() {
	select {
	case g.rejoin <- struct{}{}:
	default:
	}
}

// LeaderURL is the REST URL of the current leader, empty before the first
// assignment.
func (g *Group) LeaderURL() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.leaderURL
}

// Close stops the loop and leaves the group, so that the others rebalance
// at once instead of after the session timeout. Stop the worker's tasks
// before calling it: the group keeps heartbeating until then.
func (g *Group) Close() {
	g.cancel()
	if !g.started.Load() {
		return
	}
	g.mu.Lock()
	if g.broker != nil {
		// Unblocks a JoinGroup waiting for the rebalance to complete.
		_ = g.broker.Close()
	}
	g.mu.Unlock()
	<-g.done
	g.leave()
	g.mu.Lock()
	if g.broker != nil {
		_ = g.broker.Close()
		g.broker = nil
	}
	g.mu.Unlock()
}

func (g *Group) run(ctx context.Context) {
	defer close(g.done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if g.held != nil && (g.protocol == Eager || g.lost()) {
			// Eager: give up everything before rejoining. A member whose
			// membership was lost gives up everything too, under any
			// protocol: the group may already have handed its work on.
			g.revoke(ctx, g.held.Connectors, g.held.Tasks)
			g.held = nil
		}
		a, protocol, work, err := g.joinAndSync(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			g.log.Warn("joining the group", "error", err)
			g.sleep(ctx, backoff)
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if a.Error != NoError {
			g.log.Warn("assignment failed, rejoining", "error_code", a.Error)
			g.sleep(ctx, time.Second)
			continue
		}
		g.mu.Lock()
		g.leaderURL = a.LeaderURL
		gen := g.generation
		g.mu.Unlock()
		revoked := len(a.RevokedConnectors) > 0 || len(a.RevokedTasks) > 0
		if protocol != Eager {
			if revoked {
				g.revoke(ctx, a.RevokedConnectors, a.RevokedTasks)
			}
			a = merge(g.held, a)
		}
		g.held, g.protocol, g.lastCompleted = &a, protocol, gen
		g.log.Info("joined group", "generation", gen, "protocol", protocol.Protocol(), "leader_url", a.LeaderURL,
			"connectors", len(a.Connectors), "tasks", len(a.Tasks),
			"revoked_connectors", len(a.RevokedConnectors), "revoked_tasks", len(a.RevokedTasks), "delay_ms", a.Delay)
		g.handler.Assigned(a, gen, work)
		if revoked {
			// Revocations finish in a second round, which hands them on
			// (DistributedHerder.handleRebalanceCompleted).
			continue
		}
		g.heartbeat(ctx, time.Duration(a.Delay)*time.Millisecond)
	}
}

// revoke has the handler stop connectors and tasks while the membership is
// kept alive.
func (g *Group) revoke(ctx context.Context, connectors []string, tasks []connect.TaskID) {
	stop := g.keepAlive(ctx)
	g.handler.Revoke(connectors, tasks)
	stop()
}

// lost reports whether this member no longer has a membership (the
// coordinator forgot it or moved on to another generation).
func (g *Group) lost() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.memberID == ""
}

// merge is what a member holds after a cooperative round: what it held,
// less the revocations, plus what the round adds (WorkerCoordinator
// onJoinComplete). The result keeps a's header and revocations.
func merge(held *Assignment, a Assignment) Assignment {
	out := a
	out.Connectors, out.Tasks = nil, nil
	if held != nil {
		for _, c := range held.Connectors {
			if !slices.Contains(a.RevokedConnectors, c) && !slices.Contains(a.Connectors, c) {
				out.Connectors = append(out.Connectors, c)
			}
		}
		for _, t := range held.Tasks {
			if !slices.Contains(a.RevokedTasks, t) && !slices.Contains(a.Tasks, t) {
				out.Tasks = append(out.Tasks, t)
			}
		}
	}
	out.Connectors = append(out.Connectors, a.Connectors...)
	out.Tasks = append(out.Tasks, a.Tasks...)
	return out
}

func (g *Group) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// coordinator returns the open connection to the group coordinator.
func (g *Group) coordinator() (*sarama.Broker, error) {
	g.mu.Lock()
	b := g.broker
	g.mu.Unlock()
	if b != nil {
		if ok, _ := b.Connected(); ok {
			return b, nil
		}
		_ = b.Close()
	}
	if err := g.cfg.Client.RefreshCoordinator(g.cfg.GroupID); err != nil {
		return nil, fmt.Errorf("finding the group coordinator: %w", err)
	}
	c, err := g.cfg.Client.Coordinator(g.cfg.GroupID)
	if err != nil {
		return nil, fmt.Errorf("finding the group coordinator: %w", err)
	}
	conf := *g.cfg.Sarama
	// JoinGroup is answered only when the rebalance completes.
	conf.Net.ReadTimeout = g.cfg.RebalanceTimeout + conf.Net.ReadTimeout
	b = sarama.NewBroker(c.Addr())
	if err := b.Open(&conf); err != nil {
		return nil, fmt.Errorf("connecting to the group coordinator %s: %w", c.Addr(), err)
	}
	g.mu.Lock()
	g.broker = b
	g.mu.Unlock()
	return b, nil
}

func (g *Group) dropCoordinator() {
	g.mu.Lock()
	if g.broker != nil {
		_ = g.broker.Close()
		g.broker = nil
	}
	g.mu.Unlock()
}

// joinAndSync runs one JoinGroup/SyncGroup round and returns this member's
// assignment, the sub-protocol the group chose and, on the leader, the work
// it distributed.
func (g *Group) joinAndSync(ctx context.Context) (_ Assignment, _ Compatibility, leaderWork map[string]int, _ error) {
	offset, work, err := g.handler.ReadConfig(ctx)
	if err != nil {
		return Assignment{}, 0, nil, fmt.Errorf("reading the config topic: %w", err)
	}
	b, err := g.coordinator()
	if err != nil {
		return Assignment{}, 0, nil, err
	}
	// Every sub-protocol up to the configured one, newest (preferred)
	// first (IncrementalCooperativeConnectProtocol.metadataRequest).
	state := WorkerState{URL: g.cfg.URL, ConfigOffset: offset, Assignment: g.held}
	var protocols []*sarama.GroupProtocol
	for c := g.cfg.Protocol; c >= Eager; c-- {
		protocols = append(protocols, &sarama.GroupProtocol{Name: c.Protocol(), Metadata: EncodeMetadataVersion(state, c.Version())})
	}
	var resp *sarama.JoinGroupResponse
join:
	for range 3 {
		g.mu.Lock()
		memberID := g.memberID
		g.mu.Unlock()
		req := &sarama.JoinGroupRequest{
			Version:               5,
			GroupId:               g.cfg.GroupID,
			SessionTimeout:        int32(g.cfg.SessionTimeout / time.Millisecond),
			RebalanceTimeout:      int32(g.cfg.RebalanceTimeout / time.Millisecond),
			MemberId:              memberID,
			ProtocolType:          ProtocolType,
			OrderedGroupProtocols: protocols,
		}
		resp, err = b.JoinGroup(req)
		if err != nil {
			g.dropCoordinator()
			return Assignment{}, 0, nil, fmt.Errorf("joining group %s: %w", g.cfg.GroupID, err)
		}
		switch {
		case errors.Is(resp.Err, sarama.ErrMemberIdRequired):
			g.setMember(resp.MemberId, -1)
			continue
		case errors.Is(resp.Err, sarama.ErrUnknownMemberId):
			g.setMember("", -1)
			if g.held != nil {
				// The group may have handed on what this member holds: the
				// run loop stops it all before joining anew.
				return Assignment{}, 0, nil, fmt.Errorf("joining group %s: membership lost: %w", g.cfg.GroupID, resp.Err)
			}
			continue
		case errors.Is(resp.Err, sarama.ErrNotCoordinatorForConsumer), errors.Is(resp.Err, sarama.ErrConsumerCoordinatorNotAvailable):
			g.dropCoordinator()
		}
		break join
	}
	if !errors.Is(resp.Err, sarama.ErrNoError) {
		return Assignment{}, 0, nil, fmt.Errorf("joining group %s: %w", g.cfg.GroupID, resp.Err)
	}
	g.setMember(resp.MemberId, resp.GenerationId)
	protocol, ok := compatibilityOf(resp.GroupProtocol)
	if !ok {
		return Assignment{}, 0, nil, fmt.Errorf("joining group %s: the coordinator chose unknown sub-protocol %q", g.cfg.GroupID, resp.GroupProtocol)
	}
	if protocol == Eager && g.held != nil && g.protocol != Eager {
		// The group fell back to the eager protocol (a member that offers
		// only "default" joined) while this member kept a cooperative
		// assignment: the eager leader assumes every member gave up
		// everything, so give it up before the assignments are handed out.
		g.log.Warn("the group fell back to the eager protocol; stopping every connector and task")
		g.revoke(ctx, g.held.Connectors, g.held.Tasks)
		g.held = nil
	}

	var assignments []sarama.SyncGroupRequestAssignment
	if resp.LeaderId == resp.MemberId {
		if assignments, leaderWork, err = g.lead(ctx, resp, protocol, offset, work); err != nil {
			return Assignment{}, 0, nil, err
		}
	}
	protoType, proto := ProtocolType, protocol.Protocol()
	sresp, err := b.SyncGroup(&sarama.SyncGroupRequest{
		Version:          5,
		GroupId:          g.cfg.GroupID,
		GenerationId:     resp.GenerationId,
		MemberId:         resp.MemberId,
		ProtocolType:     &protoType,
		ProtocolName:     &proto,
		GroupAssignments: assignments,
	})
	if err != nil {
		g.dropCoordinator()
		return Assignment{}, 0, nil, fmt.Errorf("syncing group %s: %w", g.cfg.GroupID, err)
	}
	if !errors.Is(sresp.Err, sarama.ErrNoError) {
		if errors.Is(sresp.Err, sarama.ErrUnknownMemberId) {
			g.setMember("", -1)
		}
		return Assignment{}, 0, nil, fmt.Errorf("syncing group %s: %w", g.cfg.GroupID, sresp.Err)
	}
	a, err := DecodeAssignment(sresp.MemberAssignment)
	if err != nil {
		return Assignment{}, 0, nil, err
	}
	if a.ConfigOffset > offset {
		// The leader saw config records this worker has not read yet.
		if _, _, err := g.handler.ReadConfig(ctx); err != nil {
			return Assignment{}, 0, nil, fmt.Errorf("reading the config topic: %w", err)
		}
	}
	return a, protocol, leaderWork, nil
}

func (g *Group) setMember(id string, generation int32) {
	g.mu.Lock()
	g.memberID, g.generation = id, generation
	g.mu.Unlock()
}

// lead computes every member's assignment from the leader's view of the
// config topic, read at least as far as any member's: eagerly (Assign) or
// incrementally (cooperativeAssignor), as the chosen sub-protocol says.
func (g *Group) lead(ctx context.Context, resp *sarama.JoinGroupResponse, protocol Compatibility, offset int64, work map[string]int) ([]sarama.SyncGroupRequestAssignment, map[string]int, error) {
	members := make([]Member, 0, len(resp.Members))
	maxOffset := offset
	urls := map[string]string{}
	for _, m := range resp.Members {
		st, err := DecodeMetadata(m.Metadata)
		if err != nil {
			return nil, nil, fmt.Errorf("member %s: %w", m.MemberId, err)
		}
		members = append(members, Member{ID: m.MemberId, WorkerState: st})
		urls[m.MemberId] = st.URL
		maxOffset = max(maxOffset, st.ConfigOffset)
	}
	if maxOffset > offset {
		var err error
		if offset, work, err = g.handler.ReadConfig(ctx); err != nil {
			return nil, nil, fmt.Errorf("reading the config topic: %w", err)
		}
	}
	var plan map[string]Assignment
	if protocol == Eager {
		plan = Assign(members, work)
	} else {
		plan = g.assignCooperatively(members, urls, work, resp.GenerationId)
	}
	out := make([]sarama.SyncGroupRequestAssignment, 0, len(plan))
	for id, a := range plan {
		a.Version = protocol.Version()
		a.Leader, a.LeaderURL, a.ConfigOffset = resp.MemberId, urls[resp.MemberId], offset
		if offset < maxOffset {
			a.Error = ConfigMismatch
		}
		out = append(out, sarama.SyncGroupRequestAssignment{MemberId: id, Assignment: EncodeAssignment(a)})
	}
	g.log.Debug("assigned work", "members", len(members), "connectors", len(work), "protocol", protocol.Protocol())
	return out, work, nil
}

// assignCooperatively runs the cooperative assignor over what each member
// reports it holds; urls maps each member id to its worker's URL.
func (g *Group) assignCooperatively(members []Member, urls map[string]string, work map[string]int, generation int32) map[string]Assignment {
	held := map[string]set{}
	for _, m := range members {
		if m.Assignment != nil {
			held[m.ID] = setOf(m.Assignment.Connectors, m.Assignment.Tasks)
		} else {
			held[m.ID] = newSet()
		}
	}
	plans, delay := g.assignor.assign(held, urls, work, g.lastCompleted, generation)
	out := make(map[string]Assignment, len(plans))
	for id, p := range plans {
		out[id] = Assignment{
			Connectors:        nonNil(p.assigned.sortedConnectors()),
			Tasks:             nonNil(p.assigned.sortedTasks()),
			RevokedConnectors: p.revoked.sortedConnectors(),
			RevokedTasks:      p.revoked.sortedTasks(),
			Delay:             int32(delay / time.Millisecond),
		}
	}
	return out
}

func nonNil[E any](s []E) []E {
	if s == nil {
		return []E{}
	}
	return s
}

// heartbeat keeps the membership alive until a rebalance starts, a rejoin
// is requested, the scheduled rebalance delay (if not zero) has passed, or
// ctx ends.
func (g *Group) heartbeat(ctx context.Context, delay time.Duration) {
	t := time.NewTicker(g.cfg.HeartbeatInterval)
	defer t.Stop()
	var scheduled <-chan time.Time
	if delay > 0 {
		s := time.NewTimer(delay)
		defer s.Stop()
		scheduled = s.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.rejoin:
			g.log.Info("rejoining the group")
			return
		case <-scheduled:
			g.log.Info("rejoining the group for a scheduled rebalance")
			return
		case <-t.C:
		}
		resp, err := g.beat()
		if err != nil {
			g.log.Warn("heartbeat", "error", err)
			continue
		}
		switch {
		case errors.Is(resp.Err, sarama.ErrNoError):
		case errors.Is(resp.Err, sarama.ErrRebalanceInProgress):
			g.log.Info("group is rebalancing")
			return
		case errors.Is(resp.Err, sarama.ErrUnknownMemberId), errors.Is(resp.Err, sarama.ErrIllegalGeneration):
			g.log.Warn("membership lost, rejoining", "error", resp.Err)
			g.setMember("", -1)
			return
		default:
			g.log.Warn("heartbeat", "error", resp.Err)
			if errors.Is(resp.Err, sarama.ErrNotCoordinatorForConsumer) {
				g.dropCoordinator()
			}
		}
	}
}

// beat sends one heartbeat for the current membership.
func (g *Group) beat() (*sarama.HeartbeatResponse, error) {
	b, err := g.coordinator()
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	req := &sarama.HeartbeatRequest{Version: 3, GroupId: g.cfg.GroupID, GenerationId: g.generation, MemberId: g.memberID}
	g.mu.Unlock()
	resp, err := b.Heartbeat(req)
	if err != nil {
		g.dropCoordinator()
		return nil, err
	}
	return resp, nil
}

// keepAlive heartbeats until the returned stop is called, so that a worker
// slow to stop its tasks for a rebalance keeps its membership, as Kafka
// Connect's heartbeat thread does while it revokes. The coordinator answers
// REBALANCE_IN_PROGRESS and keeps the session alive.
func (g *Group) keepAlive(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(g.cfg.HeartbeatInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			resp, err := g.beat()
			if err != nil {
				g.log.Debug("heartbeat while stopping tasks", "error", err)
				continue
			}
			if errors.Is(resp.Err, sarama.ErrUnknownMemberId) || errors.Is(resp.Err, sarama.ErrIllegalGeneration) {
				return // the JoinGroup that follows finds out
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// leave tells the coordinator this member is gone.
func (g *Group) leave() {
	g.mu.Lock()
	memberID := g.memberID
	g.mu.Unlock()
	if memberID == "" {
		return
	}
	b, err := g.coordinator()
	if err != nil {
		g.log.Warn("leaving the group", "error", err)
		return
	}
	resp, err := b.LeaveGroup(&sarama.LeaveGroupRequest{Version: 3, GroupId: g.cfg.GroupID,
		Members: []sarama.MemberIdentity{{MemberId: memberID}}})
	if err != nil {
		g.log.Warn("leaving the group", "error", err)
		return
	}
	if !errors.Is(resp.Err, sarama.ErrNoError) {
		g.log.Warn("leaving the group", "error", resp.Err)
		return
	}
	g.setMember("", -1)
	g.log.Info("left the group")
}
