package greyline

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/greyline/greyline/identifier"
)

// Data protection: how long complainants' personal data is kept, and what
// greyline holds about a person (subject access).

// RetentionPeriod is how long a complainant's name, CNIC, phone and e-mail
// are kept after their complaint's last step (see DataProtectionService).
// It counts in calendar years, months, weeks and days.
type RetentionPeriod struct {
	Years, Months, Days int
	// Forever keeps personal data without limit ("never").
	Forever bool
}

// DefaultRetention is five years.
var DefaultRetention = RetentionPeriod{Years: 5}

// MinRetentionDays is the shortest period accepted (a month counting as 30
// days), so that a typo such as "5d" for "5y" cannot remove the details of
// complaints still being worked.
const MinRetentionDays = 30

// ParseRetention reads a period such as "5y", "18m", "2y6m", "12w", "90d"
// or "never". Each unit appears at most once, in the order y, m, w, d.
func ParseRetention(s string) (RetentionPeriod, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "never" {
		return RetentionPeriod{Forever: true}, nil
	}
	if s == "" {
		return RetentionPeriod{}, errors.New(`is empty: give a period such as 5y, 18m, 2y6m, 90d, or "never"`)
	}
	var p RetentionPeriod
	const units = "ymwd"
	next := 0 // units before this index were used
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return RetentionPeriod{}, errors.New(`must be numbers with units y, m, w or d, such as 5y or 2y6m, or "never"`)
		}
		if i > 5 {
			return RetentionPeriod{}, errors.New("is too long")
		}
		n, _ := strconv.Atoi(rest[:i])
		u := strings.IndexByte(units, rest[i])
		if u < 0 {
			return RetentionPeriod{}, errors.New(`has an unknown unit ` + strconv.Quote(rest[i:i+1]) + `: use y (years), m (months), w (weeks) or d (days)`)
		}
		if u < next {
			return RetentionPeriod{}, errors.New("must give each unit once, largest first (y, m, w, d)")
		}
		next = u + 1
		switch units[u] {
		case 'y':
			p.Years = n
		case 'm':
			p.Months = n
		case 'w':
			p.Days += 7 * n
		case 'd':
			p.Days += n
		}
		rest = rest[i+1:]
	}
	if d := p.approxDays(); d < MinRetentionDays {
		return RetentionPeriod{}, errors.New("must be at least " + strconv.Itoa(MinRetentionDays) + " days")
	} else if d > 100*366 {
		return RetentionPeriod{}, errors.New(`must be at most 100 years; use "never" to keep details without limit`)
	}
	return p, nil
}

func (p RetentionPeriod) approxDays() int { return p.Years*365 + p.Months*30 + p.Days }

// String writes the period as ParseRetention reads it.
func (p RetentionPeriod) String() string {
	if p.Forever {
		return "never"
	}
	var b strings.Builder
	for _, x := range []struct {
		n int
		u string
	}{{p.Years, "y"}, {p.Months, "m"}, {p.Days, "d"}} {
		if x.n != 0 {
			b.WriteString(strconv.Itoa(x.n) + x.u)
		}
	}
	if b.Len() == 0 {
		return "0d"
	}
	return b.String()
}

// Cutoff is the latest start of the retention clock that has expired at
// now: data whose clock started at or before it is due. Calendar arithmetic
// runs in Asia/Karachi, where the dates people read are.
func (p RetentionPeriod) Cutoff(now time.Time) time.Time {
	return now.In(Karachi).AddDate(-p.Years, -p.Months, -p.Days).UTC()
}

// RetentionResult counts what one retention run did (or, dry, would do).
type RetentionResult struct {
	Period RetentionPeriod `json:"-"`
	Cutoff time.Time       `json:"cutoff"`
	DryRun bool            `json:"dry_run"`
	// Pseudonymised complaints lost their complainant's personal data;
	// Complainants counts the distinct people (same CNIC, else phone).
	Pseudonymised int `json:"pseudonymised"`
	Complainants  int `json:"complainants"`
	// HeldForCase complaints are past the period but tied to a case still
	// open: an FIR not concluded, or "case registered" with no FIR record.
	HeldForCase int `json:"held_for_case"`
	// HeldWithRecent complaints are past the period but their complainant
	// has a complaint that is not (within the period, or held for a case):
	// a person's complaints lose their details together.
	HeldWithRecent int `json:"held_with_recent"`
	// FilesRemoved counts the files attached to the pseudonymised
	// complaints that were removed.
	FilesRemoved int `json:"files_removed"`
}

// SubjectExport is everything greyline holds about the person with a CNIC,
// found through the keyed hashes, for a subject access request.
type SubjectExport struct {
	CNIC        string    `json:"cnic"`
	GeneratedAt time.Time `json:"generated_at"`
	// Complaints the person filed, with their details in full.
	Complaints []SubjectComplaint `json:"complaints"`
	// BusinessPeople are the person's records as a director, owner or
	// other named person of a licensed business.
	BusinessPeople []SubjectBusinessPerson `json:"business_people"`
	// EnforcementPersons are the person's records from Operation Grey:
	// found at a centre or named in an FIR, with arrests and FIRs.
	EnforcementPersons []SubjectSuspect `json:"enforcement_persons"`
	// AuditEvents are the audit log's events about all of these records.
	AuditEvents []*AuditEvent `json:"audit_events"`
	// Notes say what greyline does not hold, so that an empty part is read right.
	Notes []string `json:"notes"`
}

// SubjectComplaint is a complaint with the messages the complainant was sent.
type SubjectComplaint struct {
	Complaint *Complaint        `json:"complaint"`
	Messages  []TrackingMessage `json:"messages"`
}

// SubjectBusinessPerson is a business's person record with the business named.
type SubjectBusinessPerson struct {
	Person       *Person `json:"person"`
	BusinessName string  `json:"business_name"`
}

// SubjectSuspect is an enforcement person record with its arrests and FIRs.
type SubjectSuspect struct {
	Person  *Suspect `json:"person"`
	Arrests []Arrest `json:"arrests"`
	FIRs    []FIR    `json:"firs"`
}

// DataProtectionService applies the retention policy and answers subject
// access requests. Both are audited.
type DataProtectionService interface {
	// ApplyRetention pseudonymises the complainants whose complaints are
	// all past the period: their name, CNIC, phone and e-mail, and the
	// keyed hashes that found them, are removed; city, province, gender,
	// age band, amounts, dates, identifiers and network links stay, and a
	// random pseudonym keeps the person's complaints counted as one victim.
	// The period runs from a complaint's last step (its closing, for a
	// closed one), or from the conclusion of its last FIR if later. dryRun
	// counts without changing anything.
	ApplyRetention(ctx context.Context, p RetentionPeriod, dryRun bool) (RetentionResult, error)
	// SubjectAccess returns everything held about the person with the CNIC.
	SubjectAccess(ctx context.Context, cnic string) (*SubjectExport, error)
}

// IdentifierKeys are the match keys of the complainant's own CNIC, phone
// and e-mail, as identifiers found in a narrative are keyed.
func (c Complainant) IdentifierKeys() map[string]bool {
	own := map[string]bool{}
	for _, x := range []struct {
		t identifier.Type
		v string
	}{{identifier.CNIC, c.CNIC}, {identifier.Phone, c.Phone}, {identifier.Email, c.Email}} {
		if x.v == "" {
			continue
		}
		if id := identifier.Parse(x.t, x.v); id.Valid {
			own[id.Key] = true
		}
	}
	return own
}

// Redact hides the complainant's own details where they appear in text (a
// narrative, or an identifier as written): their CNIC, phone and e-mail in
// any spelling greyline recognises, and each word of their name of three
// letters or more. Every byte of a match becomes '*', so that positions
// recorded in the text (extracted identifiers' offsets) stay right.
func (c Complainant) Redact(text string) string {
	own := c.IdentifierKeys()
	b := []byte(text)
	mask := func(start, end int) {
		for i := start; i < end && i < len(b); i++ {
			b[i] = '*'
		}
	}
	for _, f := range identifier.Extract(text) {
		if f.Valid && own[f.Key] {
			mask(f.Start, f.End)
		}
	}
	if e := strings.TrimSpace(c.Email); e != "" {
		lower := strings.ToLower(text)
		if len(lower) == len(text) { // lower-casing kept the offsets
			for i := 0; ; {
				j := strings.Index(lower[i:], strings.ToLower(e))
				if j < 0 {
					break
				}
				mask(i+j, i+j+len(e))
				i += j + len(e)
			}
		}
	}
	var parts []string
	for _, p := range strings.FieldsFunc(c.Name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) }) {
		if utf8.RuneCountInString(p) >= 3 {
			parts = append(parts, p)
		}
	}
	if len(parts) > 0 {
		start := -1
		for i, r := range text + " " {
			word := unicode.IsLetter(r) || unicode.IsMark(r)
			switch {
			case word && start < 0:
				start = i
			case !word && start >= 0:
				for _, p := range parts {
					if strings.EqualFold(text[start:i], p) {
						mask(start, i)
						break
					}
				}
				start = -1
			}
		}
	}
	return string(b)
}
