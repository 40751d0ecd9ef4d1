package transforms

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/tributary-cdc/tributary/connect"
	"github.com/tributary-cdc/tributary/connect/javaregex"
)

// RegexRouterClass is Kafka Connect's topic-renaming transform.
const RegexRouterClass = "org.apache.kafka.connect.transforms.RegexRouter"

// regexRouter renames topics as Kafka's RegexRouter does: when the whole
// topic matches regex (Matcher.matches), the topic becomes
// Matcher.replaceFirst(replacement); other topics are left alone.
type regexRouter struct {
	re       *regexp.Regexp // the pattern as written, for replaceFirst
	full     *regexp.Regexp // the pattern anchored at both ends, for matches
	template string         // replacement translated to regexp.Expand syntax
}

// NewRegexRouter configures a RegexRouter from RegexRouterDef: "regex" and
// "replacement", both required.
func NewRegexRouter(config map[string]string) (connect.Transformation, []connect.ConfigError) {
	v, errs := RegexRouterDef.Parse(config)
	if len(errs) > 0 {
		return nil, errs
	}
	pattern, replacement := v.String("regex"), v.String("replacement")
	re, full, err := javaregex.Compile(pattern)
	if err != nil {
		return nil, []connect.ConfigError{invalid("regex", pattern, err.Error())}
	}
	// Kafka only finds a bad replacement when the first topic matches and
	// fails the task then; every such error depends on the replacement and
	// the pattern alone, so it is reported here instead.
	template, err := translateReplacement(replacement, re)
	if err != nil {
		return nil, []connect.ConfigError{invalid("replacement", replacement, err.Error())}
	}
	return &regexRouter{re: re, full: full, template: template}, nil
}

func (rr *regexRouter) Apply(r connect.SourceRecord) (connect.SourceRecord, bool, error) {
	// An empty topic marks an offset-only record, which has no topic to
	// rename: renaming it would turn it into a record to produce.
	if r.Topic == "" || !rr.full.MatchString(r.Topic) {
		return r, true, nil
	}
	// replaceFirst searches again from the start, and the leftmost match
	// need not be the whole topic (e.g. "a|ab" on "ab" replaces "a").
	m := rr.re.FindStringSubmatchIndex(r.Topic)
	topic := []byte(r.Topic[:m[0]])
	topic = rr.re.ExpandString(topic, rr.template, r.Topic, m)
	r.Topic = string(append(topic, r.Topic[m[1]:]...))
	return r, true, nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

// translateReplacement rewrites a Java Matcher replacement string into the
// template syntax of regexp.Expand, following Matcher.appendReplacement:
// "\x" is a literal x; "${name}" is a named group; "$n" takes the first
// digit as a group number and then as many more digits as still name an
// existing group (so "$10" is group 1 then "0" when there are fewer than 10
// groups). Groups become "${n}" and literal dollars "$$", so no letter or
// digit that follows can be read as part of a group name.
func translateReplacement(repl string, re *regexp.Regexp) (string, error) {
	groups := re.NumSubexp()
	var b strings.Builder
	for i := 0; i < len(repl); {
		c := repl[i]
		switch c {
		case '\\':
			if i+1 == len(repl) {
				return "", fmt.Errorf("character to be escaped is missing")
			}
			// Copy the escaped character whole, however many bytes it is.
			_, n := utf8.DecodeRuneInString(repl[i+1:])
			lit := repl[i+1 : i+1+n]
			if lit == "$" {
				lit = "$$"
			}
			b.WriteString(lit)
			i += 1 + n
		case '$':
			i++
			if i == len(repl) {
				return "", fmt.Errorf("illegal group reference: group index is missing")
			}
			var ref int
			if repl[i] == '{' {
				i++
				start := i
				for i < len(repl) && (isASCIILetter(repl[i]) || isASCIIDigit(repl[i])) {
					i++
				}
				name := repl[start:i]
				switch {
				case name == "":
					return "", fmt.Errorf("named capturing group has 0 length name")
				case i == len(repl) || repl[i] != '}':
					return "", fmt.Errorf("named capturing group is missing trailing '}'")
				case isASCIIDigit(name[0]):
					return "", fmt.Errorf("capturing group name {%s} starts with digit character", name)
				}
				ref = re.SubexpIndex(name)
				if ref < 0 {
					return "", fmt.Errorf("no group with name {%s}", name)
				}
				i++ // '}'
			} else {
				if !isASCIIDigit(repl[i]) {
					return "", fmt.Errorf("illegal group reference")
				}
				ref = int(repl[i] - '0')
				i++
				for i < len(repl) && isASCIIDigit(repl[i]) {
					next := ref*10 + int(repl[i]-'0')
					if next > groups {
						break
					}
					ref = next
					i++
				}
				if ref > groups {
					return "", fmt.Errorf("no group %d: the pattern has %d", ref, groups)
				}
			}
			fmt.Fprintf(&b, "${%d}", ref)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}
