package jaas

import (
	"errors"
	"fmt"
	"strings"
)

// LoginModule is one entry of a sasl.jaas.config value: the login module
// class, its control flag and its options.
type LoginModule struct {
	Class   string
	Flag    string // required, requisite, sufficient or optional, lower case
	Options map[string]string
}

// Parse parses a sasl.jaas.config value exactly as Kafka's JaasConfig
// does, with java.io.StreamTokenizer's rules: entries of the form
// `<loginModuleClass> <controlFlag> (<optionName>=<optionValue>)*;`, option
// values quoted with " or ' (backslash escapes as in Java) or bare words,
// and // and /* */ comments. Its errors name option keys, never values.
func Parse(text string) ([]LoginModule, error) {
	t := &jaasTokenizer{src: []rune(text)}
	var modules []LoginModule
	for t.next() != ttEOF {
		m, err := parseEntry(t)
		if err != nil {
			return nil, err
		}
		modules = append(modules, m)
	}
	if len(modules) == 0 {
		return nil, errors.New("Login module not specified in JAAS config")
	}
	return modules, nil
}

// ParseFile parses a JAAS login configuration file, the file the JVM reads
// from -Djava.security.auth.login.config (sun.security.provider.ConfigFile):
// entries `<name> { <login module entry>; … };`, each login module entry as
// Parse reads one. It returns the login modules of each entry by name and,
// as ConfigFile does, refuses a name given twice. Properties in ${…} are not
// expanded: such a value is an error naming the option, not a literal.
func ParseFile(text string) (map[string][]LoginModule, error) {
	t := &jaasTokenizer{src: []rune(text)}
	entries := map[string][]LoginModule{}
	for t.next() != ttEOF {
		if !t.hasSval || t.sval == "" {
			return nil, fmt.Errorf("expected a login configuration name, found [%s]", t.token())
		}
		name := t.sval
		if t.next() != '{' {
			return nil, fmt.Errorf("expected [{] after %s, found [%s]", name, t.token())
		}
		var modules []LoginModule
		for t.next() != '}' {
			if t.ttype == ttEOF {
				return nil, fmt.Errorf("expected [}] to end %s, found the end of the file", name)
			}
			m, err := parseEntry(t)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for k, v := range m.Options {
				if strings.Contains(v, "${") {
					return nil, fmt.Errorf("%s: the value of option %s has a ${...} property reference, which is not expanded", name, k)
				}
			}
			modules = append(modules, m)
		}
		if t.next() != ';' {
			return nil, fmt.Errorf("expected [;] after the entry %s, found [%s]", name, t.token())
		}
		if _, dup := entries[name]; dup {
			return nil, fmt.Errorf("Can not specify multiple entries for %s", name)
		}
		entries[name] = modules
	}
	return entries, nil
}

// token describes the current token for an error message: a word, or the
// character; never a quoted value, which may be a secret.
func (t *jaasTokenizer) token() string {
	switch {
	case t.ttype == ttEOF:
		return "end of file"
	case t.ttype == ttWord:
		return t.sval
	case t.hasSval:
		return "a quoted string"
	case t.ttype == ttNumber:
		return "a number"
	}
	return string(rune(t.ttype))
}

func parseEntry(t *jaasTokenizer) (LoginModule, error) {
	class, ok := t.sval, t.hasSval
	if !ok || class == "" {
		return LoginModule{}, errors.New("Login module class not specified in JAAS config")
	}
	if t.next() == ttEOF {
		return LoginModule{}, errors.New("Login module control flag not specified in JAAS config")
	}
	if !t.hasSval {
		return LoginModule{}, errors.New("Login module control flag is not available in the JAAS config")
	}
	flag := strings.ToLower(t.sval)
	switch flag {
	case "required", "requisite", "sufficient", "optional":
	default:
		return LoginModule{}, fmt.Errorf("Invalid login module control flag '%s' in JAAS config", t.sval)
	}
	m := LoginModule{Class: class, Flag: flag, Options: map[string]string{}}
	for t.next() != ttEOF && t.ttype != ';' {
		key := t.sval
		if t.next() != '=' || t.next() == ttEOF || !t.hasSval {
			return LoginModule{}, fmt.Errorf("Value not specified for key '%s' in JAAS config", key)
		}
		m.Options[key] = t.sval
	}
	if t.ttype != ';' {
		return LoginModule{}, errors.New("JAAS config entry not terminated by semi-colon")
	}
	return m, nil
}

// Token types of java.io.StreamTokenizer; an ordinary character is its own
// type.
const (
	ttEOF    = -1
	ttNumber = -2
	ttWord   = -3
)

// Character classes of the tokenizer JaasConfig sets up: the defaults
// (letters and U+00A0..U+00FF are word characters, 0..' ' white space,
// digits, '.' and '-' numeric, '"' and '\” quotes, '/' a comment) plus
// '-', '_' and '$' as word characters.
const (
	ctWhite = 1 << iota
	ctDigit
	ctAlpha
	ctQuote
	ctComment
)

func charClass(c rune) int {
	switch {
	case c >= 256:
		return ctAlpha
	case c <= ' ':
		return ctWhite
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= 0xA0, c == '_', c == '$':
		return ctAlpha
	case c == '-':
		return ctAlpha | ctDigit
	case c >= '0' && c <= '9', c == '.':
		return ctDigit
	case c == '"', c == '\'':
		return ctQuote
	case c == '/':
		return ctComment
	}
	return 0
}

type jaasTokenizer struct {
	src     []rune
	pos     int
	ttype   int
	sval    string
	hasSval bool
}

func (t *jaasTokenizer) read() rune {
	if t.pos >= len(t.src) {
		t.pos++ // reading past the end stays past it
		return -1
	}
	c := t.src[t.pos]
	t.pos++
	return c
}

func (t *jaasTokenizer) unread() { t.pos-- }

// next reads the next token (StreamTokenizer.nextToken).
func (t *jaasTokenizer) next() int {
	t.sval, t.hasSval = "", false
	c := t.read()
	for c >= 0 && charClass(c)&ctWhite != 0 {
		c = t.read()
	}
	if c < 0 {
		t.ttype = ttEOF
		return t.ttype
	}
	cls := charClass(c)
	switch {
	case cls&ctDigit != 0:
		if c == '-' {
			c = t.read()
			if c != '.' && (c < '0' || c > '9') {
				t.unread()
				t.ttype = '-'
				return t.ttype
			}
		}
		seenDot := false
		for (c == '.' && !seenDot) || (c >= '0' && c <= '9') {
			if c == '.' {
				seenDot = true
			}
			c = t.read()
		}
		t.unread()
		t.ttype = ttNumber
		return t.ttype
	case cls&ctAlpha != 0:
		var b strings.Builder
		for c >= 0 && charClass(c)&(ctAlpha|ctDigit) != 0 {
			b.WriteRune(c)
			c = t.read()
		}
		t.unread()
		t.ttype, t.sval, t.hasSval = ttWord, b.String(), true
		return t.ttype
	case cls&ctQuote != 0:
		t.ttype, t.sval, t.hasSval = int(c), t.quoted(c), true
		return t.ttype
	case c == '/':
		switch d := t.read(); d {
		case '*':
			prev := rune(0)
			for d = t.read(); d >= 0 && (prev != '*' || d != '/'); d = t.read() {
				prev = d
			}
			return t.next()
		case '/':
		default:
			t.unread()
		}
		// "//" and, '/' being a comment character, a lone '/' both
		// comment out the rest of the line.
		for d := t.read(); d >= 0 && d != '\n' && d != '\r'; d = t.read() {
		}
		t.unread()
		return t.next()
	}
	t.ttype = int(c)
	return t.ttype
}

// quoted reads a quoted string up to the closing quote or the end of the
// line, with StreamTokenizer's escapes.
func (t *jaasTokenizer) quoted(q rune) string {
	var b strings.Builder
	d := t.read()
	for d >= 0 && d != q && d != '\n' && d != '\r' {
		var c rune
		if d == '\\' {
			c = t.read()
			first := c
			if c >= '0' && c <= '7' {
				c -= '0'
				c2 := t.read()
				if c2 >= '0' && c2 <= '7' {
					c = c<<3 + (c2 - '0')
					c2 = t.read()
					if c2 >= '0' && c2 <= '7' && first <= '3' {
						c = c<<3 + (c2 - '0')
						d = t.read()
					} else {
						d = c2
					}
				} else {
					d = c2
				}
			} else {
				switch c {
				case 'a':
					c = 0x7
				case 'b':
					c = '\b'
				case 'f':
					c = 0xC
				case 'n':
					c = '\n'
				case 'r':
					c = '\r'
				case 't':
					c = '\t'
				case 'v':
					c = 0xB
				}
				d = t.read()
			}
			if c < 0 {
				break // a backslash at the end of the text
			}
		} else {
			c = d
			d = t.read()
		}
		b.WriteRune(c)
	}
	if d != q {
		t.unread() // the end of the line or text is read again
	}
	return b.String()
}
