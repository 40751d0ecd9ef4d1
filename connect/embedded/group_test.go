package embedded_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tributary-cdc/tributary/connect/kafkaclient"
)

// consumeHandler is a sarama consumer-group handler that holds its claims
// until the session ends and then takes cleanup to release them (sarama
// keeps heartbeating meanwhile).
type consumeHandler struct{ cleanup time.Duration }

func (consumeHandler) Setup(sarama.ConsumerGroupSession) error { return nil }
func (h consumeHandler) Cleanup(sarama.ConsumerGroupSession) error {
	if h.cleanup > 0 {
		<-time.After(h.cleanup) // a member slow to rejoin: the fault under test
	}
	return nil
}
func (consumeHandler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for {
		select {
		case <-s.Context().Done():
			return nil
		case _, ok := <-c.Messages():
			if !ok {
				return nil
			}
		}
	}
}

// TestMemberDeadBeforeJoinResponseIsEvicted kills group members while their
// JoinGroup waits for a rebalance, so the broker can never deliver the
// response. Kafka starts a member's session timer when the join completes,
// whether or not the response arrives, so dead members expire and the
// survivors rebalance without them. Without that a member could stay in the
// group, holding its share of the assignment, for as long as the group
// lives: Kafka Connect workers would never run the tasks it was given.
// (kfake alone strands each such member with probability 1/2: three dead
// members make this test fail 7 times in 8 without the broker's reaper.)
func TestMemberDeadBeforeJoinResponseIsEvicted(t *testing.T) {
	b := start(t, "127.0.0.1:0", t.TempDir())
	const group, topic = "reaped", "reaped-topic"
	admin := adminWithTopic(t, b.Addr(), topic)

	// The live member: sarama's consumer group, which heartbeats and
	// rejoins on its own, 3 s after it learns of a rebalance (its Cleanup):
	// the rebalance the dying members start stays in PreparingRebalance
	// long enough for all three to join it and for the test to see it, on
	// a loaded machine too, and ends well within the 6 s rebalance timeout.
	startConsumer(t, b.Addr(), group, topic, "live-member", consumeHandler{cleanup: 3 * time.Second}, 6*time.Second)
	g := waitGroup(t, admin, group, "the live member to join", func(g *sarama.GroupDescription) bool {
		return g.State == "Stable" && len(g.Members) == 1
	})
	var liveID string
	for id := range g.Members {
		liveID = id
	}

	// The members that die: each gets a member id and sends the JoinGroup
	// that (re)starts the rebalance; their connections close while those
	// JoinGroups wait for the live member to rejoin.
	var dead []*dyingMember
	for range 3 {
		dead = append(dead, joinAndWait(t, b.Addr(), group, topic))
	}
	waitGroup(t, admin, group, "the rebalance the dying members' JoinGroups start", func(g *sarama.GroupDescription) bool {
		for _, d := range dead {
			if _, ok := g.Members[d.id]; !ok {
				return false
			}
		}
		return g.State == "PreparingRebalance"
	})
	for _, d := range dead {
		d.die()
	}

	// The rebalance completes with every member (the dead ones' JoinGroups
	// are still pending in the broker); then the dead ones must expire and
	// the live one stay, under its own member id.
	waitGroup(t, admin, group, "the dead members to be evicted", func(g *sarama.GroupDescription) bool {
		_, ok := g.Members[liveID]
		return ok && g.State == "Stable" && len(g.Members) == 1
	})
}

// TestMemberWaitingForASlowOneStaysInTheGroup has one member take longer
// than the others' session timeout to rejoin a rebalance (while it keeps
// heartbeating). Kafka keeps the members whose JoinGroup waits for it in
// the group; they must not be expired meanwhile, or their JoinGroup would
// never be answered.
func TestMemberWaitingForASlowOneStaysInTheGroup(t *testing.T) {
	b := start(t, "127.0.0.1:0", t.TempDir())
	const group, topic = "patient", "patient-topic"
	admin := adminWithTopic(t, b.Addr(), topic)
	const rebalance = 30 * time.Second // longer than the slow member takes
	startConsumer(t, b.Addr(), group, topic, "prompt-member", consumeHandler{}, rebalance)
	startConsumer(t, b.Addr(), group, topic, "slow-member", consumeHandler{cleanup: 10 * time.Second}, rebalance)
	g := waitGroup(t, admin, group, "two members", func(g *sarama.GroupDescription) bool {
		return g.State == "Stable" && len(g.Members) == 2
	})
	before := slices.Collect(maps.Keys(g.Members))

	// A third member starts a rebalance: the prompt member rejoins within a
	// heartbeat, the slow one 10 s later, well past the prompt one's 6 s
	// session timeout.
	startConsumer(t, b.Addr(), group, topic, "third-member", consumeHandler{}, rebalance)
	waitGroup(t, admin, group, "the rebalance to complete with all three members", func(g *sarama.GroupDescription) bool {
		for _, id := range before {
			if _, ok := g.Members[id]; !ok {
				return false
			}
		}
		return g.State == "Stable" && len(g.Members) == 3
	})
}

// adminWithTopic creates topic (4 partitions) on the broker at addr and
// returns an admin client, closed when the test ends.
func adminWithTopic(t *testing.T, addr, topic string) sarama.ClusterAdmin {
	t.Helper()
	admin, err := sarama.NewClusterAdmin([]string{addr}, kafkaclient.NewConfig("test-admin"))
	if err != nil {
		t.Fatalf("NewClusterAdmin: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if err := admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 4, ReplicationFactor: 1}, false); err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	return admin
}

// startConsumer runs a sarama consumer group member of group, consuming
// topic, until the test ends.
func startConsumer(t *testing.T, addr, group, topic, clientID string, h consumeHandler, rebalance time.Duration) {
	t.Helper()
	cfg := kafkaclient.NewConfig(clientID)
	cfg.Consumer.Group.Session.Timeout = 6 * time.Second // the broker's minimum
	cfg.Consumer.Group.Heartbeat.Interval = time.Second
	cfg.Consumer.Group.Rebalance.Timeout = rebalance
	cfg.Net.ReadTimeout = rebalance + 10*time.Second // a JoinGroup waits up to the rebalance timeout
	c, err := sarama.NewConsumerGroup([]string{addr}, group, cfg)
	if err != nil {
		t.Fatalf("NewConsumerGroup: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if err := c.Consume(ctx, []string{topic}, h); err != nil && !errors.Is(err, sarama.ErrClosedConsumerGroup) && ctx.Err() == nil {
				t.Logf("%s: Consume: %v", clientID, err)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = c.Close()
	})
}

// dyingMember is a group member whose JoinGroup is pending in the broker.
type dyingMember struct {
	id     string
	conn   *severedConn
	client *sarama.Broker
	joined chan struct{}
}

// joinAndWait gets a member id for a new consumer of topic in group and
// sends the JoinGroup with that id, which waits for the rebalance.
func joinAndWait(t *testing.T, addr, group, topic string) *dyingMember {
	t.Helper()
	d := &dyingMember{conn: newSeveredConn(t, addr), joined: make(chan struct{})}
	d.client = sarama.NewBroker(d.conn.addr)
	if err := d.client.Open(kafkaclient.NewConfig("dead-member")); err != nil {
		t.Fatalf("Open: %v", err)
	}
	md := kmsg.NewConsumerMemberMetadata()
	md.Topics = []string{topic}
	join := &sarama.JoinGroupRequest{
		Version: 5, GroupId: group, SessionTimeout: 6000, RebalanceTimeout: 6000,
		ProtocolType:          "consumer",
		OrderedGroupProtocols: []*sarama.GroupProtocol{{Name: sarama.NewBalanceStrategyRange().Name(), Metadata: md.AppendTo(nil)}},
	}
	resp, err := d.client.JoinGroup(join)
	if err != nil || !errors.Is(resp.Err, sarama.ErrMemberIdRequired) {
		t.Fatalf("first JoinGroup = %v, %v; want MEMBER_ID_REQUIRED", resp, err)
	}
	d.id, join.MemberId = resp.MemberId, resp.MemberId
	go func() {
		defer close(d.joined)
		_, _ = d.client.JoinGroup(join) // fails once the connection is severed
	}()
	return d
}

// die closes the member's connection as a SIGKILL would: the broker sees
// the socket close with the JoinGroup unanswered.
func (d *dyingMember) die() {
	d.conn.sever()
	<-d.joined
	_ = d.client.Close()
}

// severedConn relays one client connection to the broker until sever
// closes both sides, as the death of the client's process would: unlike a
// client's Close, it does not wait for responses in flight.
type severedConn struct {
	addr  string
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newSeveredConn(t *testing.T, broker string) *severedConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	s := &severedConn{addr: ln.Addr().String(), ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() { s.sever(); wg.Wait() })
	wg.Go(func() {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		upstream, err := net.Dial("tcp", broker)
		if err != nil {
			client.Close()
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, client, upstream)
		s.mu.Unlock()
		wg.Go(func() { _, _ = io.Copy(upstream, client); upstream.Close() })
		_, _ = io.Copy(client, upstream)
		client.Close()
	})
	return s
}

func (s *severedConn) sever() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
}

// waitGroup polls DescribeGroups until cond holds, failing after a minute.
func waitGroup(t *testing.T, admin sarama.ClusterAdmin, group, what string, cond func(*sarama.GroupDescription) bool) *sarama.GroupDescription {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var last *sarama.GroupDescription
	for time.Now().Before(deadline) {
		gs, err := admin.DescribeConsumerGroups([]string{group})
		if err == nil && len(gs) == 1 {
			last = gs[0]
			if cond(last) {
				return last
			}
		}
		time.Sleep(50 * time.Millisecond) // polling interval, not synchronisation
	}
	if last != nil {
		t.Fatalf("timed out waiting for %s: state %s, %d members", what, last.State, len(last.Members))
	}
	t.Fatalf("timed out waiting for %s", what)
	return nil
}
