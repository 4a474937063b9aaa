package server

// Takedowns, SECP's lending-app lists, the wallet watchlist, alerts, and
// the partner feeds, for agencies and partners.

import (
	"context"
	"encoding/csv"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

func (s *Server) takedownRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.takedowns.FindTakedown, func(_ context.Context, td *greyline.Takedown) (int64, error) { return td.OrgID, nil })(r, c)
}

// takedownFilter reads the queue's filters: the caller's agency's own
// requests unless "all".
func (s *Server) takedownFilter(r *http.Request, c *reqCtx) (greyline.TakedownFilter, error) {
	q := r.URL.Query()
	f := greyline.TakedownFilter{Status: greyline.TakedownStatus(q.Get("status")), Overdue: q.Get("overdue") == "1", Now: s.now()}
	var v greyline.Validation
	switch q.Get("queue") {
	case "", "mine":
		f.OrgID = c.subject.OrgID
	case "all":
	default:
		v.Add("queue", "must be mine or all")
	}
	v.Check(f.Status == "" || strings.Contains(" requested acknowledged removed rejected reappeared ", " "+string(f.Status)+" "), "status", "is not a takedown status")
	return f, v.Err()
}

func (s *Server) apiTakedowns(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, err := s.takedownFilter(r, c)
	if err != nil {
		return err
	}
	tds, err := s.takedowns.ListTakedowns(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(tds, len(tds)))
}

// requestTakedown records a request and compares it with what was taken
// down before: the same operation coming back raises an alert.
func (s *Server) requestTakedown(ctx context.Context, td *greyline.Takedown) error {
	td.ID, td.Version = 0, 0
	if err := s.takedowns.CreateTakedown(ctx, td); err != nil {
		return err
	}
	if err := s.watch.TakedownChanged(context.WithoutCancel(ctx), td, true); err != nil {
		s.log.Error("reappearance check failed", "takedown", td.ID, "err", err)
	}
	return nil
}

func (s *Server) apiTakedownCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var td greyline.Takedown
	if err := decodeJSON(r, &td); err != nil {
		return err
	}
	if err := s.requestTakedown(r.Context(), &td); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/takedowns/"+strconv.FormatInt(td.ID, 10))
	return writeJSON(w, http.StatusCreated, td)
}

func (s *Server) apiTakedown(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	td, err := s.takedowns.FindTakedown(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, td)
}

// moveTakedown records a platform's answer and keeps the reappearance
// index in step.
func (s *Server) moveTakedown(ctx context.Context, id int64, version int, to greyline.TakedownStatus, at time.Time, note string) (*greyline.Takedown, error) {
	td, err := s.takedowns.MoveTakedown(ctx, id, version, to, at, note)
	if err != nil {
		return nil, err
	}
	if err := s.watch.TakedownChanged(context.WithoutCancel(ctx), td, false); err != nil {
		s.log.Error("reappearance index update failed", "takedown", td.ID, "err", err)
	}
	return td, nil
}

func (s *Server) apiTakedownStatus(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	var in struct {
		Status  greyline.TakedownStatus `json:"status"`
		Version int                     `json:"version"`
		At      time.Time               `json:"at"`
		Note    string                  `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	td, err := s.moveTakedown(r.Context(), id, in.Version, in.Status, in.At, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, td)
}

func (s *Server) apiTakedownDocument(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	var d greyline.Document
	content, err := s.readUpload(r, &d)
	if err != nil {
		return err
	}
	if err := s.takedowns.AddTakedownDocument(r.Context(), id, &d, content); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (s *Server) takedownDocument(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	// The route has no record loader to check {id} first: an id that does
	// not parse would be 0, which every document outside a takedown has.
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	did, err := pathID(r, "did")
	if err != nil {
		return err
	}
	d, f, err := s.takedowns.OpenTakedownDocument(r.Context(), id, did)
	if err != nil {
		return err
	}
	defer f.Close()
	sendFile(w, d, f)
	return nil
}

func (s *Server) apiPlatforms(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ps := s.takedowns.Platforms().List()
	return writeJSON(w, http.StatusOK, list(ps, len(ps)))
}

// apiLendingLookup is the public "is this loan app approved?".
func (s *Server) apiLendingLookup(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if !s.limits.allow("lookup:"+c.ip, s.cfg.LookupRate) {
		return errTooManyAttempts
	}
	ans, err := s.watch.LendingLookup(r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ans)
}

func lendingStatus(r *http.Request) (greyline.LendingAppStatus, error) {
	st := greyline.LendingAppStatus(r.URL.Query().Get("status"))
	if st != "" && st != greyline.LendingApproved && st != greyline.LendingIllegal {
		return "", greyline.Invalid("status", "must be approved or illegal")
	}
	return st, nil
}

func (s *Server) apiLendingApps(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := s.registryAllowed(c); err != nil {
		return err
	}
	st, err := lendingStatus(r)
	if err != nil {
		return err
	}
	apps, err := s.takedowns.ListLendingApps(r.Context(), st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(apps, len(apps)))
}

func (s *Server) lendingSaved(ctx context.Context, apps []*greyline.LendingApp) {
	if err := s.watch.LendingChanged(context.WithoutCancel(ctx), apps); err != nil {
		s.log.Error("lending-app check failed", "err", err)
	}
}

func (s *Server) apiLendingAppSave(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var a greyline.LendingApp
	if err := decodeJSON(r, &a); err != nil {
		return err
	}
	if err := s.takedowns.SaveLendingApp(r.Context(), &a); err != nil {
		return err
	}
	s.lendingSaved(r.Context(), []*greyline.LendingApp{&a})
	return writeJSON(w, http.StatusOK, a)
}

type lendingImport struct {
	Added   int `json:"added"`
	Updated int `json:"updated"`
}

// apiLendingImport takes SECP's list as CSV: all rows or none.
func (s *Server) apiLendingImport(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "text/csv" {
		return greyline.Invalid("Content-Type", "must be text/csv")
	}
	apps, err := greyline.ParseLendingCSV(r.Body)
	if err != nil {
		return err
	}
	added, updated, err := s.takedowns.ImportLendingApps(r.Context(), apps)
	if err != nil {
		return err
	}
	s.lendingSaved(r.Context(), apps)
	return writeJSON(w, http.StatusOK, lendingImport{added, updated})
}

func (s *Server) apiWatchlist(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ws, err := s.takedowns.ListWatchedWallets(r.Context(), r.URL.Query().Get("all") != "1")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(ws, len(ws)))
}

func (s *Server) watchlistChanged(ctx context.Context) {
	if err := s.watch.WatchlistChanged(context.WithoutCancel(ctx)); err != nil {
		s.log.Error("watchlist reload failed", "err", err)
	}
}

func (s *Server) apiWatchAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var wl greyline.WatchedWallet
	if err := decodeJSON(r, &wl); err != nil {
		return err
	}
	wl.ID = 0
	if err := s.takedowns.WatchWallet(r.Context(), &wl); err != nil {
		return err
	}
	s.watchlistChanged(r.Context())
	return writeJSON(w, http.StatusCreated, wl)
}

func (s *Server) apiWatchRemove(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	wl, err := s.takedowns.UnwatchWallet(r.Context(), id, in.Version, in.Reason)
	if err != nil {
		return err
	}
	s.watchlistChanged(r.Context())
	return writeJSON(w, http.StatusOK, wl)
}

func (s *Server) alertFilter(r *http.Request, c *reqCtx) (greyline.AlertFilter, error) {
	q := r.URL.Query()
	f := greyline.AlertFilter{Status: greyline.AlertStatus(q.Get("status"))}
	if q.Get("mine") == "1" {
		f.ForUser = c.subject.UserID
	}
	if f.Status != "" && f.Status != greyline.AlertOpen && f.Status != greyline.AlertConfirmed && f.Status != greyline.AlertDismissed {
		return f, greyline.Invalid("status", "must be open, confirmed or dismissed")
	}
	return f, nil
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	f, err := s.alertFilter(r, c)
	if err != nil {
		return err
	}
	as, err := s.takedowns.ListAlerts(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(as, len(as)))
}

func (s *Server) apiAlertResolve(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status greyline.AlertStatus `json:"status"`
		Note   string               `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.takedowns.ResolveAlert(r.Context(), id, in.Status, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

// sharedFeed reads one page of a feed, keeping only what the caller's
// organisation may receive under each record's TLP marking.
func (s *Server) sharedFeed(ctx context.Context, c *reqCtx, since greyline.FeedCursor, feed greyline.Feed, limit int) ([]*greyline.Indicator, greyline.FeedCursor, error) {
	items, next, err := s.takedowns.SharedFeed(ctx, since, feed, limit)
	if err != nil {
		return nil, since, err
	}
	out := items[:0]
	for _, in := range items {
		if access.MayReceive(c.subject, in.TLP, in.Feed, in.SourceOrg) {
			out = append(out, in)
		}
	}
	return out, next, nil
}

// sharedPage is one page of a partner feed.
type sharedPage struct {
	Items []*greyline.Indicator `json:"items"`
	Next  string                `json:"next"`
}

// apiShareFeed is a partner feed (telco, bank, exchange or pta), as JSON
// or CSV, incremental after the cursor the previous page returned.
func (s *Server) apiShareFeed(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	feed := greyline.Feed(r.PathValue("feed"))
	var v greyline.Validation
	v.Check(feed == greyline.FeedTelco || feed == greyline.FeedBank || feed == greyline.FeedExchange || feed == greyline.FeedPTA, "feed", "must be telco, bank, exchange or pta")
	since, err := greyline.ParseFeedCursor(r.URL.Query().Get("since"))
	if err != nil {
		v.Add("since", greyline.ErrorFields(err)[0].Reason)
	}
	limit := int(queryInt64(r, "limit", &v))
	v.Check(limit <= 10000, "limit", "must be at most 10000")
	format := r.URL.Query().Get("format")
	v.Check(format == "" || format == "json" || format == "csv", "format", "must be json or csv")
	if err := v.Err(); err != nil {
		return err
	}
	items, next, err := s.sharedFeed(r.Context(), c, since, feed, limit)
	if err != nil {
		return err
	}
	if format != "csv" {
		return writeJSON(w, http.StatusOK, sharedPage{Items: items, Next: next.String()})
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="greyline-`+string(feed)+`-feed.csv"`)
	w.Header().Set("X-Next-Cursor", next.String())
	cw := csv.NewWriter(w)
	cw.Write([]string{"type", "value", "key", "chain", "action", "tlp", "source", "reason", "updated_at"})
	for _, in := range items {
		action := "block"
		if !in.Active {
			action = "unblock"
		}
		cw.Write([]string{in.Type, csvValue(in.Value), csvValue(in.Key), in.Chain, action, in.TLP.Label(), csvSafe(in.Source), csvSafe(in.Reason),
			in.UpdatedAt.UTC().Format(time.RFC3339)})
	}
	cw.Flush()
	return cw.Error()
}
