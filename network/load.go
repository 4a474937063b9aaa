package network

import (
	"fmt"
	"slices"
	"sync"
)

// Load replaces everything with the given complaints, identifiers, links
// and decisions, built in bulk. On error nothing changes. Readers keep
// the previous state until the new one is swapped in.
func (e *Engine) Load(cs []Complaint, ids []Identifier, links []Link, ds []Decision) error {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.RLock()
	cfg := e.g.cfg
	e.mu.RUnlock()
	g, err := build(cfg, cs, ids, links, ds)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.g = g
	e.mu.Unlock()
	return nil
}

func build(cfg Config, cs []Complaint, ids []Identifier, links []Link, ds []Decision) (*graph, error) {
	g := newGraph(cfg)
	g.victims = newVictimIndex(len(cs))
	g.keys = newStrIndex(len(ids))

	// Complaints and identifiers touch nothing in common: they are taken
	// in at the same time.
	var idErr error
	idsDone := make(chan struct{})
	go func() {
		defer close(idsDone)
		idErr = g.loadIdentifiers(ids)
	}()
	cErr := g.loadComplaints(cs)
	<-idsDone
	if cErr != nil {
		return nil, cErr
	}
	if idErr != nil {
		return nil, idErr
	}
	// Presence as bitsets: link checks then stay in cache.
	cPresent := make([]uint64, len(g.cs)/64+1)
	for _, c := range cs {
		cPresent[c.ID/64] |= 1 << (c.ID % 64)
	}
	iPresent := make([]uint64, len(g.ids)/64+1)
	for _, id := range ids {
		iPresent[id.ID/64] |= 1 << (id.ID % 64)
	}
	in := func(set []uint64, id int64) bool {
		return id > 0 && id/64 < int64(len(set)) && set[id/64]&(1<<(id%64)) != 0
	}

	// Links, as two adjacency lists sharing two backing arrays. Each list
	// is capped at its length, so a later append copies it out rather than
	// overwrite its neighbour.
	cdeg := make([]int32, len(g.cs)+1)
	ideg := make([]int32, len(g.ids)+1)
	for _, l := range links {
		if !in(cPresent, l.Complaint) {
			return nil, fmt.Errorf("%w: complaint %d in a link", ErrUnknown, l.Complaint)
		}
		if !in(iPresent, l.Identifier) {
			return nil, fmt.Errorf("%w: identifier %d in a link", ErrUnknown, l.Identifier)
		}
		cdeg[l.Complaint+1]++
		ideg[l.Identifier+1]++
	}
	for k := 1; k < len(cdeg); k++ {
		cdeg[k] += cdeg[k-1]
	}
	for k := 1; k < len(ideg); k++ {
		ideg[k] += ideg[k-1]
	}
	cback := make([]int32, len(links))
	iback := make([]int32, len(links))
	for _, l := range links {
		c, i := l.Complaint, l.Identifier
		cback[cdeg[c]] = int32(i)
		cdeg[c]++
		iback[ideg[i]] = int32(c)
		ideg[i]++
	}
	// cdeg[k] is now the end of k's list, and the start of k+1's.
	start := int32(0)
	for k := range g.cs {
		end := cdeg[k]
		if end > start {
			l := cback[start:end:end]
			slices.Sort(l)
			for j := 1; j < len(l); j++ {
				if l[j] == l[j-1] {
					return nil, fmt.Errorf("%w: link %d-%d given twice", ErrInvalid, k, l[j])
				}
			}
			g.cs[k].idents = l
		}
		start = end
	}
	start = 0
	for k := range g.ids {
		end := ideg[k]
		if end > start {
			g.ids[k].complaints = iback[start:end:end] // in complaint order already
		}
		start = end
	}
	g.nLinks = len(links)
	cdeg, ideg = nil, nil

	// Decisions.
	o := &op{g: g}
	for _, d := range ds {
		if err := g.checkDecision(d); err != nil {
			return nil, err
		}
		if _, ok := g.decisions[d.ID]; ok {
			return nil, fmt.Errorf("%w: decision %d given twice", ErrInvalid, d.ID)
		}
		o.decideQuiet(d)
	}

	// Identifier counts and states.
	g.vst.next(int(g.nVictims))
	for k := range g.ids {
		x := &g.ids[k]
		if !x.present || len(x.complaints) == 0 {
			if x.present {
				x.state = g.computeState(int32(k))
			}
			continue
		}
		for _, c := range x.complaints {
			x.loss += g.cs[c].loss
		}
		if len(x.complaints) >= bigIdent {
			g.recountVictims(int32(k))
		} else {
			// Inline recount with one stamp generation per identifier.
			g.vst.gen++
			if g.vst.gen == 0 {
				g.vst.next(int(g.nVictims))
			}
			n := int32(0)
			for _, c := range x.complaints {
				if v := g.cs[c].victim; v < 0 || g.vst.mark(v) {
					n++
				}
			}
			x.victims = n
		}
		x.state = g.computeState(int32(k))
		if x.state == StateHeld {
			g.held[int32(k)] = struct{}{}
		}
	}

	// Components: union-find whose root is the smallest member, so the
	// root is the network id.
	parent := make([]int32, len(g.cs))
	for k := range parent {
		parent[k] = int32(k)
	}
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
	for k := range g.ids {
		x := &g.ids[k]
		if len(x.complaints) < 2 || x.state == StateListed || x.state == StateRejected {
			continue
		}
		first := int32(-1)
		var other map[int64]int32
		for _, c := range x.complaints {
			if !g.active(c, int32(k)) {
				continue
			}
			lab := g.label(c)
			if lab == 0 {
				if first < 0 {
					first = c
				} else {
					union(first, c)
				}
				continue
			}
			if other == nil {
				other = map[int64]int32{}
			}
			if r, ok := other[lab]; ok {
				union(r, c)
			} else {
				other[lab] = c
			}
		}
	}
	for _, d := range g.decisions {
		if d.Kind == Merge {
			for _, c := range d.Complaints[1:] {
				union(int32(d.Complaints[0]), int32(c))
			}
		}
	}
	// Group members by root: sizes, then one backing array.
	size := make([]int32, len(g.cs))
	for k := range g.cs {
		if g.cs[k].present {
			size[find(int32(k))]++
		}
	}
	compOf := size // reused: root -> component index
	total := 0
	for k := range g.cs {
		if size[k] >= 2 {
			total += int(size[k])
		}
	}
	back := make([]int32, total)
	off := 0
	for k := range g.cs {
		if n := int(size[k]); n >= 2 {
			ci := g.allocComp()
			g.comps[ci].members = back[off : off : off+n]
			off += n
			compOf[k] = ci
		} else {
			compOf[k] = -1
		}
	}
	for k := range g.cs {
		if !g.cs[k].present {
			continue
		}
		r := parent[k]
		if r != int32(k) {
			r = find(int32(k))
		}
		if ci := compOf[r]; ci >= 0 {
			g.cs[k].comp = ci
			x := &g.comps[ci]
			x.members = append(x.members, int32(k))
		}
	}
	parent, size = nil, nil
	for ci := range g.comps {
		x := &g.comps[ci]
		x.members = x.members[:len(x.members):len(x.members)]
	}

	// Tiers, then the aggregates that count identifiers by tier.
	for k := range g.ids {
		if g.ids[k].present {
			g.ids[k].tier = g.evaluate(int32(k), nil)
		}
	}
	// Big components count with maps of their own, the others with the
	// graph's shared stamps: the two kinds are aggregated at the same time.
	var bigs, small []int32 // told apart first: computeAgg rewrites a component whole
	for ci := range g.comps {
		if len(g.comps[ci].members) >= bigComp {
			bigs = append(bigs, int32(ci))
		} else {
			small = append(small, int32(ci))
		}
	}
	var big sync.WaitGroup
	big.Go(func() {
		for _, ci := range bigs {
			g.computeAgg(ci)
		}
	})
	for _, ci := range small {
		g.computeAgg(ci)
	}
	big.Wait()
	// The writers' scratch space, now rather than on the first update.
	nc, ni := cap(g.cs), cap(g.ids)
	for _, st := range []*stamp{&g.sst, &g.ust} {
		st.marks = make([]uint32, nc)
	}
	for _, st := range []*stamp{&g.tst, &g.nst, &g.ist} {
		st.marks = make([]uint32, ni)
	}
	g.local = make([]int32, len(g.cs), nc)
	g.nrep = make([]int32, len(g.ids), ni)
	return g, nil
}

// decideQuiet records a decision during Load, before states and
// components exist.
func (o *op) decideQuiet(d Decision) {
	g := o.g
	cp := d
	cp.Complaints = slices.Clone(d.Complaints)
	if d.Kind == Merge || d.Kind == Split {
		slices.Sort(cp.Complaints)
		cp.Complaints = slices.Compact(cp.Complaints)
	}
	g.decisions[d.ID] = &cp
	i, c := int32(d.Identifier), int32(d.Complaint)
	switch d.Kind {
	case ConfirmIdentifier:
		g.confirms[i]++
	case RejectIdentifier:
		g.rejects[i]++
	case ConfirmLink:
		k := linkKey(c, i)
		if g.linkConfirm[k]++; g.linkConfirm[k] == 1 {
			g.linkConfirmN[i]++
		}
	case RejectLink:
		g.linkReject[linkKey(c, i)]++
	case Merge:
		for _, c := range cp.Complaints {
			g.merges[int32(c)] = append(g.merges[int32(c)], d.ID)
		}
	case Split:
		for _, c := range cp.Complaints {
			g.splits[int32(c)] = append(g.splits[int32(c)], d.ID)
			g.setLabel(int32(c))
		}
	}
}

// loadComplaints takes in the complaints of a build.
func (g *graph) loadComplaints(cs []Complaint) error {
	maxC := int64(0)
	for _, c := range cs {
		if _, err := checkID("complaint", c.ID); err != nil {
			return err
		}
		maxC = max(maxC, c.ID)
	}
	// Headroom, so that the first complaints added later do not copy the
	// whole slice (untouched capacity costs address space, not memory).
	g.cs = make([]complaint, maxC+1, maxC+1+maxC/4+1024)
	for _, c := range cs {
		k := int32(c.ID)
		if g.cs[k].present {
			return fmt.Errorf("%w: complaint %d given twice", ErrInvalid, c.ID)
		}
		g.cs[k] = complaint{present: true, comp: -1}
		g.setComplaintFields(k, c)
	}
	g.nComplaints = len(cs)
	return nil
}

// loadIdentifiers takes in the identifiers of a build.
func (g *graph) loadIdentifiers(ids []Identifier) error {
	maxI := int64(0)
	for _, id := range ids {
		if _, err := checkID("identifier", id.ID); err != nil {
			return err
		}
		if id.Key == "" {
			return fmt.Errorf("%w: identifier %d has no key", ErrInvalid, id.ID)
		}
		maxI = max(maxI, id.ID)
	}
	g.ids = make([]ident, maxI+1, maxI+1+maxI/4+1024)
	lastType, lastTyp := "", int32(-1)
	for _, id := range ids {
		k := int32(id.ID)
		x := &g.ids[k]
		if x.present {
			return fmt.Errorf("%w: identifier %d given twice", ErrInvalid, id.ID)
		}
		if lastTyp < 0 || id.Type != lastType { // types come in runs
			lastType, lastTyp = id.Type, g.typeID(id.Type)
		}
		*x = ident{key: id.Key, value: id.Value, typ: lastTyp, listed: id.Listed, present: true}
		if id.Finding != "" {
			g.findings[k] = id.Finding
		}
		if id.Removal != "" {
			g.removals[k] = id.Removal
		}
		if other, ok := g.keys.add(id.Key, k, g.keyOf); ok {
			return fmt.Errorf("%w: key %q given for identifiers %d and %d", ErrInvalid, id.Key, other, id.ID)
		}
	}
	g.nIdents = len(ids)
	return nil
}
