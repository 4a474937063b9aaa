package greyline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/greyline/greyline/identifier"
)

// Enforcement: NCCIA's operations against illegal call centres (Operation
// Grey): raids, the persons found there, arrests, FIRs, seizures, money
// and what the courts decide. Everything here is dated, and nothing may be
// dated in the future.

// Operation is a named campaign of raids.
type Operation struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	StartsOn time.Time `json:"starts_on"`
	EndsOn   time.Time `json:"ends_on,omitzero"` // zero while it runs
	Scope    string    `json:"scope"`
}

// Validate names every bad field.
func (o *Operation) Validate(now time.Time) error {
	var v Validation
	o.Name, o.Scope = strings.TrimSpace(o.Name), strings.TrimSpace(o.Scope)
	v.Check(o.Name != "" && len(o.Name) <= 200, "name", "is required, at most 200 characters")
	v.Check(len(o.Scope) <= 2000, "scope", "must be at most 2,000 characters")
	v.Check(!o.StartsOn.IsZero(), "starts_on", "is required")
	v.Check(!o.StartsOn.After(now), "starts_on", "must not be in the future")
	v.Check(o.EndsOn.IsZero() || !o.EndsOn.Before(o.StartsOn), "ends_on", "must not be before the start")
	return v.Err()
}

// RaidOutcome is what a raid found.
type RaidOutcome string

const (
	RaidCentreFound     RaidOutcome = "centre_found"     // an operating centre, shut
	RaidCentreAbandoned RaidOutcome = "centre_abandoned" // the premises were empty
	RaidNothingFound    RaidOutcome = "nothing_found"
)

// RaidOutcomes lists them.
var RaidOutcomes = []RaidOutcome{RaidCentreFound, RaidCentreAbandoned, RaidNothingFound}

// Raid is one raid on premises.
type Raid struct {
	ID          int64     `json:"id"`
	OperationID int64     `json:"operation_id"`
	At          time.Time `json:"at"`
	City        string    `json:"city"`
	Province    Province  `json:"province"`
	Address     string    `json:"address"`
	BusinessID  int64     `json:"business_id,omitempty"` // the target, if known
	// LicenceID and Licensed say whether the target held a licence in
	// force on the day, as the registry had it; set when the raid is
	// recorded, never by the caller.
	LicenceID int64       `json:"licence_id,omitempty"`
	Licensed  bool        `json:"licensed"`
	Team      string      `json:"team"` // the team or NCCIA circle
	Outcome   RaidOutcome `json:"outcome"`
	// Money, in paisa: the value of the scams uncovered, the amount
	// recovered, and the amount returned to victims.
	ScamPaisa      int64   `json:"scam_value_paisa"`
	RecoveredPaisa int64   `json:"recovered_paisa"`
	ReturnedPaisa  int64   `json:"returned_paisa"`
	Complaints     []int64 `json:"complaints"` // the complaints that led to it
	Notes          string  `json:"notes"`
	Version        int     `json:"version"`
}

// Validate names every bad field.
func (r *Raid) Validate(now time.Time) error {
	var v Validation
	r.City, r.Address, r.Team, r.Notes = CityName(r.City), strings.TrimSpace(r.Address), strings.TrimSpace(r.Team), strings.TrimSpace(r.Notes)
	v.Check(r.OperationID > 0, "operation_id", "name the operation")
	v.Check(!r.At.IsZero(), "at", "is required")
	v.Check(!r.At.After(now), "at", "must not be in the future")
	v.Check(r.City != "" && len(r.City) <= 100, "city", "is required")
	v.Check(r.Province.Valid(), "province", "is not a province or territory")
	v.Check(r.Address != "" && len(r.Address) <= 500, "address", "is required, at most 500 characters")
	v.Check(len(r.Team) <= 200, "team", "must be at most 200 characters")
	v.Check(slices.Contains(RaidOutcomes, r.Outcome), "outcome", "must be centre_found, centre_abandoned or nothing_found")
	checkMoney(&v, "scam_value_paisa", r.ScamPaisa)
	checkMoney(&v, "recovered_paisa", r.RecoveredPaisa)
	checkMoney(&v, "returned_paisa", r.ReturnedPaisa)
	v.Check(r.ReturnedPaisa <= r.RecoveredPaisa, "returned_paisa", "cannot exceed the amount recovered")
	v.Check(len(r.Complaints) <= 10000, "complaints", "at most 10,000")
	v.Check(len(r.Notes) <= 4000, "notes", "must be at most 4,000 characters")
	return v.Err()
}

func checkMoney(v *Validation, field string, p int64) {
	v.Check(p >= 0, field, "must not be negative")
	v.Check(p <= 1e15, field, "is too large")
}

// CentreRole is what a person did at a centre.
type CentreRole string

const (
	CentreOwner     CentreRole = "owner"
	CentreManager   CentreRole = "manager"
	CentreCaller    CentreRole = "caller" // caller or operator
	CentreIT        CentreRole = "it"
	CentreOtherRole CentreRole = "other"
)

// CentreRoles lists them.
var CentreRoles = []CentreRole{CentreOwner, CentreManager, CentreCaller, CentreIT, CentreOtherRole}

// Suspect is a person found at a centre or named in an FIR. The CNIC and
// passport number are personal data: sealed at rest, masked in lists,
// every full view audited.
type Suspect struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	CNIC        string     `json:"cnic,omitempty"`
	Passport    string     `json:"passport,omitempty"`
	Nationality string     `json:"nationality"` // ISO 3166-1 alpha-2; PK for a CNIC holder
	Gender      string     `json:"gender"`
	Role        CentreRole `json:"role"`
}

// Pakistani reports whether the person is counted as a Pakistani national.
func (p *Suspect) Pakistani() bool { return p.Nationality == "PK" }

// Validate names every bad field; a CNIC makes the person Pakistani.
func (p *Suspect) Validate() error {
	var v Validation
	p.Name, p.Passport, p.Nationality = strings.TrimSpace(p.Name), strings.ToUpper(strings.TrimSpace(p.Passport)), strings.ToUpper(strings.TrimSpace(p.Nationality))
	v.Check(p.Name != "" && len(p.Name) <= 200, "name", "is required, at most 200 characters")
	switch {
	case p.CNIC != "":
		if id := identifier.Parse(identifier.CNIC, p.CNIC); id.Valid {
			p.CNIC = id.Value
		} else {
			v.Add("cnic", lowerFirst(id.Reason))
		}
		if p.Nationality == "" {
			p.Nationality = "PK"
		}
		v.Check(p.Nationality == "PK", "nationality", "a CNIC holder is Pakistani")
	case p.Passport != "":
		v.Check(len(p.Passport) >= 5 && len(p.Passport) <= 20 && alnum(p.Passport), "passport", "must be 5 to 20 letters and digits")
		v.Check(ValidCountry(p.Nationality), "nationality", "must be a country code such as CN or NG")
	default:
		v.Check(ValidCountry(p.Nationality), "nationality", "give the CNIC, or the passport number and nationality, or at least the nationality")
	}
	v.Check(slices.Contains(Genders, p.Gender), "gender", "must be female, male, transgender or not_stated")
	v.Check(slices.Contains(CentreRoles, p.Role), "role", "must be owner, manager, caller, it or other")
	return v.Err()
}

// Masked hides the CNIC and passport number.
func (p Suspect) Masked() Suspect {
	p.CNIC, p.Passport = MaskCNIC(p.CNIC), MaskPassport(p.Passport)
	return p
}

// Arrest is a person arrested in a raid.
type Arrest struct {
	ID        int64     `json:"id"`
	SuspectID int64     `json:"suspect_id"`
	RaidID    int64     `json:"raid_id"`
	At        time.Time `json:"at"`
	// OperationID is the operation the arrest is recorded under: the raid
	// must be one of its own.
	OperationID int64 `json:"operation_id"`
}

// CourtStage is where an FIR's case stands.
type CourtStage string

const (
	StageInvestigation CourtStage = "under_investigation"
	StageChallan       CourtStage = "challan_submitted"
	StageTrial         CourtStage = "on_trial"
	StageConvicted     CourtStage = "convicted"
	StageAcquitted     CourtStage = "acquitted"
	// StageStayed: a court stayed the case or ordered a raided centre
	// reopened, which happens and must be tracked, not only counted.
	StageStayed CourtStage = "stayed_or_reopened"
)

// CourtStages lists them.
var CourtStages = []CourtStage{StageInvestigation, StageChallan, StageTrial, StageConvicted, StageAcquitted, StageStayed}

// PECAOffences are the sections of the Prevention of Electronic Crimes Act
// 2016 that define offences (3 to 26, and 26A added in 2025). An FIR may
// cite only these.
var PECAOffences = map[string]string{
	"3": "Unauthorised access to information system or data", "4": "Unauthorised copying or transmission of data",
	"5": "Interference with information system or data", "6": "Unauthorised access to critical infrastructure information system or data",
	"7": "Unauthorised copying or transmission of critical infrastructure data", "8": "Interference with critical infrastructure information system or data",
	"9": "Glorification of an offence", "10": "Cyber terrorism", "11": "Hate speech", "12": "Recruitment, funding and planning of terrorism",
	"13": "Electronic forgery", "14": "Electronic fraud", "15": "Making, obtaining or supplying device for use in offence",
	"16": "Unauthorised use of identity information", "17": "Unauthorised issuance of SIM cards", "18": "Tampering with communication equipment",
	"19": "Unauthorised interception", "20": "Offences against dignity of a natural person", "21": "Offences against modesty of a natural person and minor",
	"22": "Child pornography", "23": "Malicious code", "24": "Cyber stalking", "25": "Spamming", "26": "Spoofing", "26A": "False and fake information",
}

// FIR is a First Information Report registered under PECA 2016 and other laws.
type FIR struct {
	ID           int64      `json:"id"`
	Number       string     `json:"number"` // e.g. "54/2025"
	RegisteredOn time.Time  `json:"registered_on"`
	Station      string     `json:"station"` // NCCIA circle or police station
	City         string     `json:"city"`
	Province     Province   `json:"province"`
	PECASections []string   `json:"peca_sections"`
	OtherLaws    []string   `json:"other_laws"` // e.g. "PPC 420", "Foreigners Act 1946 s.14"
	RaidID       int64      `json:"raid_id,omitempty"`
	Accused      []int64    `json:"accused"`    // suspects named, arrested or not
	Complaints   []int64    `json:"complaints"` // complaints it answers
	Stage        CourtStage `json:"stage"`
	StageChanged time.Time  `json:"stage_changed"`
	Version      int        `json:"version"`
}

// Validate names every bad field.
func (f *FIR) Validate(now time.Time) error {
	var v Validation
	f.Number, f.Station, f.City = strings.TrimSpace(f.Number), strings.TrimSpace(f.Station), CityName(f.City)
	v.Check(f.Number != "" && len(f.Number) <= 50, "number", "is required, at most 50 characters")
	v.Check(!f.RegisteredOn.IsZero(), "registered_on", "is required")
	v.Check(!f.RegisteredOn.After(now), "registered_on", "must not be in the future")
	v.Check(f.Station != "" && len(f.Station) <= 200, "station", "name the NCCIA circle or police station")
	v.Check(f.City != "", "city", "is required")
	v.Check(f.Province.Valid(), "province", "is not a province or territory")
	v.Check(len(f.PECASections)+len(f.OtherLaws) > 0, "peca_sections", "cite at least one section")
	for i, s := range f.PECASections {
		s = strings.ToUpper(strings.TrimSpace(s))
		f.PECASections[i] = s
		if _, ok := PECAOffences[s]; !ok {
			v.Add(fmt.Sprintf("peca_sections[%d]", i), fmt.Sprintf("PECA 2016 has no offence in section %q", s))
		}
	}
	for i, l := range f.OtherLaws {
		f.OtherLaws[i] = strings.TrimSpace(l)
		v.Check(f.OtherLaws[i] != "" && len(f.OtherLaws[i]) <= 100, fmt.Sprintf("other_laws[%d]", i), "must be 1 to 100 characters")
	}
	if f.Stage == "" {
		f.Stage = StageInvestigation
	}
	v.Check(slices.Contains(CourtStages, f.Stage), "stage", "is not a court stage")
	v.Check(len(f.Accused) <= 1000 && len(f.Complaints) <= 10000, "accused", "too many")
	return v.Err()
}

// SeizureKind is what was seized.
type SeizureKind string

const (
	SeizeDevice SeizureKind = "device"
	SeizeSIM    SeizureKind = "sim"
	SeizeCash   SeizureKind = "cash"
	SeizeCrypto SeizureKind = "crypto"
	SeizeOther  SeizureKind = "other"
)

// SeizureKinds lists them.
var SeizureKinds = []SeizureKind{SeizeDevice, SeizeSIM, SeizeCash, SeizeCrypto, SeizeOther}

// Seizure is something seized in a raid. A crypto seizure names the wallet;
// the wallet's risk tier rises.
type Seizure struct {
	ID          int64       `json:"id"`
	RaidID      int64       `json:"raid_id"`
	Kind        SeizureKind `json:"kind"`
	Description string      `json:"description"`
	Quantity    int         `json:"quantity"`
	CashPaisa   int64       `json:"cash_paisa,omitempty"`
	Wallet      string      `json:"wallet,omitempty"`        // a crypto address, as given
	Amount      string      `json:"crypto_amount,omitempty"` // in the coin's units, as a decimal string: not money in paisa
}

// Validate names every bad field.
func (s *Seizure) Validate() error {
	var v Validation
	s.Description, s.Wallet, s.Amount = strings.TrimSpace(s.Description), strings.TrimSpace(s.Wallet), strings.TrimSpace(s.Amount)
	v.Check(slices.Contains(SeizureKinds, s.Kind), "kind", "must be device, sim, cash, crypto or other")
	v.Check(len(s.Description) <= 1000, "description", "must be at most 1,000 characters")
	v.Check(s.Quantity >= 0 && s.Quantity <= 1_000_000, "quantity", "must be 0 to 1,000,000")
	checkMoney(&v, "cash_paisa", s.CashPaisa)
	switch s.Kind {
	case SeizeCrypto:
		v.Check(s.Wallet != "", "wallet", "name the wallet address")
		v.Check(s.Amount == "" || isDecimal(s.Amount), "crypto_amount", "must be a decimal number such as 1520.75")
	case SeizeCash:
		v.Check(s.CashPaisa > 0, "cash_paisa", "give the amount of cash")
	}
	return v.Err()
}

func isDecimal(s string) bool {
	dot := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return len(s) > 0 && len(s) <= 40
}

// RaidRecord is a raid with everything recorded about it.
type RaidRecord struct {
	Raid
	Arrests  []ArrestView `json:"arrests"`
	Seizures []Seizure    `json:"seizures"`
	FIRs     []FIR        `json:"firs"`
}

// ArrestView is an arrest with the person, masked unless revealed.
type ArrestView struct {
	Arrest
	Suspect Suspect `json:"suspect"`
}

// SuspensionReview is one agency's decision, opened by a raid on a
// licensed business, on whether to suspend the licence.
type SuspensionReview struct {
	ID        int64      `json:"id"`
	LicenceID int64      `json:"licence_id"`
	RaidID    int64      `json:"raid_id"`
	RaidAt    time.Time  `json:"raid_at"`
	RaidCity  string     `json:"raid_city"`
	OrgID     int64      `json:"org_id"`
	OrgCode   string     `json:"org_code"`
	Status    string     `json:"status"` // open, suspended or declined
	Note      string     `json:"note,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
}

// EnforcementService records Operation Grey.
type EnforcementService interface {
	CreateOperation(ctx context.Context, o *Operation) error
	ListOperations(ctx context.Context) ([]*Operation, error)
	FindOperation(ctx context.Context, id int64) (*Operation, error)
	// RecordRaid stores a raid, looks up whether its target held a licence
	// on the day, and, if it did, opens a suspension decision for PTA and
	// NCCIA.
	RecordRaid(ctx context.Context, r *Raid) error
	FindRaid(ctx context.Context, id int64) (*RaidRecord, error)
	ListRaids(ctx context.Context, operationID int64) ([]*Raid, error)
	AddSuspect(ctx context.Context, p *Suspect) error
	// RevealSuspect returns the person with CNIC and passport in full and
	// audits the read.
	RevealSuspect(ctx context.Context, id int64) (*Suspect, error)
	RecordArrest(ctx context.Context, a *Arrest) error
	// RegisterFIR stores an FIR; its complaints become "case registered".
	RegisterFIR(ctx context.Context, f *FIR) error
	FindFIR(ctx context.Context, id int64) (*FIR, error)
	ListFIRs(ctx context.Context) ([]*FIR, error)
	SetCourtStage(ctx context.Context, firID int64, version int, stage CourtStage, note string) (*FIR, error)
	// RecordSeizure stores a seizure; a seized wallet's finding raises its tier.
	RecordSeizure(ctx context.Context, s *Seizure) error
	// SuspensionReviews lists the decisions raids opened on a licence (0:
	// the open ones of every licence, for orgID's queue; orgID 0: all).
	SuspensionReviews(ctx context.Context, licenceID, orgID int64) ([]*SuspensionReview, error)
	FindSuspensionReview(ctx context.Context, id int64) (*SuspensionReview, error)
	// CasesOf returns the raids and FIRs that answer any of the complaints.
	CasesOf(ctx context.Context, complaintIDs []int64) ([]*Raid, []*FIR, error)
	// DecideSuspension closes an agency's review: suspend suspends the
	// licence (unless another agency already did) in the same transaction.
	DecideSuspension(ctx context.Context, id int64, suspend bool, reason, orderNo string) (*SuspensionReview, error)
}
