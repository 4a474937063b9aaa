package lookup

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkPhoneIndex verifies the interval tree's invariants.
func checkPhoneIndex(t *testing.T, p *phoneIndex) {
	t.Helper()
	n, points := 0, 0
	var prev, rootMax uint64
	if len(p.firsts) != len(p.nodes) || len(p.maxEnd) != len(p.nodes) || len(p.cmax) != len(p.nodes) {
		t.Fatalf("root summary sizes")
	}
	for i, nd := range p.nodes {
		if len(nd.leaves) == 0 || len(nd.leaves) > nodeCap || len(nd.firsts) != len(nd.leaves) ||
			len(nd.maxEnd) != len(nd.leaves) || len(nd.cmax) != len(nd.leaves) {
			t.Fatalf("node %d: bad sizes", i)
		}
		var nodeMax uint64
		for j, l := range nd.leaves {
			k := len(l.ents)
			if k == 0 || k > leafCap {
				t.Fatalf("node %d leaf %d: bad size %d", i, j, k)
			}
			if nd.firsts[j] != l.first() {
				t.Fatalf("node %d leaf %d: first %d != %d", i, j, nd.firsts[j], l.first())
			}
			for f := range fenceSlots {
				want := uint64(math.MaxUint64)
				if f*fenceStride < k {
					want = l.ents[f*fenceStride].start
				}
				if nd.fence[j*fenceSlots+f] != want {
					t.Fatalf("node %d leaf %d: fence %d wrong", i, j, f)
				}
			}
			var m uint64
			for x, en := range l.ents {
				if en.start < prev {
					t.Fatalf("node %d leaf %d entry %d: starts out of order", i, j, x)
				}
				prev = en.start
				if en.end < en.start {
					t.Fatalf("node %d leaf %d entry %d: end before start", i, j, x)
				}
				m = max(m, en.end)
				if en.pmax != m {
					t.Fatalf("node %d leaf %d entry %d: pmax %d != %d", i, j, x, en.pmax, m)
				}
				if en.start == en.end {
					points++
				}
			}
			n += k
			nodeMax = max(nodeMax, m)
			if nd.maxEnd[j] != m || nd.cmax[j] != nodeMax {
				t.Fatalf("node %d leaf %d: maxEnd/cmax wrong", i, j)
			}
		}
		rootMax = max(rootMax, nodeMax)
		if p.firsts[i] != nd.firsts[0] || p.maxEnd[i] != nodeMax || p.cmax[i] != rootMax {
			t.Fatalf("node %d: root summary wrong", i)
		}
	}
	if n != p.n || points != p.points {
		t.Fatalf("counts: n %d/%d points %d/%d", n, p.n, points, p.points)
	}
}

func phoneLeaves(p *phoneIndex) int {
	n := 0
	for _, nd := range p.nodes {
		n += len(nd.leaves)
	}
	return n
}

type modelLic struct {
	lic   Licence
	res   Resources
	spans []phoneSpan
	names *licEntry
}

func newModelLic(l Licence, res Resources) modelLic {
	ml := modelLic{lic: l, res: res, names: &licEntry{trade: normName(l.TradeName), biz: normName(res.BusinessName)}}
	for _, p := range res.Phones {
		k, _ := phoneKey(p)
		ml.spans = append(ml.spans, phoneSpan{k, k})
	}
	for _, r := range res.Ranges {
		s, _ := phoneKey(r.Start)
		e, _ := phoneKey(r.End)
		ml.spans = append(ml.spans, phoneSpan{s, e})
	}
	return ml
}

// model answers every query by brute force.
type model map[string]modelLic

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func sortedNums(set map[string]bool) []string {
	var out []string
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (m model) phone(lo, hi uint64, holdExcept *int64) []string {
	set := map[string]bool{}
	for n, l := range m {
		if holdExcept != nil && (!HoldsNumbers(l.lic.Status) || l.lic.BusinessID == *holdExcept) {
			continue
		}
		for _, s := range l.spans {
			if s.start <= hi && s.end >= lo {
				set[n] = true
			}
		}
	}
	return sortedNums(set)
}

func (m model) domain(h string) []string {
	set := map[string]bool{}
	for n, l := range m {
		for _, d := range l.res.Domains {
			if h == d || strings.HasSuffix(h, "."+d) {
				set[n] = true
			}
		}
	}
	return sortedNums(set)
}

func (m model) ip(a netip.Addr) []string {
	set := map[string]bool{}
	for n, l := range m {
		for _, p := range l.res.Prefixes {
			if normPrefix(p).Contains(a.Unmap()) {
				set[n] = true
			}
		}
	}
	return sortedNums(set)
}

func (m model) search(q string) []string {
	qt := tokens(q)
	set := map[string]bool{}
	if len(qt) == 0 {
		return nil
	}
	nq := &nameQuery{toks: qt, joined: strings.Join(qt, " ")}
	for n, l := range m {
		if _, ok := l.names.score(nq); ok {
			set[n] = true
		}
	}
	return sortedNums(set)
}

var words = []string{"indus", "ravi", "tech", "techno", "technologies", "soft", "call", "centre", "global", "al", "noor", "pak", "pakistan", "sky", "blue"}

func randName(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	var w []string
	for range n {
		if r.IntN(2) == 0 {
			// Rare tokens: the token set grows past one chunk and loses
			// tokens when licences go.
			w = append(w, fmt.Sprintf("brand%d", r.IntN(1500)))
		} else {
			w = append(w, words[r.IntN(len(words))])
		}
	}
	return strings.Join(w, " ")
}

func randPhone(r *rand.Rand, digits int) string {
	// A small space so that numbers and ranges collide often.
	if digits == 12 {
		return fmt.Sprintf("+9242357%05d", r.IntN(100000))
	}
	return fmt.Sprintf("+925123%05d", r.IntN(100000))
}

func randResources(r *rand.Rand) Resources {
	var res Resources
	for range r.IntN(12) {
		res.Phones = append(res.Phones, randPhone(r, 11+r.IntN(2)))
	}
	for range r.IntN(4) {
		d := 11 + r.IntN(2)
		s := randPhone(r, d)
		k, _ := phoneKey(s)
		w := uint64(r.IntN(3000))
		if r.IntN(20) == 0 {
			w = 50000
		}
		e := min(k+w, k|(1<<phoneValueBits-1))
		ev := e & (1<<phoneValueBits - 1)
		if ev >= 1e11 && d == 11 || ev >= 1e12 && d == 12 {
			e = k
		}
		res.Ranges = append(res.Ranges, PhoneRange{s, fmt.Sprintf("+%d", e&(1<<phoneValueBits-1))})
	}
	for range r.IntN(3) {
		res.Domains = append(res.Domains, fmt.Sprintf("d%d.example.pk", r.IntN(60)))
	}
	if r.IntN(3) == 0 {
		res.Domains = append(res.Domains, "example.pk")
	}
	for range r.IntN(3) {
		if r.IntN(2) == 0 {
			res.Prefixes = append(res.Prefixes, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), 0}), 20+r.IntN(13)).Masked())
		} else {
			res.Prefixes = append(res.Prefixes, netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0xd, 0xb8, 0, byte(r.IntN(8))}), 32+r.IntN(33)).Masked())
		}
	}
	if r.IntN(2) == 0 {
		res.BusinessName = randName(r) + " private limited"
	}
	return res
}

var statuses = []string{StatusProvisional, StatusActive, StatusSuspended, StatusRevoked, StatusExpired, StatusSurrendered}

func checkAgainstModel(t *testing.T, r *rand.Rand, v *View, m model, rounds int) {
	t.Helper()
	checkPhoneIndex(t, v.phones)
	if v.Stats().Licences != len(m) {
		t.Fatalf("licences %d, model %d", v.Stats().Licences, len(m))
	}
	for range rounds {
		p := randPhone(r, 11+r.IntN(2))
		k, _ := phoneKey(p)
		if d := cmp.Diff(m.phone(k, k, nil), nums(v.ByPhone(p))); d != "" {
			t.Fatalf("ByPhone(%s) (-model +index):\n%s", p, d)
		}
		hi := k + uint64(r.IntN(5000))
		if hi&(1<<phoneValueBits-1) >= 1e11 && k>>phoneValueBits == 11 || hi&(1<<phoneValueBits-1) >= 1e12 {
			hi = k
		}
		end := fmt.Sprintf("+%d", hi&(1<<phoneValueBits-1))
		except := int64(r.IntN(20))
		if d := cmp.Diff(m.phone(k, hi, &except), nums(v.PhoneOverlaps(p, end, except))); d != "" {
			t.Fatalf("PhoneOverlaps(%s, %s, %d) (-model +index):\n%s", p, end, except, d)
		}
		h := fmt.Sprintf("www.d%d.example.pk", r.IntN(70))
		if d := cmp.Diff(m.domain(h), nums(v.ByDomain(h))); d != "" {
			t.Fatalf("ByDomain(%s) (-model +index):\n%s", h, d)
		}
		a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))})
		if r.IntN(2) == 0 {
			a = netip.AddrFrom16([16]byte{0x20, 0x01, 0xd, 0xb8, 0, byte(r.IntN(8)), byte(r.IntN(256)), 15: 1})
		}
		if d := cmp.Diff(m.ip(a), nums(v.ByIP(a))); d != "" {
			t.Fatalf("ByIP(%s) (-model +index):\n%s", a, d)
		}
		q := randName(r)
		if r.IntN(2) == 0 {
			q = q[:1+r.IntN(len(q))]
		}
		ranked := v.SearchName(q, 1<<30)
		if top := v.SearchName(q, 7); len(ranked) > 7 {
			if d := cmp.Diff(ranked[:7], top); d != "" {
				t.Fatalf("SearchName(%q, 7) is not the head of the full ranking (-full +top):\n%s", q, d)
			}
		}
		got := nums(ranked)
		slices.Sort(got)
		if d := cmp.Diff(m.search(q), got); d != "" {
			t.Fatalf("SearchName(%q) (-model +index):\n%s", q, d)
		}
	}
	for n, l := range m {
		if got, ok := v.ByNumber(n); !ok || got != l.lic {
			t.Fatalf("ByNumber(%s) = %v, %v", n, got, ok)
		}
	}
}

// TestModel applies random updates, large enough to split and merge
// chunks, and compares every kind of query with brute force.
func TestModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := New()
	m := model{}
	var oldView *View
	var oldModel model
	ops := 3000
	if testing.Short() {
		ops = 600
	}
	for op := range ops {
		switch k := r.IntN(100); {
		case k < 70:
			n := fmt.Sprintf("L-%04d", r.IntN(500))
			l := Licence{Number: n, Status: statuses[r.IntN(len(statuses))], TradeName: randName(r),
				City: "Lahore", BusinessID: int64(r.IntN(20)), SiteID: int64(op)}
			res := randResources(r)
			if err := x.Upsert(l, res); err != nil {
				t.Fatal(err)
			}
			m[n] = newModelLic(l, res)
		case k < 98:
			n := fmt.Sprintf("L-%04d", r.IntN(500))
			x.Remove(n)
			delete(m, n)
		case k < 99 && op > ops/4:
			// Remove most licences one by one: chunks shrink, merge and
			// vanish.
			for n := range m {
				if r.IntN(10) != 0 {
					x.Remove(n)
					delete(m, n)
					if r.IntN(20) == 0 {
						checkPhoneIndex(t, x.View().phones)
					}
				}
			}
		default:
			var all []Record
			for _, l := range m {
				all = append(all, Record{l.lic, l.res})
			}
			if err := x.Replace(all); err != nil {
				t.Fatal(err)
			}
		}
		if op%25 == 0 {
			checkAgainstModel(t, r, x.View(), m, 20)
		}
		if op == ops/2 {
			oldView, oldModel = x.View(), m.clone()
		}
	}
	checkAgainstModel(t, r, x.View(), m, 200)
	// A view taken earlier still answers as it did.
	checkAgainstModel(t, r, oldView, oldModel, 200)
	t.Logf("final: %+v, %d nodes, %d leaves", x.Stats(), len(x.View().phones.nodes), phoneLeaves(x.View().phones))
}
