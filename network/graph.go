package network

import (
	"math"
	"slices"
)

// noTime stands for the zero time.Time in complaint.at.
const noTime = math.MinInt64

// Sizes above which maps replace rescans. A small network or identifier is
// recounted from scratch when it changes (a few hundred array reads); a
// large one keeps per-victim and per-identifier counts in maps so that a
// complaint joining it costs a handful of map operations, not a rescan.
// Variables so that tests can lower them and exercise both paths.
var (
	bigComp  = 128
	bigIdent = 256
)

type complaint struct {
	loss     int64
	at       int64   // unix nanoseconds, or noTime
	idents   []int32 // identifiers it mentions
	victim   int32   // interned victim key; -(complaint id) when unknown, so it is distinct
	city     int32
	category int32
	comp     int32 // component index; -1 for a network of one
	present  bool
}

type ident struct {
	key, value string
	complaints []int32 // complaints that mention it
	loss       int64   // their total loss
	victims    int32   // their distinct victims
	typ        int32
	listed     bool
	present    bool
	state      State
	tier       Tier
}

// component is a network of two or more complaints with its aggregates.
type component struct {
	members     []int32 // unsorted
	loss        int64
	first, last int64
	id          int32 // smallest member
	victims     int32
	idents      int32    // distinct identifiers with an active link into it
	tiers       [4]int32 // those identifiers by tier
	cities      []count32
	cats        []count32
	vmap        map[int32]int32 // big components only: victim -> complaints
	imap        map[int32]int32 // big components only: identifier -> active links
}

type count32 struct{ id, n int32 }

func addCount(cs *[]count32, id, n int32) {
	for k := range *cs {
		if (*cs)[k].id == id {
			(*cs)[k].n += n
			return
		}
	}
	*cs = append(*cs, count32{id, n})
}

type interner struct {
	names []string
	idx   map[string]int32
}

func (in *interner) id(s string) int32 {
	if k, ok := in.idx[s]; ok {
		return k
	}
	if in.idx == nil {
		in.idx = map[string]int32{}
	}
	k := int32(len(in.names))
	in.names = append(in.names, s)
	in.idx[s] = k
	return k
}

// stamp is a reusable "seen" set over dense indexes: marking is one array
// write, and clearing is bumping the generation.
type stamp struct {
	gen   uint32
	marks []uint32
}

func (s *stamp) next(n int) {
	if cap(s.marks) >= n && len(s.marks) < n {
		s.marks = s.marks[:cap(s.marks)]
	}
	if len(s.marks) < n {
		s.marks = slices.Grow(s.marks, n-len(s.marks)+n/4)[:n+n/4]
	}
	s.gen++
	if s.gen == 0 {
		clear(s.marks)
		s.gen = 1
	}
}

// mark marks i and reports whether it was unmarked.
func (s *stamp) mark(i int32) bool {
	if s.marks[i] == s.gen {
		return false
	}
	s.marks[i] = s.gen
	return true
}

func (s *stamp) has(i int32) bool { return s.marks[i] == s.gen }

func linkKey(c, i int32) uint64 { return uint64(uint32(c))<<32 | uint64(uint32(i)) }

// graph is the whole state. Load builds a new one and swaps it in; updates
// change it in place under the write lock. Scratch space is used by
// writers only.
type graph struct {
	cfg Config
	thr []Threshold // by type index

	cs       []complaint
	ids      []ident
	keys     strIndex // identifier match key -> id
	victims  victimIndex
	nVictims int32
	types    interner
	cities   interner
	cats     interner

	comps []component
	free  []int32
	live  int

	nComplaints, nIdents, nLinks int

	identVictims map[int32]map[int32]int32 // big identifiers: victim -> complaints
	findings     map[int32]string
	removals     map[int32]string

	decisions    map[int64]*Decision
	confirms     map[int32]int32  // identifier -> active ConfirmIdentifier decisions
	rejects      map[int32]int32  // identifier -> active RejectIdentifier decisions
	linkConfirm  map[uint64]int32 // link -> active ConfirmLink decisions
	linkReject   map[uint64]int32 // link -> active RejectLink decisions
	linkConfirmN map[int32]int32  // identifier -> links with a ConfirmLink
	merges       map[int32][]int64
	splits       map[int32][]int64
	labels       map[int32]int64 // complaint -> partition label, when not 0
	held         map[int32]struct{}

	// writer scratch
	vst, ist, sst, ust, nst, tst stamp
	nrep                         []int32
	local                        []int32
	uf                           []int32
}

func newGraph(cfg Config) *graph {
	g := &graph{
		cfg:          cfg,
		keys:         newStrIndex(0),
		victims:      newVictimIndex(0),
		identVictims: map[int32]map[int32]int32{},
		findings:     map[int32]string{},
		removals:     map[int32]string{},
		decisions:    map[int64]*Decision{},
		confirms:     map[int32]int32{},
		rejects:      map[int32]int32{},
		linkConfirm:  map[uint64]int32{},
		linkReject:   map[uint64]int32{},
		linkConfirmN: map[int32]int32{},
		merges:       map[int32][]int64{},
		splits:       map[int32][]int64{},
		labels:       map[int32]int64{},
		held:         map[int32]struct{}{},
	}
	return g
}

func (g *graph) typeID(name string) int32 {
	t := g.types.id(name)
	for int(t) >= len(g.thr) {
		n := g.types.names[len(g.thr)]
		th, ok := g.cfg.ByType[n]
		if !ok || th == (Threshold{}) {
			th = g.cfg.Default
		}
		g.thr = append(g.thr, th)
	}
	return t
}

func (g *graph) victimID(key string, c int32) int32 {
	if key == "" {
		return -c
	}
	h, x := g.victims.hash(key)
	if v, ok := g.victims.t.get(h, x); ok {
		return v
	}
	v := g.nVictims
	g.nVictims++
	g.victims.t.put(h, x, v)
	return v
}

func (g *graph) keyOf(i int32) string { return g.ids[i].key }

func (g *graph) label(c int32) int64 {
	if len(g.labels) == 0 {
		return 0
	}
	return g.labels[c]
}

// active reports whether the link (c, i) links, given the identifier's
// state and the link decisions.
func (g *graph) active(c, i int32) bool {
	switch g.ids[i].state {
	case StateListed, StateRejected:
		return false
	case StateHeld:
		if len(g.linkConfirm) == 0 || g.linkConfirm[linkKey(c, i)] == 0 {
			return false
		}
	}
	return len(g.linkReject) == 0 || g.linkReject[linkKey(c, i)] == 0
}

func (g *graph) computeState(i int32) State {
	id := &g.ids[i]
	switch {
	case id.listed:
		return StateListed
	case g.rejects[i] > 0:
		return StateRejected
	case g.confirms[i] > 0:
		return StateConfirmed
	}
	t := g.thr[id.typ]
	if len(id.complaints) > t.Complaints && int(id.victims) > t.Victims {
		return StateHeld
	}
	return StateLinking
}

func (g *graph) netID(c int32) int32 {
	if k := g.cs[c].comp; k >= 0 {
		return g.comps[k].id
	}
	return c
}

func (g *graph) compSize(c int32) int {
	if k := g.cs[c].comp; k >= 0 {
		return len(g.comps[k].members)
	}
	return 1
}

// sizeBracket is the network-size step of the tier rule; a network
// crossing one changes the tiers of its identifiers.
func sizeBracket(n int) int {
	switch {
	case n >= 100:
		return 2
	case n >= 10:
		return 1
	}
	return 0
}

// netSize is the size of the largest network the identifier links into.
func (g *graph) netSize(i int32) int {
	id := &g.ids[i]
	switch id.state {
	case StateListed, StateRejected:
		return 0
	case StateHeld:
		if g.linkConfirmN[i] == 0 {
			return 0
		}
	}
	best := 0
	for _, c := range id.complaints {
		if !g.active(c, i) {
			continue
		}
		if s := g.compSize(c); s > best {
			best = s
		}
		// Without partition labels all active links meet in one node,
		// hence one network.
		if len(g.labels) == 0 {
			break
		}
	}
	return best
}

// --- identifier counts ---

// recountVictims counts an identifier's distinct victims from scratch
// (small identifiers) or builds its victim map (large ones).
func (g *graph) recountVictims(i int32) {
	id := &g.ids[i]
	if len(id.complaints) >= bigIdent {
		m := make(map[int32]int32, len(id.complaints))
		for _, c := range id.complaints {
			m[g.cs[c].victim]++
		}
		g.identVictims[i] = m
		id.victims = int32(len(m))
		return
	}
	delete(g.identVictims, i)
	g.vst.next(int(g.nVictims))
	n := int32(0)
	for _, c := range id.complaints {
		if v := g.cs[c].victim; v < 0 || g.vst.mark(v) {
			n++
		}
	}
	id.victims = n
}

// addContribution counts complaint c (already in the identifier's list)
// into identifier i's victims and loss.
func (g *graph) addContribution(i, c int32) {
	id := &g.ids[i]
	id.loss += g.cs[c].loss
	if m := g.identVictims[i]; m != nil {
		v := g.cs[c].victim
		if m[v]++; m[v] == 1 {
			id.victims++
		}
		return
	}
	g.recountVictims(i)
}

// dropContribution removes complaint c (already gone from the list, or
// about to change) from identifier i's victims and loss.
func (g *graph) dropContribution(i, c int32, recount bool) {
	id := &g.ids[i]
	id.loss -= g.cs[c].loss
	if m := g.identVictims[i]; m != nil {
		v := g.cs[c].victim
		if m[v]--; m[v] == 0 {
			delete(m, v)
			id.victims--
		}
		return
	}
	if recount {
		g.recountVictims(i)
	}
}

// --- components ---

func (g *graph) allocComp() int32 {
	g.live++
	if n := len(g.free); n > 0 {
		k := g.free[n-1]
		g.free = g.free[:n-1]
		return k
	}
	g.comps = append(g.comps, component{})
	return int32(len(g.comps) - 1)
}

func (g *graph) freeComp(k int32) {
	g.comps[k] = component{}
	g.free = append(g.free, k)
	g.live--
}

// computeAgg recomputes a component's aggregates from its members, with
// maps when it is big.
func (g *graph) computeAgg(k int32) {
	x := &g.comps[k]
	members := x.members
	*x = component{members: members, id: math.MaxInt32, first: math.MaxInt64, last: math.MinInt64,
		cities: x.cities[:0], cats: x.cats[:0]}
	big := len(members) >= bigComp
	if big {
		x.vmap = make(map[int32]int32, len(members))
		x.imap = make(map[int32]int32, len(members))
	} else {
		g.vst.next(int(g.nVictims))
		g.ist.next(len(g.ids))
	}
	for _, m := range members {
		g.addMember(x, m, big)
	}
}

// addMember adds complaint m's contribution to x's aggregates; with maps
// for big components, otherwise with the vst/ist stamps of the current
// computeAgg.
func (g *graph) addMember(x *component, m int32, maps bool) {
	c := &g.cs[m]
	x.id = min(x.id, m)
	x.loss += c.loss
	if c.at != noTime {
		x.first = min(x.first, c.at)
		x.last = max(x.last, c.at)
	}
	if maps {
		if x.vmap[c.victim]++; x.vmap[c.victim] == 1 {
			x.victims++
		}
	} else if c.victim < 0 || g.vst.mark(c.victim) {
		x.victims++
	}
	addCount(&x.cities, c.city, 1)
	addCount(&x.cats, c.category, 1)
	for _, i := range c.idents {
		if !g.active(m, i) {
			continue
		}
		if maps {
			if x.imap[i]++; x.imap[i] == 1 {
				x.idents++
				x.tiers[g.ids[i].tier]++
			}
		} else if g.ist.mark(i) {
			x.idents++
			x.tiers[g.ids[i].tier]++
		}
	}
}

// mergeAgg adds big component y's aggregates into big component x (y's
// members already appended to x's); the maps say which victims and
// identifiers x already counts.
func (g *graph) mergeAgg(x, y *component) {
	x.id = min(x.id, y.id)
	x.loss += y.loss
	x.first = min(x.first, y.first)
	x.last = max(x.last, y.last)
	for _, c := range y.cities {
		addCount(&x.cities, c.id, c.n)
	}
	for _, c := range y.cats {
		addCount(&x.cats, c.id, c.n)
	}
	for v, n := range y.vmap {
		old := x.vmap[v]
		x.vmap[v] = old + n
		if old == 0 {
			x.victims++
		}
	}
	for i, n := range y.imap {
		old := x.imap[i]
		x.imap[i] = old + n
		if old == 0 {
			x.idents++
			x.tiers[g.ids[i].tier]++
		}
	}
}

// --- updates ---

// op gathers one update: the affected complaints S (whose links, labels
// or merge edges may have changed), the identifiers whose tier must be
// recomputed, and the networks touched.
type op struct {
	g       *graph
	S       []int32
	touched []int32
	before  []int32 // network ids before
	after   []int32 // complaints whose network to report after
	extra   []int32 // network ids touched by tier changes
	reps    map[nodeKey]int32
	made    []int32 // components made or changed by this update: their ids are not "before" ids
	fresh   int32   // a complaint added by this update: it had no network before
	tiers   []TierChange
}

type nodeKey struct {
	i     int32
	label int64
}

func (g *graph) begin() *op {
	g.sst.next(len(g.cs))
	g.tst.next(len(g.ids))
	g.nst.next(len(g.ids))
	if len(g.nrep) < len(g.ids) {
		g.nrep = growTo(g.nrep, len(g.ids))
	}
	return &op{g: g}
}

// affect adds complaint c to S.
func (o *op) affect(c int32) {
	if o.g.sst.mark(c) {
		o.S = append(o.S, c)
	}
}

// touch queues identifier i for a tier recomputation.
func (o *op) touch(i int32) {
	if o.g.tst.mark(i) {
		o.touched = append(o.touched, i)
	}
}

func (o *op) touchMembers(members []int32) {
	for _, m := range members {
		for _, i := range o.g.cs[m].idents {
			o.touch(i)
		}
	}
}

// stateChanged recomputes identifier i's state; when it changes, all its
// complaints are affected. The identifier is touched either way.
func (o *op) stateChanged(i int32) {
	g := o.g
	o.touch(i)
	id := &g.ids[i]
	s := g.computeState(i)
	if s == id.state {
		return
	}
	if id.state == StateHeld {
		delete(g.held, i)
	}
	if s == StateHeld {
		g.held[i] = struct{}{}
	}
	id.state = s
	for _, c := range id.complaints {
		o.affect(c)
	}
}

// run restructures the networks around S and recomputes tiers.
//
// Phase one dissolves the networks of S and recomputes components inside
// their members U, under the new rules: removed edges can only split those
// networks, and edges between U and the rest are new ones, which all have
// an end in S. Phase two adds those: every complaint of S is joined to a
// representative of each identifier node it links to, and to its Merge
// partners, merging networks small into large.
func (o *op) run() Changes {
	g := o.g
	g.sst.next(len(g.cs)) // reuse as "in U"; S stays listed in o.S
	for _, c := range o.S {
		g.sst.mark(c)
	}
	// Phase one.
	U := slices.Clone(o.S)
	for _, c := range o.S {
		if g.cs[c].comp < 0 && g.cs[c].present {
			o.before = append(o.before, c) // a network of one
		}
	}
	for _, c := range o.S {
		k := g.cs[c].comp
		if k < 0 {
			continue
		}
		o.before = append(o.before, g.comps[k].id)
		for _, m := range g.comps[k].members {
			if g.sst.mark(m) {
				U = append(U, m)
			}
		}
		for _, m := range g.comps[k].members {
			g.cs[m].comp = -1
		}
		g.freeComp(k)
	}
	if len(U) > 1 {
		o.made = g.components(U, o.made)
	}
	o.touchMembers(U)
	o.after = append(o.after, U...)

	// Phase two. S membership for representatives.
	g.ust.next(len(g.cs))
	for _, c := range o.S {
		g.ust.mark(c)
	}
	for _, c := range o.S {
		lab := g.label(c)
		for _, i := range g.cs[c].idents {
			if !g.active(c, i) {
				continue
			}
			if r := o.rep(i, lab); r >= 0 && r != c {
				o.union(c, r)
			}
		}
		for _, d := range g.merges[c] {
			cs := g.decisions[d].Complaints
			r := int32(cs[0])
			if r == c {
				r = int32(cs[1])
			}
			o.union(c, r)
		}
	}
	return o.finish()
}

// rep is the representative of identifier node (i, lab): its first
// active complaint outside S if any (all of those are already connected),
// else its first active complaint.
func (o *op) rep(i int32, lab int64) int32 {
	g := o.g
	if lab == 0 && !g.nst.mark(i) {
		return g.nrep[i]
	}
	if lab != 0 {
		if r, ok := o.reps[nodeKey{i, lab}]; ok {
			return r
		}
	}
	first := int32(-1)
	for _, c := range g.ids[i].complaints {
		if g.label(c) != lab || !g.active(c, i) {
			continue
		}
		if !g.ust.has(c) {
			first = c
			break
		}
		if first < 0 {
			first = c
		}
	}
	if lab == 0 {
		g.nrep[i] = first
	} else {
		if o.reps == nil {
			o.reps = map[nodeKey]int32{}
		}
		o.reps[nodeKey{i, lab}] = first
	}
	return first
}

// noteBefore records the id of x's network if it is as it was before the
// update: not a piece of phase one, not already changed by a union.
func (o *op) noteBefore(x int32) {
	g := o.g
	if k := g.cs[x].comp; k >= 0 {
		if !slices.Contains(o.made, k) {
			o.before = append(o.before, g.comps[k].id)
		}
	} else if !g.sst.has(x) { // outside U: untouched network of one
		o.before = append(o.before, x)
	}
}

// union joins the networks of a and b, the smaller into the larger.
func (o *op) union(a, b int32) {
	g := o.g
	ka, kb := g.cs[a].comp, g.cs[b].comp
	if ka >= 0 && ka == kb {
		return
	}
	o.noteBefore(a)
	o.noteBefore(b)
	o.after = append(o.after, a)
	if g.compSize(a) > g.compSize(b) {
		a, b, ka, kb = b, a, kb, ka
	}
	if kb < 0 { // two networks of one
		k := g.allocComp()
		g.comps[k].members = []int32{a, b}
		g.cs[a].comp, g.cs[b].comp = k, k
		g.computeAgg(k)
		o.made = append(o.made, k)
		return
	}
	if !slices.Contains(o.made, kb) {
		o.made = append(o.made, kb)
	}
	src := []int32{a}
	if ka >= 0 {
		src = g.comps[ka].members
	}
	x := &g.comps[kb]
	oldN, newN := len(x.members), len(x.members)+len(src)
	if sizeBracket(oldN) != sizeBracket(newN) {
		o.touchMembers(x.members)
	}
	if sizeBracket(len(src)) != sizeBracket(newN) {
		o.touchMembers(src)
	}
	x.members = append(x.members, src...)
	for _, m := range src {
		g.cs[m].comp = kb
	}
	switch {
	case x.imap == nil:
		g.computeAgg(kb)
	case ka >= 0 && g.comps[ka].imap != nil:
		// Two big networks: add up their aggregates, so the cost is the
		// smaller one's distinct victims and identifiers, not a walk of
		// its members' links.
		g.mergeAgg(x, &g.comps[ka])
	default:
		for _, m := range src {
			g.addMember(x, m, true)
		}
	}
	if ka >= 0 {
		g.freeComp(ka)
	}
}

// components computes the components of U (whose networks were dissolved)
// with a local union-find, and makes networks of those with two or more.
func (g *graph) components(U []int32, made []int32) []int32 {
	g.ust.next(len(g.cs))
	if len(g.local) < len(g.cs) {
		g.local = growTo(g.local, len(g.cs))
	}
	for k, m := range U {
		g.ust.mark(m)
		g.local[m] = int32(k)
	}
	parent := g.uf[:0]
	for k := range U {
		parent = append(parent, int32(k))
	}
	g.uf = parent
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b int32) {
		a, b = find(a), find(b)
		if a < b {
			parent[b] = a
		} else if b < a {
			parent[a] = b
		}
	}
	g.ist.next(len(g.ids))
	var other map[nodeKey]int32
	for k, m := range U {
		lab := g.label(m)
		for _, i := range g.cs[m].idents {
			if !g.active(m, i) {
				continue
			}
			if lab == 0 {
				if g.ist.mark(i) {
					g.nrep[i] = int32(k)
				} else {
					union(int32(k), g.nrep[i])
				}
				continue
			}
			if other == nil {
				other = map[nodeKey]int32{}
			}
			if r, ok := other[nodeKey{i, lab}]; ok {
				union(int32(k), r)
			} else {
				other[nodeKey{i, lab}] = int32(k)
			}
		}
		for _, d := range g.merges[m] {
			for _, c := range g.decisions[d].Complaints {
				if g.ust.has(int32(c)) {
					union(int32(k), g.local[c])
				}
			}
		}
	}
	// nrep was borrowed; phase two's representatives start afresh.
	g.nst.next(len(g.ids))
	groups := map[int32][]int32{}
	for k, m := range U {
		r := find(int32(k))
		groups[r] = append(groups[r], m)
	}
	roots := make([]int32, 0, len(groups))
	for r, ms := range groups {
		if len(ms) > 1 {
			roots = append(roots, r)
		}
	}
	slices.Sort(roots) // deterministic component indexes
	for _, r := range roots {
		k := g.allocComp()
		g.comps[k].members = groups[r]
		for _, m := range groups[r] {
			g.cs[m].comp = k
		}
		g.computeAgg(k)
		made = append(made, k)
	}
	return made
}

// finish recomputes the touched identifiers' tiers, keeps the networks'
// tier counts in step, and reports the changes.
func (o *op) finish() Changes {
	g := o.g
	var seen []int32
	for _, i := range o.touched {
		t := g.evaluate(i, nil)
		old := g.ids[i].tier
		if t == old {
			continue
		}
		g.ids[i].tier = t
		o.tiers = append(o.tiers, TierChange{Identifier: int64(i), From: old, To: t})
		// The networks it links into count it by tier.
		seen = seen[:0]
		for _, c := range g.ids[i].complaints {
			if !g.active(c, i) {
				continue
			}
			k := g.cs[c].comp
			if k < 0 {
				o.extra = append(o.extra, c) // a network of one
			}
			if k >= 0 && !slices.Contains(seen, k) {
				seen = append(seen, k)
				g.comps[k].tiers[old]--
				g.comps[k].tiers[t]++
				o.extra = append(o.extra, g.comps[k].id)
			}
			if len(g.labels) == 0 {
				break
			}
		}
	}
	ids := make([]int64, 0, len(o.before)+len(o.after)+len(o.extra))
	for _, n := range o.before {
		if n != o.fresh {
			ids = append(ids, int64(n))
		}
	}
	for _, c := range o.after {
		ids = append(ids, int64(g.netID(c)))
	}
	for _, n := range o.extra {
		ids = append(ids, int64(n))
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	slices.SortFunc(o.tiers, func(a, b TierChange) int { return int(a.Identifier - b.Identifier) })
	ch := Changes{Networks: ids, Tiers: o.tiers}
	if len(ch.Networks) == 0 {
		ch.Networks = nil
	}
	return ch
}
