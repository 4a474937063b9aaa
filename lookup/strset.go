package lookup

import (
	"slices"
	"strings"
)

// strSet is an immutable sorted set of strings in chunks, used to expand
// a search prefix into the name tokens that start with it. Edits copy the
// chunk directory and the chunks they touch.
type strSet struct {
	chunks [][]string
	n      int
}

const strChunkCap = 256

func buildStrSet(sorted []string) strSet {
	s := strSet{n: len(sorted)}
	for len(sorted) > 0 {
		k := min(len(sorted), strChunkCap*3/4)
		s.chunks = append(s.chunks, slices.Clone(sorted[:k]))
		sorted = sorted[k:]
	}
	return s
}

// chunkFor returns the last chunk whose first element is <= x (0 if none).
func strChunkFor(chunks [][]string, x string) int {
	lo, hi := 0, len(chunks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if chunks[m][0] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return max(lo-1, 0)
}

// withPrefix calls fn for each element starting with prefix, in order,
// until fn returns false.
func (s *strSet) withPrefix(prefix string, fn func(string) bool) {
	if len(s.chunks) == 0 {
		return
	}
	c := strChunkFor(s.chunks, prefix)
	i, _ := slices.BinarySearch(s.chunks[c], prefix)
	for ; c < len(s.chunks); c, i = c+1, 0 {
		for _, t := range s.chunks[c][i:] {
			if !strings.HasPrefix(t, prefix) || !fn(t) {
				return
			}
		}
	}
}

type strSetEdit struct {
	s     strSet
	owned map[int]bool // chunk indexes copied by this edit; nil before the first change
}

func (s strSet) edit() *strSetEdit { return &strSetEdit{s: s} }

func (e *strSetEdit) begin() {
	if e.owned == nil {
		e.owned = make(map[int]bool)
		e.s.chunks = slices.Clone(e.s.chunks)
	}
}

func (e *strSetEdit) own(c int) []string {
	if !e.owned[c] {
		e.s.chunks[c] = slices.Clip(slices.Clone(e.s.chunks[c]))
		e.owned[c] = true
	}
	return e.s.chunks[c]
}

// Chunk indexes shift when chunks split or vanish; the edit then simply
// treats every chunk from the change onwards as not owned, which at worst
// copies a chunk twice.
func (e *strSetEdit) shifted(from int) {
	for c := range e.owned {
		if c >= from {
			delete(e.owned, c)
		}
	}
}

func (e *strSetEdit) insert(x string) {
	e.begin()
	if len(e.s.chunks) == 0 {
		e.s.chunks = [][]string{{x}}
		e.owned[0] = true
		e.s.n++
		return
	}
	c := strChunkFor(e.s.chunks, x)
	i, found := slices.BinarySearch(e.s.chunks[c], x)
	if found {
		return
	}
	ch := slices.Insert(e.own(c), i, x)
	e.s.n++
	if len(ch) <= strChunkCap {
		e.s.chunks[c] = ch
		return
	}
	h := len(ch) / 2
	e.s.chunks[c] = ch[:h:h]
	e.s.chunks = slices.Insert(e.s.chunks, c+1, slices.Clone(ch[h:]))
	e.shifted(c + 1)
	e.owned[c+1] = true
}

func (e *strSetEdit) delete(x string) {
	if len(e.s.chunks) == 0 {
		return
	}
	c := strChunkFor(e.s.chunks, x)
	i, found := slices.BinarySearch(e.s.chunks[c], x)
	if !found {
		return
	}
	e.begin()
	ch := slices.Delete(e.own(c), i, i+1)
	e.s.n--
	if len(ch) == 0 {
		e.s.chunks = slices.Delete(e.s.chunks, c, c+1)
		delete(e.owned, c)
		e.shifted(c)
		return
	}
	e.s.chunks[c] = ch
}

func (e *strSetEdit) done() strSet { return e.s }
