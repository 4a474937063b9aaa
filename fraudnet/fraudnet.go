// Package fraudnet keeps the in-memory network engine (package network) in
// step with the database: it builds the engine on start, follows each
// write to complaints and each analyst's decision, marks warninglisted
// values, and saves the identifiers' risk tiers, whose changes feed the
// partners. It answers the network pages and the suspect registry.
package fraudnet

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/network"
	"github.com/greyline/greyline/warninglist"
)

// Service is the live fraud-network index.
type Service struct {
	store greyline.NetworkStore
	list  *warninglist.List
	eng   *network.Engine
	log   *slog.Logger
	// mu orders updates: each reads the database and applies what it read
	// before the next starts, so an older read never lands after a newer one.
	mu sync.Mutex
}

// Options configure a Service; zero values take the defaults.
type Options struct {
	Warninglist *warninglist.List // default warninglist.Default()
	Engine      network.Config    // default network.DefaultConfig()
	Logger      *slog.Logger
}

// New returns an empty service; call Rebuild before use.
func New(store greyline.NetworkStore, o Options) *Service {
	if o.Warninglist == nil {
		o.Warninglist = warninglist.Default()
	}
	if o.Engine.Default == (network.Threshold{}) {
		o.Engine = network.DefaultConfig()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, list: o.Warninglist, eng: network.New(o.Engine), log: o.Logger}
}

// Engine gives read access to the networks and tiers.
func (s *Service) Engine() *network.Engine { return s.eng }

// Warninglist is the list in force.
func (s *Service) Warninglist() *warninglist.List { return s.list }

// RebuildStats says what a rebuild did and how long each part took.
type RebuildStats struct {
	network.Stats
	Read, Build, Save time.Duration
	TiersChanged      int
}

// Rebuild reads everything and builds the engine from scratch, then saves
// the tiers that differ from the stored ones.
func (s *Service) Rebuild(ctx context.Context) (RebuildStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st RebuildStats
	t0 := time.Now()
	data, err := s.store.NetworkData(ctx)
	if err != nil {
		return st, err
	}
	st.Read = time.Since(t0)
	t1 := time.Now()
	cs, ids, links := s.convert(data)
	ds := make([]network.Decision, len(data.Decisions))
	for i := range data.Decisions {
		ds[i] = decisionFor(&data.Decisions[i])
	}
	if err := s.eng.Load(cs, ids, links, ds); err != nil {
		return st, err
	}
	st.Build = time.Since(t1)
	t2 := time.Now()
	saved := make(map[int64]string, len(data.Identifiers))
	for _, i := range data.Identifiers {
		if i.Tier != "" && i.Tier != "none" {
			saved[i.ID] = i.Tier
		}
	}
	var ups []greyline.TierUpdate
	for _, i := range data.Identifiers {
		a, ok := s.eng.Assess(i.ID)
		if !ok {
			continue
		}
		tier := a.Tier.String()
		if tier == "none" && saved[i.ID] == "" {
			continue // the common case: nothing to store
		}
		ups = append(ups, greyline.TierUpdate{Identifier: i.ID, Tier: tier, Reasons: a.Reasons})
	}
	if st.TiersChanged, err = s.store.SaveTiers(ctx, ups); err != nil {
		return st, err
	}
	st.Save = time.Since(t2)
	st.Stats = s.eng.Stats()
	return st, nil
}

// convert turns stored rows into the engine's input, marking warninglisted
// values.
func (s *Service) convert(data *greyline.NetworkData) ([]network.Complaint, []network.Identifier, []network.Link) {
	cs := make([]network.Complaint, len(data.Complaints))
	for i, c := range data.Complaints {
		cs[i] = network.Complaint{ID: c.ID, Victim: c.Victim, LossPaisa: c.LossPaisa, City: c.City, Category: c.Category, ReceivedAt: c.ReceivedAt}
	}
	ids := make([]network.Identifier, len(data.Identifiers))
	for i, x := range data.Identifiers {
		ids[i] = network.Identifier{ID: x.ID, Type: x.Type, Key: x.Key, Value: x.Value, Finding: x.Finding, Listed: s.listed(x.Type, x.Value)}
	}
	links := make([]network.Link, len(data.Links))
	for i, l := range data.Links {
		links[i] = network.Link{Complaint: l.Complaint, Identifier: l.Identifier}
	}
	return cs, ids, links
}

// listed says whether a stored identifier is on the warninglist.
func (s *Service) listed(typ, value string) bool {
	_, ok := s.list.Match(identifier.Parse(identifier.Type(typ), value))
	return ok
}

func decisionFor(d *greyline.NetworkDecision) network.Decision {
	return network.Decision{ID: d.ID, Kind: network.DecisionKind(d.Kind), Identifier: d.Identifier, Complaint: d.Complaint, Complaints: slices.Clone(d.Complaints)}
}

// ComplaintsChanged is the storage hook: after complaints were written
// (filed, imported, or an identifier confirmed or removed), it reads them
// again and brings the engine in step.
func (s *Service) ComplaintsChanged(ctx context.Context, ids []int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, err := s.store.ComplaintNetworkData(ctx, ids)
	if err != nil {
		return err
	}
	cs, idents, links := s.convert(data)
	byComplaint := map[int64][]network.Link{}
	for _, l := range links {
		byComplaint[l.Complaint] = append(byComplaint[l.Complaint], l)
	}
	known := map[int64]bool{}
	var changes []network.Changes
	for _, c := range cs {
		chs, err := s.setComplaint(c, idents, byComplaint[c.ID], known)
		if err != nil {
			return err
		}
		changes = append(changes, chs...)
	}
	return s.saveChanges(ctx, changes...)
}

// setComplaint adds a complaint the engine has not seen, or brings one it
// has in step: its fields, then its links one by one.
func (s *Service) setComplaint(c network.Complaint, idents []network.Identifier, links []network.Link, known map[int64]bool) ([]network.Changes, error) {
	have, ok := s.eng.ComplaintLinks(c.ID)
	if !ok {
		// Only the identifiers the engine lacks, or whose fields may have
		// changed, go with it: passing them all is correct and simplest.
		var mine []network.Identifier
		wanted := map[int64]bool{}
		for _, l := range links {
			wanted[l.Identifier] = true
		}
		for _, i := range idents {
			if wanted[i.ID] && !known[i.ID] {
				mine = append(mine, i)
				known[i.ID] = true
			}
		}
		ch, err := s.eng.AddComplaint(c, mine, links)
		return []network.Changes{ch}, err
	}
	var out []network.Changes
	ch, err := s.eng.UpdateComplaint(c)
	if err != nil {
		return nil, err
	}
	out = append(out, ch)
	// Identifiers new to the engine come in first, so the links can name them.
	for _, i := range idents {
		if _, isKnown := s.eng.Assess(i.ID); !isKnown && !known[i.ID] {
			known[i.ID] = true
			ch, err := s.eng.SetIdentifier(i)
			if err != nil {
				return nil, err
			}
			out = append(out, ch)
		}
	}
	wantSet := map[int64]bool{}
	for _, l := range links {
		wantSet[l.Identifier] = true
	}
	haveSet := map[int64]bool{}
	for _, i := range have {
		haveSet[i] = true
		if !wantSet[i] {
			ch, err := s.eng.RemoveLink(network.Link{Complaint: c.ID, Identifier: i})
			if err != nil {
				return nil, err
			}
			out = append(out, ch)
		}
	}
	for _, l := range links {
		if haveSet[l.Identifier] {
			continue
		}
		ch, err := s.eng.AddLink(l)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// saveChanges stores the tiers an update changed.
func (s *Service) saveChanges(ctx context.Context, chs ...network.Changes) error {
	seen := map[int64]bool{}
	var ups []greyline.TierUpdate
	for _, ch := range chs {
		for _, tc := range ch.Tiers {
			if seen[tc.Identifier] {
				continue
			}
			seen[tc.Identifier] = true
			a, _ := s.eng.Assess(tc.Identifier)
			ups = append(ups, greyline.TierUpdate{Identifier: tc.Identifier, Tier: a.Tier.String(), Reasons: a.Reasons})
		}
	}
	_, err := s.store.SaveTiers(ctx, ups)
	return err
}

// Decide records an analyst's decision and applies it.
func (s *Service) Decide(ctx context.Context, d *greyline.NetworkDecision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.RecordNetworkDecision(ctx, d); err != nil {
		return err
	}
	ch, err := s.eng.Apply(decisionFor(d))
	if err != nil {
		// Stored but not understood by the engine: the next rebuild
		// applies it; say so rather than hide it.
		s.log.Error("network decision not applied", "decision_id", d.ID, "err", err)
		return greyline.Internal(err)
	}
	return s.saveChanges(ctx, ch)
}

// Revoke withdraws a decision.
func (s *Service) Revoke(ctx context.Context, id int64) (*greyline.NetworkDecision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.store.RevokeNetworkDecision(ctx, id)
	if err != nil {
		return nil, err
	}
	ch, err := s.eng.Revoke(id)
	if err != nil {
		s.log.Error("network decision not revoked in memory", "decision_id", id, "err", err)
		return nil, greyline.Internal(err)
	}
	return d, s.saveChanges(ctx, ch)
}

// Suspect is the suspect registry's answer about one value: never
// personal data, only the identifier, its tier, the reasons and counts.
type Suspect struct {
	Query       string   `json:"query"`
	Type        string   `json:"type,omitempty"`
	Value       string   `json:"value,omitempty"`
	Tier        string   `json:"tier"`
	Reasons     []string `json:"reasons"`
	Complaints  int      `json:"complaints"`
	Victims     int      `json:"victims"`
	LossPaisa   int64    `json:"loss_paisa"`
	NetworkSize int      `json:"network_size"`
	Listed      string   `json:"warninglisted,omitempty"` // why it never links, if it is on a warninglist
	Error       string   `json:"error,omitempty"`
}

// Lookup answers one value of any type, written in any way.
func (s *Service) Lookup(q string) Suspect {
	q = strings.TrimSpace(q)
	out := Suspect{Query: q, Tier: network.TierNone.String(), Reasons: []string{}}
	if q == "" {
		out.Error = "enter a phone number, account, wallet, crypto address, link or other identifier"
		return out
	}
	id := identifier.Detect(q)
	if !id.Valid {
		out.Error = "not a recognised identifier"
		return out
	}
	out.Type, out.Value = string(id.Type), id.Value
	if e, ok := s.list.Match(id); ok {
		out.Listed = e.Reason
	}
	iid, ok := s.eng.IdentifierByKey(id.Key)
	if !ok {
		return out
	}
	a, ok := s.eng.Assess(iid)
	if !ok {
		return out
	}
	out.Tier, out.Complaints, out.Victims, out.LossPaisa, out.NetworkSize = a.Tier.String(), a.Complaints, a.Victims, a.LossPaisa, a.NetworkSize
	if a.Reasons != nil {
		out.Reasons = a.Reasons
	}
	return out
}

// Feed lists tier changes after the cursor since.
func (s *Service) Feed(ctx context.Context, since int64, limit int) ([]greyline.TierChange, error) {
	return s.store.TierFeed(ctx, since, limit)
}

// Decisions returns decisions by id, for showing what shaped a network.
func (s *Service) Decisions(ctx context.Context, ids []int64) ([]*greyline.NetworkDecision, error) {
	return s.store.ListNetworkDecisions(ctx, ids)
}

// SyncDecision brings the engine in step with a decision another server
// took or revoked. Applying a decision it already has, or revoking one it
// no longer has, changes nothing.
func (s *Service) SyncDecision(ctx context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.store.ListNetworkDecisions(ctx, []int64{id})
	if err != nil || len(ds) == 0 {
		return err
	}
	var ch network.Changes
	if ds[0].RevokedAt != nil {
		ch, err = s.eng.Revoke(id)
	} else {
		ch, err = s.eng.Apply(decisionFor(ds[0]))
	}
	if errors.Is(err, network.ErrUnknown) || errors.Is(err, network.ErrInvalid) {
		return nil // already revoked here, or names what this server has not seen yet: the next rebuild settles it
	}
	if err != nil {
		return err
	}
	return s.saveChanges(ctx, ch)
}

// SyncIdentifiers brings identifiers' findings (and so their tiers) in step.
func (s *Service) SyncIdentifiers(ctx context.Context, ids []int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.store.IdentifierData(ctx, ids)
	if err != nil {
		return err
	}
	var chs []network.Changes
	for _, x := range rows {
		ch, err := s.eng.SetIdentifier(network.Identifier{ID: x.ID, Type: x.Type, Key: x.Key, Value: x.Value, Finding: x.Finding, Listed: s.listed(x.Type, x.Value)})
		if err != nil {
			return err
		}
		chs = append(chs, ch)
	}
	return s.saveChanges(ctx, chs...)
}
