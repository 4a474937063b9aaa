// Package lookup answers "is this licensed?" for the public registry from
// memory: by licence number, telephone number (declared number or a number
// inside a declared range), domain (declared or a subdomain of one), IP
// address (inside a declared prefix) and business name, and finds
// telephone declarations that overlap another licensee's.
//
// # Concurrency
//
// An Index publishes an immutable View through an atomic.Pointer. Readers
// load the pointer and query the View: no lock, no shared writes, and every
// query (or a batch of queries on one View) sees one consistent state.
// Writers (Upsert, Remove, Replace) are serialised by a mutex, build the
// next View by copy-on-write and store it with one atomic store; Views that
// readers still hold stay valid and unchanged.
//
// # Cheap updates
//
// Copy-on-write does not copy the index. Every structure is split so that
// a change copies only small pieces:
//   - telephone numbers and ranges: one sequence of intervals sorted by
//     start in a B+tree of fixed height three (leaves of up to 256 entries,
//     nodes of up to 64 leaves), augmented with largest ends for interval
//     search; a change copies the root's arrays and the node and leaf on
//     its path;
//   - licence numbers, domains and IP prefixes: hash maps in 1,024 shards;
//     a change copies the shard directory and the shards it touches;
//   - name tokens: a sorted map from token to posting list in chunks (so a
//     prefix reads adjacent tokens), each posting list itself chunked,
//     since words like "solutions" are shared by thousands of names;
//   - licences themselves: a paged table indexed by a small slot number, so
//     that the interval entries (the bulk of the index) hold no pointers and
//     cost the garbage collector nothing to scan.
//
// Upsert only touches what differs from the licence's previous
// declaration: a change of status or validity rewrites the licence's slot
// and licence-number entry and leaves its numbers, domains and prefixes in
// place. Replace builds everything afresh in bulk.
//
// # Telephone numbers
//
// A number is held as a uint64: its count of digits above its value, so
// numbers order by length and then value and "+92423576" never meets
// "+924235760000". A range's ends have equal length, so it only ever
// contains numbers of that length.
//
// # Personal data
//
// Licence carries no personal data and the index stores nothing else that
// it could return. Resources.BusinessName is matched by SearchName but never
// returned.
package lookup

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Licence statuses.
const (
	StatusProvisional = "provisional"
	StatusActive      = "active"
	StatusSuspended   = "suspended"
	StatusRevoked     = "revoked"
	StatusExpired     = "expired"
	StatusSurrendered = "surrendered"
)

// HoldsNumbers reports whether a licence in this status still holds its
// declared telephone numbers against other licensees. Provisional and
// active licences hold them, and so does a suspended one, which may be
// reinstated. Revoked, expired and surrendered licences (and any unknown
// status) release them. The licence's status is taken as the truth;
// ValidUntil is not consulted (the expiry job changes the status).
func HoldsNumbers(status string) bool {
	switch status {
	case StatusProvisional, StatusActive, StatusSuspended:
		return true
	}
	return false
}

// Licence is what the registry publishes about one licence (one site).
type Licence struct {
	Number     string // e.g. CC-ISB-2025-000042
	Status     string // provisional, active, suspended, revoked, expired or surrendered
	TradeName  string
	Kind       string
	City       string
	ValidUntil time.Time
	BusinessID int64
	SiteID     int64
}

// PhoneRange is an inclusive range of E.164 numbers whose ends have the
// same number of digits, e.g. +924235760000 to +924235769999.
type PhoneRange struct {
	Start, End string
}

// Resources are what a licence declares. Inputs must already be
// normalised: E.164 numbers as "+" and digits, domains as lower-case ASCII
// host names without a trailing dot.
type Resources struct {
	Phones   []string       // single numbers, E.164
	Ranges   []PhoneRange   // number ranges
	Domains  []string       // each also covers its subdomains
	Prefixes []netip.Prefix // IPv4 and IPv6; an address inside matches
	// BusinessName is the business's registered name, matched by
	// SearchName alongside the trade name and never returned. Leave it
	// empty where it would be a person's name.
	BusinessName string
}

// Record is one licence with its resources, for Replace.
type Record struct {
	Licence   Licence
	Resources Resources
}

// licEntry is the published, immutable state of one licence. The writer
// also keeps its normalised declaration here, to work out what an update
// changes.
type licEntry struct {
	lic   Licence
	slot  uint32
	holds bool
	trade string // trade name tokens, lower case, joined by single spaces
	biz   string // business name tokens, likewise

	// Normalised, sorted and duplicate-free.
	spans    []phoneSpan
	domains  []string
	prefixes []ipKey
}

// Index is the in-memory registry. The zero value is an empty index ready
// for use. Queries on an Index query its current View; use View to run
// several queries against one consistent state.
type Index struct {
	cur atomic.Pointer[View]

	mu     sync.Mutex        // serialises writers
	free   []uint32          // released slots
	next   uint32            // next never-used slot
	intern map[string]string // shared copies of statuses, kinds and cities
}

// New returns an empty index.
func New() *Index { return new(Index) }

// View is an immutable state of the index. It is safe for concurrent use
// and stays valid (and unchanged) after later updates.
type View struct {
	lics    slotTable
	numbers cowMap[string, *licEntry]
	phones  *phoneIndex
	domains cowMap[string, []uint32]
	ips     cowMap[ipKey, []uint32]
	tokens  tokIndex

	// Prefix lengths in use, per family, and the lengths present in
	// descending order (what ByIP probes).
	bits4 [33]int32
	bits6 [129]int32
	len4  []uint8
	len6  []uint8

	version uint64
}

var emptyView = &View{phones: &phoneIndex{}}

// View returns the current state. It never blocks.
func (x *Index) View() *View {
	if v := x.cur.Load(); v != nil {
		return v
	}
	return emptyView
}

// Stats counts what a View holds.
type Stats struct {
	Version  uint64 // increases with every change
	Licences int
	Phones   int // declared single numbers
	Ranges   int // declared number ranges
	Domains  int // distinct declared domains
	Prefixes int // distinct declared IP prefixes
	Tokens   int // distinct name tokens
}

// Stats describes the view.
func (v *View) Stats() Stats {
	return Stats{
		Version:  v.version,
		Licences: v.numbers.n,
		Phones:   v.phones.points,
		Ranges:   v.phones.n - v.phones.points,
		Domains:  v.domains.n,
		Prefixes: v.ips.n,
		Tokens:   v.tokens.n,
	}
}

// ByNumber returns the licence with this number.
func (v *View) ByNumber(number string) (Licence, bool) {
	e, ok := v.numbers.get(number, hashString(number))
	if !ok {
		return Licence{}, false
	}
	return e.lic, true
}

// ByPhone returns the licences that declare e164 or a range containing it,
// in every status, ordered by licence number; nil if none.
func (v *View) ByPhone(e164 string) []Licence { return v.AppendByPhone(nil, e164) }

// AppendByPhone is ByPhone appending to dst, so that a caller reusing dst
// allocates nothing.
func (v *View) AppendByPhone(dst []Licence, e164 string) []Licence {
	k, ok := phoneKey(e164)
	if !ok {
		return dst
	}
	var buf [8]uint32
	return v.appendSlots(dst, v.phones.collect(k, k, buf[:0]), nil)
}

// ByDomain returns the licences that declare host or one of its parent
// domains, in every status, ordered by licence number; nil if none. host
// must be lower case; one trailing dot is ignored.
func (v *View) ByDomain(host string) []Licence { return v.AppendByDomain(nil, host) }

// AppendByDomain is ByDomain appending to dst.
func (v *View) AppendByDomain(dst []Licence, host string) []Licence {
	host = strings.TrimSuffix(host, ".")
	var buf [8]uint32
	slots := buf[:0]
	for s := host; s != ""; {
		if p, ok := v.domains.get(s, hashString(s)); ok {
			slots = append(slots, p...)
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	return v.appendSlots(dst, slots, nil)
}

// ByIP returns the licences that declare a prefix containing addr, in
// every status, ordered by licence number; nil if none. An IPv4-mapped
// IPv6 address is looked up as IPv4, and a zone is ignored.
func (v *View) ByIP(addr netip.Addr) []Licence { return v.AppendByIP(nil, addr) }

// AppendByIP is ByIP appending to dst.
func (v *View) AppendByIP(dst []Licence, addr netip.Addr) []Licence {
	if !addr.IsValid() {
		return dst
	}
	addr = addr.Unmap()
	var k ipKey
	lens := v.len4
	if addr.Is4() {
		b := addr.As4()
		k.lo = uint64(binary.BigEndian.Uint32(b[:]))
	} else {
		b := addr.As16()
		k = ipKey{hi: binary.BigEndian.Uint64(b[:8]), lo: binary.BigEndian.Uint64(b[8:]), v6: true}
		lens = v.len6
	}
	var buf [8]uint32
	slots := buf[:0]
	for _, b := range lens {
		m := k.masked(b)
		if s, ok := v.ips.get(m, m.hash()); ok {
			slots = append(slots, s...)
		}
	}
	return v.appendSlots(dst, slots, nil)
}

// SearchName finds licences whose trade name (or business name) has, for
// every token of q, a token equal to it or starting with it; matching is
// case-insensitive. Results are ranked: a trade name equal to the query
// first, then names beginning with it, exact token matches above prefix
// matches and trade-name matches above business-name ones; ties go to
// shorter names, licences in force, then trade name and number. At most
// limit results are returned (DefaultSearchLimit if limit <= 0).
func (v *View) SearchName(q string, limit int) []Licence { return v.searchName(q, limit) }

// PhoneOverlaps returns the licences of businesses other than
// exceptBusinessID that hold (see HoldsNumbers) a declared number or range
// intersecting the inclusive range [start, end], ordered by licence number.
// end may be empty for a single number. Numbers of different lengths never
// overlap. Invalid input (bad E.164, ends of different lengths, start after
// end) returns nil: validate first.
func (v *View) PhoneOverlaps(start, end string, exceptBusinessID int64) []Licence {
	if end == "" {
		end = start
	}
	s, ok1 := phoneKey(start)
	e, ok2 := phoneKey(end)
	if !ok1 || !ok2 || e < s || s>>phoneValueBits != e>>phoneValueBits {
		return nil
	}
	var buf [16]uint32
	return v.appendSlots(nil, v.phones.collect(s, e, buf[:0]), func(l *licEntry) bool {
		return l.holds && l.lic.BusinessID != exceptBusinessID
	})
}

// All returns every licence, ordered by number (for the registry
// download).
func (v *View) All() []Licence {
	out := make([]Licence, 0, v.numbers.n)
	for _, p := range v.lics.pages {
		for _, e := range p {
			if e != nil {
				out = append(out, e.lic)
			}
		}
	}
	slices.SortFunc(out, func(a, b Licence) int { return strings.Compare(a.Number, b.Number) })
	return out
}

// appendSlots appends the licences of slots (deduplicated, filtered by
// keep if not nil) to dst, ordered by licence number.
func (v *View) appendSlots(dst []Licence, slots []uint32, keep func(*licEntry) bool) []Licence {
	if len(slots) == 0 {
		return dst
	}
	if len(slots) > 1 {
		slices.Sort(slots)
		slots = slices.Compact(slots)
	}
	n := len(dst)
	if keep == nil {
		dst = slices.Grow(dst, len(slots))
	}
	for _, s := range slots {
		e := v.lics.get(s)
		if keep == nil || keep(e) {
			dst = append(dst, e.lic)
		}
	}
	if len(dst)-n > 1 {
		slices.SortFunc(dst[n:], func(a, b Licence) int { return cmp.Compare(a.Number, b.Number) })
	}
	return dst
}

// Index methods query the current View.

// ByNumber is View().ByNumber.
func (x *Index) ByNumber(number string) (Licence, bool) { return x.View().ByNumber(number) }

// ByPhone is View().ByPhone.
func (x *Index) ByPhone(e164 string) []Licence { return x.View().ByPhone(e164) }

// ByDomain is View().ByDomain.
func (x *Index) ByDomain(host string) []Licence { return x.View().ByDomain(host) }

// ByIP is View().ByIP.
func (x *Index) ByIP(addr netip.Addr) []Licence { return x.View().ByIP(addr) }

// SearchName is View().SearchName.
func (x *Index) SearchName(q string, limit int) []Licence { return x.View().SearchName(q, limit) }

// PhoneOverlaps is View().PhoneOverlaps.
func (x *Index) PhoneOverlaps(start, end string, exceptBusinessID int64) []Licence {
	return x.View().PhoneOverlaps(start, end, exceptBusinessID)
}

// Stats is View().Stats.
func (x *Index) Stats() Stats { return x.View().Stats() }
