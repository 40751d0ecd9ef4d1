package membership

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tributary-cdc/tributary/connect"
)

// ProtocolType is the group protocol type Kafka Connect registers.
const ProtocolType = "connect"

// Compatibility is a worker's connect.protocol: which sub-protocols it
// offers the group (ConnectProtocolCompatibility).
type Compatibility int

// The connect.protocol values, oldest first.
const (
	// Eager is "eager": sub-protocol "default", ConnectProtocol V0. Every
	// rebalance revokes everything.
	Eager Compatibility = iota
	// Compatible is "compatible": sub-protocol "compatible",
	// IncrementalCooperativeConnectProtocol V1 (KIP-415), with "default"
	// offered as a fallback.
	Compatible
	// Sessioned is "sessioned": sub-protocol "sessioned", V2, which is V1
	// with internal request signing (KIP-507); "compatible" and "default"
	// are offered as fallbacks.
	Sessioned
)

// ParseCompatibility reads a connect.protocol value, case-insensitively as
// ConnectProtocolCompatibility.compatibility does.
func ParseCompatibility(s string) (Compatibility, error) {
	switch strings.ToLower(s) {
	case "eager":
		return Eager, nil
	case "compatible":
		return Compatible, nil
	case "sessioned":
		return Sessioned, nil
	}
	return Eager, fmt.Errorf("unknown Connect protocol compatibility mode: %s", s)
}

// String is the connect.protocol value.
func (c Compatibility) String() string {
	return [...]string{"eager", "compatible", "sessioned"}[c]
}

// Protocol is the sub-protocol name the group coordinator sees.
func (c Compatibility) Protocol() string {
	return [...]string{"default", "compatible", "sessioned"}[c]
}

// Version is the member metadata and assignment version.
func (c Compatibility) Version() int16 { return int16(c) }

// compatibilityOf maps a sub-protocol name the coordinator selected back.
func compatibilityOf(protocol string) (Compatibility, bool) {
	for _, c := range []Compatibility{Eager, Compatible, Sessioned} {
		if c.Protocol() == protocol {
			return c, true
		}
	}
	return Eager, false
}

// Protocol is the eager sub-protocol's name.
const Protocol = "default"

// connectorTask is the task id that stands for the connector instance
// itself in an assignment (ConnectProtocol.CONNECTOR_TASK).
const connectorTask = -1

// Assignment error codes.
const (
	NoError        int16 = 0
	ConfigMismatch int16 = 1
)

// WorkerState is a member's metadata: the URL its REST API is reachable at,
// the config-topic offset it has read up to and, from version 1 on, the
// assignment it holds (nil before its first one).
type WorkerState struct {
	URL          string
	ConfigOffset int64
	Assignment   *Assignment
}

// Assignment is what the leader hands one member. Under the eager protocol
// (version 0) it is everything the member runs; under the cooperative ones
// (versions 1 and 2, ExtendedAssignment) it is what the member starts in
// addition to what it keeps, the revocations it gives up first, and the
// delay after which it should rejoin for a scheduled rebalance. A member's
// metadata carries its whole current assignment in the same layout.
type Assignment struct {
	Version           int16
	Error             int16
	Leader            string // member id of the leader
	LeaderURL         string
	ConfigOffset      int64
	Connectors        []string
	Tasks             []connect.TaskID
	RevokedConnectors []string
	RevokedTasks      []connect.TaskID
	Delay             int32 // milliseconds
}

// EncodeMetadata renders a WorkerState as ConnectProtocol V0 subscription
// metadata: version int16, url string, config offset int64.
func EncodeMetadata(s WorkerState) []byte {
	var w writer
	w.int16(0)
	w.string(s.URL)
	w.int64(s.ConfigOffset)
	return w.b
}

// DecodeMetadata parses subscription metadata. Later protocol versions start
// with the same fields, so any version >= 0 is read as V0.
func DecodeMetadata(b []byte) (WorkerState, error) {
	r := reader{b: b}
	var s WorkerState
	v := r.int16()
	if v < 0 && r.err == nil {
		return s, fmt.Errorf("decoding worker metadata: unsupported version %d", v)
	}
	s.URL = r.string()
	s.ConfigOffset = r.int64()
	if r.err != nil {
		return WorkerState{}, fmt.Errorf("decoding worker metadata: %w", r.err)
	}
	if v >= 1 && len(r.b) > 0 {
		// Allocation V1: nullable bytes holding the member's assignment
		// (IncrementalCooperativeConnectProtocol.deserializeMetadata); a
		// missing field reads as null (TOLERATE_MISSING_FIELDS_WITH_DEFAULTS).
		if b, null := r.bytes(); !null && r.err == nil {
			a, err := DecodeAssignment(b)
			if err != nil {
				return WorkerState{}, fmt.Errorf("decoding worker metadata: %w", err)
			}
			s.Assignment = &a
		}
		if r.err != nil {
			return WorkerState{}, fmt.Errorf("decoding worker metadata: %w", r.err)
		}
	}
	return s, nil
}

// EncodeMetadataVersion renders a WorkerState in the given version's layout:
// version 0 as EncodeMetadata; versions 1 and 2 as
// IncrementalCooperativeConnectProtocol.serializeMetadata: version int16,
// url string, config offset int64, then the current assignment as nullable
// bytes (length -1 before the member's first assignment).
func EncodeMetadataVersion(s WorkerState, version int16) []byte {
	if version == 0 {
		return EncodeMetadata(s)
	}
	var w writer
	w.int16(version)
	w.string(s.URL)
	w.int64(s.ConfigOffset)
	if s.Assignment == nil {
		w.int32(-1)
	} else {
		a := *s.Assignment
		a.Version = version
		b := EncodeAssignment(a)
		w.int32(int32(len(b)))
		w.b = append(w.b, b...)
	}
	return w.b
}

// EncodeAssignment renders an assignment in the layout of a.Version.
// Version 0 (ConnectProtocol): version, error, leader, leader url, config
// offset, then one entry per connector with its task ids, -1 standing for
// the connector itself. Versions 1 and 2
// (IncrementalCooperativeConnectProtocol.ASSIGNMENT_V1) add the revoked
// connectors and tasks in the same layout and the scheduled delay, int32.
func EncodeAssignment(a Assignment) []byte {
	var w writer
	w.int16(a.Version)
	w.int16(a.Error)
	w.string(a.Leader)
	w.string(a.LeaderURL)
	w.int64(a.ConfigOffset)
	w.connectorTasks(a.Connectors, a.Tasks)
	if a.Version >= 1 {
		w.connectorTasks(a.RevokedConnectors, a.RevokedTasks)
		w.int32(a.Delay)
	}
	return w.b
}

// connectorTasks writes [Connector string, Tasks [int32]] grouped by
// connector in order of first appearance, connector instances first
// (ExtendedAssignment.asMap).
func (w *writer) connectorTasks(connectors []string, taskIDs []connect.TaskID) {
	var order []string
	tasks := map[string][]int32{}
	add := func(conn string, task int32) {
		if _, ok := tasks[conn]; !ok {
			order = append(order, conn)
		}
		tasks[conn] = append(tasks[conn], task)
	}
	for _, c := range connectors {
		add(c, connectorTask)
	}
	for _, t := range taskIDs {
		add(t.Connector, int32(t.Task))
	}
	w.int32(int32(len(order)))
	for _, c := range order {
		w.string(c)
		w.int32(int32(len(tasks[c])))
		for _, t := range tasks[c] {
			w.int32(t)
		}
	}
}

// DecodeAssignment parses an assignment. An empty buffer is the empty
// assignment the coordinator hands a member the leader did not mention.
func DecodeAssignment(b []byte) (Assignment, error) {
	var a Assignment
	if len(b) == 0 {
		return a, nil
	}
	r := reader{b: b}
	a.Version = r.int16()
	if a.Version < 0 && r.err == nil {
		return a, fmt.Errorf("decoding assignment: unsupported version %d", a.Version)
	}
	a.Error = r.int16()
	a.Leader = r.string()
	a.LeaderURL = r.string()
	a.ConfigOffset = r.int64()
	a.Connectors, a.Tasks = r.connectorTasks()
	if a.Version >= 1 {
		// Missing trailing fields take their defaults, as ASSIGNMENT_V1
		// tolerates.
		if len(r.b) > 0 {
			a.RevokedConnectors, a.RevokedTasks = r.connectorTasks()
		}
		if len(r.b) > 0 {
			a.Delay = r.int32()
		}
	}
	if r.err != nil {
		return Assignment{}, fmt.Errorf("decoding assignment: %w", r.err)
	}
	return a, nil
}

// Member is one group member as the leader sees it.
type Member struct {
	ID string
	WorkerState
}

// Assign distributes work (task count by connector) across members the way
// Kafka Connect's eager assignor does: members sorted by id, connectors
// sorted by name and dealt round-robin, then every task dealt round-robin,
// continuing from where the connectors left off. The result is keyed by
// member id; every member gets an entry, possibly empty.
func Assign(members []Member, work map[string]int) map[string]Assignment {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ID
	}
	slices.Sort(ids)
	out := make(map[string]Assignment, len(ids))
	for _, id := range ids {
		out[id] = Assignment{Connectors: []string{}, Tasks: []connect.TaskID{}}
	}
	if len(ids) == 0 {
		return out
	}
	names := make([]string, 0, len(work))
	for name := range work {
		names = append(names, name)
	}
	slices.Sort(names)
	next := 0
	deal := func() string {
		id := ids[next%len(ids)]
		next++
		return id
	}
	for _, name := range names {
		id := deal()
		a := out[id]
		a.Connectors = append(a.Connectors, name)
		out[id] = a
	}
	for _, name := range names {
		for i := range work[name] {
			id := deal()
			a := out[id]
			a.Tasks = append(a.Tasks, connect.TaskID{Connector: name, Task: i})
			out[id] = a
		}
	}
	return out
}

// writer appends Kafka protocol primitives: big-endian integers, strings
// with an int16 length.
type writer struct{ b []byte }

func (w *writer) int16(v int16) { w.b = binary.BigEndian.AppendUint16(w.b, uint16(v)) }
func (w *writer) int32(v int32) { w.b = binary.BigEndian.AppendUint32(w.b, uint32(v)) }
func (w *writer) int64(v int64) { w.b = binary.BigEndian.AppendUint64(w.b, uint64(v)) }
func (w *writer) string(s string) {
	if len(s) > math.MaxInt16 {
		s = s[:math.MaxInt16]
	}
	w.int16(int16(len(s)))
	w.b = append(w.b, s...)
}

// connectorTasks reads what writer.connectorTasks writes; a null array
// (count -1) is empty.
func (r *reader) connectorTasks() (connectors []string, tasks []connect.TaskID) {
	n := r.int32()
	for i := int32(0); i < n && r.err == nil; i++ {
		conn := r.string()
		m := r.int32()
		for j := int32(0); j < m && r.err == nil; j++ {
			t := r.int32()
			if t == connectorTask {
				connectors = append(connectors, conn)
			} else {
				tasks = append(tasks, connect.TaskID{Connector: conn, Task: int(t)})
			}
		}
	}
	return connectors, tasks
}

// bytes reads nullable bytes: an int32 length, -1 for null.
func (r *reader) bytes() (_ []byte, null bool) {
	n := r.int32()
	if n == -1 {
		return nil, true
	}
	return r.take(int(n)), false
}

var errShort = errors.New("buffer too short")

// reader reads what writer writes; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = errShort
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) int16() int16 {
	if b := r.take(2); b != nil {
		return int16(binary.BigEndian.Uint16(b))
	}
	return 0
}

func (r *reader) int32() int32 {
	if b := r.take(4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

func (r *reader) int64() int64 {
	if b := r.take(8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

func (r *reader) string() string {
	n := r.int16()
	if n < 0 && r.err == nil {
		r.err = fmt.Errorf("null string where one is required")
		return ""
	}
	return string(r.take(int(n)))
}
