package netsvg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Test networks of the shapes the layout must handle.

func star(n int) Graph {
	g := Graph{Title: "Star", Nodes: []Node{{ID: "hub", Label: "+923001234567", Kind: "phone", Href: "/identifiers/1"}}}
	for i := range n {
		id := fmt.Sprintf("c%d", i)
		g.Nodes = append(g.Nodes, Node{ID: id, Label: fmt.Sprintf("CMP-2026-%06d", i), Kind: KindComplaint, Href: fmt.Sprintf("/complaints/%d", i)})
		g.Edges = append(g.Edges, Edge{From: id, To: "hub"})
	}
	return g
}

// chain alternates complaint, identifier, complaint, ...
func chain(n int) Graph {
	g := Graph{Title: "Chain"}
	kinds := []string{"phone", "wallet", "iban", "url", "crypto"}
	for i := range n {
		n := Node{ID: fmt.Sprint(i), Kind: KindComplaint, Label: fmt.Sprintf("CMP-%d", i)}
		if i%2 == 1 {
			n.Kind, n.Label = kinds[i/2%len(kinds)], fmt.Sprintf("id-%d", i)
		}
		g.Nodes = append(g.Nodes, n)
		if i > 0 {
			g.Edges = append(g.Edges, Edge{From: fmt.Sprint(i - 1), To: fmt.Sprint(i)})
		}
	}
	return g
}

// hubs has h identifiers with per complaints each, consecutive hubs joined
// by two complaints, and a few analyst merges and inactive links.
func hubs(h, per int) Graph {
	g := Graph{Title: "Hubs"}
	kinds := []string{"phone", "wallet", "iban", "bank_account", "crypto", "url", "domain", "email"}
	states := []string{"", "held", "listed", "confirmed", "rejected"}
	for i := range h {
		g.Nodes = append(g.Nodes, Node{ID: fmt.Sprint("h", i), Kind: kinds[i%len(kinds)], Label: fmt.Sprintf("identifier-value-number-%d", i), State: states[i%len(states)]})
		for j := range per {
			c := fmt.Sprint("c", i, "-", j)
			g.Nodes = append(g.Nodes, Node{ID: c, Kind: KindComplaint, Label: c})
			style := ""
			if j == 0 {
				style = StyleAsserted
			} else if j == 1 {
				style = StyleInactive
			}
			g.Edges = append(g.Edges, Edge{From: c, To: fmt.Sprint("h", i), Style: style})
		}
		if i > 0 {
			for k := range 2 {
				c := fmt.Sprint("j", i, "-", k)
				g.Nodes = append(g.Nodes, Node{ID: c, Kind: KindComplaint, Label: c})
				g.Edges = append(g.Edges, Edge{From: c, To: fmt.Sprint("h", i)}, Edge{From: c, To: fmt.Sprint("h", i-1)})
			}
		}
	}
	return g
}

// big is a realistic large network: most identifiers appear once, a few
// are shared by thousands of complaints.
func big(n int) Graph {
	r := rand.New(rand.NewPCG(1, 2))
	nc := n * 4 / 5
	ni := n - nc
	g := Graph{Title: "Big", Nodes: make([]Node, 0, n)}
	kinds := []string{"phone", "wallet", "iban", "url", "crypto", "email"}
	for i := range ni {
		g.Nodes = append(g.Nodes, Node{ID: fmt.Sprint("i", i), Kind: kinds[i%len(kinds)], Label: fmt.Sprintf("+92300%07d", i)})
	}
	zipf := rand.NewZipf(r, 1.3, 2, uint64(ni-1))
	for i := range nc {
		id := fmt.Sprint("c", i)
		g.Nodes = append(g.Nodes, Node{ID: id, Kind: KindComplaint, Label: fmt.Sprintf("CMP-2026-%06d", i), Href: fmt.Sprintf("/complaints/%d", i)})
		for range 1 + r.IntN(3) {
			g.Edges = append(g.Edges, Edge{From: id, To: fmt.Sprint("i", zipf.Uint64())})
		}
	}
	return g
}

func render(t testing.TB, g Graph, opt Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, g, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// drawn is what a test can read back from the SVG.
type drawn struct {
	root   xml.StartElement
	ids    map[string]string // element id → element name
	nodes  [][2]float64      // centres, in the graph group's coordinates
	lines  [][4]float64
	hrefs  []string
	texts  []string
	elems  map[string]int
	attrs  []xml.Attr
	titles []string
}

// parse decodes the SVG strictly, failing the test if it is not
// well-formed XML.
func parse(t testing.TB, s string) drawn {
	t.Helper()
	d := drawn{ids: map[string]string{}, elems: map[string]int{}}
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	var stack []string
	first := true
	inEdges := 0 // depth of the edges group while inside it
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if first {
				d.root = tok.Copy()
				first = false
			}
			stack = append(stack, tok.Name.Local)
			d.elems[tok.Name.Local]++
			d.attrs = append(d.attrs, tok.Attr...)
			var class, transform string
			for _, a := range tok.Attr {
				switch a.Name.Local {
				case "id":
					d.ids[a.Value] = tok.Name.Local
				case "class":
					class = a.Value
				case "transform":
					transform = a.Value
				case "href":
					d.hrefs = append(d.hrefs, a.Value)
				}
			}
			if class == "node" {
				var x, y float64
				if _, err := fmt.Sscanf(transform, "translate(%g %g)", &x, &y); err != nil {
					t.Fatalf("node transform %q: %v", transform, err)
				}
				d.nodes = append(d.nodes, [2]float64{x, y})
			}
			if class == "edges" {
				inEdges = len(stack)
			}
			if tok.Name.Local == "line" && inEdges > 0 {
				var l [4]float64
				for _, a := range tok.Attr {
					for k, n := range []string{"x1", "y1", "x2", "y2"} {
						if a.Name.Local == n {
							fmt.Sscanf(a.Value, "%g", &l[k])
						}
					}
				}
				d.lines = append(d.lines, l)
			}
		case xml.EndElement:
			if len(stack) == inEdges {
				inEdges = 0
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				switch stack[len(stack)-1] {
				case "text":
					d.texts = append(d.texts, string(tok))
				case "title":
					d.titles = append(d.titles, string(tok))
				}
			}
		}
	}
	return d
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestWellFormedAndEmbeddable(t *testing.T) {
	for name, g := range map[string]Graph{
		"star": star(30), "chain": chain(40), "hubs": hubs(6, 12), "big": big(3000), "empty": {},
	} {
		t.Run(name, func(t *testing.T) {
			s := render(t, g, Options{})
			d := parse(t, s)
			if d.root.Name.Local != "svg" || d.root.Name.Space != "http://www.w3.org/2000/svg" {
				t.Fatalf("root is %v", d.root.Name)
			}
			if attr(d.root, "role") != "img" || attr(d.root, "viewBox") == "" {
				t.Errorf("root lacks role or viewBox: %v", d.root.Attr)
			}
			if id := attr(d.root, "aria-labelledby"); d.ids[id] != "title" {
				t.Errorf("aria-labelledby=%q does not name a <title> (%v)", id, d.ids)
			}
			for _, e := range []string{"script", "style", "foreignObject", "image", "use", "iframe"} {
				if d.elems[e] > 0 {
					t.Errorf("has <%s>", e)
				}
			}
			for _, a := range d.attrs {
				if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || a.Name.Local == "style" {
					t.Errorf("has attribute %s", a.Name.Local)
				}
				if strings.Contains(a.Value, "url(") {
					t.Errorf("attribute %s references %q", a.Name.Local, a.Value)
				}
			}
		})
	}
}

func TestHostileInputIsEscaped(t *testing.T) {
	evil := []string{
		`<script>alert(1)</script>`,
		`"><svg onload=alert(1)>`,
		`'><img src=x onerror=alert(1)>`,
		`]]><!-- &amp; &#x3c; <![CDATA[`,
		"bad\xffutf8\x00nul\x1bescape\u202egnp.exe",
		"\ufffe\U0001F4A9 emoji",
	}
	hrefs := []string{
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>",
		"//evil.example", `/\evil.example`, "/\t/evil.example", "/\n/evil.example", "https://evil.example",
		`/x" onclick="alert(1)`, "/complaints/1?a=1&b=<2>",
	}
	g := Graph{Title: `<script>alert("title")</script>`}
	for i, s := range evil {
		g.Nodes = append(g.Nodes,
			Node{ID: fmt.Sprint("c", i), Kind: KindComplaint, Label: s, Title: s, Href: hrefs[i%len(hrefs)]},
			Node{ID: fmt.Sprint("i", i), Kind: s, State: s, Label: s, Title: s, Href: hrefs[(i+5)%len(hrefs)]})
		g.Edges = append(g.Edges, Edge{From: fmt.Sprint("c", i), To: fmt.Sprint("i", i), Style: s})
		if i > 0 {
			g.Edges = append(g.Edges, Edge{From: fmt.Sprint("c", i), To: fmt.Sprint("i", i-1)})
		}
	}
	for _, h := range hrefs {
		g.Nodes = append(g.Nodes, Node{ID: h, Kind: "url", Label: h, Href: h})
		g.Edges = append(g.Edges, Edge{From: h, To: "c0"})
	}
	s := render(t, g, Options{})
	d := parse(t, s)
	if strings.Contains(s, "<script") || strings.Contains(s, "<svg onload") || strings.Contains(s, "<img") {
		t.Errorf("raw markup from a label reached the output")
	}
	if strings.Contains(s, "\u202e") {
		t.Errorf("bidi override kept")
	}
	for _, a := range d.attrs {
		if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") {
			t.Errorf("event handler attribute %s=%q", a.Name.Local, a.Value)
		}
	}
	if len(d.hrefs) == 0 {
		t.Fatal("the one safe href was dropped too")
	}
	for _, h := range d.hrefs {
		if h != "/complaints/1?a=1&b=<2>" {
			t.Errorf("unsafe href kept: %q", h)
		}
	}
	if !strings.Contains(strings.Join(d.texts, "\n"), `<script>alert("title")</script>`) {
		t.Errorf("title text not shown (escaped) as text: %q", d.texts)
	}
}

func TestDeterministic(t *testing.T) {
	for name, g := range map[string]Graph{"hubs": hubs(8, 20), "big": big(20000), "chain": chain(150)} {
		a := render(t, g, Options{})
		for range 3 {
			if b := render(t, g, Options{}); a != b {
				t.Fatalf("%s: two renders differ", name)
			}
		}
	}
}

func TestSummaryCap(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    Graph
		max  int
	}{
		{"star 150 / 50", star(150), 50},
		{"hubs / 40", hubs(10, 20), 40},
		{"big 50,000 / 200", big(50000), 200},
		{"big 50,000 / 20", big(50000), 20},
		{"big 5,000 / 1", big(5000), 1},
		{"complaints only", Graph{Nodes: star(300).Nodes[1:]}, 100},
		{"MaxNodes capped", big(5000), 100_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := render(t, tc.g, Options{MaxNodes: tc.max})
			d := parse(t, s)
			limit := max(min(tc.max, maxMaxNodes), 2) // one identifier and its group at least
			if len(d.nodes) > limit {
				t.Errorf("%d nodes drawn, cap %d", len(d.nodes), tc.max)
			}
			want := fmt.Sprintf("showing %s of %s nodes", thousands(len(d.nodes)), thousands(len(tc.g.Nodes)))
			if !strings.Contains(s, want) {
				t.Errorf("no caption %q", want)
			}
			if tc.max <= 200 && len(s) > 100_000 {
				t.Errorf("output is %d bytes", len(s))
			}
		})
	}

	// The star's hidden complaints are in one group on the hub.
	sc := build(star(150), Options{MaxNodes: 50})
	var shown, grouped int
	for _, v := range sc.nodes {
		switch v.kind {
		case KindComplaint:
			shown++
		case kindAggregate:
			grouped += v.count
			if v.label != "+ "+thousands(v.count)+" complaints" {
				t.Errorf("aggregate label %q", v.label)
			}
		}
	}
	if shown+grouped != 150 || len(sc.nodes) != 50 {
		t.Errorf("star: %d shown + %d grouped of 150, %d nodes", shown, grouped, len(sc.nodes))
	}

	// Complaints joining two kept hubs are kept, not grouped away.
	sc = build(hubs(4, 30), Options{MaxNodes: 30})
	joins := 0
	for _, v := range sc.nodes {
		if strings.HasPrefix(v.label, "j") {
			joins++
		}
	}
	if joins != 6 {
		t.Errorf("%d joining complaints kept, want 6", joins)
	}
}

func TestNoPileUps(t *testing.T) {
	for name, g := range map[string]Graph{
		"star 150":     star(150),
		"star 3":       star(3),
		"chain 120":    chain(120),
		"chain 2":      chain(2),
		"hubs 6×20":    hubs(6, 20),
		"hubs 25×6":    hubs(25, 6),
		"big summary":  big(50000),
		"big 200":      big(200),
		"loose pieces": {Nodes: chain(30).Nodes},
	} {
		t.Run(name, func(t *testing.T) {
			d := parse(t, render(t, g, Options{}))
			const minDist = 14
			for i, a := range d.nodes {
				for _, b := range d.nodes[i+1:] {
					if dist := math.Hypot(a[0]-b[0], a[1]-b[1]); dist < minDist {
						t.Fatalf("nodes at %v and %v are %.1f apart", a, b, dist)
					}
				}
			}
		})
	}
}

func TestEdgesJoinDrawnNodes(t *testing.T) {
	g := hubs(5, 8)
	g.Edges = append(g.Edges,
		Edge{From: "h0", To: "missing"}, Edge{From: "nobody", To: "c0-0"}, Edge{From: "h1", To: "h1"},
		Edge{From: "c0-2", To: "h0"}, Edge{From: "h0", To: "c0-2", Style: StyleInactive}) // repeats
	g.Nodes = append(g.Nodes, Node{ID: "h0", Label: "duplicate", Kind: "phone"})
	for _, maxN := range []int{0, 15} {
		sc := build(g, Options{MaxNodes: maxN})
		seen := map[[2]int]bool{}
		for _, e := range sc.edges {
			if e.a < 0 || e.b < 0 || e.a >= len(sc.nodes) || e.b >= len(sc.nodes) || e.a == e.b {
				t.Fatalf("edge %v out of range", e)
			}
			k := [2]int{min(e.a, e.b), max(e.a, e.b)}
			if seen[k] {
				t.Errorf("edge %v drawn twice", k)
			}
			seen[k] = true
		}
		d := parse(t, render(t, g, Options{MaxNodes: maxN}))
		at := map[[2]float64]bool{}
		for _, n := range d.nodes {
			at[n] = true
		}
		for _, l := range d.lines {
			if !at[[2]float64{l[0], l[1]}] || !at[[2]float64{l[2], l[3]}] {
				t.Errorf("line %v does not join two drawn nodes", l)
			}
		}
		if len(d.lines) != len(sc.edges) {
			t.Errorf("%d lines for %d edges", len(d.lines), len(sc.edges))
		}
	}
}

func TestEmptyGraph(t *testing.T) {
	s := render(t, Graph{}, Options{})
	d := parse(t, s)
	if !strings.Contains(strings.Join(d.texts, " "), "No links to show") || len(d.nodes) != 0 {
		t.Errorf("empty graph: %s", s)
	}
	if attr(d.root, "width") != "900" || attr(d.root, "height") != "600" {
		t.Errorf("default size not used: %v", d.root.Attr)
	}
	// Nodes without links are still drawn.
	d = parse(t, render(t, Graph{Nodes: []Node{{ID: "a", Kind: "phone", Label: "x"}}}, Options{}))
	if len(d.nodes) != 1 {
		t.Errorf("lone node: %d drawn", len(d.nodes))
	}
}

func TestLabels(t *testing.T) {
	long := strings.Repeat("x", 60)
	g := Graph{Nodes: []Node{{ID: "a", Kind: "url", Label: long}, {ID: "b", Kind: KindComplaint, Label: "CMP-1", Title: "tip"}}, Edges: []Edge{{From: "a", To: "b"}}}
	d := parse(t, render(t, g, Options{}))
	texts := strings.Join(d.texts, "\n")
	if strings.Contains(texts, long) || !strings.Contains(texts, strings.Repeat("x", labelRunes-1)+"…") {
		t.Errorf("long label not truncated: %q", d.texts)
	}
	if !strings.Contains(texts, "CMP-1") {
		t.Errorf("few complaints, yet no complaint label: %q", d.texts)
	}
	if !strings.Contains(strings.Join(d.titles, "\n"), "tip") {
		t.Errorf("tooltip missing: %q", d.titles)
	}
	// Many complaints: their labels become tooltips only.
	d = parse(t, render(t, star(100), Options{}))
	if strings.Contains(strings.Join(d.texts, "\n"), "CMP-2026-000001") {
		t.Errorf("100 complaint labels drawn")
	}
	if !strings.Contains(strings.Join(d.titles, "\n"), "CMP-2026-000001") {
		t.Errorf("complaint tooltip missing")
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"  a \n\t b  ":        "a b",
		"a\x00b":              "a b",
		"\xff":                "\ufffd",
		"abc\u202edef":        "abcdef",
		"\U0001F4A9":          "\U0001F4A9",
		"x\ufffey":            "x\ufffdy",
		"<&>\"'":              "<&>\"'", // escaping is done on output
		strings.Repeat("", 0): "",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
	if got := string(escape(nil, `<a href="x">&'`)); got != "&lt;a href=&quot;x&quot;&gt;&amp;&#39;" {
		t.Errorf("escape: %s", got)
	}
}

func TestFast(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	g := big(50000)
	start := time.Now()
	render(t, g, Options{})
	// Generous: the benchmark shows the real figure; this only catches
	// a layout that went quadratic in the input size.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("50,000 nodes took %v", d)
	}
}

// TestWriteSamples writes sample pictures to look at:
// NETSVG_SAMPLES=/tmp/netsvg go test -run WriteSamples ./netsvg/
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("NETSVG_SAMPLES")
	if dir == "" {
		t.Skip("NETSVG_SAMPLES not set")
	}
	for name, g := range map[string]Graph{
		"star": star(150), "chain": chain(60), "hubs": hubs(6, 14), "big": big(50000), "small": hubs(3, 3), "empty": {},
	} {
		var b bytes.Buffer
		if err := Render(&b, g, Options{}); err != nil {
			t.Fatal(err)
		}
		page := "<!doctype html><meta charset=utf-8><body style=margin:0>" + b.String()
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func benchmarkRender(b *testing.B, g Graph) {
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if err := Render(&out, g, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes/svg")
}

func BenchmarkRender200(b *testing.B)   { benchmarkRender(b, big(200)) }
func BenchmarkRender50000(b *testing.B) { benchmarkRender(b, big(50000)) }

// FuzzRender checks that no text, kind, state, style or link makes the
// output malformed or lets a link leave the site.
func FuzzRender(f *testing.F) {
	f.Add("<script>", "phone", "/x", "held", "asserted")
	f.Add("\xff\x00]]>", "complaint", "//evil", "", "inactive")
	f.Add("a&b", "\u202e", "/\t/evil", "listed", "")
	f.Fuzz(func(t *testing.T, label, kind, href, state, style string) {
		g := Graph{Title: label, Nodes: []Node{
			{ID: "a", Label: label, Kind: kind, Href: href, State: state, Title: label},
			{ID: "b", Label: label, Kind: KindComplaint, Href: href},
			{ID: label, Label: label, Kind: kind},
		}, Edges: []Edge{{From: "a", To: "b", Style: style}, {From: label, To: "b", Style: style}}}
		d := parse(t, render(t, g, Options{}))
		for _, h := range d.hrefs {
			if !strings.HasPrefix(h, "/") || strings.HasPrefix(h, "//") || strings.ContainsAny(h, "\\ \t\n\r") {
				t.Errorf("href %q kept", h)
			}
		}
	})
}
