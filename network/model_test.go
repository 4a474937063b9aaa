package network

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// world is the data as the database would hold it: what Load takes, and
// what a naive model computes networks and tiers from.
type world struct {
	cfg   Config
	cs    map[int64]Complaint
	ids   map[int64]Identifier
	links map[Link]bool
	ds    map[int64]Decision
}

func newWorld(cfg Config) *world {
	return &world{cfg: cfg, cs: map[int64]Complaint{}, ids: map[int64]Identifier{}, links: map[Link]bool{}, ds: map[int64]Decision{}}
}

func (w *world) lists() ([]Complaint, []Identifier, []Link, []Decision) {
	cs := slices.SortedFunc(maps.Values(w.cs), func(a, b Complaint) int { return cmp.Compare(a.ID, b.ID) })
	ids := slices.SortedFunc(maps.Values(w.ids), func(a, b Identifier) int { return cmp.Compare(a.ID, b.ID) })
	links := slices.SortedFunc(maps.Keys(w.links), func(a, b Link) int {
		return cmp.Or(cmp.Compare(a.Complaint, b.Complaint), cmp.Compare(a.Identifier, b.Identifier))
	})
	ds := slices.SortedFunc(maps.Values(w.ds), func(a, b Decision) int { return cmp.Compare(a.ID, b.ID) })
	return cs, ids, links, ds
}

func (w *world) load(t testing.TB) *Engine {
	t.Helper()
	e := New(w.cfg)
	if err := e.Load(w.lists()); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

// netSnap is a network as the public API shows it.
type netSnap struct {
	Summary
	Members []int64
}

// snap is everything observable, for comparisons.
type snap struct {
	Nets   []netSnap
	Tiers  map[int64]Tier
	States map[int64]State
	Held   []int64
	Stats  Stats
}

func snapshot(t testing.TB, e *Engine, w *world) snap {
	t.Helper()
	sums, total := e.Networks(Filter{MinComplaints: 1})
	if total != len(sums) {
		t.Fatalf("Networks: total %d, %d rows", total, len(sums))
	}
	s := snap{Tiers: e.Tiers(), States: map[int64]State{}, Stats: e.Stats()}
	for _, sum := range sums {
		n, ok := e.Network(sum.ID)
		if !ok {
			t.Fatalf("Network(%d) not found", sum.ID)
		}
		s.Nets = append(s.Nets, netSnap{Summary: sum, Members: n.Complaints})
		for _, c := range n.Complaints {
			if id, ok := e.NetworkOf(c); !ok || id != sum.ID {
				t.Fatalf("NetworkOf(%d) = %d, %v; want %d", c, id, ok, sum.ID)
			}
		}
	}
	slices.SortFunc(s.Nets, func(a, b netSnap) int { return cmp.Compare(a.ID, b.ID) })
	for id := range w.ids {
		a, ok := e.Assess(id)
		if !ok {
			t.Fatalf("Assess(%d) not found", id)
		}
		s.States[id] = a.State
		if tt, _ := e.Tier(id); tt != a.Tier {
			t.Fatalf("identifier %d: stored tier %v, assessed %v", id, tt, a.Tier)
		}
	}
	for _, h := range e.Held() {
		s.Held = append(s.Held, h.ID)
	}
	slices.Sort(s.Held)
	return s
}

// model computes the snapshot naively from the world: states, active
// links, components by breadth-first search over (identifier, label)
// nodes and Merge edges, aggregates and tiers, all from scratch.
func (w *world) model() snap {
	type istat struct {
		complaints []int64
		victims    int
		loss       int64
	}
	st := map[int64]*istat{}
	for id := range w.ids {
		st[id] = &istat{}
	}
	byC := map[int64][]int64{}
	for l := range w.links {
		st[l.Identifier].complaints = append(st[l.Identifier].complaints, l.Complaint)
		byC[l.Complaint] = append(byC[l.Complaint], l.Identifier)
	}
	victimKey := func(c int64) string {
		if v := w.cs[c].Victim; v != "" {
			return "v:" + v
		}
		return fmt.Sprint("c:", c)
	}
	for _, s := range st {
		vs := map[string]bool{}
		for _, c := range s.complaints {
			vs[victimKey(c)] = true
			s.loss += w.cs[c].LossPaisa
		}
		s.victims = len(vs)
	}
	confirms, rejects := map[int64]int{}, map[int64]int{}
	lconf, lrej := map[Link]bool{}, map[Link]bool{}
	label := map[int64]int64{}
	var merges [][]int64
	for _, d := range w.ds {
		switch d.Kind {
		case ConfirmIdentifier:
			confirms[d.Identifier]++
		case RejectIdentifier:
			rejects[d.Identifier]++
		case ConfirmLink:
			lconf[Link{d.Complaint, d.Identifier}] = true
		case RejectLink:
			lrej[Link{d.Complaint, d.Identifier}] = true
		case Merge:
			merges = append(merges, d.Complaints)
		case Split:
			for _, c := range d.Complaints {
				label[c] = max(label[c], d.ID)
			}
		}
	}
	states := map[int64]State{}
	for id, x := range w.ids {
		th := w.cfg.Default
		if t, ok := w.cfg.ByType[x.Type]; ok && t != (Threshold{}) {
			th = t
		}
		s := st[id]
		switch {
		case x.Listed:
			states[id] = StateListed
		case rejects[id] > 0:
			states[id] = StateRejected
		case confirms[id] > 0:
			states[id] = StateConfirmed
		case len(s.complaints) > th.Complaints && s.victims > th.Victims:
			states[id] = StateHeld
		default:
			states[id] = StateLinking
		}
	}
	active := func(l Link) bool {
		switch states[l.Identifier] {
		case StateListed, StateRejected:
			return false
		case StateHeld:
			if !lconf[l] {
				return false
			}
		}
		return !lrej[l]
	}
	// Graph: complaint nodes and identifier nodes.
	type node struct {
		i, label int64
	}
	adjC := map[int64][]node{}
	adjN := map[node][]int64{}
	for l := range w.links {
		if active(l) {
			n := node{l.Identifier, label[l.Complaint]}
			adjC[l.Complaint] = append(adjC[l.Complaint], n)
			adjN[n] = append(adjN[n], l.Complaint)
		}
	}
	mergeAdj := map[int64][]int64{}
	for _, m := range merges {
		for _, c := range m[1:] {
			mergeAdj[m[0]] = append(mergeAdj[m[0]], c)
			mergeAdj[c] = append(mergeAdj[c], m[0])
		}
	}
	compOf := map[int64]int64{}
	var comps [][]int64
	for _, c := range slices.Sorted(maps.Keys(w.cs)) {
		if _, ok := compOf[c]; ok {
			continue
		}
		queue := []int64{c}
		compOf[c] = c
		seenN := map[node]bool{}
		for q := 0; q < len(queue); q++ {
			x := queue[q]
			next := slices.Clone(mergeAdj[x])
			for _, n := range adjC[x] {
				if !seenN[n] {
					seenN[n] = true
					next = append(next, adjN[n]...)
				}
			}
			for _, y := range next {
				if _, ok := compOf[y]; !ok {
					compOf[y] = c
					queue = append(queue, y)
				}
			}
		}
		slices.Sort(queue)
		comps = append(comps, queue)
	}
	size := map[int64]int{}
	for _, m := range comps {
		size[m[0]] = len(m)
	}
	tiers := map[int64]Tier{}
	for id, x := range w.ids {
		s := st[id]
		ns := 0
		for _, c := range s.complaints {
			if active(Link{c, id}) {
				ns = max(ns, size[compOf[c]])
			}
		}
		tiers[id] = modelTier(states[id], s.victims, s.loss, ns, x.Finding)
	}
	out := snap{Tiers: map[int64]Tier{}, States: states}
	for id, t := range tiers {
		if t != TierNone {
			out.Tiers[id] = t
		}
		if states[id] == StateHeld {
			out.Held = append(out.Held, id)
		}
	}
	slices.Sort(out.Held)
	out.Stats = Stats{Complaints: len(w.cs), Identifiers: len(w.ids), Links: len(w.links), Held: len(out.Held)}
	for _, m := range comps {
		n := netSnap{Members: m}
		n.ID = m[0]
		n.Complaints = len(m)
		vs, idents := map[string]bool{}, map[int64]bool{}
		cities, cats := map[string]int{}, map[string]int{}
		for _, c := range m {
			x := w.cs[c]
			vs[victimKey(c)] = true
			n.LossPaisa += x.LossPaisa
			cities[x.City]++
			cats[x.Category]++
			if !x.ReceivedAt.IsZero() {
				if n.First.IsZero() || x.ReceivedAt.Before(n.First) {
					n.First = x.ReceivedAt
				}
				if n.Last.IsZero() || x.ReceivedAt.After(n.Last) {
					n.Last = x.ReceivedAt
				}
			}
			for _, i := range byC[c] {
				if active(Link{c, i}) {
					idents[i] = true
					n.TopTier = max(n.TopTier, tiers[i])
				}
			}
		}
		n.Victims = len(vs)
		n.Identifiers = len(idents)
		n.Cities, n.Categories = modelCounts(cities), modelCounts(cats)
		out.Nets = append(out.Nets, n)
		if len(m) >= 2 {
			out.Stats.Networks++
		}
		out.Stats.Largest = max(out.Stats.Largest, len(m))
	}
	return out
}

func modelCounts(m map[string]int) []Count {
	out := []Count{}
	for k, v := range m {
		if k != "" {
			out = append(out, Count{k, v})
		}
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Name, b.Name)) })
	return out
}

// modelTier restates the tier rule independently of tier.go.
func modelTier(s State, victims int, loss int64, netSize int, finding string) Tier {
	if s == StateListed || s == StateRejected {
		return TierNone
	}
	p := 0
	switch {
	case victims >= 20:
		p = 4
	case victims >= 5:
		p = 3
	case victims >= 2:
		p = 2
	case victims == 1:
		p = 1
	}
	rs := loss / 100
	switch {
	case rs >= 10_000_000:
		p += 3
	case rs >= 1_000_000:
		p += 2
	case rs >= 100_000:
		p++
	}
	switch {
	case netSize >= 100:
		p += 2
	case netSize >= 10:
		p++
	}
	if s == StateConfirmed {
		p++
	}
	t := TierNone
	switch {
	case p >= 6:
		t = TierVeryHigh
	case p >= 4:
		t = TierHigh
	case p >= 2:
		t = TierMedium
	}
	if s == StateConfirmed {
		t = max(t, TierMedium)
	}
	if s == StateHeld {
		t = min(t, TierMedium)
	}
	if finding != "" {
		t = TierVeryHigh
	}
	return t
}

// normal makes empty and nil slices compare equal.
var normal = gocmp.Transformer("normal", func(cs []Count) []Count {
	if len(cs) == 0 {
		return nil
	}
	return cs
})

func diffSnap(want, got snap) string {
	return gocmp.Diff(want, got, normal)
}

// --- random worlds ---

type gen struct {
	r     *rand.Rand
	nextC int64
	nextI int64
	nextD int64
}

var testTypes = []string{"phone", "wallet", "url", "iban"}

func (g *gen) complaint(id int64) Complaint {
	c := Complaint{ID: id, City: []string{"Lahore", "Karachi", "Quetta", ""}[g.r.IntN(4)],
		Category: []string{"investment", "lottery", "job"}[g.r.IntN(3)]}
	if g.r.IntN(8) > 0 {
		c.Victim = fmt.Sprint("v", g.r.IntN(30))
	}
	switch g.r.IntN(4) {
	case 0:
	case 1:
		c.LossPaisa = int64(g.r.IntN(50_000)) * 100
	case 2:
		c.LossPaisa = int64(g.r.IntN(2_000_000)) * 100
	default:
		c.LossPaisa = int64(g.r.IntN(30_000_000)) * 100
	}
	if g.r.IntN(10) > 0 {
		c.ReceivedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.r.IntN(1e6)) * time.Second)
	}
	return c
}

func (g *gen) identifier(id int64) Identifier {
	typ := testTypes[g.r.IntN(len(testTypes))]
	x := Identifier{ID: id, Type: typ, Key: fmt.Sprintf("%s:%d", typ, id), Value: fmt.Sprint(id), Listed: g.r.IntN(12) == 0}
	if g.r.IntN(20) == 0 {
		x.Finding = fmt.Sprintf("seized in raid RD-2026-%04d", id)
	}
	return x
}

// skewed picks 1..n with a heavy head, so a few identifiers are popular.
func (g *gen) skewed(n int64) int64 {
	if g.r.IntN(3) == 0 {
		return 1 + g.r.Int64N(min(n, 4))
	}
	return 1 + g.r.Int64N(n)
}

var testConfig = Config{Default: Threshold{Complaints: 6, Victims: 3}, ByType: map[string]Threshold{"url": {3, 2}}}

// randomDecision returns a decision against the world's ids.
func (g *gen) randomDecision(w *world) Decision {
	g.nextD++
	d := Decision{ID: g.nextD}
	cs := slices.Sorted(maps.Keys(w.cs))
	anyC := func() int64 { return cs[g.r.IntN(len(cs))] }
	anyI := func() int64 { return 1 + g.r.Int64N(g.nextI) }
	switch g.r.IntN(6) {
	case 0:
		d.Kind, d.Identifier = ConfirmIdentifier, anyI()
	case 1:
		d.Kind, d.Identifier = RejectIdentifier, anyI()
	case 2, 3:
		d.Kind = ConfirmLink
		if g.r.IntN(2) == 0 {
			d.Kind = RejectLink
		}
		// Mostly an existing link.
		links := slices.SortedFunc(maps.Keys(w.links), func(a, b Link) int {
			return cmp.Or(cmp.Compare(a.Complaint, b.Complaint), cmp.Compare(a.Identifier, b.Identifier))
		})
		if len(links) > 0 && g.r.IntN(5) > 0 {
			l := links[g.r.IntN(len(links))]
			d.Complaint, d.Identifier = l.Complaint, l.Identifier
		} else {
			d.Complaint, d.Identifier = anyC(), anyI()
		}
	case 4:
		d.Kind = Merge
		for range 2 + g.r.IntN(2) {
			d.Complaints = append(d.Complaints, anyC())
		}
		if d.Complaints[0] == d.Complaints[1] {
			d.Complaints[1] = cs[(slices.Index(cs, d.Complaints[0])+1)%len(cs)]
		}
	default:
		d.Kind = Split
		for range 1 + g.r.IntN(4) {
			d.Complaints = append(d.Complaints, anyC())
		}
	}
	return d
}

// checkChanges verifies that an update reported every network that
// changed (before and after) and exactly the tier changes.
func checkChanges(t *testing.T, what string, before, after snap, ch Changes) {
	t.Helper()
	reported := map[int64]bool{}
	for _, id := range ch.Networks {
		reported[id] = true
	}
	index := func(s snap) map[int64]netSnap {
		m := map[int64]netSnap{}
		for _, n := range s.Nets {
			m[n.ID] = n
		}
		return m
	}
	b, a := index(before), index(after)
	for id, n := range b {
		if m, ok := a[id]; (!ok || gocmp.Diff(n, m, normal) != "") && !reported[id] {
			t.Fatalf("%s: network %d changed but was not reported (reported %v)", what, id, ch.Networks)
		}
	}
	for id, n := range a {
		if m, ok := b[id]; (!ok || gocmp.Diff(n, m, normal) != "") && !reported[id] {
			t.Fatalf("%s: network %d is new or changed but was not reported (reported %v)", what, id, ch.Networks)
		}
	}
	for id := range reported {
		_, inB := b[id]
		_, inA := a[id]
		if !inB && !inA {
			t.Fatalf("%s: reported network %d, which is no network before or after (reported %v)", what, id, ch.Networks)
		}
	}
	var want []TierChange
	for _, id := range slices.Sorted(maps.Keys(before.States)) {
		if before.Tiers[id] != after.Tiers[id] {
			want = append(want, TierChange{id, before.Tiers[id], after.Tiers[id]})
		}
	}
	for id := range after.States {
		if _, ok := before.States[id]; !ok && after.Tiers[id] != TierNone {
			want = append(want, TierChange{id, TierNone, after.Tiers[id]})
		}
	}
	slices.SortFunc(want, func(x, y TierChange) int { return cmp.Compare(x.Identifier, y.Identifier) })
	if d := gocmp.Diff(want, ch.Tiers); d != "" {
		t.Fatalf("%s: tier changes (-want +got):\n%s", what, d)
	}
}
