package netsvg

import (
	"cmp"
	"math"
	"slices"
	"unicode/utf8"
)

// Sizes in SVG user units; the picture is drawn at one unit per CSS pixel
// when it fits the requested size, and scaled down when it does not.
const (
	fontSize   = 11.0
	charWidth  = fontSize * 0.6 // rough advance of a sans-serif character
	labelRunes = 22             // longer labels are truncated
	satGap     = 18.0           // centre distance between satellites
	boxGap     = 10.0           // clear space kept between node boxes
	compGap    = 36.0           // space between disconnected parts
	// Steps of the force layout: 300 for up to ~160 nodes, fewer (at
	// least 80) above, so that the whole run stays within about 4M pair
	// updates (≈10 ms); the spiral start needs few steps to settle.
	iterations = 300
	pairBudget = 4e6
	// Pull to the centre, strong enough to fold a chain of 150 into a
	// shape like the picture's instead of one long curve drawn tiny.
	gravity = 1.0

	// Complaint labels are shown only when there are few; with more they
	// are tooltips, as they would overlap and say little.
	maxComplaintLabels = 40
)

// layout positions the scene's nodes.
//
// Leaves (a node with one link, typically the complaints around a shared
// identifier) are taken out and placed afterwards in rings around the node
// they hang on, so a star of 150 complaints becomes a tidy disc instead of
// a heap. The remaining core nodes, each as large as its disc, are spread
// by a force-directed layout (Fruchterman–Reingold) started from a fixed
// spiral and run for a fixed number of steps, so the result depends on the
// input only. A final pass pushes apart any boxes (node and label) that
// still overlap, which is what guarantees the minimum spacing. Separate
// parts of the graph are laid out alone and packed in rows.
func layout(sc *scene) {
	n := len(sc.nodes)
	if n == 0 {
		return
	}
	nComp := 0
	for _, v := range sc.nodes {
		if v.kind == KindComplaint {
			nComp++
		}
	}
	for i := range sc.nodes {
		v := &sc.nodes[i]
		v.r = nodeRadius(v)
		v.label = truncate(v.label, labelRunes)
		v.showLabel = v.label != "" && (v.kind != KindComplaint || nComp <= maxComplaintLabels)
	}
	adj := make([][]int, n)
	// Lines standing for grouped complaints pull only weakly: drawn as
	// springs they dragged the busiest identifiers to the edge.
	weak := map[[2]int]bool{}
	for _, e := range sc.edges {
		adj[e.a] = append(adj[e.a], e.b)
		adj[e.b] = append(adj[e.b], e.a)
		if e.style == styleGrouped {
			weak[[2]int{min(e.a, e.b), max(e.a, e.b)}] = true
		}
	}
	for i := range adj {
		slices.Sort(adj[i])
		adj[i] = slices.Compact(adj[i])
	}

	// Leaves become satellites of their one neighbour. In a pair of two
	// leaves the identifier (or the first) is the hub.
	hub := make([]int, n)
	sats := make([][]int, n)
	for i := range hub {
		hub[i] = -1
	}
	for i := range n {
		if len(adj[i]) != 1 {
			continue
		}
		j := adj[i][0]
		if len(adj[j]) == 1 {
			ci, cj := sc.nodes[i].kind == KindComplaint, sc.nodes[j].kind == KindComplaint
			if ci == cj && i < j || !ci && cj {
				continue // i is the hub of this pair
			}
		}
		hub[i] = j
		sats[j] = append(sats[j], i)
	}

	// Rings of satellites around each hub. disc[i] is the radius of the
	// hub's rings (what the force layout spreads), box[i] the rectangle
	// the node, its satellites and all their labels take, relative to the
	// node (what the overlap pass keeps apart).
	disc := make([]float64, n)
	off := make([][2]float64, n)
	box := make([][4]float64, n) // x0, y0, x1, y1
	for i := range n {
		v := &sc.nodes[i]
		w, below := v.r, v.r
		if v.showLabel {
			w = max(w, labelWidth(v.label)/2)
			below += fontSize + 4
		}
		box[i] = [4]float64{-w, -v.r, w, below}
		disc[i] = v.r
		if len(sats[i]) > 0 {
			var bb [4]float64
			disc[i], bb = placeRing(sc, i, sats[i], off)
			box[i] = [4]float64{min(box[i][0], bb[0]), min(box[i][1], bb[1]), max(box[i][2], bb[2]), max(box[i][3], bb[3])}
		}
	}

	var core []int
	for i := range n {
		if hub[i] < 0 {
			core = append(core, i)
		}
	}

	comps := components(core, adj, hub)
	type placed struct {
		nodes          []int
		x0, y0, x1, y1 float64
	}
	var parts []placed
	for _, c := range comps {
		spread(sc, c, adj, weak, disc, box)
		p := placed{nodes: c, x0: math.Inf(1), y0: math.Inf(1), x1: math.Inf(-1), y1: math.Inf(-1)}
		for _, i := range c {
			v := &sc.nodes[i]
			p.x0 = min(p.x0, v.x+box[i][0])
			p.y0 = min(p.y0, v.y+box[i][1])
			p.x1 = max(p.x1, v.x+box[i][2])
			p.y1 = max(p.y1, v.y+box[i][3])
		}
		parts = append(parts, p)
	}

	// Shelf packing, biggest parts first, in rows about as wide as the
	// picture is proportioned.
	slices.SortStableFunc(parts, func(a, b placed) int { return cmp.Compare(len(b.nodes), len(a.nodes)) })
	area, widest := 0.0, 0.0
	for _, p := range parts {
		area += (p.x1 - p.x0 + compGap) * (p.y1 - p.y0 + compGap)
		widest = max(widest, p.x1-p.x0)
	}
	rowW := max(widest, math.Sqrt(area*1.5))
	x, y, rowH := 0.0, 0.0, 0.0
	for _, p := range parts {
		w, h := p.x1-p.x0, p.y1-p.y0
		if x > 0 && x+w > rowW {
			x, y, rowH = 0, y+rowH+compGap, 0
		}
		for _, i := range p.nodes {
			sc.nodes[i].x += x - p.x0
			sc.nodes[i].y += y - p.y0
		}
		x += w + compGap
		rowH = max(rowH, h)
	}

	for i := range n {
		v := &sc.nodes[i]
		if h := hub[i]; h >= 0 {
			v.x = sc.nodes[h].x + off[i][0]
			v.y = sc.nodes[h].y + off[i][1]
		} else {
			v.lx, v.ly, v.anchor = v.x, v.y+v.r+fontSize+1, "middle"
		}
		if hub[i] >= 0 {
			// Labels of satellites point outwards along the radius, as in a
			// radial tree, so labels on one ring never cross; text on the
			// left half is turned the other way to stay upright.
			dx, dy := off[i][0], off[i][1]
			d := math.Hypot(dx, dy)
			ux, uy := dx/d, dy/d
			v.lx, v.ly = v.x+ux*(v.r+3), v.y+uy*(v.r+3)
			v.rot = math.Atan2(dy, dx) * 180 / math.Pi
			v.anchor = "start"
			if dx < -1e-9 {
				v.rot += 180
				v.anchor = "end"
			}
			v.ex, v.ey = v.lx, v.ly
			if v.showLabel {
				w := labelWidth(v.label)
				v.ex, v.ey = v.lx+ux*w, v.ly+uy*w
			}
		}
	}
	for i := range sc.nodes {
		v := &sc.nodes[i]
		x0, y0, x1, y1 := v.x-v.r, v.y-v.r, v.x+v.r, v.y+v.r
		if v.showLabel {
			if v.anchor == "middle" {
				w := labelWidth(v.label)
				x0, x1 = min(x0, v.lx-w/2), max(x1, v.lx+w/2)
				y1 = max(y1, v.ly+3)
			} else {
				x0, x1 = min(x0, v.ex-fontSize/2), max(x1, v.ex+fontSize/2)
				y0, y1 = min(y0, v.ey-fontSize/2), max(y1, v.ey+fontSize/2)
			}
		}
		if i == 0 {
			sc.x0, sc.y0, sc.x1, sc.y1 = x0, y0, x1, y1
		}
		sc.x0, sc.y0 = min(sc.x0, x0), min(sc.y0, y0)
		sc.x1, sc.y1 = max(sc.x1, x1), max(sc.y1, y1)
	}
}

func nodeRadius(v *vnode) float64 {
	switch v.kind {
	case KindComplaint:
		return 5
	case kindAggregate:
		// A little larger for bigger groups, so size hints at weight.
		return min(16, 8+2*math.Log10(float64(max(v.count, 1))))
	}
	return 8
}

func labelWidth(s string) float64 {
	return float64(utf8.RuneCountInString(s)) * charWidth
}

// placeRing puts the satellites of h on concentric rings, unlabelled ones
// inside and labelled ones outside (their labels point outwards, so an
// outer ring does not cover them). It returns the radius of the outer ring
// and the box the satellites and their labels take around h.
func placeRing(sc *scene, h int, sats []int, off [][2]float64) (float64, [4]float64) {
	order := slices.Clone(sats)
	slices.SortStableFunc(order, func(a, b int) int {
		la, lb := sc.nodes[a].showLabel, sc.nodes[b].showLabel
		switch {
		case la == lb:
			return 0
		case lb:
			return -1
		}
		return 1
	})
	r := sc.nodes[h].r + satGap + 6
	outer := r
	var bb [4]float64
	for ring, k := 0, 0; k < len(order); ring++ {
		capacity := max(1, int(2*math.Pi*r/satGap))
		m := min(capacity, len(order)-k)
		maxR, maxLabel := 0.0, 0.0
		for _, i := range order[k : k+m] {
			maxR = max(maxR, sc.nodes[i].r)
		}
		if maxR*2+4 > satGap { // big aggregates need more room on the ring
			m = max(1, min(m, int(2*math.Pi*r/(maxR*2+4))))
		}
		step := 2 * math.Pi / float64(m)
		// Turn alternate rings by half a step so neighbours in adjacent
		// rings do not line up, and start at the top-right, where the
		// label of a lone satellite reads well.
		start := -math.Pi/4 + float64(ring%2)*step/2
		for j, i := range order[k : k+m] {
			a := start + step*float64(j)
			ux, uy := math.Cos(a), math.Sin(a)
			off[i] = [2]float64{r * ux, r * uy}
			v := &sc.nodes[i]
			reach := r + v.r
			if v.showLabel {
				w := labelWidth(v.label) + 6
				maxLabel = max(maxLabel, w)
				reach += 3 + w
			}
			bb[0], bb[1] = min(bb[0], r*ux-v.r, reach*ux-fontSize/2), min(bb[1], r*uy-v.r, reach*uy-fontSize/2)
			bb[2], bb[3] = max(bb[2], r*ux+v.r, reach*ux+fontSize/2), max(bb[3], r*uy+v.r, reach*uy+fontSize/2)
		}
		k += m
		outer = r + maxR
		r += max(satGap, maxR*2+4) + maxLabel
	}
	return outer + 4, bb
}

// components splits the core nodes into connected parts, each in a stable
// order (by first node index).
func components(core []int, adj [][]int, hub []int) [][]int {
	seen := make(map[int]bool, len(core))
	var out [][]int
	for _, s := range core {
		if seen[s] {
			continue
		}
		seen[s] = true
		c := []int{s}
		for q := 0; q < len(c); q++ {
			for _, j := range adj[c[q]] {
				if hub[j] < 0 && !seen[j] {
					seen[j] = true
					c = append(c, j)
				}
			}
		}
		slices.Sort(c)
		out = append(out, c)
	}
	return out
}

// spread lays out one connected part of core nodes.
func spread(sc *scene, c []int, adj [][]int, weak map[[2]int]bool, disc []float64, box [][4]float64) {
	if len(c) == 1 {
		sc.nodes[c[0]].x, sc.nodes[c[0]].y = 0, 0
		return
	}
	local := make(map[int]int, len(c))
	for k, i := range c {
		local[i] = k
	}
	// Start on a sunflower spiral in breadth-first order from the most
	// linked node, so neighbours start near each other: fewer crossings
	// than a random start, and no random numbers.
	root := c[0]
	for _, i := range c {
		if len(adj[i]) > len(adj[root]) {
			root = i
		}
	}
	order := []int{root}
	seen := map[int]bool{root: true}
	for q := 0; q < len(order); q++ {
		for _, j := range adj[order[q]] {
			if _, ok := local[j]; ok && !seen[j] {
				seen[j] = true
				order = append(order, j)
			}
		}
	}
	n := len(c)
	x := make([]float64, n)
	y := make([]float64, n)
	rad := make([]float64, n)
	meanR := 0.0
	for k, i := range c {
		// Size for the forces: the rings, or a share of the box when
		// labels make it larger, so the overlap pass has little to undo.
		rad[k] = max(disc[i], 0.4*max(box[i][2]-box[i][0], box[i][3]-box[i][1]))
		meanR += rad[k]
	}
	meanR /= float64(n)
	golden := math.Pi * (3 - math.Sqrt(5))
	for p, i := range order {
		k := local[i]
		rr := (meanR + 30) * math.Sqrt(float64(p))
		x[k], y[k] = rr*math.Cos(golden*float64(p)), rr*math.Sin(golden*float64(p))
	}
	type link struct {
		a, b int
		w    float64
	}
	var links []link
	for k, i := range c {
		for _, j := range adj[i] {
			if l, ok := local[j]; ok && l > k {
				w := 1.0
				if weak[[2]int{min(i, j), max(i, j)}] {
					w = 0.1
				}
				links = append(links, link{k, l, w})
			}
		}
	}

	dx := make([]float64, n)
	dy := make([]float64, n)
	t0 := (meanR + 30) * math.Sqrt(float64(n))
	iters := max(80, min(iterations, int(pairBudget/float64(n*n/2+1))))
	for it := range iters {
		clear(dx)
		clear(dy)
		for a := range n {
			for b := a + 1; b < n; b++ {
				ex, ey := x[a]-x[b], y[a]-y[b]
				d2 := ex*ex + ey*ey
				if d2 < 1e-6 {
					// Coincident: separate along a fixed direction.
					ex, ey, d2 = float64(a-b), 1, float64((a-b)*(a-b)+1)
				}
				k := rad[a] + rad[b] + 30
				if d2 > 9*k*k {
					continue // far apart: ignoring them keeps dense parts compact
				}
				f := k * k / d2 // (k²/d) along the unit vector (e/d)
				dx[a] += ex * f
				dy[a] += ey * f
				dx[b] -= ex * f
				dy[b] -= ey * f
			}
		}
		for _, l := range links {
			ex, ey := x[l.a]-x[l.b], y[l.a]-y[l.b]
			d := math.Sqrt(ex*ex + ey*ey)
			k := rad[l.a] + rad[l.b] + 30
			f := l.w * d / k // (d²/k) along e/d
			dx[l.a] -= ex * f
			dy[l.a] -= ey * f
			dx[l.b] += ex * f
			dy[l.b] += ey * f
		}
		var cx, cy float64
		for k := range n {
			cx += x[k]
			cy += y[k]
		}
		cx, cy = cx/float64(n), cy/float64(n)
		for k := range n {
			dx[k] -= (x[k] - cx) * gravity
			dy[k] -= (y[k] - cy) * gravity
		}
		t := t0 * (1 - float64(it)/float64(iters)) * 0.1
		t = max(t, 0.5)
		for k := range n {
			d := math.Sqrt(dx[k]*dx[k] + dy[k]*dy[k])
			if d > 0 {
				s := min(d, t) / d
				x[k] += dx[k] * s
				y[k] += dy[k] * s
			}
		}
	}

	lieFlat(x, y)
	boxes := make([][4]float64, n)
	for k, i := range c {
		boxes[k] = box[i]
	}
	separate(x, y, boxes)
	// Separating boxes can stretch a part; if it ended up taller than
	// wide, mirror it on the diagonal (distances are kept) and separate
	// again, as the boxes do not mirror.
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for k := range n {
		x0, x1 = min(x0, x[k]+boxes[k][0]), max(x1, x[k]+boxes[k][2])
		y0, y1 = min(y0, y[k]+boxes[k][1]), max(y1, y[k]+boxes[k][3])
	}
	if y1-y0 > 1.2*(x1-x0) {
		x, y = y, x
		separate(x, y, boxes)
	}
	for k, i := range c {
		sc.nodes[i].x, sc.nodes[i].y = x[k], y[k]
	}
}

// lieFlat turns a part so that its long axis is horizontal: pictures are
// wider than tall, and a chain left diagonal would be drawn much smaller.
func lieFlat(x, y []float64) {
	n := float64(len(x))
	var mx, my float64
	for k := range x {
		mx += x[k]
		my += y[k]
	}
	mx, my = mx/n, my/n
	var sxx, syy, sxy float64
	for k := range x {
		dx, dy := x[k]-mx, y[k]-my
		sxx += dx * dx
		syy += dy * dy
		sxy += dx * dy
	}
	// Angle of the principal axis; only turn clearly elongated parts, so
	// round ones keep the orientation the layout gave them.
	d := math.Sqrt((sxx-syy)*(sxx-syy) + 4*sxy*sxy)
	l1, l2 := (sxx+syy+d)/2, (sxx+syy-d)/2
	if l1 < 2*l2 {
		return
	}
	a := -0.5 * math.Atan2(2*sxy, sxx-syy)
	cos, sin := math.Cos(a), math.Sin(a)
	for k := range x {
		dx, dy := x[k]-mx, y[k]-my
		x[k], y[k] = dx*cos-dy*sin, dx*sin+dy*cos
	}
}

// separate pushes apart overlapping boxes along the axis that needs the
// smaller move. Bounded, but converges in a few passes for these sizes.
func separate(x, y []float64, box [][4]float64) {
	n := len(x)
	for pass := 0; pass < 500; pass++ {
		moved := false
		for a := range n {
			ba := box[a]
			for b := a + 1; b < n; b++ {
				bb := box[b]
				ox := min(x[a]+ba[2], x[b]+bb[2]) - max(x[a]+ba[0], x[b]+bb[0]) + boxGap
				oy := min(y[a]+ba[3], y[b]+bb[3]) - max(y[a]+ba[1], y[b]+bb[1]) + boxGap
				if ox <= 0 || oy <= 0 {
					continue
				}
				moved = true
				if ox < oy {
					s := ox/2 + 0.01
					if x[a] < x[b] || x[a] == x[b] && a < b {
						s = -s
					}
					x[a] += s
					x[b] -= s
				} else {
					s := oy/2 + 0.01
					if y[a] < y[b] || y[a] == y[b] && a < b {
						s = -s
					}
					y[a] += s
					y[b] -= s
				}
			}
		}
		if !moved {
			return
		}
	}
}
