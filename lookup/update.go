package lookup

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ErrInvalid is wrapped by the errors Upsert and Replace return for bad
// input.
var ErrInvalid = errors.New("lookup: invalid input")

func invalid(number, format string, args ...any) error {
	return fmt.Errorf("%w: licence %q: %s", ErrInvalid, number, fmt.Sprintf(format, args...))
}

// newEntry validates and normalises a licence and its resources.
func newEntry(lic Licence, res Resources) (*licEntry, error) {
	if lic.Number == "" {
		return nil, fmt.Errorf("%w: licence number is empty", ErrInvalid)
	}
	e := &licEntry{
		lic:   lic,
		holds: HoldsNumbers(lic.Status),
		trade: normName(lic.TradeName),
		biz:   normName(res.BusinessName),
	}
	if n := len(res.Phones) + len(res.Ranges); n > 0 {
		e.spans = make([]phoneSpan, 0, n)
	}
	for _, p := range res.Phones {
		k, ok := phoneKey(p)
		if !ok {
			return nil, invalid(lic.Number, "phone %q is not an E.164 number", p)
		}
		e.spans = append(e.spans, phoneSpan{k, k})
	}
	for _, rg := range res.Ranges {
		s, ok1 := phoneKey(rg.Start)
		en, ok2 := phoneKey(rg.End)
		switch {
		case !ok1:
			return nil, invalid(lic.Number, "range start %q is not an E.164 number", rg.Start)
		case !ok2:
			return nil, invalid(lic.Number, "range end %q is not an E.164 number", rg.End)
		case s>>phoneValueBits != en>>phoneValueBits:
			return nil, invalid(lic.Number, "range %s-%s: ends differ in length", rg.Start, rg.End)
		case en < s:
			return nil, invalid(lic.Number, "range %s-%s: start is after end", rg.Start, rg.End)
		}
		e.spans = append(e.spans, phoneSpan{s, en})
	}
	slices.SortFunc(e.spans, cmpSpan)
	e.spans = slices.Clip(slices.Compact(e.spans))

	for _, d := range res.Domains {
		d = strings.TrimSuffix(d, ".")
		if !validDomain(d) {
			return nil, invalid(lic.Number, "domain %q is not a lower-case host name", d)
		}
		e.domains = append(e.domains, d)
	}
	slices.Sort(e.domains)
	e.domains = slices.Clip(slices.Compact(e.domains))

	for _, p := range res.Prefixes {
		if !p.IsValid() {
			return nil, invalid(lic.Number, "IP prefix %v is not valid", p)
		}
		e.prefixes = append(e.prefixes, prefixKey(normPrefix(p)))
	}
	slices.SortFunc(e.prefixes, cmpIPKey)
	e.prefixes = slices.Clip(slices.Compact(e.prefixes))
	return e, nil
}

// nameTokens returns the distinct tokens of both names, sorted; nil for
// nil.
func (e *licEntry) nameTokens() []string {
	if e == nil {
		return nil
	}
	t := append(strings.Fields(e.trade), strings.Fields(e.biz)...)
	slices.Sort(t)
	return slices.Compact(t)
}

func normPrefix(p netip.Prefix) netip.Prefix {
	p = p.Masked()
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p
}

// validDomain accepts lower-case ASCII host names of two or more labels.
func validDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := 0
	for l := range strings.SplitSeq(s, ".") {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
		labels++
	}
	return labels >= 2
}

// txn builds the next View from the current one by copy-on-write.
type txn struct {
	v       View // copy of the base; its arrays are private
	lics    *slotEdit
	numbers *cowMapEdit[string, *licEntry]
	phones  *phoneEdit
	domains *cowMapEdit[string, []uint32]
	ips     *cowMapEdit[ipKey, []uint32]
	tokens  *tokEdit
	lensChg bool
}

func begin(base *View) *txn {
	return &txn{
		v:       *base,
		lics:    base.lics.edit(),
		numbers: base.numbers.edit(),
		phones:  newPhoneEdit(base.phones),
		domains: base.domains.edit(),
		ips:     base.ips.edit(),
		tokens:  base.tokens.edit(),
	}
}

func (t *txn) commit() *View {
	v := t.v
	v.lics = t.lics.done()
	v.numbers = t.numbers.done()
	v.phones = t.phones.done()
	v.domains = t.domains.done()
	v.ips = t.ips.done()
	v.tokens = t.tokens.done()
	if t.lensChg {
		v.len4, v.len6 = presentLens(v.bits4[:]), presentLens(v.bits6[:])
	}
	v.version++
	return &v
}

func presentLens(counts []int32) []uint8 {
	var out []uint8
	for b := len(counts) - 1; b >= 0; b-- {
		if counts[b] > 0 {
			out = append(out, uint8(b))
		}
	}
	return out
}

// diff calls del for elements only in a and add for elements only in b;
// both are sorted and duplicate-free.
func diff[E any](a, b []E, cmp func(E, E) int, del, add func(E)) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		c := 0
		switch {
		case i == len(a):
			c = 1
		case j == len(b):
			c = -1
		default:
			c = cmp(a[i], b[j])
		}
		switch {
		case c < 0:
			del(a[i])
			i++
		case c > 0:
			add(b[j])
			j++
		default:
			i++
			j++
		}
	}
}

var noEntry = &licEntry{}

// apply moves the licence in slot from old to new (either may be nil).
func (t *txn) apply(old, new *licEntry, slot uint32) {
	oldToks, newToks := old.nameTokens(), new.nameTokens()
	if old == nil {
		old = noEntry
	}
	if new == nil {
		t.lics.set(slot, nil)
		t.numbers.del(old.lic.Number, hashString(old.lic.Number))
		new = noEntry
	} else {
		t.lics.set(slot, new)
		t.numbers.set(new.lic.Number, hashString(new.lic.Number), new)
	}
	diff(old.spans, new.spans, cmpSpan,
		func(s phoneSpan) { t.phones.remove(s, slot) },
		func(s phoneSpan) { t.phones.insert(s, slot) })
	diff(old.domains, new.domains, strings.Compare,
		func(d string) { postDel(t.domains, d, hashString(d), slot) },
		func(d string) { postAdd(t.domains, d, hashString(d), slot) })
	diff(old.prefixes, new.prefixes, cmpIPKey,
		func(p ipKey) {
			if postDel(t.ips, p, p.hash(), slot) {
				t.countBits(p, -1)
			}
		},
		func(p ipKey) {
			if postAdd(t.ips, p, p.hash(), slot) {
				t.countBits(p, 1)
			}
		})
	diff(oldToks, newToks, strings.Compare,
		func(s string) { t.tokens.del(s, slot) },
		func(s string) { t.tokens.add(s, slot) })
}

func (t *txn) countBits(p ipKey, d int32) {
	var c *int32
	if p.v6 {
		c = &t.v.bits6[p.bits]
	} else {
		c = &t.v.bits4[p.bits]
	}
	*c += d
	if *c == 0 || *c == d {
		t.lensChg = true
	}
}

// postAdd adds slot to key's posting list and reports whether the key is
// new.
func postAdd[K comparable](m *cowMapEdit[K, []uint32], k K, h uint64, slot uint32) bool {
	p, _ := m.get(k, h)
	m.set(k, h, postingsAdd(p, slot))
	return len(p) == 0
}

// postDel removes slot from key's posting list and reports whether the
// key is gone.
func postDel[K comparable](m *cowMapEdit[K, []uint32], k K, h uint64, slot uint32) bool {
	p, ok := m.get(k, h)
	if !ok {
		return false
	}
	p = postingsDel(p, slot)
	if len(p) == 0 {
		m.del(k, h)
		return true
	}
	m.set(k, h, p)
	return false
}

// internLicence makes repeated status, kind and city strings share
// memory. Those fields take few values; the table stops growing at 4,096.
func (x *Index) internLicence(l *Licence) {
	if x.intern == nil {
		x.intern = make(map[string]string)
	}
	for _, s := range []*string{&l.Status, &l.Kind, &l.City} {
		if v, ok := x.intern[*s]; ok {
			*s = v
		} else if len(x.intern) < 4096 {
			x.intern[*s] = *s
		}
	}
}

// Upsert stores lic with res, replacing everything previously known for
// lic.Number. Invalid input returns an error wrapping ErrInvalid and
// changes nothing. The cost is proportional to what changed, not to the
// size of the index.
func (x *Index) Upsert(lic Licence, res Resources) error {
	e, err := newEntry(lic, res)
	if err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.internLicence(&e.lic)
	base := x.View()
	old, ok := base.numbers.get(lic.Number, hashString(lic.Number))
	switch {
	case ok:
		e.slot = old.slot
	case len(x.free) > 0:
		e.slot, x.free = x.free[len(x.free)-1], x.free[:len(x.free)-1]
	default:
		e.slot = x.next
		x.next++
	}
	t := begin(base)
	t.apply(old, e, e.slot)
	x.cur.Store(t.commit())
	return nil
}

// Remove deletes the licence with this number, if present.
func (x *Index) Remove(number string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	base := x.View()
	old, ok := base.numbers.get(number, hashString(number))
	if !ok {
		return
	}
	t := begin(base)
	t.apply(old, nil, old.slot)
	x.cur.Store(t.commit())
	x.free = append(x.free, old.slot)
}

// Replace swaps the whole content for all, for a rebuild from the
// database. Invalid input or a licence number given twice returns an error
// and leaves the index as it was. Readers go on using the previous View
// until the new one is complete; other writers wait.
func (x *Index) Replace(all []Record) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	list := make([]*licEntry, len(all))
	seen := make(map[string]bool, len(all))
	spans := 0
	for i, a := range all {
		e, err := newEntry(a.Licence, a.Resources)
		if err != nil {
			return err
		}
		if seen[e.lic.Number] {
			return invalid(e.lic.Number, "licence number given twice")
		}
		seen[e.lic.Number] = true
		x.internLicence(&e.lic)
		e.slot = uint32(i)
		list[i] = e
		spans += len(e.spans)
	}
	seen = nil

	var v View
	lics := v.lics.edit()
	numbers := v.numbers.edit()
	entries := make([]phoneEntry, 0, spans)
	domains := make(map[string][]uint32)
	ips := make(map[ipKey][]uint32)
	toks := make(map[string][]uint32)
	for _, e := range list {
		s := e.slot
		lics.set(s, e)
		numbers.set(e.lic.Number, hashString(e.lic.Number), e)
		for _, sp := range e.spans {
			entries = append(entries, phoneEntry{sp, s})
		}
		// Slots ascend, so the posting lists come out sorted.
		for _, d := range e.domains {
			domains[d] = append(domains[d], s)
		}
		for _, p := range e.prefixes {
			ips[p] = append(ips[p], s)
		}
		for _, tk := range e.nameTokens() {
			toks[tk] = append(toks[tk], s)
		}
	}
	v.lics = lics.done()
	v.numbers = numbers.done()
	v.phones = buildPhoneIndex(entries)
	v.domains = fillCowMap(domains, hashString)
	v.ips = fillCowMap(ips, hashIPKey)
	for p := range ips {
		if p.v6 {
			v.bits6[p.bits]++
		} else {
			v.bits4[p.bits]++
		}
	}
	v.len4, v.len6 = presentLens(v.bits4[:]), presentLens(v.bits6[:])
	tokList := make([]tokEntry, 0, len(toks))
	for tk, p := range toks {
		tokList = append(tokList, tokEntry{tk, newPlist(p)})
	}
	slices.SortFunc(tokList, func(a, b tokEntry) int { return strings.Compare(a.tok, b.tok) })
	v.tokens = buildTokIndex(tokList)
	v.version = x.View().version + 1

	x.free = nil
	x.next = uint32(len(all))
	x.cur.Store(&v)
	return nil
}

func fillCowMap[K comparable](src map[K][]uint32, hash func(K) uint64) cowMap[K, []uint32] {
	e := cowMap[K, []uint32]{}.edit()
	for k, p := range src {
		e.set(k, hash(k), slices.Clip(p))
	}
	return e.done()
}
