package httpserve

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// HeaderRule is one rule of Kafka Connect's response.http.headers.config:
// `[action] [header name]:[header value]`, applied to every response as
// Jetty's HeaderFilter applies it.
type HeaderRule struct {
	// Action is set, add, setDate or addDate (Jetty's names, matched in
	// any case and kept as written).
	Action string
	Name   string
	// Value is the header value; for setDate and addDate, a number of
	// milliseconds from now.
	Value string
}

var (
	headerNameSpace = regexp.MustCompile(`\s`)
	spaces          = regexp.MustCompile(`\s+`)
)

// ParseHeaderRules parses a response.http.headers.config value: rules
// separated by commas, each optionally in double quotes (needed when the
// value has a comma), checked as Kafka's RestServerConfig
// ResponseHttpHeadersValidator checks them, with its messages. A blank
// value has no rules.
func ParseHeaderRules(config string) ([]HeaderRule, error) {
	if strings.TrimSpace(config) == "" {
		return nil, nil
	}
	var rules []HeaderRule
	for _, item := range csvSplit(config) {
		r, err := parseHeaderRule(item)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// parseHeaderRule is RestServerConfig.validateHttpResponseHeaderConfig,
// returning the rule it validates.
func parseHeaderRule(config string) (HeaderRule, error) {
	tokens := spaces.Split(strings.TrimSpace(config), 2)
	if len(tokens) != 2 || strings.TrimSpace(tokens[0]) == "" {
		return HeaderRule{}, fmt.Errorf("Invalid format of header config '%s'. Expected: '[action] [header name]:[header value]'", config)
	}
	action := strings.TrimSpace(tokens[0])
	switch strings.ToLower(action) {
	case "set", "add", "setdate", "adddate":
	default:
		return HeaderRule{}, fmt.Errorf("Invalid header config action: '%s'. Expected one of [set, add, setDate, addDate]", action)
	}
	header := tokens[1]
	nameValue := strings.Split(strings.TrimSpace(header), ":")
	if len(nameValue) != 2 {
		return HeaderRule{}, fmt.Errorf("Invalid format of header name and header value pair '%s'. Expected: '[header name]:[header value]'", header)
	}
	name := strings.TrimSpace(nameValue[0])
	if name == "" || headerNameSpace.MatchString(name) {
		return HeaderRule{}, fmt.Errorf("Invalid header name '%s'. The '[header name]' cannot contain whitespace", name)
	}
	r := HeaderRule{Action: action, Name: name, Value: strings.TrimSpace(nameValue[1])}
	if r.isDate() {
		if _, err := strconv.ParseInt(r.Value, 10, 64); err != nil {
			return HeaderRule{}, fmt.Errorf("Invalid header config '%s': the value of %s is a number of milliseconds", config, action)
		}
	}
	return r, nil
}

func (r HeaderRule) isDate() bool {
	a := strings.ToLower(r.Action)
	return a == "setdate" || a == "adddate"
}

// WithHeaders returns next with the rules applied to every response before
// next writes it, as Jetty's HeaderFilter does: a handler that sets the
// same header afterwards overrides a set rule.
func WithHeaders(rules []HeaderRule, next http.Handler) http.Handler {
	if len(rules) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, rule := range rules {
			value := rule.Value
			if rule.isDate() {
				ms, _ := strconv.ParseInt(rule.Value, 10, 64)
				value = time.Now().Add(time.Duration(ms) * time.Millisecond).UTC().Format(http.TimeFormat)
			}
			if strings.HasPrefix(strings.ToLower(rule.Action), "set") {
				h.Set(rule.Name, value)
			} else {
				h.Add(rule.Name, value)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// csvSplit is Jetty's StringUtil.csvSplit: comma-separated items, white
// space around them dropped, an item in double quotes keeping its commas
// and backslash escapes.
func csvSplit(s string) []string {
	var out []string
	var b strings.Builder
	inQuotes, escaped, quoted := false, false, false
	flush := func() {
		item := b.String()
		if !quoted {
			item = strings.TrimSpace(item)
		}
		out = append(out, item)
		b.Reset()
		quoted = false
	}
	for _, c := range s {
		switch {
		case escaped:
			b.WriteRune(c)
			escaped = false
		case inQuotes && c == '\\':
			escaped = true
		case inQuotes && c == '"':
			inQuotes = false
		case !inQuotes && c == '"' && strings.TrimSpace(b.String()) == "":
			b.Reset()
			inQuotes, quoted = true, true
		case !inQuotes && c == ',':
			flush()
		case quoted && !inQuotes:
			// white space after a closing quote
		default:
			b.WriteRune(c)
		}
	}
	flush()
	return out
}
