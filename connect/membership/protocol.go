package membership

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/tributary-cdc/tributary/connect"
)

// Group protocol names, as Kafka Connect registers them.
const (
	ProtocolType = "connect"
	Protocol     = "default" // eager (ConnectProtocolCompatibility.EAGER)
)

// connectorTask is the task id that stands for the connector instance
// itself in an assignment (ConnectProtocol.CONNECTOR_TASK).
const connectorTask = -1

// Assignment error codes.
const (
	NoError        int16 = 0
	ConfigMismatch int16 = 1
)

// WorkerState is a member's metadata: the URL its REST API is reachable at
// and the config-topic offset it has read up to.
type WorkerState struct {
	URL          string
	ConfigOffset int64
}

// Assignment is what the leader hands one member.
type Assignment struct {
	Error        int16
	Leader       string // member id of the leader
	LeaderURL    string
	ConfigOffset int64
	Connectors   []string
	Tasks        []connect.TaskID
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
	if v := r.int16(); v < 0 && r.err == nil {
		return s, fmt.Errorf("decoding worker metadata: unsupported version %d", v)
	}
	s.URL = r.string()
	s.ConfigOffset = r.int64()
	if r.err != nil {
		return WorkerState{}, fmt.Errorf("decoding worker metadata: %w", r.err)
	}
	return s, nil
}

// EncodeAssignment renders an assignment in ConnectProtocol V0 layout:
// version, error, leader, leader url, config offset, then one entry per
// connector with its task ids, -1 standing for the connector itself.
func EncodeAssignment(a Assignment) []byte {
	var order []string
	tasks := map[string][]int32{}
	add := func(conn string, task int32) {
		if _, ok := tasks[conn]; !ok {
			order = append(order, conn)
		}
		tasks[conn] = append(tasks[conn], task)
	}
	for _, c := range a.Connectors {
		add(c, connectorTask)
	}
	for _, t := range a.Tasks {
		add(t.Connector, int32(t.Task))
	}
	var w writer
	w.int16(0)
	w.int16(a.Error)
	w.string(a.Leader)
	w.string(a.LeaderURL)
	w.int64(a.ConfigOffset)
	w.int32(int32(len(order)))
	for _, c := range order {
		w.string(c)
		w.int32(int32(len(tasks[c])))
		for _, t := range tasks[c] {
			w.int32(t)
		}
	}
	return w.b
}

// DecodeAssignment parses an assignment. An empty buffer is the empty
// assignment the coordinator hands a member the leader did not mention.
func DecodeAssignment(b []byte) (Assignment, error) {
	var a Assignment
	if len(b) == 0 {
		return a, nil
	}
	r := reader{b: b}
	if v := r.int16(); v < 0 && r.err == nil {
		return a, fmt.Errorf("decoding assignment: unsupported version %d", v)
	}
	a.Error = r.int16()
	a.Leader = r.string()
	a.LeaderURL = r.string()
	a.ConfigOffset = r.int64()
	n := r.int32()
	for i := int32(0); i < n && r.err == nil; i++ {
		conn := r.string()
		m := r.int32()
		for j := int32(0); j < m && r.err == nil; j++ {
			t := r.int32()
			if t == connectorTask {
				a.Connectors = append(a.Connectors, conn)
			} else {
				a.Tasks = append(a.Tasks, connect.TaskID{Connector: conn, Task: int(t)})
			}
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
