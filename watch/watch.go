// Package watch notices what comes back: it keeps the removed takedown
// targets in a reappearance index (package reappear) and the watched
// crypto wallets in a set, compares every new complaint, takedown request
// and lending-app entry with them, and raises alerts for the investigators
// of the linked cases. It also answers the public "is this loan app
// approved?" from SECP's lists.
package watch

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/reappear"
)

// Store is what the service reads and writes.
type Store interface {
	ListTakedowns(ctx context.Context, f greyline.TakedownFilter) ([]*greyline.Takedown, error)
	ListWatchedWallets(ctx context.Context, activeOnly bool) ([]*greyline.WatchedWallet, error)
	ListLendingApps(ctx context.Context, status greyline.LendingAppStatus) ([]*greyline.LendingApp, error)
	RaiseAlert(ctx context.Context, a *greyline.Alert) (bool, error)
	ComplaintNetworkData(ctx context.Context, complaintIDs []int64) (*greyline.NetworkData, error)
	// AssignedInvestigators lists the investigators assigned to complaints.
	AssignedInvestigators(ctx context.Context, complaintIDs []int64) ([]int64, error)
}

// Service is the live watch.
type Service struct {
	store Store
	log   *slog.Logger

	mu        sync.RWMutex
	removed   *reappear.Index
	takedowns map[int64]*greyline.Takedown // indexed ones, by id
	wallets   map[string]*greyline.WatchedWallet
	lending   []*greyline.LendingApp

	queue   chan []int64
	done    chan struct{}
	started bool
	closeMu sync.Once
}

// New returns an empty service; Load fills it and Start begins checking
// complaints in the background.
func New(store Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, log: log, removed: reappear.NewIndex(), takedowns: map[int64]*greyline.Takedown{},
		wallets: map[string]*greyline.WatchedWallet{}, queue: make(chan []int64, 256), done: make(chan struct{})}
}

// Load reads the removed targets, the watchlist and the lending-app lists.
// It is also how other servers' changes arrive: the server reloads every
// minute (these lists are short).
func (s *Service) Load(ctx context.Context) error {
	var tds []*greyline.Takedown
	for _, st := range []greyline.TakedownStatus{greyline.TakedownRemoved, greyline.TakedownReappeared} {
		got, err := s.store.ListTakedowns(ctx, greyline.TakedownFilter{Status: st, Limit: 1000})
		if err != nil {
			return err
		}
		tds = append(tds, got...)
	}
	ws, err := s.store.ListWatchedWallets(ctx, true)
	if err != nil {
		return err
	}
	apps, err := s.store.ListLendingApps(ctx, "")
	if err != nil {
		return err
	}
	idx := reappear.NewIndex()
	byID := map[int64]*greyline.Takedown{}
	for _, td := range tds {
		idx.Add(listingOf(td))
		byID[td.ID] = td
	}
	wallets := map[string]*greyline.WatchedWallet{}
	for _, w := range ws {
		wallets[w.Key] = w
	}
	s.mu.Lock()
	s.removed, s.takedowns, s.wallets, s.lending = idx, byID, wallets, apps
	s.mu.Unlock()
	return nil
}

// listingOf describes a takedown's target for the reappearance index.
func listingOf(td *greyline.Takedown) reappear.Listing {
	l := reappear.Listing{Ref: td.ID, Name: td.Name, Developer: td.Developer, DeveloperEmail: td.DeveloperEmail, URL: td.ListingURL,
		Contacts: slices.Clone(td.Contacts)}
	value := td.Key[strings.IndexByte(td.Key, ':')+1:]
	switch identifier.Type(td.IdentifierType) {
	case identifier.App:
		l.Kind, l.PackageID = reappear.App, value
	case identifier.URL, identifier.Domain:
		l.Kind = reappear.Site
		if l.URL == "" {
			l.URL = value
		}
		if id := identifier.Parse(identifier.Type(td.IdentifierType), value); id.Valid {
			l.URL, l.Domain = id.Value, id.RegistrableDomain
		}
	case identifier.Phone:
		l.Kind = reappear.Number
		l.Contacts = append(l.Contacts, td.Key)
	default:
		l.Kind = reappear.Social
		l.Contacts = append(l.Contacts, td.Key)
	}
	return l
}

// listingsOfIdentifier describes something seen in a complaint. A host
// that reads like a package id ("com.easy.cash.loan.pk", which victims
// write without saying which it is) is compared as an app too.
func listingsOfIdentifier(typ, key, value string) []reappear.Listing {
	switch identifier.Type(typ) {
	case identifier.App:
		return []reappear.Listing{{Kind: reappear.App, PackageID: value}}
	case identifier.URL, identifier.Domain:
		l := reappear.Listing{Kind: reappear.Site, URL: value}
		out := []reappear.Listing{l}
		if id := identifier.Parse(identifier.Type(typ), value); id.Valid {
			out[0].Domain = id.RegistrableDomain
			if app := identifier.Parse(identifier.App, id.Host); app.Valid && strings.Count(id.Host, ".") >= 2 && packagePrefix(id.Host) {
				out = append(out, reappear.Listing{Kind: reappear.App, PackageID: app.Value})
			}
		}
		return out
	case identifier.Phone, identifier.Wallet, identifier.Email, identifier.Social:
		return []reappear.Listing{{Kind: reappear.Number, Contacts: []string{key}}}
	}
	return nil
}

// packagePrefix: Android package ids start with a reversed domain.
func packagePrefix(host string) bool {
	for _, p := range []string{"com.", "pk.", "net.", "org.", "io.", "app.", "co."} {
		if strings.HasPrefix(host, p) {
			return true
		}
	}
	return false
}

// Start checks queued complaints in the background until Close.
func (s *Service) Start() {
	s.started = true
	go func() {
		defer close(s.done)
		for ids := range s.queue {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := s.CheckComplaints(ctx, ids); err != nil {
				s.log.Error("checking complaints against takedowns and the watchlist failed", "complaints", len(ids), "err", err)
			}
			cancel()
		}
	}()
}

// Close stops the background checks after the queued ones.
func (s *Service) Close() {
	if !s.started {
		return
	}
	s.closeMu.Do(func() { close(s.queue) })
	<-s.done
}

// ComplaintsChanged queues complaints for checking; once started it never
// blocks the writer (a bulk import). Before Start (tests, commands) it
// checks at once. It does nothing while there is nothing to compare with.
func (s *Service) ComplaintsChanged(ids []int64) {
	if s.empty() {
		return
	}
	if !s.started {
		if err := s.CheckComplaints(context.Background(), ids); err != nil {
			s.log.Error("checking complaints against takedowns and the watchlist failed", "complaints", len(ids), "err", err)
		}
		return
	}
	select {
	case s.queue <- slices.Clone(ids):
	default:
		s.log.Warn("watch queue full: complaints not checked against takedowns", "complaints", len(ids))
	}
}

func (s *Service) empty() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.takedowns) == 0 && len(s.wallets) == 0
}

// CheckComplaints compares complaints' identifiers with the removed
// targets and the watched wallets and raises alerts.
func (s *Service) CheckComplaints(ctx context.Context, ids []int64) error {
	if s.empty() || len(ids) == 0 {
		return nil
	}
	data, err := s.store.ComplaintNetworkData(ctx, ids)
	if err != nil {
		return err
	}
	idents := map[int64]greyline.NetworkIdentifier{}
	for _, x := range data.Identifiers {
		idents[x.ID] = x
	}
	for _, l := range data.Links {
		x, ok := idents[l.Identifier]
		if !ok {
			continue
		}
		value := x.Key[strings.IndexByte(x.Key, ':')+1:]
		if w := s.wallet(x.Key); w != nil {
			if err := s.walletAlert(ctx, w, l.Complaint, x.Value); err != nil {
				return err
			}
		}
		for _, lst := range listingsOfIdentifier(x.Type, x.Key, value) {
			for _, m := range s.find(lst, 0) {
				subject := fmt.Sprintf("%s %s in complaint %d", x.Type, x.Value, l.Complaint)
				if err := s.reappearAlert(ctx, m, "complaint", l.Complaint, l.Complaint, subject); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Service) wallet(key string) *greyline.WatchedWallet {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.wallets[key]
}

type found struct {
	td *greyline.Takedown
	m  reappear.Match
}

// find returns the removed targets a listing matches, except self.
func (s *Service) find(l reappear.Listing, self int64) []found {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []found
	for _, m := range s.removed.Find(l) {
		if td := s.takedowns[m.Ref]; td != nil && m.Ref != self {
			out = append(out, found{td, m})
		}
	}
	return out
}

func (s *Service) walletAlert(ctx context.Context, w *greyline.WatchedWallet, complaint int64, value string) error {
	linked := slices.Concat(w.Complaints, w.Networks, []int64{complaint})
	inv, err := s.store.AssignedInvestigators(ctx, linked)
	if err != nil {
		return err
	}
	_, err = s.store.RaiseAlert(ctx, &greyline.Alert{Kind: greyline.AlertWallet, WalletID: w.ID, ComplaintID: complaint, SourceKind: "complaint",
		SourceID: complaint, Subject: fmt.Sprintf("watched %s wallet %s in complaint %d", w.Chain, value, complaint), Score: 100,
		Reasons: []string{"the wallet is on the watchlist: " + w.Reason}, Investigators: inv})
	return err
}

func (s *Service) reappearAlert(ctx context.Context, f found, sourceKind string, sourceID, complaint int64, subject string) error {
	inv, err := s.store.AssignedInvestigators(ctx, slices.Concat(f.td.Complaints, f.td.Networks, []int64{complaint}))
	if err != nil {
		return err
	}
	reasons := make([]string, len(f.m.Reasons))
	for i, r := range f.m.Reasons {
		reasons[i] = r.Text
	}
	score := int(f.m.Score*100 + 0.5)
	_, err = s.store.RaiseAlert(ctx, &greyline.Alert{Kind: greyline.AlertReappearance, TakedownID: f.td.ID, ComplaintID: complaint,
		SourceKind: sourceKind, SourceID: sourceID, Subject: subject + " looks like " + f.td.Reference + " (" + f.td.Value + "), taken down",
		Score: min(max(score, 0), 100), Reasons: reasons, Investigators: inv})
	return err
}

// TakedownChanged brings the index in step after a request was created or
// moved: removed and reappeared targets are compared with what comes in.
// A new request is itself compared with the removed ones.
func (s *Service) TakedownChanged(ctx context.Context, td *greyline.Takedown, created bool) error {
	s.mu.Lock()
	_, had := s.takedowns[td.ID]
	indexed := td.Status == greyline.TakedownRemoved || td.Status == greyline.TakedownReappeared
	switch {
	case indexed && !had:
		s.removed.Add(listingOf(td))
		s.takedowns[td.ID] = td
	case !indexed && had:
		s.removed.Remove(td.ID)
		delete(s.takedowns, td.ID)
	case indexed:
		s.takedowns[td.ID] = td
	}
	s.mu.Unlock()
	if !created {
		return nil
	}
	for _, f := range s.find(listingOf(td), td.ID) {
		if err := s.reappearAlert(ctx, f, "takedown", td.ID, 0, "takedown request "+td.Reference+" for "+td.Value); err != nil {
			return err
		}
	}
	return nil
}

// CheckIndicators compares indicators imported from a partner with the
// removed targets and the watchlist.
func (s *Service) CheckIndicators(ctx context.Context, ins []*greyline.Indicator) error {
	if s.empty() {
		return nil
	}
	for _, in := range ins {
		if !in.Active {
			continue
		}
		if w := s.wallet(in.Key); w != nil {
			inv, err := s.store.AssignedInvestigators(ctx, slices.Concat(w.Complaints, w.Networks))
			if err != nil {
				return err
			}
			if _, err := s.store.RaiseAlert(ctx, &greyline.Alert{Kind: greyline.AlertWallet, WalletID: w.ID, SourceKind: "indicator", SourceID: in.Seq,
				Subject: fmt.Sprintf("watched %s wallet %s reported by a partner (%s)", w.Chain, in.Value, in.Source), Score: 100,
				Reasons: []string{"the wallet is on the watchlist: " + w.Reason}, Investigators: inv}); err != nil {
				return err
			}
		}
		value := in.Key[strings.IndexByte(in.Key, ':')+1:]
		for _, lst := range listingsOfIdentifier(in.Type, in.Key, value) {
			for _, f := range s.find(lst, 0) {
				if err := s.reappearAlert(ctx, f, "indicator", in.Seq, 0, fmt.Sprintf("%s %s reported by a partner (%s)", in.Type, in.Value, in.Source)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// WatchlistChanged reloads the watched wallets.
func (s *Service) WatchlistChanged(ctx context.Context) error {
	ws, err := s.store.ListWatchedWallets(ctx, true)
	if err != nil {
		return err
	}
	wallets := map[string]*greyline.WatchedWallet{}
	for _, w := range ws {
		wallets[w.Key] = w
	}
	s.mu.Lock()
	s.wallets = wallets
	s.mu.Unlock()
	return nil
}

// LendingChanged reloads SECP's lists and compares the illegal entries
// with the removed targets: an illegal app that looks like one taken down
// is a reappearance.
func (s *Service) LendingChanged(ctx context.Context, changed []*greyline.LendingApp) error {
	apps, err := s.store.ListLendingApps(ctx, "")
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.lending = apps
	s.mu.Unlock()
	for _, a := range changed {
		if a.Status != greyline.LendingIllegal {
			continue
		}
		l := reappear.Listing{Kind: reappear.App, PackageID: a.PackageID, Name: a.Name, Developer: a.Developer}
		for _, f := range s.find(l, 0) {
			if err := s.reappearAlert(ctx, f, "lending_app", a.ID, 0, "illegal lending app "+a.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// LendingLookup answers "is this loan app approved?" by package id or by
// name. A name that only looks like an approved app's is not approved:
// the answer says so, since look-alikes are how illegal apps lure people.
func (s *Service) LendingLookup(q string) (*greyline.LendingAnswer, error) {
	q = strings.TrimSpace(q)
	if q == "" || len(q) > 300 {
		return nil, greyline.Invalid("q", "is required: a loan app's name or its package id (like com.example.loan), at most 300 characters")
	}
	s.mu.RLock()
	apps := s.lending
	s.mu.RUnlock()
	ans := &greyline.LendingAnswer{Query: q, Verdict: "unknown", Matches: []greyline.LendingMatch{}}
	if id := identifier.Parse(identifier.App, q); id.Valid && strings.Contains(q, ".") {
		for _, a := range apps {
			if a.PackageID == id.Value {
				ans.Matches = append(ans.Matches, greyline.LendingMatch{App: a, How: "package id"})
			}
		}
	}
	if len(ans.Matches) == 0 {
		sk := reappear.Skeleton(q)
		for _, a := range apps {
			switch ask := reappear.Skeleton(a.Name); {
			case sk == "" || ask == "":
			case sk == ask && strings.EqualFold(strings.Join(strings.Fields(a.Name), " "), strings.Join(strings.Fields(q), " ")):
				ans.Matches = append(ans.Matches, greyline.LendingMatch{App: a, How: "name"})
			case sk == ask:
				ans.Matches = append(ans.Matches, greyline.LendingMatch{App: a, How: "similar name"})
			}
		}
	}
	exact := func(st greyline.LendingAppStatus) bool {
		for _, m := range ans.Matches {
			if m.App.Status == st && m.How != "similar name" {
				return true
			}
		}
		return false
	}
	switch {
	case exact(greyline.LendingIllegal):
		ans.Verdict, ans.Message = "illegal", "This app is on SECP's list of illegal lending apps. Do not install it, do not give it access to your contacts or photos, and report any harassment at /report."
	case exact(greyline.LendingApproved):
		ans.Verdict, ans.Message = "approved", "This app is on SECP's list of approved lending apps, run by a licensed company. Check that the developer in the app store matches the lender named here."
	case len(ans.Matches) > 0:
		ans.Message = "Not on SECP's lists under this name, but it looks like an app that is. Illegal apps copy the names of approved ones: check the package id in the store."
	default:
		ans.Message = "Not on SECP's lists. An app that is not approved by SECP may not lend money in Pakistan."
	}
	return ans, nil
}
