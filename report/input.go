// Package report builds NCCIA's committee report on Operation Grey and on
// licensing from flat facts the caller has loaded from storage. It does no
// I/O of its own beyond writing to the io.Writer it is given, so the same
// Committee can be shown as JSON, text, CSV, SVG charts or a PDF and every
// form shows the same figures.
//
// Money is integer paisa. Times are stored in UTC and grouped into days and
// months in Asia/Karachi.
package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/greyline/greyline"
)

// Input is everything the report counts. Build applies the period and the
// place filters itself, so the caller may pass more than the period needs.
type Input struct {
	// From and To are inclusive calendar dates, taken from each value's
	// own year, month and day and read as days in Asia/Karachi:
	// time.Date(2025, 8, 31, 0, 0, 0, 0, time.UTC) means 31 August 2025.
	From, To time.Time
	// City and Province, when not empty, keep only records in that place
	// (compared without regard to case or surrounding spaces).
	City, Province string

	Raids        []Raid
	Arrests      []Arrest
	Accused      []Accused
	FIRs         []FIR
	Money        []Money
	Complaints   []Complaint
	Applications []Application
	Clearances   []Clearance
	Licences     []Licence

	// Now is when the report is made: it decides which clearance tasks are
	// overdue and is printed as the report's date.
	Now time.Time
}

// Raid is one raid of Operation Grey.
type Raid struct {
	ID             int64
	Date           time.Time
	City, Province string
}

// Arrest is one person arrested in a raid, counted by the arrest's date
// and the raid's place.
type Arrest struct {
	RaidID         int64
	Date           time.Time
	City, Province string
	// Nationality is an ISO 3166-1 alpha-2 code; "PK" is Pakistani.
	Nationality string
}

// Accused is one person named in an FIR, arrested or not. Date is the FIR's
// date, so that an accused counts in the period of the FIR that names them.
type Accused struct {
	FIRID          int64
	Date           time.Time
	City, Province string
	Nationality    string // ISO 3166-1 alpha-2; "PK" is Pakistani
	Arrested       bool
}

// FIR is one first information report registered under Operation Grey.
type FIR struct {
	ID             int64
	Date           time.Time
	City, Province string
}

// Money is one record of scam value uncovered, recovered and returned to
// victims, in paisa.
type Money struct {
	Date           time.Time
	City, Province string
	ScamPaisa      int64
	RecoveredPaisa int64
	ReturnedPaisa  int64
}

// Complaint is one complaint of fraud. CyberFraud is the category's flag
// (greyline.CategoryByCode) as the caller resolved it, so that a category
// unknown to this build still counts the way storage says.
type Complaint struct {
	ReceivedAt     time.Time
	City, Province string
	Category       string
	CyberFraud     bool
	LossPaisa      int64
}

// Application is a licence application, counted if submitted in the period,
// under the stage it has now (a greyline.ApplicationStatus or finer stage).
type Application struct {
	Stage          string
	Submitted      time.Time
	City, Province string // of the site applied for
}

// Clearance is one agency's clearance task. Its clearance time is
// Decided-Started; tasks decided in the period make the medians, and tasks
// still undecided at Input.Now past their deadline are overdue.
type Clearance struct {
	Agency         string // PTA, NCCIA, SA …
	Started        time.Time
	Decided        *time.Time
	Deadline       time.Time
	City, Province string
}

// Licence is one licence as it stands at Input.Now.
type Licence struct {
	Status         string // greyline.LicenceStatus
	Kind           string // greyline.BusinessKind
	City, Province string
}

// maxYears bounds the period so that the monthly table and charts stay a
// size people can read.
const maxYears = 10

// maxFieldErrors stops validation early: a caller with a systematic bug
// would otherwise get one error per record.
const maxFieldErrors = 10

type validator struct {
	v greyline.Validation
	n int
}

func (v *validator) add(field, reason string) {
	if v.n < maxFieldErrors {
		v.v.Add(field, reason)
	}
	v.n++
}

func (v *validator) full() bool { return v.n >= maxFieldErrors }

func (v *validator) date(t time.Time, list string, i int, field string) {
	if t.IsZero() {
		v.add(fmt.Sprintf("%s[%d].%s", list, i, field), "is required")
	}
}

func (v *validator) nationality(code, list string, i int) {
	if !greyline.ValidCountry(normCountry(code)) {
		v.add(fmt.Sprintf("%s[%d].nationality", list, i), "must be an ISO 3166 country code such as PK or CN")
	}
}

func (v *validator) paisa(p int64, list string, i int, field string) {
	if p < 0 {
		v.add(fmt.Sprintf("%s[%d].%s", list, i, field), "cannot be negative")
	}
}

// validate refuses input that would make a wrong report rather than an
// empty one, naming the field as the rest of greyline does.
func (in *Input) validate() error {
	var v validator
	if in.From.IsZero() {
		v.add("from", "is required")
	}
	if in.To.IsZero() {
		v.add("to", "is required")
	}
	if in.Now.IsZero() {
		v.add("now", "is required")
	}
	if !in.From.IsZero() && !in.To.IsZero() {
		f, t := civil(in.From), civil(in.To)
		if f.After(t) {
			v.add("from", "must not be after to")
		} else if t.After(f.AddDate(maxYears, 0, 0)) {
			v.add("to", fmt.Sprintf("the period may be at most %d years", maxYears))
		}
	}
	for i, r := range in.Raids {
		v.date(r.Date, "raids", i, "date")
		if v.full() {
			break
		}
	}
	for i, a := range in.Arrests {
		v.date(a.Date, "arrests", i, "date")
		v.nationality(a.Nationality, "arrests", i)
		if v.full() {
			break
		}
	}
	for i, a := range in.Accused {
		v.date(a.Date, "accused", i, "date")
		v.nationality(a.Nationality, "accused", i)
		if v.full() {
			break
		}
	}
	for i, f := range in.FIRs {
		v.date(f.Date, "firs", i, "date")
		if v.full() {
			break
		}
	}
	for i, m := range in.Money {
		v.date(m.Date, "money", i, "date")
		v.paisa(m.ScamPaisa, "money", i, "scam_paisa")
		v.paisa(m.RecoveredPaisa, "money", i, "recovered_paisa")
		v.paisa(m.ReturnedPaisa, "money", i, "returned_paisa")
		if v.full() {
			break
		}
	}
	for i, c := range in.Complaints {
		v.date(c.ReceivedAt, "complaints", i, "received_at")
		v.paisa(c.LossPaisa, "complaints", i, "loss_paisa")
		if v.full() {
			break
		}
	}
	for i, c := range in.Clearances {
		v.date(c.Started, "clearances", i, "started")
		if strings.TrimSpace(c.Agency) == "" {
			v.add(fmt.Sprintf("clearances[%d].agency", i), "is required")
		}
		if c.Decided != nil && c.Decided.Before(c.Started) {
			v.add(fmt.Sprintf("clearances[%d].decided", i), "must not be before started")
		}
		if v.full() {
			break
		}
	}
	return v.v.Err()
}

// civil is t's own calendar date at midnight in Karachi.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, greyline.Karachi)
}

func normCountry(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// matches reports whether a record's place passes a filter; an empty filter
// passes everything.
func matches(filter, value string) bool {
	return filter == "" || strings.EqualFold(filter, strings.TrimSpace(value))
}
