package network

import (
	"cmp"
	"slices"
)

// ComplaintLinks lists the identifiers a complaint mentions, sorted, so a
// caller can bring the engine in step with the database's links.
func (e *Engine) ComplaintLinks(complaintID int64) ([]int64, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	if !g.hasComplaint(complaintID) {
		return nil, false
	}
	idents := g.cs[complaintID].idents
	out := make([]int64, len(idents))
	for k, i := range idents {
		out[k] = int64(i)
	}
	slices.Sort(out)
	return out, true
}

// NetworkLinks lists every (complaint, identifier) link of a network's
// complaints, for drawing it; Active says whether the link links.
func (e *Engine) NetworkLinks(id int64) []NetworkLink {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	if !g.hasComplaint(id) || int64(g.netID(int32(id))) != id {
		return nil
	}
	x := g.agg(int32(id))
	var out []NetworkLink
	for _, m := range x.members {
		for _, i := range g.cs[m].idents {
			out = append(out, NetworkLink{Link: Link{Complaint: int64(m), Identifier: int64(i)}, Active: g.active(m, i)})
		}
	}
	slices.SortFunc(out, func(a, b NetworkLink) int {
		return cmp.Or(cmp.Compare(a.Complaint, b.Complaint), cmp.Compare(a.Identifier, b.Identifier))
	})
	return out
}

// NetworkLink is a link of a network, with whether it links.
type NetworkLink struct {
	Link
	Active bool
}

// NetworksOf lists the networks of the complaints that mention an
// identifier, sorted: where a licensed business's declared number turns up.
func (e *Engine) NetworksOf(identifierID int64) []int64 {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	if !g.hasIdent(identifierID) {
		return nil
	}
	var out []int64
	for _, c := range g.ids[identifierID].complaints {
		out = append(out, int64(g.netID(c)))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
