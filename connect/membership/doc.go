// Package membership makes a worker a member of a Kafka Connect group: it
// joins the group named by group.id through the Kafka group coordinator
// (JoinGroup, SyncGroup, Heartbeat and LeaveGroup over sarama), and, when
// elected leader, assigns connectors and tasks round-robin across the
// members.
//
// The group protocol type is "connect" and the only sub-protocol is
// "default", Kafka Connect's eager protocol: before a member rejoins it
// gives up everything it runs, so a new assignment never starts a task that
// another live member still runs. Member metadata and assignments use Kafka
// Connect's ConnectProtocol V0 byte layout.
package membership
