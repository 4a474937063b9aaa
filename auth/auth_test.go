package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	h := Hasher{Time: 1, MemoryKiB: 1024, Threads: 1}
	enc := h.Hash("correct horse battery")
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash = %s", enc)
	}
	if enc == h.Hash("correct horse battery") {
		t.Error("two hashes of one password are equal: salt missing")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		ok, err := h.Verify(pw, enc)
		if err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	// Verification uses the parameters stored in the hash, not the hasher's.
	if ok, _ := DefaultHasher.Verify("correct horse battery", enc); !ok {
		t.Error("hash made with other parameters does not verify")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=8,t=1,p=1$!!$AAAA", "plain",
		// Parameters that would make one sign-in allocate 4 TiB or run for ever.
		"$argon2id$v=19$m=4294967295,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=8,t=4294967295,p=1$AAAA$AAAA"} {
		if _, err := h.Verify("x", bad); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q): err = %v, want ErrMalformedHash", bad, err)
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret, url, qr, err := NewTOTP("greyline", "a@b.pk")
	if err != nil || !strings.HasPrefix(url, "otpauth://totp/") || len(qr) == 0 {
		t.Fatalf("NewTOTP: %v %s", err, url)
	}
	now := time.Date(2026, 11, 25, 10, 0, 15, 0, time.UTC)
	code, _ := TOTPCode(secret, now)
	step, ok := CheckTOTP(secret, code, now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("current code refused")
	}
	if _, ok := CheckTOTP(secret, code, now, step); ok {
		t.Error("code accepted twice")
	}
	if _, ok := CheckTOTP(secret, code, now.Add(30*time.Second), 0); !ok {
		t.Error("one step of clock skew refused")
	}
	if _, ok := CheckTOTP(secret, code, now.Add(90*time.Second), 0); ok {
		t.Error("code accepted three steps later")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := CheckTOTP(secret, bad, now, 0); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	url2, _, err := TOTPKey("greyline", "a@b.pk", secret)
	if err != nil || !strings.Contains(url2, "secret="+secret) {
		t.Errorf("TOTPKey: %v %s", err, url2)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes()
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 11 || c[5] != '-' || seen[c] {
			t.Errorf("bad or repeated code %q", c)
		}
		seen[c] = true
		if NormalizeRecoveryCode(" "+strings.ToLower(strings.ReplaceAll(c, "-", " "))+" ") != c {
			t.Errorf("normalising %q", c)
		}
	}
}

func TestSecrets(t *testing.T) {
	s, h := NewSecret("glt_")
	if !strings.HasPrefix(s, "glt_") || HashSecret(s) != h || len(h) != 64 {
		t.Fatalf("secret %q hash %q", s, h)
	}
	if s2, _ := NewSecret("glt_"); s2 == s {
		t.Error("secrets repeat")
	}
}
