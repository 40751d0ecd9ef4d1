package postgres

import "time"

// walPosition is the streaming loop's position state machine: what the
// replication stream has delivered (transaction boundaries, events,
// keepalives), what the stored offset already covers, what the runtime has
// acknowledged as durable, and from those which LSN to report to the server
// and when. It does no I/O and reads no clock (the time is passed in), so
// it is tested without PostgreSQL; the loop in stream.go feeds it and
// carries out what it decides. It belongs to the streaming goroutine.
//
// The LSN it reports as flushed is the highest one an acknowledged offset
// allows, never below the slot's own: nothing is confirmed past a record
// the runtime has not made durable. A position reached between
// transactions that no record carries (a keepalive's WAL end, the end of a
// transaction that produced no records) is handed out in a position marker
// (see positionMarker), which the runtime acknowledges once everything
// polled before it is durable. So on an idle database the confirmed LSN
// follows the server's WAL end, once nothing is in flight.
type walPosition struct {
	interval time.Duration // between status updates, and between markers
	floor    uint64        // the slot's confirmed position at start

	// The open transaction.
	inTx    bool
	xid     uint32
	lastLSN uint64 // of the previous event
	atLSN   int64  // events seen so far at lastLSN

	// lastCommit is the end of the last transaction received whole; walEnd
	// the highest WAL end a keepalive reported. Once no transaction is
	// open, every transaction committed before either has been received.
	lastCommit uint64
	walEnd     uint64
	// resume, until passed, is the stored offset streaming resumed from:
	// the events it covers were delivered before a restart.
	resume *offset

	durable    uint64 // the highest LSN an acknowledged offset allows
	marked     uint64 // the highest position handed out in a marker
	nextMarker time.Time
	sent       uint64 // the LSN last reported as flushed
	replyDue   bool   // the server asked for a reply
	nextStatus time.Time
}

// newWALPosition starts at start, the position streaming starts from; floor
// is the slot's confirmed position, resume the stored offset when a
// restart resumes from it (nil otherwise), interval the status update
// interval.
func newWALPosition(start, floor uint64, resume *offset, interval time.Duration) *walPosition {
	return &walPosition{interval: interval, floor: floor, lastCommit: start, marked: start, resume: resume}
}

// begin is a BEGIN: transaction xid opens.
func (p *walPosition) begin(xid uint32) {
	p.inTx, p.xid = true, xid
	p.lastLSN, p.atLSN = 0, 0
}

// event is a change (insert, update, delete, a truncated relation or a
// transactional message) of the open transaction at lsn. It returns the
// events seen so far at lsn, this one included (the offset's
// lsn_events_processed), and whether the stored offset covers the event:
// PostgreSQL resends a transaction whose commit is after the confirmed
// position, and its first events may have been delivered.
func (p *walPosition) event(lsn uint64) (n int64, delivered bool) {
	if lsn == p.lastLSN {
		p.atLSN++
	} else {
		p.lastLSN, p.atLSN = lsn, 1
	}
	o := p.resume
	if o == nil || !o.HasTxID || p.xid != uint32(o.TxID) {
		return p.atLSN, false
	}
	if lsn < o.LSN || (lsn == o.LSN && p.atLSN <= o.EventsProcessed) {
		return p.atLSN, true
	}
	p.resume = nil
	return p.atLSN, false
}

// message is a non-transactional logical decoding message at lsn; it
// reports whether the stored offset, that of such a message, covers it.
func (p *walPosition) message(lsn uint64) (delivered bool) {
	o := p.resume
	if o == nil || o.HasTxID || o.MessageType != msgMessage {
		return false
	}
	if lsn <= o.LSN {
		return true
	}
	p.resume = nil
	return false
}

// commit is a COMMIT: the open transaction ends at end.
func (p *walPosition) commit(end uint64) {
	p.inTx = false
	p.lastCommit = end
	// Transactions come in commit order, and the one the stored offset may
	// have partly delivered is the first resent: whatever this one was,
	// nothing after it is covered.
	p.resume = nil
}

// keepalive is a primary keepalive message: the server's WAL end, and
// whether it asks for a reply at once.
func (p *walPosition) keepalive(walEnd uint64, replyRequested bool) {
	p.walEnd = max(p.walEnd, walEnd)
	if replyRequested {
		p.replyDue = true
	}
	if o := p.resume; o != nil && !p.inTx && o.MessageType == msgCommit && p.walEnd > o.resumeLSN() {
		// The stored offset is a position between transactions, and the
		// server has sent what lies before this one: the transaction that
		// committed there, if it is resent at all, has been.
		p.resume = nil
	}
}

// acknowledged is a commit by the runtime: everything up to lsn (what a
// committed offset allows to confirm) is durable.
func (p *walPosition) acknowledged(lsn uint64) {
	p.durable = max(p.durable, lsn)
}

// resting is the position reached between transactions: the end of the
// last transaction or a keepalive's WAL end, whichever is higher.
func (p *walPosition) resting() uint64 {
	return max(p.lastCommit, p.walEnd)
}

// markerPending reports whether the position reached between transactions
// has moved past the last marker. None is handed out while the stored
// offset still says what to skip.
func (p *walPosition) markerPending() bool {
	return !p.inTx && p.resume == nil && p.resting() > p.marked
}

// markerDue reports whether a position marker is due at now, and for which
// position: when one is pending, at most once per interval, or at once
// when the server asked for a reply. The caller hands it out and calls
// markerSent.
func (p *walPosition) markerDue(now time.Time) (uint64, bool) {
	if !p.markerPending() || (now.Before(p.nextMarker) && !p.replyDue) {
		return 0, false
	}
	return p.resting(), true
}

// markerSent records that the marker for pos was handed out at now.
func (p *walPosition) markerSent(pos uint64, now time.Time) {
	p.marked = max(p.marked, pos)
	p.nextMarker = now.Add(p.interval)
}

// flushed is the LSN to report to the server as written, flushed and
// applied: the highest acknowledged, never below the slot's own.
func (p *walPosition) flushed() uint64 {
	return max(p.durable, p.floor)
}

// statusDue reports whether a standby status update is due at now, and the
// LSN it reports: when the server asked for a reply, when that LSN moved,
// or once per interval. The caller sends it and calls statusSent.
func (p *walPosition) statusDue(now time.Time) (uint64, bool) {
	lsn := p.flushed()
	return lsn, p.replyDue || lsn != p.sent || !now.Before(p.nextStatus)
}

// statusSent records that a status update reporting lsn was sent at now.
func (p *walPosition) statusSent(lsn uint64, now time.Time) {
	p.sent = lsn
	p.replyDue = false
	p.nextStatus = now.Add(p.interval)
}

// wakeAt is when the loop must next act without a message from the server:
// the next status update, or the next marker if one is pending.
func (p *walPosition) wakeAt() time.Time {
	if p.markerPending() && p.nextMarker.Before(p.nextStatus) {
		return p.nextMarker
	}
	return p.nextStatus
}
