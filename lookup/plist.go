package lookup

import "slices"

// plist is an immutable posting list of name tokens: a sorted set of
// slots in chunks, so that adding a licence to a token shared by tens of
// thousands of names ("solutions", "contact") copies one chunk, not the
// list.
type plist struct {
	n      int
	chunks [][]uint32
}

const (
	plistCap  = 256
	plistFill = 192
)

func newPlist(sorted []uint32) plist {
	p := plist{n: len(sorted)}
	for len(sorted) > 0 {
		k := min(len(sorted), plistFill)
		p.chunks = append(p.chunks, slices.Clone(sorted[:k]))
		sorted = sorted[k:]
	}
	return p
}

func (p plist) appendTo(dst []uint32) []uint32 {
	for _, c := range p.chunks {
		dst = append(dst, c...)
	}
	return dst
}

// find returns the chunk that holds or would hold slot, and the position
// in it.
func (p plist) find(slot uint32) (c, i int, found bool) {
	c, _ = slices.BinarySearchFunc(p.chunks, slot, func(ch []uint32, s uint32) int {
		if ch[0] <= s {
			return -1
		}
		return 1
	})
	c = max(c-1, 0)
	i, found = slicesBinarySearch(p.chunks[c], slot)
	return c, i, found
}

// with returns p with slot added.
func (p plist) with(slot uint32) plist {
	if p.n == 0 {
		return plist{n: 1, chunks: [][]uint32{{slot}}}
	}
	c, i, found := p.find(slot)
	if found {
		return p
	}
	ch := make([]uint32, 0, len(p.chunks[c])+1)
	ch = append(append(append(ch, p.chunks[c][:i]...), slot), p.chunks[c][i:]...)
	q := plist{n: p.n + 1, chunks: make([][]uint32, len(p.chunks), len(p.chunks)+1)}
	copy(q.chunks, p.chunks)
	if len(ch) <= plistCap {
		q.chunks[c] = ch
		return q
	}
	h := len(ch) / 2
	q.chunks[c] = ch[:h:h]
	q.chunks = slices.Insert(q.chunks, c+1, ch[h:])
	return q
}

// without returns p with slot removed.
func (p plist) without(slot uint32) plist {
	if p.n == 0 {
		return p
	}
	c, i, found := p.find(slot)
	if !found {
		return p
	}
	if p.n == 1 {
		return plist{}
	}
	old := p.chunks[c]
	ch := make([]uint32, 0, len(old)-1)
	ch = append(append(ch, old[:i]...), old[i+1:]...)
	q := plist{n: p.n - 1, chunks: slices.Clone(p.chunks)}
	switch {
	case len(ch) == 0:
		q.chunks = slices.Delete(q.chunks, c, c+1)
	case len(ch) < plistCap/4 && c+1 < len(q.chunks) && len(ch)+len(q.chunks[c+1]) <= plistFill:
		q.chunks[c] = append(ch, q.chunks[c+1]...)
		q.chunks = slices.Delete(q.chunks, c+1, c+2)
	case len(ch) < plistCap/4 && c > 0 && len(ch)+len(q.chunks[c-1]) <= plistFill:
		q.chunks[c-1] = append(slices.Clip(q.chunks[c-1]), ch...)
		q.chunks = slices.Delete(q.chunks, c, c+1)
	default:
		q.chunks[c] = ch
	}
	return q
}
