package greyline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PECASection is a section of the Prevention of Electronic Crimes Act 2016.
type PECASection int

// PECASections names the sections complaints are filed under.
var PECASections = map[PECASection]string{
	3:  "Unauthorised access to an information system or data",
	13: "Electronic forgery",
	14: "Electronic fraud",
	16: "Unauthorised use of identity information",
	20: "Offences against the dignity of a person",
	21: "Offences against the modesty of a person",
	24: "Cyberstalking",
}

// Category is a kind of complaint, from a maintained taxonomy.
type Category struct {
	Code  string
	Label string
	// Sections are the PECA 2016 sections a complaint of this kind is
	// registered under by default.
	Sections []PECASection
	// CyberFraud says whether it counts as cyber-enabled fraud in statistics.
	CyberFraud bool
}

// Categories is the taxonomy, in display order.
var Categories = []Category{
	{"whatsapp_hijack", "WhatsApp account hijack", []PECASection{3, 14, 16}, true},
	{"impersonation_family", "Impersonation of a family member", []PECASection{14, 16}, true},
	{"impersonation_official", "Impersonation of an official (police, FIA/NCCIA, army, bank, BISP)", []PECASection{14, 16}, true},
	{"investment_scheme", "Fake investment or trading scheme", []PECASection{14}, true},
	{"crypto_investment", "Crypto investment fraud", []PECASection{14}, true},
	{"online_shopping", "Online shopping fraud", []PECASection{14}, true},
	{"loan_app", "Illegal loan app harassment or extortion", []PECASection{14, 16, 24}, true},
	{"phishing_otp", "Phishing or OTP theft", []PECASection{3, 14, 16}, true},
	{"prize_lottery", "Prize or lottery", []PECASection{14}, true},
	{"job_task", "Job or task scam", []PECASection{14}, true},
	{"romance", "Romance scam", []PECASection{14, 16}, true},
	{"sextortion", "Sextortion", []PECASection{21, 24}, false},
	{"sim_identity", "SIM or identity fraud", []PECASection{13, 16}, true},
	{"harassment", "Harassment or defamation", []PECASection{20, 24}, false},
	{"other", "Other", nil, false},
}

// CategoryByCode finds a category.
func CategoryByCode(code string) (Category, bool) {
	for _, c := range Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// Channel is how a complaint reached greyline.
type Channel string

const (
	ChannelWeb      Channel = "web"      // the public form
	ChannelHelpline Channel = "helpline" // 1799 operator
	ChannelWalkIn   Channel = "walk_in"
	ChannelBank     Channel = "bank"
	ChannelTelco    Channel = "telco"
	ChannelPartner  Channel = "partner_api"
	ChannelImport   Channel = "bulk_import"
)

// Channels lists every channel.
var Channels = []Channel{ChannelWeb, ChannelHelpline, ChannelWalkIn, ChannelBank, ChannelTelco, ChannelPartner, ChannelImport}

// ContactMethod is how the fraudster reached the victim.
type ContactMethod string

// ContactMethods lists them.
var ContactMethods = []ContactMethod{"call", "sms", "whatsapp", "social_media", "website", "app", "email"}

// PaymentMethod is how the victim paid.
type PaymentMethod string

// PaymentMethods lists them.
var PaymentMethods = []PaymentMethod{"bank_transfer", "mobile_wallet", "card", "crypto", "cash", "other", "none"}

// AgeBands are the age bands asked of complainants.
var AgeBands = []string{"under_18", "18_25", "26_35", "36_50", "51_65", "over_65"}

// Genders asked of complainants.
var Genders = []string{"female", "male", "transgender", "not_stated"}

// ComplaintStatus is where a complaint stands in the workflow.
type ComplaintStatus string

const (
	ComplaintReceived       ComplaintStatus = "received"
	ComplaintTriaged        ComplaintStatus = "triaged"
	ComplaintAssigned       ComplaintStatus = "assigned"
	ComplaintEnquiry        ComplaintStatus = "enquiry"
	ComplaintCaseRegistered ComplaintStatus = "case_registered" // FIR
	ComplaintClosed         ComplaintStatus = "closed"
)

// Closure reasons.
var ClosureReasons = []string{"resolved", "no_offence", "withdrawn", "duplicate"}

// complaintFlow lists the allowed status changes.
var complaintFlow = map[ComplaintStatus][]ComplaintStatus{
	ComplaintReceived: {ComplaintTriaged, ComplaintClosed},
	ComplaintTriaged:  {ComplaintAssigned, ComplaintClosed},
	ComplaintAssigned: {ComplaintEnquiry, ComplaintAssigned, ComplaintClosed},
	ComplaintEnquiry:  {ComplaintCaseRegistered, ComplaintClosed},
}

// CanBecome reports whether a complaint may move from s to to.
func (s ComplaintStatus) CanBecome(to ComplaintStatus) bool {
	return slices.Contains(complaintFlow[s], to)
}

// Complainant is the person complaining. Every field is personal data:
// sealed at rest, masked in lists, and each full view is audited.
type Complainant struct {
	Name     string `json:"name"`
	CNIC     string `json:"cnic,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	City     string `json:"city"`
	Province string `json:"province,omitempty"`
	Gender   string `json:"gender,omitempty"`
	AgeBand  string `json:"age_band,omitempty"`
}

// ComplaintReference formats a readable reference, unique per year.
func ComplaintReference(year int, seq int64) string {
	return fmt.Sprintf("CMP-%d-%06d", year, seq)
}

// NewComplaint is the input for a complaint from any channel.
type NewComplaint struct {
	Channel       Channel       `json:"channel"`
	ExternalRef   string        `json:"external_ref,omitempty"` // the partner's own reference
	Complainant   Complainant   `json:"complainant"`
	Category      string        `json:"category"`
	ContactMethod ContactMethod `json:"contact_method"`
	IncidentAt    time.Time     `json:"incident_at"`
	LossPaisa     int64         `json:"loss_paisa"`
	Currency      string        `json:"currency,omitempty"` // ISO 4217, PKR by default
	PaymentMethod PaymentMethod `json:"payment_method"`
	Narrative     string        `json:"narrative"`
	// Identifiers given in fields; more are extracted from the narrative.
	Identifiers []string `json:"identifiers,omitempty"`
	// Attachments are evidence sent with the complaint (screenshots,
	// receipts), under the same rules as licence documents.
	Attachments []Attachment `json:"-"`
}

// Attachment is a file sent with a complaint; its type is recognised from
// its content when it is stored.
type Attachment struct {
	Filename string
	Content  io.Reader
}

// MaxAttachments is how many files one complaint may carry.
const MaxAttachments = 10

// IdentifierStatus is an analyst's view of a complaint's identifier.
type IdentifierStatus string

const (
	IdentifierConfirmed IdentifierStatus = "confirmed" // entered in a field, or confirmed by an analyst
	IdentifierPending   IdentifierStatus = "pending"   // extracted from the narrative, not yet reviewed
	IdentifierRemoved   IdentifierStatus = "removed"   // an analyst found it was not the fraudster's
)

// ComplaintEvent is one step of a complaint's history, as staff see it.
type ComplaintEvent struct {
	At            time.Time       `json:"at"`
	UserID        int64           `json:"user_id,omitempty"`
	UserName      string          `json:"user_name,omitempty"`
	From          ComplaintStatus `json:"from,omitempty"`
	To            ComplaintStatus `json:"to"`
	Note          string          `json:"note,omitempty"`
	PublicMessage string          `json:"public_message,omitempty"`
}

// MaxNarrative bounds a narrative, in characters.
const MaxNarrative = 20000

// Validate checks and normalises a complaint at receivedAt.
func (n *NewComplaint) Validate(receivedAt time.Time) error {
	var v Validation
	v.Check(slices.Contains(Channels, n.Channel), "channel", "is not a known channel")
	c := &n.Complainant
	c.Name = text(&v, "complainant.name", c.Name, true, 200)
	c.City = text(&v, "complainant.city", c.City, true, 100)
	c.Email = NormalizeEmail(c.Email)
	if c.Email != "" {
		validateEmail(&v, "complainant.email", c.Email)
	}
	if c.Province != "" {
		v.Check(Province(c.Province).Valid(), "complainant.province", "must be one of "+provinceList())
	}
	if c.Gender != "" {
		v.Check(slices.Contains(Genders, c.Gender), "complainant.gender", "must be one of "+strings.Join(Genders, ", "))
	}
	if c.AgeBand != "" {
		v.Check(slices.Contains(AgeBands, c.AgeBand), "complainant.age_band", "must be one of "+strings.Join(AgeBands, ", "))
	}
	v.Check(c.Phone != "" || c.Email != "" || c.CNIC != "", "complainant.phone", "give a phone number, e-mail or CNIC so that the complainant can be reached")
	_, ok := CategoryByCode(n.Category)
	v.Check(ok, "category", "is not a known category")
	v.Check(slices.Contains(ContactMethods, n.ContactMethod), "contact_method", "must be call, sms, whatsapp, social_media, website, app or email")
	v.Check(slices.Contains(PaymentMethods, n.PaymentMethod), "payment_method", "must be bank_transfer, mobile_wallet, card, crypto, cash, other or none")
	v.Check(n.LossPaisa >= 0, "loss_paisa", "must not be negative")
	if n.Currency == "" {
		n.Currency = "PKR"
	}
	n.Currency = strings.ToUpper(n.Currency)
	v.Check(len(n.Currency) == 3, "currency", "must be a three-letter ISO 4217 code")
	if n.IncidentAt.IsZero() {
		v.Add("incident_at", "is required")
	} else if n.IncidentAt.After(receivedAt.Add(time.Hour)) {
		v.Add("incident_at", "must not be in the future")
	}
	n.Narrative = strings.TrimSpace(n.Narrative)
	v.Check(n.Narrative != "", "narrative", "is required: describe what happened")
	v.Check(utf8.RuneCountInString(n.Narrative) <= MaxNarrative, "narrative", fmt.Sprintf("must be at most %d characters", MaxNarrative))
	v.Check(len(n.ExternalRef) <= 100, "external_ref", "must be at most 100 characters")
	v.Check(len(n.Identifiers) <= 100, "identifiers", "must list at most 100")
	return v.Err()
}

// Complaint is a stored complaint. Complainant is masked unless it was
// revealed (and the view audited).
type Complaint struct {
	ID            int64                 `json:"id"`
	Reference     string                `json:"reference"`
	Channel       Channel               `json:"channel"`
	SourceOrgID   int64                 `json:"source_org_id,omitempty"`
	ExternalRef   string                `json:"external_ref,omitempty"`
	Complainant   Complainant           `json:"complainant"`
	Category      string                `json:"category"`
	ContactMethod ContactMethod         `json:"contact_method"`
	IncidentAt    time.Time             `json:"incident_at"`
	ReceivedAt    time.Time             `json:"received_at"`
	LossPaisa     int64                 `json:"loss_paisa"`
	Currency      string                `json:"currency"`
	PaymentMethod PaymentMethod         `json:"payment_method"`
	Narrative     string                `json:"narrative"`
	Status        ComplaintStatus       `json:"status"`
	Priority      string                `json:"priority,omitempty"`
	Circle        string                `json:"circle,omitempty"`
	AssignedTo    int64                 `json:"assigned_to,omitempty"`
	ClosureReason string                `json:"closure_reason,omitempty"`
	Version       int                   `json:"version"`
	Identifiers   []ComplaintIdentifier `json:"identifiers"`
	Documents     []*Document           `json:"documents"`
}

// ComplaintIdentifier is an identifier the fraudsters used, as linked to a complaint.
type ComplaintIdentifier struct {
	ID     int64            `json:"id"` // the identifier's, shared by every complaint naming it
	Type   string           `json:"type"`
	Value  string           `json:"value"`
	Key    string           `json:"key"`
	Source string           `json:"source"` // field or extracted
	Raw    string           `json:"raw"`
	Start  int              `json:"start"` // byte offsets in the narrative, extracted only; -1 otherwise
	End    int              `json:"end"`
	Status IdentifierStatus `json:"status"`
}

// Masked returns the complainant with every field but city and province
// hidden, for lists and for roles that do not need the details.
func (c Complainant) Masked() Complainant {
	m := Complainant{City: c.City, Province: c.Province, Gender: c.Gender, AgeBand: c.AgeBand}
	if r := []rune(c.Name); len(r) > 0 {
		m.Name = string(r[0]) + "***"
	}
	m.CNIC = MaskCNIC(c.CNIC)
	if len(c.Phone) > 3 {
		m.Phone = strings.Repeat("*", len(c.Phone)-3) + c.Phone[len(c.Phone)-3:]
	}
	if at := strings.IndexByte(c.Email, '@'); at > 0 {
		m.Email = c.Email[:1] + "***" + c.Email[at:]
	}
	return m
}

// ComplaintTracking is what a complainant sees with the reference and
// tracking code: the status and the messages meant for them, nothing else.
type ComplaintTracking struct {
	Reference  string            `json:"reference"`
	Status     ComplaintStatus   `json:"status"`
	ReceivedAt time.Time         `json:"received_at"`
	Messages   []TrackingMessage `json:"messages"`
}

// TrackingMessage is one message to the complainant.
type TrackingMessage struct {
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

// CircleTable routes complaints to NCCIA's circles by the complainant's
// city. NCCIA redraws its circles, so the table comes from configuration
// (greyline serve --circles FILE); DefaultCircles is today's.
type CircleTable struct {
	names  []string          // sorted
	byCity map[string]string // lower-case city → circle
	def    string
}

// CirclesConfig is the JSON form of a CircleTable.
type CirclesConfig struct {
	// Default takes complaints from cities no circle lists.
	Default string              `json:"default"`
	Circles map[string][]string `json:"circles"` // circle → its cities
}

// NewCircleTable checks a configuration: every circle named, no city in
// two circles, and the default one of the circles.
func NewCircleTable(cfg CirclesConfig) (*CircleTable, error) {
	var v Validation
	t := &CircleTable{byCity: map[string]string{}, def: strings.TrimSpace(cfg.Default)}
	if len(cfg.Circles) == 0 {
		v.Add("circles", "name at least one circle")
	}
	for name, cities := range cfg.Circles {
		name = strings.TrimSpace(name)
		if name == "" || len(name) > 60 {
			v.Add("circles", "a circle's name must be 1 to 60 characters")
			continue
		}
		t.names = append(t.names, name)
		for _, city := range cities {
			c := strings.ToLower(strings.TrimSpace(city))
			switch other, dup := t.byCity[c]; {
			case c == "":
				v.Add("circles."+name, "a city's name is empty")
			case dup && other != name:
				v.Add("circles."+name, fmt.Sprintf("%q is also in the %s circle", city, other))
			}
			t.byCity[c] = name
		}
	}
	slices.Sort(t.names)
	if !slices.Contains(t.names, t.def) {
		v.Add("default", "must be one of the circles")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// ParseCircles reads a CirclesConfig written as JSON.
func ParseCircles(data []byte) (*CircleTable, error) {
	var cfg CirclesConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, Invalid("circles", "is not valid JSON of the form {\"default\": …, \"circles\": {…}}")
	}
	return NewCircleTable(cfg)
}

// DefaultCircles is NCCIA's circles as of 2026.
func DefaultCircles() *CircleTable {
	t, err := NewCircleTable(CirclesConfig{Default: "Islamabad", Circles: map[string][]string{
		"Islamabad":  {"islamabad"},
		"Rawalpindi": {"rawalpindi", "attock", "chakwal", "jhelum"},
		"Lahore":     {"lahore", "kasur", "sheikhupura", "okara"},
		"Gujranwala": {"gujranwala", "sialkot", "gujrat", "narowal", "hafizabad"},
		"Faisalabad": {"faisalabad", "jhang", "sargodha", "toba tek singh"},
		"Multan":     {"multan", "bahawalpur", "dera ghazi khan", "rahim yar khan", "sahiwal"},
		"Karachi":    {"karachi"},
		"Hyderabad":  {"hyderabad", "mirpur khas", "nawabshah", "thatta"},
		"Sukkur":     {"sukkur", "larkana", "khairpur", "jacobabad"},
		"Peshawar":   {"peshawar", "mardan", "abbottabad", "swat", "kohat", "dera ismail khan"},
		"Quetta":     {"quetta", "gwadar", "turbat", "khuzdar"},
		"Gilgit":     {"gilgit", "skardu", "hunza"},
	}})
	if err != nil {
		panic(err) // the table above is fixed
	}
	return t
}

// For routes a city to its circle.
func (t *CircleTable) For(city string) string {
	if c, ok := t.byCity[strings.ToLower(strings.TrimSpace(city))]; ok {
		return c
	}
	return t.def
}

// CityName is a city as statistics count it: words capitalised, spaces
// collapsed, so that "karachi " and "Karachi" are one city.
func CityName(city string) string {
	words := strings.Fields(city)
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + strings.ToLower(w[n:])
	}
	return strings.Join(words, " ")
}

// Names lists the circles, sorted.
func (t *CircleTable) Names() []string { return slices.Clone(t.names) }

// Has reports whether name is a circle.
func (t *CircleTable) Has(name string) bool { return slices.Contains(t.names, name) }

// Priorities of a triaged complaint.
var Priorities = []string{"urgent", "high", "normal", "low"}

// ComplaintChange moves a complaint along its workflow. Only the fields
// the target status needs are read.
type ComplaintChange struct {
	To       ComplaintStatus `json:"to"`
	Version  int             `json:"version"`
	Category string          `json:"category,omitempty"` // triage: confirmed category
	Priority string          `json:"priority,omitempty"` // triage
	Circle   string          `json:"circle,omitempty"`   // triage: empty routes by city
	AssignTo int64           `json:"assign_to,omitempty"`
	Reason   string          `json:"reason,omitempty"` // closure reason
	FIR      string          `json:"fir,omitempty"`    // case registered: FIR number
	Note     string          `json:"note,omitempty"`   // internal
	// Message is shown to the complainant when tracking the complaint.
	Message string `json:"message,omitempty"`
}

// ComplaintFilter selects complaints for a queue.
type ComplaintFilter struct {
	IDs        []int64 // only these complaints; at most 500
	Status     ComplaintStatus
	Circle     string
	AssignedTo int64
	SourceOrg  int64
	Limit      int
	Newest     bool // the most recently filed first (default: oldest received first)
}
