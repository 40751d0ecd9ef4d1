package schema

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/schema/internal/jackson"
)

// ValueString is Kafka Connect's Values.convertToString (Apache Kafka 3.9,
// connect/api/.../data/Values.java), which SimpleHeaderConverter writes as
// a header's bytes and Cast uses for a cast to string: numbers and booleans
// as Java's toString writes them (1.0E10 for a double, BigDecimal's
// toString for a Decimal), bytes in base64, a Date, Time or Timestamp in
// ISO 8601 (Values.dateFormatFor, in UTC), and arrays, maps and structs as
// [a,b], {"k":v} and {"field":v} with their strings quoted. Map entries are
// written in key order (Java writes HashMap order). A nil value gives "".
func ValueString(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := appendValue(nil, v, false)
	return string(b), err
}

func appendValue(b []byte, v any, embedded bool) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case float32:
		return AppendJavaFloat(b, float64(x), 32), nil
	case float64:
		return AppendJavaFloat(b, x, 64), nil
	case Decimal:
		return jackson.AppendBigDecimal(b, x.Unscaled, x.Scale), nil
	case *big.Int:
		return x.Append(b, 10), nil
	case string:
		if !embedded {
			return append(b, x...), nil
		}
		return appendQuoted(b, x), nil
	case []byte:
		s := base64.StdEncoding.EncodeToString(x)
		if embedded {
			return append(append(append(b, '"'), s...), '"'), nil
		}
		return append(b, s...), nil
	case time.Time:
		return append(b, DateString(x)...), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e, true); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case *Struct:
		b = append(b, '{')
		for i, f := range x.Schema.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, f.Name)
			b = append(b, ':')
			fv := x.Values[i]
			if fv == nil && f.Schema.HasDefault {
				fv = f.Schema.Default // Struct.get
			}
			var err error
			if b, err = appendValue(b, fv, true); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case OrderedMap:
		b = append(b, '{')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendEntry(b, e.Key, e.Value); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendEntry(b, k, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, k)
			b = append(b, ':')
			b = appendQuoted(b, x[k])
		}
		return append(b, '}'), nil
	case map[any]any:
		type entry struct {
			key string
			k   any
		}
		entries := make([]entry, 0, len(x))
		for k := range x {
			ks, err := appendValue(nil, k, true)
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry{string(ks), k})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
		b = append(b, '{')
		for i, e := range entries {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e.key...)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, x[e.k], true); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("Failed to serialize unexpected value type %T: %v", v, v)
}

func appendEntry(b []byte, k string, v any) ([]byte, error) {
	b = appendQuoted(b, k)
	b = append(b, ':')
	return appendValue(b, v, true)
}

// appendQuoted is Values.escape in quotes: backslashes and double quotes
// escaped, nothing else.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// AppendJavaFloat appends f as Java's Double.toString (bitSize 64) or
// Float.toString (bitSize 32) writes it: 1.0, 1.0E10, NaN, Infinity.
func AppendJavaFloat(b []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	return jackson.AppendJavaFloat(b, f, bitSize)
}

// DecimalString is BigDecimal.toString: plain notation unless the scale is
// negative or the number is very small (1E-7, 1.23E+4).
func DecimalString(d Decimal) string {
	return string(jackson.AppendBigDecimal(nil, d.Unscaled, d.Scale))
}

const millisPerDay = 24 * 60 * 60 * 1000

// DateString is Values.dateFormatFor(d).format(d) in UTC: HH:mm:ss.SSS'Z'
// for an instant before the end of 1 January 1970 (a Time), yyyy-MM-dd at
// midnight (a Date), yyyy-MM-dd'T'HH:mm:ss.SSS'Z' otherwise.
func DateString(t time.Time) string {
	ms := t.UnixMilli()
	t = time.UnixMilli(ms).UTC()
	switch {
	case ms < millisPerDay:
		return t.Format("15:04:05.000") + "Z"
	case ms%millisPerDay == 0:
		return javaYear(t) + t.Format("-01-02")
	}
	return javaYear(t) + t.Format("-01-02T15:04:05.000") + "Z"
}

// javaYear is SimpleDateFormat's yyyy: the era year, at least four digits.
func javaYear(t time.Time) string {
	y := t.Year()
	if y <= 0 {
		y = 1 - y
	}
	s := strconv.Itoa(y)
	if len(s) < 4 {
		s = strings.Repeat("0", 4-len(s)) + s
	}
	return s
}
