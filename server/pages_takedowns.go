package server

// Pages for takedowns (each agency's queue and one request), SECP's
// lending-app lists with the public lookup, the wallet watchlist, alerts,
// and sharing with partners.

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

type takedownsPage struct {
	Page
	Takedowns  []*greyline.Takedown
	Queue      string // mine or all
	Overdue    bool
	Status     string
	Statuses   []greyline.TakedownStatus
	Targets    []greyline.TakedownTarget
	Platforms  []greyline.Platform
	TLPs       []greyline.TLP
	CanRequest bool
	Now        greyline.Clock
	Form       greyline.Takedown
}

func (s *Server) loadTakedownsPage(r *http.Request, c *reqCtx) (*takedownsPage, error) {
	f, err := s.takedownFilter(r, c)
	if err != nil {
		return nil, err
	}
	tds, err := s.takedowns.ListTakedowns(r.Context(), f)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	p := &takedownsPage{Page: s.page(c, "Takedowns"), Takedowns: tds, Queue: q.Get("queue"), Overdue: f.Overdue, Status: string(f.Status),
		Statuses: greyline.TakedownStatuses, Targets: greyline.TakedownTargets, Platforms: s.takedowns.Platforms().List(), TLPs: greyline.TLPs,
		CanRequest: c.can(access.TakedownRequest, nil), Now: s.now}
	if p.Queue == "" {
		p.Queue = "mine"
	}
	p.Form.TLP = greyline.TLPAmber
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) takedownsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadTakedownsPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "takedowns", p)
	return nil
}

// formIDs reads a list of ids written with commas or spaces.
func formIDs(raw, field string, v *greyline.Validation) []int64 {
	var out []int64
	for _, f := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		n, err := strconv.ParseInt(strings.TrimPrefix(f, "#"), 10, 64)
		if err != nil || n <= 0 {
			v.Add(field, "must list numbers separated by commas")
			return nil
		}
		out = append(out, n)
	}
	return out
}

func formLines(raw string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) takedownSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostFormValue
	var v greyline.Validation
	td := greyline.Takedown{Target: greyline.TakedownTarget(f("target")), Platform: f("platform"), Value: f("value"), Name: f("name"),
		Developer: f("developer"), DeveloperEmail: f("developer_email"), ListingURL: f("listing_url"), LegalBasis: f("legal_basis"),
		TLP: greyline.TLP(f("tlp")), Notes: f("notes"), Contacts: formLines(f("contacts")),
		Complaints: formIDs(f("complaints"), "complaints", &v), Networks: formIDs(f("networks"), "networks", &v)}
	err := v.Err()
	if err == nil {
		err = s.requestTakedown(r.Context(), &td)
	}
	if err != nil {
		p, lerr := s.loadTakedownsPage(r, c)
		if lerr != nil {
			return lerr
		}
		p.Form = td
		return s.formError(w, r, c, "takedowns", p, err)
	}
	return redirect(w, r, "/takedowns/"+strconv.FormatInt(td.ID, 10)+"?done=takedown-requested")
}

type takedownPage struct {
	Page
	T         *greyline.Takedown
	Platform  greyline.Platform
	Overdue   bool
	CanUpdate bool
	Moves     []greyline.TakedownStatus
	Alerts    []*greyline.Alert
}

func (s *Server) loadTakedownPage(r *http.Request, c *reqCtx) (*takedownPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	td, err := s.takedowns.FindTakedown(r.Context(), id)
	if err != nil {
		return nil, err
	}
	pl, _ := s.takedowns.Platforms().Find(td.Platform)
	p := &takedownPage{Page: s.page(c, td.Reference), T: td, Platform: pl, Overdue: td.Overdue(s.now()),
		CanUpdate: c.can(access.TakedownUpdate, &access.Record{OrgID: td.OrgID})}
	for _, to := range greyline.TakedownStatuses {
		if td.Status.CanMove(to) {
			p.Moves = append(p.Moves, to)
		}
	}
	if c.can(access.AlertView, nil) {
		all, err := s.takedowns.ListAlerts(r.Context(), greyline.AlertFilter{Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, a := range all {
			if a.TakedownID == td.ID {
				p.Alerts = append(p.Alerts, a)
			}
		}
	}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) takedownPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadTakedownPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "takedown", p)
	return nil
}

// takedownAction runs a change to one request and shows the page again,
// with the errors if it was refused.
func (s *Server) takedownAction(w http.ResponseWriter, r *http.Request, c *reqCtx, done string, fn func(id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := fn(id); err != nil {
		p, lerr := s.loadTakedownPage(r, c)
		if lerr != nil {
			return lerr
		}
		return s.formError(w, r, c, "takedown", p, err)
	}
	return redirect(w, r, "/takedowns/"+strconv.FormatInt(id, 10)+"?done="+done)
}

func (s *Server) takedownStatusSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return s.takedownAction(w, r, c, "takedown-updated", func(id int64) error {
		var v greyline.Validation
		version, err := strconv.Atoi(r.PostFormValue("version"))
		v.Check(err == nil, "version", "is missing; reload the page")
		at := formDateTime(r, "at", &v)
		if err := v.Err(); err != nil {
			return err
		}
		_, err = s.moveTakedown(r.Context(), id, version, greyline.TakedownStatus(r.PostFormValue("status")), at, r.PostFormValue("note"))
		return err
	})
}

func (s *Server) takedownDocumentSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.takedownAction(w, r, c, "evidence-added", func(id int64) error {
		var d greyline.Document
		content, err := s.readUpload(r, &d)
		if err != nil {
			return err
		}
		return s.takedowns.AddTakedownDocument(r.Context(), id, &d, content)
	})
}

type loanAppsPage struct {
	Page
	Query    string
	Answer   *greyline.LendingAnswer
	Approved []*greyline.LendingApp
	Illegal  []*greyline.LendingApp
	CanEdit  bool
	Edit     *greyline.LendingApp
}

func (s *Server) loadLoanAppsPage(r *http.Request, c *reqCtx) (*loanAppsPage, error) {
	apps, err := s.takedowns.ListLendingApps(r.Context(), "")
	if err != nil {
		return nil, err
	}
	p := &loanAppsPage{Page: s.page(c, "Is this loan app approved?"), CanEdit: c.can(access.LendingAppEdit, nil)}
	for _, a := range apps {
		if a.Status == greyline.LendingApproved {
			p.Approved = append(p.Approved, a)
		} else {
			p.Illegal = append(p.Illegal, a)
		}
		if e := r.URL.Query().Get("edit"); e != "" && e == strconv.FormatInt(a.ID, 10) {
			p.Edit = a
		}
	}
	if p.Edit == nil {
		p.Edit = &greyline.LendingApp{Status: greyline.LendingIllegal}
	}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) loanAppsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadLoanAppsPage(r, c)
	if err != nil {
		return err
	}
	if q, ok := r.URL.Query()["q"]; ok {
		if !s.limits.allow("lookup:"+c.ip, s.cfg.LookupRate) {
			return errTooManyAttempts
		}
		p.Query = strings.Join(q, " ")
		ans, err := s.watch.LendingLookup(p.Query)
		if err != nil {
			return s.formError(w, r, c, "loan_apps", p, err)
		}
		p.Answer = ans
	}
	s.render(w, r, c, http.StatusOK, "loan_apps", p)
	return nil
}

func (s *Server) loanAppSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostFormValue
	a := greyline.LendingApp{PackageID: f("package_id"), Name: f("name"), Lender: f("lender"), Developer: f("developer"),
		Status: greyline.LendingAppStatus(f("status")), Notes: f("notes")}
	var err error
	if id := f("id"); id != "" && id != "0" {
		a.ID, err = strconv.ParseInt(id, 10, 64)
		if err == nil {
			a.Version, err = strconv.Atoi(f("version"))
		}
		if err != nil {
			err = greyline.Invalid("version", "is missing; reload the page")
		}
	}
	if err == nil {
		err = s.takedowns.SaveLendingApp(r.Context(), &a)
	}
	if err != nil {
		p, lerr := s.loadLoanAppsPage(r, c)
		if lerr != nil {
			return lerr
		}
		p.Edit = &a
		return s.formError(w, r, c, "loan_apps", p, err)
	}
	s.lendingSaved(r.Context(), []*greyline.LendingApp{&a})
	return redirect(w, r, "/loan-apps?done=loan-app-saved")
}

func (s *Server) loanAppImportSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var d greyline.Document
	content, err := s.readUpload(r, &d)
	if err == nil {
		var apps []*greyline.LendingApp
		apps, err = greyline.ParseLendingCSV(content)
		if err == nil {
			_, _, err = s.takedowns.ImportLendingApps(r.Context(), apps)
		}
		if err == nil {
			s.lendingSaved(r.Context(), apps)
		}
	}
	if err != nil {
		p, lerr := s.loadLoanAppsPage(r, c)
		if lerr != nil {
			return lerr
		}
		return s.formError(w, r, c, "loan_apps", p, err)
	}
	return redirect(w, r, "/loan-apps?done=loan-apps-imported")
}

type watchlistPage struct {
	Page
	Wallets []*greyline.WatchedWallet
	CanEdit bool
	TLPs    []greyline.TLP
	Form    greyline.WatchedWallet
	Raw     struct{ Complaints, Networks, Seizures string }
}

func (s *Server) loadWatchlistPage(r *http.Request, c *reqCtx) (*watchlistPage, error) {
	ws, err := s.takedowns.ListWatchedWallets(r.Context(), false)
	if err != nil {
		return nil, err
	}
	p := &watchlistPage{Page: s.page(c, "Crypto wallet watchlist"), Wallets: ws, CanEdit: c.can(access.WatchlistEdit, nil), TLPs: greyline.TLPs}
	p.Form.TLP = greyline.TLPAmber
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) watchlistPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadWatchlistPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "watchlist", p)
	return nil
}

func (s *Server) watchSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostFormValue
	var v greyline.Validation
	wl := greyline.WatchedWallet{Address: f("address"), Reason: f("reason"), TLP: greyline.TLP(f("tlp")),
		Complaints: formIDs(f("complaints"), "complaints", &v), Networks: formIDs(f("networks"), "networks", &v), Seizures: formIDs(f("seizures"), "seizures", &v)}
	err := v.Err()
	if err == nil {
		err = s.takedowns.WatchWallet(r.Context(), &wl)
	}
	if err != nil {
		p, lerr := s.loadWatchlistPage(r, c)
		if lerr != nil {
			return lerr
		}
		p.Form = wl
		p.Raw.Complaints, p.Raw.Networks, p.Raw.Seizures = f("complaints"), f("networks"), f("seizures")
		return s.formError(w, r, c, "watchlist", p, err)
	}
	s.watchlistChanged(r.Context())
	return redirect(w, r, "/watchlist?done=wallet-watched")
}

func (s *Server) unwatchSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if _, err := s.takedowns.UnwatchWallet(r.Context(), id, version, r.PostFormValue("reason")); err != nil {
		p, lerr := s.loadWatchlistPage(r, c)
		if lerr != nil {
			return lerr
		}
		return s.formError(w, r, c, "watchlist", p, err)
	}
	s.watchlistChanged(r.Context())
	return redirect(w, r, "/watchlist?done=wallet-unwatched")
}

type alertsPage struct {
	Page
	Alerts     []*greyline.Alert
	Mine       bool
	Status     string
	CanResolve bool
}

func (s *Server) loadAlertsPage(r *http.Request, c *reqCtx) (*alertsPage, error) {
	f, err := s.alertFilter(r, c)
	if err != nil {
		return nil, err
	}
	as, err := s.takedowns.ListAlerts(r.Context(), f)
	if err != nil {
		return nil, err
	}
	p := &alertsPage{Page: s.page(c, "Alerts"), Alerts: as, Mine: f.ForUser != 0, Status: string(f.Status), CanResolve: c.can(access.AlertResolve, nil)}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadAlertsPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "alerts", p)
	return nil
}

func (s *Server) alertResolveSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.takedowns.ResolveAlert(r.Context(), id, greyline.AlertStatus(r.PostFormValue("status")), r.PostFormValue("note")); err != nil {
		p, lerr := s.loadAlertsPage(r, c)
		if lerr != nil {
			return lerr
		}
		return s.formError(w, r, c, "alerts", p, err)
	}
	return redirect(w, r, "/alerts?done=alert-resolved")
}

type sharePage struct {
	Page
	Feeds     []greyline.Feed
	Recent    []*greyline.Indicator
	CanImport bool
	Imported  int
}

func (s *Server) loadSharePage(ctx context.Context, r *http.Request, c *reqCtx) (*sharePage, error) {
	items, _, err := s.sharedFeed(ctx, c, greyline.FeedCursor{}, "", 10000)
	if err != nil {
		return nil, err
	}
	if len(items) > 50 {
		items = items[len(items)-50:]
	}
	p := &sharePage{Page: s.page(c, "Sharing with partners"), Feeds: greyline.Feeds, Recent: items, CanImport: c.can(access.ShareImport, nil)}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) sharePageHandler(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadSharePage(r.Context(), r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "share", p)
	return nil
}
