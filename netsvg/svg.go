package netsvg

import (
	"bytes"
	"math"
	"strconv"
)

// kindStyle is how a node kind is drawn. Colours come from the Tableau 10
// palette, and kinds sharing a colour differ in shape, so the picture
// survives colour blindness and greyscale printing.
type kindStyle struct {
	name, shape, fill string
}

var kinds = []struct {
	kind string
	kindStyle
}{
	{KindComplaint, kindStyle{"complaint", "circle", "#4e79a7"}},
	{"phone", kindStyle{"phone", "square", "#59a14f"}},
	{"wallet", kindStyle{"wallet", "diamond", "#f28e2b"}},
	{"iban", kindStyle{"IBAN", "hexagon", "#b07aa1"}},
	{"bank_account", kindStyle{"bank account", "square", "#b07aa1"}},
	{"crypto", kindStyle{"crypto", "hexagon", "#edc948"}},
	{"url", kindStyle{"URL", "triangle", "#e15759"}},
	{"domain", kindStyle{"domain", "diamond", "#e15759"}},
	{"email", kindStyle{"email", "square", "#76b7b2"}},
	{"app", kindStyle{"app", "triangle", "#76b7b2"}},
	{"social", kindStyle{"social", "hexagon", "#ff9da7"}},
	{"cnic", kindStyle{"CNIC", "square", "#9c755f"}},
	{"imei", kindStyle{"IMEI", "triangle", "#9c755f"}},
	{"ip", kindStyle{"IP", "diamond", "#bab0ac"}},
	{"other", kindStyle{"other", "diamond", "#8c8c8c"}},
	{kindAggregate, kindStyle{"grouped complaints", "circle", "#e8eef6"}},
}

func kindOf(k string) string {
	for _, s := range kinds {
		if s.kind == k && k != kindAggregate {
			return k
		}
	}
	return "other"
}

func styleOf(k string) kindStyle {
	for _, s := range kinds {
		if s.kind == k {
			return s.kindStyle
		}
	}
	return kindStyle{"other", "diamond", "#8c8c8c"}
}

const (
	margin    = 16.0
	titleSize = 15.0
	rowH      = 18.0
	edgeColor = "#9aa5b1"
)

type writer struct{ b []byte }

func (w *writer) s(parts ...string) {
	for _, p := range parts {
		w.b = append(w.b, p...)
	}
}

// t writes cleaned text, escaped.
func (w *writer) t(s string) { w.b = escape(w.b, s) }

// f writes a coordinate rounded to a tenth: enough for the eye, and it
// keeps the output small.
func (w *writer) f(v float64) {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0 // no "-0"
	}
	w.b = strconv.AppendFloat(w.b, v, 'f', -1, 64)
}

// i writes a position rounded to a whole unit: nodes are at least 14
// units apart, and whole numbers keep 50,000-node summaries small.
func (w *writer) i(v float64) {
	w.b = strconv.AppendInt(w.b, int64(math.Round(v)), 10)
}

func (w *writer) pos(name string, v float64) {
	w.s(" ", name, `="`)
	w.i(v)
	w.s(`"`)
}

func (w *writer) attr(name string, v float64) {
	w.s(" ", name, `="`)
	w.f(v)
	w.s(`"`)
}

type legendItem struct {
	kind, state, edge string
	label             string
	width             float64
}

func writeSVG(buf *bytes.Buffer, sc *scene, opt Options) {
	w := &writer{b: buf.AvailableBuffer()}
	W, H := float64(opt.Width), float64(opt.Height)
	empty := len(sc.nodes) == 0

	// Legend: only what the picture uses.
	var items []legendItem
	if !empty {
		used := map[string]bool{}
		states := map[string]bool{}
		edges := map[string]bool{}
		for _, v := range sc.nodes {
			used[v.kind] = true
			states[v.state] = true
		}
		for _, e := range sc.edges {
			edges[e.style] = true
		}
		for _, k := range kinds {
			if used[k.kind] {
				items = append(items, legendItem{kind: k.kind, label: k.name})
			}
		}
		for _, s := range []string{StateHeld, StateListed, StateRejected, StateConfirmed} {
			if states[s] {
				items = append(items, legendItem{kind: "other", state: s, label: s})
			}
		}
		if edges[StyleAsserted] {
			items = append(items, legendItem{edge: StyleAsserted, label: "merged by an analyst"})
		}
		if edges[styleGrouped] {
			items = append(items, legendItem{edge: styleGrouped, label: "linked by grouped complaints"})
		}
		if edges[StyleInactive] {
			items = append(items, legendItem{edge: StyleInactive, label: "inactive link"})
		}
		for i := range items {
			items[i].width = 22 + labelWidth(items[i].label) + 14
		}
	}

	gw, gh := 0.0, 0.0
	if !empty {
		gw, gh = sc.x1-sc.x0, sc.y1-sc.y0
	}
	vw := max(W, gw+2*margin)
	// Lay the legend out in rows across the width.
	type at struct{ x, y float64 }
	pos := make([]at, len(items))
	lx, rows := margin, 0
	if len(items) > 0 {
		rows = 1
	}
	for i, it := range items {
		if lx > margin && lx+it.width > vw-margin {
			lx, rows = margin, rows+1
		}
		pos[i] = at{lx, margin + titleSize + 6 + float64(rows-1)*rowH + rowH/2}
		lx += it.width
	}
	header := margin + titleSize + 6 + float64(rows)*rowH + 8
	footer := margin
	if sc.caption != "" {
		footer += rowH
	}
	vh := max(H, header+gh+footer)
	// Match the requested proportions so the picture fills its box.
	if vw/vh < W/H {
		vw = vh * W / H
	} else {
		vh = vw * H / W
	}

	id := "netsvg-" + sc.idHash
	w.s(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `)
	w.f(vw)
	w.s(" ")
	w.f(vh)
	w.s(`" width="`, strconv.Itoa(opt.Width), `" height="`, strconv.Itoa(opt.Height),
		`" role="img" aria-labelledby="`, id, `-t" aria-describedby="`, id,
		`-d" font-family="system-ui, sans-serif" font-size="11">`, "\n")
	w.s(`<title id="`, id, `-t">`)
	w.t(sc.title)
	w.s("</title>\n", `<desc id="`, id, `-d">`)
	w.t(describe(sc))
	w.s("</desc>\n")
	w.s(`<rect width="`)
	w.f(vw)
	w.s(`" height="`)
	w.f(vh)
	w.s(`" fill="#fff"/>`, "\n")
	w.s(`<text x="`)
	w.f(margin)
	w.s(`" y="`)
	w.f(margin + titleSize - 2)
	w.s(`" font-size="15" font-weight="bold" fill="#222">`)
	w.t(truncate(sc.title, 90))
	w.s("</text>\n")

	if empty {
		w.s(`<text x="`)
		w.f(vw / 2)
		w.s(`" y="`)
		w.f(vh / 2)
		w.s(`" text-anchor="middle" font-size="14" fill="#666">No links to show</text>`, "\n</svg>\n")
		buf.Write(w.b)
		return
	}

	for i, it := range items {
		writeLegendItem(w, it, pos[i].x, pos[i].y)
	}
	if sc.caption != "" {
		w.s(`<text x="`)
		w.f(margin)
		w.s(`" y="`)
		w.f(vh - margin + 2)
		w.s(`" fill="#555">`)
		w.t(sc.caption)
		w.s("</text>\n")
	}

	tx := (vw-gw)/2 - sc.x0
	ty := header + (vh-header-footer-gh)/2 - sc.y0
	w.s(`<g transform="translate(`)
	w.f(tx)
	w.s(" ")
	w.f(ty)
	w.s(`)">`, "\n")

	// Edges under the nodes, solid ones grouped to share attributes.
	w.s(`<g class="edges" stroke="`, edgeColor, `" stroke-width="1">`, "\n")
	for _, e := range sc.edges {
		a, b := &sc.nodes[e.a], &sc.nodes[e.b]
		w.s("<line")
		w.pos("x1", a.x)
		w.pos("y1", a.y)
		w.pos("x2", b.x)
		w.pos("y2", b.y)
		switch {
		case e.style == styleGrouped:
			w.s(` stroke="#4e79a7" stroke-opacity="0.35"`)
			w.attr("stroke-width", 1+math.Log10(float64(e.count)))
		case e.count > 1:
			w.attr("stroke-width", 1+math.Log10(float64(e.count)))
		case e.style == StyleAsserted:
			w.s(` stroke="#7b5ea7" stroke-width="1.4" stroke-dasharray="5 3"`)
		case e.style == StyleInactive:
			w.s(` stroke-opacity="0.35" stroke-dasharray="2 3"`)
		}
		w.s("/>\n")
	}
	w.s("</g>\n")

	w.s(`<g stroke="#fff" stroke-width="1">`, "\n")
	for i := range sc.nodes {
		v := &sc.nodes[i]
		w.s(`<g class="node" transform="translate(`)
		w.i(v.x)
		w.s(" ")
		w.i(v.y)
		w.s(`)"><title>`)
		tip := v.title
		if tip == "" {
			tip = v.label
		}
		if tip == "" {
			tip = styleOf(v.kind).name
		}
		w.t(tip)
		w.s("</title>")
		if v.href != "" {
			w.s(`<a href="`)
			w.t(v.href)
			w.s(`">`)
		}
		writeShape(w, v.kind, v.state, v.r)
		if v.href != "" {
			w.s("</a>")
		}
		w.s("</g>\n")
	}
	w.s("</g>\n")

	// Labels last, with a white halo, so edges and other nodes never hide
	// them.
	w.s(`<g fill="#222" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">`, "\n")
	for i := range sc.nodes {
		v := &sc.nodes[i]
		if !v.showLabel {
			continue
		}
		if v.href != "" {
			// Labels are the easy target to click; the shape link
			// already has the keyboard focus stop.
			w.s(`<a href="`)
			w.t(v.href)
			w.s(`" tabindex="-1">`)
		}
		w.s("<text")
		w.pos("x", v.lx)
		w.pos("y", v.ly)
		w.s(` text-anchor="`, v.anchor, `"`)
		if v.anchor != "middle" {
			w.s(` dy=".35em" transform="rotate(`)
			w.i(v.rot)
			w.s(" ")
			w.i(v.lx)
			w.s(" ")
			w.i(v.ly)
			w.s(`)"`)
		}
		switch {
		case v.state == StateListed || v.state == StateRejected:
			w.s(` fill="#888"`)
		case v.kind == kindAggregate:
			w.s(` fill="#2d4f7c"`)
		}
		w.s(">")
		w.t(v.label)
		w.s("</text>")
		if v.href != "" {
			w.s("</a>")
		}
		w.s("\n")
	}
	w.s("</g>\n</g>\n</svg>\n")
	buf.Write(w.b)
}

func describe(sc *scene) string {
	if len(sc.nodes) == 0 {
		return "No links to show."
	}
	s := "Network of " + plural(sc.nComp, "complaint", "complaints") + " and " +
		plural(sc.nIdent, "identifier", "identifiers") + "."
	if sc.caption != "" {
		s += " Picture " + sc.caption + "."
	}
	return s
}

func writeLegendItem(w *writer, it legendItem, x, y float64) {
	w.s(`<g transform="translate(`)
	w.f(x + 7)
	w.s(" ")
	w.f(y)
	w.s(`)">`)
	if it.edge != "" {
		w.s(`<line x1="-7" y1="0" x2="9" y2="0"`)
		switch it.edge {
		case StyleAsserted:
			w.s(` stroke="#7b5ea7" stroke-width="1.4" stroke-dasharray="5 3"`)
		case styleGrouped:
			w.s(` stroke="#4e79a7" stroke-opacity="0.35" stroke-width="3"`)
		default:
			w.s(` stroke="`, edgeColor, `" stroke-opacity="0.35" stroke-dasharray="2 3"`)
		}
		w.s("/>")
	} else {
		r := 6.0
		if it.kind == KindComplaint {
			r = 5
		}
		k := it.kind
		if it.state != "" {
			k = "legend-state" // neutral shape, so only the state shows
		}
		writeShape(w, k, it.state, r)
	}
	w.s(`<text x="14" dy=".35em" fill="#333">`)
	w.t(it.label)
	w.s("</text></g>\n")
}

func writeShape(w *writer, kind, state string, r float64) {
	st := styleOf(kind)
	fill := st.fill
	if kind == "legend-state" {
		st.shape, fill = "square", "#d0d0d0"
	}
	stroke := "" // white, from the enclosing group
	switch state {
	case StateHeld:
		stroke = ` stroke="#222" stroke-width="1.5" stroke-dasharray="3 2"`
	case StateListed, StateRejected:
		fill = "#c8c8c8"
		stroke = ` stroke="#8c8c8c" stroke-width="1" fill-opacity="0.7"`
	case StateConfirmed:
		stroke = ` stroke="#111" stroke-width="2.5"`
	}
	if kind == kindAggregate {
		stroke = ` stroke="#4e79a7" stroke-width="1.5"`
	}
	switch st.shape {
	case "circle":
		w.s("<circle")
		w.attr("r", r)
	case "square":
		s := r * 0.85
		w.s("<rect")
		w.attr("x", -s)
		w.attr("y", -s)
		w.attr("width", 2*s)
		w.attr("height", 2*s)
	case "diamond":
		w.s(`<path d="M0 `)
		w.f(-r * 1.15)
		w.s("L")
		w.f(r * 1.15)
		w.s(" 0L0 ")
		w.f(r * 1.15)
		w.s("L")
		w.f(-r * 1.15)
		w.s(` 0Z"`)
	case "triangle":
		w.s(`<path d="M0 `)
		w.f(-r * 1.1)
		w.s("L")
		w.f(r)
		w.s(" ")
		w.f(r * 0.75)
		w.s("L")
		w.f(-r)
		w.s(" ")
		w.f(r * 0.75)
		w.s(`Z"`)
	case "hexagon":
		w.s(`<path d="`)
		for k := range 6 {
			a := math.Pi / 3 * float64(k)
			if k == 0 {
				w.s("M")
			} else {
				w.s("L")
			}
			w.f(r * math.Cos(a))
			w.s(" ")
			w.f(r * math.Sin(a))
		}
		w.s(`Z"`)
	}
	w.s(` fill="`, fill, `"`, stroke, "/>")
}
