package transforms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dateFormat is a java.text.SimpleDateFormat pattern as TimestampRouter and
// TimestampConverter use one: time zone UTC, the English names of Java's
// default locale on most Connect workers (en_US: weeks start on Sunday, and
// the week holding 1 January is week 1), lenient parsing.
type dateFormat struct {
	pattern string
	parts   []dateFormatPart
}

// dateFormatPart is a literal text or a pattern letter repeated count times.
type dateFormatPart struct {
	letter  byte // 0 for literal text
	count   int
	literal string
}

// dateFormatLetters are SimpleDateFormat's pattern letters
// (DateFormatSymbols.patternChars, Java 8 and later).
const dateFormatLetters = "GyMdkHmsSEDFwWahKzZYuXL"

// compileDateFormat parses a SimpleDateFormat pattern as
// SimpleDateFormat.compile does: ASCII letters are pattern letters, text
// between single quotes is literal (” is a quote, inside or outside
// quotes), anything else is literal. Its errors are Java's
// IllegalArgumentException messages.
func compileDateFormat(p string) (*dateFormat, error) {
	var parts []dateFormatPart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, dateFormatPart{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				lit.WriteByte('\'')
				i += 2
				continue
			}
			end := i + 1
			for {
				k := strings.IndexByte(p[end:], '\'')
				if k < 0 {
					return nil, errors.New("Unterminated quote")
				}
				lit.WriteString(p[end : end+k])
				end += k + 1
				if end < len(p) && p[end] == '\'' { // '' inside quotes
					lit.WriteByte('\'')
					end++
					continue
				}
				break
			}
			i = end
		case isASCIILetter(c):
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			if strings.IndexByte(dateFormatLetters, c) < 0 {
				return nil, fmt.Errorf("Illegal pattern character '%c'", c)
			}
			if c == 'X' && n > 3 {
				return nil, fmt.Errorf("invalid ISO 8601 format: length=%d", n)
			}
			flush()
			parts = append(parts, dateFormatPart{letter: c, count: n})
			i += n
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return &dateFormat{pattern: p, parts: parts}, nil
}

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	monthShort = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	dayNames   = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	dayShort   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	eraNames   = [...]string{"BC", "AD"}
	ampmNames  = [...]string{"AM", "PM"}
)

// eraYear is GregorianCalendar's ERA and YEAR: year 0 is 1 BC.
func eraYear(y int) (era, year int) {
	if y <= 0 {
		return 0, 1 - y
	}
	return 1, y
}

// weekOfYear is GregorianCalendar's WEEK_OF_YEAR and its week year in the
// en_US rules: weeks start on Sunday and week 1 is the one holding
// 1 January, so the last days of December can be in week 1 of the next
// year.
func weekOfYear(t time.Time) (week, weekYear int) {
	next := time.Date(t.Year()+1, time.January, 1, 0, 0, 0, 0, time.UTC)
	if startOfNextWeek1 := next.AddDate(0, 0, -int(next.Weekday())); !t.Before(startOfNextWeek1) {
		return 1, t.Year() + 1
	}
	jan1 := time.Date(t.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	return (t.YearDay()-1+int(jan1.Weekday()))/7 + 1, t.Year()
}

// format formats t in UTC as SimpleDateFormat.format does.
func (f *dateFormat) format(t time.Time) string {
	t = t.UTC()
	var b strings.Builder
	num := func(n, count int) {
		s := strconv.Itoa(n)
		for i := len(s); i < count; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	text := func(count int, long, short string) {
		if count >= 4 {
			b.WriteString(long)
		} else {
			b.WriteString(short)
		}
	}
	for _, p := range f.parts {
		switch p.letter {
		case 0:
			b.WriteString(p.literal)
		case 'G':
			era, _ := eraYear(t.Year())
			b.WriteString(eraNames[era])
		case 'y', 'Y':
			y := t.Year()
			if p.letter == 'Y' {
				_, y = weekOfYear(t)
			}
			_, y = eraYear(y)
			if p.count == 2 {
				num(y%100, 2)
			} else {
				num(y, p.count)
			}
		case 'M', 'L':
			switch {
			case p.count >= 3:
				text(p.count, monthNames[t.Month()-1], monthShort[t.Month()-1])
			default:
				num(int(t.Month()), p.count)
			}
		case 'd':
			num(t.Day(), p.count)
		case 'D':
			num(t.YearDay(), p.count)
		case 'F':
			num((t.Day()-1)/7+1, p.count)
		case 'w':
			w, _ := weekOfYear(t)
			num(w, p.count)
		case 'W':
			first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
			num((t.Day()-1+int(first.Weekday()))/7+1, p.count)
		case 'E':
			text(p.count, dayNames[t.Weekday()], dayShort[t.Weekday()])
		case 'u':
			d := int(t.Weekday())
			if d == 0 {
				d = 7
			}
			num(d, p.count)
		case 'a':
			b.WriteString(ampmNames[t.Hour()/12])
		case 'H':
			num(t.Hour(), p.count)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			num(h, p.count)
		case 'K':
			num(t.Hour()%12, p.count)
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			num(h, p.count)
		case 'm':
			num(t.Minute(), p.count)
		case 's':
			num(t.Second(), p.count)
		case 'S':
			num(t.Nanosecond()/int(time.Millisecond), p.count)
		case 'z':
			text(p.count, "Coordinated Universal Time", "UTC")
		case 'Z':
			b.WriteString("+0000")
		case 'X':
			b.WriteByte('Z')
		}
	}
	return b.String()
}

// numericLetter reports whether a pattern part is written as a number, so
// that a numeric part just before it reads exactly its count of digits
// (SimpleDateFormat's abutting fields).
func (p dateFormatPart) numeric() bool {
	switch p.letter {
	case 0, 'G', 'E', 'a', 'z', 'Z', 'X':
		return false
	case 'M', 'L':
		return p.count <= 2
	}
	return true
}

// errUnparseable is SimpleDateFormat.parse's ParseException.
var errUnparseable = errors.New("unparseable date")

// parse parses s as the lenient SimpleDateFormat.parse(String) does: from
// the start of s, ignoring what follows the last pattern part; spaces and
// tabs before a field are skipped; out-of-range fields roll over (month 13
// is January of the next year); a two-digit year for a pattern of one or
// two y is put within 80 years before and 20 years after now. Week-based
// fields (Y w W F u E) are read but, unlike Java's Calendar resolution,
// do not decide the date.
func (f *dateFormat) parse(s string, now time.Time) (time.Time, error) {
	year, month, day := 1970, 1, 1
	hour, hour12, minute, sec, milli := 0, -1, 0, 0, 0
	dayOfYear, pm, bc := -1, false, false
	hourSet, ambiguousYear := false, false
	offset := 0 // seconds east of UTC
	pos := 0
	for i, p := range f.parts {
		if p.letter == 0 {
			if !strings.HasPrefix(s[pos:], p.literal) {
				return time.Time{}, errUnparseable
			}
			pos += len(p.literal)
			continue
		}
		for pos < len(s) && (s[pos] == ' ' || s[pos] == '\t') {
			pos++
		}
		if pos >= len(s) {
			return time.Time{}, errUnparseable
		}
		if !p.numeric() {
			var n int
			var ok bool
			switch p.letter {
			case 'G':
				var era int
				if era, n, ok = matchName(s[pos:], eraNames[:]); ok {
					bc = era == 0
				}
			case 'M', 'L':
				var m int
				if m, n, ok = matchName(s[pos:], monthNames[:]); !ok {
					m, n, ok = matchName(s[pos:], monthShort[:])
				}
				month = m + 1
			case 'E':
				if _, n, ok = matchName(s[pos:], dayNames[:]); !ok {
					_, n, ok = matchName(s[pos:], dayShort[:])
				}
			case 'a':
				var a int
				a, n, ok = matchName(s[pos:], ampmNames[:])
				pm = a == 1
			case 'z', 'Z', 'X':
				offset, n, ok = parseZone(s[pos:])
			}
			if !ok {
				return time.Time{}, errUnparseable
			}
			pos += n
			continue
		}
		end := pos
		if pos < len(s) && (s[pos] == '-' || s[pos] == '+') {
			end++
		}
		abutting := i+1 < len(f.parts) && f.parts[i+1].numeric()
		for end < len(s) && s[end] >= '0' && s[end] <= '9' && (!abutting || end-pos < p.count) {
			end++
		}
		v, err := strconv.Atoi(s[pos:end])
		if err != nil {
			return time.Time{}, errUnparseable
		}
		digits := end - pos
		pos = end
		switch p.letter {
		case 'y':
			year = v
			ambiguousYear = p.count <= 2 && digits == 2
		case 'M', 'L':
			month = v
		case 'd':
			day = v
		case 'D':
			dayOfYear = v
		case 'H':
			hour, hourSet = v, true
		case 'k':
			if v == 24 {
				v = 0
			}
			hour, hourSet = v, true
		case 'K':
			hour12 = v
		case 'h':
			if v == 12 {
				v = 0
			}
			hour12 = v
		case 'm':
			minute = v
		case 's':
			sec = v
		case 'S':
			milli = v
		}
	}
	if ambiguousYear {
		start := now.UTC().AddDate(-80, 0, 0).Year()
		year += start / 100 * 100
		if year < start {
			year += 100
		}
	}
	if bc {
		year = 1 - year
	}
	if !hourSet && hour12 >= 0 {
		hour = hour12
		if pm {
			hour += 12
		}
	}
	var t time.Time
	if dayOfYear >= 0 && month == 1 && day == 1 {
		t = time.Date(year, time.January, dayOfYear, hour, minute, sec, 0, time.UTC)
	} else {
		t = time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	}
	t = t.Add(time.Duration(milli) * time.Millisecond)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// matchName matches the longest of names at the start of s, ignoring case.
func matchName(s string, names []string) (index, n int, ok bool) {
	best := -1
	for i, name := range names {
		if len(name) <= len(s) && strings.EqualFold(s[:len(name)], name) && (best < 0 || len(name) > len(names[best])) {
			best = i
		}
	}
	if best < 0 {
		return 0, 0, false
	}
	return best, len(names[best]), true
}

// parseZone reads a time zone as SimpleDateFormat reads z, Z and X: "Z",
// UTC or GMT (optionally followed by an offset), Coordinated Universal
// Time, or an offset +hh, +hhmm or +hh:mm. Other zone names are not read.
func parseZone(s string) (offset, n int, ok bool) {
	for _, name := range []string{"Coordinated Universal Time", "Greenwich Mean Time", "UTC", "GMT", "UT"} {
		if len(s) >= len(name) && strings.EqualFold(s[:len(name)], name) {
			n = len(name)
			if off, m, ok := parseOffset(s[n:]); ok {
				return off, n + m, true
			}
			return 0, n, true
		}
	}
	if s != "" && s[0] == 'Z' {
		return 0, 1, true
	}
	return parseOffset(s)
}

// parseOffset reads +hh, +hhmm or +hh:mm (a single-digit hour too).
func parseOffset(s string) (offset, n int, ok bool) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		return 0, 0, false
	}
	digits := func(from, most int) (int, int) {
		v, k := 0, 0
		for from+k < len(s) && k < most && s[from+k] >= '0' && s[from+k] <= '9' {
			v = v*10 + int(s[from+k]-'0')
			k++
		}
		return v, k
	}
	h, k := digits(1, 2)
	if k == 0 {
		return 0, 0, false
	}
	n = 1 + k
	m := 0
	switch {
	case n < len(s) && s[n] == ':':
		if v, k := digits(n+1, 2); k == 2 {
			m, n = v, n+3
		}
	case k == 2:
		if v, k := digits(n, 2); k == 2 {
			m, n = v, n+2
		}
	}
	offset = h*3600 + m*60
	if s[0] == '-' {
		offset = -offset
	}
	return offset, n, true
}
