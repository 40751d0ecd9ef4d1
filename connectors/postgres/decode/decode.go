package decode

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jackc/pglogrepl"

	"github.com/tributary-cdc/tributary/connectors/postgres/typemap"
)

// Parse decodes one pgoutput message. The tuples of Insert, Update and
// Delete messages alias data (their column bytes are not copied): the
// message is valid only while data is, and decoders copy what they keep.
func Parse(data []byte) (pglogrepl.Message, error) {
	return parse(data, nil)
}

// Parser decodes pgoutput messages as Parse does, but decodes every Insert,
// Update and Delete message into the same memory: such a message is valid
// only until the next call (and while data is). A streaming loop handles
// each change before it reads the next one, so it needs no allocation per
// change for the message and its tuples. Other messages are allocated as
// Parse allocates them and stay valid. The zero Parser is ready to use; it
// is not safe for concurrent use.
type Parser struct {
	ins      pglogrepl.InsertMessage
	upd      pglogrepl.UpdateMessage
	del      pglogrepl.DeleteMessage
	old, new tupleBuf
}

// Parse decodes one pgoutput message, reusing p's memory for changes.
func (p *Parser) Parse(data []byte) (pglogrepl.Message, error) {
	return parse(data, p)
}

func parse(data []byte, p *Parser) (msg pglogrepl.Message, err error) {
	if len(data) == 0 {
		return nil, errors.New("decoding pgoutput message: empty")
	}
	if err := checkLengths(data); err != nil {
		return nil, fmt.Errorf("decoding pgoutput message %q: %w", data[0], err)
	}
	switch pglogrepl.MessageType(data[0]) {
	case pglogrepl.MessageTypeInsert, pglogrepl.MessageTypeUpdate, pglogrepl.MessageTypeDelete:
		// checkLengths has validated every length these read.
		if p == nil {
			p = &Parser{}
		}
		return p.parseChange(data)
	}
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("decoding pgoutput message %q: malformed: %v", data[0], r)
		}
	}()
	msg, err = pglogrepl.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("decoding pgoutput message: %w", err)
	}
	return msg, nil
}

// checkLengths rejects messages whose declared counts or lengths exceed
// their size, before pglogrepl allocates for them: it allocates a Truncate
// message's uint32 relation count and each tuple column's uint32 length up
// front.
func checkLengths(data []byte) error {
	b := data[1:]
	switch pglogrepl.MessageType(data[0]) {
	case pglogrepl.MessageTypeTruncate:
		if len(b) >= 4 {
			if n := binary.BigEndian.Uint32(b); uint64(len(b)) < 5+4*uint64(n) {
				return fmt.Errorf("truncate message declares %d relations in %d bytes", n, len(data))
			}
		}
	case pglogrepl.MessageTypeInsert:
		return checkTuples(b, false)
	case pglogrepl.MessageTypeUpdate:
		return checkTuples(b, true)
	case pglogrepl.MessageTypeDelete:
		if len(b) < 5 {
			return errShort
		}
		_, err := checkTuple(b[5:])
		return err
	}
	return nil
}

var errShort = errors.New("message too short")

// parseChange decodes an Insert, Update or Delete message that checkLengths
// accepted, without copying column data.
func (p *Parser) parseChange(data []byte) (pglogrepl.Message, error) {
	relID := binary.BigEndian.Uint32(data[1:])
	b := data[5:]
	switch pglogrepl.MessageType(data[0]) {
	case pglogrepl.MessageTypeInsert:
		m := &p.ins
		*m = pglogrepl.InsertMessage{RelationID: relID}
		m.SetType(pglogrepl.MessageTypeInsert)
		m.Tuple, _ = p.new.decode(b[1:])
		return m, nil
	case pglogrepl.MessageTypeUpdate:
		m := &p.upd
		*m = pglogrepl.UpdateMessage{RelationID: relID}
		m.SetType(pglogrepl.MessageTypeUpdate)
		if b[0] == 'K' || b[0] == 'O' {
			m.OldTupleType = b[0]
			var n int
			m.OldTuple, n = p.old.decode(b[1:])
			b = b[1+n:]
		}
		m.NewTuple, _ = p.new.decode(b[1:])
		return m, nil
	default:
		if b[0] != 'K' && b[0] != 'O' {
			return nil, fmt.Errorf("decoding pgoutput message %q: expected an old tuple or key, got %q", data[0], b[0])
		}
		m := &p.del
		*m = pglogrepl.DeleteMessage{RelationID: relID, OldTupleType: b[0]}
		m.SetType(pglogrepl.MessageTypeDelete)
		m.OldTuple, _ = p.old.decode(b[1:])
		return m, nil
	}
}

// tupleBuf holds a decoded tuple and its columns, so that the next tuple
// can be decoded into the same memory.
type tupleBuf struct {
	td   pglogrepl.TupleData
	cols []pglogrepl.TupleDataColumn
	ptrs []*pglogrepl.TupleDataColumn
}

// decode decodes a TupleData that checkTuple accepted into t, its column
// data aliasing b, and returns it and its size.
func (t *tupleBuf) decode(b []byte) (*pglogrepl.TupleData, int) {
	n := int(binary.BigEndian.Uint16(b))
	if cap(t.cols) < n {
		t.cols = make([]pglogrepl.TupleDataColumn, n)
		t.ptrs = make([]*pglogrepl.TupleDataColumn, n)
	}
	cols, ptrs := t.cols[:n], t.ptrs[:n]
	p := 2
	for i := range cols {
		c := &cols[i]
		ptrs[i] = c
		*c = pglogrepl.TupleDataColumn{DataType: b[p]}
		p++
		if c.DataType != pglogrepl.TupleDataTypeText && c.DataType != pglogrepl.TupleDataTypeBinary {
			continue
		}
		l := int(binary.BigEndian.Uint32(b[p:]))
		p += 4
		c.Length = uint32(l)
		c.Data = b[p : p+l : p+l]
		p += l
	}
	if n == 0 {
		ptrs = nil // as pglogrepl decodes a tuple without columns
	}
	t.td = pglogrepl.TupleData{ColumnNum: uint16(n), Columns: ptrs}
	return &t.td, p
}

// checkTuples checks Insert (N tuple) and Update ([K|O tuple] N tuple)
// bodies after the message type.
func checkTuples(b []byte, mayHaveOld bool) error {
	if len(b) < 5 {
		return errShort
	}
	b = b[4:]
	if mayHaveOld && (b[0] == 'K' || b[0] == 'O') {
		n, err := checkTuple(b[1:])
		if err != nil {
			return err
		}
		b = b[1+n:]
		if len(b) == 0 {
			return errShort
		}
	}
	if b[0] != 'N' {
		return fmt.Errorf("expected a new tuple, got %q", b[0])
	}
	_, err := checkTuple(b[1:])
	return err
}

// checkTuple checks one TupleData and returns its size.
func checkTuple(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, errShort
	}
	n := int(binary.BigEndian.Uint16(b))
	p := 2
	for i := 0; i < n; i++ {
		if p >= len(b) {
			return 0, errShort
		}
		kind := b[p]
		p++
		if kind != pglogrepl.TupleDataTypeText && kind != pglogrepl.TupleDataTypeBinary {
			continue
		}
		if len(b)-p < 4 {
			return 0, errShort
		}
		l := uint64(binary.BigEndian.Uint32(b[p:]))
		p += 4
		if uint64(len(b)-p) < l {
			return 0, fmt.Errorf("tuple column %d declares %d bytes, %d left", i, l, len(b)-p)
		}
		p += int(l)
	}
	return p, nil
}

// Column places one relation column in a row.
type Column struct {
	// Pos is the column's index in the row, or -1 to drop the column (an
	// unsupported type or a column the table does not capture).
	Pos    int
	Decode typemap.Decoder
}

// Layout maps the columns of a relation, in pgoutput order, to positions in
// a row of Width values.
type Layout struct {
	Width   int
	Columns []Column
}

// Row decodes a tuple. Null columns are nil, unchanged TOASTed columns are
// typemap.Unchanged{}, and row positions no column maps to stay nil.
func (l *Layout) Row(t *pglogrepl.TupleData) ([]any, error) {
	if t == nil {
		return nil, errors.New("decoding tuple: missing")
	}
	if len(t.Columns) != len(l.Columns) {
		return nil, fmt.Errorf("decoding tuple: %d columns, relation has %d", len(t.Columns), len(l.Columns))
	}
	row := make([]any, l.Width)
	for i, tc := range t.Columns {
		c := l.Columns[i]
		if c.Pos < 0 {
			continue
		}
		if c.Pos >= l.Width {
			return nil, fmt.Errorf("decoding tuple: column %d placed at %d of %d", i, c.Pos, l.Width)
		}
		switch tc.DataType {
		case pglogrepl.TupleDataTypeNull:
		case pglogrepl.TupleDataTypeToast:
			row[c.Pos] = typemap.Unchanged{}
		case pglogrepl.TupleDataTypeText:
			v, err := c.Decode(tc.Data)
			if err != nil {
				return nil, fmt.Errorf("decoding column %d: %w", i, err)
			}
			row[c.Pos] = v
		default:
			return nil, fmt.Errorf("decoding column %d: unexpected tuple data type %q", i, tc.DataType)
		}
	}
	return row, nil
}

// Text decodes a row read in text format (e.g. by the snapshot), one value
// per layout column; a nil value is NULL.
func (l *Layout) Text(values [][]byte) ([]any, error) {
	row := make([]any, l.Width)
	if err := l.TextInto(row, values); err != nil {
		return nil, err
	}
	return row, nil
}

// TextInto is Text decoding into row, Width values that are all nil, so
// that a reader of many rows can allocate them together.
func (l *Layout) TextInto(row []any, values [][]byte) error {
	if len(values) != len(l.Columns) {
		return fmt.Errorf("decoding row: %d values, layout has %d columns", len(values), len(l.Columns))
	}
	if len(row) != l.Width {
		return fmt.Errorf("decoding row: %d values to fill, layout has width %d", len(row), l.Width)
	}
	for i, b := range values {
		c := l.Columns[i]
		if c.Pos < 0 || b == nil {
			continue
		}
		if c.Pos >= l.Width {
			return fmt.Errorf("decoding row: column %d placed at %d of %d", i, c.Pos, l.Width)
		}
		v, err := c.Decode(b)
		if err != nil {
			return fmt.Errorf("decoding column %d: %w", i, err)
		}
		row[c.Pos] = v
	}
	return nil
}
