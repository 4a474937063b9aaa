package identifier

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// defaultRegion is assumed for numbers written without a country code.
const defaultRegion = "PK"

const phoneKeyPrefix = "phone:"

// parsePhone reads a phone number. Nearly every number in a complaint is a
// Pakistani mobile or landline written in one of a handful of ways, and
// phonenumbers.Parse costs tens of microseconds, so those forms are read by
// hand (fastPhone) and everything else goes to phonenumbers. A test checks
// that both agree on some 400,000 generated spellings.
func parsePhone(s string) ID {
	s, intl := phoneFromLink(s)
	if id, ok := fastPhone(s, intl); ok {
		return id
	}
	return slowPhone(s, intl)
}

// phoneFromLink unwraps tel: URIs and WhatsApp click-to-chat links.
// WhatsApp links always carry the number in international form without the
// "+", so intl reports that the digits begin with a country code.
func phoneFromLink(s string) (num string, intl bool) {
	for _, p := range [...]string{"tel:", "callto:", "sms:", "whatsapp:"} {
		if hasPrefixFold(s, p) && !hasPrefixFold(s, "whatsapp://") {
			s = s[len(p):]
			if i := strings.IndexAny(s, ";?"); i >= 0 {
				s = s[:i]
			}
			return strings.TrimPrefix(s, "//"), false
		}
	}
	// Only strings that look like links go further, so that a plain
	// number never pays for the searches below.
	if !strings.Contains(s, "/") && !strings.Contains(s, "?") {
		return s, false
	}
	if i := indexFold(s, "wa.me/"); i >= 0 && (i == 0 || s[i-1] == '/' || s[i-1] == '.') {
		s = s[i+len("wa.me/"):]
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
		return waNumber(s)
	}
	if indexFold(s, "whatsapp") >= 0 {
		if i := indexFold(s, "phone="); i >= 0 {
			s = s[i+len("phone="):]
			if j := strings.IndexAny(s, "&#"); j >= 0 {
				s = s[:j]
			}
			return waNumber(s)
		}
	}
	return s, false
}

func waNumber(s string) (string, bool) {
	if hasPrefixFold(s, "%2b") {
		s = "+" + s[3:]
	}
	s = strings.ReplaceAll(s, "%20", " ")
	// People paste local numbers into wa.me links ("wa.me/03001234567");
	// WhatsApp rejects them, but the complainant still means that number.
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "0") {
		return s, false
	}
	return s, true
}

// indexFold is strings.Index ignoring ASCII case, for a lower-case needle.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

// fastPhone handles Pakistani mobile and landline numbers written with or
// without +92, 0092, 92 or 0 and any of the usual separators. It returns
// ok=false for anything it is not certain about, including every invalid
// number, so that phonenumbers produces the reason.
func fastPhone(s string, intl bool) (ID, bool) {
	var buf [16]byte
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '(' || c == '\t' {
			continue
		}
		if c == '+' {
			plus = true
			s = s[i+1:]
		}
		break
	}
	d, ok := digitsOnly(s, buf[:])
	if !ok || len(d) < 9 {
		return ID{}, false
	}
	var nat []byte
	international := false
	switch {
	case plus || intl:
		if d[0] != '9' || d[1] != '2' {
			return foreignPhone(d)
		}
		nat, international = d[2:], true
	case d[0] == '0' && d[1] == '0':
		if len(d) < 4 || d[2] != '9' || d[3] != '2' {
			return foreignPhone(d[2:])
		}
		nat, international = d[4:], true
	case d[0] == '0':
		nat = d[1:]
	case (len(d) == 12 || len(d) == 11) && d[0] == '9' && d[1] == '2':
		nat = d[2:]
	case len(d) == 10 && d[0] == '3':
		nat = d
	default:
		return ID{}, false
	}
	if international && len(nat) > 0 && nat[0] == '0' {
		// "+92 0300 1234567": the trunk 0 written after the country
		// code, which phonenumbers also drops.
		nat = nat[1:]
	}
	kind := pkKind(nat)
	if kind == "" {
		return ID{}, false
	}
	var kb [32]byte
	k := append(kb[:0], phoneKeyPrefix...)
	k = append(k, "+92"...)
	k = append(k, nat...)
	key := string(k)
	return ID{Value: key[len(phoneKeyPrefix):], Key: key, Valid: true, Kind: kind, Region: defaultRegion}, true
}

// plainPrefix maps each country calling code whose main region strips a
// national prefix that is a plain digit string (or none), with no transform
// rule, to that prefix. For these, phonenumbers reads "+CC" followed by a
// national number that does not start with the prefix exactly as written,
// so the number can be checked without phonenumbers.Parse. It is built once
// from the library's metadata and never changed.
var plainPrefix = func() map[int32]string {
	m := map[int32]string{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return m
	}
	for _, md := range coll.GetMetadata() {
		cc := md.GetCountryCode()
		if main := phonenumbers.GetRegionCodeForCountryCode(int(cc)); main != md.GetId() {
			continue
		}
		p := md.GetNationalPrefixForParsing()
		if md.GetNationalPrefixTransformRule() == "" && (p == "" || isAllDigits(p)) {
			m[cc] = p
		}
	}
	return m
}()

// foreignPhone checks a number written with its country code (d starts
// with the code) for the countries in plainPrefix, using phonenumbers'
// validity rules without its much slower parser. A test compares it with
// phonenumbers.Parse on example numbers of every region.
func foreignPhone(d []byte) (ID, bool) {
	if len(d) < 4 || d[0] == '0' {
		return ID{}, false
	}
	for k := 1; k <= 3; k++ {
		cc := int32(atoi(string(d[:k])))
		region := phonenumbers.GetRegionCodeForCountryCode(int(cc))
		if region == "ZZ" {
			continue
		}
		p, ok := plainPrefix[cc]
		nat := d[k:]
		if !ok || len(nat) < 2 || len(nat) > 17 || nat[0] == '0' || (p != "" && hasPrefixB(nat, p)) {
			return ID{}, false
		}
		var nn uint64
		for _, c := range nat {
			nn = nn*10 + uint64(c-'0')
		}
		num := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &nn}
		if !phonenumbers.IsValidNumber(num) {
			return ID{}, false
		}
		var kb [40]byte
		key := string(append(append(append(kb[:0], phoneKeyPrefix...), '+'), d...))
		return ID{Value: key[len(phoneKeyPrefix):], Key: key, Valid: true, Kind: phoneKind(phonenumbers.GetNumberType(num)), Region: phonenumbers.GetRegionCodeForNumber(num)}, true
	}
	return ID{}, false
}

// pkKind classifies a Pakistani national significant number as "mobile" or
// "landline", or returns "" when the hand-written rules do not cover it. The
// rules are the mobile and fixed-line patterns of libphonenumber's PK
// metadata, transcribed:
//
//	mobile:    3(?:[0-247]\d|3[0-79]|55|64)\d{7}
//	landline:  (?:(?:21|42)[2-9]|58[126])\d{7}
//	           (?:2[25]|4[0146-9]|5[1-35-7]|6[1-8]|7[14]|8[16]|91)[2-9]\d{6,7}
//	           (one of the three-digit area codes in pkArea3)[2-9]\d{5,6}
func pkKind(n []byte) string {
	if len(n) < 9 || len(n) > 10 {
		return ""
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return ""
		}
	}
	a, b, c := n[0]-'0', n[1]-'0', n[2]-'0'
	if a == 3 {
		if len(n) != 10 {
			return ""
		}
		switch {
		case b <= 2 || b == 4 || b == 7:
		case b == 3 && c != 8:
		case b == 5 && c == 5:
		case b == 6 && c == 4:
		default:
			return ""
		}
		return "mobile"
	}
	ab := int(a)*10 + int(b)
	if len(n) == 10 && (ab == 21 || ab == 42) && c >= 2 {
		return "landline"
	}
	if len(n) == 10 && ab == 58 && (c == 1 || c == 2 || c == 6) {
		return "landline"
	}
	if pkArea2(ab) && c >= 2 {
		return "landline"
	}
	if pkArea3(ab, c) && n[3] >= '2' {
		return "landline"
	}
	return ""
}

// pkArea2 lists the two-digit area codes with 7- or 8-digit subscriber
// numbers (Karachi and Lahore are handled separately: 8 digits only).
func pkArea2(ab int) bool {
	switch ab {
	case 22, 25, 40, 41, 44, 46, 47, 48, 49, 51, 52, 53, 55, 56, 57,
		61, 62, 63, 64, 65, 66, 67, 68, 71, 74, 81, 86, 91:
		return true
	}
	return false
}

// pkArea3 lists the three-digit area codes with 6- or 7-digit subscriber
// numbers.
func pkArea3(ab int, c byte) bool {
	switch ab {
	case 23:
		return c == 2 || c == 3 || c == 5 || c == 8
	case 24:
		return c >= 2 && c <= 4
	case 29:
		return c >= 2 && c <= 8
	case 45:
		return c == 3 || c == 4 || c == 7 || c == 9
	case 54:
		return c == 2 || c == 3 || c == 4 || c == 6 || c == 7
	case 60:
		return c == 4 || c == 6 || c == 8
	case 72:
		return c == 2 || c == 3 || c == 6
	case 82:
		return c >= 2 && c != 7
	case 83:
		return c == 2 || c == 3 || c == 5 || c == 7 || c == 8
	case 84:
		return c == 3 || c == 4 || c == 7 || c == 8
	case 85:
		return c == 2 || c == 3 || c == 5 || c == 6
	case 92:
		return c >= 2 && c <= 8
	case 93:
		return c == 2 || c == 7 || c == 8 || c == 9
	case 94:
		return c >= 2 && c <= 6
	case 96:
		return c == 3 || c == 5 || c == 6 || c == 9
	case 99:
		return c == 2 || (c >= 5 && c <= 8)
	}
	return false
}

// slowPhone parses with phonenumbers, which knows every country's plan.
func slowPhone(s string, intl bool) ID {
	s = asciiDigits(s)
	best := bestEffortDigits(s, intl)
	if best == "" || best == "+" {
		return invalid("", "a phone number needs digits")
	}
	in := s
	if intl && !strings.HasPrefix(strings.TrimSpace(s), "+") {
		in = "+" + strings.TrimSpace(s)
	}
	num, err := phonenumbers.Parse(in, defaultRegion)
	if err != nil {
		switch err {
		case phonenumbers.ErrInvalidCountryCode:
			return invalid(best, "the country calling code is not one in use")
		case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD:
			return invalid(best, "too few digits for a phone number")
		case phonenumbers.ErrNumTooLong:
			return invalid(best, "too many digits for a phone number")
		}
		return invalid(best, "not a phone number")
	}
	value := phonenumbers.Format(num, phonenumbers.E164)
	region := phonenumbers.GetRegionCodeForNumber(num)
	if !phonenumbers.IsValidNumber(num) {
		return invalid(value, phoneReason(num))
	}
	return ID{Value: value, Key: phoneKeyPrefix + value, Valid: true, Kind: phoneKind(phonenumbers.GetNumberType(num)), Region: region}
}

// phoneReason explains why phonenumbers refused a number it could parse.
func phoneReason(num *phonenumbers.PhoneNumber) string {
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	if num.GetCountryCode() == 92 && strings.HasPrefix(nsn, "3") {
		if len(nsn) != 10 {
			return "a Pakistani mobile number has 11 digits written 03XX-XXXXXXX, this has " + itoa(len(nsn)+1)
		}
		return "03" + nsn[1:3] + " is not a Pakistani mobile network prefix"
	}
	country := phonenumbers.GetRegionCodeForCountryCode(int(num.GetCountryCode()))
	where := "country code +" + itoa(int(num.GetCountryCode()))
	if country == defaultRegion {
		where = "Pakistan"
	} else if country != "" && country != "ZZ" && country != "001" {
		where = "region " + country
	}
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.TOO_SHORT:
		return "too few digits for a phone number in " + where
	case phonenumbers.TOO_LONG:
		return "too many digits for a phone number in " + where
	case phonenumbers.INVALID_COUNTRY_CODE:
		return "the country calling code is not one in use"
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "a local number without its area code"
	}
	return "not a number range in use in " + where
}

func phoneKind(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.MOBILE:
		return "mobile"
	case phonenumbers.FIXED_LINE:
		return "landline"
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return "fixed_or_mobile"
	case phonenumbers.TOLL_FREE:
		return "toll_free"
	case phonenumbers.PREMIUM_RATE:
		return "premium"
	case phonenumbers.SHARED_COST:
		return "shared_cost"
	case phonenumbers.VOIP:
		return "voip"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "uan"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	}
	return ""
}

// bestEffortDigits keeps the digits and a leading "+", which is the most
// useful thing to show for a number that did not parse.
func bestEffortDigits(s string, intl bool) string {
	var b []byte
	if intl {
		b = append(b, '+')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' && len(b) == 0 {
			b = append(b, c)
		}
		if isDigit(c) && len(b) < 24 {
			b = append(b, c)
		}
	}
	return string(b)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
