package jsonconv

import (
	"fmt"
	"strconv"
)

// DataError reports a value that does not fit its schema, or JSON that is not
// what JsonConverter writes. It is Kafka Connect's DataException.
type DataError struct {
	// Path locates the offending value: struct fields are joined with dots,
	// array elements and map entries are written [i] and [key]. It is empty
	// for the record value itself.
	Path string
	Msg  string
}

func (e *DataError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return "field " + strconv.Quote(e.Path) + ": " + e.Msg
}

func dataErr(format string, args ...any) error {
	return &DataError{Msg: fmt.Sprintf(format, args...)}
}

// withField prefixes the path of a DataError with a struct field name as the
// error unwinds, so the happy path never builds paths.
func withField(err error, name string) error {
	if de, ok := err.(*DataError); ok {
		switch {
		case de.Path == "":
			de.Path = name
		case de.Path[0] == '[':
			de.Path = name + de.Path
		default:
			de.Path = name + "." + de.Path
		}
	}
	return err
}

// withIndex prefixes the path of a DataError with an element selector such
// as "[3]" or "[key]".
func withIndex(err error, sel string) error {
	if de, ok := err.(*DataError); ok {
		switch {
		case de.Path == "" || de.Path[0] == '[':
			de.Path = "[" + sel + "]" + de.Path
		default:
			de.Path = "[" + sel + "]." + de.Path
		}
	}
	return err
}
