package postgres

import (
	"testing"
	"time"

	"github.com/tributary-cdc/tributary/internal/testutil"
)

// A step of a walPosition script: an input at a time, then what the
// streaming loop's keep finds due at that time. The loop hands out the
// marker and sends the status update it finds due, as keep does.
type posStep struct {
	at     time.Duration // since the start
	do     func(p *walPosition)
	marker uint64 // the position of the marker due, 0 if none
	status uint64 // the LSN of the status update due, 0 if none
}

func begin(xid uint32) func(*walPosition) { return func(p *walPosition) { p.begin(xid) } }
func ev(lsn uint64) func(*walPosition)    { return func(p *walPosition) { p.event(lsn) } }
func commitAt(end uint64) func(*walPosition) {
	return func(p *walPosition) { p.commit(end) }
}
func ka(walEnd uint64, reply bool) func(*walPosition) {
	return func(p *walPosition) { p.keepalive(walEnd, reply) }
}

// ack is a Commit by the runtime of an offset allowing lsn.
func ack(lsn uint64) func(*walPosition) { return func(p *walPosition) { p.acknowledged(lsn) } }
func tick(*walPosition)                 {}

// tx is a whole transaction: BEGIN, an event at each lsn, COMMIT at end.
func tx(xid uint32, end uint64, lsns ...uint64) func(*walPosition) {
	return func(p *walPosition) {
		p.begin(xid)
		for _, l := range lsns {
			p.event(l)
		}
		p.commit(end)
	}
}

const posInterval = 10 * time.Second

func runPositionScript(t *testing.T, p *walPosition, steps []posStep) {
	t.Helper()
	t0 := time.Unix(1_700_000_000, 0)
	for i, s := range steps {
		s.do(p)
		now := t0.Add(s.at)
		var marker, status uint64
		if pos, ok := p.markerDue(now); ok {
			marker = pos
			p.markerSent(pos, now)
		}
		if lsn, ok := p.statusDue(now); ok {
			status = lsn
			p.statusSent(lsn, now)
		}
		if marker != s.marker || status != s.status {
			t.Fatalf("step %d (at %v): marker %d, status %d; want marker %d, status %d", i, s.at, marker, status, s.marker, s.status)
		}
	}
}

// TestWALPosition drives the position state machine through scripts of
// what the server sends and what the runtime acknowledges. Transactions
// end at 1300, 1500 and 1700; the records of a transaction carry the end
// of the one before as lsn_commit, which is what their Commit allows.
func TestWALPosition(t *testing.T) {
	for _, tc := range []struct {
		name  string
		floor uint64
		steps []posStep
	}{
		{"keepalives", 1000, []posStep{
			{at: 0, do: tick, status: 1000}, // the first status update
			{at: time.Second, do: ka(1000, false)},
			{at: 2 * time.Second, do: ka(1000, true), status: 1000}, // a reply at once
			{at: 5 * time.Second, do: tick},
			{at: 12 * time.Second, do: tick, status: 1000}, // one interval after the last
			{at: 13 * time.Second, do: ka(1500, false), marker: 1500},
			{at: 14 * time.Second, do: ka(1600, false)},                            // one marker per interval
			{at: 15 * time.Second, do: ka(1700, true), marker: 1700, status: 1000}, // unless a reply is asked for
			{at: 16 * time.Second, do: ack(1500), status: 1500},
			{at: 17 * time.Second, do: ack(1700), status: 1700},
		}},
		{"idle advance follows the WAL end once nothing is in flight", 1000, []posStep{
			{at: 0, do: begin(1), status: 1000},
			{at: 0, do: ev(1100)},
			{at: time.Second, do: ka(1200, false)}, // no marker inside a transaction
			{at: 2 * time.Second, do: commitAt(1300), marker: 1300},
			{at: 3 * time.Second, do: ka(1400, false)},
			// The transaction's record is durable: it allows 1000 only.
			{at: 4 * time.Second, do: ack(1000)},
			{at: 12 * time.Second, do: tick, marker: 1400, status: 1000},
			// The first marker's Commit: every record before it is durable.
			{at: 13 * time.Second, do: ack(1300), status: 1300},
			{at: 14 * time.Second, do: ack(1400), status: 1400},
			{at: 30 * time.Second, do: tick, status: 1400},
		}},
		{"no confirmation past a transaction not all durable", 1000, []posStep{
			{at: 0, do: tx(1, 1300, 1100, 1200), marker: 1300, status: 1000},
			{at: 0, do: tx(2, 1500, 1400)},
			{at: 0, do: tx(3, 1700, 1600, 1650)},
			{at: time.Second, do: ka(1800, false)},
			{at: 2 * time.Second, do: ack(1000)},
			// The first event of transaction 2 is durable, its second is
			// not: 1300 (the end of transaction 1), not 1500.
			{at: 3 * time.Second, do: ack(1300), status: 1300},
			{at: 5 * time.Second, do: tick},
			{at: 10 * time.Second, do: tick, marker: 1800},
			{at: 13 * time.Second, do: tick, status: 1300},
			{at: 14 * time.Second, do: ack(1800), status: 1800},
		}},
		{"piled-up transactions acknowledged out of order and partly", 1000, []posStep{
			{at: 0, do: tx(1, 1300, 1100), marker: 1300, status: 1000},
			{at: 0, do: tx(2, 1500, 1400)},
			{at: 0, do: tx(3, 1700, 1600)},
			{at: time.Second, do: ack(1500), status: 1500},
			{at: 2 * time.Second, do: ack(1300)}, // never back
			{at: 3 * time.Second, do: ack(1000)},
			{at: 4 * time.Second, do: tx(4, 1900, 1800)},
			{at: 11 * time.Second, do: tick, marker: 1900, status: 1500},
			{at: 12 * time.Second, do: ack(1700), status: 1700},
			{at: 13 * time.Second, do: ack(1900), status: 1900},
		}},
		{"never below the slot's position", 2000, []posStep{
			{at: 0, do: tick, status: 2000},
			{at: time.Second, do: ack(1500)},
			{at: 2 * time.Second, do: tx(1, 2300, 2100), marker: 2300},
			{at: 3 * time.Second, do: ack(2300), status: 2300},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runPositionScript(t, newWALPosition(1000, tc.floor, nil, posInterval), tc.steps)
		})
	}
}

// TestWALPositionWakeAt: the loop wakes for the next status update, or for
// a pending marker's time if that comes first.
func TestWALPositionWakeAt(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	p := newWALPosition(1000, 1000, nil, posInterval)
	p.keepalive(1100, false)
	p.markerSent(1100, t0)                    // next marker at 10 s
	p.statusSent(1000, t0.Add(5*time.Second)) // next status at 15 s
	if got := p.wakeAt(); !got.Equal(t0.Add(15 * time.Second)) {
		t.Fatalf("no marker pending: wake at %v, want the status update's time", got.Sub(t0))
	}
	p.keepalive(1200, false)
	if got := p.wakeAt(); !got.Equal(t0.Add(10 * time.Second)) {
		t.Fatalf("a marker pending: wake at %v, want the marker's time", got.Sub(t0))
	}
	p.begin(1)
	if got := p.wakeAt(); !got.Equal(t0.Add(15 * time.Second)) {
		t.Fatalf("in a transaction: wake at %v, want the status update's time", got.Sub(t0))
	}
}

// TestWALPositionResume: after a restart from a stored offset, the events
// it covers are reported delivered, until the first one past it or the end
// of the first transaction; no marker is handed out meanwhile.
func TestWALPositionResume(t *testing.T) {
	mid := &offset{LSN: 1200, LSNProc: 1200, LSNCommit: 1000, HasTxID: true, TxID: 7, MessageType: msgInsert, EventsProcessed: 2}
	type evt struct {
		lsn       uint64
		n         int64
		delivered bool
	}
	for _, tc := range []struct {
		name   string
		resume *offset
		xid    uint32
		events []evt
	}{
		{"the partly delivered transaction", mid, 7, []evt{
			{1100, 1, true}, {1200, 1, true}, {1200, 2, true}, {1200, 3, false}, {1300, 1, false},
		}},
		{"an event past the stored one ends the skipping", mid, 7, []evt{
			{1250, 1, false}, {1200, 1, false},
		}},
		{"another transaction", mid, 8, []evt{{1100, 1, false}, {1100, 2, false}}},
		{"no stored offset", nil, 7, []evt{{1100, 1, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newWALPosition(1000, 1000, tc.resume, posInterval)
			p.begin(tc.xid)
			for i, e := range tc.events {
				if n, d := p.event(e.lsn); n != e.n || d != e.delivered {
					t.Fatalf("event %d at %d: n %d, delivered %v; want %d, %v", i, e.lsn, n, d, e.n, e.delivered)
				}
			}
		})
	}

	t0 := time.Unix(1_700_000_000, 0)
	t.Run("no marker until the first transaction ends", func(t *testing.T) {
		p := newWALPosition(1000, 1000, mid, posInterval)
		p.keepalive(1100, false)
		if pos, ok := p.markerDue(t0); ok {
			t.Fatalf("marker %d while resuming", pos)
		}
		p.begin(7)
		p.event(1200)
		p.commit(1500)
		if pos, ok := p.markerDue(t0); !ok || pos != 1500 {
			t.Fatalf("after the transaction: marker %d, %v; want 1500", pos, ok)
		}
		if p.resume != nil {
			t.Fatal("the stored offset still applies after the first transaction")
		}
	})
	t.Run("a position between transactions is passed by a keepalive beyond it", func(t *testing.T) {
		between := &offset{LSN: 1300, LSNProc: 1300, LSNCommit: 1300, HasTxID: true, TxID: 6, MessageType: msgCommit}
		p := newWALPosition(1300, 1000, between, posInterval)
		p.keepalive(1300, false)
		if p.resume == nil {
			t.Fatal("a keepalive at the stored position passed it")
		}
		p.keepalive(1400, false)
		if p.resume != nil {
			t.Fatal("a keepalive beyond the stored position did not pass it")
		}
		if pos, ok := p.markerDue(t0); !ok || pos != 1400 {
			t.Fatalf("marker %d, %v; want 1400", pos, ok)
		}
	})
	t.Run("non-transactional messages", func(t *testing.T) {
		msg := &offset{LSN: 1200, LSNProc: 1200, LSNCommit: 1000, MessageType: msgMessage}
		p := newWALPosition(1000, 1000, msg, posInterval)
		for _, c := range []struct {
			lsn  uint64
			want bool
		}{{1100, true}, {1200, true}, {1300, false}, {1250, false}} {
			if got := p.message(c.lsn); got != c.want {
				t.Fatalf("message at %d: delivered %v, want %v", c.lsn, got, c.want)
			}
		}
	})
}

// The state machine's per-event path (a transaction with two events, a
// keepalive, an acknowledgement and the decisions) allocates nothing: it
// holds only numbers and times.
func TestWALPositionAllocs(t *testing.T) {
	p := newWALPosition(1000, 1000, nil, posInterval)
	now := time.Unix(1_700_000_000, 0)
	lsn := uint64(2000)
	testutil.AllocCeiling(t, 0, func() {
		lsn += 100
		p.begin(1)
		p.event(lsn)
		p.event(lsn)
		p.commit(lsn + 50)
		p.keepalive(lsn+60, false)
		p.acknowledged(lsn)
		if pos, ok := p.markerDue(now); ok {
			p.markerSent(pos, now)
		}
		if l, ok := p.statusDue(now); ok {
			p.statusSent(l, now)
		}
		now = now.Add(time.Second)
	})
}
