package greyline

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/greyline/greyline/identifier"
)

// NormalizeNTN returns an NTN in canonical form: "1234567-8" for the
// seven-digit number with its check digit, or 13 digits for individuals,
// whose NTN is their CNIC. ok is false when s is neither.
func NormalizeNTN(s string) (string, bool) {
	d := strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s))
	if !allDigits(d) {
		return "", false
	}
	switch len(d) {
	case 8:
		return d[:7] + "-" + d[7:], true
	case 13:
		return d, true
	}
	return "", false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func text(v *Validation, field, s string, required bool, maxLen int) string {
	s = strings.TrimSpace(s)
	if required && s == "" {
		v.Add(field, "is required")
	}
	if utf8.RuneCountInString(s) > maxLen {
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	return s
}

// Validate checks and normalises a business record.
func (b *Business) Validate() error {
	var v Validation
	b.LegalName = text(&v, "legal_name", b.LegalName, true, 200)
	b.TradeName = text(&v, "trade_name", b.TradeName, true, 200)
	// Names are printed on certificates and signed into their codes.
	for _, f := range [][2]string{{"legal_name", b.LegalName}, {"trade_name", b.TradeName}} {
		if strings.IndexFunc(f[1], unicode.IsControl) >= 0 {
			v.Add(f[0], "must not contain tabs, line breaks or other control characters")
		}
	}
	b.RegisteredAddress = text(&v, "registered_address", b.RegisteredAddress, true, 500)
	b.PSEBNumber = text(&v, "pseb_number", b.PSEBNumber, false, 50)
	v.Check(b.Kind.Valid(), "kind", "must be call_centre or software_house")
	v.Check(b.LegalForm.Valid(), "legal_form", "must be sole_proprietor, partnership or company")
	if ntn, ok := NormalizeNTN(b.NTN); ok {
		b.NTN = ntn
	} else if strings.TrimSpace(b.NTN) == "" {
		v.Add("ntn", "is required")
	} else {
		v.Add("ntn", "must be 7 digits and a check digit (1234567-8), or a 13-digit CNIC-based NTN")
	}
	b.SECPNumber = strings.TrimSpace(b.SECPNumber)
	switch {
	case b.LegalForm == Company && b.SECPNumber == "":
		v.Add("secp_number", "is required for a company")
	case b.SECPNumber != "" && (!allDigits(b.SECPNumber) || len(b.SECPNumber) < 5 || len(b.SECPNumber) > 10):
		v.Add("secp_number", "must be the SECP incorporation number (5 to 10 digits)")
	}
	v.Check(b.InboundPercent >= 0 && b.InboundPercent <= 100, "inbound_percent", "must be between 0 and 100")
	countries := make([]string, 0, len(b.ClientCountries))
	for _, c := range b.ClientCountries {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		if !ValidCountry(c) {
			v.Add("client_countries", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", truncate(c, 10)))
			break
		}
		countries = append(countries, c)
	}
	slices.Sort(countries)
	b.ClientCountries = slices.Compact(countries)
	return v.Err()
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Validate checks and normalises a person; CNIC is written 5-7-1.
func (p *Person) Validate() error {
	var v Validation
	p.Name = text(&v, "name", p.Name, true, 200)
	v.Check(p.Role.Valid(), "role", "must be director, shareholder, partner, proprietor or key_personnel")
	p.CNIC, p.Passport = strings.TrimSpace(p.CNIC), strings.ToUpper(strings.TrimSpace(p.Passport))
	p.Nationality = strings.ToUpper(strings.TrimSpace(p.Nationality))
	switch {
	case p.CNIC == "" && p.Passport == "":
		v.Add("cnic", "a CNIC, or a passport number with nationality, is required")
	case p.CNIC != "" && p.Passport != "":
		v.Add("passport", "give a CNIC or a passport, not both")
	case p.CNIC != "":
		id := identifier.Parse(identifier.CNIC, p.CNIC)
		if !id.Valid {
			v.Add("cnic", lowerFirst(id.Reason))
		} else {
			p.CNIC = id.Value
		}
		p.Nationality = ""
	default:
		if len(p.Passport) < 5 || len(p.Passport) > 20 || !alnum(p.Passport) {
			v.Add("passport", "must be 5 to 20 letters and digits")
		}
		if !ValidCountry(p.Nationality) {
			v.Add("nationality", "must be an ISO 3166-1 alpha-2 country code, e.g. CN")
		}
	}
	return v.Err()
}

func lowerFirst(s string) string {
	if s == "" {
		return "is not valid"
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func alnum(s string) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// MaxRangeSize bounds a declared number range, so a typo cannot claim a
// whole numbering plan.
const MaxRangeSize = 100000

// Validate checks and normalises a site and its declared resources.
func (s *Site) Validate() error {
	var v Validation
	s.Address = text(&v, "address", s.Address, true, 500)
	s.City = text(&v, "city", s.City, true, 100)
	v.Check(s.Province.Valid(), "province", "must be one of "+provinceList())
	v.Check(s.Seats >= 0 && s.Seats <= 100000, "seats", "must be between 0 and 100000")
	v.Check(s.Staff >= 0 && s.Staff <= 100000, "staff", "must be between 0 and 100000")
	v.Check(s.ForeignStaff >= 0 && s.ForeignStaff <= s.Staff, "foreign_staff", "must be between 0 and the number of staff")
	s.Resources.validate(&v)
	return v.Err()
}

func provinceList() string {
	p := make([]string, len(Provinces))
	for i, x := range Provinces {
		p[i] = string(x)
	}
	return strings.Join(p, ", ")
}

func (r *Resources) validate(v *Validation) {
	for i, n := range r.Numbers {
		field := fmt.Sprintf("resources.numbers[%d]", i)
		id := identifier.Parse(identifier.Phone, n)
		if !id.Valid {
			v.Add(field, lowerFirst(id.Reason))
			continue
		}
		r.Numbers[i] = id.Value
	}
	for i := range r.Ranges {
		field := fmt.Sprintf("resources.ranges[%d]", i)
		a, b := identifier.Parse(identifier.Phone, r.Ranges[i].Start), identifier.Parse(identifier.Phone, r.Ranges[i].End)
		switch {
		case !a.Valid:
			v.Add(field+".start", lowerFirst(a.Reason))
		case !b.Valid:
			v.Add(field+".end", lowerFirst(b.Reason))
		case len(a.Value) != len(b.Value):
			v.Add(field, "start and end must have the same number of digits")
		default:
			lo, _ := strconv.ParseUint(a.Value[1:], 10, 64)
			hi, _ := strconv.ParseUint(b.Value[1:], 10, 64)
			switch {
			case lo > hi:
				v.Add(field, "start must not be after end")
			case hi-lo >= MaxRangeSize:
				v.Add(field, fmt.Sprintf("must hold at most %d numbers", MaxRangeSize))
			}
			r.Ranges[i] = NumberRange{Start: a.Value, End: b.Value}
		}
	}
	for i, p := range r.SIPProviders {
		r.SIPProviders[i] = text(v, fmt.Sprintf("resources.sip_providers[%d]", i), p, true, 100)
	}
	for i, c := range r.IPRanges {
		field := fmt.Sprintf("resources.ip_ranges[%d]", i)
		pfx, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil {
			if a, aerr := netip.ParseAddr(strings.TrimSpace(c)); aerr == nil {
				pfx = netip.PrefixFrom(a, a.BitLen())
			} else {
				v.Add(field, "must be an IP range in CIDR form, e.g. 203.0.113.0/24")
				continue
			}
		}
		pfx = pfx.Masked()
		if a := pfx.Addr(); a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsUnspecified() {
			v.Add(field, "must be a public address range")
			continue
		}
		r.IPRanges[i] = pfx.String()
	}
	for i, d := range r.Domains {
		field := fmt.Sprintf("resources.domains[%d]", i)
		id := identifier.Parse(identifier.Domain, d)
		if !id.Valid {
			v.Add(field, lowerFirst(id.Reason))
			continue
		}
		r.Domains[i] = id.Value
	}
	for i, a := range r.Apps {
		field := fmt.Sprintf("resources.apps[%d]", i)
		id := identifier.Parse(identifier.App, a)
		if !id.Valid {
			v.Add(field, lowerFirst(id.Reason))
			continue
		}
		r.Apps[i] = id.Value
	}
	// Order is kept, so that later errors (an overlap) can name the entry
	// as the user wrote it.
	dedupe := func(xs []string) []string {
		seen := make(map[string]bool, len(xs))
		return slices.DeleteFunc(xs, func(x string) bool {
			if seen[x] {
				return true
			}
			seen[x] = true
			return false
		})
	}
	r.Numbers, r.IPRanges, r.Domains, r.Apps = dedupe(r.Numbers), dedupe(r.IPRanges), dedupe(r.Domains), dedupe(r.Apps)
}
