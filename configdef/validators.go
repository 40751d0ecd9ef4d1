package configdef

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Validator is ConfigDef.Validator. EnsureValid gets the parsed value (nil
// for null) and returns an error whose text is the whole message, usually
// made by Invalid. String describes the valid values (the "Valid Values"
// column of Kafka's tables).
type Validator interface {
	EnsureValid(name string, value any) error
	String() string
}

type rangeValidator struct{ min, max any }

// AtLeast is ConfigDef.Range.atLeast: a number at least lo (an int, int64
// or float64, printed as Java prints it).
func AtLeast(lo any) Validator { return rangeValidator{min: lo} }

// Between is ConfigDef.Range.between: lo ≤ value ≤ hi.
func Between(lo, hi any) Validator { return rangeValidator{min: lo, max: hi} }

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int16:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	panic("configdef: not a number: " + JavaString(v))
}

func (r rangeValidator) EnsureValid(name string, v any) error {
	if v == nil {
		return Invalid(name, nil, "Value must be non-null")
	}
	n := toFloat(v)
	if r.min != nil && n < toFloat(r.min) {
		return Invalid(name, v, "Value must be at least "+JavaString(r.min))
	}
	if r.max != nil && n > toFloat(r.max) {
		return Invalid(name, v, "Value must be no more than "+JavaString(r.max))
	}
	return nil
}

func (r rangeValidator) String() string {
	switch {
	case r.min == nil && r.max == nil:
		return "[...]"
	case r.min == nil:
		return "[...," + JavaString(r.max) + "]"
	case r.max == nil:
		return "[" + JavaString(r.min) + ",...]"
	}
	return "[" + JavaString(r.min) + ",...," + JavaString(r.max) + "]"
}

type validString struct{ valid []string }

// In is ConfigDef.ValidString.in: one of the given strings, exactly.
func In(valid ...string) Validator { return validString{valid: valid} }

func (s validString) EnsureValid(name string, v any) error {
	str, ok := v.(string)
	if !ok || !slices.Contains(s.valid, str) {
		return Invalid(name, v, "String must be one of: "+strings.Join(s.valid, ", "))
	}
	return nil
}

func (s validString) String() string { return "[" + strings.Join(s.valid, ", ") + "]" }

type caseInsensitive struct{ valid []string }

// InIgnoreCase is ConfigDef.CaseInsensitiveValidString.in. Its message
// lists the strings upper-cased, in the iteration order of the HashSet
// Kafka keeps them in.
func InIgnoreCase(valid ...string) Validator {
	upper := make([]string, len(valid))
	for i, s := range valid {
		upper[i] = strings.ToUpper(s)
	}
	return caseInsensitive{valid: JavaHashSetOrder(upper)}
}

func (c caseInsensitive) EnsureValid(name string, v any) error {
	str, ok := v.(string)
	if !ok || !slices.Contains(c.valid, strings.ToUpper(str)) {
		return Invalid(name, v, "String must be one of (case insensitive): "+strings.Join(c.valid, ", "))
	}
	return nil
}

func (c caseInsensitive) String() string {
	return "(case insensitive) [" + strings.Join(c.valid, ", ") + "]"
}

type validList struct{ each validString }

// ListIn is ConfigDef.ValidList.in: every entry one of the given strings.
func ListIn(valid ...string) Validator { return validList{each: validString{valid: valid}} }

func (l validList) EnsureValid(name string, v any) error {
	list, _ := v.([]string)
	for _, s := range list {
		if err := l.each.EnsureValid(name, s); err != nil {
			return err
		}
	}
	return nil
}

func (l validList) String() string { return l.each.String() }

type nonNull struct{}

// NonNull is ConfigDef.NonNullValidator.
func NonNull() Validator { return nonNull{} }

func (nonNull) EnsureValid(name string, v any) error {
	if v == nil {
		return Invalid(name, "null", "entry must be non null")
	}
	return nil
}

func (nonNull) String() string { return "non-null string" }

type nonEmptyString struct{}

// NonEmptyString is ConfigDef.NonEmptyString: null or a non-empty string.
func NonEmptyString() Validator { return nonEmptyString{} }

func (nonEmptyString) EnsureValid(name string, v any) error {
	if s, ok := v.(string); ok && s == "" {
		return Invalid(name, v, "String must be non-empty")
	}
	return nil
}

func (nonEmptyString) String() string { return "non-empty string" }

type nonEmptyNoControl struct{}

// NonEmptyStringWithoutControlChars is
// ConfigDef.NonEmptyStringWithoutControlChars.
func NonEmptyStringWithoutControlChars() Validator { return nonEmptyNoControl{} }

func (nonEmptyNoControl) EnsureValid(name string, v any) error {
	s, _ := v.(string)
	if v == nil {
		return nil
	}
	if s == "" {
		return Invalid(name, v, "String may not be empty")
	}
	// Kafka walks UTF-16 units and reports Character.isISOControl code
	// points (U+0000–U+001F, U+007F–U+009F).
	var found []string
	units := utf16.Encode([]rune(s))
	for i := range units {
		c := units[i]
		if c <= 0x1f || (c >= 0x7f && c <= 0x9f) {
			found = append(found, strconv.Itoa(int(c)))
		}
	}
	if len(found) > 0 {
		return Invalid(name, v, "String may not contain control sequences but had the following ASCII chars: "+strings.Join(found, ", "))
	}
	return nil
}

func (nonEmptyNoControl) String() string { return "non-empty string without ISO control characters" }

type listSize struct{ max int }

// ListSize is ConfigDef.ListSize.atMostOfSize.
func ListSize(n int) Validator { return listSize{max: n} }

func (l listSize) EnsureValid(name string, v any) error {
	if list, _ := v.([]string); len(list) > l.max {
		return Invalid(name, v, "exceeds maximum list size of ["+strconv.Itoa(l.max)+"].")
	}
	return nil
}

func (l listSize) String() string {
	return "List containing maximum of " + strconv.Itoa(l.max) + " elements"
}

type lambda struct {
	fn   func(name string, value any) error
	desc string
}

// Func is ConfigDef.LambdaValidator: fn checks, desc describes.
func Func(desc string, fn func(name string, value any) error) Validator {
	return lambda{fn: fn, desc: desc}
}

func (l lambda) EnsureValid(name string, v any) error { return l.fn(name, v) }
func (l lambda) String() string                       { return l.desc }

type composite []Validator

// All is ConfigDef.CompositeValidator.of: the validators in order, the
// first refusal wins.
func All(validators ...Validator) Validator { return composite(validators) }

func (c composite) EnsureValid(name string, v any) error {
	for _, val := range c {
		if err := val.EnsureValid(name, v); err != nil {
			return err
		}
	}
	return nil
}

func (c composite) String() string {
	parts := make([]string, len(c))
	for i, v := range c {
		parts[i] = v.String()
	}
	return strings.Join(parts, ", ")
}

// JavaHashSetOrder returns the distinct strings in the order a
// java.util.HashSet built by adding them one by one iterates them: by
// bucket (String.hashCode spread as HashMap.hash does, over a table of 16
// doubling past a 0.75 load), insertion order within a bucket.
func JavaHashSetOrder(in []string) []string {
	var distinct []string
	for _, s := range in {
		if !slices.Contains(distinct, s) {
			distinct = append(distinct, s)
		}
	}
	capacity := 16
	for len(distinct) > capacity*3/4 {
		capacity *= 2
	}
	bucket := func(s string) int {
		var h int32
		for _, u := range utf16.Encode([]rune(s)) {
			h = 31*h + int32(u)
		}
		spread := uint32(h) ^ (uint32(h) >> 16)
		return int(spread & uint32(capacity-1))
	}
	out := slices.Clone(distinct)
	slices.SortStableFunc(out, func(a, b string) int { return bucket(a) - bucket(b) })
	return out
}
