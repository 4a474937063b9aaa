package lookup

import (
	"slices"
	"strings"
)

// tokIndex is the inverted index of name tokens: an immutable sorted map
// from token to posting list, in chunks. It answers both an exact token and
// a prefix (the tokens starting with it, read in order from adjacent
// memory). Edits copy the chunk directory and the chunks they touch.
type tokIndex struct {
	chunks [][]tokEntry
	n      int // tokens
}

type tokEntry struct {
	tok string
	p   plist
}

const tokChunkCap = 128

// buildTokIndex builds from entries sorted by token.
func buildTokIndex(sorted []tokEntry) tokIndex {
	x := tokIndex{n: len(sorted)}
	for len(sorted) > 0 {
		k := min(len(sorted), tokChunkCap*3/4)
		x.chunks = append(x.chunks, slices.Clone(sorted[:k]))
		sorted = sorted[k:]
	}
	return x
}

// find returns the chunk that holds or would hold tok and the position in
// it.
func findTok(chunks [][]tokEntry, tok string) (c, i int, found bool) {
	c, _ = slices.BinarySearchFunc(chunks, tok, func(ch []tokEntry, t string) int {
		if ch[0].tok <= t {
			return -1
		}
		return 1
	})
	c = max(c-1, 0)
	i, found = slices.BinarySearchFunc(chunks[c], tok, func(e tokEntry, t string) int {
		return strings.Compare(e.tok, t)
	})
	return c, i, found
}

// withPrefix calls fn for each token starting with prefix, in order,
// until fn returns false.
func (x *tokIndex) withPrefix(prefix string, fn func(tok string, p plist) bool) {
	if len(x.chunks) == 0 {
		return
	}
	c, i, _ := findTok(x.chunks, prefix)
	for ; c < len(x.chunks); c, i = c+1, 0 {
		for k := i; k < len(x.chunks[c]); k++ {
			e := &x.chunks[c][k]
			if !strings.HasPrefix(e.tok, prefix) || !fn(e.tok, e.p) {
				return
			}
		}
	}
}

type tokEdit struct {
	x     tokIndex
	owned map[int]bool // chunk indexes copied by this edit; nil before the first change
}

func (x tokIndex) edit() *tokEdit { return &tokEdit{x: x} }

func (e *tokEdit) own(c int) []tokEntry {
	if e.owned == nil {
		e.owned = make(map[int]bool)
		e.x.chunks = slices.Clone(e.x.chunks)
	}
	if !e.owned[c] {
		e.x.chunks[c] = slices.Clip(slices.Clone(e.x.chunks[c]))
		e.owned[c] = true
	}
	return e.x.chunks[c]
}

// Chunk indexes shift when chunks split or vanish; the edit then simply
// forgets which chunks from there on it owns, which at worst copies a
// chunk twice.
func (e *tokEdit) shifted(from int) {
	for c := range e.owned {
		if c >= from {
			delete(e.owned, c)
		}
	}
}

// add adds slot to tok's posting list.
func (e *tokEdit) add(tok string, slot uint32) {
	if len(e.x.chunks) == 0 {
		e.owned = map[int]bool{0: true}
		e.x.chunks = [][]tokEntry{{{tok, plist{}.with(slot)}}}
		e.x.n++
		return
	}
	c, i, found := findTok(e.x.chunks, tok)
	ch := e.own(c)
	if found {
		ch[i].p = ch[i].p.with(slot)
		return
	}
	ch = slices.Insert(ch, i, tokEntry{tok, plist{}.with(slot)})
	e.x.n++
	if len(ch) <= tokChunkCap {
		e.x.chunks[c] = ch
		return
	}
	h := len(ch) / 2
	e.x.chunks[c] = ch[:h:h]
	e.x.chunks = slices.Insert(e.x.chunks, c+1, slices.Clone(ch[h:]))
	e.shifted(c + 1)
	e.owned[c+1] = true
}

// del removes slot from tok's posting list, and tok when that empties it.
func (e *tokEdit) del(tok string, slot uint32) {
	if len(e.x.chunks) == 0 {
		return
	}
	c, i, found := findTok(e.x.chunks, tok)
	if !found {
		return
	}
	ch := e.own(c)
	if ch[i].p = ch[i].p.without(slot); ch[i].p.n > 0 {
		return
	}
	ch = slices.Delete(ch, i, i+1)
	e.x.n--
	if len(ch) == 0 {
		e.x.chunks = slices.Delete(e.x.chunks, c, c+1)
		delete(e.owned, c)
		e.shifted(c)
		return
	}
	e.x.chunks[c] = ch
}

func (e *tokEdit) done() tokIndex { return e.x }
