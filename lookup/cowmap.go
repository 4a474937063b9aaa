package lookup

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"maps"
	"net/netip"
)

// shardBits sets how many shards a cowMap has. With 1,024 shards an index
// of 100,000 licences holds about a hundred keys per shard, so a change
// copies one small map and an 8 KiB directory.
const (
	shardBits = 10
	shardMask = 1<<shardBits - 1
)

var hashSeed = maphash.MakeSeed()

func hashString(s string) uint64 { return maphash.String(hashSeed, s) }

// ipKey is a masked IP prefix, IPv4 in the low 32 bits of lo. Unlike
// netip.Prefix it holds no pointer and takes 24 bytes.
type ipKey struct {
	hi, lo uint64
	bits   uint8
	v6     bool
}

// prefixKey converts a normalised (masked, unmapped) prefix.
func prefixKey(p netip.Prefix) ipKey {
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		return ipKey{lo: uint64(binary.BigEndian.Uint32(b[:])), bits: uint8(p.Bits())}
	}
	b := a.As16()
	return ipKey{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:]), bits: uint8(p.Bits()), v6: true}
}

// masked returns the key of the prefix of length bits holding this
// address key.
func (k ipKey) masked(bits uint8) ipKey {
	k.bits = bits
	switch {
	case !k.v6:
		k.lo &= ^uint64(0) << (32 - bits) & 0xffffffff
	case bits <= 64:
		k.hi &= ^uint64(0) << (64 - bits)
		k.lo = 0
	default:
		k.lo &= ^uint64(0) << (128 - bits)
	}
	return k
}

func (k ipKey) hash() uint64 {
	x := k.hi ^ uint64(k.bits)<<1
	if k.v6 {
		x ^= 1
	}
	return mix64(mix64(x) ^ k.lo)
}

func hashIPKey(k ipKey) uint64 { return k.hash() }

func cmpIPKey(a, b ipKey) int {
	switch {
	case a.v6 != b.v6:
		if b.v6 {
			return -1
		}
		return 1
	case a.hi != b.hi:
		return cmp.Compare(a.hi, b.hi)
	case a.lo != b.lo:
		return cmp.Compare(a.lo, b.lo)
	}
	return cmp.Compare(a.bits, b.bits)
}

// mix64 is the splitmix64 finaliser.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// cowMap is an immutable hash map split into shards. Readers look keys up
// without locks; an edit copies the shard directory and only the shards it
// changes. Callers supply the key's hash.
type cowMap[K comparable, V any] struct {
	shards []map[K]V // nil or 1<<shardBits maps; never modified once published
	n      int
}

func (m *cowMap[K, V]) get(k K, h uint64) (V, bool) {
	if m.shards == nil {
		var zero V
		return zero, false
	}
	v, ok := m.shards[h&shardMask][k]
	return v, ok
}

type cowMapEdit[K comparable, V any] struct {
	m     cowMap[K, V]
	owned []uint64 // bitset of shards copied by this edit; nil before the first change
}

func (m cowMap[K, V]) edit() *cowMapEdit[K, V] { return &cowMapEdit[K, V]{m: m} }

func (e *cowMapEdit[K, V]) get(k K, h uint64) (V, bool) { return e.m.get(k, h) }

func (e *cowMapEdit[K, V]) shard(h uint64) map[K]V {
	if e.owned == nil {
		old := e.m.shards
		e.m.shards = make([]map[K]V, 1<<shardBits)
		copy(e.m.shards, old)
		e.owned = make([]uint64, (1<<shardBits)/64)
	}
	i := h & shardMask
	if e.owned[i/64]&(1<<(i%64)) == 0 {
		e.owned[i/64] |= 1 << (i % 64)
		if old := e.m.shards[i]; old != nil {
			e.m.shards[i] = maps.Clone(old)
		} else {
			e.m.shards[i] = make(map[K]V)
		}
	}
	return e.m.shards[i]
}

func (e *cowMapEdit[K, V]) set(k K, h uint64, v V) {
	s := e.shard(h)
	if _, ok := s[k]; !ok {
		e.m.n++
	}
	s[k] = v
}

func (e *cowMapEdit[K, V]) del(k K, h uint64) {
	if _, ok := e.m.get(k, h); !ok {
		return
	}
	delete(e.shard(h), k)
	e.m.n--
}

func (e *cowMapEdit[K, V]) done() cowMap[K, V] { return e.m }

// slotTable maps a licence's slot number to its entry, in pages of
// pageSize so that a change copies one page and the page directory.
const pageBits = 8
const pageSize = 1 << pageBits

type slotTable struct {
	pages []*[pageSize]*licEntry
}

func (t *slotTable) get(slot uint32) *licEntry {
	return t.pages[slot>>pageBits][slot&(pageSize-1)]
}

type slotEdit struct {
	t     slotTable
	owned map[int]bool
}

func (t slotTable) edit() *slotEdit { return &slotEdit{t: t} }

func (e *slotEdit) set(slot uint32, v *licEntry) {
	if e.owned == nil {
		e.owned = make(map[int]bool)
		old := e.t.pages
		e.t.pages = make([]*[pageSize]*licEntry, len(old), len(old)+1)
		copy(e.t.pages, old)
	}
	p := int(slot >> pageBits)
	for len(e.t.pages) <= p {
		e.t.pages = append(e.t.pages, new([pageSize]*licEntry))
		e.owned[len(e.t.pages)-1] = true
	}
	if !e.owned[p] {
		cp := *e.t.pages[p]
		e.t.pages[p] = &cp
		e.owned[p] = true
	}
	e.t.pages[p][slot&(pageSize-1)] = v
}

func (e *slotEdit) done() slotTable { return e.t }

// Posting lists: sorted, duplicate-free slot lists, never modified once
// published.

func postingsAdd(p []uint32, slot uint32) []uint32 {
	i, found := slicesBinarySearch(p, slot)
	if found {
		return p
	}
	q := make([]uint32, len(p)+1)
	copy(q, p[:i])
	q[i] = slot
	copy(q[i+1:], p[i:])
	return q
}

func postingsDel(p []uint32, slot uint32) []uint32 {
	i, found := slicesBinarySearch(p, slot)
	if !found {
		return p
	}
	if len(p) == 1 {
		return nil
	}
	q := make([]uint32, len(p)-1)
	copy(q, p[:i])
	copy(q[i:], p[i+1:])
	return q
}

func slicesBinarySearch(p []uint32, x uint32) (int, bool) {
	lo, hi := 0, len(p)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(p) && p[lo] == x
}
