// Package netsvg draws a fraud network (complaints linked by the
// identifiers they share) as a self-contained SVG picture, on the server.
//
// The picture is meant to be inlined in an HTML page under a strict CSP: it
// has no scripts, no event handlers, no external references and no <style>
// element, only presentation attributes. Every label may come from a
// fraudster, so all text is cleaned and XML-escaped, and only same-site
// links ("/path") are kept.
//
// The layout is deterministic (same graph, same bytes) so that pages can be
// cached and tests can compare output. Networks larger than Options.MaxNodes
// are summarised: the most connected identifiers are kept, and the
// complaints around them are grouped into "+ N complaints" nodes.
package netsvg

import (
	"bytes"
	"hash/fnv"
	"io"
	"slices"
	"strconv"
)

// Node is one complaint or identifier of a network.
type Node struct {
	ID    string // unique within the graph; never shown
	Label string // short text shown, e.g. "CMP-2026-000123" or "+923001234567"
	Kind  string // "complaint", or the identifier type: phone, wallet, iban, ...
	Href  string // link target; only same-site paths ("/complaints/12") are kept
	Title string // tooltip; the label when empty
	State string // "", "held", "listed", "rejected" or "confirmed"
}

// Edge links a complaint and an identifier. Direction does not matter.
type Edge struct {
	From, To string
	Style    string // "" solid; "asserted" (an analyst's merge); "inactive" (does not link)
}

// Graph is a network to draw.
type Graph struct {
	Title string
	Nodes []Node
	Edges []Edge
}

// Options size the picture. Zero values take the defaults.
type Options struct {
	MaxNodes      int // nodes drawn before the network is summarised; default 200, at most 500
	Width, Height int // size of the picture in CSS pixels; default 900×600
}

// Edge styles and node states the picture distinguishes.
const (
	StyleAsserted = "asserted"
	StyleInactive = "inactive"

	StateHeld      = "held"
	StateListed    = "listed"
	StateRejected  = "rejected"
	StateConfirmed = "confirmed"

	KindComplaint = "complaint"
)

// kindAggregate marks a node standing for many complaints; it is not
// accepted from callers, whose kinds are mapped to "other" when unknown.
const kindAggregate = "\x00aggregate"

// styleGrouped marks a line between two identifiers standing for grouped
// complaints linked to both.
const styleGrouped = "\x00grouped"

// Render writes g as an SVG document to w. The output is written in one
// Write call, so a failed render leaves nothing half-written.
func Render(w io.Writer, g Graph, opt Options) error {
	opt = opt.withDefaults()
	sc := build(g, opt)
	var buf bytes.Buffer
	buf.Grow(4096 + 300*len(sc.nodes) + 80*len(sc.edges))
	writeSVG(&buf, sc, opt)
	_, err := w.Write(buf.Bytes())
	return err
}

// scene is what gets drawn: the (possibly summarised) graph with positions.
type scene struct {
	title   string
	idHash  string // makes element ids unique when several pictures share a page
	nodes   []vnode
	edges   []vedge
	caption string // what was left out, when summarised
	total   int    // nodes in the input, after dropping duplicates
	nComp   int    // complaints in the input
	nIdent  int    // identifiers in the input

	x0, y0, x1, y1 float64 // bounds of everything drawn, labels included
}

type vnode struct {
	label, kind, href, title, state string
	count                           int // complaints an aggregate stands for
	x, y, r                         float64
	showLabel                       bool
	lx, ly, rot                     float64 // label anchor point and rotation in degrees
	ex, ey                          float64 // far end of a rotated label, for the bounds
	anchor                          string  // text-anchor of the label
}

type vedge struct {
	a, b  int // indexes into scene.nodes
	style string
	count int // >0 for an edge to an aggregate: how many links it stands for
}

// maxMaxNodes bounds Options.MaxNodes: beyond it a picture is unreadable,
// and the layout's time grows with the square of the nodes drawn.
const maxMaxNodes = 500

func (opt Options) withDefaults() Options {
	if opt.MaxNodes <= 0 {
		opt.MaxNodes = 200
	}
	opt.MaxNodes = min(opt.MaxNodes, maxMaxNodes)
	if opt.Width <= 0 {
		opt.Width = 900
	}
	if opt.Height <= 0 {
		opt.Height = 600
	}
	return opt
}

func build(g Graph, opt Options) *scene {
	opt = opt.withDefaults()
	in := prepare(g)
	sc := &scene{title: cleanText(g.Title), total: len(in.nodes), idHash: in.hash}
	for _, n := range in.nodes {
		if n.Kind == KindComplaint {
			sc.nComp++
		} else {
			sc.nIdent++
		}
	}
	if sc.title == "" {
		sc.title = "Fraud network"
	}
	summarise(sc, in, opt.MaxNodes)
	layout(sc)
	return sc
}

// input is the caller's graph with duplicates and dangling edges removed,
// as adjacency lists sorted by neighbour index (so the order is canonical).
type input struct {
	nodes []Node
	adj   [][]half
	hash  string
}

type half struct {
	to    int32
	style uint8 // 0 solid, 1 asserted, 2 inactive
}

const (
	styleSolid uint8 = iota
	styleAsserted
	styleInactive
)

func styleCode(s string) uint8 {
	switch s {
	case StyleAsserted:
		return styleAsserted
	case StyleInactive:
		return styleInactive
	}
	return styleSolid
}

func styleName(c uint8) string {
	switch c {
	case styleAsserted:
		return StyleAsserted
	case styleInactive:
		return StyleInactive
	}
	return ""
}

func prepare(g Graph) *input {
	in := &input{}
	h := fnv.New64a()
	h.Write([]byte(g.Title))
	idx := make(map[string]int32, len(g.Nodes))
	in.nodes = make([]Node, 0, len(g.Nodes))
	for _, n := range g.Nodes {
		if _, dup := idx[n.ID]; dup {
			continue // the first one wins; a repeat is the caller's mistake
		}
		idx[n.ID] = int32(len(in.nodes))
		in.nodes = append(in.nodes, n)
		h.Write([]byte{0})
		h.Write([]byte(n.ID))
	}
	deg := make([]int32, len(in.nodes)+1)
	type pair struct {
		a, b  int32
		style uint8
	}
	pairs := make([]pair, 0, len(g.Edges))
	for _, e := range g.Edges {
		a, ok1 := idx[e.From]
		b, ok2 := idx[e.To]
		if !ok1 || !ok2 || a == b {
			continue
		}
		pairs = append(pairs, pair{a, b, styleCode(e.Style)})
		deg[a]++
		deg[b]++
	}
	// Compressed adjacency: one allocation instead of one per node, which
	// matters at 50,000 nodes.
	start := make([]int32, len(in.nodes)+1)
	for i := range in.nodes {
		start[i+1] = start[i] + deg[i]
	}
	all := make([]half, start[len(in.nodes)])
	fill := append([]int32(nil), start[:len(in.nodes)]...)
	for _, p := range pairs {
		all[fill[p.a]] = half{p.b, p.style}
		fill[p.a]++
		all[fill[p.b]] = half{p.a, p.style}
		fill[p.b]++
	}
	in.adj = make([][]half, len(in.nodes))
	for i := range in.nodes {
		l := all[start[i]:start[i+1]]
		// Equal neighbours are merged below, so an unstable sort is fine.
		slices.SortFunc(l, func(x, y half) int { return int(x.to - y.to) })
		// Merge repeated edges, keeping the one that links most
		// (solid over asserted over inactive).
		out := l[:0]
		for _, x := range l {
			if k := len(out); k > 0 && out[k-1].to == x.to {
				out[k-1].style = min(out[k-1].style, x.style)
				continue
			}
			out = append(out, x)
		}
		in.adj[i] = out
	}
	for i, l := range in.adj {
		for _, x := range l {
			if int(x.to) > i {
				h.Write([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24),
					byte(x.to), byte(x.to >> 8), byte(x.to >> 16), byte(x.to >> 24), x.style})
			}
		}
	}
	in.hash = strconv.FormatUint(h.Sum64()&0xffffffffff, 36)
	return in
}
