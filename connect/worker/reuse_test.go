package worker

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/tributary-cdc/tributary/connect"
)

// holdingProducer stands for a producer that is slow to acknowledge: it
// holds the messages it is given and, before it lets go of them (returns
// them on Successes, or, transactional, commits their transaction), checks
// that their bytes are still those it was given. A runner that reused a
// message's buffers while the producer could still read them would have
// overwritten held messages with later records by then.
type holdingProducer struct {
	sarama.AsyncProducer // nil: the methods the runners do not call

	hold          int  // messages held before they are acknowledged
	transactional bool // acknowledged at CommitTxn instead, on no channel
	input         chan *sarama.ProducerMessage
	successes     chan *sarama.ProducerMessage
	errors        chan *sarama.ProducerError
	commits       chan chan struct{}
	done          chan struct{}
	closeOnce     sync.Once

	mu      sync.Mutex
	bad     error
	checked int
	seen    map[*sarama.ProducerMessage]bool // every message given, to tell reuse
}

type heldMessage struct {
	msg        *sarama.ProducerMessage
	key, value []byte // as given
}

func newHoldingProducer(hold int, transactional bool) *holdingProducer {
	p := &holdingProducer{
		hold: hold, transactional: transactional,
		input:     make(chan *sarama.ProducerMessage),
		successes: make(chan *sarama.ProducerMessage, hold),
		errors:    make(chan *sarama.ProducerError),
		commits:   make(chan chan struct{}),
		done:      make(chan struct{}),
		seen:      map[*sarama.ProducerMessage]bool{},
	}
	go p.loop()
	return p
}

func (p *holdingProducer) loop() {
	defer close(p.done)
	var held []heldMessage
	for {
		select {
		case msg, ok := <-p.input:
			if !ok {
				p.acknowledge(held)
				close(p.successes)
				close(p.errors)
				return
			}
			held = append(held, heldMessage{msg: msg, key: encoded(msg.Key), value: encoded(msg.Value)})
			p.mu.Lock()
			p.seen[msg] = true
			p.mu.Unlock()
			if !p.transactional && len(held) == p.hold {
				p.acknowledge(held)
				held = held[:0]
			}
		case reply := <-p.commits:
			// After the messages before it, as sarama's end-of-transaction
			// marker follows them through its input.
			p.acknowledge(held)
			held = held[:0]
			close(reply)
		}
	}
}

// acknowledge checks the held messages and lets go of them, newest first:
// acknowledgements need not come in order.
func (p *holdingProducer) acknowledge(held []heldMessage) {
	for i := len(held) - 1; i >= 0; i-- {
		h := held[i]
		p.mu.Lock()
		p.checked++
		if key, value := encoded(h.msg.Key), encoded(h.msg.Value); p.bad == nil &&
			(h.msg.Topic == "" || !bytes.Equal(key, h.key) || !bytes.Equal(value, h.value)) {
			p.bad = fmt.Errorf("message %q=%q was changed to %q=%q (topic %q) while the producer held it",
				h.key, h.value, key, value, h.msg.Topic)
		}
		p.mu.Unlock()
		if !p.transactional {
			p.successes <- h.msg
		}
	}
}

func encoded(e sarama.Encoder) []byte {
	if e == nil {
		return nil
	}
	b, _ := e.Encode()
	return bytes.Clone(b)
}

func (p *holdingProducer) Input() chan<- *sarama.ProducerMessage { return p.input }
func (p *holdingProducer) Successes() <-chan *sarama.ProducerMessage {
	return p.successes
}
func (p *holdingProducer) Errors() <-chan *sarama.ProducerError { return p.errors }
func (p *holdingProducer) AsyncClose()                          { p.closeOnce.Do(func() { close(p.input) }) }
func (p *holdingProducer) Close() error                         { p.AsyncClose(); <-p.done; return nil }
func (p *holdingProducer) BeginTxn() error                      { return nil }
func (p *holdingProducer) AbortTxn() error                      { return nil }

func (p *holdingProducer) CommitTxn() error {
	reply := make(chan struct{})
	p.commits <- reply
	<-reply
	return nil
}

// result returns the first changed message and how many were checked.
func (p *holdingProducer) result() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checked, p.bad
}

// distinct is how many different messages the producer was given: fewer
// than it checked once messages are reused.
func (p *holdingProducer) distinct() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.seen)
}

// reuseRecords are records of varied sizes, so that reused buffers hold
// records longer and shorter than their last ones.
func reuseRecords(n int) []connect.SourceRecord {
	return records(n, func(i int) string { return fmt.Sprintf("v%d-%s", i, strings.Repeat("x", i*37%300)) })
}

// TestRunReusesNoMessageTheProducerHolds: the at-least-once runner reuses a
// message only once the producer has returned it.
func TestRunReusesNoMessageTheProducerHolds(t *testing.T) {
	f := newFixture(t)
	const hold, n = 64, 64 * 40 // a multiple of hold: the producer returns every message
	p := newHoldingProducer(hold, false)
	task := &scriptedTask{records: reuseRecords(n), commitChecker: commitChecker{store: f.store}, polled: make(chan struct{})}
	r := NewSourceTaskRunner(SourceTaskConfig{
		ID: connect.TaskID{Connector: "conn"}, Task: task,
		KeyConverter: stringConverter{}, ValueConverter: stringConverter{},
		Producer: p, Offsets: f.store, Topics: noTopics{},
		FlushInterval: time.Hour, FlushTimeout: 10 * time.Second,
	})
	runUntil(t, r, task.polled)
	checked, bad := p.result()
	if bad != nil {
		t.Fatal(bad)
	}
	if checked != n {
		t.Fatalf("the producer checked %d messages, want %d", checked, n)
	}
	if got := storedPos(t, f); got != n-1 {
		t.Fatalf("stored offset pos %d, want %d", got, n-1)
	}
	// The runner gives messages back: far fewer than n were ever made
	// (the pool drops some at a collection, and a quarter of them under
	// the race detector).
	if d := p.distinct(); d > n/2 {
		t.Fatalf("%d distinct messages for %d records: returned messages are not reused", d, n)
	}
}

// TestExactlyOnceReusesNoMessageBeforeItsTransactionCommits: the
// exactly-once runner, whose producer returns no successes, reuses the
// messages of a transaction only once it has committed.
func TestExactlyOnceReusesNoMessageBeforeItsTransactionCommits(t *testing.T) {
	f := newEOSFixture(t)
	const n, size = 2000, 250
	p := newHoldingProducer(0, true)
	task := &batchTask{batches: func() [][]connect.SourceRecord {
		var out [][]connect.SourceRecord
		for all := reuseRecords(n); len(all) > 0; all = all[size:] {
			out = append(out, all[:size])
		}
		return out
	}(), commitChecker: commitChecker{store: f.store}, idle: make(chan struct{})}
	r := NewExactlyOnceRunner(ExactlyOnceConfig{
		ID: connect.TaskID{Connector: "conn"}, Task: plainTask{task},
		KeyConverter: stringConverter{}, ValueConverter: stringConverter{},
		Producer: p, Offsets: f.store, Topics: noTopics{}, Boundary: BoundaryPoll,
	})
	runUntil(t, r, task.idle)
	checked, bad := p.result()
	if bad != nil {
		t.Fatal(bad)
	}
	if want := n + n/size; checked != want { // each transaction's records and its offset record
		t.Fatalf("the producer checked %d messages, want %d", checked, want)
	}
	// Offset records are never reused; each transaction's records are,
	// once it committed.
	if d := p.distinct() - n/size; d > n/2 {
		t.Fatalf("%d distinct record messages for %d records: committed messages are not reused", d, n)
	}
}
