package greyline

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Takedowns, SECP's lending-app lists, the crypto wallet watchlist, the
// alerts raised when something removed comes back, and what greyline
// shares with partners.

// TLP is a Traffic Light Protocol 2.0 marking: who may receive a shared
// record. Package access decides what each marking allows.
type TLP string

const (
	TLPClear       TLP = "clear"        // anyone
	TLPGreen       TLP = "green"        // the community: agencies and partner organisations
	TLPAmber       TLP = "amber"        // agencies and the partners the record is for (telcos for numbers, …)
	TLPAmberStrict TLP = "amber+strict" // agencies only
	TLPRed         TLP = "red"          // the organisation that shared it only
)

// TLPs lists the markings, least restrictive first.
var TLPs = []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}

// Valid reports whether t is a known marking.
func (t TLP) Valid() bool { return slices.Contains(TLPs, t) }

// Label is the marking as people write it: "TLP:AMBER+STRICT".
func (t TLP) Label() string { return "TLP:" + strings.ToUpper(string(t)) }

// TakedownTarget is what a takedown asks a platform to remove.
type TakedownTarget string

const (
	TargetApp      TakedownTarget = "app"      // a store listing or an APK site
	TargetURL      TakedownTarget = "url"      // a URL or a whole domain
	TargetPhone    TakedownTarget = "phone"    // a phone number or SIM
	TargetWhatsApp TakedownTarget = "whatsapp" // a WhatsApp account
	TargetSocial   TakedownTarget = "social"   // a social-media account
)

// TakedownTargets lists them.
var TakedownTargets = []TakedownTarget{TargetApp, TargetURL, TargetPhone, TargetWhatsApp, TargetSocial}

// TakedownStatus is where a request stands.
type TakedownStatus string

const (
	TakedownRequested    TakedownStatus = "requested"
	TakedownAcknowledged TakedownStatus = "acknowledged"
	TakedownRemoved      TakedownStatus = "removed"
	TakedownRejected     TakedownStatus = "rejected"
	TakedownReappeared   TakedownStatus = "reappeared"
)

// TakedownStatuses lists them in workflow order.
var TakedownStatuses = []TakedownStatus{TakedownRequested, TakedownAcknowledged, TakedownRemoved, TakedownRejected, TakedownReappeared}

// takedownMoves is the workflow: a removed target that comes back is
// "reappeared", and may be removed again.
var takedownMoves = map[TakedownStatus][]TakedownStatus{
	TakedownRequested:    {TakedownAcknowledged, TakedownRemoved, TakedownRejected},
	TakedownAcknowledged: {TakedownRemoved, TakedownRejected},
	TakedownRemoved:      {TakedownReappeared},
	TakedownReappeared:   {TakedownAcknowledged, TakedownRemoved, TakedownRejected},
}

// CanMove reports whether a request may go from one status to another.
func (s TakedownStatus) CanMove(to TakedownStatus) bool {
	return slices.Contains(takedownMoves[s], to)
}

// Open reports whether the platform still owes an answer.
func (s TakedownStatus) Open() bool {
	return s == TakedownRequested || s == TakedownAcknowledged || s == TakedownReappeared
}

// TakedownAgencies are the organisations that may ask for takedowns.
var TakedownAgencies = []string{"SECP", "PTA", "NCCIA"}

// Platform is where a target lives, with how long it has to answer.
type Platform struct {
	Code     string           `json:"code"`
	Name     string           `json:"name"`
	Targets  []TakedownTarget `json:"targets"`
	Deadline Hours            `json:"deadline_hours"`
}

// Hours is a duration written in whole hours in configuration.
type Hours int

// Duration converts it.
func (h Hours) Duration() time.Duration { return time.Duration(h) * time.Hour }

// PlatformTable is the platforms in force.
type PlatformTable struct{ list []Platform }

// NewPlatformTable checks a list of platforms.
func NewPlatformTable(ps []Platform) (*PlatformTable, error) {
	var v Validation
	seen := map[string]bool{}
	for i, p := range ps {
		f := fmt.Sprintf("platforms[%d]", i)
		p.Code, p.Name = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name)
		ps[i] = p
		v.Check(p.Code != "" && len(p.Code) <= 40 && strings.Trim(p.Code, "abcdefghijklmnopqrstuvwxyz0123456789_") == "", f+".code", "is required: lower-case letters, digits and _")
		v.Check(!seen[p.Code], f+".code", fmt.Sprintf("%q appears twice", p.Code))
		seen[p.Code] = true
		v.Check(p.Name != "" && len(p.Name) <= 100, f+".name", "is required, at most 100 characters")
		v.Check(len(p.Targets) > 0, f+".targets", "must name at least one of app, url, phone, whatsapp, social")
		for _, t := range p.Targets {
			v.Check(slices.Contains(TakedownTargets, t), f+".targets", fmt.Sprintf("%q is not one of app, url, phone, whatsapp, social", t))
		}
		v.Check(p.Deadline >= 1 && p.Deadline <= 24*90, f+".deadline_hours", "must be between 1 and 2,160 hours")
	}
	v.Check(len(ps) > 0, "platforms", "must list at least one platform")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &PlatformTable{list: slices.Clone(ps)}, nil
}

// ParsePlatforms reads a JSON list of platforms (serve --platforms).
func ParsePlatforms(data []byte) (*PlatformTable, error) {
	var ps []Platform
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ps); err != nil {
		return nil, Invalid("platforms", `is not a JSON list of {"code", "name", "targets", "deadline_hours"}`)
	}
	return NewPlatformTable(ps)
}

// List returns the platforms in order.
func (t *PlatformTable) List() []Platform { return slices.Clone(t.list) }

// Find returns a platform by code.
func (t *PlatformTable) Find(code string) (Platform, bool) {
	for _, p := range t.list {
		if p.Code == code {
			return p, true
		}
	}
	return Platform{}, false
}

// DefaultPlatforms follows the Removal and Blocking of Unlawful Online
// Content Rules 2021 (48 hours for platforms) and PTA's practice with the
// mobile operators (24 hours).
func DefaultPlatforms() *PlatformTable {
	t, err := NewPlatformTable([]Platform{
		{"google_play", "Google Play", []TakedownTarget{TargetApp}, 48},
		{"apple_app_store", "Apple App Store", []TakedownTarget{TargetApp}, 48},
		{"apk_site", "APK website (its host)", []TakedownTarget{TargetApp, TargetURL}, 72},
		{"whatsapp", "WhatsApp (Meta)", []TakedownTarget{TargetWhatsApp}, 48},
		{"facebook", "Facebook (Meta)", []TakedownTarget{TargetSocial, TargetURL}, 48},
		{"instagram", "Instagram (Meta)", []TakedownTarget{TargetSocial}, 48},
		{"tiktok", "TikTok", []TakedownTarget{TargetSocial, TargetURL}, 48},
		{"youtube", "YouTube (Google)", []TakedownTarget{TargetSocial, TargetURL}, 48},
		{"x", "X (Twitter)", []TakedownTarget{TargetSocial}, 48},
		{"telegram", "Telegram", []TakedownTarget{TargetSocial}, 48},
		{"domain_registrar", "Domain registrar or PKNIC", []TakedownTarget{TargetURL}, 72},
		{"isp_blocking", "Blocking by ISPs (PTA)", []TakedownTarget{TargetURL}, 24},
		{"jazz", "Jazz", []TakedownTarget{TargetPhone, TargetWhatsApp}, 24},
		{"zong", "Zong", []TakedownTarget{TargetPhone, TargetWhatsApp}, 24},
		{"telenor", "Telenor", []TakedownTarget{TargetPhone, TargetWhatsApp}, 24},
		{"ufone", "Ufone", []TakedownTarget{TargetPhone, TargetWhatsApp}, 24},
	})
	if err != nil {
		panic(err) // the table above is fixed
	}
	return t
}

// Takedown is one request to a platform to remove a target.
type Takedown struct {
	ID        int64          `json:"id"`
	Reference string         `json:"reference"` // TD-2026-000001
	OrgID     int64          `json:"org_id"`    // the agency asking; set from the caller
	Org       string         `json:"org"`
	Target    TakedownTarget `json:"target"`
	Platform  string         `json:"platform"`
	// Value is the target as given: a package id, a URL, a number, a handle.
	Value string `json:"value"`
	// IdentifierType and Key are Value normalised (package identifier);
	// set by the store.
	IdentifierType string `json:"identifier_type"`
	Key            string `json:"key"`
	// For apps and sites: what the listing showed, used to recognise the
	// same operation when it comes back.
	Name           string   `json:"name,omitempty"`
	Developer      string   `json:"developer,omitempty"`
	DeveloperEmail string   `json:"developer_email,omitempty"`
	Contacts       []string `json:"contacts,omitempty"` // numbers, wallets, emails shown in the listing
	ListingURL     string   `json:"listing_url,omitempty"`
	LegalBasis     string   `json:"legal_basis"` // e.g. "PECA 2016 s.37"
	Complaints     []int64  `json:"complaints"`
	Networks       []int64  `json:"networks"`
	TLP            TLP      `json:"tlp"`
	Notes          string   `json:"notes,omitempty"`

	Status         TakedownStatus  `json:"status"`
	RequestedAt    time.Time       `json:"requested_at"`
	DueAt          time.Time       `json:"due_at"`
	AcknowledgedAt time.Time       `json:"acknowledged_at,omitzero"`
	RemovedAt      time.Time       `json:"removed_at,omitzero"`
	RejectedAt     time.Time       `json:"rejected_at,omitzero"`
	ReappearedAt   time.Time       `json:"reappeared_at,omitzero"`
	Version        int             `json:"version"`
	CreatedBy      int64           `json:"created_by"`
	Documents      []*Document     `json:"documents,omitempty"`
	Events         []TakedownEvent `json:"events,omitempty"`
}

// Overdue reports whether the platform's deadline passed without an answer.
func (t *Takedown) Overdue(now time.Time) bool {
	return t.Status.Open() && now.After(t.DueAt)
}

// TakedownEvent is one step in a request's history.
type TakedownEvent struct {
	At     time.Time      `json:"at"`
	Status TakedownStatus `json:"status"`
	Note   string         `json:"note"`
	By     string         `json:"by"`
}

// Validate names every bad field of a new request. Normalising Value is
// the store's job (it knows the identifier package); here only shape.
func (t *Takedown) Validate(platforms *PlatformTable) error {
	var v Validation
	t.Value, t.Name, t.Developer = strings.TrimSpace(t.Value), strings.TrimSpace(t.Name), strings.TrimSpace(t.Developer)
	t.DeveloperEmail, t.ListingURL = strings.TrimSpace(t.DeveloperEmail), strings.TrimSpace(t.ListingURL)
	t.LegalBasis, t.Notes = strings.TrimSpace(t.LegalBasis), strings.TrimSpace(t.Notes)
	v.Check(slices.Contains(TakedownTargets, t.Target), "target", "must be one of app, url, phone, whatsapp, social")
	if p, ok := platforms.Find(t.Platform); !ok {
		v.Add("platform", "is not a known platform")
	} else if t.Target != "" && !slices.Contains(p.Targets, t.Target) {
		v.Add("platform", fmt.Sprintf("%s does not take down a target of this kind", p.Name))
	}
	v.Check(t.Value != "" && len(t.Value) <= 500, "value", "is required, at most 500 characters")
	v.Check(len(t.Name) <= 200, "name", "must be at most 200 characters")
	v.Check(len(t.Developer) <= 200, "developer", "must be at most 200 characters")
	v.Check(len(t.DeveloperEmail) <= 200, "developer_email", "must be at most 200 characters")
	v.Check(len(t.ListingURL) <= 1000, "listing_url", "must be at most 1,000 characters")
	v.Check(len(t.Contacts) <= 20, "contacts", "must list at most 20 entries")
	v.Check(t.LegalBasis != "" && len(t.LegalBasis) <= 200, "legal_basis", "is required (for example PECA 2016 s.37), at most 200 characters")
	v.Check(len(t.Notes) <= 5000, "notes", "must be at most 5,000 characters")
	v.Check(len(t.Complaints) <= 1000, "complaints", "must list at most 1,000 complaints")
	v.Check(len(t.Networks) <= 100, "networks", "must list at most 100 networks")
	if t.TLP == "" {
		t.TLP = TLPAmber
	}
	v.Check(t.TLP.Valid(), "tlp", "must be one of clear, green, amber, amber+strict, red")
	return v.Err()
}

// TakedownFilter selects requests.
type TakedownFilter struct {
	OrgID   int64 // 0: every agency's
	Status  TakedownStatus
	Overdue bool // open and past the deadline at Now
	Now     time.Time
	Limit   int
}

// LendingAppStatus is SECP's verdict on a lending app.
type LendingAppStatus string

const (
	LendingApproved LendingAppStatus = "approved" // run by a licensed NBFC, on SECP's whitelist
	LendingIllegal  LendingAppStatus = "illegal"  // blocked or ordered removed
)

// LendingApp is one entry of SECP's lists.
type LendingApp struct {
	ID        int64            `json:"id"`
	PackageID string           `json:"package_id"`
	Name      string           `json:"name"`
	Lender    string           `json:"lender"` // the licensed company, for approved apps
	Developer string           `json:"developer,omitempty"`
	Status    LendingAppStatus `json:"status"`
	Notes     string           `json:"notes,omitempty"`
	UpdatedAt time.Time        `json:"updated_at"`
	Version   int              `json:"version"`
}

// Validate names every bad field. PackageID is checked by the store
// against the identifier package's rules.
func (a *LendingApp) Validate() error {
	var v Validation
	a.PackageID, a.Name = strings.TrimSpace(a.PackageID), strings.TrimSpace(a.Name)
	a.Lender, a.Developer, a.Notes = strings.TrimSpace(a.Lender), strings.TrimSpace(a.Developer), strings.TrimSpace(a.Notes)
	v.Check(a.Name != "" && len(a.Name) <= 200, "name", "is required, at most 200 characters")
	v.Check(len(a.PackageID) <= 255, "package_id", "must be at most 255 characters")
	v.Check(a.Status == LendingApproved || a.Status == LendingIllegal, "status", "must be approved or illegal")
	v.Check(a.Status != LendingApproved || a.Lender != "", "lender", "is required for an approved app: the licensed company that runs it")
	v.Check(len(a.Lender) <= 200, "lender", "must be at most 200 characters")
	v.Check(len(a.Developer) <= 200, "developer", "must be at most 200 characters")
	v.Check(len(a.Notes) <= 2000, "notes", "must be at most 2,000 characters")
	return v.Err()
}

// LendingAnswer answers "is this loan app approved?".
type LendingAnswer struct {
	Query   string         `json:"query"`
	Verdict string         `json:"verdict"` // approved, illegal or unknown
	Message string         `json:"message"`
	Matches []LendingMatch `json:"matches"`
}

// LendingMatch is one list entry the query matched, and how.
type LendingMatch struct {
	App *LendingApp `json:"app"`
	How string      `json:"how"` // "package id", "name", "similar name"
}

// WatchedWallet is an entry of the crypto wallet watchlist.
type WatchedWallet struct {
	ID         int64     `json:"id"`
	Chain      string    `json:"chain"`   // detected from the address: BTC, ETH, TRON, …
	Address    string    `json:"address"` // canonical
	Key        string    `json:"key"`     // match key
	Reason     string    `json:"reason"`
	Complaints []int64   `json:"complaints"`
	Networks   []int64   `json:"networks"`
	Seizures   []int64   `json:"seizures"`
	TLP        TLP       `json:"tlp"`
	Active     bool      `json:"active"`
	AddedBy    int64     `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
	Version    int       `json:"version"`
}

// Validate names every bad field except the address, which the store
// parses.
func (w *WatchedWallet) Validate() error {
	var v Validation
	w.Address, w.Reason = strings.TrimSpace(w.Address), strings.TrimSpace(w.Reason)
	v.Check(w.Address != "", "address", "is required")
	v.Check(w.Reason != "" && len(w.Reason) <= 1000, "reason", "is required, at most 1,000 characters")
	v.Check(len(w.Complaints) <= 1000, "complaints", "must list at most 1,000 complaints")
	v.Check(len(w.Networks) <= 100, "networks", "must list at most 100 networks")
	v.Check(len(w.Seizures) <= 100, "seizures", "must list at most 100 seizures")
	if w.TLP == "" {
		w.TLP = TLPAmber
	}
	v.Check(w.TLP.Valid(), "tlp", "must be one of clear, green, amber, amber+strict, red")
	return v.Err()
}

// AlertKind says what raised an alert.
type AlertKind string

const (
	AlertReappearance AlertKind = "reappearance" // something like a removed target came back
	AlertWallet       AlertKind = "wallet"       // a watched wallet appeared in a new complaint
)

// AlertStatus is what was done about an alert.
type AlertStatus string

const (
	AlertOpen      AlertStatus = "open"
	AlertConfirmed AlertStatus = "confirmed" // it is the same operation
	AlertDismissed AlertStatus = "dismissed" // a look-alike, not the same
)

// Alert is raised for investigators and analysts.
type Alert struct {
	ID         int64     `json:"id"`
	Kind       AlertKind `json:"kind"`
	TakedownID int64     `json:"takedown_id,omitempty"`
	WalletID   int64     `json:"wallet_id,omitempty"`
	// Where it was seen: a complaint, a new takedown request or a lending-app entry.
	ComplaintID   int64       `json:"complaint_id,omitempty"`
	SourceKind    string      `json:"source_kind"`
	SourceID      int64       `json:"source_id"`
	Subject       string      `json:"subject"` // what was seen, in words
	Score         int         `json:"score"`   // 0–100
	Reasons       []string    `json:"reasons"`
	Investigators []int64     `json:"investigators"` // who it is for: those on the linked cases
	Status        AlertStatus `json:"status"`
	Note          string      `json:"note,omitempty"`
	CreatedAt     time.Time   `json:"created_at"`
	ResolvedAt    time.Time   `json:"resolved_at,omitzero"`
	ResolvedBy    int64       `json:"resolved_by,omitempty"`
}

// AlertFilter selects alerts.
type AlertFilter struct {
	Status  AlertStatus // "" any
	ForUser int64       // only alerts for this investigator
	Limit   int
}

// Feed is a partner feed: what each kind of partner blocks.
type Feed string

const (
	FeedTelco    Feed = "telco"    // numbers to block
	FeedBank     Feed = "bank"     // IBANs, accounts and wallet numbers
	FeedExchange Feed = "exchange" // crypto addresses
	FeedPTA      Feed = "pta"      // URLs and domains to block
)

// Feeds lists them.
var Feeds = []Feed{FeedTelco, FeedBank, FeedExchange, FeedPTA}

// FeedOf says which feed carries an identifier type ("" for none).
func FeedOf(identifierType string) Feed {
	switch identifierType {
	case "phone":
		return FeedTelco
	case "iban", "bank_account", "wallet":
		return FeedBank
	case "crypto":
		return FeedExchange
	case "url", "domain", "ip":
		return FeedPTA
	}
	return ""
}

// Indicator is a shared record: one identifier to block or watch, with its
// marking. Indicators come from takedowns, the wallet watchlist, risk
// tiers and partners' STIX bundles.
type Indicator struct {
	Seq       int64     `json:"seq"` // the feed's cursor
	Type      string    `json:"type"`
	Value     string    `json:"value"`
	Key       string    `json:"key"`
	Chain     string    `json:"chain,omitempty"`
	Feed      Feed      `json:"feed,omitempty"`
	TLP       TLP       `json:"tlp"`
	Source    string    `json:"source"` // "takedown TD-2026-000001", "watchlist", "risk tier very high", "STIX from PTA"
	SourceOrg int64     `json:"source_org"`
	Reason    string    `json:"reason"`
	Active    bool      `json:"active"` // false: withdrawn, stop blocking
	UpdatedAt time.Time `json:"updated_at"`
}

// FeedCursor is where a partner is in the shared feed: the last indicator
// and the last tier change it saw. It travels as "I.T".
type FeedCursor struct{ Indicator, Tier int64 }

// String writes the cursor.
func (c FeedCursor) String() string { return fmt.Sprintf("%d.%d", c.Indicator, c.Tier) }

// ParseFeedCursor reads a cursor; "" is the start.
func ParseFeedCursor(s string) (FeedCursor, error) {
	var c FeedCursor
	if s == "" {
		return c, nil
	}
	a, b, ok := strings.Cut(s, ".")
	i, err1 := strconv.ParseInt(a, 10, 64)
	t, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || i < 0 || t < 0 {
		return c, Invalid("since", "must be a cursor from an earlier answer, like 120.4031")
	}
	return FeedCursor{i, t}, nil
}

// ParseSince reads where an export starts: a feed cursor, a date (in
// Pakistan) or an RFC 3339 time after which changes are wanted.
func ParseSince(s string) (FeedCursor, time.Time, error) {
	if s == "" {
		return FeedCursor{}, time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return FeedCursor{}, t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, Karachi); err == nil {
		return FeedCursor{}, t, nil
	}
	c, err := ParseFeedCursor(s)
	return c, time.Time{}, err
}

// TakedownService is takedowns, the lending-app lists, the watchlist,
// alerts and the shared indicators.
type TakedownService interface {
	Platforms() *PlatformTable
	CreateTakedown(ctx context.Context, t *Takedown) error
	FindTakedown(ctx context.Context, id int64) (*Takedown, error)
	ListTakedowns(ctx context.Context, f TakedownFilter) ([]*Takedown, error)
	// MoveTakedown changes a request's status; a removal lowers the
	// target's risk tier, a reappearance restores it.
	MoveTakedown(ctx context.Context, id int64, version int, to TakedownStatus, at time.Time, note string) (*Takedown, error)
	AddTakedownDocument(ctx context.Context, takedownID int64, d *Document, content io.Reader) error
	// OpenTakedownDocument returns one of a request's files and audits the read.
	OpenTakedownDocument(ctx context.Context, takedownID, documentID int64) (*Document, io.ReadCloser, error)

	SaveLendingApp(ctx context.Context, a *LendingApp) error
	// ImportLendingApps adds or updates many entries in one transaction:
	// all or nothing.
	ImportLendingApps(ctx context.Context, apps []*LendingApp) (added, updated int, err error)
	ListLendingApps(ctx context.Context, status LendingAppStatus) ([]*LendingApp, error)

	WatchWallet(ctx context.Context, w *WatchedWallet) error
	UnwatchWallet(ctx context.Context, id int64, version int, reason string) (*WatchedWallet, error)
	ListWatchedWallets(ctx context.Context, activeOnly bool) ([]*WatchedWallet, error)

	// RaiseAlert stores an alert unless the same one was raised before
	// (same kind, takedown or wallet, and source); ok says whether it did.
	RaiseAlert(ctx context.Context, a *Alert) (ok bool, err error)
	ListAlerts(ctx context.Context, f AlertFilter) ([]*Alert, error)
	ResolveAlert(ctx context.Context, id int64, to AlertStatus, note string) (*Alert, error)

	// SharedFeed lists shared records after the cursor, oldest first: the
	// indicators, and the changes of risk tiers (high and very high are
	// active; a lower tier withdraws). feed "" is every feed.
	SharedFeed(ctx context.Context, since FeedCursor, feed Feed, limit int) ([]*Indicator, FeedCursor, error)
	// ImportIndicators stores a partner's bundle: all or nothing.
	ImportIndicators(ctx context.Context, source string, ins []*Indicator) (int, error)
}

// LendingCSVHeader is the header of SECP's list files.
var LendingCSVHeader = []string{"package_id", "name", "lender", "developer", "status", "notes"}

// ParseLendingCSV reads SECP's list file: a header naming the columns
// (package_id and notes may be left out), then one app per row. Every bad
// row is named ("rows[3].status"); nothing is returned unless all are good.
func ParseLendingCSV(r io.Reader) ([]*LendingApp, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, Invalid("file", "is empty or not CSV: the first line must name the columns "+strings.Join(LendingCSVHeader, ", "))
	}
	col := map[string]int{}
	var v Validation
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(LendingCSVHeader, h) {
			v.Add("file", fmt.Sprintf("column %d is %q, which is not one of %s", i+1, h, strings.Join(LendingCSVHeader, ", ")))
			continue
		}
		if _, dup := col[h]; dup {
			v.Add("file", fmt.Sprintf("column %q appears twice", h))
		}
		col[h] = i
	}
	for _, need := range []string{"name", "status"} {
		if _, ok := col[need]; !ok {
			v.Add("file", "has no "+need+" column")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	var out []*LendingApp
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, Invalid(fmt.Sprintf("rows[%d]", n), "is not valid CSV")
		}
		if n > 100_000 {
			return nil, Invalid("file", "has more than 100,000 rows")
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		out = append(out, &LendingApp{PackageID: get(rec, "package_id"), Name: get(rec, "name"), Lender: get(rec, "lender"),
			Developer: get(rec, "developer"), Status: LendingAppStatus(strings.ToLower(strings.TrimSpace(get(rec, "status")))), Notes: get(rec, "notes")})
	}
	if len(out) == 0 {
		return nil, Invalid("file", "has no apps after the header")
	}
	return out, nil
}
