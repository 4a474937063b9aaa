package greyline

import (
	"context"
	"strings"
	"time"
)

// Fraud networks: complaints linked by the identifiers they share. The
// engine that finds them works in memory (package network); these are the
// records it is built from and the decisions analysts take about it.

// NetworkComplaint is what the network engine needs of a complaint.
type NetworkComplaint struct {
	ID int64
	// Victim tells complainants apart without naming them: the keyed hash
	// of the CNIC, else of the phone; "" when neither was given.
	Victim     string
	LossPaisa  int64
	City       string
	Category   string
	ReceivedAt time.Time
}

// NetworkIdentifier is an identifier as the engine sees it.
type NetworkIdentifier struct {
	ID      int64
	Type    string
	Key     string
	Value   string
	Finding string // an enforcement finding, in words; raises the tier
	Removal string // a takedown, in words; lowers the tier (see network.Identifier)
	Tier    string // as last saved
}

// NetworkLink is a complaint's identifier that an analyst has not removed.
type NetworkLink struct{ Complaint, Identifier int64 }

// NetworkData is everything the engine is built from.
type NetworkData struct {
	Complaints  []NetworkComplaint
	Identifiers []NetworkIdentifier
	Links       []NetworkLink
}

// NetworkDecisionKind is what an analyst asserts about a network.
type NetworkDecisionKind string

const (
	ConfirmIdentifier NetworkDecisionKind = "confirm_identifier" // it links, even over the threshold
	RejectIdentifier  NetworkDecisionKind = "reject_identifier"  // it never links
	ConfirmLink       NetworkDecisionKind = "confirm_link"       // this complaint's link to it counts, even over the threshold
	RejectLink        NetworkDecisionKind = "reject_link"        // this complaint's link to it does not count
	MergeNetworks     NetworkDecisionKind = "merge"              // these complaints are one operation
	SplitNetwork      NetworkDecisionKind = "split"              // these complaints are apart from the rest of their network
)

// NetworkDecisionKinds lists the kinds with plain-English labels.
var NetworkDecisionKinds = []struct {
	Kind  NetworkDecisionKind
	Label string
}{
	{ConfirmIdentifier, "Identifier confirmed"},
	{RejectIdentifier, "Identifier rejected"},
	{ConfirmLink, "Link confirmed"},
	{RejectLink, "Link rejected"},
	{MergeNetworks, "Networks merged"},
	{SplitNetwork, "Network split"},
}

// Label is the plain-English name.
func (k NetworkDecisionKind) Label() string {
	for _, d := range NetworkDecisionKinds {
		if d.Kind == k {
			return d.Label
		}
	}
	return string(k)
}

// NetworkDecision is an analyst's assertion. Decisions are revoked, never
// deleted, so that the history of who asserted what stays.
type NetworkDecision struct {
	ID         int64               `json:"id"`
	Kind       NetworkDecisionKind `json:"kind"`
	Identifier int64               `json:"identifier_id,omitempty"`
	Complaint  int64               `json:"complaint_id,omitempty"`
	Complaints []int64             `json:"complaints,omitempty"`
	Note       string              `json:"note"`
	CreatedBy  int64               `json:"created_by"`
	CreatedAt  time.Time           `json:"created_at"`
	RevokedBy  int64               `json:"revoked_by,omitempty"`
	RevokedAt  *time.Time          `json:"revoked_at,omitempty"`
}

// Validate checks the fields a kind needs, naming the field at fault.
func (d *NetworkDecision) Validate() error {
	var v Validation
	switch d.Kind {
	case ConfirmIdentifier, RejectIdentifier:
		v.Check(d.Identifier > 0, "identifier_id", "name the identifier")
	case ConfirmLink, RejectLink:
		v.Check(d.Identifier > 0, "identifier_id", "name the identifier")
		v.Check(d.Complaint > 0, "complaint_id", "name the complaint")
	case MergeNetworks:
		v.Check(len(d.Complaints) >= 2, "complaints", "name at least two complaints to merge")
	case SplitNetwork:
		v.Check(len(d.Complaints) >= 1, "complaints", "name the complaints to split off")
	default:
		v.Add("kind", "must be confirm_identifier, reject_identifier, confirm_link, reject_link, merge or split")
	}
	v.Check(len(d.Complaints) <= 1000, "complaints", "at most 1,000 complaints")
	seen := map[int64]bool{}
	for _, c := range d.Complaints {
		if c <= 0 || seen[c] {
			v.Add("complaints", "must be distinct complaint ids")
			break
		}
		seen[c] = true
	}
	v.Check(len(d.Note) <= 2000, "note", "must be at most 2,000 characters")
	v.Check(strings.TrimSpace(d.Note) != "", "note", "say why: other analysts read it")
	return v.Err()
}

// TierUpdate is an identifier's tier as the engine computed it.
type TierUpdate struct {
	Identifier int64
	Tier       string
	Reasons    []string
}

// TierChange is one entry of the partners' feed of tier changes.
type TierChange struct {
	Seq     int64     `json:"seq"`
	Type    string    `json:"type"`
	Value   string    `json:"value"`
	Key     string    `json:"key"`
	Tier    string    `json:"tier"`
	Reasons []string  `json:"reasons"`
	At      time.Time `json:"at"`
}

// NetworkStore keeps what the network engine is built from, analysts'
// decisions, and the identifiers' tiers with their feed.
type NetworkStore interface {
	// ComplaintNetworkData is the data of some complaints only: their rows,
	// links and identifiers, for updating the engine after a change.
	ComplaintNetworkData(ctx context.Context, complaintIDs []int64) (*NetworkData, error)
	RecordNetworkDecision(ctx context.Context, d *NetworkDecision) error
	RevokeNetworkDecision(ctx context.Context, id int64) (*NetworkDecision, error)
	ListNetworkDecisions(ctx context.Context, ids []int64) ([]*NetworkDecision, error)
	// SaveTiers stores tiers that differ from the saved ones and appends
	// each difference to the feed, in one transaction.
	SaveTiers(ctx context.Context, ups []TierUpdate) (changed int, err error)
	TierFeed(ctx context.Context, since int64, limit int) ([]TierChange, error)
	IdentifierData(ctx context.Context, ids []int64) ([]NetworkIdentifier, error)
}

// ChangeKind names what a change-log entry is about.
type ChangeKind string

const (
	ChangeComplaints ChangeKind = "complaints" // complaints First..Last were filed or relinked
	ChangeBusiness   ChangeKind = "business"   // a business's licences or declarations changed
	ChangeDecision   ChangeKind = "decision"   // a network decision was taken or revoked
	ChangeIdentifier ChangeKind = "identifier" // an identifier's finding changed
)

// Change is one entry of the change log: the ids First to Last of a kind.
type Change struct {
	Seq         int64
	Kind        ChangeKind
	First, Last int64
	At          time.Time
}

// ChangeLog is what every server reads to keep its in-memory indexes in
// step with writes made by the others.
type ChangeLog interface {
	// LatestChange is the newest sequence number (0 when none).
	LatestChange(ctx context.Context) (int64, error)
	// ChangesSince lists entries after seq, and also those written within
	// lookback, since an entry can commit after one with a higher number.
	ChangesSince(ctx context.Context, seq int64, lookback time.Duration) ([]Change, error)
}
