package server

// The suspect registry for partners and the fraud-network API for analysts.

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/fraudnet"
	"github.com/greyline/greyline/network"
)

// ComplaintsChanged is the storage hook: it brings the network engine in
// step with complaints just written.
func (s *Server) ComplaintsChanged(ids []int64) {
	if s.cfg.NetworksFromLog && s.follow != nil {
		return // the follower applies them, to the networks and the watch
	}
	s.watch.ComplaintsChanged(ids)
	if s.nets == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.nets.ComplaintsChanged(ctx, ids); err != nil {
		s.log.Error("network update failed", "complaints", len(ids), "err", err)
	}
}

func (s *Server) apiSuspect(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return writeJSON(w, http.StatusOK, s.nets.Lookup(r.URL.Query().Get("q")))
}

func (s *Server) apiSuspectBatch(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var in struct {
		Values []string `json:"values"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Values) == 0 || len(in.Values) > MaxBatch {
		return greyline.Invalid("values", "must hold 1 to 1000 values")
	}
	out := make([]fraudnet.Suspect, len(in.Values))
	for i, q := range in.Values {
		out[i] = s.nets.Lookup(q)
	}
	return writeJSON(w, http.StatusOK, list(out, len(out)))
}

// feedPage is one page of the tier feed; Next is the cursor for the next.
type feedPage struct {
	Items []greyline.TierChange `json:"items"`
	Next  int64                 `json:"next"`
}

// apiSuspectFeed lists tier changes after a cursor, as JSON or CSV, so a
// partner can keep a local copy in step.
func (s *Server) apiSuspectFeed(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var v greyline.Validation
	q := r.URL.Query()
	since := queryInt64(r, "since", &v)
	limit := int(queryInt64(r, "limit", &v))
	format := q.Get("format")
	v.Check(since >= 0, "since", "must not be negative")
	v.Check(limit >= 0 && limit <= 10000, "limit", "must be at most 10000")
	v.Check(format == "" || format == "json" || format == "csv", "format", "must be json or csv")
	if err := v.Err(); err != nil {
		return err
	}
	items, err := s.nets.Feed(r.Context(), since, limit)
	if err != nil {
		return err
	}
	next := since
	if len(items) > 0 {
		next = items[len(items)-1].Seq
	}
	if format != "csv" {
		if items == nil {
			items = []greyline.TierChange{}
		}
		return writeJSON(w, http.StatusOK, feedPage{Items: items, Next: next})
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("X-Next-Cursor", strconv.FormatInt(next, 10))
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "type", "value", "key", "tier", "reasons", "at"})
	for _, it := range items {
		cw.Write([]string{strconv.FormatInt(it.Seq, 10), it.Type, csvValue(it.Value), csvValue(it.Key), it.Tier, csvSafe(strings.Join(it.Reasons, "; ")), it.At.UTC().Format(time.RFC3339)})
	}
	cw.Flush()
	return cw.Error()
}

// csvValue is csvSafe for identifiers, except that an E.164 number keeps
// its "+": partners' systems read the feed, and a number is not a formula.
func csvValue(s string) string {
	if isPhoneLike(s) {
		return s
	}
	return csvSafe(s)
}

func isPhoneLike(s string) bool {
	if !strings.HasPrefix(s, "+") {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(s) > 4
}

func networkFilter(r *http.Request, v *greyline.Validation) network.Filter {
	q := r.URL.Query()
	f := network.Filter{City: strings.TrimSpace(q.Get("city")), Category: q.Get("category"), Sort: q.Get("sort"),
		Limit: int(queryInt64(r, "limit", v)), Offset: int(queryInt64(r, "offset", v))}
	if f.Category != "" {
		_, ok := greyline.CategoryByCode(f.Category)
		v.Check(ok, "category", "is not a known category")
	}
	v.Check(f.Sort == "" || f.Sort == "victims" || f.Sort == "loss" || f.Sort == "recent", "sort", "must be victims, loss or recent")
	v.Check(f.Limit >= 0 && f.Limit <= 500, "limit", "must be at most 500")
	v.Check(f.Offset >= 0, "offset", "must not be negative")
	if f.Limit == 0 {
		f.Limit = 50
	}
	return f
}

func (s *Server) apiNetworks(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var v greyline.Validation
	f := networkFilter(r, &v)
	if err := v.Err(); err != nil {
		return err
	}
	items, total := s.nets.Engine().Networks(f)
	return writeJSON(w, http.StatusOK, list(items, total))
}

// networkDetail is a network with what an analyst needs beside it.
type networkDetail struct {
	*network.Network
	Licences   []networkLicence            `json:"licences"`
	Unlicensed bool                        `json:"suspected_unlicensed"`
	Decisions  []*greyline.NetworkDecision `json:"decisions"`
}

// networkLicence is a licence that declared one of a network's identifiers.
type networkLicence struct {
	PublicLicence
	Identifier string `json:"identifier"`
}

func (s *Server) loadNetwork(r *http.Request) (*networkDetail, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	n, ok := s.nets.Engine().Network(id)
	if !ok {
		// A network is named after its first complaint, so merging it into
		// an older one renames it: a saved link follows that complaint.
		if now, ok := s.nets.Engine().NetworkOf(id); ok && now != id {
			return nil, networkMoved{now}
		}
		return nil, greyline.Errorf(greyline.ENOTFOUND, "Network not found.")
	}
	d := &networkDetail{Network: n, Licences: s.networkLicences(n), Decisions: []*greyline.NetworkDecision{}}
	d.Unlicensed = len(d.Licences) == 0
	if len(n.Decisions) > 0 {
		ds, err := s.nets.Decisions(r.Context(), n.Decisions)
		if err != nil {
			return nil, err
		}
		d.Decisions = ds
	}
	return d, nil
}

// networkLicences finds the licences whose declared numbers, domains or
// addresses appear among a network's identifiers.
func (s *Server) networkLicences(n *network.Network) []networkLicence {
	v := s.registry.idx.View()
	out := []networkLicence{}
	seen := map[string]bool{}
	for _, ni := range n.Identifiers {
		var q string
		switch ni.Type {
		case "phone", "domain", "ip":
			q = ni.Value
		case "url":
			q = ni.Value
		default:
			continue
		}
		res := lookupOne(v, q)
		for _, l := range res.Licences {
			if key := l.Number + "|" + ni.Value; !seen[key] {
				seen[key] = true
				out = append(out, networkLicence{PublicLicence: l, Identifier: ni.Value})
			}
		}
	}
	return out
}

// networkMoved says that the network asked for is now part of another.
type networkMoved struct{ to int64 }

func (m networkMoved) Error() string {
	return fmt.Sprintf("the network is now part of network %d", m.to)
}

// redirectMoved answers a networkMoved error with a redirect to the
// network under prefix, and reports whether it did.
func redirectMoved(w http.ResponseWriter, r *http.Request, err error, prefix string) bool {
	var m networkMoved
	if !errors.As(err, &m) {
		return false
	}
	http.Redirect(w, r, prefix+strconv.FormatInt(m.to, 10), http.StatusFound)
	return true
}

func (s *Server) apiNetwork(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	d, err := s.loadNetwork(r)
	if redirectMoved(w, r, err, "/api/v1/networks/") {
		return nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (s *Server) apiHeld(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	held := s.nets.Engine().Held()
	return writeJSON(w, http.StatusOK, list(held, len(held)))
}

func (s *Server) apiNetworkDecide(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var d greyline.NetworkDecision
	if err := decodeJSON(r, &d); err != nil {
		return err
	}
	d.ID, d.RevokedAt, d.RevokedBy = 0, nil, 0
	if err := s.nets.Decide(r.Context(), &d); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (s *Server) apiNetworkRevoke(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.nets.Revoke(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}
