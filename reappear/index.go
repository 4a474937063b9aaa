package reappear

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
)

// Index holds removed listings so that a candidate is compared only with
// the few that could match it.
//
// Every signal Compare weighs has a route to the listings that may share
// it: blocking keys for exact overlaps (package id, stem and namespace,
// developer, e-mail and mailbox name, contacts and their numbers, domain,
// label, name) and trigrams for the look-alikes within the edits Compare
// allows (names, labels, package stems, developers). A strong signal
// reaches Threshold alone, so a listing found by its route is always
// compared; a weak one (a generic name, a look-alike domain) does not, so a
// listing found only by weak routes is compared when it is found by two of
// them, one for each signal that could add up. Find therefore returns
// exactly what comparing the candidate with every listing would, without
// comparing it with the thousands that share only "Loan" in their name.
//
// An Index is safe for concurrent use.
type Index struct {
	mu      sync.RWMutex
	entries []*features // by slot; nil once removed
	byRef   map[int64]int32
	keys    map[string][]int32 // blocking key → slots
	strs    []gramString       // the fuzzy strings of all slots
	grams   map[uint64][]int32 // trigram and string length → indexes into strs
	dead    int
	scratch sync.Pool
}

// gramString is one string of a listing that Compare allows edits in.
type gramString struct {
	slot  int32
	runes int32 // length in letters
	grams int32 // distinct trigrams
}

// route says what finding a listing by a key or a trigram string means: 0
// is a strong signal, each other value a weak signal of its own. Weak
// routes that lead to one and the same Compare signal share a value, since
// finding that signal twice is still one signal.
type route uint8

const (
	strong route = iota
	weakName
	weakDomain
	weakPackage // a generic stem or a shared namespace
	weakPackageNear
	weakDeveloper
)

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
	ix.addLocked(f)
}

func (ix *Index) addLocked(f *features) {
	slot := int32(len(ix.entries))
	ix.entries = append(ix.entries, f)
	ix.byRef[f.ref] = slot
	for _, k := range blockingKeys(f) {
		ix.keys[k.key] = append(ix.keys[k.key], slot)
	}
	for _, fs := range fuzzyStrings(f) {
		gs := trigrams(fs.field, fs.s)
		id := int32(len(ix.strs))
		n := len(fs.s)
		ix.strs = append(ix.strs, gramString{slot: slot, runes: int32(n), grams: int32(len(gs))})
		for _, g := range gs {
			k := gramKey(g, n)
			ix.grams[k] = append(ix.grams[k], id)
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
	ix.strs = nil
	ix.grams = map[uint64][]int32{}
	ix.dead = 0
	for _, f := range live {
		if f != nil {
			ix.addLocked(f)
		}
	}
}

type scratch struct {
	counts  []uint16 // by string: trigrams shared with the query string
	weak    []uint8  // by slot: weak routes found it by, one bit each
	strong  []bool   // by slot: a strong route found it
	touched []int32
	slots   []int32 // slots found by any route
	lengths []int
}

// Find returns the removed listings the candidate matches with a score of
// at least Threshold, best first (ties by Ref).
func (ix *Index) Find(c Listing) []Match {
	cf := extract(c)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer ix.scratch.Put(sc)
	if len(sc.weak) < len(ix.entries) {
		sc.weak = make([]uint8, len(ix.entries))
		sc.strong = make([]bool, len(ix.entries))
	}
	if len(sc.counts) < len(ix.strs) {
		sc.counts = make([]uint16, len(ix.strs))
	}
	sc.slots = sc.slots[:0]
	hit := func(slot int32, r route) {
		if ix.entries[slot] == nil {
			return
		}
		if !sc.strong[slot] && sc.weak[slot] == 0 {
			sc.slots = append(sc.slots, slot)
		}
		if r == strong {
			sc.strong[slot] = true
		} else {
			sc.weak[slot] |= 1 << r
		}
	}
	for _, k := range blockingKeys(cf) {
		for _, slot := range ix.keys[k.key] {
			hit(slot, k.route)
		}
	}
	for _, fs := range fuzzyStrings(cf) {
		gs := trigrams(fs.field, fs.s)
		n := int32(len(fs.s))
		sc.touched = sc.touched[:0]
		// Postings are kept by the string's length, so only strings
		// whose length is within the edits allowed are counted.
		lengths := sc.lengths[:0]
		for l := max(int(n)-3, 1); l <= int(n)+3; l++ {
			if d := int(n) - l; d <= allowedEdits(max(int(n), l)) && -d <= allowedEdits(max(int(n), l)) {
				lengths = append(lengths, l)
			}
		}
		sc.lengths = lengths
		for _, g := range gs {
			for _, l := range lengths {
				for _, id := range ix.grams[gramKey(g, l)] {
					if sc.counts[id] == 0 {
						sc.touched = append(sc.touched, id)
					}
					sc.counts[id]++
				}
			}
		}
		for _, id := range sc.touched {
			// Each edit (a swap included) changes at most four
			// trigrams, so strings within k edits share at least
			// this many; equal strings are found by the keys.
			t := ix.strs[id]
			longer := max(n, t.runes)
			k := int32(allowedEdits(int(longer)))
			g := max(int32(len(gs)), t.grams)
			shared := int32(sc.counts[id])
			sc.counts[id] = 0
			if k == 0 || n-t.runes > k || t.runes-n > k || shared < max(g-4*k, 1) {
				continue
			}
			r := fs.route
			if fs.field == fieldDeveloper {
				// Only one edit in a long developer name is strong;
				// more edits, or a short name, are weak.
				r = weakDeveloper
				if longer >= devNear1Len && shared >= g-4 {
					r = strong
				}
			}
			hit(t.slot, r)
		}
	}
	var out []Match
	for _, slot := range sc.slots {
		if sc.strong[slot] || bits.OnesCount8(sc.weak[slot]) >= 2 {
			if m := compare(ix.entries[slot], cf); m.Score >= Threshold {
				out = append(out, m)
			}
		}
		sc.strong[slot], sc.weak[slot] = false, 0
	}
	slices.SortFunc(out, func(x, y Match) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.Ref, y.Ref))
	})
	return out
}

type blockingKey struct {
	key   string
	route route
}

// blockingKeys are the exact values two listings share when Compare finds
// anything but a look-alike in edits.
func blockingKeys(f *features) []blockingKey {
	var ks []blockingKey
	add := func(k string, r route) { ks = append(ks, blockingKey{k, r}) }
	if f.pkg != "" {
		add("p:"+f.pkg, strong)
		if f.compact != "" {
			r := strong
			if f.compactGen > 0 {
				r = weakPackage
			}
			add("s:"+f.compact, r)
		}
		if f.nsLabel != "" && f.nsGen == 0 && !platformNS.words[f.nsLabel] {
			add("ns:"+f.nsLabel, weakPackage)
		}
	}
	if runeLen(f.devCore) >= 3 {
		r := strong
		if f.devGen > 0 {
			r = weakDeveloper
		}
		add("d:"+f.devCore, r)
	}
	for _, e := range f.emails {
		add("e:"+e.addr, strong)
		if e.mailbox != "" {
			add("mb:"+e.mailbox, strong)
		}
	}
	for _, c := range f.contacts {
		add("c:"+c.key, strong)
		if c.number != "" {
			add("n:"+c.number, strong)
		}
	}
	for _, s := range f.sites {
		add("h:"+s.unit, strong)
		if s.label != "" {
			r := strong
			if s.labelGen > 0 {
				r = weakDomain
			}
			add("l:"+s.label, r)
		}
		if s.core != "" {
			add("lc:"+s.core, weakDomain)
		}
	}
	for _, v := range f.nameVariants {
		add("nm:"+string(v), weakName)
	}
	if f.nameDistinct != "" {
		add("nd:"+f.nameDistinct, weakName)
	}
	return ks
}

type fuzzyString struct {
	field uint64
	route route
	s     []rune
}

const (
	fieldName uint64 = iota + 1
	fieldPackage
	fieldDeveloper
	fieldDomain
)

// fuzzyStrings are the strings Compare allows edits in. One of five
// letters may be an edit away from one of six; shorter ones are found by
// their blocking keys alone.
func fuzzyStrings(f *features) []fuzzyString {
	var out []fuzzyString
	add := func(field uint64, r route, s []rune) {
		if len(s) >= 5 {
			out = append(out, fuzzyString{field, r, s})
		}
	}
	for _, v := range f.nameVariants {
		add(fieldName, weakName, v)
	}
	if f.pkg != "" {
		add(fieldPackage, weakPackageNear, f.compactR)
	}
	add(fieldDeveloper, weakDeveloper, f.devRunes)
	for _, s := range f.sites {
		add(fieldDomain, weakDomain, s.coreRunes)
	}
	return out
}

// gramKey is a trigram's posting key for strings of length n.
func gramKey(g uint64, n int) uint64 { return g*31 + uint64(n) }

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
