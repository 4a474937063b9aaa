package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParseHash: a stored hash either parses, within the limits that keep
// one sign-in cheap, or is refused as malformed; it never panics.
func FuzzParseHash(f *testing.F) {
	h := Hasher{Time: 1, MemoryKiB: 8, Threads: 1}
	for _, s := range []string{
		h.Hash("seed"), DefaultHasher.Hash("seed"), "", "plain", "$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAA$AAAA", "$argon2id$v=19$m=8,t=1,p=300$AAAA$AAAA",
		"$argon2id$v=19$m=8,t=1,p=1$$", "x$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAA",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, encoded string) {
		p, salt, key, err := parseHash(encoded)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("parseHash(%q): %v, want ErrMalformedHash", encoded, err)
			}
			return
		}
		if p.Time == 0 || p.Time > maxHashTime || p.Threads == 0 || p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxHashMemoryKiB ||
			len(salt) > maxHashBytes || len(key) == 0 || len(key) > maxHashBytes {
			t.Fatalf("parseHash(%q) accepted %+v, salt %d bytes, key %d bytes", encoded, p, len(salt), len(key))
		}
	})
}

// FuzzCheckTOTP: a code is accepted only when it is, once spaces are
// removed, the code of a step within the allowed skew and after the last
// one used.
func FuzzCheckTOTP(f *testing.F) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	cur, _ := TOTPCode(secret, now)
	f.Add(cur, int64(0))
	f.Add(" "+cur[:3]+" "+cur[3:]+" ", int64(0))
	f.Add(cur, now.Unix()/totpPeriod)
	f.Add("000000", int64(-1))
	f.Add("", int64(0))
	f.Add("１２３４５６", int64(0))
	f.Fuzz(func(t *testing.T, code string, last int64) {
		step, ok := CheckTOTP(secret, code, now, last)
		if !ok {
			return
		}
		if step <= last || step < now.Unix()/totpPeriod-totpSkew || step > now.Unix()/totpPeriod+totpSkew {
			t.Fatalf("CheckTOTP(%q, last %d) accepted step %d", code, last, step)
		}
		want, err := TOTPCode(secret, time.Unix(step*totpPeriod, 0))
		if err != nil || strings.ReplaceAll(strings.TrimSpace(code), " ", "") != want {
			t.Fatalf("CheckTOTP(%q) accepted step %d, whose code is %q", code, step, want)
		}
	})
}
