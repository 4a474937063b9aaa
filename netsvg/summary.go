package netsvg

import (
	"cmp"
	"slices"
	"strings"
)

// summarise fills sc.nodes and sc.edges from in, drawing at most maxNodes
// nodes.
//
// A small network is drawn whole. A large one keeps its most connected
// identifiers (a quarter of the budget, so that each can still be labelled
// and have room around it) and, with the rest of the budget, the complaints
// that join most of them. Every other complaint linked to a kept identifier
// is counted in one "+ N complaints" node hanging on its best-ranked kept
// identifier; when such hidden complaints also link other kept
// identifiers, a weighted identifier–identifier line says so. Grouping by
// one identifier rather than by the exact set of identifiers keeps the
// number of groups at most the number of identifiers: grouping by set gave
// a hairball of small groups on real-looking data.
func summarise(sc *scene, in *input, maxNodes int) {
	n := len(in.nodes)
	if n <= maxNodes {
		keep := make([]int32, n)
		for i := range keep {
			keep[i] = int32(i)
		}
		emit(sc, in, keep, nil, nil)
		return
	}

	active := make([]int32, n) // links that count: not inactive
	var idents, comps []int32
	for i, l := range in.adj {
		for _, x := range l {
			if x.style != styleInactive {
				active[i]++
			}
		}
		if in.nodes[i].Kind == KindComplaint {
			comps = append(comps, int32(i))
		} else {
			idents = append(idents, int32(i))
		}
	}
	byLinks := func(a, b int32) int {
		if c := cmp.Compare(active[b], active[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(len(in.adj[b]), len(in.adj[a])); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	slices.SortFunc(idents, byLinks)
	k := min(len(idents), max(1, maxNodes/4))
	kept := idents[:k]
	rank := make([]int32, n)
	for i := range rank {
		rank[i] = -1
	}
	for r, id := range kept {
		rank[id] = int32(r)
	}

	// The kept identifiers of each complaint, by rank, in one flat slice.
	type linked struct {
		c      int32
		lo, hi int32 // ranks[lo:hi]
	}
	var ranks []int32
	var cand []linked
	primary := make([]int32, k) // complaints whose best kept identifier is r
	for _, c := range comps {
		lo := int32(len(ranks))
		for _, x := range in.adj[c] {
			if x.style != styleInactive && rank[x.to] >= 0 {
				ranks = append(ranks, rank[x.to])
			}
		}
		hi := int32(len(ranks))
		if hi == lo {
			continue
		}
		slices.Sort(ranks[lo:hi])
		cand = append(cand, linked{c, lo, hi})
		primary[ranks[lo]]++
	}
	groups := 0
	for _, p := range primary {
		if p > 0 {
			groups++
		}
	}

	// Individual complaints, those joining most kept identifiers first.
	// The budget reserves one group node per identifier that might need
	// one; a group that ends up empty or with one member costs nothing
	// extra, so the total stays within maxNodes.
	//
	// Sort keys are packed into integers, larger counts first: sorting
	// tens of thousands of candidates with a comparison closure took
	// longer than the layout. Counts are capped to fit, which only
	// coarsens the order among the most linked complaints.
	joins := func(l linked) uint64 { return 255 - uint64(min(l.hi-l.lo, 255)) }
	keys := make([]uint64, len(cand))
	for i, l := range cand {
		act := 0xffff - uint64(min(active[l.c], 0xffff))
		inact := 0xff - uint64(min(int32(len(in.adj[l.c]))-active[l.c], 0xff))
		keys[i] = joins(l)<<56 | act<<40 | inact<<32 | uint64(i)
	}
	slices.Sort(keys)
	first := make([]linked, len(cand))
	for n, key := range keys {
		first[n] = cand[uint32(key)]
	}
	// Among equals, take turns between identifiers (the first complaint of
	// each, then the second of each...), so every kept identifier shows
	// some of its complaints rather than the first few showing all.
	seen := make([]uint64, k)
	for n, l := range first {
		r := ranks[l.lo]
		keys[n] = joins(l)<<56 | min(seen[r], 0xffffff)<<32 | uint64(n)
		seen[r]++
	}
	slices.Sort(keys)
	for n, key := range keys {
		cand[n] = first[uint32(key)]
	}
	budget := max(0, min(maxNodes-k-groups, len(cand)))
	keep := append([]int32(nil), kept...)
	for _, l := range cand[:budget] {
		keep = append(keep, l.c)
	}
	if len(idents) == 0 { // complaints only: nothing to group them by
		slices.SortFunc(comps, byLinks)
		keep = append(keep, comps[:maxNodes]...)
	}
	hiddenBy := make([][]linked, k)
	for _, l := range cand[budget:] {
		hiddenBy[ranks[l.lo]] = append(hiddenBy[ranks[l.lo]], l)
	}
	var aggs []aggregate
	cross := map[[2]int32]int{}
	hidden := 0
	for r, hs := range hiddenBy {
		if len(hs) == 1 {
			// Not worth a "+ 1 complaints" node: draw the complaint.
			keep = append(keep, hs[0].c)
			continue
		}
		if len(hs) == 0 {
			continue
		}
		aggs = append(aggs, aggregate{id: kept[r], count: len(hs)})
		hidden += len(hs)
		for _, l := range hs {
			for _, q := range ranks[l.lo+1 : l.hi] {
				cross[[2]int32{kept[r], kept[q]}]++
			}
		}
	}
	slices.Sort(keep)
	// Cross links in a fixed order: map iteration order is random.
	var links []crossLink
	for p, c := range cross {
		links = append(links, crossLink{p[0], p[1], c})
	}
	// Only the strongest, or fifty identifiers would be joined by a
	// thousand faint lines.
	slices.SortFunc(links, func(a, b crossLink) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.a, b.a); c != 0 {
			return c
		}
		return cmp.Compare(a.b, b.b)
	})
	links = links[:min(len(links), 2*k)]
	slices.SortFunc(links, func(a, b crossLink) int {
		if c := cmp.Compare(a.a, b.a); c != 0 {
			return c
		}
		return cmp.Compare(a.b, b.b)
	})
	emit(sc, in, keep, aggs, links)

	leftC := len(comps) - hidden
	for _, v := range sc.nodes {
		if v.kind == KindComplaint {
			leftC--
		}
	}
	leftI := len(idents) - k
	var b strings.Builder
	b.WriteString("showing ")
	b.WriteString(thousands(len(sc.nodes)))
	b.WriteString(" of ")
	b.WriteString(thousands(n))
	b.WriteString(" nodes")
	if hidden > 0 {
		b.WriteString(", with " + thousands(hidden) + " complaints grouped")
	}
	var left []string
	if leftI > 0 {
		left = append(left, plural(leftI, "identifier", "identifiers")+" with fewer links")
	}
	if leftC > 0 {
		left = append(left, plural(leftC, "complaint", "complaints")+" with no link to those shown")
	}
	if len(left) > 0 {
		b.WriteString("; not shown: " + strings.Join(left, " and "))
	}
	sc.caption = b.String()
}

type aggregate struct {
	id    int32 // input index of the identifier the complaints hang on
	count int
}

// crossLink counts grouped complaints of identifier a also linked to b.
type crossLink struct {
	a, b  int32
	count int
}

// emit copies the kept input nodes, the links among them, and the
// aggregate nodes with their links into the scene.
func emit(sc *scene, in *input, keep []int32, aggs []aggregate, links []crossLink) {
	pos := make(map[int32]int, len(keep))
	for _, i := range keep {
		pos[i] = len(sc.nodes)
		n := in.nodes[i]
		sc.nodes = append(sc.nodes, vnode{
			label: cleanText(n.Label),
			kind:  kindOf(n.Kind),
			href:  safeHref(n.Href),
			title: cleanText(n.Title),
			state: stateOf(n.State),
		})
	}
	for _, i := range keep {
		for _, x := range in.adj[i] {
			if x.to <= i {
				continue
			}
			if j, ok := pos[x.to]; ok {
				sc.edges = append(sc.edges, vedge{a: pos[i], b: j, style: styleName(x.style)})
			}
		}
	}
	for _, a := range aggs {
		v := len(sc.nodes)
		sc.edges = append(sc.edges, vedge{a: pos[a.id], b: v, count: a.count})
		sc.nodes = append(sc.nodes, vnode{
			label: "+ " + thousands(a.count) + " complaints",
			kind:  kindAggregate,
			title: thousands(a.count) + " more complaints linked to " + truncate(sc.nodes[pos[a.id]].label, 40),
			count: a.count,
		})
	}
	for _, l := range links {
		sc.edges = append(sc.edges, vedge{a: pos[l.a], b: pos[l.b], count: l.count, style: styleGrouped})
	}
}

func thousands(n int) string {
	s := []byte{}
	neg := n < 0
	if neg {
		n = -n
	}
	d := 0
	for {
		if d > 0 && d%3 == 0 {
			s = append(s, ',')
		}
		s = append(s, byte('0'+n%10))
		d++
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		s = append(s, '-')
	}
	slices.Reverse(s)
	return string(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}
