package netsvg_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/greyline/greyline/netsvg"
)

func ExampleRender() {
	g := netsvg.Graph{
		Title: "Network N-17",
		Nodes: []netsvg.Node{
			{ID: "c1", Label: "CMP-2026-000123", Kind: netsvg.KindComplaint, Href: "/complaints/123"},
			{ID: "c2", Label: "CMP-2026-000124", Kind: netsvg.KindComplaint, Href: "/complaints/124"},
			{ID: "p1", Label: "+923001234567", Kind: "phone", State: netsvg.StateConfirmed},
			{ID: "w1", Label: "JazzCash 03001234567", Kind: "wallet", State: netsvg.StateHeld},
		},
		Edges: []netsvg.Edge{
			{From: "c1", To: "p1"},
			{From: "c2", To: "p1"},
			{From: "c2", To: "w1", Style: netsvg.StyleAsserted},
		},
	}
	var b strings.Builder
	if err := netsvg.Render(&b, g, netsvg.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	svg := b.String()
	fmt.Println(svg[:strings.Index(svg, " viewBox")])
	fmt.Println(strings.Count(svg, `class="node"`), "nodes")
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg"
	// 4 nodes
}
