package transforms

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-cdc/tributary/connect"
)

// Properties of TimestampRouter (TimestampRouter.java, ConfigName).
const (
	propTopicFormat     = "topic.format"
	propTimestampFormat = "timestamp.format"
)

// timestampRouter is TimestampRouter.java: the topic becomes topic.format
// with ${topic} replaced by the topic and then ${timestamp} by the record
// timestamp formatted in UTC.
type timestampRouter struct {
	topicFormat string
	timestamp   []dateFormatPart
}

// NewTimestampRouter configures a TimestampRouter from TimestampRouterDef:
// "topic.format" and "timestamp.format" (a java.text.SimpleDateFormat
// pattern).
func NewTimestampRouter(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := TimestampRouterDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	parts, _ := parseDateFormat(v.String(propTimestampFormat)) // checked by the Def
	return &timestampRouter{topicFormat: v.String(propTopicFormat), timestamp: parts}, nil
}

func (t *timestampRouter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	// An offset-only record has no topic to route.
	if r.Topic == "" {
		return r, true, nil
	}
	if r.Timestamp.IsZero() {
		return r, false, fmt.Errorf("%s: Timestamp missing on record: topic %s", TimestampRouterClass, r.Topic)
	}
	ts := formatDate(t.timestamp, r.Timestamp)
	topic := strings.ReplaceAll(t.topicFormat, "${topic}", r.Topic)
	r.Topic = strings.ReplaceAll(topic, "${timestamp}", ts)
	return r, true, nil
}

// dateFormatPart is a literal text or a pattern letter repeated count times.
type dateFormatPart struct {
	letter  byte // 0 for literal text
	count   int
	literal string
}

// parseDateFormat parses a SimpleDateFormat pattern: ASCII letters are
// pattern letters, text between single quotes is literal (” is a quote,
// inside or outside quotes), anything else is literal. Of the pattern
// letters, y M d H m s S are supported.
func parseDateFormat(p string) ([]dateFormatPart, error) {
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
					return nil, fmt.Errorf("Unterminated quote")
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
			switch {
			case strings.IndexByte("yMdHmsS", c) >= 0:
			case strings.IndexByte("GYLwWDFEuakKhzZX", c) >= 0:
				return nil, fmt.Errorf("pattern letter '%c' is not supported; supported letters are y M d H m s S", c)
			default:
				return nil, fmt.Errorf("Illegal pattern character '%c'", c)
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
	return parts, nil
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// formatDate formats t in UTC as SimpleDateFormat does: numbers are
// zero-padded to the letter count, except that "yy" is the year modulo 100;
// "MMM" is an abbreviated and "MMMM" a full month name, in English (the
// names of Java's default locale on most Connect workers).
func formatDate(parts []dateFormatPart, t time.Time) string {
	t = t.UTC()
	var b strings.Builder
	for _, p := range parts {
		var n int
		switch p.letter {
		case 0:
			b.WriteString(p.literal)
			continue
		case 'y':
			n = t.Year()
			if p.count == 2 {
				n %= 100
			}
		case 'M':
			if p.count >= 4 {
				b.WriteString(monthNames[t.Month()-1])
				continue
			}
			if p.count == 3 {
				b.WriteString(monthNames[t.Month()-1][:3])
				continue
			}
			n = int(t.Month())
		case 'd':
			n = t.Day()
		case 'H':
			n = t.Hour()
		case 'm':
			n = t.Minute()
		case 's':
			n = t.Second()
		case 'S':
			n = t.Nanosecond() / int(time.Millisecond)
		}
		s := strconv.Itoa(n)
		for i := len(s); i < p.count; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	return b.String()
}
