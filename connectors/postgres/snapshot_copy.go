package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// readTableCopy reads a table with COPY (<statement>) TO STDOUT in text
// format: the server streams rows without a round trip per batch, and each
// value is the type's text output — the same bytes a text-format SELECT
// returns — once COPY's escaping is undone, so values decode exactly as in
// the cursor path and in streaming.
//
// COPY has no fetch size: rows arrive as a stream, and a reader that waits
// for room in the record queue stops reading the socket, which makes the
// server wait, so memory stays bounded by max.queue.size. Here
// snapshot.fetch.size is how many rows are read between checks for
// cancellation.
func readTableCopy(ctx context.Context, conn *pgconn.PgConn, job *snapshotJob, stmt string, fetchSize int, emit func([]any) error) error {
	layout, err := resultLayout(ctx, conn, job, stmt)
	if err != nil {
		return err
	}
	rows := 0
	// Rows are allocated copyRowsPerAlloc at a time: one allocation where
	// there was one per row.
	var slab []any
	w := &copyRowWriter{row: func(fields [][]byte) error {
		if len(slab) < layout.Width {
			slab = make([]any, layout.Width*copyRowsPerAlloc)
		}
		row := slab[:layout.Width:layout.Width]
		slab = slab[layout.Width:]
		if err := layout.TextInto(row, fields); err != nil {
			return err
		}
		// emit stops on ctx once the queue is full; between rows that fit
		// the queue, ctx is checked every snapshot.fetch.size rows.
		if rows++; fetchSize > 0 && rows%fetchSize == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		return emit(row)
	}}
	if _, err := conn.CopyTo(ctx, w, "COPY ("+stmt+") TO STDOUT"); err != nil {
		if w.err != nil {
			return w.err
		}
		return fmt.Errorf("copying rows: %w", err)
	}
	if len(w.partial) > 0 {
		return errors.New("copying rows: the stream ended inside a row")
	}
	return nil
}

// copyRowsPerAlloc is how many decoded rows the COPY reader allocates at
// once. A row becomes its record's value (snapshotEmitter.build), so a
// block stays in memory while any of its records does: at most this many
// rows in the queue and the producer beyond the records themselves.
const copyRowsPerAlloc = 64

// copyRowWriter receives COPY's text-format stream and decodes it row by
// row. A row ends at an unescaped newline (data newlines are escaped as
// \n), so rows split across writes are reassembled.
type copyRowWriter struct {
	// row receives the values of each row, valid until it returns.
	row func(fields [][]byte) error

	partial []byte // the start of a row continued by the next write
	fields  [][]byte
	scratch []byte // unescaped values of the current row
	err     error  // the error that stopped the copy
}

func (w *copyRowWriter) Write(p []byte) (int, error) {
	data := p
	if len(w.partial) > 0 {
		w.partial = append(w.partial, p...)
		data = w.partial
	}
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		if err := w.line(data[:i]); err != nil {
			w.err = err
			return 0, err
		}
		data = data[i+1:]
	}
	// What is left is the start of the next row; copy it out, since p is
	// reused (copy handles data being a suffix of partial).
	w.partial = append(w.partial[:0], data...)
	return len(p), nil
}

func (w *copyRowWriter) line(line []byte) error {
	fields, scratch, err := splitCopyText(line, w.fields[:0], w.scratch[:0])
	w.fields, w.scratch = fields, scratch
	if err != nil {
		return err
	}
	return w.row(fields)
}

// splitCopyText splits one line of COPY's text format into its values: a
// nil value is NULL (\N), and escaped values are unescaped into scratch.
// Values without a backslash alias line.
func splitCopyText(line []byte, fields [][]byte, scratch []byte) ([][]byte, []byte, error) {
	for {
		i := bytes.IndexByte(line, '\t')
		f := line
		if i >= 0 {
			f = line[:i]
		}
		switch {
		case len(f) == 2 && f[0] == '\\' && f[1] == 'N':
			fields = append(fields, nil)
		case bytes.IndexByte(f, '\\') < 0:
			fields = append(fields, f)
		default:
			start := len(scratch)
			var err error
			if scratch, err = unescapeCopyText(scratch, f); err != nil {
				return fields, scratch, err
			}
			// A full slice expression keeps a later append to scratch from
			// writing into this value.
			fields = append(fields, scratch[start:len(scratch):len(scratch)])
		}
		if i < 0 {
			return fields, scratch, nil
		}
		line = line[i+1:]
	}
}

// unescapeCopyText appends the value of a COPY text-format field to dst:
// \b \f \n \r \t \v, octal \d[d[d]], hex \xh[h], and a backslash before
// any other character stands for that character (PostgreSQL's
// CopyReadAttributesText).
func unescapeCopyText(dst, f []byte) ([]byte, error) {
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i >= len(f) {
			return dst, errors.New("copying rows: a value ends with a lone backslash")
		}
		c = f[i]
		switch {
		case c >= '0' && c <= '7':
			v := c - '0'
			for k := 0; k < 2 && i+1 < len(f) && f[i+1] >= '0' && f[i+1] <= '7'; k++ {
				i++
				v = v<<3 | (f[i] - '0')
			}
			dst = append(dst, v)
		case c == 'x' && i+1 < len(f) && isHex(f[i+1]):
			i++
			v := unhex(f[i])
			if i+1 < len(f) && isHex(f[i+1]) {
				i++
				v = v<<4 | unhex(f[i])
			}
			dst = append(dst, v)
		case c == 'b':
			dst = append(dst, '\b')
		case c == 'f':
			dst = append(dst, '\f')
		case c == 'n':
			dst = append(dst, '\n')
		case c == 'r':
			dst = append(dst, '\r')
		case c == 't':
			dst = append(dst, '\t')
		case c == 'v':
			dst = append(dst, '\v')
		default:
			dst = append(dst, c)
		}
	}
	return dst, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
