package typemap

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tributary-cdc/tributary/schema"
)

// Orders printed by java.util.HashMap (JDK 17) for
// "new HashMap<>(); put(k, v) for each key in order; keySet()" over the
// key lists built by sameHashKeys and numbered below.
//
//	forty: sameHashKeys(9) then "x00".."x30"
//	tree:  sameHashKeys(12) then "t0".."t59"
//	big:   sameHashKeys(16) then "u0".."u119"
const javaOrderForty = "x09,x08,AaAaAaAa,AaAaAaBB,AaAaBBAa,AaAaBBBB,AaBBAaAa,AaBBAaBB,AaBBBBAa,AaBBBBBB,BBAaAaAa,x30,x10,x12,x11,x14,x13,x16,x15,x18,x17,x19,x21,x20,x01,x23,x00,x22,x03,x25,x02,x24,x05,x27,x04,x26,x07,x29,x06,x28"
const javaOrderTree = "t50,t52,t51,t10,t54,t53,t12,t56,t11,t55,t14,t58,t13,t57,t16,t15,t59,t18,t17,t19,t21,t20,t23,t22,t25,t24,t27,t26,t29,t28,t0,t1,t2,t3,t4,t5,t6,t7,t8,t9,AaAaBBBB,AaAaAaAa,AaAaAaBB,AaAaBBAa,AaBBAaAa,AaBBAaBB,AaBBBBAa,AaBBBBBB,BBAaAaAa,BBAaAaBB,BBAaBBAa,BBAaBBBB,t30,t32,t31,t34,t33,t36,t35,t38,t37,t39,t41,t40,t43,t42,t45,t44,t47,t46,t49,t48"
const javaOrderBig = "u71,u70,u73,u72,u75,u74,u77,u76,u79,u78,u80,u82,u81,u84,u83,u86,u85,u88,u87,u89,u112,u111,u114,u113,u91,u90,u93,u110,u92,u95,u109,u94,u108,u97,u96,u11,u99,u105,u10,u98,u104,u13,u107,u12,u106,u15,u14,u17,u0,u16,u1,u19,u2,u18,u3,u4,u5,u6,u7,u8,u9,u101,u100,u103,u102,u20,u22,u21,u24,u23,u26,u25,u28,u27,u29,u31,u30,u33,u32,u35,u34,u37,u36,u39,u38,u40,u119,u42,u41,u44,u116,u43,u115,u46,u118,u45,u117,u48,u47,u49,AaAaBBBB,AaAaAaAa,AaAaAaBB,AaAaBBAa,AaBBAaAa,AaBBAaBB,AaBBBBAa,AaBBBBBB,BBAaAaAa,BBAaAaBB,BBAaBBAa,BBAaBBBB,BBBBAaAa,BBBBAaBB,BBBBBBAa,BBBBBBBB,u51,u50,u53,u52,u55,u54,u57,u56,u59,u58,u60,u62,u61,u64,u63,u66,u65,u68,u67,u69"

// sameHashKeys returns n keys of equal String.hashCode: "Aa" and "BB"
// both hash to 2112, so every 4-piece concatenation hashes alike.
func sameHashKeys(n int) []string {
	var out []string
	for i := 0; i < 16 && len(out) < n; i++ {
		var b strings.Builder
		for bit := 3; bit >= 0; bit-- {
			if i>>bit&1 == 0 {
				b.WriteString("Aa")
			} else {
				b.WriteString("BB")
			}
		}
		out = append(out, b.String())
	}
	return out
}

func numbered(prefix, format string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + fmt.Sprintf(format, i)
	}
	return out
}

func orderOf(keys []string) string {
	pairs := make([]hstorePair, len(keys))
	for i, k := range keys {
		pairs[i] = hstorePair{key: k, value: "v"}
	}
	var out []string
	for _, i := range javaHashMapOrder(pairs) {
		out = append(out, keys[i])
	}
	return strings.Join(out, ",")
}

// plainHashMap is java.util.HashMap.putVal and resize written out for list
// bins only: nodes chained by next, a 9th node in a bin resizing a table
// smaller than 64, a size above 3/4 of the table doubling it, and each
// bin split into lo and hi chains in order.
type plainNode struct {
	hash int32
	key  string
	next *plainNode
}

func plainHashMapOrder(t *testing.T, keys []string) string {
	tab := make([]*plainNode, 16)
	threshold, size := 12, 0
	resize := func() {
		oldCap := len(tab)
		newTab := make([]*plainNode, 2*oldCap)
		for j, e := range tab {
			var loHead, loTail, hiHead, hiTail *plainNode
			for e != nil {
				next := e.next
				if e.hash&int32(oldCap) == 0 {
					if loTail == nil {
						loHead = e
					} else {
						loTail.next = e
					}
					loTail = e
				} else {
					if hiTail == nil {
						hiHead = e
					} else {
						hiTail.next = e
					}
					hiTail = e
				}
				e = next
			}
			if loTail != nil {
				loTail.next = nil
				newTab[j] = loHead
			}
			if hiTail != nil {
				hiTail.next = nil
				newTab[j+oldCap] = hiHead
			}
		}
		tab, threshold = newTab, threshold*2
	}
	for _, k := range keys {
		var h int32
		for _, c := range k { // ASCII keys: one UTF-16 unit per rune
			h = 31*h + int32(c)
		}
		h ^= int32(uint32(h) >> 16)
		i := int(h) & (len(tab) - 1)
		if tab[i] == nil {
			tab[i] = &plainNode{hash: h, key: k}
		} else {
			p := tab[i]
			for binCount := 0; ; binCount++ {
				if p.next == nil {
					p.next = &plainNode{hash: h, key: k}
					if binCount >= 7 {
						if len(tab) >= 64 {
							t.Fatal("plainHashMapOrder does not model tree bins")
						}
						resize()
					}
					break
				}
				p = p.next
			}
		}
		size++
		if size > threshold {
			resize()
		}
	}
	var out []string
	for _, e := range tab {
		for ; e != nil; e = e.next {
			out = append(out, e.key)
		}
	}
	return strings.Join(out, ",")
}

// TestJavaHashMapOrderByHand: "a" hashes to 97 (bucket 97&15 = 1), "b" to
// 98 (bucket 2), "q" to 113 (bucket 113&15 = 1, after "a" which was put
// first): the order is a, q, b.
func TestJavaHashMapOrderByHand(t *testing.T) {
	if got := orderOf([]string{"a", "b", "q"}); got != "a,q,b" {
		t.Errorf("got %s, want a,q,b", got)
	}
}

// TestJavaHashMapOrderForty: 9 keys of one hash force a resize through
// treeifyBin at 16 buckets, 31 more collide and resize on load to 64.
func TestJavaHashMapOrderForty(t *testing.T) {
	keys := append(sameHashKeys(9), numbered("x", "%02d", 31)...)
	want := plainHashMapOrder(t, keys)
	if want != javaOrderForty {
		t.Fatalf("the plain model disagrees with Java:\n model %s\n java  %s", want, javaOrderForty)
	}
	if got := orderOf(keys); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestJavaHashMapOrderTreeBins: more than 8 keys of one hash in a table of
// 64 or more make a red-black tree bin, whose order differs from
// insertion order; "big" also splits and untreeifies bins on resizes.
func TestJavaHashMapOrderTreeBins(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		want string
	}{
		{"tree", append(sameHashKeys(12), numbered("t", "%d", 60)...), javaOrderTree},
		{"big", append(sameHashKeys(16), numbered("u", "%d", 120)...), javaOrderBig},
	} {
		if got := orderOf(tc.keys); got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// TestHstoreMapModeOrder: map mode decodes to an OrderedMap in HashMap
// order, NULL values as nil.
func TestHstoreMapModeOrder(t *testing.T) {
	m, err := (&Options{Hstore: HstoreMap}).mapping(Column{TypeName: "hstore", Optional: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := m.Decode([]byte(`"a"=>"1", "b"=>NULL, "q"=>"3"`))
	if err != nil {
		t.Fatal(err)
	}
	want := schema.OrderedMap{{Key: "a", Value: "1"}, {Key: "q", Value: "3"}, {Key: "b", Value: nil}}
	got, ok := v.(schema.OrderedMap)
	if !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %#v, want %#v", v, want)
	}
}
