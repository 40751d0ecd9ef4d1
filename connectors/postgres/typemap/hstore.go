package typemap

import (
	"fmt"
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
				// The converters write the entries in the order of the
				// HashMap pgjdbc's HStoreConverter.fromString fills.
				m := make(schema.OrderedMap, 0, len(pairs))
				for _, i := range javaHashMapOrder(pairs) {
					e := schema.MapEntry{Key: pairs[i].key}
					if !pairs[i].null {
						e.Value = pairs[i].value
					}
					m = append(m, e)
				}
				return m, nil
			},
			Fallback: schema.OrderedMap{},
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

// javaHashMapOrder returns the iteration order of a java.util.HashMap
// (default capacity 16, load factor 0.75) into which the keys were put in
// order, as pgjdbc's HStoreConverter.fromString does with the pairs in
// PostgreSQL's text order. The order is by bucket, the key's spread
// String.hashCode (h ^ h>>>16) masked by the table size, and within a
// bucket by the bin's linked order. The table doubles when the size passes
// three quarters of it, and also when a bin reaches 9 nodes while the
// table is smaller than 64 (treeifyBin resizes instead of treeifying); a
// doubling splits every bin into the two bins it feeds, keeping order.
// Larger tables turn such a bin into a red-black tree, whose linked order
// is kept by treeBin.
func javaHashMapOrder(pairs []hstorePair) []int {
	hashes := make([]uint32, len(pairs))
	for i, p := range pairs {
		hashes[i] = javaSpreadHash(p.key)
	}
	keys := func(i int) string { return pairs[i].key }
	m := javaHashMap{hash: func(i int) uint32 { return hashes[i] }, key: keys}
	for i := range pairs {
		m.put(i)
	}
	order := make([]int, 0, len(pairs))
	for _, b := range m.bins {
		order = append(order, b.order()...)
	}
	return order
}

// javaSpreadHash is HashMap.hash(key) for a String key: String.hashCode
// over its UTF-16 code units, XORed with its upper half.
func javaSpreadHash(s string) uint32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return uint32(h) ^ (uint32(h) >> 16)
}

// javaHashMap simulates the bins of a java.util.HashMap holding distinct
// keys, named by index.
type javaHashMap struct {
	hash func(int) uint32
	key  func(int) string
	// initialCapacity is the HashMap(int) constructor's argument, 0 for
	// the no-argument constructor (16 bins).
	initialCapacity int
	bins            []*javaBin
	threshold       int
	size            int
}

// javaTableSizeFor is HashMap.tableSizeFor: the smallest power of two at
// least c, and at least 1.
func javaTableSizeFor(c int) int {
	n := 1
	for n < c {
		n <<= 1
	}
	return n
}

// javaThreshold is HashMap.resize's threshold of a fresh table of n bins
// under the default load factor 0.75, (int) of the float product.
func javaThreshold(n int) int { return int(float32(n) * 0.75) }

// javaBin is one bin: a linked list, or a tree bin once treeified.
type javaBin struct {
	list []int
	tree *treeBin
}

func (b *javaBin) order() []int {
	if b == nil {
		return nil
	}
	if b.tree != nil {
		return b.tree.order()
	}
	return b.list
}

func (m *javaHashMap) put(i int) {
	if m.bins == nil {
		n := 16
		if m.initialCapacity > 0 {
			n = javaTableSizeFor(m.initialCapacity)
		}
		m.bins, m.threshold = make([]*javaBin, n), javaThreshold(n)
	}
	idx := int(m.hash(i) & uint32(len(m.bins)-1))
	b := m.bins[idx]
	switch {
	case b == nil:
		m.bins[idx] = &javaBin{list: []int{i}}
	case b.tree != nil:
		b.tree.put(i)
	default:
		b.list = append(b.list, i)
		// putVal calls treeifyBin once the new node is the 9th of the bin.
		if len(b.list) > 8 {
			if len(m.bins) < 64 {
				m.resize()
			} else {
				b.tree = newTreeBin(b.list, m.hash, m.key)
				b.list = nil
			}
		}
	}
	m.size++
	if m.size > m.threshold {
		m.resize()
	}
}

// resize doubles the table: every bin splits into a low and a high bin,
// keeping the linked order; a tree bin left with 6 nodes or fewer becomes
// a list again, a larger one is treeified anew.
func (m *javaHashMap) resize() {
	oldCap := len(m.bins)
	bins := make([]*javaBin, 2*oldCap)
	for j, b := range m.bins {
		if b == nil {
			continue
		}
		var lo, hi []int
		for _, i := range b.order() {
			if m.hash(i)&uint32(oldCap) == 0 {
				lo = append(lo, i)
			} else {
				hi = append(hi, i)
			}
		}
		if b.tree != nil && (len(lo) == 0 || len(hi) == 0) {
			// TreeNode.split keeps the tree as it is when every node
			// goes the same way.
			if len(hi) == 0 {
				bins[j] = b
			} else {
				bins[j+oldCap] = b
			}
			continue
		}
		bins[j], bins[j+oldCap] = m.split(b, lo), m.split(b, hi)
	}
	// The threshold doubles from 16 bins on; a smaller table's is computed
	// afresh.
	if oldCap >= 16 {
		m.threshold *= 2
	} else {
		m.threshold = javaThreshold(2 * oldCap)
	}
	m.bins = bins
}

func (m *javaHashMap) split(old *javaBin, nodes []int) *javaBin {
	switch {
	case len(nodes) == 0:
		return nil
	case old.tree == nil || len(nodes) <= 6:
		return &javaBin{list: nodes}
	}
	return &javaBin{tree: newTreeBin(nodes, m.hash, m.key)}
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
