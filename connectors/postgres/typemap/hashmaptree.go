package typemap

import "unicode/utf16"

// treeBin is a HashMap bin turned into a red-black tree (HashMap.TreeNode):
// what matters for iteration is its linked order, which treeify keeps,
// putTreeVal changes by linking a new node right after its tree parent,
// and moveRootToFront changes by moving the tree's root to the front.
type treeBin struct {
	hash  func(int) uint32
	key   func(int) string
	nodes map[int]*treeNode
	head  *treeNode
	root  *treeNode
}

type treeNode struct {
	id                  int
	hash                int32
	parent, left, right *treeNode
	prev, next          *treeNode
	red                 bool
}

// newTreeBin is treeifyBin (or TreeNode.treeify after a split) over the
// nodes in linked order.
func newTreeBin(ids []int, hash func(int) uint32, key func(int) string) *treeBin {
	t := &treeBin{hash: hash, key: key, nodes: make(map[int]*treeNode, len(ids))}
	var tail *treeNode
	for _, id := range ids {
		n := &treeNode{id: id, hash: int32(hash(id)), prev: tail}
		t.nodes[id] = n
		if tail == nil {
			t.head = n
		} else {
			tail.next = n
		}
		tail = n
	}
	for x := t.head; x != nil; x = x.next {
		if t.root == nil {
			x.red = false
			t.root = x
			continue
		}
		for p := t.root; ; {
			dir := t.compare(x, p)
			xp := p
			if dir <= 0 {
				p = p.left
			} else {
				p = p.right
			}
			if p == nil {
				x.parent = xp
				if dir <= 0 {
					xp.left = x
				} else {
					xp.right = x
				}
				t.root = balanceInsertion(t.root, x)
				break
			}
		}
	}
	t.moveRootToFront()
	return t
}

// compare orders two distinct keys as the tree does: by (signed) hash,
// then String.compareTo (over UTF-16 code units).
func (t *treeBin) compare(x, p *treeNode) int {
	switch {
	case p.hash > x.hash:
		return -1
	case p.hash < x.hash:
		return 1
	}
	a, b := utf16.Encode([]rune(t.key(x.id))), utf16.Encode([]rune(t.key(p.id)))
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return len(a) - len(b)
}

// put is putTreeVal for a key not yet in the bin.
func (t *treeBin) put(id int) {
	x := &treeNode{id: id, hash: int32(t.hash(id))}
	t.nodes[id] = x
	for p := t.root; ; {
		dir := t.compare(x, p)
		xp := p
		if dir <= 0 {
			p = p.left
		} else {
			p = p.right
		}
		if p != nil {
			continue
		}
		if dir <= 0 {
			xp.left = x
		} else {
			xp.right = x
		}
		xpn := xp.next
		x.next = xpn
		xp.next = x
		x.parent, x.prev = xp, xp
		if xpn != nil {
			xpn.prev = x
		}
		t.root = balanceInsertion(t.root, x)
		t.moveRootToFront()
		return
	}
}

func (t *treeBin) moveRootToFront() {
	r := t.root
	if r == nil || r == t.head {
		return
	}
	rp, rn := r.prev, r.next
	if rn != nil {
		rn.prev = rp
	}
	if rp != nil {
		rp.next = rn
	}
	t.head.prev = r
	r.next = t.head
	r.prev = nil
	t.head = r
}

func (t *treeBin) order() []int {
	out := make([]int, 0, len(t.nodes))
	for n := t.head; n != nil; n = n.next {
		out = append(out, n.id)
	}
	return out
}

func rotateLeft(root, p *treeNode) *treeNode {
	if p == nil || p.right == nil {
		return root
	}
	r := p.right
	p.right = r.left
	if p.right != nil {
		p.right.parent = p
	}
	r.parent = p.parent
	switch pp := r.parent; {
	case pp == nil:
		root = r
		r.red = false
	case pp.left == p:
		pp.left = r
	default:
		pp.right = r
	}
	r.left = p
	p.parent = r
	return root
}

func rotateRight(root, p *treeNode) *treeNode {
	if p == nil || p.left == nil {
		return root
	}
	l := p.left
	p.left = l.right
	if p.left != nil {
		p.left.parent = p
	}
	l.parent = p.parent
	switch pp := l.parent; {
	case pp == nil:
		root = l
		l.red = false
	case pp.right == p:
		pp.right = l
	default:
		pp.left = l
	}
	l.right = p
	p.parent = l
	return root
}

// balanceInsertion is TreeNode.balanceInsertion, step for step.
func balanceInsertion(root, x *treeNode) *treeNode {
	x.red = true
	for {
		xp := x.parent
		if xp == nil {
			x.red = false
			return x
		}
		xpp := xp.parent
		if !xp.red || xpp == nil {
			return root
		}
		if xppl := xpp.left; xp == xppl {
			if xppr := xpp.right; xppr != nil && xppr.red {
				xppr.red, xp.red, xpp.red = false, false, true
				x = xpp
				continue
			}
			if x == xp.right {
				x = xp
				root = rotateLeft(root, x)
				xp = x.parent
				xpp = nil
				if xp != nil {
					xpp = xp.parent
				}
			}
			if xp != nil {
				xp.red = false
				if xpp != nil {
					xpp.red = true
					root = rotateRight(root, xpp)
				}
			}
		} else {
			if xppl != nil && xppl.red {
				xppl.red, xp.red, xpp.red = false, false, true
				x = xpp
				continue
			}
			if x == xp.left {
				x = xp
				root = rotateRight(root, x)
				xp = x.parent
				xpp = nil
				if xp != nil {
					xpp = xp.parent
				}
			}
			if xp != nil {
				xp.red = false
				if xpp != nil {
					xpp.red = true
					root = rotateLeft(root, xpp)
				}
			}
		}
	}
}
