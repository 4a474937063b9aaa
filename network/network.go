// Package network links fraud complaints into networks through the
// identifiers they share (phone numbers, wallets, IBANs, sites…), keeps
// shared noise from gluing unrelated cases together, and gives every
// identifier a risk tier with its reasons. It is pure: no I/O. The caller
// fills it from the database (Load) and keeps it in step with incremental
// updates; every update reports the networks and tiers it changed, so the
// caller can persist them or publish a feed.
//
// # Use
//
//	e := network.New(network.DefaultConfig())
//	err := e.Load(complaints, identifiers, links, decisions) // on start: full rebuild
//	ch, err := e.AddComplaint(c, newIdentifiers, itsLinks)   // as complaints arrive
//	ch, err = e.UpdateComplaint(c)                            // victim, loss, city, category, time
//	ch, err = e.RemoveLink(l) / e.AddLink(l)                  // an analyst removed or restored an identifier
//	ch, err = e.SetIdentifier(id)                             // warninglisted, enforcement finding
//	ch, err = e.Apply(decision) / e.Revoke(decisionID)        // analysts' assertions
//	// ch.Networks and ch.Tiers say what to persist or publish.
//	e.NetworkOf(complaintID); e.Network(networkID); e.Networks(filter)
//	e.Assess(identifierID); e.Tier(identifierID); e.IdentifierByKey(key)
//	e.Held(); e.Tiers(); e.Stats()
//
// Complaints and identifiers are never removed, only their links. Errors
// wrap ErrUnknown or ErrInvalid, and a call that fails changes nothing.
// Times come back in UTC.
//
// # Networks
//
// A network is a connected component of the graph whose nodes are
// complaints and whose edges are:
//   - a linking identifier shared by two complaints with the same
//     partition label; think of an identifier as one node per label it is
//     used with. A Split decision labels its complaints with its own id
//     (the latest Split of a complaint wins, so the order decisions were
//     applied in does not matter); other complaints have label 0;
//   - a Merge decision, which joins its complaints whatever their labels.
//
// A network's id is its smallest complaint id: deterministic, and stable
// across rebuilds and updates for as long as the smallest member stays in
// it. Every complaint is in a network; one with no links is a network of
// one, which lists leave out by default.
//
// # Noise guards
//
// An identifier links unless one of these holds; its State says which:
//   - Listed: the value is on a warninglist (a bank's helpline, a platform
//     domain, a URL shortener, a payment gateway, an exchange hot wallet).
//     A listed value never links, whatever an analyst says.
//   - Rejected: an analyst rejected it (RejectIdentifier).
//   - Held: it would join more than N complaints from more than M distinct
//     victims (Config, per identifier type) and no analyst has confirmed
//     it. Held values are listed by Held for review; ConfirmIdentifier makes
//     them link (Confirmed), RejectIdentifier stops them for good.
//
// Link decisions act on one (complaint, identifier) link: ConfirmLink makes
// it link even though the identifier is held (the complaints whose links
// to a held value are confirmed join each other), never when the value is
// listed or rejected; RejectLink stops it linking. Every decision is
// reversible by id (Revoke). What the engine computed is kept apart from
// what analysts asserted: Network.Decisions names the decisions that
// shaped a network and NetIdentifier.State says why a value links or not.
//
// Counts (complaints, distinct victims, loss) are over all of an
// identifier's links: a rejected link no longer glues networks, but it is
// still a report of the value. Links an analyst removed are not given to
// the engine at all (RemoveLink).
//
// # Risk tiers
//
// See tier.go and docs/risk.md: points for distinct victims, loss and
// network size, raised by an analyst's confirmation and by enforcement
// findings, capped for held values, none for listed and rejected ones.
//
// # Memory and speed
//
// Ids are dense database ids, so complaints and identifiers live in slices
// indexed by id, with int32 ids inside (ids above 2^31-1 are refused).
// Match keys and victim keys are found through compact open-addressing
// tables of their hashes (index.go), not maps of strings.
// Load builds everything in bulk (union-find over the links). Updates are
// incremental: adding links merges networks small into large; anything
// that can remove an edge (a removed or rejected link, a value becoming
// held, a revoked decision, a split) dissolves only the networks of the
// complaints concerned and recomputes their components locally. Network
// aggregates (victims, loss, cities, categories, span, identifiers by
// tier) are kept per network and updated with it, so ranking only sorts.
//
// # Concurrency
//
// An Engine is safe for concurrent use: queries share a read lock; updates
// take the write lock for the few microseconds they need. Load builds the
// new state without blocking readers and swaps it in.
package network

import (
	"errors"
	"time"
)

// Errors, checked with errors.Is. A failed call changes nothing.
var (
	// ErrUnknown: an id names no complaint, identifier, link or decision
	// the engine has.
	ErrUnknown = errors.New("network: unknown id")
	// ErrInvalid: the input is malformed (a Merge of fewer than two
	// complaints, a Split of none, a duplicate id, an id out of range…).
	ErrInvalid = errors.New("network: invalid input")
)

// Complaint is what the engine needs of a complaint.
type Complaint struct {
	ID         int64
	Victim     string // distinct-victim key (a keyed hash of CNIC or phone); "" = unknown: counts as its own victim
	LossPaisa  int64  // money is integer paisa
	City       string
	Category   string
	ReceivedAt time.Time
}

// Identifier is one distinct identifier (one row per match key).
type Identifier struct {
	ID      int64
	Type    string // phone, cnic, iban, bank_account, wallet, crypto, url, domain, email, app, social, imei, ip, or any other name
	Key     string // match key, unique per identifier
	Value   string // canonical value, for display
	Listed  bool   // on a warninglist: never links
	Finding string // an enforcement finding in words ("seized in raid RD-2026-0012"), "" if none
	// Removal is a takedown in words ("taken down on 3 Nov 2026 (TD-…)"):
	// it lowers the tier to medium at most; prefixed "closed: " (a blocked
	// number or account, which cannot be used again) it closes it.
	Removal string
}

// Link says that a complaint mentions an identifier; one per pair.
type Link struct{ Complaint, Identifier int64 }

// DecisionKind names an analyst's assertion.
type DecisionKind string

// The decisions analysts make.
const (
	ConfirmIdentifier DecisionKind = "confirm_identifier" // the value links even over the threshold
	RejectIdentifier  DecisionKind = "reject_identifier"  // the value never links
	ConfirmLink       DecisionKind = "confirm_link"       // this link links even though the value is held
	RejectLink        DecisionKind = "reject_link"        // this link does not link
	Merge             DecisionKind = "merge"              // these complaints are one network
	Split             DecisionKind = "split"              // detach these complaints, together, from the rest of their network
)

// Decision is an analyst's assertion, applied and revoked by id.
type Decision struct {
	ID         int64
	Kind       DecisionKind
	Identifier int64   // identifier and link decisions
	Complaint  int64   // link decisions
	Complaints []int64 // Merge: complaints to put in one network (>= 2); Split: complaints to detach together
}

// State says whether an identifier links complaints, and why not.
type State uint8

// Identifier states, from the engine (Linking, Held) or from outside it
// (Listed by a warninglist, Rejected and Confirmed by an analyst).
const (
	StateLinking   State = iota // links the complaints that mention it
	StateHeld                   // over the threshold for its type: links only confirmed links until reviewed
	StateListed                 // on a warninglist: never links
	StateRejected               // rejected by an analyst: never links
	StateConfirmed              // confirmed by an analyst: links even over the threshold
)

var stateNames = [...]string{"linking", "held", "listed", "rejected", "confirmed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// MarshalText writes the state's name, for JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Tier is an identifier's risk tier.
type Tier uint8

// Risk tiers, in increasing order.
const (
	TierNone Tier = iota
	TierMedium
	TierHigh
	TierVeryHigh
)

var tierNames = [...]string{"none", "medium", "high", "very high"}

func (t Tier) String() string {
	if int(t) < len(tierNames) {
		return tierNames[t]
	}
	return "unknown"
}

// MarshalText writes the tier's name, for JSON.
func (t Tier) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Threshold is the over-link guard for one identifier type: a value that
// would join more than Complaints complaints from more than Victims
// distinct victims is held. Both must be exceeded, so one victim filing
// many complaints does not trip it.
type Threshold struct{ Complaints, Victims int }

// Config tunes the guards.
type Config struct {
	Default Threshold            // for types not in ByType; the zero value means DefaultConfig's
	ByType  map[string]Threshold // by identifier type; a zero Threshold means Default
}

// DefaultConfig holds values joining more than 100 complaints from more
// than 50 victims, and sites (url, domain), which are shared more readily,
// at 50 complaints and 25 victims.
func DefaultConfig() Config {
	return Config{
		Default: Threshold{Complaints: 100, Victims: 50},
		ByType: map[string]Threshold{
			"url":    {Complaints: 50, Victims: 25},
			"domain": {Complaints: 50, Victims: 25},
		},
	}
}

// Changes is what an update changed: the ids of the networks it touched,
// as they were before and as they are after (a network whose membership or
// aggregates changed), sorted; and the identifiers whose tier changed.
// Networks of one are included, since every complaint is in a network.
type Changes struct {
	Networks []int64
	Tiers    []TierChange
}

// TierChange is one identifier's change of tier.
type TierChange struct {
	Identifier int64
	From, To   Tier
}

// Count is a name with a number of complaints (cities, categories).
type Count struct {
	Name string
	N    int
}

// NetIdentifier is an identifier as seen from one network.
type NetIdentifier struct {
	ID         int64
	Type       string
	Key        string
	Value      string
	State      State
	Tier       Tier
	Complaints int // complaints of this network that mention it
}

// Network is one network in full.
type Network struct {
	ID          int64
	Complaints  []int64         // sorted
	Identifiers []NetIdentifier // every identifier its complaints mention, sorted by type and value
	Victims     int             // distinct victims
	LossPaisa   int64
	Cities      []Count // most complaints first
	Categories  []Count
	First, Last time.Time // earliest and latest ReceivedAt
	TopTier     Tier      // highest tier among the identifiers that link in it
	Decisions   []int64   // the analysts' decisions that shaped it, sorted
}

// Summary is a network in a ranking.
type Summary struct {
	ID          int64
	Complaints  int
	Identifiers int // distinct identifiers that link in it
	Victims     int
	LossPaisa   int64
	Cities      []Count
	Categories  []Count
	First, Last time.Time
	TopTier     Tier
}

// Filter selects and orders networks for Networks.
type Filter struct {
	City, Category string // exact names, case-insensitive; "" for any
	MinComplaints  int    // 0 means 2: networks of one are left out unless asked for with 1
	Sort           string // "victims" (default: victims, then loss, then most recent), "loss", "recent"
	Limit, Offset  int    // Limit 0: all
}

// Assessment is an identifier's risk tier with its reasons and counts.
type Assessment struct {
	Tier        Tier
	Reasons     []string
	Complaints  int
	Victims     int
	NetworkSize int // complaints in the largest network it links into; 0 when it links nothing
	LossPaisa   int64
	State       State
}

// HeldIdentifier is a value awaiting review.
type HeldIdentifier struct {
	ID         int64
	Type       string
	Key        string
	Value      string
	Complaints int
	Victims    int
	LossPaisa  int64
}

// Stats counts what the engine holds.
type Stats struct {
	Complaints, Identifiers, Links int
	Networks                       int // networks of two or more complaints
	Largest                        int // complaints in the largest network
	Held                           int // identifiers held for review
}
