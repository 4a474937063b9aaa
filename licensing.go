package greyline

import (
	"io"
	"slices"
	"time"
)

// BusinessKind is what a licensee does.
type BusinessKind string

const (
	CallCentre    BusinessKind = "call_centre"
	SoftwareHouse BusinessKind = "software_house"
)

// BusinessKinds lists every kind.
var BusinessKinds = []BusinessKind{CallCentre, SoftwareHouse}

// Valid reports whether k is known.
func (k BusinessKind) Valid() bool { return slices.Contains(BusinessKinds, k) }

// Label is the plain-English name.
func (k BusinessKind) Label() string {
	switch k {
	case CallCentre:
		return "Call centre"
	case SoftwareHouse:
		return "Software house"
	}
	return string(k)
}

// Code is the licence-number prefix: CC or SH.
func (k BusinessKind) Code() string {
	if k == SoftwareHouse {
		return "SH"
	}
	return "CC"
}

// LegalForm is how a business is constituted; it decides which documents are required.
type LegalForm string

const (
	SoleProprietor LegalForm = "sole_proprietor"
	Partnership    LegalForm = "partnership"
	Company        LegalForm = "company"
)

// LegalForms lists every legal form.
var LegalForms = []LegalForm{SoleProprietor, Partnership, Company}

// Valid reports whether f is known.
func (f LegalForm) Valid() bool { return slices.Contains(LegalForms, f) }

// Label is the plain-English name.
func (f LegalForm) Label() string {
	switch f {
	case SoleProprietor:
		return "Sole proprietor"
	case Partnership:
		return "Partnership"
	case Company:
		return "Company"
	}
	return string(f)
}

// Province is a province or territory of Pakistan.
type Province string

// Provinces lists the provinces and territories.
var Provinces = []Province{"Punjab", "Sindh", "Khyber Pakhtunkhwa", "Balochistan", "Islamabad Capital Territory", "Gilgit-Baltistan", "Azad Jammu and Kashmir"}

// Valid reports whether p is known.
func (p Province) Valid() bool { return slices.Contains(Provinces, p) }

// PersonRole is a person's relation to a business.
type PersonRole string

const (
	Director     PersonRole = "director"
	Shareholder  PersonRole = "shareholder"
	Partner      PersonRole = "partner"
	Proprietor   PersonRole = "proprietor"
	KeyPersonnel PersonRole = "key_personnel"
)

// PersonRoles lists every person role.
var PersonRoles = []PersonRole{Director, Shareholder, Partner, Proprietor, KeyPersonnel}

// Valid reports whether r is known.
func (r PersonRole) Valid() bool { return slices.Contains(PersonRoles, r) }

// Business is a licensee: a call centre or software house. It belongs to an
// organisation, whose applicant users alone may edit it.
type Business struct {
	ID                int64        `json:"id"`
	OrgID             int64        `json:"org_id"`
	LegalName         string       `json:"legal_name"`
	TradeName         string       `json:"trade_name"`
	Kind              BusinessKind `json:"kind"`
	LegalForm         LegalForm    `json:"legal_form"`
	SECPNumber        string       `json:"secp_number,omitempty"` // companies only
	NTN               string       `json:"ntn"`
	PSEBNumber        string       `json:"pseb_number,omitempty"`
	RegisteredAddress string       `json:"registered_address"`
	// InboundPercent is the share of inbound traffic; outbound is the rest.
	InboundPercent  int       `json:"inbound_percent"`
	ClientCountries []string  `json:"client_countries"` // ISO 3166-1 alpha-2
	Version         int       `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Person is a director, shareholder, partner, proprietor or key person of a
// business. CNIC and passport are personal data: stored encrypted, shown
// masked unless the role needs them, and every full view is audited.
type Person struct {
	ID          int64      `json:"id"`
	BusinessID  int64      `json:"business_id"`
	Name        string     `json:"name"`
	Role        PersonRole `json:"role"`
	CNIC        string     `json:"cnic,omitempty"`        // 12345-1234567-1
	Passport    string     `json:"passport,omitempty"`    // with Nationality
	Nationality string     `json:"nationality,omitempty"` // ISO 3166-1 alpha-2
}

// Foreign reports whether the person is identified by a passport.
func (p *Person) Foreign() bool { return p.CNIC == "" && p.Passport != "" }

// NumberRange is an inclusive range of E.164 numbers of equal length.
type NumberRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Resources are what a site declares: licences are checked against them.
type Resources struct {
	Numbers      []string      `json:"numbers"`       // E.164
	Ranges       []NumberRange `json:"ranges"`        // E.164, inclusive
	SIPProviders []string      `json:"sip_providers"` // free text
	IPRanges     []string      `json:"ip_ranges"`     // CIDR
	Domains      []string      `json:"domains"`       // lower-case ASCII
	Apps         []string      `json:"apps"`          // Android package ids
}

// Site is one location of a business; each gets its own licence.
type Site struct {
	ID           int64     `json:"id"`
	BusinessID   int64     `json:"business_id"`
	Address      string    `json:"address"`
	City         string    `json:"city"`
	Province     Province  `json:"province"`
	Seats        int       `json:"seats"`
	Staff        int       `json:"staff"`
	ForeignStaff int       `json:"foreign_staff"`
	MainOffice   bool      `json:"main_office"`
	Resources    Resources `json:"resources"`
}

// ApplicationKind is what an application asks for.
type ApplicationKind string

const (
	NewLicence ApplicationKind = "new"
	Renewal    ApplicationKind = "renewal"
	Amendment  ApplicationKind = "amendment" // adding a site, changing numbers or people
)

// ApplicationKinds lists every kind.
var ApplicationKinds = []ApplicationKind{NewLicence, Renewal, Amendment}

// Valid reports whether k is known.
func (k ApplicationKind) Valid() bool { return slices.Contains(ApplicationKinds, k) }

// Label is the plain-English name.
func (k ApplicationKind) Label() string {
	switch k {
	case NewLicence:
		return "New licence"
	case Renewal:
		return "Renewal"
	case Amendment:
		return "Amendment"
	}
	return string(k)
}

// ApplicationStatus is where an application stands.
type ApplicationStatus string

const (
	AppDraft     ApplicationStatus = "draft"
	AppSubmitted ApplicationStatus = "submitted" // under joint clearance
	AppGranted   ApplicationStatus = "granted"
	AppRefused   ApplicationStatus = "refused"
	AppWithdrawn ApplicationStatus = "withdrawn"
)

// Application is a request for a new licence, a renewal or an amendment,
// built as a draft over several sittings and then submitted once.
type Application struct {
	ID          int64             `json:"id"`
	Reference   string            `json:"reference"` // APP-2026-000123
	BusinessID  int64             `json:"business_id"`
	OrgID       int64             `json:"org_id"` // the business's organisation
	Kind        ApplicationKind   `json:"kind"`
	Status      ApplicationStatus `json:"status"`
	LicenceIDs  []int64           `json:"licence_ids,omitempty"` // renewal and amendment: the licences concerned
	FeePaisa    int64             `json:"fee_paisa"`
	PaymentRef  string            `json:"payment_ref"`
	SubmittedAt *time.Time        `json:"submitted_at,omitempty"`
	DecidedAt   *time.Time        `json:"decided_at,omitempty"`
	Version     int               `json:"version"`
	CreatedBy   int64             `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// DocumentKind names what a document is evidence of.
type DocumentKind string

const (
	DocNTN             DocumentKind = "ntn_certificate"
	DocCNIC            DocumentKind = "cnic_copy"
	DocBankStatement   DocumentKind = "bank_statement" // or bank letter
	DocPassport        DocumentKind = "passport"
	DocIncorporation   DocumentKind = "incorporation_certificate"
	DocMoAAoA          DocumentKind = "moa_aoa"
	DocForm29          DocumentKind = "form_29"
	DocPartnershipDeed DocumentKind = "partnership_deed"
	DocInspectionPhoto DocumentKind = "inspection_photo"
	DocEvidence        DocumentKind = "evidence" // a complaint's attachment
	DocOther           DocumentKind = "other"
)

// DocumentKinds lists every document kind with its plain-English label.
var DocumentKinds = []struct {
	Kind  DocumentKind
	Label string
}{
	{DocNTN, "NTN certificate"},
	{DocCNIC, "CNIC copy"},
	{DocBankStatement, "Bank statement or bank letter"},
	{DocPassport, "Passport copy"},
	{DocIncorporation, "Certificate of incorporation"},
	{DocMoAAoA, "Memorandum and articles of association"},
	{DocForm29, "Form 29 (particulars of directors)"},
	{DocPartnershipDeed, "Partnership deed"},
	{DocInspectionPhoto, "Inspection photo"},
	{DocEvidence, "Evidence (screenshot, receipt, chat)"},
	{DocOther, "Other"},
}

// Valid reports whether k is known.
func (k DocumentKind) Valid() bool {
	for _, d := range DocumentKinds {
		if d.Kind == k {
			return true
		}
	}
	return false
}

// Label is the plain-English name.
func (k DocumentKind) Label() string {
	for _, d := range DocumentKinds {
		if d.Kind == k {
			return d.Label
		}
	}
	return string(k)
}

// Document is an uploaded file, stored content-addressed by SHA-256.
type Document struct {
	ID            int64        `json:"id"`
	ApplicationID int64        `json:"application_id,omitempty"`
	InspectionID  int64        `json:"inspection_id,omitempty"`
	ComplaintID   int64        `json:"complaint_id,omitempty"`
	PersonID      int64        `json:"person_id,omitempty"` // whose CNIC or passport
	TakedownID    int64        `json:"takedown_id,omitempty"`
	Kind          DocumentKind `json:"kind"`
	Filename      string       `json:"filename"`
	ContentType   string       `json:"content_type"` // detected from the bytes
	Size          int64        `json:"size"`
	SHA256        string       `json:"sha256"`
	UploadedBy    int64        `json:"uploaded_by"`
	UploadedAt    time.Time    `json:"uploaded_at"`
	// RemovedAt is when the retention policy removed the file (and its
	// name); the record stays.
	RemovedAt *time.Time `json:"removed_at,omitempty"`
}

// TaskStatus is where one agency's clearance of an application stands.
type TaskStatus string

const (
	TaskPending   TaskStatus = "pending"
	TaskObjection TaskStatus = "objection" // waiting for the applicant's answer
	TaskAnswered  TaskStatus = "answered"  // the applicant answered; back with the agency
	TaskCleared   TaskStatus = "cleared"
	TaskRefused   TaskStatus = "refused"
	// TaskClosed: another agency refused the application first, so this
	// agency's review ended without a decision of its own.
	TaskClosed TaskStatus = "closed"
)

// Open reports whether the task still awaits the agency.
func (s TaskStatus) Open() bool { return s == TaskPending || s == TaskAnswered }

// ClearanceTask is one agency's independent review of an application.
type ClearanceTask struct {
	ID            int64      `json:"id"`
	ApplicationID int64      `json:"application_id"`
	OrgID         int64      `json:"org_id"`
	OrgCode       string     `json:"org_code"`
	Status        TaskStatus `json:"status"`
	Deadline      time.Time  `json:"deadline"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	DecidedBy     int64      `json:"decided_by,omitempty"`
	// Reason is shown to the applicant (objection or refusal).
	Reason    string    `json:"reason,omitempty"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// Overdue reports whether the task is open past its deadline at now.
func (t *ClearanceTask) Overdue(now time.Time) bool {
	return (t.Status.Open() || t.Status == TaskObjection) && now.After(t.Deadline)
}

// Decision is a reviewer's verdict on a task.
type Decision string

const (
	DecideClear  Decision = "clear"
	DecideObject Decision = "object"
	DecideRefuse Decision = "refuse"
)

// LicenceStatus is a licence's state.
type LicenceStatus string

const (
	LicenceProvisional LicenceStatus = "provisional"
	LicenceActive      LicenceStatus = "active"
	LicenceSuspended   LicenceStatus = "suspended"
	LicenceRevoked     LicenceStatus = "revoked"
	LicenceExpired     LicenceStatus = "expired"
	LicenceSurrendered LicenceStatus = "surrendered"
)

// Holds reports whether a licence in this state still holds its declared
// numbers, so that no other licensee may declare them.
func (s LicenceStatus) Holds() bool {
	return s == LicenceProvisional || s == LicenceActive || s == LicenceSuspended
}

// Licence is the permission for one site of a business.
type Licence struct {
	ID            int64         `json:"id"`
	Number        string        `json:"number"` // CC-ISB-2026-000042
	BusinessID    int64         `json:"business_id"`
	OrgID         int64         `json:"org_id"` // the business's organisation
	SiteID        int64         `json:"site_id"`
	ApplicationID int64         `json:"application_id"`
	Kind          BusinessKind  `json:"kind"`
	TradeName     string        `json:"trade_name"`
	City          string        `json:"city"`
	Status        LicenceStatus `json:"status"`
	IssuedAt      time.Time     `json:"issued_at"`
	ValidFrom     time.Time     `json:"valid_from"`
	ValidUntil    time.Time     `json:"valid_until"`
	Version       int           `json:"version"`
}

// LicenceEvent records a change of a licence's state.
type LicenceEvent struct {
	ID        int64         `json:"id"`
	LicenceID int64         `json:"licence_id"`
	From      LicenceStatus `json:"from"`
	To        LicenceStatus `json:"to"`
	At        time.Time     `json:"at"`
	UserID    int64         `json:"user_id"`
	Reason    string        `json:"reason"`
	OrderNo   string        `json:"order_no"`
}

// Inspection is a physical visit to a site under a provisional licence.
type Inspection struct {
	ID          int64     `json:"id"`
	LicenceID   int64     `json:"licence_id"`
	SiteID      int64     `json:"site_id"`
	InspectorID int64     `json:"inspector_id"`
	Date        time.Time `json:"date"`
	Findings    string    `json:"findings"`
	Passed      bool      `json:"passed"`
	CreatedAt   time.Time `json:"created_at"`
}

// Upload is a file to be stored with a record.
type Upload struct {
	Filename string
	Content  io.Reader
}
