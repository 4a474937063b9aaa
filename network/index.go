package network

import (
	"hash/maphash"
	"math/bits"
)

// table is an open-addressing hash table from a 96-bit hash (h, x) to an
// int32, with linear probing in one slice of 16-byte slots: one cache miss
// per lookup, no pointers for the garbage collector, and about half the
// time and memory of a Go map at the 1–2 million entries Load fills.
type table struct {
	slots []slot
	n     int
}

type slot struct {
	h uint64 // 0: empty
	x uint32
	v int32
}

// newTable sizes for n entries at two-thirds load, leaving room for
// updates before the table must double (which rehashes everything).
func newTable(n int) table { return table{slots: make([]slot, max(8, n+n/2+1))} }

func (t *table) home(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(t.slots)))
	return int(hi)
}

func fix(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

func (t *table) get(h uint64, x uint32) (int32, bool) {
	h = fix(h)
	for i := t.home(h); ; {
		s := &t.slots[i]
		if s.h == 0 {
			return 0, false
		}
		if s.h == h && s.x == x {
			return s.v, true
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

// put maps (h, x) to v, replacing any previous value.
func (t *table) put(h uint64, x uint32, v int32) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	h = fix(h)
	for i := t.home(h); ; {
		s := &t.slots[i]
		if s.h == 0 {
			*s = slot{h, x, v}
			t.n++
			return
		}
		if s.h == h && s.x == x {
			s.v = v
			return
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
}

func (t *table) grow() {
	old := t.slots
	t.slots, t.n = make([]slot, 2*len(old)), 0
	for _, s := range old {
		if s.h != 0 {
			t.put(s.h, s.x, s.v)
		}
	}
}

// del removes (h, x), shifting later entries of the probe run back so
// that lookups never stop early.
func (t *table) del(h uint64, x uint32) {
	h = fix(h)
	i := t.home(h)
	for {
		s := &t.slots[i]
		if s.h == 0 {
			return
		}
		if s.h == h && s.x == x {
			break
		}
		if i++; i == len(t.slots) {
			i = 0
		}
	}
	t.n--
	n := len(t.slots)
	for j := i; ; {
		if j++; j == n {
			j = 0
		}
		s := t.slots[j]
		if s.h == 0 {
			break
		}
		// Move s back to i unless its home lies cyclically in (i, j].
		k := t.home(s.h)
		if (i <= j && (k <= i || k > j)) || (i > j && k <= i && k > j) {
			t.slots[i] = s
			i = j
		}
	}
	t.slots[i] = slot{}
}

// strIndex maps identifier match keys to ids through their 64-bit hashes,
// and stays exact: the owner keeps each id's key (name), and a key whose
// hash collides with another's goes to the small map coll.
type strIndex struct {
	seed  maphash.Seed
	t     table
	coll  map[string]int32
	clash bool // tests: every key hashes alike
}

func (x *strIndex) hash(s string) uint64 {
	if x.clash {
		return 42
	}
	return maphash.String(x.seed, s)
}

func newStrIndex(n int) strIndex { return strIndex{seed: maphash.MakeSeed(), t: newTable(n)} }

func (x *strIndex) get(s string, name func(int32) string) (int32, bool) {
	v, ok := x.t.get(x.hash(s), 0)
	if !ok {
		return 0, false
	}
	if name(v) == s {
		return v, true
	}
	v, ok = x.coll[s]
	return v, ok
}

// put maps s to v; s must not be mapped yet.
func (x *strIndex) put(s string, v int32, name func(int32) string) {
	h := x.hash(s)
	if old, ok := x.t.get(h, 0); ok && name(old) != s {
		if x.coll == nil {
			x.coll = map[string]int32{}
		}
		x.coll[s] = v
		return
	}
	x.t.put(h, 0, v)
}

// add maps s to v unless s is mapped already, and then returns what it
// maps to: get and put with one hash and one probe.
func (x *strIndex) add(s string, v int32, name func(int32) string) (int32, bool) {
	h := x.hash(s)
	old, ok := x.t.get(h, 0)
	if !ok {
		x.t.put(h, 0, v)
		return 0, false
	}
	if name(old) == s {
		return old, true
	}
	if w, ok := x.coll[s]; ok {
		return w, true
	}
	if x.coll == nil {
		x.coll = map[string]int32{}
	}
	x.coll[s] = v
	return 0, false
}

// del unmaps s, which maps to v.
func (x *strIndex) del(s string, v int32) {
	if _, ok := x.coll[s]; ok {
		delete(x.coll, s)
		return
	}
	h := x.hash(s)
	x.t.del(h, 0)
	// Promote a colliding key, if any, into the table.
	for k, w := range x.coll {
		if w != v && x.hash(k) == h {
			x.t.put(h, 0, w)
			delete(x.coll, k)
			return
		}
	}
}

// victimIndex maps victim keys to dense ids by a 96-bit hash (two seeds).
// The keys themselves are not kept: they are already keyed hashes of a
// CNIC or phone, and the chance that any two of a billion collide in 96
// bits is about 10^-11.
type victimIndex struct {
	s1, s2 maphash.Seed
	t      table
}

func newVictimIndex(n int) victimIndex {
	return victimIndex{s1: maphash.MakeSeed(), s2: maphash.MakeSeed(), t: newTable(n)}
}

func (x *victimIndex) hash(s string) (uint64, uint32) {
	return maphash.String(x.s1, s), uint32(maphash.String(x.s2, s))
}
