package membership

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// cooperativeAssignor is the leader's incremental cooperative assignor
// (IncrementalCooperativeAssignor, KIP-415). It keeps state between rounds
// while this worker leads: what it assigned last, what it revoked, and the
// scheduled rebalance for a departed worker's connectors and tasks.
type cooperativeAssignor struct {
	maxDelay time.Duration // scheduled.rebalance.max.delay.ms
	now      func() time.Time

	previous           set // everything assigned after the last round, lost work included
	previousRevocation set
	previousGeneration int32
	previousMembers    map[string]string // member id → worker URL
	revokedInPrevious  bool

	delay              time.Duration
	scheduledRebalance time.Time // zero: none
	candidates         map[string]bool
	// awaited holds the URLs of the workers whose departure the scheduled
	// rebalance waits out.
	awaited map[string]bool
}

// set is a set of connectors and tasks (ConnectorsAndTasks).
type set struct {
	connectors map[string]bool
	tasks      map[connect.TaskID]bool
}

func newSet() set {
	return set{connectors: map[string]bool{}, tasks: map[connect.TaskID]bool{}}
}

func setOf(connectors []string, tasks []connect.TaskID) set {
	s := newSet()
	for _, c := range connectors {
		s.connectors[c] = true
	}
	for _, t := range tasks {
		s.tasks[t] = true
	}
	return s
}

func (s set) empty() bool { return len(s.connectors) == 0 && len(s.tasks) == 0 }

func (s set) addAll(o set) {
	maps.Copy(s.connectors, o.connectors)
	maps.Copy(s.tasks, o.tasks)
}

// minus returns s without anything in any of others.
func (s set) minus(others ...set) set {
	out := newSet()
	for c := range s.connectors {
		if !slices.ContainsFunc(others, func(o set) bool { return o.connectors[c] }) {
			out.connectors[c] = true
		}
	}
	for t := range s.tasks {
		if !slices.ContainsFunc(others, func(o set) bool { return o.tasks[t] }) {
			out.tasks[t] = true
		}
	}
	return out
}

func (s set) intersect(o set) set {
	out := newSet()
	for c := range s.connectors {
		if o.connectors[c] {
			out.connectors[c] = true
		}
	}
	for t := range s.tasks {
		if o.tasks[t] {
			out.tasks[t] = true
		}
	}
	return out
}

func (s set) sortedConnectors() []string { return slices.Sorted(maps.Keys(s.connectors)) }

func (s set) sortedTasks() []connect.TaskID {
	return slices.SortedFunc(maps.Keys(s.tasks), compareTasks)
}

func compareTasks(a, b connect.TaskID) int {
	return cmp.Or(cmp.Compare(a.Connector, b.Connector), cmp.Compare(a.Task, b.Task))
}

// load is one worker's connectors and tasks while the round is computed
// (WorkerLoad).
type load struct {
	id string
	set
}

// memberPlan is the outcome of a round for one member.
type memberPlan struct {
	assigned set // new to the member
	revoked  set
}

// assign computes one round. members maps each member id to what it holds
// now (its metadata's assignment) and urls each member id to its worker's
// REST URL; work is the configured task count of every connector;
// lastCompleted is the generation of this worker's last completed
// rebalance and generation the current one. It returns every member's plan
// and the delay after which members should rejoin for a scheduled
// rebalance (0 for none).
func (a *cooperativeAssignor) assign(members map[string]set, urls map[string]string, work map[string]int, lastCompleted, generation int32) (map[string]memberPlan, time.Duration) {
	if a.previous.connectors == nil || a.previousGeneration != lastCompleted {
		// The previous view is missing or outdated: the leader changed, or
		// the last round did not complete.
		a.previous = newSet()
	}
	if a.previousRevocation.connectors == nil {
		a.previousRevocation = newSet()
	}
	configured := newSet()
	for name, n := range work {
		configured.connectors[name] = true
		for i := range n {
			configured.tasks[connect.TaskID{Connector: name, Task: i}] = true
		}
	}
	active := newSet()
	for _, s := range members {
		active.addAll(s)
	}
	if !a.previousRevocation.empty() {
		// A member that had something revoked in the last round still runs
		// it: that round's view is wrong, start from what members report.
		if !a.previousRevocation.intersect(active).empty() {
			a.previous = active
		}
		a.previousRevocation = newSet()
	}

	deleted := a.previous.minus(configured)
	duplicated := duplicates(members)
	lost := a.previous.minus(active, deleted)
	created := configured.minus(a.previous, active)

	ids := slices.Sorted(maps.Keys(members))
	current := map[string]set{}
	next := make([]*load, 0, len(ids))
	toRevoke := map[string]set{}
	for _, id := range ids {
		current[id] = members[id].minus(deleted)
		l := &load{id: id, set: members[id].minus()}
		next = append(next, l)
		// Deleted connectors and tasks are revoked; so is anything else no
		// longer configured, whatever the leader's previous view says.
		revoke := members[id].minus(configured)
		revoke.addAll(members[id].intersect(duplicated))
		toRevoke[id] = revoke
		l.set = l.minus(revoke)
	}

	reassign := a.handleLost(lost, next, urls)
	// Kafka Connect also revokes for balance when only the work changed,
	// which restarts tasks of unrelated connectors when one is deleted;
	// here it happens when members come or go (or a new leader takes
	// over), and new work goes to the least loaded workers otherwise.
	membersChanged := a.previousMembers == nil || len(a.previousMembers) != len(ids) ||
		slices.ContainsFunc(ids, func(id string) bool { _, ok := a.previousMembers[id]; return !ok })
	if a.delay == 0 && membersChanged {
		balance := a.balancingRevocations(configured, next)
		switch {
		case len(balance) > 0:
			// Kafka Connect backs off between successive revoking rounds;
			// here they stay apart by the rejoin that follows each one.
			for id, s := range balance {
				toRevoke[id].addAll(s)
				for _, l := range next {
					if l.id == id {
						l.set = l.minus(s)
					}
				}
			}
			a.revokedInPrevious = true
		default:
			a.revokedInPrevious = false
		}
	} else {
		a.revokedInPrevious = false
	}

	toAssign := newSet()
	toAssign.addAll(created)
	toAssign.addAll(reassign)
	assignConnectors(next, toAssign.sortedConnectors())
	assignTasks(next, toAssign.sortedTasks())

	out := map[string]memberPlan{}
	previous := newSet()
	for _, l := range next {
		previous.addAll(l.set)
		out[l.id] = memberPlan{assigned: l.minus(current[l.id]), revoked: toRevoke[l.id]}
	}
	for _, r := range toRevoke {
		previous = previous.minus(r)
		a.previousRevocation.addAll(r)
	}
	previous.addAll(lost)
	a.previous = previous
	a.previousGeneration = generation
	a.previousMembers = map[string]string{}
	for _, id := range ids {
		a.previousMembers[id] = urls[id]
	}
	return out, a.delay
}

// handleLost decides what to do with the connectors and tasks of members
// that left (handleLostAssignments): reassign them at once when no worker
// is missing (they were lost in a failed round, or their worker is back as
// a new member), else hold them until scheduled.rebalance.max.delay.ms has
// passed since the member left, in case it comes back, then give them to
// the members that joined meanwhile or, failing those, to everyone.
//
// A worker is known by its URL: one back under a new member id (its
// membership lapsed, say when the coordinator forgot the group, or it
// restarted) is the worker the delay waits for, and it holds nothing of
// its old assignment (a member gives up everything when its membership
// lapses), so waiting longer would only keep that work stopped. Kafka
// Connect's assignor knows members by id only and waits out the delay.
func (a *cooperativeAssignor) handleLost(lost set, next []*load, urls map[string]string) set {
	reassign := newSet()
	if lost.empty() && !a.revokedInPrevious {
		a.resetDelay()
		return reassign
	}
	now := a.now()
	active := map[string]bool{}
	activeURLs := map[string]bool{}
	for _, l := range next {
		active[l.id] = true
		// Only a member new since the last round can be a worker back: a
		// URL shared with a worker that stayed (every worker advertising
		// the same name) says nothing about the one that left.
		if _, stayed := a.previousMembers[l.id]; !stayed && urls[l.id] != "" {
			activeURLs[urls[l.id]] = true
		}
	}
	for id, u := range a.previousMembers {
		if !active[id] {
			if a.awaited == nil {
				a.awaited = map[string]bool{}
			}
			a.awaited[u] = true
		}
	}
	allBack := true
	for u := range a.awaited {
		// A member that gave no URL cannot be recognised when it is back.
		if u == "" || !activeURLs[u] {
			allBack = false
		}
	}
	if allBack || a.maxDelay == 0 {
		reassign.addAll(lost)
		a.resetDelay()
		return reassign
	}
	if !a.scheduledRebalance.IsZero() && !now.Before(a.scheduledRebalance) {
		var candidates []*load
		for _, l := range next {
			if a.candidates[l.id] && l.empty() {
				candidates = append(candidates, l)
			}
		}
		if len(candidates) > 0 {
			for i, c := range lost.sortedConnectors() {
				candidates[i%len(candidates)].connectors[c] = true
			}
			for i, t := range lost.sortedTasks() {
				candidates[i%len(candidates)].tasks[t] = true
			}
		} else {
			reassign.addAll(lost)
		}
		a.resetDelay()
		a.revokedInPrevious = false
		return reassign
	}
	if a.candidates == nil {
		a.candidates = map[string]bool{}
	}
	for _, l := range next {
		if l.empty() {
			a.candidates[l.id] = true
		}
	}
	if now.Before(a.scheduledRebalance) {
		a.delay = min(a.scheduledRebalance.Sub(now), a.maxDelay)
	} else {
		a.delay = a.maxDelay
	}
	a.scheduledRebalance = now.Add(a.delay)
	return reassign
}

func (a *cooperativeAssignor) resetDelay() {
	a.candidates = nil
	a.awaited = nil
	a.scheduledRebalance = time.Time{}
	a.delay = 0
}

// balancingRevocations revokes from each worker what it holds beyond its
// fair share, connectors and tasks counted apart
// (performLoadBalancingRevocations), so that the next round can hand it to
// the workers with less.
func (a *cooperativeAssignor) balancingRevocations(configured set, workers []*load) map[string]set {
	if configured.empty() || !slices.ContainsFunc(workers, func(l *load) bool { return !l.empty() }) {
		return nil
	}
	out := map[string]set{}
	get := func(id string) set {
		if _, ok := out[id]; !ok {
			out[id] = newSet()
		}
		return out[id]
	}
	for id, cs := range excess(len(configured.connectors), workers, func(l *load) []string { return l.sortedConnectors() }) {
		for _, c := range cs {
			get(id).connectors[c] = true
		}
	}
	for id, ts := range excess(len(configured.tasks), workers, func(l *load) []connect.TaskID { return l.sortedTasks() }) {
		for _, t := range ts {
			get(id).tasks[t] = true
		}
	}
	return out
}

// excess is loadBalancingRevocations for one kind of resource.
func excess[E any](total int, workers []*load, held func(*load) []E) map[string][]E {
	minPer := total / len(workers)
	extra := total % len(workers)
	atMin, atMinPlusOne := 0, 0
	for _, w := range workers {
		switch len(held(w)) {
		case minPer:
			atMin++
		case minPer + 1:
			atMinPlusOne++
		}
	}
	if atMinPlusOne == extra && atMin+atMinPlusOne == len(workers) {
		return nil
	}
	out := map[string][]E{}
	allocatedExtras := 0
	for _, w := range workers {
		h := held(w)
		if len(h) <= minPer {
			continue
		}
		limit := minPer
		if allocatedExtras < extra {
			allocatedExtras++
			if len(h) == minPer+1 {
				continue
			}
			limit = minPer + 1
		}
		out[w.id] = h[:len(h)-limit]
	}
	return out
}

// assignConnectors hands each connector to the worker with the fewest,
// ties going to the first in member order (assignConnectors).
func assignConnectors(workers []*load, connectors []string) {
	for _, c := range connectors {
		w := slices.MinFunc(workers, func(a, b *load) int { return cmp.Compare(len(a.connectors), len(b.connectors)) })
		w.connectors[c] = true
	}
}

// assignTasks hands each task to the worker with the fewest tasks.
func assignTasks(workers []*load, tasks []connect.TaskID) {
	for _, t := range tasks {
		w := slices.MinFunc(workers, func(a, b *load) int { return cmp.Compare(len(a.tasks), len(b.tasks)) })
		w.tasks[t] = true
	}
}

// duplicates is what more than one member holds.
func duplicates(members map[string]set) set {
	seenC, seenT := map[string]int{}, map[connect.TaskID]int{}
	for _, s := range members {
		for c := range s.connectors {
			seenC[c]++
		}
		for t := range s.tasks {
			seenT[t]++
		}
	}
	out := newSet()
	for c, n := range seenC {
		if n > 1 {
			out.connectors[c] = true
		}
	}
	for t, n := range seenT {
		if n > 1 {
			out.tasks[t] = true
		}
	}
	return out
}
