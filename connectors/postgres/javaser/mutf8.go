package javaser

import (
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// Java writes strings in "modified UTF-8" (java.io.DataOutput.writeUTF): each
// UTF-16 code unit on its own, U+0000 as the two bytes C0 80, and a
// supplementary character as its two surrogates of three bytes each.

// mutf8Len is the length of s in modified UTF-8. s must be valid UTF-8.
func mutf8Len(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x01 && r <= 0x7f:
			n++
		case r <= 0x7ff:
			n += 2
		case r <= 0xffff:
			n += 3
		default:
			n += 6
		}
	}
	return n
}

// appendMUTF8 appends s, valid UTF-8, in modified UTF-8.
func appendMUTF8(dst []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r >= 0x01 && r <= 0x7f:
			dst = append(dst, byte(r))
		case r <= 0xffff:
			dst = appendUnit(dst, uint16(r))
		default:
			hi, lo := utf16.EncodeRune(r)
			dst = appendUnit(appendUnit(dst, uint16(hi)), uint16(lo))
		}
	}
	return dst
}

// appendUnit appends one UTF-16 code unit other than 0x01..0x7f as
// writeUTF does: two bytes up to 0x7ff (U+0000 included), three above.
func appendUnit(dst []byte, c uint16) []byte {
	if c <= 0x7ff {
		return append(dst, 0xc0|byte(c>>6), 0x80|byte(c&0x3f))
	}
	return append(dst, 0xe0|byte(c>>12), 0x80|byte((c>>6)&0x3f), 0x80|byte(c&0x3f))
}

var (
	errMUTF8     = errors.New("malformed modified UTF-8")
	errSurrogate = errors.New("string holds an unpaired UTF-16 surrogate")
)

// decodeMUTF8 reads modified UTF-8 as java.io.DataInputStream.readUTF does
// (the lead byte's top bits choose one, two or three bytes; continuation
// bytes must be 10xxxxxx; other lead bytes are malformed) and returns it as
// UTF-8. Surrogate pairs become their supplementary character; an unpaired
// surrogate is an error.
func decodeMUTF8(b []byte) (string, error) {
	out := make([]byte, 0, len(b))
	var pending rune = -1 // a high surrogate waiting for its low half
	for i := 0; i < len(b); {
		c := b[i]
		var u rune
		switch c >> 4 {
		case 0, 1, 2, 3, 4, 5, 6, 7:
			u = rune(c)
			i++
		case 12, 13:
			if i+2 > len(b) || b[i+1]&0xc0 != 0x80 {
				return "", errMUTF8
			}
			u = rune(c&0x1f)<<6 | rune(b[i+1]&0x3f)
			i += 2
		case 14:
			if i+3 > len(b) || b[i+1]&0xc0 != 0x80 || b[i+2]&0xc0 != 0x80 {
				return "", errMUTF8
			}
			u = rune(c&0x0f)<<12 | rune(b[i+1]&0x3f)<<6 | rune(b[i+2]&0x3f)
			i += 3
		default:
			return "", errMUTF8
		}
		switch {
		case pending >= 0:
			if u < 0xdc00 || u > 0xdfff {
				return "", errSurrogate
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(pending, u))
			pending = -1
		case u >= 0xd800 && u <= 0xdbff:
			pending = u
		case u >= 0xdc00 && u <= 0xdfff:
			return "", errSurrogate
		default:
			out = utf8.AppendRune(out, u)
		}
	}
	if pending >= 0 {
		return "", errSurrogate
	}
	return string(out), nil
}
