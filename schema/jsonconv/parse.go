package jsonconv

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader for ToConnect. It keeps object keys in document order
// (Connect needs field and parameter order), keeps number literals as text
// (integers, doubles and decimals are told apart per schema) and rejects
// what Jackson's default parser rejects: comments, NaN tokens, leading zeros,
// unescaped control characters, invalid UTF-8, nesting deeper than 1000.

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"NULL", "BOOLEAN", "NUMBER", "STRING", "ARRAY", "OBJECT"}[k]
}

type jnode struct {
	kind  jkind
	b     bool
	isInt bool   // number literal without fraction or exponent
	s     string // string contents or number literal
	elems []*jnode
	// Object members in first-seen order; a repeated key replaces the
	// value in place, as Jackson's ObjectNode does.
	keys  []string
	vals  []*jnode
	index map[string]int // built once an object grows past indexAfter keys
}

const (
	maxDepth   = 1000
	indexAfter = 16
)

// get returns the member k of an object, or nil.
func (n *jnode) get(k string) *jnode {
	if i, ok := n.lookup(k); ok {
		return n.vals[i]
	}
	return nil
}

func (n *jnode) lookup(k string) (int, bool) {
	if n.index != nil {
		i, ok := n.index[k]
		return i, ok
	}
	for i, key := range n.keys {
		if key == k {
			return i, true
		}
	}
	return 0, false
}

func (n *jnode) set(k string, v *jnode) {
	if i, ok := n.lookup(k); ok {
		n.vals[i] = v
		return
	}
	n.keys = append(n.keys, k)
	n.vals = append(n.vals, v)
	if n.index != nil {
		n.index[k] = len(n.keys) - 1
	} else if len(n.keys) > indexAfter {
		n.index = make(map[string]int, 2*len(n.keys))
		for i, key := range n.keys {
			n.index[key] = i
		}
	}
}

type parser struct {
	data  []byte
	pos   int
	depth int
}

// parseDocument parses data as exactly one JSON value.
func parseDocument(data []byte) (*jnode, error) {
	p := parser{data: data}
	n, err := p.value(true)
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) end() error {
	p.ws()
	if p.pos != len(p.data) {
		return p.errorf("unexpected data after the JSON value")
	}
	return nil
}

func (p *parser) errorf(msg string) error {
	return dataErr("parsing JSON at offset %d: %s", p.pos, msg)
}

func (p *parser) ws() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value parses one value after optional whitespace. With build false it
// only validates and skips it, returning nil.
func (p *parser) value(build bool) (*jnode, error) {
	p.ws()
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(build)
	case c == '[':
		return p.array(build)
	case c == '"':
		s, err := p.str(build)
		if err != nil || !build {
			return nil, err
		}
		return &jnode{kind: jString, s: s}, nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number(build)
	case c == 't':
		return p.literal("true", build, &jnode{kind: jBool, b: true})
	case c == 'f':
		return p.literal("false", build, &jnode{kind: jBool})
	case c == 'n':
		return p.literal("null", build, &jnode{kind: jNull})
	}
	return nil, p.errorf("unexpected character " + strconv.QuoteRune(rune(p.data[p.pos])))
}

func (p *parser) literal(word string, build bool, n *jnode) (*jnode, error) {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return nil, p.errorf("invalid literal")
	}
	p.pos += len(word)
	if !build {
		return nil, nil
	}
	return n, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf("nesting deeper than 1000")
	}
	return nil
}

func (p *parser) object(build bool) (*jnode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '{'
	var n *jnode
	if build {
		n = &jnode{kind: jObject}
	}
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		return n, nil
	}
	for {
		p.ws()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("expected an object key")
		}
		k, err := p.str(build)
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.pos++
		v, err := p.value(build)
		if err != nil {
			return nil, err
		}
		if build {
			n.set(k, v)
		}
		p.ws()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			p.depth--
			return n, nil
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *parser) array(build bool) (*jnode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '['
	var n *jnode
	if build {
		n = &jnode{kind: jArray}
	}
	p.ws()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		return n, nil
	}
	for {
		v, err := p.value(build)
		if err != nil {
			return nil, err
		}
		if build {
			n.elems = append(n.elems, v)
		}
		p.ws()
		if p.pos >= len(p.data) {
			return nil, p.errorf("unexpected end of input in array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return n, nil
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

func (p *parser) number(build bool) (*jnode, error) {
	start := p.pos
	d := p.data
	isInt := true
	if d[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(d) && d[p.pos] == '0':
		p.pos++
	case p.pos < len(d) && d[p.pos] >= '1' && d[p.pos] <= '9':
		p.digits()
	default:
		return nil, p.errorf("invalid number")
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		isInt = false
		p.pos++
		if p.digits() == 0 {
			return nil, p.errorf("invalid number: no digits after '.'")
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		isInt = false
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return nil, p.errorf("invalid number: no digits in exponent")
		}
	}
	if p.pos < len(d) && (d[p.pos] >= '0' && d[p.pos] <= '9') {
		return nil, p.errorf("invalid number: leading zeroes")
	}
	if !build {
		return nil, nil
	}
	return &jnode{kind: jNumber, isInt: isInt, s: string(d[start:p.pos])}, nil
}

func (p *parser) digits() int {
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	return p.pos - start
}

// str parses a string starting at the opening quote.
func (p *parser) str(build bool) (string, error) {
	p.pos++ // '"'
	start := p.pos
	d := p.data
	// Fast path: no escapes.
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == '"':
			raw := d[start:p.pos]
			if !utf8.Valid(raw) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			p.pos++
			if !build {
				return "", nil
			}
			return string(raw), nil
		case c == '\\':
			return p.strSlow(start)
		case c < 0x20:
			return "", p.errorf("unescaped control character in string")
		}
		p.pos++
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) strSlow(start int) (string, error) {
	d := p.data
	out := make([]byte, 0, p.pos-start+16)
	out = append(out, d[start:p.pos]...)
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !utf8.Valid(out) {
				return "", p.errorf("invalid UTF-8 in string")
			}
			return string(out), nil
		case c < 0x20:
			return "", p.errorf("unescaped control character in string")
		case c != '\\':
			out = append(out, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(d) {
			break
		}
		e := d[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				save := p.pos
				if p.pos+1 < len(d) && d[p.pos] == '\\' && d[p.pos+1] == 'u' {
					p.pos += 2
					if lo, ok := p.hex4(); ok {
						r2 = lo
					} else {
						return "", p.errorf("invalid \\u escape")
					}
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
				} else {
					// A lone surrogate: keep the next escape for the loop.
					p.pos = save
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", p.errorf("invalid escape character")
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}
