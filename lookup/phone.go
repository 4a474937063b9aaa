package lookup

import (
	"math"
	"slices"
	"sync/atomic"
)

// E.164 numbers are held as one uint64: the count of digits (1..15) in bits
// 50..53 and the digits' value (below 10^15 < 2^50) in bits 0..49. Keys
// therefore order first by length and then by value, so "+92423576" and
// "+924235760000" never collide, and a range (whose ends have equal
// length) is a contiguous interval of keys that contains only numbers of
// its own length.
const (
	phoneValueBits = 50
	maxE164Digits  = 15
)

// phoneKey encodes an E.164 string ("+" and 1 to 15 digits, the first not
// 0). ok is false for anything else.
func phoneKey(s string) (key uint64, ok bool) {
	n := len(s) - 1
	if n < 1 || n > maxE164Digits || s[0] != '+' || s[1] == '0' {
		return 0, false
	}
	var v uint64
	for i := 1; i < len(s); i++ {
		c := s[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + uint64(c)
	}
	return uint64(n)<<phoneValueBits | v, true
}

// phoneSpan is one declared number (start == end) or inclusive range.
type phoneSpan struct{ start, end uint64 }

func cmpSpan(a, b phoneSpan) int {
	switch {
	case a.start < b.start:
		return -1
	case a.start > b.start:
		return 1
	case a.end < b.end:
		return -1
	case a.end > b.end:
		return 1
	}
	return 0
}

// Phone interval index.
//
// All declared numbers and ranges live in one sequence of (start, end,
// slot) entries sorted by start, held in a B+tree of fixed height three:
// a root over nodes, nodes over leaves, leaves over entries. Each leaf
// keeps, per entry, the running maximum of the ends up to it (pmax); each
// node and the root keep, per child, its first start, its largest end and
// the running maximum of those.
//
// The entries that intersect [lo, hi] are exactly those with start <= hi
// and end >= lo. Binary search at each level finds the last start <= hi;
// walking left from there stops as soon as a running maximum drops below
// lo, and a leaf or node to the left is only entered when its largest end
// reaches lo, so it holds at least one answer. A point lookup that hits
// nothing to its left costs three binary searches and a comparison.
//
// Lookups are bound by memory latency, so the layout keeps what every
// lookup reads (the root, the nodes with their leaves' headers and a fence
// of every 4th start of each leaf, about 3 MiB for a million entries)
// small and warm, and leaves one pair of adjacent cache lines of a leaf to
// fetch from memory.
//
// The tree is immutable once published. An edit copies the root's arrays
// (about a hundred children for a million entries) and only the nodes and
// leaves on the paths it changes, a few kilobytes each, so readers of an
// older View keep a consistent tree and updates stay cheap.
const (
	leafCap     = 256 // a leaf splits above this
	leafFill    = 192 // bulk-build fill, leaving room for inserts
	leafMerge   = 48  // a leaf below this merges with a neighbour
	nodeCap     = 64
	nodeFill    = 48
	nodeMerge   = 12
	fenceStride = 4
	fenceSlots  = leafCap / fenceStride
)

// leafEnt is one declared number or range. At 32 bytes, the fenceStride
// entries between two fence posts fill two adjacent cache lines, so a
// lookup finds its entry and reads it in one trip to memory.
type leafEnt struct {
	start uint64
	end   uint64
	pmax  uint64 // max of the ends of this entry and those before it in the leaf
	slot  uint32
}

// leaf is held by value in its node. gen is the edit that created it; an
// edit only modifies leaves (and nodes) of its own generation, which no
// reader has seen.
type leaf struct {
	ents []leafEnt
	gen  uint64
}

func (l *leaf) fixPmax() {
	var m uint64
	for i := range l.ents {
		m = max(m, l.ents[i].end)
		l.ents[i].pmax = m
	}
}

func (l *leaf) first() uint64  { return l.ents[0].start }
func (l *leaf) maxEnd() uint64 { return l.ents[len(l.ents)-1].pmax }

// search returns the index of the first entry whose start is greater than
// x (strict false) or not less than x (strict true).
func (l *leaf) search(x uint64, strict bool) int {
	i, _ := slices.BinarySearchFunc(l.ents, x, func(e leafEnt, x uint64) int {
		if e.start < x || !strict && e.start == x {
			return -1
		}
		return 1
	})
	return i
}

// collectFrom appends the slots of entries at index i and below whose end
// is at least lo (their starts are known to be small enough).
func (l *leaf) collectFrom(i int, lo uint64, dst []uint32) []uint32 {
	for ; i >= 0; i-- {
		e := &l.ents[i]
		if e.pmax < lo {
			break
		}
		if e.end >= lo {
			dst = append(dst, e.slot)
		}
	}
	return dst
}

// summary describes the children of a node or of the root.
type summary struct {
	firsts []uint64 // first start of each child
	maxEnd []uint64 // largest end in each child
	cmax   []uint64 // cmax[j] = max(maxEnd[0..j])
}

func (s *summary) set(n int, child func(int) (first, maxEnd uint64)) {
	s.firsts = make([]uint64, n)
	s.maxEnd = make([]uint64, n)
	s.cmax = make([]uint64, n)
	var m uint64
	for j := range n {
		s.firsts[j], s.maxEnd[j] = child(j)
		m = max(m, s.maxEnd[j])
		s.cmax[j] = m
	}
}

type node struct {
	summary
	fence  []uint64 // fenceSlots per leaf: its starts[0], starts[fenceStride], ..., then MaxUint64
	leaves []leaf
	gen    uint64
}

func (nd *node) fix() {
	nd.set(len(nd.leaves), func(j int) (uint64, uint64) {
		return nd.leaves[j].first(), nd.leaves[j].maxEnd()
	})
	nd.fence = make([]uint64, len(nd.leaves)*fenceSlots)
	for j := range nd.leaves {
		f := nd.fence[j*fenceSlots : (j+1)*fenceSlots]
		ents := nd.leaves[j].ents
		for k := range f {
			if k*fenceStride < len(ents) {
				f[k] = ents[k*fenceStride].start
			} else {
				f[k] = math.MaxUint64
			}
		}
	}
}

// lastAtMost returns the index in leaf j of its last start <= x, which
// must not be below the leaf's first start.
func (nd *node) lastAtMost(j int, x uint64) int {
	i := (upperBound(nd.fence[j*fenceSlots:(j+1)*fenceSlots], x) - 1) * fenceStride
	ents := nd.leaves[j].ents
	end := min(i+fenceStride, len(ents))
	for i+1 < end && ents[i+1].start <= x {
		i++
	}
	return i
}

// collectLeaves appends the answers from leaves j and below.
func (nd *node) collectLeaves(j int, lo uint64, dst []uint32) []uint32 {
	for ; j >= 0 && nd.cmax[j] >= lo; j-- {
		if nd.maxEnd[j] >= lo {
			l := &nd.leaves[j]
			dst = l.collectFrom(len(l.ents)-1, lo, dst)
		}
	}
	return dst
}

type phoneIndex struct {
	summary
	nodes  []*node
	n      int // entries
	points int // entries with start == end
}

func (p *phoneIndex) fix() {
	p.set(len(p.nodes), func(j int) (uint64, uint64) {
		nd := p.nodes[j]
		return nd.firsts[0], nd.cmax[len(nd.cmax)-1]
	})
}

// upperBound returns the index of the first element of a greater than x.
func upperBound(a []uint64, x uint64) int {
	lo, hi := 0, len(a)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if a[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// collect appends the slot of every entry intersecting [lo, hi] (lo <= hi),
// possibly with repeats when a licence declares overlapping spans.
func (p *phoneIndex) collect(lo, hi uint64, dst []uint32) []uint32 {
	if p == nil {
		return dst
	}
	ni := upperBound(p.firsts, hi) - 1
	if ni < 0 {
		return dst
	}
	nd := p.nodes[ni]
	li := upperBound(nd.firsts, hi) - 1
	dst = nd.leaves[li].collectFrom(nd.lastAtMost(li, hi), lo, dst)
	if li > 0 && nd.cmax[li-1] >= lo {
		dst = nd.collectLeaves(li-1, lo, dst)
	}
	for j := ni - 1; j >= 0 && p.cmax[j] >= lo; j-- {
		if p.maxEnd[j] >= lo {
			dst = p.nodes[j].collectLeaves(len(p.nodes[j].leaves)-1, lo, dst)
		}
	}
	return dst
}

type phoneEntry struct {
	span phoneSpan
	slot uint32
}

// cut splits n items into groups of about fill, none above limit and none
// (but a lone one) below min.
func cut(n, fill, limit, min int) []int {
	var sizes []int
	for n > 0 {
		k := fill
		if n <= limit {
			k = n
		} else if rest := n - fill; rest < min {
			k = n / 2
		}
		sizes = append(sizes, k)
		n -= k
	}
	return sizes
}

// buildPhoneIndex builds from scratch; entries is sorted in place.
func buildPhoneIndex(entries []phoneEntry) *phoneIndex {
	slices.SortFunc(entries, func(a, b phoneEntry) int { return cmpSpan(a.span, b.span) })
	p := &phoneIndex{n: len(entries)}
	var leaves []leaf
	for _, k := range cut(len(entries), leafFill, leafFill, leafMerge) {
		l := leaf{ents: make([]leafEnt, k)}
		for i, e := range entries[:k] {
			l.ents[i] = leafEnt{start: e.span.start, end: e.span.end, slot: e.slot}
			if e.span.start == e.span.end {
				p.points++
			}
		}
		l.fixPmax()
		leaves = append(leaves, l)
		entries = entries[k:]
	}
	for _, k := range cut(len(leaves), nodeFill, nodeFill, nodeMerge) {
		nd := &node{leaves: leaves[:k:k]}
		nd.fix()
		p.nodes = append(p.nodes, nd)
		leaves = leaves[k:]
	}
	p.fix()
	return p
}

// editGen numbers phone edits; generation 0 is the bulk build's.
var editGen atomic.Uint64

// phoneEdit is a copy-on-write edit of a phoneIndex, used only by the
// writer; the base index is never modified. Summaries of changed nodes and
// of the root are recomputed by done.
type phoneEdit struct {
	base   *phoneIndex
	gen    uint64
	nodes  []*node // private copy once begun
	begun  bool
	n      int
	points int
}

func newPhoneEdit(base *phoneIndex) *phoneEdit {
	return &phoneEdit{base: base, gen: editGen.Add(1), n: base.n, points: base.points}
}

func (e *phoneEdit) begin() {
	if !e.begun {
		e.nodes = slices.Clone(e.base.nodes)
		e.begun = true
	}
}

func (e *phoneEdit) ownNode(i int) *node {
	nd := e.nodes[i]
	if nd.gen != e.gen {
		nd = &node{leaves: slices.Clone(nd.leaves), gen: e.gen}
		e.nodes[i] = nd
	}
	return nd
}

// ownLeaf returns leaf j of nd, which must be owned, made private to this
// edit.
func (e *phoneEdit) ownLeaf(nd *node, j int) *leaf {
	l := &nd.leaves[j]
	if l.gen != e.gen {
		ents := make([]leafEnt, len(l.ents), len(l.ents)+1)
		copy(ents, l.ents)
		*l = leaf{ents: ents, gen: e.gen}
	}
	return l
}

func nodeFirst(nd *node) uint64 { return nd.leaves[0].first() }

// findNode returns the last node whose first start is below x (strict) or
// at most x, or 0 if there is none.
func (e *phoneEdit) findNode(x uint64, strict bool) int {
	i, _ := slices.BinarySearchFunc(e.nodes, x, func(nd *node, x uint64) int {
		f := nodeFirst(nd)
		if f < x || !strict && f == x {
			return -1
		}
		return 1
	})
	return max(i-1, 0)
}

func findLeaf(nd *node, x uint64, strict bool) int {
	j, _ := slices.BinarySearchFunc(nd.leaves, x, func(l leaf, x uint64) int {
		f := l.first()
		if f < x || !strict && f == x {
			return -1
		}
		return 1
	})
	return max(j-1, 0)
}

func (e *phoneEdit) insert(s phoneSpan, slot uint32) {
	e.begin()
	e.n++
	if s.start == s.end {
		e.points++
	}
	a := leafEnt{start: s.start, end: s.end, slot: slot}
	if len(e.nodes) == 0 {
		l := leaf{ents: []leafEnt{a}, gen: e.gen}
		e.nodes = append(e.nodes, &node{leaves: []leaf{l}, gen: e.gen})
		return
	}
	i := e.findNode(s.start, false)
	nd := e.ownNode(i)
	j := findLeaf(nd, s.start, false)
	l := e.ownLeaf(nd, j)
	l.ents = slices.Insert(l.ents, l.search(s.start, false), a)
	if len(l.ents) > leafCap {
		h := len(l.ents) / 2
		r := leaf{ents: slices.Clone(l.ents[h:]), gen: e.gen}
		l.ents = l.ents[:h:h]
		nd.leaves = slices.Insert(nd.leaves, j+1, r)
	}
	if len(nd.leaves) > nodeCap {
		h := len(nd.leaves) / 2
		r := &node{leaves: slices.Clone(nd.leaves[h:]), gen: e.gen}
		nd.leaves = nd.leaves[:h:h]
		e.nodes = slices.Insert(e.nodes, i+1, r)
	}
}

// remove deletes one entry equal to (s, slot); it reports whether one was
// found.
func (e *phoneEdit) remove(s phoneSpan, slot uint32) bool {
	e.begin()
	if len(e.nodes) == 0 {
		return false
	}
	// Equal starts may straddle leaves and nodes: begin at the last leaf
	// whose first start is below s.start and walk right.
	i := e.findNode(s.start, true)
	j := findLeaf(e.nodes[i], s.start, true)
	for ; i < len(e.nodes); i, j = i+1, 0 {
		for ; j < len(e.nodes[i].leaves); j++ {
			l := &e.nodes[i].leaves[j]
			if l.first() > s.start {
				return false
			}
			for k := l.search(s.start, true); k < len(l.ents) && l.ents[k].start == s.start; k++ {
				if l.ents[k].end != s.end || l.ents[k].slot != slot {
					continue
				}
				nd := e.ownNode(i)
				l = e.ownLeaf(nd, j)
				l.ents = slices.Delete(l.ents, k, k+1)
				e.n--
				if s.start == s.end {
					e.points--
				}
				e.rebalanceLeaf(nd, j)
				e.rebalanceNode(i)
				return true
			}
		}
	}
	return false
}

func (e *phoneEdit) rebalanceLeaf(nd *node, j int) {
	l := &nd.leaves[j]
	switch {
	case len(l.ents) == 0:
		nd.leaves = slices.Delete(nd.leaves, j, j+1)
	case len(l.ents) >= leafMerge:
	case j+1 < len(nd.leaves) && len(l.ents)+len(nd.leaves[j+1].ents) <= leafFill:
		l.ents = append(l.ents, nd.leaves[j+1].ents...)
		nd.leaves = slices.Delete(nd.leaves, j+1, j+2)
	case j > 0 && len(l.ents)+len(nd.leaves[j-1].ents) <= leafFill:
		prev := e.ownLeaf(nd, j-1)
		prev.ents = append(prev.ents, l.ents...)
		nd.leaves = slices.Delete(nd.leaves, j, j+1)
	}
}

func (e *phoneEdit) rebalanceNode(i int) {
	nd := e.nodes[i]
	switch {
	case len(nd.leaves) == 0:
		e.nodes = slices.Delete(e.nodes, i, i+1)
	case len(nd.leaves) >= nodeMerge:
	case i+1 < len(e.nodes) && len(nd.leaves)+len(e.nodes[i+1].leaves) <= nodeFill:
		nd.leaves = append(nd.leaves, e.nodes[i+1].leaves...)
		e.nodes = slices.Delete(e.nodes, i+1, i+2)
	case i > 0 && len(nd.leaves)+len(e.nodes[i-1].leaves) <= nodeFill:
		prev := e.ownNode(i - 1)
		prev.leaves = append(prev.leaves, nd.leaves...)
		e.nodes = slices.Delete(e.nodes, i, i+1)
	}
}

// done returns the edited index (the base itself when nothing changed).
func (e *phoneEdit) done() *phoneIndex {
	if !e.begun {
		return e.base
	}
	for _, nd := range e.nodes {
		if nd.gen != e.gen {
			continue
		}
		for j := range nd.leaves {
			if l := &nd.leaves[j]; l.gen == e.gen {
				l.fixPmax()
			}
		}
		nd.fix()
	}
	p := &phoneIndex{nodes: e.nodes, n: e.n, points: e.points}
	p.fix()
	return p
}
