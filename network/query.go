package network

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// NetworkOf returns the id of the network a complaint is in.
func (e *Engine) NetworkOf(complaintID int64) (int64, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	if !g.hasComplaint(complaintID) {
		return 0, false
	}
	return int64(g.netID(int32(complaintID))), true
}

// IdentifierByKey finds an identifier by its match key.
func (e *Engine) IdentifierByKey(key string) (int64, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	k, ok := e.g.keys.get(key, e.g.keyOf)
	return int64(k), ok
}

// agg returns a network's aggregates: the stored component, or one
// computed on the spot for a network of one (without the writers'
// scratch space: readers run concurrently).
func (g *graph) agg(c int32) *component {
	if k := g.cs[c].comp; k >= 0 {
		return &g.comps[k]
	}
	m := &g.cs[c]
	x := &component{members: []int32{c}, id: c, first: math.MaxInt64, last: math.MinInt64, loss: m.loss, victims: 1,
		cities: []count32{{m.city, 1}}, cats: []count32{{m.category, 1}}}
	if m.at != noTime {
		x.first, x.last = m.at, m.at
	}
	for _, i := range m.idents { // a complaint's links are distinct
		if g.active(c, i) {
			x.idents++
			x.tiers[g.ids[i].tier]++
		}
	}
	return x
}

func (x *component) topTier() Tier {
	for t := TierVeryHigh; t > TierNone; t-- {
		if x.tiers[t] > 0 {
			return t
		}
	}
	return TierNone
}

func (g *graph) counts(in *interner, cs []count32) []Count {
	out := make([]Count, 0, len(cs))
	for _, c := range cs {
		if name := in.names[c.id]; name != "" && c.n > 0 {
			out = append(out, Count{Name: name, N: int(c.n)})
		}
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func (g *graph) summary(x *component) Summary {
	return Summary{
		ID:          int64(x.id),
		Complaints:  len(x.members),
		Identifiers: int(x.idents),
		Victims:     int(x.victims),
		LossPaisa:   x.loss,
		Cities:      g.counts(&g.cities, x.cities),
		Categories:  g.counts(&g.cats, x.cats),
		First:       fromNano(x.first),
		Last:        fromNano(x.last),
		TopTier:     x.topTier(),
	}
}

// Network returns a network in full: its complaints, every identifier
// they mention with its state and tier, its aggregates and the decisions
// that shaped it.
func (e *Engine) Network(id int64) (*Network, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	if !g.hasComplaint(id) || int64(g.netID(int32(id))) != id {
		return nil, false
	}
	x := g.agg(int32(id))
	s := g.summary(x)
	n := &Network{
		ID: s.ID, Victims: s.Victims, LossPaisa: s.LossPaisa, Cities: s.Cities, Categories: s.Categories,
		First: s.First, Last: s.Last, TopTier: s.TopTier,
	}
	n.Complaints = make([]int64, len(x.members))
	for k, m := range x.members {
		n.Complaints[k] = int64(m)
	}
	slices.Sort(n.Complaints)
	inNet := make(map[int32]int, len(x.members)*3)
	for _, m := range x.members {
		for _, i := range g.cs[m].idents {
			inNet[i]++
		}
	}
	for i, cnt := range inNet {
		id := &g.ids[i]
		n.Identifiers = append(n.Identifiers, NetIdentifier{
			ID: int64(i), Type: g.types.names[id.typ], Key: id.key, Value: id.value,
			State: id.state, Tier: id.tier, Complaints: cnt,
		})
	}
	slices.SortFunc(n.Identifiers, func(a, b NetIdentifier) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.Value, b.Value), cmp.Compare(a.ID, b.ID))
	})
	members := make(map[int64]bool, len(x.members))
	for _, m := range x.members {
		members[int64(m)] = true
	}
	for _, d := range g.decisions {
		shaped := false
		switch d.Kind {
		case ConfirmIdentifier, RejectIdentifier:
			_, shaped = inNet[int32(d.Identifier)]
		case ConfirmLink, RejectLink:
			shaped = members[d.Complaint]
		case Merge, Split:
			shaped = slices.ContainsFunc(d.Complaints, func(c int64) bool { return members[c] })
		}
		if shaped {
			n.Decisions = append(n.Decisions, d.ID)
		}
	}
	slices.Sort(n.Decisions)
	return n, true
}

// Networks ranks networks. It returns one page and the number of networks
// that pass the filter. Aggregates are kept up to date by the updates, so
// a ranking costs a filter and a sort.
func (e *Engine) Networks(f Filter) ([]Summary, int) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	minN := f.MinComplaints
	if minN <= 0 {
		minN = 2
	}
	match := func(in *interner, name string) []int32 {
		var ids []int32
		for k, n := range in.names {
			if strings.EqualFold(n, name) {
				ids = append(ids, int32(k))
			}
		}
		return ids
	}
	var cityIDs, catIDs []int32
	if f.City != "" {
		if cityIDs = match(&g.cities, f.City); cityIDs == nil {
			return nil, 0
		}
	}
	if f.Category != "" {
		if catIDs = match(&g.cats, f.Category); catIDs == nil {
			return nil, 0
		}
	}
	has := func(cs []count32, ids []int32) bool {
		if ids == nil {
			return true
		}
		for _, c := range cs {
			if c.n > 0 && slices.Contains(ids, c.id) {
				return true
			}
		}
		return false
	}
	type row struct {
		x       *component
		victims int32
		loss    int64
		last    int64
		id      int32
	}
	var rows []row
	keep := func(x *component) {
		if len(x.members) >= minN && has(x.cities, cityIDs) && has(x.cats, catIDs) {
			rows = append(rows, row{x, x.victims, x.loss, x.last, x.id})
		}
	}
	for k := range g.comps {
		if x := &g.comps[k]; x.members != nil {
			keep(x)
		}
	}
	if minN <= 1 {
		for c := range g.cs {
			if g.cs[c].present && g.cs[c].comp < 0 {
				keep(g.agg(int32(c)))
			}
		}
	}
	byVictims := func(a, b row) int { return cmp.Compare(b.victims, a.victims) }
	byLoss := func(a, b row) int { return cmp.Compare(b.loss, a.loss) }
	byRecent := func(a, b row) int { return cmp.Compare(b.last, a.last) }
	byID := func(a, b row) int { return cmp.Compare(a.id, b.id) }
	var order []func(a, b row) int
	switch f.Sort {
	case "loss":
		order = []func(a, b row) int{byLoss, byVictims, byRecent, byID}
	case "recent":
		order = []func(a, b row) int{byRecent, byVictims, byLoss, byID}
	default:
		order = []func(a, b row) int{byVictims, byLoss, byRecent, byID}
	}
	slices.SortFunc(rows, func(a, b row) int {
		for _, o := range order {
			if c := o(a, b); c != 0 {
				return c
			}
		}
		return 0
	})
	total := len(rows)
	lo := min(max(f.Offset, 0), total)
	hi := total
	if f.Limit > 0 {
		hi = min(lo+f.Limit, total)
	}
	out := make([]Summary, 0, hi-lo)
	for _, r := range rows[lo:hi] {
		out = append(out, g.summary(r.x))
	}
	return out, total
}

// Assess returns an identifier's tier with its reasons and counts.
func (e *Engine) Assess(identifierID int64) (Assessment, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	if !g.hasIdent(identifierID) {
		return Assessment{}, false
	}
	i := int32(identifierID)
	id := &g.ids[i]
	a := Assessment{
		Complaints: len(id.complaints), Victims: int(id.victims), LossPaisa: id.loss,
		NetworkSize: g.netSize(i), State: id.state,
	}
	a.Tier = g.evaluate(i, &a.Reasons)
	return a, true
}

// Tier returns an identifier's stored tier, the cheap lookup for partners.
func (e *Engine) Tier(identifierID int64) (Tier, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if !e.g.hasIdent(identifierID) {
		return TierNone, false
	}
	return e.g.ids[identifierID].tier, true
}

// Held lists the identifiers held for review, most victims first.
func (e *Engine) Held() []HeldIdentifier {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	out := make([]HeldIdentifier, 0, len(g.held))
	for i := range g.held {
		id := &g.ids[i]
		out = append(out, HeldIdentifier{
			ID: int64(i), Type: g.types.names[id.typ], Key: id.key, Value: id.value,
			Complaints: len(id.complaints), Victims: int(id.victims), LossPaisa: id.loss,
		})
	}
	slices.SortFunc(out, func(a, b HeldIdentifier) int {
		return cmp.Or(cmp.Compare(b.Victims, a.Victims), cmp.Compare(b.Complaints, a.Complaints), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Tiers returns every identifier whose tier is not none, for persisting.
func (e *Engine) Tiers() map[int64]Tier {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	out := map[int64]Tier{}
	for k := range g.ids {
		if t := g.ids[k].tier; t != TierNone && g.ids[k].present {
			out[int64(k)] = t
		}
	}
	return out
}

// Stats counts what the engine holds.
func (e *Engine) Stats() Stats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	s := Stats{Complaints: g.nComplaints, Identifiers: g.nIdents, Links: g.nLinks, Networks: g.live, Held: len(g.held)}
	for k := range g.comps {
		s.Largest = max(s.Largest, len(g.comps[k].members))
	}
	if s.Largest == 0 && s.Complaints > 0 {
		s.Largest = 1
	}
	return s
}
