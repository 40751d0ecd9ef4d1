package postgres

import (
	"maps"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/tributary-cdc/tributary/connectors/postgres/envelope"
)

// TestEventCacheMatchesEnvelope checks that the source structs and offset
// maps built from shared boxes equal what envelope.Source.Struct and
// streamOffset build, over transactions, tables and LSNs that change in
// every combination.
func TestEventCacheMatchesEnvelope(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	tables := []*capturedTable{
		{Table: &envelope.Table{Schema: "public", Name: "customers"}},
		{Table: &envelope.Table{Schema: "inventory", Name: "orders"}},
		{Table: &envelope.Table{Schema: "s", Name: ""}},
	}
	c := newEventCache("dbserver1", "postgres")
	var xid uint32
	var tsUs int64
	var lastCommit uint64
	for i := 0; i < 2000; i++ {
		if i == 0 || rnd.IntN(5) == 0 { // a new transaction
			xid = rnd.Uint32()
			tsUs = rnd.Int64N(1 << 52)
			if rnd.IntN(4) == 0 {
				tsUs = 0
			}
			lastCommit = rnd.Uint64N(1 << 40)
			if rnd.IntN(4) == 0 {
				lastCommit = 0
			}
		}
		ct := tables[rnd.IntN(len(tables))]
		lsn := rnd.Uint64N(1 << 40)
		if rnd.IntN(10) == 0 {
			lsn = 0
		}
		kind := []string{msgInsert, msgUpdate, msgDelete, msgTruncate}[rnd.IntN(4)]
		n := rnd.Int64N(300)

		c.tx(xid, tsUs, lastCommit)
		tb := c.table(ct)
		lsnBox := any(int64(lsn))
		gotOff := c.offset(lsnBox, kind, n)
		gotSrc := c.source(tb, lsn, lsnBox)

		wantOff := streamOffset(lsn, lastCommit, xid, tsUs, kind, n)
		wantSrc := (&envelope.Source{
			Name: "dbserver1", DB: "postgres", Schema: ct.Schema, Table: ct.Name,
			TsUs: tsUs, LastCommitLSN: lastCommit, LSN: lsn, TxID: int64(xid), HasTxID: true,
		}).Struct()
		if !reflect.DeepEqual(gotOff, wantOff) {
			t.Fatalf("event %d: offset\n got %v\nwant %v", i, gotOff, wantOff)
		}
		if gotSrc.Schema != wantSrc.Schema || !reflect.DeepEqual(gotSrc.Values, wantSrc.Values) {
			t.Fatalf("event %d: source\n got %v\nwant %v", i, gotSrc.Values, wantSrc.Values)
		}
		if tb.collection != ct.collection() {
			t.Fatalf("collection %q, want %q", tb.collection, ct.collection())
		}
	}
}

// TestEventCacheRecordsOwnTheirMaps checks that every event gets a map of
// its own (txEvent writes to it before it is queued), and that an event's
// source struct is not changed by later ones.
func TestEventCacheRecordsOwnTheirMaps(t *testing.T) {
	c := newEventCache("p", "db")
	ct := &capturedTable{Table: &envelope.Table{Schema: "public", Name: "t"}}
	c.tx(7, 1714557600123456, 100)
	tb := c.table(ct)
	a, b := c.offset(any(int64(200)), msgInsert, 1), c.offset(any(int64(200)), msgInsert, 1)
	if reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		t.Fatal("two events share an offset map")
	}
	keep := maps.Clone(a)
	b[offLSN] = int64(1)
	if !reflect.DeepEqual(a, keep) {
		t.Fatal("changing one offset map changed another")
	}
	s1 := c.source(tb, 200, any(int64(200)))
	want := append([]any(nil), s1.Values...)
	c.tx(8, 1714557600999999, 300)
	_ = c.source(c.table(ct), 400, any(int64(400)))
	if !reflect.DeepEqual(s1.Values, want) {
		t.Fatal("a later event changed an earlier source struct")
	}
}

// BenchmarkStreamSourceAndOffset builds the source struct and offset map of
// one change: "envelope" as the streaming loop did before the event cache,
// "cached" with it.
func BenchmarkStreamSourceAndOffset(b *testing.B) {
	ct := &capturedTable{Table: &envelope.Table{Schema: "public", Name: "customers"}}
	const xid, tsUs, lastCommit = 555, 1714557600123456, 24023040
	b.Run("envelope", func(b *testing.B) {
		b.ReportAllocs()
		lsn := uint64(24023128)
		for b.Loop() {
			lsn++
			_ = streamOffset(lsn, lastCommit, xid, tsUs, msgInsert, 1)
			_ = (&envelope.Source{
				Name: "dbserver1", DB: "postgres", Schema: ct.Schema, Table: ct.Name,
				TsUs: tsUs, LastCommitLSN: lastCommit, LSN: lsn, TxID: xid, HasTxID: true,
			}).Struct()
			_ = ct.collection()
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := newEventCache("dbserver1", "postgres")
		b.ReportAllocs()
		lsn := uint64(24023128)
		for b.Loop() {
			lsn++
			lsnBox := any(int64(lsn))
			c.tx(xid, tsUs, lastCommit)
			tb := c.table(ct)
			_ = c.offset(lsnBox, msgInsert, 1)
			_ = c.source(tb, lsn, lsnBox)
			_ = tb.collection
		}
	})
}
