package javaregex

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// Compile compiles a java.util.regex pattern with RE2 and returns it as
// written (for Matcher.find and replaceFirst) and anchored at both ends (for
// Matcher.matches). Most constructs RE2 lacks (backreferences, lookaround,
// possessive and atomic groups) fail to compile; the few that compile with
// another meaning are refused by checkJavaOnly.
func Compile(pattern string) (re, full *regexp.Regexp, err error) {
	if err := checkJavaOnly(pattern); err != nil {
		return nil, nil, err
	}
	re, err = regexp.Compile(pattern)
	if err != nil {
		return nil, nil, fmt.Errorf("the pattern is not supported by Go's RE2 regular expressions (no backreferences, lookaround, possessive or atomic groups): %w", err)
	}
	for _, name := range re.SubexpNames() {
		if name != "" && !isJavaGroupName(name) {
			return nil, nil, fmt.Errorf("group name %q is not a Java group name (an ASCII letter followed by ASCII letters and digits)", name)
		}
	}
	// Anchoring the parsed form rather than the text keeps an unterminated
	// \Q from swallowing the anchors.
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, nil, fmt.Errorf("the pattern is not supported by Go's RE2 regular expressions: %w", err)
	}
	full, err = regexp.Compile(`\A(?:` + parsed.String() + `)\z`)
	if err != nil {
		return nil, nil, fmt.Errorf("anchoring the pattern: %w", err)
	}
	return re, full, nil
}

// checkJavaOnly refuses constructs that RE2 compiles with a meaning other
// than Java's: nested classes and && intersections inside a character class
// (Java's union and intersection; RE2 reads literals or a POSIX class), and
// the U flag (Java's UNICODE_CHARACTER_CLASS; RE2's ungreedy mode).
func checkJavaOnly(p string) error {
	inClass := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && strings.HasPrefix(p[i:], `\Q`):
			end := strings.Index(p[i+2:], `\E`)
			if end < 0 {
				return nil // quoted to the end
			}
			i += 2 + end + 1
		case c == '\\':
			i++ // the escaped character is never special here
		case inClass && c == '[':
			return fmt.Errorf("nested character classes ([a[b]], [[:alpha:]]) are not supported: Go reads them differently from Java")
		case inClass && c == '&' && i+1 < len(p) && p[i+1] == '&':
			return fmt.Errorf("character class intersection (&&) is not supported by Go's RE2 regular expressions")
		case inClass && c == ']':
			inClass = false
		case c == '[':
			inClass = true
			// A ']' right after '[' or '[^' is a literal in RE2.
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			j := i + 2
			for j < len(p) && (isASCIILetter(p[j]) || p[j] == '-') {
				if p[j] == 'U' {
					return fmt.Errorf("flag U (UNICODE_CHARACTER_CLASS) is not supported: Go reads it as ungreedy matching")
				}
				j++
			}
		}
	}
	return nil
}

func isJavaGroupName(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isASCIILetter(s[i]) && !isASCIIDigit(s[i]) {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }
