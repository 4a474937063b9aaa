package certificate

import (
	"errors"
	"strings"
	"testing"
)

// FuzzVerify checks that no input panics Verify, that every failure is one of
// the three documented errors, and that the only tokens that verify are the
// ones Sign itself would produce: Ed25519 is deterministic and the encoding
// canonical, so anything else that verified would be a forgery or a second
// spelling of a genuine token.
func FuzzVerify(f *testing.F) {
	k := testKey(1)
	tok := mustSign(f, k, sampleClaims())
	other := sampleClaims()
	other.Kind = KindSoftwareHouse
	other.TradeName = "Ravi Soft — راوی سافٹ"
	f.Add(tok)
	f.Add(mustSign(f, k, other))
	f.Add(mustSign(f, testKey(2), sampleClaims()))
	f.Add(tok[:len(tok)-1])
	f.Add(strings.Replace(tok, ".", "..", 1))
	f.Add("GL1.")
	f.Add("GL1.AAAA.AAAA")
	f.Add("")
	lookup := lookupOf(k, testKey(2))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Verify(s, lookup)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("Verify(%q) returned an undocumented error: %v", s, err)
			}
			return
		}
		signer := k
		if c.KeyID == testKey(2).ID {
			signer = testKey(2)
		}
		again, err := Sign(signer, c)
		if err != nil {
			t.Fatalf("Verify accepted %q but its claims cannot be signed: %v", s, err)
		}
		if again != s {
			t.Fatalf("Verify accepted %q, which Sign spells %q", s, again)
		}
	})
}

// FuzzTokenFromURL checks that TokenFromURL never panics, only ever returns
// something shaped like a token, and that whatever it finds survives a trip
// through VerificationURL.
func FuzzTokenFromURL(f *testing.F) {
	tok := mustSign(f, testKey(1), sampleClaims())
	f.Add(tok)
	f.Add(VerificationURL("https://greyline.gov.pk", tok))
	f.Add("https://greyline.gov.pk/verify/certificate?t=" + tok + "&t=GL1.a.b")
	f.Add("https://greyline.gov.pk/verify/certificate?t=GL1.%41.b#x")
	f.Add("%zz")
	f.Add("GL1.a.b")
	f.Add("http://[::1]:80/?t=GL1..")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := TokenFromURL(s)
		if !ok {
			if got != "" {
				t.Fatalf("TokenFromURL(%q) failed but returned %q", s, got)
			}
			return
		}
		if !strings.HasPrefix(got, Prefix) || !looksLikeToken(got) {
			t.Fatalf("TokenFromURL(%q) = %q, which is not shaped like a token", s, got)
		}
		for _, base := range []string{"https://greyline.gov.pk", "http://127.0.0.1:8080/x/"} {
			back, ok := TokenFromURL(VerificationURL(base, got))
			if !ok || back != got {
				t.Fatalf("round trip of %q through %s gave %q, %v", got, base, back, ok)
			}
		}
	})
}

// FuzzTokenFromPDF checks that hostile files cannot panic TokenFromPDF and
// that anything it returns is shaped like a token.
func FuzzTokenFromPDF(f *testing.F) {
	c := sampleCertificate(f)
	f.Add(render(f, c))
	f.Add([]byte("%PDF-1.7\n(" + TokenKeyword + c.Token + ")"))
	f.Add([]byte("%PDF-1.7\n<" + strings.Repeat("0", 64) + ">"))
	f.Add([]byte("%PDF-1.7\nstream\nx\x9c\x01\x00\x00\xff\xff"))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		tok, err := TokenFromPDF(pdf)
		if err == nil && !looksLikeToken(tok) {
			t.Fatalf("TokenFromPDF returned %q, which is not shaped like a token", tok)
		}
	})
}
