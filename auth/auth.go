// Package auth holds the credential primitives: argon2id password hashes,
// random secrets for sessions and tokens, TOTP codes and recovery codes.
// It is pure: no storage, no clock of its own.
package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image/png"
	neturl "net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"
)

// Hasher hashes passwords with argon2id. Its parameters are injected so that
// tests may use a cheaper, still real, setting.
type Hasher struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultHasher follows the OWASP minimum for argon2id (m=19 MiB, t=2, p=1).
var DefaultHasher = Hasher{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// Hash returns a PHC-format argon2id hash of password.
func (h Hasher) Hash(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, h.Time, h.MemoryKiB, h.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.MemoryKiB, h.Time, h.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// ErrMalformedHash means a stored hash could not be parsed.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// Verify reports whether password matches encoded, in constant time.
func (Hasher) Verify(password, encoded string) (bool, error) {
	h, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, h.Time, h.MemoryKiB, h.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Limits on a stored hash's parameters: far above what Hash writes, but a
// damaged or planted hash must not make one sign-in allocate gigabytes.
const (
	maxHashMemoryKiB = 1 << 20 // 1 GiB
	maxHashTime      = 64
	maxHashBytes     = 1024 // salt and key
)

// parseHash reads a PHC-format argon2id hash written by Hash.
func parseHash(encoded string) (h Hasher, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, nil, nil, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, nil, nil, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.MemoryKiB, &h.Time, &h.Threads); err != nil ||
		h.Time == 0 || h.Threads == 0 || h.Time > maxHashTime || h.MemoryKiB < 8*uint32(h.Threads) || h.MemoryKiB > maxHashMemoryKiB {
		return h, nil, nil, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err = b64.DecodeString(parts[4])
	if err != nil || len(salt) > maxHashBytes {
		return h, nil, nil, ErrMalformedHash
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 || len(key) > maxHashBytes {
		return h, nil, nil, ErrMalformedHash
	}
	return h, salt, key, nil
}

// NewSecret returns a random URL-safe secret with the given prefix, and the
// hex SHA-256 under which it is stored. Secrets carry 256 bits, so a plain
// hash (not a password hash) is enough.
func NewSecret(prefix string) (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a secret.
func HashSecret(secret string) string {
	s := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(s[:])
}

// TOTP settings: RFC 6238 defaults, understood by every authenticator app.
const (
	totpPeriod = 30
	totpSkew   = 1
)

// NewTOTP generates a TOTP key for account and renders its QR code as PNG.
func NewTOTP(issuer, account string) (secret, url string, qr []byte, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", nil, err
	}
	qr, err = qrPNG(key)
	return key.Secret(), key.URL(), qr, err
}

// TOTPKey rebuilds the otpauth URL and QR code for an existing secret.
func TOTPKey(issuer, account, secret string) (url string, qr []byte, err error) {
	v := neturl.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("period", "30")
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	u := neturl.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: v.Encode()}
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return "", nil, err
	}
	qr, err = qrPNG(key)
	return key.URL(), qr, err
}

func qrPNG(key *otp.Key) ([]byte, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TOTPCode returns the code for secret at t (used by tests and clients).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// CheckTOTP validates code against secret at now, accepting one step of
// clock skew. It returns the matched time step, which the caller stores and
// requires to increase, so that a code cannot be replayed.
func CheckTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := cur + d
		if s <= lastStep {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// RecoveryCodeCount is how many recovery codes a user receives.
const RecoveryCodeCount = 10

var recoveryEnc = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewRecoveryCodes returns fresh one-time codes formatted "XXXXX-XXXXX".
func NewRecoveryCodes() []string {
	out := make([]string, RecoveryCodeCount)
	for i := range out {
		b := make([]byte, 7)
		rand.Read(b)
		s := recoveryEnc.EncodeToString(b)[:10]
		out[i] = s[:5] + "-" + s[5:]
	}
	return out
}

// NormalizeRecoveryCode makes user input comparable with a stored code.
func NormalizeRecoveryCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
	if len(s) != 10 {
		return s
	}
	return s[:5] + "-" + s[5:]
}

// EqualSecret compares two stored secret hashes in constant time.
func EqualSecret(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
