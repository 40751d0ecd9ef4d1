package typemap

import (
	"fmt"
	"slices"
	"unicode/utf16"

	"github.com/tributary-cdc/tributary/schema"
)

var (
	hstoreMapReq = &schema.Schema{Type: schema.TypeMap, Keys: schema.StringSchema, Values: schema.OptionalStringSchema}
	hstoreMapOpt = &schema.Schema{Type: schema.TypeMap, Keys: schema.StringSchema, Values: schema.OptionalStringSchema, Optional: true}
)

// hstore maps hstore to a compact JSON string (json mode) or a map of
// optional strings (map mode).
func hstore(c Column, o *Options) Mapping {
	if o.Hstore == HstoreMap {
		return Mapping{
			Schema: pick(hstoreMapReq, hstoreMapOpt, c.Optional),
			Decode: func(b []byte) (any, error) {
				pairs, err := parseHstore(b)
				if err != nil {
					return nil, err
				}
				m := make(map[string]any, len(pairs))
				for _, p := range pairs {
					if p.null {
						m[p.key] = nil
					} else {
						m[p.key] = p.value
					}
				}
				return m, nil
			},
			Fallback: map[string]any{},
		}
	}
	req, opt := namedSchemas(schema.TypeString, JSONName)
	return Mapping{
		Schema: pick(req, opt, c.Optional),
		Decode: func(b []byte) (any, error) {
			pairs, err := parseHstore(b)
			if err != nil {
				return nil, err
			}
			return hstoreJSON(pairs), nil
		},
		Fallback: "{}",
	}
}

type hstorePair struct {
	key, value string
	null       bool
}

// parseHstore parses the hstore output form: "k"=>"v", "k2"=>NULL.
func parseHstore(b []byte) ([]hstorePair, error) {
	var out []hstorePair
	i := 0
	skipSpace := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == ',') {
			i++
		}
	}
	quoted := func() (string, bool) {
		if i >= len(b) || b[i] != '"' {
			return "", false
		}
		i++
		var s []byte
		for ; i < len(b) && b[i] != '"'; i++ {
			if b[i] == '\\' && i+1 < len(b) {
				i++
			}
			s = append(s, b[i])
		}
		if i >= len(b) {
			return "", false
		}
		i++
		return string(s), true
	}
	for skipSpace(); i < len(b); skipSpace() {
		k, ok := quoted()
		if !ok || i+2 > len(b) || b[i] != '=' || b[i+1] != '>' {
			return nil, fmt.Errorf("parsing hstore %q", b)
		}
		i += 2
		if i+4 <= len(b) && string(b[i:i+4]) == "NULL" {
			i += 4
			out = append(out, hstorePair{key: k, null: true})
			continue
		}
		v, ok := quoted()
		if !ok {
			return nil, fmt.Errorf("parsing hstore %q", b)
		}
		out = append(out, hstorePair{key: k, value: v})
	}
	return out, nil
}

// hstoreJSON writes pairs as Jackson writes the java.util.HashMap pgjdbc
// builds: compact, in the map's iteration order.
func hstoreJSON(pairs []hstorePair) string {
	order := javaHashMapOrder(pairs)
	out := make([]byte, 0, 16*len(pairs)+2)
	out = append(out, '{')
	for n, i := range order {
		if n > 0 {
			out = append(out, ',')
		}
		out = appendJacksonString(out, pairs[i].key)
		out = append(out, ':')
		if pairs[i].null {
			out = append(out, "null"...)
		} else {
			out = appendJacksonString(out, pairs[i].value)
		}
	}
	return string(append(out, '}'))
}

// javaHashMapOrder returns the iteration order of a java.util.HashMap into
// which the keys were put in order: by bucket (the spread String.hashCode
// masked by the table size, which doubles past a 0.75 load), insertion
// order within a bucket.
func javaHashMapOrder(pairs []hstorePair) []int {
	capacity := 16
	for float64(len(pairs)) > 0.75*float64(capacity) {
		capacity *= 2
	}
	bucket := make([]int, len(pairs))
	for i, p := range pairs {
		var h int32
		for _, u := range utf16.Encode([]rune(p.key)) {
			h = 31*h + int32(u)
		}
		spread := uint32(h) ^ (uint32(h) >> 16)
		bucket[i] = int(spread & uint32(capacity-1))
	}
	order := make([]int, len(pairs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return bucket[a] - bucket[b] })
	return order
}

// appendJacksonString quotes s as Jackson does: ", \ and control characters
// escaped, everything else written as is.
func appendJacksonString(b []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
