// Package fraudnet keeps the in-memory network engine (package network) in
// step with the database: it builds the engine on start, follows each
// write to complaints and each analyst's decision, marks warninglisted
// values, and saves the identifiers' risk tiers, whose changes feed the
// partners. It answers the network pages and the suspect registry.
package fraudnet

import (
	"context"
	"errors"
	"hash/maphash"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
	"github.com/greyline/greyline/network"
	"github.com/greyline/greyline/warninglist"
)

// Service is the live fraud-network index.
type Service struct {
	store Store
	list  *warninglist.List
	eng   *network.Engine
	log   *slog.Logger
	// mu orders updates: each reads the database and applies what it read
	// before the next starts, so an older read never lands after a newer one.
	mu sync.Mutex

	// Tiers are persisted off the update path (see saveChanges): the
	// identifiers whose tier changed wait in queue, in the order they
	// first changed, until a flush saves their current tiers.
	every    time.Duration
	batch    int
	qmu      sync.Mutex
	queue    []int64
	queued   map[int64]struct{}
	timer    *time.Timer // armed while a flush is scheduled
	urgent   bool        // the queue reached batch: flush now
	closed   bool        // after Close, updates save at once
	failures int
	// fmu makes flushes take turns, so that the feed's order is theirs and
	// an older assessment is never saved after a newer one.
	fmu         sync.Mutex
	queuedTotal atomic.Uint64
}

// Options configure a Service; zero values take the defaults.
type Options struct {
	Warninglist *warninglist.List // default warninglist.Default()
	Engine      network.Config    // default network.DefaultConfig()
	Logger      *slog.Logger
	// FlushEvery is how long a changed tier may wait before it is saved
	// and fed to partners (default 200 ms); FlushAt is how many waiting
	// tiers start a flush at once (default 1,000).
	FlushEvery time.Duration
	FlushAt    int
}

// New returns an empty service; call Rebuild before use.
func New(store Store, o Options) *Service {
	if o.Warninglist == nil {
		o.Warninglist = warninglist.Default()
	}
	if o.Engine.Default == (network.Threshold{}) {
		o.Engine = network.DefaultConfig()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = 200 * time.Millisecond
	}
	if o.FlushAt <= 0 {
		o.FlushAt = 1000
	}
	return &Service{store: store, list: o.Warninglist, eng: network.New(o.Engine), log: o.Logger,
		every: o.FlushEvery, batch: o.FlushAt, queued: map[int64]struct{}{}}
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

// Store is what the service keeps in step with: the networks' store, and
// the bulk read a rebuild starts from (rows scanned straight into the
// engine's input, with each identifier's saved tier and reasons).
type Store interface {
	greyline.NetworkStore
	ReadNetwork(ctx context.Context, listed func(typ, key, value string) bool, saved func(id int64, tier, reasons []byte)) (
		[]network.Complaint, []network.Identifier, []network.Link, []greyline.NetworkDecision, error)
}

// Rebuild reads everything and builds the engine from scratch, then saves
// the tiers that differ from the stored ones. This is also what makes the
// deferred saving of tiers safe: whatever a crash kept from being saved is
// found here, as a difference between the computed and the stored tiers,
// and saved (and fed to partners) now.
func (s *Service) Rebuild(ctx context.Context) (RebuildStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st RebuildStats
	// What waits is saved first: it was computed from the engine being
	// replaced, and no update can queue more while mu is held.
	if err := s.Flush(ctx); err != nil {
		return st, err
	}
	t0 := time.Now()
	// The rebuild's peak memory is a target (1 GB at a million complaints),
	// and the collector is set for each step to keep it (Rebuild runs at
	// start-up, so the process-wide setting is borrowed only briefly). The
	// read allocates little besides what it returns, all of it live: a
	// collection meanwhile would free nothing and take the cores the read
	// uses, so the collector waits longer.
	gc := debug.SetGCPercent(400)
	defer debug.SetGCPercent(gc)
	// The saved tiers, kept as a hash of tier and reasons by identifier id
	// (0: none), a few bytes each rather than the strings. Two different
	// tiers hashing alike (odds 2^-64) would leave one unsaved until it
	// next changes.
	var saved []uint64
	seed := maphash.MakeSeed()
	cs, ids, links, decisions, err := s.store.ReadNetwork(ctx, s.listedKey, func(id int64, tier, reasons []byte) {
		if int(id) >= len(saved) {
			saved = append(saved, make([]uint64, max(int(id)+1, 2*len(saved), 1024)-len(saved))...)
		}
		saved[id] = storedTierSum(seed, tier, reasons)
	})
	if err != nil {
		return st, err
	}
	st.Read = time.Since(t0)
	t1 := time.Now()
	ds := make([]network.Decision, len(decisions))
	for i := range decisions {
		ds[i] = decisionFor(&decisions[i])
	}
	maxID := int64(0)
	for i := range ids {
		maxID = max(maxID, ids[i].ID)
	}
	// What the read left behind goes, pages and all, before the build's big
	// arrays come on top of its input.
	debug.FreeOSMemory()
	debug.SetGCPercent(100)
	err = s.eng.Load(cs, ids, links, ds)
	if err != nil {
		return st, err
	}
	st.Build = time.Since(t1)
	t2 := time.Now()
	// The tiers are compared on every core, in ranges of ids: putting the
	// reasons into words is most of the time. What that leaves behind is
	// garbage over the new engine: collected sooner, on the cores' idle
	// moments, it does not raise the peak.
	debug.SetGCPercent(20)
	parts := make([][]greyline.TierUpdate, runtime.GOMAXPROCS(0))
	per := maxID/int64(len(parts)) + 1
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := 1+int64(p)*per, min(maxID, int64(p+1)*per)
		wg.Go(func() { parts[p] = s.changedTiers(lo, hi, saved, seed) })
	}
	wg.Wait()
	ups := slices.Concat(parts...)
	if st.TiersChanged, err = s.store.SaveTiers(ctx, ups); err != nil {
		return st, err
	}
	st.Save = time.Since(t2)
	st.Stats = s.eng.Stats()
	return st, nil
}

// changedTiers lists the identifiers lo…hi whose tier or reasons differ
// from the saved ones, as the engine computes them now. A tier of none
// over a stored none is no change whatever the reasons, which are then
// not kept.
func (s *Service) changedTiers(lo, hi int64, saved []uint64, seed maphash.Seed) []greyline.TierUpdate {
	var ups []greyline.TierUpdate
	for id := lo; id <= hi; id++ {
		was := uint64(0)
		if int(id) < len(saved) {
			was = saved[id]
		}
		if t, ok := s.eng.Tier(id); !ok || (t == network.TierNone && was == 0) {
			continue // the common case, told without the reasons
		}
		a, _ := s.eng.Assess(id)
		tier := a.Tier.String()
		if was != 0 && tierSum(seed, tier, a.Reasons) == was {
			continue
		}
		ups = append(ups, greyline.TierUpdate{Identifier: id, Tier: tier, Reasons: a.Reasons})
	}
	return ups
}

// tierSum hashes a tier and its reasons as they are stored (one a line,
// see storedTierSum); never 0.
func tierSum(seed maphash.Seed, tier string, reasons []string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.WriteString(tier)
	h.WriteByte(0)
	for i, r := range reasons {
		if i > 0 {
			h.WriteByte('\n')
		}
		h.WriteString(r)
	}
	return h.Sum64() | 1
}

// storedTierSum is tierSum of a stored tier and its reasons.
func storedTierSum(seed maphash.Seed, tier, reasons []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	h.Write(tier)
	h.WriteByte(0)
	h.Write(reasons)
	return h.Sum64() | 1
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
		ids[i] = network.Identifier{ID: x.ID, Type: x.Type, Key: x.Key, Value: x.Value, Finding: x.Finding, Removal: x.Removal, Listed: s.listed(x.Type, x.Value)}
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

// listedKey is listed for an identifier as stored (see
// warninglist.MatchStored).
func (s *Service) listedKey(typ, key, value string) bool {
	_, ok := s.list.MatchStored(identifier.Type(typ), key, value)
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
	return s.complaintsChanged(ctx, ids)
}

func (s *Service) complaintsChanged(ctx context.Context, ids []int64) error {
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

// saveChanges queues the tiers an update changed for saving. The engine's
// tiers are what lookups answer from; saving them (and feeding partners)
// is batched by a background flush (every FlushEvery, or at once when
// FlushAt wait), so that an update does not wait for a write transaction
// on SQLite's single writer. A crash loses nothing: the next Rebuild
// saves every computed tier that differs from the stored one.
func (s *Service) saveChanges(ctx context.Context, chs ...network.Changes) error {
	s.qmu.Lock()
	n := 0
	for _, ch := range chs {
		for _, tc := range ch.Tiers {
			if _, ok := s.queued[tc.Identifier]; !ok {
				s.queued[tc.Identifier] = struct{}{}
				s.queue = append(s.queue, tc.Identifier)
				n++
			}
		}
	}
	s.queuedTotal.Add(uint64(n))
	closed := s.closed
	if !closed && len(s.queue) > 0 {
		s.schedule()
	}
	s.qmu.Unlock()
	if closed {
		return s.Flush(ctx)
	}
	return nil
}

// schedule arms the flush, or brings it forward when the queue is full;
// qmu is held.
func (s *Service) schedule() {
	switch {
	case s.timer == nil:
		wait := s.every
		if len(s.queue) >= s.batch {
			wait, s.urgent = 0, true
		}
		s.timer = time.AfterFunc(wait, s.background)
	case len(s.queue) >= s.batch && !s.urgent:
		s.urgent = true
		s.timer.Reset(0)
	}
}

// background is the timer's flush; a failed one is retried later, waiting
// longer each time, with the tiers kept in the queue.
func (s *Service) background() {
	if err := s.Flush(context.Background()); err != nil {
		s.log.Error("saving changed tiers failed; will retry", "err", err)
	}
}

// QueuedTiers counts the tier changes queued for saving since the service
// began (an identifier queued again before a flush counts once).
func (s *Service) QueuedTiers() uint64 { return s.queuedTotal.Load() }

// Flush saves the queued tiers now, as the engine has them, and appends
// their changes to the feed in the order they were queued. Tests call it
// before reading the feed.
func (s *Service) Flush(ctx context.Context) error {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.qmu.Lock()
	ids := s.queue
	s.queue, s.queued = nil, map[int64]struct{}{}
	if s.timer != nil {
		s.timer.Stop()
		s.timer, s.urgent = nil, false
	}
	s.qmu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	ups := make([]greyline.TierUpdate, 0, len(ids))
	for _, id := range ids {
		if a, ok := s.eng.Assess(id); ok {
			ups = append(ups, greyline.TierUpdate{Identifier: id, Tier: a.Tier.String(), Reasons: a.Reasons})
		}
	}
	_, err := s.store.SaveTiers(ctx, ups)
	s.qmu.Lock()
	defer s.qmu.Unlock()
	if err == nil {
		s.failures = 0
		return nil
	}
	// Put them back in front of whatever was queued meanwhile, and retry.
	later := s.queue
	s.queue = ids
	for _, id := range ids {
		s.queued[id] = struct{}{}
	}
	for _, id := range later {
		if _, ok := s.queued[id]; !ok {
			s.queued[id] = struct{}{}
			s.queue = append(s.queue, id)
		}
	}
	s.failures++
	if !s.closed {
		s.timer = time.AfterFunc(min(s.every<<min(s.failures, 8), 30*time.Second), s.background)
	}
	return err
}

// Close saves what is queued and makes later updates save at once; call
// it on shutdown.
func (s *Service) Close(ctx context.Context) error {
	s.qmu.Lock()
	s.closed = true
	s.qmu.Unlock()
	return s.Flush(ctx)
}

// Decide records an analyst's decision and applies it.
func (s *Service) Decide(ctx context.Context, d *greyline.NetworkDecision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.RecordNetworkDecision(ctx, d); err != nil {
		return err
	}
	ch, err := s.eng.Apply(decisionFor(d))
	if errors.Is(err, network.ErrUnknown) {
		// The store knows what the decision names, the engine not yet: an
		// identifier no complaint links (from a seizure, say), or a
		// complaint filed a moment ago and still on its way. Read them in.
		if err = s.catchUp(ctx, d); err == nil {
			ch, err = s.eng.Apply(decisionFor(d))
		}
	}
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

// catchUp reads into the engine the complaints and identifier a decision
// names.
func (s *Service) catchUp(ctx context.Context, d *greyline.NetworkDecision) error {
	cs := slices.Clone(d.Complaints)
	if d.Complaint != 0 {
		cs = append(cs, d.Complaint)
	}
	if err := s.complaintsChanged(ctx, cs); err != nil {
		return err
	}
	if d.Identifier == 0 {
		return nil
	}
	if _, ok := s.eng.Assess(d.Identifier); ok {
		return nil
	}
	return s.syncIdentifiers(ctx, []int64{d.Identifier})
}

// SyncIdentifiers brings identifiers' findings (and so their tiers) in step.
func (s *Service) SyncIdentifiers(ctx context.Context, ids []int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.syncIdentifiers(ctx, ids)
}

func (s *Service) syncIdentifiers(ctx context.Context, ids []int64) error {
	rows, err := s.store.IdentifierData(ctx, ids)
	if err != nil {
		return err
	}
	var chs []network.Changes
	for _, x := range rows {
		ch, err := s.eng.SetIdentifier(network.Identifier{ID: x.ID, Type: x.Type, Key: x.Key, Value: x.Value, Finding: x.Finding, Removal: x.Removal, Listed: s.listed(x.Type, x.Value)})
		if err != nil {
			return err
		}
		chs = append(chs, ch)
	}
	return s.saveChanges(ctx, chs...)
}
