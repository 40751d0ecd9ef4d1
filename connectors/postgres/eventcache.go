package postgres

import (
	"fmt"

	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
	"github.com/tributary-cdc/tributary/schema"
)

// The streaming loop builds a source struct and an offset map for every
// change. Most of their values are the same for every change of a
// transaction (commit time, xid, last commit LSN) or of a table (schema and
// table name), and boxing each of them into an interface per change was a
// large share of the loop's allocations. eventCache boxes them once and
// shares the boxes: a boxed value is immutable, so records may share it.
// Each event still gets its own source struct and offset map: txEvent adds
// the transaction's keys to an event's offset before it is queued.

// sourceWidth is the number of fields of envelope.SourceSchema; a source
// struct and its values are allocated as one block of that size.
const sourceWidth = 16

// srcPos holds the positions in envelope.SourceSchema of the fields set
// per transaction, table or event.
var srcPos = struct {
	tsMs, sequence, tsUs, tsNs, schema, table, txID, lsn int
}{
	tsMs: sourceIndex("ts_ms"), sequence: sourceIndex("sequence"), tsUs: sourceIndex("ts_us"),
	tsNs: sourceIndex("ts_ns"), schema: sourceIndex("schema"), table: sourceIndex("table"),
	txID: sourceIndex("txId"), lsn: sourceIndex("lsn"),
}

func sourceIndex(name string) int {
	f := envelope.SourceSchema.Field(name)
	if f == nil {
		panic(fmt.Sprintf("postgres: source schema has no field %q", name))
	}
	return f.Index
}

func init() {
	if n := len(envelope.SourceSchema.Fields); n != sourceWidth {
		panic(fmt.Sprintf("postgres: source schema has %d fields, sourceWidth is %d", n, sourceWidth))
	}
}

// eventCache holds the boxed values shared by the records of the open
// transaction. It belongs to the streaming goroutine.
type eventCache struct {
	// base is the source struct of the connector (name, db, version and
	// connector) with every other field as envelope.Source leaves it.
	base [sourceWidth]any

	// The transaction the boxes below were made for.
	valid      bool
	xid        uint32
	tsUs       int64
	lastCommit uint64
	// Boxes shared by the transaction's source structs and offset maps.
	tsMsBox, tsUsBox, tsNsBox, txIDBox, lastCommitBox any

	tables map[*capturedTable]*tableBoxes
}

// tableBoxes are the per-table values of a table's records.
type tableBoxes struct {
	schema, table any
	collection    string // name in transaction metadata
}

// maxCachedTables bounds eventCache.tables: a table rebuilt after a schema
// change is a new *capturedTable, and the old entries are then dropped
// wholesale.
const maxCachedTables = 1024

func newEventCache(name, db string) *eventCache {
	c := &eventCache{tables: map[*capturedTable]*tableBoxes{}}
	copy(c.base[:], (&envelope.Source{Name: name, DB: db}).Struct().Values)
	return c
}

// tx makes the transaction boxes current for an event of transaction xid
// committed at tsUs (microseconds) after the commit at lastCommit.
func (c *eventCache) tx(xid uint32, tsUs int64, lastCommit uint64) {
	if c.valid && c.xid == xid && c.tsUs == tsUs && c.lastCommit == lastCommit {
		return
	}
	c.valid, c.xid, c.tsUs, c.lastCommit = true, xid, tsUs, lastCommit
	// As envelope.Source.Struct and streamOffset derive them.
	c.tsMsBox, c.tsUsBox, c.tsNsBox = tsUs/1000, tsUs, tsUs*1000
	c.txIDBox = int64(xid)
	c.lastCommitBox = nil
	if lastCommit != 0 {
		c.lastCommitBox = int64(lastCommit)
	}
}

// table returns the boxes of ct.
func (c *eventCache) table(ct *capturedTable) *tableBoxes {
	if tb := c.tables[ct]; tb != nil {
		return tb
	}
	if len(c.tables) >= maxCachedTables {
		clear(c.tables)
	}
	tb := &tableBoxes{schema: ct.Schema, table: ct.Name, collection: ct.collection()}
	c.tables[ct] = tb
	return tb
}

// source is the source struct of a change at lsn: what envelope.Source
// builds for the current transaction and tb's table, in one allocation
// besides the sequence. lsnBox is int64(lsn), shared with the offset.
func (c *eventCache) source(tb *tableBoxes, lsn uint64, lsnBox any) *schema.Struct {
	blk := &struct {
		st schema.Struct
		v  [sourceWidth]any
	}{v: c.base}
	v := blk.v[:]
	v[srcPos.tsMs], v[srcPos.tsUs], v[srcPos.tsNs] = c.tsMsBox, c.tsUsBox, c.tsNsBox
	v[srcPos.schema], v[srcPos.table] = tb.schema, tb.table
	v[srcPos.sequence] = envelope.Sequence(c.lastCommit, lsn)
	v[srcPos.txID] = c.txIDBox
	if lsn != 0 {
		v[srcPos.lsn] = lsnBox
	}
	blk.st = schema.Struct{Schema: envelope.SourceSchema, Values: v}
	return &blk.st
}

// offset is the offset map of a change: streamOffset for the current
// transaction, with the shared boxes. lsnBox is int64(lsn).
func (c *eventCache) offset(lsnBox any, kind string, n int64) map[string]any {
	m := make(map[string]any, 7)
	m[offLSN] = lsnBox
	m[offLSNProc] = lsnBox
	m[offTxID] = c.txIDBox
	m[offTsUsec] = c.tsUsBox
	m[offMessageType] = kindBox(kind)
	m[offEventsProcessed] = n
	if c.lastCommitBox != nil {
		m[offLSNCommit] = c.lastCommitBox
	}
	return m
}

// kindBox boxes a message type without allocating for the known ones.
func kindBox(kind string) any {
	switch kind {
	case msgInsert:
		return msgInsert
	case msgUpdate:
		return msgUpdate
	case msgDelete:
		return msgDelete
	case msgTruncate:
		return msgTruncate
	}
	return kind
}
