package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pglogrepl"
)

// parseRecordText splits a row's composite text form (record_out, what
// NEW::text gives) into its columns' text forms: nil for a null column.
// It reads the format as record_in does (src/backend/utils/adt/rowtypes.c):
// fields separated by commas between parentheses, an empty unquoted field
// is null, double quotes group characters (a doubled quote inside them is
// one quote) and a backslash takes the next character literally.
func parseRecordText(s []byte) ([][]byte, error) {
	if len(s) < 2 || s[0] != '(' || s[len(s)-1] != ')' {
		return nil, errors.New("row text is not a parenthesised record")
	}
	var out [][]byte
	i := 1
	for {
		var field []byte
		null := true
		inQuote := false
	field:
		for {
			if i >= len(s) {
				return nil, errors.New("row text ends inside a field")
			}
			c := s[i]
			switch {
			case c == '\\':
				if i+1 >= len(s) {
					return nil, errors.New("row text ends after a backslash")
				}
				field = append(field, s[i+1])
				null = false
				i += 2
			case c == '"':
				null = false
				if !inQuote {
					inQuote = true
				} else if i+1 < len(s) && s[i+1] == '"' {
					field = append(field, '"')
					i++
				} else {
					inQuote = false
				}
				i++
			case !inQuote && (c == ',' || c == ')'):
				break field
			default:
				field = append(field, c)
				null = false
				i++
			}
		}
		if null {
			out = append(out, nil)
		} else {
			if field == nil {
				field = []byte{}
			}
			out = append(out, field)
		}
		if s[i] == ')' {
			if i != len(s)-1 {
				return nil, fmt.Errorf("row text has %d bytes after its end", len(s)-1-i)
			}
			return out, nil
		}
		i++ // the comma
	}
}

// recordTuple turns a row's composite text form into the tuple the
// streaming decoders read, as pgoutput would have sent it in text format.
func recordTuple(s []byte) (*pglogrepl.TupleData, error) {
	fields, err := parseRecordText(s)
	if err != nil {
		return nil, err
	}
	t := &pglogrepl.TupleData{ColumnNum: uint16(len(fields)), Columns: make([]*pglogrepl.TupleDataColumn, len(fields))}
	for i, f := range fields {
		if f == nil {
			t.Columns[i] = &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeNull}
			continue
		}
		t.Columns[i] = &pglogrepl.TupleDataColumn{DataType: pglogrepl.TupleDataTypeText, Length: uint32(len(f)), Data: f}
	}
	return t, nil
}
