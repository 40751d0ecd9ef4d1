package configdef

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Exception is Kafka's ConfigException: a message about one property.
type Exception struct {
	Message string
}

func (e *Exception) Error() string { return e.Message }

// Invalid is new ConfigException(name, value, message): "Invalid value V
// for configuration NAME: MESSAGE", V printed as Java prints it (null,
// [a, b], [hidden]). An empty message leaves out ": MESSAGE", as a null one
// does in Kafka.
func Invalid(name string, value any, message string) error {
	s := "Invalid value " + JavaString(value) + " for configuration " + name
	if message != "" {
		s += ": " + message
	}
	return &Exception{Message: s}
}

// JavaString prints a parsed value as String.valueOf does in Kafka's
// messages: null, true, 12, 1.5, [a, b] for a list, [hidden] for a
// password.
func JavaString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case Password:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int16:
		return strconv.Itoa(int(x))
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case interface{ String() string }:
		return x.String()
	}
	return strconv.Quote("?")
}

// ToString is ConfigDef.convertToString: how the REST API shows a parsed
// value (a LIST joined with commas, a password as [hidden]); nil for null.
func ToString(v any) *string {
	if v == nil {
		return nil
	}
	s := JavaString(v)
	if l, ok := v.([]string); ok {
		s = strings.Join(l, ",")
	}
	return &s
}

// javaDouble is Double.toString: plain notation with at least one
// fractional digit for magnitudes in [1e-3, 1e7), computerized scientific
// notation (1.0E7) otherwise, with the shortest digits that round-trip.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1E+07, 1.5E-04
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(n)
}

// JavaTrim is Java's String.trim, which ConfigDef applies to every value:
// it strips every character up to U+0020 at both ends.
func JavaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// listSeparator is ConfigDef.COMMA_WITH_WHITESPACE (\s*,\s*); Java's \s is
// [ \t\n\x0B\f\r].
var listSeparator = regexp.MustCompile(`[ \t\n\v\f\r]*,[ \t\n\v\f\r]*`)

// SplitList parses a LIST value as ConfigDef does: trimmed, empty is an
// empty list, otherwise split at commas with the whitespace around them,
// empty entries kept ("a,,b" has three).
func SplitList(v string) []string {
	v = JavaTrim(v)
	if v == "" {
		return []string{}
	}
	return listSeparator.Split(v, -1)
}

// javaSpecialDouble is what Double.parseDouble accepts besides numbers.
var javaSpecialDouble = regexp.MustCompile(`^[+-]?(NaN|Infinity)$`)

// ParseType is ConfigDef.parseType for a property given as a string.
func ParseType(name, value string, t Type) (any, error) {
	trimmed := JavaTrim(value)
	notNumber := func() error { return Invalid(name, value, "Not a number of type "+string(t)) }
	switch t {
	case TypeBoolean:
		switch {
		case strings.EqualFold(trimmed, "true"):
			return true, nil
		case strings.EqualFold(trimmed, "false"):
			return false, nil
		}
		return nil, Invalid(name, value, "Expected value to be either true or false")
	case TypePassword:
		return Password(trimmed), nil
	case TypeString, TypeClass:
		return trimmed, nil
	case TypeInt:
		n, err := strconv.ParseInt(trimmed, 10, 32)
		if err != nil {
			return nil, notNumber()
		}
		return int(n), nil
	case TypeShort:
		n, err := strconv.ParseInt(trimmed, 10, 16)
		if err != nil {
			return nil, notNumber()
		}
		return int16(n), nil
	case TypeLong:
		n, err := strconv.ParseInt(trimmed, 10, 64)
		if err != nil {
			return nil, notNumber()
		}
		return n, nil
	case TypeDouble:
		return parseDouble(trimmed, notNumber)
	case TypeList:
		return SplitList(value), nil
	}
	panic("Unknown type.")
}

// parseDouble is Double.parseDouble: decimal or hexadecimal notation with
// an optional d/f suffix, NaN and Infinity spelled as Java spells them.
func parseDouble(s string, fail func() error) (any, error) {
	if m := javaSpecialDouble.FindStringSubmatch(s); m != nil {
		f := math.NaN()
		if m[1] == "Infinity" {
			f = math.Inf(1)
			if s[0] == '-' {
				f = math.Inf(-1)
			}
		}
		return f, nil
	}
	if n := len(s); n > 0 && strings.ContainsRune("dDfF", rune(s[n-1])) && !strings.HasPrefix(strings.TrimLeft(s, "+-"), "0x") {
		s = s[:n-1]
	}
	lower := strings.ToLower(s)
	if s == "" || strings.Contains(lower, "n") || strings.Contains(lower, "_") {
		return nil, fail() // Go's inf, nan and digit separators
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fail()
	}
	return f, nil
}
