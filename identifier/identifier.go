// Package identifier parses, normalises and extracts the identifiers that
// fraudsters leave in complaints: phone numbers, CNICs, bank and wallet
// accounts, crypto addresses, links, e-mail addresses, apps, social-media
// handles, IMEIs and IP addresses.
//
// Complainants write the same number in many ways ("0300-1234567",
// "+92 (300) 123 4567", "۰۳۰۰۱۲۳۴۵۶۷", "wa.me/923001234567"). Linking
// complaints only works if all of these reduce to one match key, so every
// parser returns a canonical Value and a Key; the raw input is kept beside
// them as evidence.
//
// The package is pure: it performs no I/O and holds no mutable state, so every
// function is safe for concurrent use.
package identifier

import "strings"

// Type is the kind of an identifier. Its string form is used in match keys,
// in JSON and on the command line.
type Type string

const (
	// Phone is a telephone number used for calls, SMS or WhatsApp. Value is
	// E.164 ("+923001234567"); numbers without a country code are read as
	// Pakistani.
	Phone Type = "phone"
	// CNIC is a Pakistani Computerised National Identity Card number, 13
	// digits. Value is written 5-7-1 ("35202-1234567-1").
	CNIC Type = "cnic"
	// IBAN is an International Bank Account Number (ISO 13616). Value is
	// upper case without spaces ("PK36SCBL0000001123456702").
	IBAN Type = "iban"
	// BankAccount is a domestic account number together with its bank, as
	// "HBL 1234-5678901234" or "HABB:12345678901234". Value is the bank's
	// four-letter IBAN code, a colon and the digits ("HABB:12345678901234").
	BankAccount Type = "bank_account"
	// Wallet is a mobile-wallet account (JazzCash, Easypaisa, SadaPay, …).
	// Wallets are opened on a phone number, so Value is the provider and
	// the E.164 number ("jazzcash:+923001234567").
	Wallet Type = "wallet"
	// Crypto is a cryptocurrency address. Chain says which network it
	// belongs to: "btc", "eth" (any EVM chain), "tron" or "unknown".
	Crypto Type = "crypto"
	// URL is a web link. Links written without a scheme ("bit.ly/abc")
	// count. Value has an ASCII, lower-case host.
	URL Type = "url"
	// Domain is a bare host name ("jazzcash-rewards.pk").
	Domain Type = "domain"
	// Email is an e-mail address, lower-cased.
	Email Type = "email"
	// App is an Android application id ("com.example.loans"), as used by
	// the Play Store.
	App Type = "app"
	// Social is a handle on a social-media platform. Value is the platform
	// and the handle ("instagram:ali.trader").
	Social Type = "social"
	// IMEI is a 15-digit handset identity with a Luhn check digit.
	IMEI Type = "imei"
	// IP is an IPv4 or IPv6 address.
	IP Type = "ip"
)

// Types lists every type, in the order they are documented.
var Types = []Type{Phone, CNIC, IBAN, BankAccount, Wallet, Crypto, URL, Domain, Email, App, Social, IMEI, IP}

// ParseType returns the Type named by s, accepting the few aliases people
// type on the command line.
func ParseType(s string) (Type, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "bank", "account", "bankaccount", "bank-account":
		return BankAccount, true
	case "mobile", "whatsapp":
		return Phone, true
	case "link":
		return URL, true
	case "handle":
		return Social, true
	}
	for _, t := range Types {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// ID is one parsed identifier.
//
// Key is what complaints are linked on. It starts with the type and a colon,
// so keys of different types never collide, and it is empty when Valid is
// false: an identifier we could not make sense of must not link two
// complaints by accident. Value is the canonical form when Valid is true and
// a best-effort clean-up of Raw otherwise.
type ID struct {
	Type  Type   `json:"type"`
	Raw   string `json:"raw"`
	Value string `json:"value"`
	Key   string `json:"key"`
	Valid bool   `json:"valid"`
	// Reason says, in plain English, why the identifier is not valid.
	Reason string `json:"reason,omitempty"`

	// Kind refines the type: for a phone "mobile", "landline",
	// "fixed_or_mobile" (countries that do not tell them apart),
	// "toll_free", "premium", "shared_cost", "uan", "personal", "voip",
	// "pager" or "voicemail"; for an IP "public",
	// "private", "loopback", "link_local", "multicast" or "reserved"; for
	// a URL "shortener" when the host is a known link shortener.
	Kind string `json:"kind,omitempty"`
	// Region is the ISO 3166 country of a phone number, wallet, IBAN or
	// bank account, or the province of a CNIC.
	Region string `json:"region,omitempty"`
	// Chain is the network of a crypto address: "btc", "eth", "tron" or
	// "unknown".
	Chain string `json:"chain,omitempty"`
	// Host is the ASCII, lower-case host of a URL, domain or e-mail address.
	Host string `json:"host,omitempty"`
	// RegistrableDomain is the domain a registrant controls, from the
	// public suffix list ("example.com.pk" for "login.example.com.pk"), so
	// that links on different sub-domains of one site can be grouped.
	RegistrableDomain string `json:"registrable_domain,omitempty"`
	// Platform is the social-media platform of a handle: "facebook",
	// "instagram", "tiktok", "x", "telegram", "youtube", "snapchat",
	// "linkedin" or "threads".
	Platform string `json:"platform,omitempty"`
	// Bank is the four-letter bank code of an IBAN or bank account.
	Bank string `json:"bank,omitempty"`
	// Provider is the mobile-wallet provider, e.g. "jazzcash".
	Provider string `json:"provider,omitempty"`
}

// Parse reads raw as an identifier of type t. It never fails: an identifier
// that cannot be read comes back with Valid false and a Reason.
func Parse(t Type, raw string) ID {
	s := trimSpace(raw)
	var id ID
	switch t {
	case Phone:
		id = parsePhone(s)
	case CNIC:
		id = parseCNIC(s)
	case IBAN:
		id = parseIBAN(s)
	case BankAccount:
		id = parseBankAccount(s)
	case Wallet:
		id = parseWallet(s)
	case Crypto:
		id = parseCrypto(s)
	case URL:
		id = parseURL(s)
	case Domain:
		id = parseDomain(s)
	case Email:
		id = parseEmail(s)
	case App:
		id = parseApp(s)
	case Social:
		id = parseSocial(s)
	case IMEI:
		id = parseIMEI(s)
	case IP:
		id = parseIP(s)
	default:
		id = ID{Reason: "unknown identifier type " + quote(string(t))}
	}
	id.Type = t
	id.Raw = raw
	if id.Valid {
		id.Reason = ""
	} else {
		id.Key = ""
		if id.Reason == "" {
			id.Reason = "not a valid " + t.name()
		}
	}
	return id
}

// name is the type as written in a sentence.
func (t Type) name() string {
	switch t {
	case Phone:
		return "phone number"
	case CNIC:
		return "CNIC"
	case IBAN:
		return "IBAN"
	case BankAccount:
		return "bank account"
	case Wallet:
		return "wallet account"
	case Crypto:
		return "crypto address"
	case URL:
		return "link"
	case Domain:
		return "domain name"
	case Email:
		return "e-mail address"
	case App:
		return "app id"
	case Social:
		return "social-media handle"
	case IMEI:
		return "IMEI"
	case IP:
		return "IP address"
	}
	return string(t)
}

// invalid is the common way parsers give up.
func invalid(value, reason string) ID {
	return ID{Value: value, Reason: reason}
}

// trimSpace trims ASCII and Unicode white space, plus the invisible marks
// that copying from WhatsApp and Urdu keyboards leaves around text.
func trimSpace(s string) string {
	for len(s) > 0 {
		if c := s[0]; c < 0x80 {
			if !isSpaceByte(c) {
				break
			}
			s = s[1:]
			continue
		}
		n := invisibleAt(s, 0)
		if n == 0 {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < 0x80 {
			if !isSpaceByte(c) {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		n := invisibleBefore(s, len(s))
		if n == 0 {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// invisibleAt returns the length of the space-like or invisible character at
// s[i], or 0: no-break space, the zero-width characters, the bidi marks that
// Urdu text carries around numbers, and the byte-order mark.
func invisibleAt(s string, i int) int {
	if i+1 < len(s) && s[i] == 0xC2 && s[i+1] == 0xA0 { // U+00A0
		return 2
	}
	if i+2 < len(s) && s[i] == 0xE2 && s[i+1] == 0x80 {
		c := s[i+2]
		// U+2000–U+200F spaces, zero-width and LRM/RLM; U+2028/2029;
		// U+202A–U+202F embeddings and narrow no-break space.
		if c <= 0x8F || (c >= 0xA8 && c <= 0xAF) {
			return 3
		}
	}
	if i+2 < len(s) && s[i] == 0xE2 && s[i+1] == 0x81 && (s[i+2] == 0xA0 || (s[i+2] >= 0xA6 && s[i+2] <= 0xA9)) {
		return 3 // word joiner, bidi isolates
	}
	if i+2 < len(s) && s[i] == 0xEF && s[i+1] == 0xBB && s[i+2] == 0xBF {
		return 3
	}
	if i+1 < len(s) && s[i] == 0xD8 && s[i+1] == 0x9C { // U+061C Arabic letter mark
		return 2
	}
	return 0
}

// invisibleBefore is invisibleAt for the character ending at s[end].
func invisibleBefore(s string, end int) int {
	for n := 2; n <= 3; n++ {
		if end-n >= 0 && invisibleAt(s, end-n) == n {
			return n
		}
	}
	return 0
}

// quote quotes s for a reason without pulling in fmt on hot paths.
func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return "\"" + s + "\""
}

// lowerASCII lower-cases ASCII letters, returning s itself when nothing
// changes so that the common case does not allocate.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// upperASCII is lowerASCII the other way round.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'a' && c <= 'z' {
					b[j] = c - ('a' - 'A')
				}
			}
			return string(b)
		}
	}
	return s
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix p,
// ignoring ASCII case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
