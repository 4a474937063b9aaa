package server

// The analysts' network pages: the ranked list, one network with its
// picture, and the queue of identifiers held for review.

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
	"github.com/greyline/greyline/netsvg"
	"github.com/greyline/greyline/network"
)

type networksPage struct {
	Page
	Networks   []network.Summary
	Total      int
	Filter     network.Filter
	Categories []greyline.Category
	Held       int
}

func (s *Server) networksPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var v greyline.Validation
	f := networkFilter(r, &v)
	if err := v.Err(); err != nil {
		return err
	}
	items, total := s.nets.Engine().Networks(f)
	p := &networksPage{Page: s.page(c, "Fraud networks"), Networks: items, Total: total, Filter: f, Categories: greyline.Categories, Held: len(s.nets.Engine().Held())}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "networks", p)
	return nil
}

// identifierGroup is a network's identifiers of one type.
type identifierGroup struct {
	Type        string
	Identifiers []networkIdentifierView
}

type networkIdentifierView struct {
	network.NetIdentifier
	Assessment network.Assessment
}

type networkPage struct {
	Page
	N           *networkDetail
	Groups      []identifierGroup
	Complaints  []*greyline.Complaint
	MoreCount   int // complaints beyond those listed
	Picture     template.HTML
	CanDecide   bool
	Categories  map[string]string
	NetworkName string
	// Raids and FIRs that answer any of its complaints.
	Raids []*greyline.Raid
	FIRs  []*greyline.FIR
}

// networkName is how a network is named on pages: by its id.
func networkName(id int64) string { return "N-" + strconv.FormatInt(id, 10) }

func (s *Server) loadNetworkPage(r *http.Request, c *reqCtx) (*networkPage, error) {
	d, err := s.loadNetwork(r)
	if err != nil {
		return nil, err
	}
	p := &networkPage{Page: s.page(c, "Fraud network "+networkName(d.ID)), N: d, CanDecide: c.can(access.NetworkDecide, nil),
		Categories: map[string]string{}, NetworkName: networkName(d.ID)}
	for _, cat := range greyline.Categories {
		p.Categories[cat.Code] = cat.Label
	}
	byType := map[string]*identifierGroup{}
	var order []string
	for _, ni := range d.Identifiers {
		g := byType[ni.Type]
		if g == nil {
			g = &identifierGroup{Type: ni.Type}
			byType[ni.Type] = g
			order = append(order, ni.Type)
		}
		a, _ := s.nets.Engine().Assess(ni.ID)
		g.Identifiers = append(g.Identifiers, networkIdentifierView{NetIdentifier: ni, Assessment: a})
	}
	slices.Sort(order)
	for _, t := range order {
		p.Groups = append(p.Groups, *byType[t])
	}
	ids := d.Complaints
	if len(ids) > 200 {
		p.MoreCount, ids = len(ids)-200, ids[:200]
	}
	if p.Complaints, err = s.complaints.ListComplaints(r.Context(), greyline.ComplaintFilter{IDs: ids, Limit: 500}); err != nil {
		return nil, err
	}
	if c.can(access.EnforcementView, nil) {
		if p.Raids, p.FIRs, err = s.enforcement.CasesOf(r.Context(), d.Complaints); err != nil {
			return nil, err
		}
	}
	p.Picture, err = s.networkPicture(d, p.Complaints)
	if err != nil {
		return nil, err
	}
	p.Flash = flash(r)
	return p, nil
}

// networkPicture draws the network on the server; labels come from
// fraudsters, and netsvg escapes every one of them.
func (s *Server) networkPicture(d *networkDetail, listed []*greyline.Complaint) (template.HTML, error) {
	refs := map[int64]string{}
	for _, c := range listed {
		refs[c.ID] = c.Reference
	}
	g := netsvg.Graph{Title: "Fraud network " + networkName(d.ID)}
	for _, cid := range d.Complaints {
		label := refs[cid]
		if label == "" {
			label = "complaint " + strconv.FormatInt(cid, 10)
		}
		g.Nodes = append(g.Nodes, netsvg.Node{ID: "c" + strconv.FormatInt(cid, 10), Label: label, Kind: netsvg.KindComplaint, Href: "/complaints/" + strconv.FormatInt(cid, 10)})
	}
	states := map[int64]string{}
	for _, ni := range d.Identifiers {
		st := ""
		switch ni.State {
		case network.StateHeld:
			st = netsvg.StateHeld
		case network.StateListed:
			st = netsvg.StateListed
		case network.StateRejected:
			st = netsvg.StateRejected
		case network.StateConfirmed:
			st = netsvg.StateConfirmed
		}
		states[ni.ID] = st
		g.Nodes = append(g.Nodes, netsvg.Node{ID: "i" + strconv.FormatInt(ni.ID, 10), Label: ni.Value, Kind: ni.Type, State: st, Title: ni.Type + " " + ni.Value})
	}
	for _, l := range s.nets.Engine().NetworkLinks(d.ID) {
		style := ""
		if st := states[l.Identifier]; st == netsvg.StateHeld || st == netsvg.StateListed || st == netsvg.StateRejected {
			style = netsvg.StyleInactive
		}
		g.Edges = append(g.Edges, netsvg.Edge{From: "c" + strconv.FormatInt(l.Complaint, 10), To: "i" + strconv.FormatInt(l.Identifier, 10), Style: style})
	}
	var buf bytes.Buffer
	if err := netsvg.Render(&buf, g, netsvg.Options{}); err != nil {
		return "", err
	}
	return template.HTML(buf.String()), nil // netsvg escapes all text and drops foreign links
}

func (s *Server) networkPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadNetworkPage(r, c)
	if redirectMoved(w, r, err, "/networks/") {
		return nil
	}
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "network", p)
	return nil
}

type reviewPage struct {
	Page
	Held      []network.HeldIdentifier
	CanDecide bool
}

func (s *Server) networkReviewPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p := &reviewPage{Page: s.page(c, "Identifiers held for review"), Held: s.nets.Engine().Held(), CanDecide: c.can(access.NetworkDecide, nil)}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "network_review", p)
	return nil
}

// decisionForm reads an analyst's decision from a form.
func decisionForm(r *http.Request) (greyline.NetworkDecision, error) {
	var v greyline.Validation
	f := r.PostFormValue
	d := greyline.NetworkDecision{Kind: greyline.NetworkDecisionKind(f("kind")), Note: f("note")}
	num := func(field string) int64 {
		raw := strings.TrimSpace(f(field))
		if raw == "" {
			return 0
		}
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(raw), "N-"), 10, 64)
		if err != nil || n <= 0 {
			v.Add(field, "must be a number")
		}
		return n
	}
	d.Identifier, d.Complaint = num("identifier_id"), num("complaint_id")
	for _, raw := range r.PostForm["complaints"] {
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(raw)), "N-"), 10, 64)
		if err != nil || n <= 0 {
			v.Add("complaints", "must be complaint or network numbers")
			break
		}
		d.Complaints = append(d.Complaints, n)
	}
	return d, v.Err()
}

// back is where a decision form returns: the page it was sent from.
func back(r *http.Request) string {
	b := r.PostFormValue("back")
	if strings.HasPrefix(b, "/networks") && !strings.HasPrefix(b, "//") && !strings.ContainsAny(b, "\\?#") {
		return b
	}
	return "/networks/review"
}

func (s *Server) networkDecisionSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d, err := decisionForm(r)
	if err == nil {
		err = s.nets.Decide(r.Context(), &d)
	}
	if err != nil {
		return s.decisionError(w, r, c, err)
	}
	return redirect(w, r, back(r)+"?done=decided-network")
}

func (s *Server) networkRevokeSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.nets.Revoke(r.Context(), id); err != nil {
		return s.decisionError(w, r, c, err)
	}
	return redirect(w, r, back(r)+"?done=revoked-network")
}

// decisionError shows the page the form came from with the problem named.
func (s *Server) decisionError(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) error {
	b := back(r)
	if rest, ok := strings.CutPrefix(b, "/networks/"); ok && rest != "review" {
		r.SetPathValue("id", rest)
		p, perr := s.loadNetworkPage(r, c)
		if perr != nil {
			return err
		}
		return s.formError(w, r, c, "network", p, err)
	}
	p := &reviewPage{Page: s.page(c, "Identifiers held for review"), Held: s.nets.Engine().Held(), CanDecide: c.can(access.NetworkDecide, nil)}
	return s.formError(w, r, c, "network_review", p, err)
}
