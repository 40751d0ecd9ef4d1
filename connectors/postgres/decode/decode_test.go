package decode

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"testing"

	"github.com/jackc/pglogrepl"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// Hand-built pgoutput protocol version 1 messages (PostgreSQL docs,
// "Logical Replication Message Formats").

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
func cstr(s string) []byte { return append([]byte(s), 0) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// relationMsg describes relation 16384 public.t(id int4 key, v text, n numeric(10,2)).
func relationMsg() []byte {
	col := func(flags byte, name string, oid uint32, mod int32) []byte {
		return cat([]byte{flags}, cstr(name), be32(oid), be32(uint32(mod)))
	}
	return cat([]byte{'R'}, be32(16384), cstr("public"), cstr("t"), []byte{'d'}, be16(3),
		col(1, "id", typemap.OIDInt4, -1), col(0, "v", typemap.OIDText, -1),
		col(0, "n", typemap.OIDNumeric, int32(10<<16|2)+4))
}

// tuple encodes columns: nil → 'n', "\x00u" → 'u', else 't' + text.
func tuple(cols ...any) []byte {
	out := be16(uint16(len(cols)))
	for _, c := range cols {
		switch v := c.(type) {
		case nil:
			out = append(out, 'n')
		case byte:
			out = append(out, v)
		case string:
			out = cat(out, []byte{'t'}, be32(uint32(len(v))), []byte(v))
		}
	}
	return out
}

func insertMsg() []byte {
	return cat([]byte{'I'}, be32(16384), []byte{'N'}, tuple("1", "hello", "12.5"))
}
func updateMsg() []byte {
	return cat([]byte{'U'}, be32(16384), []byte{'O'}, tuple("1", "hello", nil), []byte{'N'}, tuple("1", byte('u'), "3"))
}
func deleteMsg() []byte { return cat([]byte{'D'}, be32(16384), []byte{'K'}, tuple("1", nil, nil)) }
func beginMsg() []byte  { return cat([]byte{'B'}, be64(0x1000), be64(0), be32(728)) }
func commitMsg() []byte { return cat([]byte{'C'}, []byte{0}, be64(0x1000), be64(0x1100), be64(0)) }

func testLayout(t testing.TB) *Layout {
	var cols []Column
	for i, oid := range []uint32{typemap.OIDInt4, typemap.OIDText, typemap.OIDNumeric} {
		mod := int32(-1)
		if oid == typemap.OIDNumeric {
			mod = int32(10<<16|2) + 4
		}
		m, err := typemap.For(typemap.Column{TypeOID: oid, TypeMod: mod, Optional: true})
		if err != nil {
			t.Fatal(err)
		}
		cols = append(cols, Column{Pos: i, Decode: m.Decode})
	}
	return &Layout{Width: 3, Columns: cols}
}

func TestParseAndRow(t *testing.T) {
	msg, err := Parse(relationMsg())
	if err != nil {
		t.Fatal(err)
	}
	rel := msg.(*pglogrepl.RelationMessage)
	if rel.RelationID != 16384 || rel.Namespace != "public" || rel.RelationName != "t" || len(rel.Columns) != 3 {
		t.Fatalf("relation %+v", rel)
	}
	l := testLayout(t)

	msg, err = Parse(insertMsg())
	if err != nil {
		t.Fatal(err)
	}
	row, err := l.Row(msg.(*pglogrepl.InsertMessage).Tuple)
	if err != nil {
		t.Fatal(err)
	}
	if row[0] != int32(1) || row[1] != "hello" {
		t.Fatalf("row %#v", row)
	}

	msg, err = Parse(updateMsg())
	if err != nil {
		t.Fatal(err)
	}
	upd := msg.(*pglogrepl.UpdateMessage)
	newRow, err := l.Row(upd.NewTuple)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := newRow[1].(typemap.Unchanged); !ok {
		t.Fatalf("unchanged TOAST column decoded as %#v", newRow[1])
	}
	oldRow, err := l.Row(upd.OldTuple)
	if err != nil || oldRow[2] != nil {
		t.Fatalf("old row %#v %v", oldRow, err)
	}

	// A text row from the snapshot decodes to the same values.
	snap, err := l.Text([][]byte{[]byte("1"), []byte("hello"), []byte("12.5")})
	if err != nil {
		t.Fatal(err)
	}
	ins, _ := Parse(insertMsg())
	streamed, _ := l.Row(ins.(*pglogrepl.InsertMessage).Tuple)
	if !reflect.DeepEqual(snap, streamed) {
		t.Fatalf("snapshot %#v, stream %#v", snap, streamed)
	}

	msg, err = Parse(beginMsg())
	if err != nil || msg.(*pglogrepl.BeginMessage).Xid != 728 {
		t.Fatalf("begin %+v %v", msg, err)
	}
	msg, err = Parse(commitMsg())
	if err != nil || msg.(*pglogrepl.CommitMessage).TransactionEndLSN != 0x1100 {
		t.Fatalf("commit %+v %v", msg, err)
	}
}

func TestMalformed(t *testing.T) {
	l := testLayout(t)
	for name, data := range map[string][]byte{
		"empty":              nil,
		"truncated relation": relationMsg()[:12],
		"truncated insert":   insertMsg()[:20],
		"truncated begin":    beginMsg()[:5],
		"unknown type":       {'Z', 1, 2},
		"truncate count":     cat([]byte{'T'}, be32(0xffffffff), []byte{0}, be32(1)),
		"column length":      cat([]byte{'I'}, be32(1), []byte{'N'}, be16(1), []byte{'t'}, be32(0xfffffff0), []byte("x")),
		"old column length":  cat([]byte{'U'}, be32(1), []byte{'O'}, be16(1), []byte{'t'}, be32(1<<30), []byte{'N'}, tuple("1")),
	} {
		if _, err := Parse(data); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	bad := cat([]byte{'I'}, be32(16384), []byte{'N'}, tuple("x", "hello", "12.5"))
	msg, err := Parse(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Row(msg.(*pglogrepl.InsertMessage).Tuple); err == nil {
		t.Errorf("non-numeric int4 decoded")
	}
	short := cat([]byte{'I'}, be32(16384), []byte{'N'}, tuple("1", "x"))
	msg, err = Parse(short)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Row(msg.(*pglogrepl.InsertMessage).Tuple); err == nil {
		t.Errorf("tuple with a missing column decoded")
	}
}

// FuzzDecode feeds arbitrary pgoutput messages through Parse and, for
// messages carrying tuples, through row decoding with every mapped type.
// Malformed input must produce an error, never a panic.
func FuzzDecode(f *testing.F) {
	for _, seed := range [][]byte{relationMsg(), insertMsg(), updateMsg(), deleteMsg(), beginMsg(), commitMsg(),
		cat([]byte{'I'}, be32(1), []byte{'N'}, tuple("2020-04-01 11:51:02.5+00", `\x00ff`, "-1.5e3")),
		cat([]byte{'I'}, be32(1), []byte{'N'}, tuple("0001-01-01 BC", "24:00:00", "11:51:02.5-03:30")),
	} {
		f.Add(seed)
	}
	// One layout per mapped type, each covering up to 8 tuple columns.
	var layouts []*Layout
	for _, col := range []typemap.Column{
		{TypeOID: typemap.OIDBool}, {TypeOID: typemap.OIDInt2}, {TypeOID: typemap.OIDInt4}, {TypeOID: typemap.OIDInt8},
		{TypeOID: typemap.OIDFloat4}, {TypeOID: typemap.OIDFloat8}, {TypeOID: typemap.OIDText}, {TypeOID: typemap.OIDBytea},
		{TypeOID: typemap.OIDNumeric, TypeMod: -1}, {TypeOID: typemap.OIDNumeric, TypeMod: int32(10<<16|2) + 4},
		{TypeOID: typemap.OIDNumeric, TypeMod: int32(5<<16|(-2&0x7ff)) + 4},
		{TypeOID: typemap.OIDDate}, {TypeOID: typemap.OIDTime, TypeMod: -1}, {TypeOID: typemap.OIDTime, TypeMod: 3},
		{TypeOID: typemap.OIDTimetz}, {TypeOID: typemap.OIDTimestamp, TypeMod: -1}, {TypeOID: typemap.OIDTimestamp, TypeMod: 3},
		{TypeOID: typemap.OIDTimestamptz, TypeMod: -1}, {TypeOID: typemap.OIDTimestamptz, TypeMod: 0},
		{TypeOID: typemap.OIDUUID}, {TypeOID: typemap.OIDJSONB},
	} {
		col.Optional = true
		m, err := typemap.For(col)
		if err != nil {
			f.Fatal(err)
		}
		for n := 0; n <= 8; n++ {
			l := &Layout{Width: n}
			for i := 0; i < n; i++ {
				l.Columns = append(l.Columns, Column{Pos: i, Decode: m.Decode})
			}
			layouts = append(layouts, l)
		}
	}
	// parser has decoded earlier inputs into its memory: what it decodes
	// next must not depend on them.
	var parser Parser
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := Parse(data)
		reused, rerr := parser.Parse(data)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("Parse(%x): %v, Parser.Parse: %v", data, err, rerr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(reused, msg) {
			t.Fatalf("Parser.Parse(%x) = %#v, Parse %#v", data, reused, msg)
		}
		sameAsPglogrepl(t, data, msg)
		var tuples []*pglogrepl.TupleData
		switch m := msg.(type) {
		case *pglogrepl.InsertMessage:
			tuples = append(tuples, m.Tuple)
		case *pglogrepl.UpdateMessage:
			tuples = append(tuples, m.OldTuple, m.NewTuple)
		case *pglogrepl.DeleteMessage:
			tuples = append(tuples, m.OldTuple)
		}
		for _, tp := range tuples {
			if tp == nil {
				continue
			}
			for _, l := range layouts {
				if len(l.Columns) != len(tp.Columns) {
					continue
				}
				_, _ = l.Row(tp)
				values := make([][]byte, len(tp.Columns))
				for i, c := range tp.Columns {
					values[i] = c.Data
				}
				_, _ = l.Text(values)
			}
		}
	})
}

// sameAsPglogrepl checks that a change message Parse decoded itself (column
// data aliasing the input) equals pglogrepl's decoding of the same bytes.
func sameAsPglogrepl(t *testing.T, data []byte, got pglogrepl.Message) {
	t.Helper()
	switch got.(type) {
	case *pglogrepl.InsertMessage, *pglogrepl.UpdateMessage, *pglogrepl.DeleteMessage:
	default:
		return
	}
	want, err := func() (m pglogrepl.Message, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return pglogrepl.Parse(data)
	}()
	if err != nil {
		return // pglogrepl refuses some valid messages, e.g. zero-column tuples
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse(%x) = %#v, pglogrepl %#v", data, got, want)
	}
}

func TestChangeMessagesMatchPglogrepl(t *testing.T) {
	for _, data := range [][]byte{
		insertMsg(), updateMsg(), deleteMsg(),
		cat([]byte{'U'}, be32(7), []byte{'N'}, tuple("", nil, byte('u'))),
		cat([]byte{'U'}, be32(7), []byte{'K'}, tuple("1"), []byte{'N'}, tuple("2", "x")),
		cat([]byte{'D'}, be32(7), []byte{'O'}, tuple("1", "", nil)),
	} {
		msg, err := Parse(data)
		if err != nil {
			t.Fatalf("Parse(%x): %v", data, err)
		}
		sameAsPglogrepl(t, data, msg)
	}
	if _, err := Parse(cat([]byte{'D'}, be32(7), []byte{'N'}, tuple("1"))); err == nil {
		t.Error("delete without an old tuple or key decoded")
	}
}

// TestParserReusesMemory decodes changes of different shapes in turn into
// one Parser: each must equal Parse's decoding of the same bytes (nothing
// left over from the previous one), and decoding must not allocate.
func TestParserReusesMemory(t *testing.T) {
	msgs := [][]byte{
		updateMsg(), insertMsg(), deleteMsg(),
		cat([]byte{'U'}, be32(7), []byte{'N'}, tuple("", nil, byte('u'))),
		cat([]byte{'U'}, be32(7), []byte{'K'}, tuple("1"), []byte{'N'}, tuple("2", "x")),
		cat([]byte{'I'}, be32(9), []byte{'N'}, tuple(nil, "a", "b", "c", "d", "e")),
		cat([]byte{'D'}, be32(7), []byte{'O'}, tuple("1", "", nil)),
		cat([]byte{'I'}, be32(9), []byte{'N'}, tuple()),
		beginMsg(), relationMsg(), commitMsg(),
	}
	var p Parser
	for round := 0; round < 3; round++ {
		for i := range msgs {
			data := msgs[(i*(round+1))%len(msgs)]
			got, err := p.Parse(data)
			if err != nil {
				t.Fatalf("Parser.Parse(%x): %v", data, err)
			}
			want, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Parser.Parse(%x) = %#v, Parse %#v", data, got, want)
			}
		}
	}
	data := updateMsg()
	if n := testing.AllocsPerRun(100, func() {
		if _, err := p.Parse(data); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Parser.Parse of an update: %v allocations", n)
	}
}

// benchInsert is an insert into the bench table (id bigint, a int, b text,
// c timestamptz, d numeric(12,2)).
func benchInsert() []byte {
	return cat([]byte{'I'}, be32(16384), []byte{'N'},
		tuple("123456", "456", "row 123456", "2026-11-27 11:43:58.123456+00", "1234.56"))
}

func benchLayout(b testing.TB) *Layout {
	l := &Layout{Width: 5}
	for i, c := range []typemap.Column{
		{TypeOID: typemap.OIDInt8}, {TypeOID: typemap.OIDInt4, Optional: true}, {TypeOID: typemap.OIDText, Optional: true},
		{TypeOID: typemap.OIDTimestamptz, TypeMod: -1, Optional: true},
		{TypeOID: typemap.OIDNumeric, TypeMod: int32(12<<16|2) + 4, Optional: true},
	} {
		m, err := typemap.For(c)
		if err != nil {
			b.Fatal(err)
		}
		l.Columns = append(l.Columns, Column{Pos: i, Decode: m.Decode})
	}
	return l
}

// BenchmarkParseInsert decodes one pgoutput insert message (no row values).
func BenchmarkParseInsert(b *testing.B) {
	data := benchInsert()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParserInsert is BenchmarkParseInsert with the message decoded
// into a reused Parser, as the streaming loop does.
func BenchmarkParserInsert(b *testing.B) {
	data := benchInsert()
	var p Parser
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeInsertRow decodes one insert into row values: what the
// streaming loop does per event before building the envelope.
func BenchmarkDecodeInsertRow(b *testing.B) {
	data := benchInsert()
	l := benchLayout(b)
	b.ReportAllocs()
	for b.Loop() {
		msg, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Row(msg.(*pglogrepl.InsertMessage).Tuple); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeTextRow decodes one snapshot row (text values).
func BenchmarkDecodeTextRow(b *testing.B) {
	values := [][]byte{[]byte("123456"), []byte("456"), []byte("row 123456"),
		[]byte("2026-11-27 11:43:58.123456+00"), []byte("1234.56")}
	l := benchLayout(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Text(values); err != nil {
			b.Fatal(err)
		}
	}
}
