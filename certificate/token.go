// Package certificate makes and checks the signed licence certificates: a
// compact Ed25519-signed token that anyone can verify offline from the
// published keys, the printable PDF that carries it in a QR code, and the
// way back from a PDF or a scanned URL to the token.
//
// A token reads "GL1." + base64url(payload) + "." + base64url(signature).
// The signature covers "GL1." and the encoded payload, so the version cannot
// be swapped without breaking it. The payload is a small binary record (see
// encodeClaims) rather than JSON, to keep the QR code small enough to scan
// reliably from paper.
package certificate

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/greyline/greyline/keys"
)

// Prefix starts every token of this format.
const Prefix = "GL1."

// The two kinds of licensee.
const (
	KindCallCentre    = "call_centre"
	KindSoftwareHouse = "software_house"
)

// kindCodes fixes each kind's byte in the payload. Codes are never reused:
// a token printed today must mean the same thing in ten years.
var kindCodes = map[string]byte{KindCallCentre: 1, KindSoftwareHouse: 2}

// KindLabel is the kind as printed for people.
func KindLabel(kind string) string {
	switch kind {
	case KindCallCentre:
		return "Call centre"
	case KindSoftwareHouse:
		return "Software house"
	}
	return kind
}

// Claims are what a certificate asserts and signs. Times are UTC and whole
// seconds.
type Claims struct {
	LicenceNumber string    `json:"licence_number"`
	TradeName     string    `json:"trade_name"`
	City          string    `json:"city"` // the city of the licensed site
	Kind          string    `json:"kind"` // KindCallCentre or KindSoftwareHouse
	ValidFrom     time.Time `json:"valid_from"`
	ValidUntil    time.Time `json:"valid_until"`
	IssuedAt      time.Time `json:"issued_at"`
	KeyID         string    `json:"key_id"` // the key that signed; set by Sign
}

// ValidAt reports whether t falls in the certificate's validity period. It
// says nothing about suspension or revocation, which only the live registry
// knows.
func (c Claims) ValidAt(t time.Time) bool {
	return !t.Before(c.ValidFrom) && t.Before(c.ValidUntil)
}

// The errors of Verify. Their messages are written for the member of the
// public who scanned the code, since the verify page and the command show
// them as they are; test for them with errors.Is.
var (
	ErrMalformed    = errors.New("This is not a valid greyline certificate code.")
	ErrUnknownKey   = errors.New("This certificate was signed with a key greyline has not published, so it cannot be trusted.")
	ErrBadSignature = errors.New("This certificate has been altered: its signature does not match.")
)

// Limits on the payload. They are generous for real names but stop a
// hostile token from making Verify do much work.
const (
	maxField    = 800  // bytes in any one text field: 200 characters of up to 4 bytes
	maxTokenLen = 2048 // characters in a whole token
)

// b64 is strict so that each token has exactly one spelling: otherwise the
// unused low bits of the last character could be changed and the altered
// text would still verify.
var b64 = base64.RawURLEncoding.Strict()

// Sign validates c and signs it with key, returning the token. c.KeyID may
// be empty (it is set to key.ID) or must already name key. Times are
// converted to UTC and truncated to the second.
func Sign(key keys.SigningKey, c Claims) (string, error) {
	if len(key.Private) != ed25519.PrivateKeySize {
		return "", errors.New("certificate: the signing key is missing or not an Ed25519 private key")
	}
	pub := key.Private.Public().(ed25519.PublicKey)
	if key.ID != keys.KeyID(pub) {
		return "", fmt.Errorf("certificate: signing key id %q does not belong to its key (%s)", key.ID, keys.KeyID(pub))
	}
	if c.KeyID != "" && c.KeyID != key.ID {
		return "", fmt.Errorf("certificate: claims name key %s but are being signed with %s", c.KeyID, key.ID)
	}
	c.KeyID = key.ID
	c = normalise(c)
	if err := c.validate(); err != nil {
		return "", err
	}
	payload, err := encodeClaims(c)
	if err != nil {
		return "", err
	}
	signed := Prefix + b64.EncodeToString(payload)
	sig := ed25519.Sign(key.Private, []byte(signed))
	return signed + "." + b64.EncodeToString(sig), nil
}

func normalise(c Claims) Claims {
	c.ValidFrom = c.ValidFrom.UTC().Truncate(time.Second)
	c.ValidUntil = c.ValidUntil.UTC().Truncate(time.Second)
	c.IssuedAt = c.IssuedAt.UTC().Truncate(time.Second)
	return c
}

// validate holds the rules for signing. Verify applies only the structural
// rules of decodeClaims, so that tightening these later does not turn
// certificates already issued into "invalid" ones.
func (c Claims) validate() error {
	var problems []string
	text := func(name, v string) {
		switch {
		case strings.TrimSpace(v) == "":
			problems = append(problems, name+" is empty")
		case v != strings.TrimSpace(v):
			problems = append(problems, name+" has leading or trailing spaces")
		case len(v) > maxField:
			problems = append(problems, fmt.Sprintf("%s is longer than %d bytes", name, maxField))
		case !printable(v):
			problems = append(problems, name+" contains invalid or control characters")
		}
	}
	text("licence number", c.LicenceNumber)
	text("trade name", c.TradeName)
	text("city", c.City)
	text("key id", c.KeyID)
	if _, ok := kindCodes[c.Kind]; !ok {
		problems = append(problems, fmt.Sprintf("kind %q is neither %q nor %q", c.Kind, KindCallCentre, KindSoftwareHouse))
	}
	when := func(name string, t time.Time) {
		if t.Unix() <= 0 || t.Year() > 9999 {
			problems = append(problems, name+" is not set or out of range")
		}
	}
	when("valid from", c.ValidFrom)
	when("valid until", c.ValidUntil)
	when("issued at", c.IssuedAt)
	if !c.ValidUntil.After(c.ValidFrom) {
		problems = append(problems, "valid until is not after valid from")
	}
	if len(problems) > 0 {
		return fmt.Errorf("certificate: cannot sign: %s", strings.Join(problems, "; "))
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != '\u200c' && r != '\u200d' { // ZWNJ and ZWJ shape Urdu words
			return false
		}
	}
	return true
}

// Verify checks token's signature with the key lookup finds for its key id
// and returns the claims. It does not check dates or the licence's current
// status: an expired or revoked licence still has a genuine certificate, and
// saying which is the caller's job.
func Verify(token string, lookup func(keyID string) (ed25519.PublicKey, bool)) (Claims, error) {
	signed, sig, c, err := parse(token)
	if err != nil {
		return Claims{}, err
	}
	var pub ed25519.PublicKey
	ok := false
	if lookup != nil {
		pub, ok = lookup(c.KeyID)
	}
	if !ok || len(pub) != ed25519.PublicKeySize {
		return Claims{}, fmt.Errorf("%w It names key %s.", ErrUnknownKey, c.KeyID)
	}
	if !ed25519.Verify(pub, []byte(signed), sig) {
		return Claims{}, ErrBadSignature
	}
	return c, nil
}

// parse splits and decodes a token without checking its signature. The
// claims it returns must not be trusted.
func parse(token string) (signed string, sig []byte, c Claims, err error) {
	malformed := func(why string) error { return fmt.Errorf("%w %s", ErrMalformed, why) }
	if !strings.HasPrefix(token, Prefix) {
		return "", nil, Claims{}, malformed("It does not start with " + Prefix)
	}
	if len(token) > maxTokenLen {
		return "", nil, Claims{}, malformed("It is far too long.")
	}
	// Checked by hand because the base64 decoder skips line breaks, which
	// would let differently written tokens pass as the same one.
	for i := 0; i < len(token); i++ {
		if !tokenByte(token[i]) {
			return "", nil, Claims{}, malformed("It contains characters that do not belong in it.")
		}
	}
	body := token[len(Prefix):]
	dot := strings.IndexByte(body, '.')
	if dot < 0 || strings.Count(body, ".") != 1 {
		return "", nil, Claims{}, malformed("It should have two parts separated by a dot; it may have been cut short.")
	}
	payload, err := b64.DecodeString(body[:dot])
	if err != nil {
		return "", nil, Claims{}, malformed("Its content is damaged.")
	}
	sig, err = b64.DecodeString(body[dot+1:])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return "", nil, Claims{}, malformed("Its signature is damaged or incomplete.")
	}
	c, err = decodeClaims(payload)
	if err != nil {
		return "", nil, Claims{}, malformed("Its content is damaged.")
	}
	return Prefix + body[:dot], sig, c, nil
}

// tokenByte reports whether b may appear in a token: the base64url alphabet
// and the dots between the parts.
func tokenByte(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_' || b == '.'
}

// encodeClaims writes the payload: licence number, trade name and city as
// uvarint-length-prefixed UTF-8; the kind as one byte; valid from, valid
// until and issued at as uvarint Unix seconds; then the key id, again
// length-prefixed. Nothing may follow.
func encodeClaims(c Claims) ([]byte, error) {
	code, ok := kindCodes[c.Kind]
	if !ok {
		return nil, fmt.Errorf("certificate: unknown kind %q", c.Kind)
	}
	b := make([]byte, 0, 64+len(c.LicenceNumber)+len(c.TradeName)+len(c.City)+len(c.KeyID))
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	str(c.LicenceNumber)
	str(c.TradeName)
	str(c.City)
	b = append(b, code)
	b = binary.AppendUvarint(b, uint64(c.ValidFrom.Unix()))
	b = binary.AppendUvarint(b, uint64(c.ValidUntil.Unix()))
	b = binary.AppendUvarint(b, uint64(c.IssuedAt.Unix()))
	str(c.KeyID)
	return b, nil
}

var errDecode = errors.New("bad payload")

func decodeClaims(b []byte) (Claims, error) {
	orig := b
	fail := false
	uvarint := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			fail = true
			return 0
		}
		b = b[n:]
		return v
	}
	str := func() string {
		n := uvarint()
		if fail || n > maxField || n > uint64(len(b)) {
			fail = true
			return ""
		}
		s := string(b[:n])
		b = b[n:]
		if !printable(s) {
			fail = true
		}
		return s
	}
	unix := func() time.Time {
		v := uvarint()
		// Beyond year 9999 a time cannot be formatted, so it cannot be a
		// real certificate.
		if v == 0 || v > 253402300799 {
			fail = true
			return time.Time{}
		}
		return time.Unix(int64(v), 0).UTC()
	}
	var c Claims
	c.LicenceNumber = str()
	c.TradeName = str()
	c.City = str()
	if fail || len(b) == 0 {
		return Claims{}, errDecode
	}
	code := b[0]
	b = b[1:]
	for k, v := range kindCodes {
		if v == code {
			c.Kind = k
		}
	}
	c.ValidFrom = unix()
	c.ValidUntil = unix()
	c.IssuedAt = unix()
	c.KeyID = str()
	if fail || c.Kind == "" || len(b) != 0 {
		return Claims{}, errDecode
	}
	// Varints can be padded; insisting that re-encoding gives the same bytes
	// makes the encoding canonical, so one set of claims has one token.
	again, err := encodeClaims(c)
	if err != nil || string(again) != string(orig) {
		return Claims{}, errDecode
	}
	return c, nil
}

// VerifyPath is where the public verify page lives, below the site's base URL.
const VerifyPath = "/verify/certificate"

// VerificationURL returns the address the QR code carries: base (the
// site's public URL, e.g. "https://greyline.gov.pk") + VerifyPath + "?t=" +
// token, escaped.
func VerificationURL(base, token string) string {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		// Not something url can parse, so build it by hand; the query is
		// still escaped.
		return strings.TrimRight(base, "/") + VerifyPath + "?t=" + url.QueryEscape(token)
	}
	u.Path = strings.TrimRight(u.Path, "/") + VerifyPath
	u.RawPath = ""
	u.RawQuery = "t=" + url.QueryEscape(token)
	u.Fragment = ""
	u.RawFragment = ""
	return u.String()
}

// TokenFromURL finds the token in what someone scanned or pasted: a verify
// URL from any greyline site, or a bare token. It only checks that the
// result looks like a token; Verify decides whether it is one.
func TokenFromURL(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, Prefix) {
		if !looksLikeToken(s) {
			return "", false
		}
		return s, true
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	t := u.Query().Get("t")
	if !looksLikeToken(t) {
		return "", false
	}
	return t, true
}

func looksLikeToken(s string) bool {
	if !strings.HasPrefix(s, Prefix) || len(s) > maxTokenLen || strings.Count(s, ".") != 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenByte(s[i]) {
			return false
		}
	}
	return true
}
