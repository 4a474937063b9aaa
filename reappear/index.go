package reappear

import (
	"cmp"
	"slices"
	"sync"
)

// Index holds removed listings so that a candidate is compared only with
// the few that share something with it: blocking keys (package id, stem
// and namespace, developer, e-mail, contacts and their numbers, domain,
// label, name) find exact overlaps, and trigrams of the names, labels,
// package stems and developers find the look-alikes within the edits
// Compare allows.
//
// An Index is safe for concurrent use.
type Index struct {
	mu      sync.RWMutex
	entries []*features // by slot; nil once removed
	byRef   map[int64]int32
	keys    map[string][]int32
	grams   map[uint64][]int32
	dead    int
	scratch sync.Pool
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byRef: map[int64]int32{}, keys: map[string][]int32{}, grams: map[uint64][]int32{}}
}

// Add indexes a removed listing under its Ref, replacing any listing
// already added with that Ref.
func (ix *Index) Add(l Listing) {
	f := extract(l)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(l.Ref)
	slot := int32(len(ix.entries))
	ix.entries = append(ix.entries, f)
	ix.byRef[l.Ref] = slot
	for _, k := range blockingKeys(f) {
		ix.keys[k] = append(ix.keys[k], slot)
	}
	for _, fs := range fuzzyStrings(f) {
		for _, g := range trigrams(fs.field, fs.s) {
			ix.grams[g] = append(ix.grams[g], slot)
		}
	}
}

// Remove drops the listing added under ref, if any.
func (ix *Index) Remove(ref int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.removeLocked(ref)
}

// Len is the number of listings in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.byRef)
}

func (ix *Index) removeLocked(ref int64) {
	slot, ok := ix.byRef[ref]
	if !ok {
		return
	}
	delete(ix.byRef, ref)
	ix.entries[slot] = nil
	ix.dead++
	if ix.dead > 64 && ix.dead*2 > len(ix.entries) {
		ix.rebuildLocked()
	}
}

// rebuildLocked drops removed slots from the postings once they are half
// of the index, so that Remove stays cheap and the index does not grow
// without bound under churn.
func (ix *Index) rebuildLocked() {
	live := ix.entries
	ix.entries = nil
	ix.byRef = map[int64]int32{}
	ix.keys = map[string][]int32{}
	ix.grams = map[uint64][]int32{}
	ix.dead = 0
	for _, f := range live {
		if f == nil {
			continue
		}
		slot := int32(len(ix.entries))
		ix.entries = append(ix.entries, f)
		ix.byRef[f.ref] = slot
		for _, k := range blockingKeys(f) {
			ix.keys[k] = append(ix.keys[k], slot)
		}
		for _, fs := range fuzzyStrings(f) {
			for _, g := range trigrams(fs.field, fs.s) {
				ix.grams[g] = append(ix.grams[g], slot)
			}
		}
	}
}

type scratch struct {
	counts  []uint16
	mark    []bool
	touched []int32
	cands   []int32
}

// Find returns the removed listings the candidate matches with a score of
// at least Threshold, best first (ties by Ref).
func (ix *Index) Find(c Listing) []Match {
	cf := extract(c)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := len(ix.entries)
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer ix.scratch.Put(sc)
	if len(sc.counts) < n {
		sc.counts = make([]uint16, n)
		sc.mark = make([]bool, n)
	}
	sc.cands = sc.cands[:0]
	take := func(slot int32) {
		if !sc.mark[slot] && ix.entries[slot] != nil {
			sc.mark[slot] = true
			sc.cands = append(sc.cands, slot)
		}
	}
	for _, k := range blockingKeys(cf) {
		for _, slot := range ix.keys[k] {
			take(slot)
		}
	}
	for _, fs := range fuzzyStrings(cf) {
		gs := trigrams(fs.field, fs.s)
		need := len(gs) - 4*allowedEdits(len(fs.s)+3)
		if need < 1 {
			need = 1
		}
		sc.touched = sc.touched[:0]
		for _, g := range gs {
			for _, slot := range ix.grams[g] {
				if sc.counts[slot] == 0 {
					sc.touched = append(sc.touched, slot)
				}
				sc.counts[slot]++
			}
		}
		for _, slot := range sc.touched {
			if int(sc.counts[slot]) >= need {
				take(slot)
			}
			sc.counts[slot] = 0
		}
	}
	var out []Match
	for _, slot := range sc.cands {
		sc.mark[slot] = false
		if m := compare(ix.entries[slot], cf); m.Score >= Threshold {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(x, y Match) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.Ref, y.Ref))
	})
	return out
}

// blockingKeys are the exact values two listings must share for Compare
// to find anything but a look-alike.
func blockingKeys(f *features) []string {
	var ks []string
	if f.pkg != "" {
		ks = append(ks, "p:"+f.pkg)
		if f.compact != "" {
			ks = append(ks, "s:"+f.compact)
		}
		if f.nsLabel != "" && !platformNS.words[f.nsLabel] {
			ks = append(ks, "ns:"+f.nsLabel)
		}
	}
	if runeLen(f.devCore) >= 3 {
		ks = append(ks, "d:"+f.devCore)
	}
	for e := range f.emails {
		ks = append(ks, "e:"+e)
	}
	for _, c := range f.contacts {
		ks = append(ks, "c:"+c.key)
		if c.number != "" {
			ks = append(ks, "n:"+c.number)
		}
	}
	for _, s := range f.sites {
		ks = append(ks, "h:"+s.unit)
		if s.label != "" {
			ks = append(ks, "l:"+s.label)
		}
		if s.core != "" {
			ks = append(ks, "lc:"+s.core)
		}
	}
	for _, v := range f.nameVariants {
		ks = append(ks, "nm:"+string(v))
	}
	if f.nameDistinct != "" {
		ks = append(ks, "nd:"+f.nameDistinct)
	}
	return ks
}

type fuzzyString struct {
	field uint64
	s     []rune
}

const (
	fieldName uint64 = iota + 1
	fieldPackage
	fieldDeveloper
	fieldDomain
)

// fuzzyStrings are the strings Compare allows edits in; strings too short
// for any edit are found by their blocking keys alone.
func fuzzyStrings(f *features) []fuzzyString {
	var out []fuzzyString
	add := func(field uint64, s []rune) {
		if allowedEdits(len(s)) > 0 || allowedEdits(len(s)+3) > 0 {
			out = append(out, fuzzyString{field, s})
		}
	}
	for _, v := range f.nameVariants {
		add(fieldName, v)
	}
	if f.pkg != "" {
		add(fieldPackage, f.compactR)
	}
	add(fieldDeveloper, f.devRunes)
	for _, s := range f.sites {
		add(fieldDomain, []rune(s.core))
	}
	return out
}

// trigrams returns the distinct trigrams of s padded with one boundary
// mark each side, tagged with the field.
func trigrams(field uint64, s []rune) []uint64 {
	if len(s) == 0 {
		return nil
	}
	p := make([]rune, 0, len(s)+2)
	p = append(p, 0)
	p = append(p, s...)
	p = append(p, 0)
	out := make([]uint64, 0, len(s))
	for i := 0; i+3 <= len(p); i++ {
		g := ((field*1000003+uint64(p[i]))*1000003+uint64(p[i+1]))*1000003 + uint64(p[i+2])
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}
