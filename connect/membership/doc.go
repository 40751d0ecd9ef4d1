// Package membership makes a worker a member of a Kafka Connect group: it
// joins the group named by group.id through the Kafka group coordinator
// (JoinGroup, SyncGroup, Heartbeat and LeaveGroup over sarama), and, when
// elected leader, assigns connectors and tasks across the members.
//
// The group protocol type is "connect". connect.protocol picks the newest
// sub-protocol a worker offers (ConnectProtocolCompatibility); it offers the
// older ones too, and the coordinator picks the newest all members offer:
//
//   - "default" (eager, ConnectProtocol V0): before a member rejoins it
//     gives up everything it runs, and the leader deals everything
//     round-robin, so a new assignment never starts a task that another live
//     member still runs.
//   - "compatible" and "sessioned" (IncrementalCooperativeConnectProtocol V1
//     and V2, KIP-415): members keep what they run across rebalances and
//     report it in their metadata; the leader's incremental assignor
//     (cooperative.go, after IncrementalCooperativeAssignor) revokes what
//     must move in one round and hands it on in the next, which the revoked
//     members ask for by rejoining once they have stopped it. The work of a
//     member that left waits scheduled.rebalance.max.delay.ms for it to come
//     back, carried as the assignment's delay, after which members rejoin;
//     a worker back under the same URL as a new member (its membership
//     lapsed, or it restarted) ends the wait at once.
//
// Member metadata and assignments use Kafka Connect's byte layouts
// (protocol.go; golden files in testdata).
package membership
