package greyline

import (
	"fmt"
	"strings"
	"time"
)

// ClearanceOutcome decides an application's status from its agencies'
// tasks: any refusal refuses it, and it is granted only when every required
// agency has cleared it.
func ClearanceOutcome(tasks []TaskStatus) ApplicationStatus {
	if len(tasks) == 0 {
		return AppSubmitted
	}
	cleared := 0
	for _, t := range tasks {
		switch t {
		case TaskRefused:
			return AppRefused
		case TaskCleared:
			cleared++
		}
	}
	if cleared == len(tasks) {
		return AppGranted
	}
	return AppSubmitted
}

// Dossier is everything an application stands on, for the completeness check.
type Dossier struct {
	Application *Application
	Business    *Business
	Persons     []*Person
	Sites       []*Site
	Documents   []*Document
}

// Missing lists, all at once, what must be added before submission. What is
// required depends on the legal form.
func (d *Dossier) Missing() []FieldError {
	var v Validation
	has := func(k DocumentKind, personID int64) bool {
		for _, doc := range d.Documents {
			if doc.Kind == k && (personID == 0 || doc.PersonID == personID) {
				return true
			}
		}
		return false
	}
	b := d.Business
	if b == nil {
		v.Add("business", "the business record is required")
		return v.fields
	}
	if b.NTN == "" {
		v.Add("ntn", "the NTN is required")
	}
	if !has(DocNTN, 0) {
		v.Add("documents.ntn_certificate", "upload the NTN certificate")
	}
	if !has(DocBankStatement, 0) {
		v.Add("documents.bank_statement", "upload a bank statement or bank letter")
	}
	if len(d.Persons) == 0 {
		v.Add("persons", "add the directors, partners or proprietor")
	}
	for _, p := range d.Persons {
		switch {
		case p.Foreign() && !has(DocPassport, p.ID):
			v.Add(fmt.Sprintf("documents.passport[%d]", p.ID), "upload the passport of "+p.Name)
		case !p.Foreign() && !has(DocCNIC, p.ID):
			v.Add(fmt.Sprintf("documents.cnic[%d]", p.ID), "upload the CNIC of "+p.Name)
		}
	}
	switch b.LegalForm {
	case Company:
		if !has(DocIncorporation, 0) {
			v.Add("documents.incorporation_certificate", "upload the certificate of incorporation")
		}
		if !has(DocMoAAoA, 0) {
			v.Add("documents.moa_aoa", "upload the memorandum and articles of association")
		}
		if !has(DocForm29, 0) {
			v.Add("documents.form_29", "upload Form 29")
		}
	case Partnership:
		if !has(DocPartnershipDeed, 0) {
			v.Add("documents.partnership_deed", "upload the partnership deed")
		}
	}
	if len(d.Sites) == 0 {
		v.Add("sites", "add at least one site")
	}
	if d.Application != nil && strings.TrimSpace(d.Application.PaymentRef) == "" {
		v.Add("payment_ref", "record the fee payment reference")
	}
	return ErrorFields(v.Err())
}

// FeeSchedule sets the licence fee: one amount for the main office and one
// for each branch, in paisa.
type FeeSchedule struct {
	MainOfficePaisa int64
	BranchPaisa     int64
}

// DefaultFees is used unless configured otherwise.
var DefaultFees = FeeSchedule{MainOfficePaisa: 100_000_00, BranchPaisa: 25_000_00}

// Fee is the amount due for an application of kind covering the given
// sites: the main-office fee for the main office, the branch fee for each
// other site.
func (f FeeSchedule) Fee(kind ApplicationKind, sites []*Site) int64 {
	if len(sites) == 0 {
		return 0
	}
	var main int
	for _, s := range sites {
		if s.MainOffice {
			main++
		}
	}
	if main == 0 && kind == NewLicence {
		main = 1 // a first licence always covers the main office
	}
	return int64(main)*f.MainOfficePaisa + int64(len(sites)-main)*f.BranchPaisa
}

// FormatPaisa renders an amount for people: "Rs 125,000.50".
func FormatPaisa(p int64) string {
	neg := p < 0
	if neg {
		p = -p
	}
	rupees, paisa := p/100, p%100
	s := fmt.Sprint(rupees)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := "Rs " + b.String()
	if paisa != 0 {
		out += fmt.Sprintf(".%02d", paisa)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// transitions lists the allowed licence state changes.
var transitions = map[LicenceStatus][]LicenceStatus{
	LicenceProvisional: {LicenceActive, LicenceSuspended, LicenceRevoked, LicenceExpired, LicenceSurrendered},
	LicenceActive:      {LicenceSuspended, LicenceRevoked, LicenceExpired, LicenceSurrendered},
	LicenceSuspended:   {LicenceActive, LicenceProvisional, LicenceRevoked, LicenceExpired, LicenceSurrendered},
}

// CanBecome reports whether a licence may move from s to to.
func (s LicenceStatus) CanBecome(to LicenceStatus) bool {
	for _, x := range transitions[s] {
		if x == to {
			return true
		}
	}
	return false
}

// LicenceSettings hold the lifecycle durations.
type LicenceSettings struct {
	ProvisionalDays int // provisional letter validity, default 90
	ValidityDays    int // active licence validity, default 365
	RenewalOpenDays int // renewal opens this many days before expiry, default 60
	ClearanceDays   int // working days each agency has, default 15
}

// DefaultLicenceSettings are the defaults.
var DefaultLicenceSettings = LicenceSettings{ProvisionalDays: 90, ValidityDays: 365, RenewalOpenDays: 60, ClearanceDays: 15}

// RenewalOpen reports whether a licence may be renewed at now.
func (s LicenceSettings) RenewalOpen(l *Licence, now time.Time) bool {
	if l.Status != LicenceActive && l.Status != LicenceSuspended {
		return false
	}
	return !now.Before(l.ValidUntil.AddDate(0, 0, -s.RenewalOpenDays))
}

// cityCodes are the licence-number codes of the main cities.
var cityCodes = map[string]string{
	"islamabad": "ISB", "rawalpindi": "RWP", "lahore": "LHE", "karachi": "KHI", "peshawar": "PEW",
	"quetta": "UET", "multan": "MUX", "faisalabad": "LYP", "gujranwala": "GRW", "sialkot": "SKT",
	"hyderabad": "HDD", "sukkur": "SKZ", "gilgit": "GIL", "muzaffarabad": "MZD", "abbottabad": "ABT",
	"bahawalpur": "BHV", "sargodha": "SGI", "mardan": "MDN", "gwadar": "GWD", "mirpur": "MPD",
}

// CityCode returns the three-letter code used in licence numbers.
func CityCode(city string) string {
	c := strings.ToLower(strings.TrimSpace(city))
	if code, ok := cityCodes[c]; ok {
		return code
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(c) {
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
			if b.Len() == 3 {
				break
			}
		}
	}
	for b.Len() < 3 {
		b.WriteByte('X')
	}
	return b.String()
}

// LicenceNumber formats a licence number: CC-ISB-2026-000042.
func LicenceNumber(kind BusinessKind, city string, year, seq int) string {
	return fmt.Sprintf("%s-%s-%d-%06d", kind.Code(), CityCode(city), year, seq)
}

// LicenceNumberSeries is the counter a licence number is drawn from.
func LicenceNumberSeries(kind BusinessKind, city string, year int) string {
	return fmt.Sprintf("licence:%s-%s-%d", kind.Code(), CityCode(city), year)
}
