package identifier

import (
	"net/netip"
	"strings"
)

// Detect works out the type of a single identifier and parses it. It is
// meant for a value typed into a field without a type ("what did the
// fraudster give you?"); to find identifiers inside a message use Extract.
//
// The rules, in order: URI schemes (tel:, mailto:, bitcoin:, …); links, of
// which WhatsApp links are phones, Play Store links apps and profile links
// social handles; e-mail addresses; @handles and phrases naming a platform;
// a wallet provider or bank with a number; IBANs; crypto addresses; IP
// addresses; numbers (13 digits are a CNIC, 15 with a valid Luhn digit an
// IMEI, anything else a phone); dotted names (an app id when it starts with
// a reversed top-level domain such as "com.", otherwise a domain). A bare
// host name is a Domain here, while Extract reports it as a URL, because in
// a message it is a site someone was sent to.
//
// A string that fits no type comes back with an empty Type, Valid false
// and a Reason.
func Detect(raw string) ID {
	t := detectType(trimSpace(raw))
	if t == "" {
		return ID{Raw: raw, Value: trimSpace(raw), Reason: "not a recognised identifier"}
	}
	return Parse(t, raw)
}

func detectType(s string) Type {
	if s == "" {
		return ""
	}
	switch {
	case hasPrefixFold(s, "tel:") || hasPrefixFold(s, "callto:") || hasPrefixFold(s, "sms:"):
		return Phone
	case hasPrefixFold(s, "mailto:"):
		return Email
	case hasPrefixFold(s, "market://"):
		return App
	case hasPrefixFold(s, "bitcoin:") || hasPrefixFold(s, "ethereum:") || hasPrefixFold(s, "tron:"):
		return Crypto
	}
	if t, ok := linkType(s); ok {
		return t
	}
	// Numbers are the common case and cheap to recognise.
	if isNumberish(s) && !isIPv4Shape(s) {
		return numberType(s)
	}
	spaced := strings.ContainsAny(s, " \t")
	if at := strings.IndexByte(s, '@'); at > 0 && !spaced {
		return Email
	}
	if s[0] == '@' {
		return Social
	}
	if _, _, ok := splitSocial(s); ok {
		return Social
	}
	if !spaced && strings.IndexByte(s, '.') > 0 && !isNumberish(s) && !isIPv4Shape(s) {
		if looksLikeAppID(s) {
			return App
		}
		return Domain
	}
	if _, n := walletAt(s); n > 0 {
		return Wallet
	}
	if _, _, ok := splitLabelled(s, walletAt); ok {
		return Wallet
	}
	if _, _, ok := splitLabelled(s, bankAt); ok {
		return BankAccount
	}
	// A TRON address can start like an IBAN ("TM13…"); no IBAN is 34
	// characters long in a country whose code starts with T.
	if looksLikeIBAN(s) && !isNumberish(s) && !isTronShape(s) {
		return IBAN
	}
	if t := cryptoShape(s); t != "" {
		return t
	}
	if _, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil {
		return IP
	}
	if isNumberish(s) {
		return numberType(s)
	}
	if !spaced && len(s) >= 25 && len(s) <= 90 && isAlnumString(s) && hasUpperLowerDigit(s) {
		return Crypto
	}
	return ""
}

// linkType classifies something written as a link.
func linkType(s string) (Type, bool) {
	if !looksLikeLink(s) && !hasPrefixFold(s, "www.") && !hasPrefixFold(s, "wa.me/") {
		return "", false
	}
	l, reason := parseLink(s)
	if reason != "" {
		return URL, true
	}
	host := strings.TrimPrefix(l.host, "www.")
	switch {
	case host == "wa.me" && len(l.path) > 1 && isNumberish(l.path[1:]):
		return Phone, true
	case (host == "api.whatsapp.com" || host == "web.whatsapp.com") && strings.Contains(l.query, "phone="):
		return Phone, true
	case host == "play.google.com" && strings.HasPrefix(l.path, "/store/apps/details"):
		return App, true
	}
	if p, _, reason := socialFromLink(s); p != nil && reason == "" {
		return Social, true
	}
	return URL, true
}

// isNumberish reports whether s is digits (in any script) with an optional
// leading + and the usual separators.
func isNumberish(s string) bool {
	s = strings.TrimPrefix(s, "+")
	var buf [32]byte
	d, ok := digitsOnly(s, buf[:])
	return ok && len(d) > 0
}

func numberType(s string) Type {
	if strings.HasPrefix(s, "+") {
		return Phone
	}
	var buf [32]byte
	d, _ := digitsOnly(s, buf[:])
	switch {
	case len(d) == 13 && !(d[0] == '0' && d[1] == '0'):
		return CNIC
	case len(d) == 15 && d[0] != '0' && luhn(d):
		return IMEI
	case (len(d) == 14 || len(d) == 16) && d[0] != '0' && !(d[0] == '9' && d[1] == '2'):
		return IMEI
	}
	return Phone
}

// cryptoShape recognises the address formats whose checksums we verify.
func cryptoShape(s string) Type {
	switch {
	case len(s) == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		return Crypto
	case hasPrefixFold(s, "bc1") && len(s) >= 14 && isAlnumString(s):
		return Crypto
	case len(s) >= 26 && len(s) <= 35 && (s[0] == '1' || s[0] == '3') && isBase58(s) && !isAllDigits(s):
		return Crypto
	case isTronShape(s):
		return Crypto
	}
	return ""
}

func isTronShape(s string) bool { return len(s) == 34 && s[0] == 'T' && isBase58(s) }

// reversedTLDs start Android application ids. Ids ending in one of the
// common TLDs are host names written the usual way round.
var reversedTLDs = []string{"com", "org", "net", "io", "pk", "app", "dev", "co", "me", "info", "biz", "ai", "in"}

func looksLikeAppID(s string) bool {
	first, _, _ := strings.Cut(s, ".")
	last := s[strings.LastIndexByte(s, '.')+1:]
	if !containsFold(reversedTLDs, first) {
		return false
	}
	switch strings.ToLower(last) {
	case "com", "net", "org", "pk", "io":
		return false
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, w := range list {
		if strings.EqualFold(w, s) {
			return true
		}
	}
	return false
}

func isAlnumString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return s != ""
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func hasUpperLowerDigit(s string) bool {
	var u, l, d bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		u = u || (c >= 'A' && c <= 'Z')
		l = l || (c >= 'a' && c <= 'z')
		d = d || isDigit(c)
	}
	return u && l && d
}
