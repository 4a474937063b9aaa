// Package stix writes greyline's indicators as STIX 2.1 bundles and reads
// partners' bundles back as indicators, for exchange with MISP, OpenCTI and
// other agencies.
//
// A written bundle holds, for every record, an indicator with a STIX pattern
// and the cyber-observable it is based on: domain-name, url, ipv4-addr,
// ipv6-addr and email-addr from the specification, and two new SCO types,
// phone-number and cryptocurrency-wallet, declared by extension-definition
// objects (extension_types ["new-sco"]) that travel in the bundle. Every
// object carries a TLP 2.0 marking, and the OASIS TLP 2.0 marking-definition
// objects that are used travel with it. The producer is an identity object
// named by created_by_ref.
//
// Identifiers are deterministic, so exporting the same record again updates
// the partner's copy instead of duplicating it: SCO ids are UUIDv5 in the
// STIX namespace over their id-contributing properties (STIX 2.1 section
// 2.9), indicator ids UUIDv5 in greyline's namespace over kind and value.
//
// Parse is all-or-nothing: a bundle with one malformed object is refused
// whole, with an error naming the object and the field.
//
// The package is pure: it performs no I/O beyond the writer it is given.
package stix

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"time"
)

// Kind is the kind of an indicator's value.
type Kind string

const (
	Domain Kind = "domain" // domain-name
	URL    Kind = "url"    // url
	IPv4   Kind = "ipv4"   // ipv4-addr
	IPv6   Kind = "ipv6"   // ipv6-addr
	Email  Kind = "email"  // email-addr
	Phone  Kind = "phone"  // phone-number (new SCO, E.164 value)
	Crypto Kind = "crypto" // cryptocurrency-wallet (new SCO)
)

// Kinds lists every kind, in the order bundles are documented.
var Kinds = []Kind{Domain, URL, IPv4, IPv6, Email, Phone, Crypto}

// TLP is a Traffic Light Protocol 2.0 level.
type TLP string

const (
	TLPClear       TLP = "clear"
	TLPGreen       TLP = "green"
	TLPAmber       TLP = "amber"
	TLPAmberStrict TLP = "amber+strict"
	TLPRed         TLP = "red"
)

// TLPs lists the levels from least to most restrictive.
var TLPs = []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}

// Record is one indicator.
//
// Value is canonical as package identifier writes it: E.164 for a phone,
// lower-case host for a domain, and so on. Chain is set for Crypto only and
// uses identifier's chain names ("btc", "eth", "tron", "unknown", or the
// partner's name for a chain identifier cannot recognise).
type Record struct {
	Kind        Kind
	Value       string
	Chain       string
	Name        string
	Description string
	Labels      []string
	// TLP is empty on import when the partner marked nothing; Write
	// refuses an empty TLP, so the importer has to choose one.
	TLP       TLP
	Created   time.Time
	Modified  time.Time
	ValidFrom time.Time
	Revoked   bool
}

// Producer is the agency that shares the bundle; it becomes the identity
// object that every indicator's created_by_ref names.
type Producer struct {
	Name string
	// Class is the STIX identity_class; "organization" when empty.
	Class string
	// Contact is optional contact information for the partners.
	Contact string
}

// stixNamespace is the UUIDv5 namespace STIX 2.1 (section 2.9) fixes for
// deterministic SCO identifiers.
var stixNamespace = mustUUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

// greylineNamespace is greyline's own UUIDv5 namespace, for identifiers of
// objects the specification leaves to the producer (indicators, identities,
// extension definitions, bundles). It must never change: partners key
// updates on the ids derived from it.
var greylineNamespace = mustUUID("c22cafe6-306c-403e-a26a-25012f68606f")

// objectType is the STIX type of each kind's observable.
var objectType = map[Kind]string{
	Domain: "domain-name",
	URL:    "url",
	IPv4:   "ipv4-addr",
	IPv6:   "ipv6-addr",
	Email:  "email-addr",
	Phone:  "phone-number",
	Crypto: "cryptocurrency-wallet",
}

// kindOfType is objectType reversed.
var kindOfType = func() map[string]Kind {
	m := make(map[string]Kind, len(objectType))
	for k, t := range objectType {
		m[t] = k
	}
	return m
}()

// uuid5 returns the RFC 9562 version 5 UUID of name in namespace ns.
func uuid5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}

func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

func mustUUID(s string) [16]byte {
	var u [16]byte
	h := strings.ReplaceAll(s, "-", "")
	if _, err := hex.Decode(u[:], []byte(h)); err != nil || len(h) != 32 {
		panic("stix: bad UUID constant " + s)
	}
	return u
}

// isUUID reports whether s is a UUID as STIX identifiers allow it
// (versions 1 to 5, RFC 4122 variant), in either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		case 14:
			if c < '1' || c > '5' {
				return false
			}
		case 19:
			if !strings.ContainsRune("89abAB", rune(c)) {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isTypeName reports whether s is a valid STIX object type name: 3 to 250
// characters of a-z, 0-9 and single hyphens, starting with a letter.
func isTypeName(s string) bool {
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// scoID is the deterministic id of an observable whose only id-contributing
// property is value: UUIDv5 in the STIX namespace over the RFC 8785
// canonical JSON of {"value": v}.
func scoID(typ, value string) string {
	return typ + "--" + uuid5(stixNamespace, `{"value":`+jcsString(value)+`}`)
}

// jcsString serialises s as an RFC 8785 (JCS) JSON string: only the quote,
// the backslash and control characters are escaped, everything else is
// written as UTF-8. encoding/json differs (it escapes <, >, &, U+2028 and
// U+2029), which would change the hash.
func jcsString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				const digits = "0123456789abcdef"
				b.WriteString(`\u00`)
				b.WriteByte(digits[r>>4])
				b.WriteByte(digits[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// timestampLayout is STIX's timestamp with the millisecond precision that
// created and modified require.
const timestampLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format(timestampLayout)
}
