package certificate

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline/keys"
)

// testKey is fixed so that tokens, and the PDFs that carry them, are the same
// on every run.
func testKey(seed byte) keys.SigningKey {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	return keys.SigningKey{ID: keys.KeyID(pub), Private: priv, Public: pub, Created: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func lookupOf(ks ...keys.SigningKey) func(string) (ed25519.PublicKey, bool) {
	return func(id string) (ed25519.PublicKey, bool) {
		for _, k := range ks {
			if k.ID == id {
				return k.Public, true
			}
		}
		return nil, false
	}
}

func sampleClaims() Claims {
	from := time.Date(2026, 3, 1, 19, 0, 0, 0, time.UTC) // midnight in Karachi
	return Claims{
		LicenceNumber: "CC-ISB-2026-000042",
		TradeName:     "Margalla Contact Solutions",
		City:          "Islamabad",
		Kind:          KindCallCentre,
		ValidFrom:     from,
		ValidUntil:    from.AddDate(1, 0, 0),
		IssuedAt:      time.Date(2026, 3, 1, 10, 15, 30, 0, time.UTC),
	}
}

func mustSign(t testing.TB, k keys.SigningKey, c Claims) string {
	t.Helper()
	tok, err := Sign(k, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSignVerifyRoundTrip(t *testing.T) {
	k := testKey(1)
	want := sampleClaims()
	tok := mustSign(t, k, want)
	if !strings.HasPrefix(tok, "GL1.") || strings.Count(tok, ".") != 2 {
		t.Fatalf("token %q is not GL1.payload.signature", tok)
	}
	got, err := Verify(tok, lookupOf(k))
	if err != nil {
		t.Fatal(err)
	}
	want.KeyID = k.ID
	if !sameClaims(got, want) {
		t.Errorf("Verify = %+v\nwant      %+v", got, want)
	}
	if got.ValidFrom.Location() != time.UTC {
		t.Errorf("times come back in %v, want UTC", got.ValidFrom.Location())
	}
	// Ed25519 is deterministic and the encoding canonical, so signing the same
	// claims again must give the same token.
	if again := mustSign(t, k, got); again != tok {
		t.Errorf("re-signing the verified claims gave a different token")
	}
	t.Logf("token is %d characters", len(tok))
}

func TestSignNormalisesTimes(t *testing.T) {
	k := testKey(1)
	c := sampleClaims()
	c.ValidFrom = c.ValidFrom.In(time.FixedZone("PKT", 5*3600)).Add(999 * time.Millisecond)
	tok := mustSign(t, k, c)
	got, err := Verify(tok, lookupOf(k))
	if err != nil {
		t.Fatal(err)
	}
	if want := sampleClaims().ValidFrom; !got.ValidFrom.Equal(want) {
		t.Errorf("ValidFrom = %v, want %v (UTC, whole seconds)", got.ValidFrom, want)
	}
}

// The format is printed on paper that must stay verifiable for years; this
// pins it so that a change to the encoding cannot slip through unnoticed.
// The token was also decoded and its signature checked independently, with
// Python's cryptography package, when it was pinned.
func TestTokenFormatIsStable(t *testing.T) {
	const want = "GL1.EkNDLUlTQi0yMDI2LTAwMDA0MhpNYXJnYWxsYSBDb250YWN0IFNvbHV0aW9ucwlJc2xhbWFiYWQBsJmSzQawgJfcBsKjkM0GGGVkMjU1MTktMzQ3NTBmOThiZDU5ZmNmYw.IhXQ87CfB8bI6JNrLnibMAD6iSiEXkWYq1dUp-tBM48vVqbuP-ZbRO1Bt-iV-asxHUEbYhkH473GQ90PG0lCCw"
	if got := mustSign(t, testKey(1), sampleClaims()); got != want {
		t.Errorf("token changed:\n got %s\nwant %s", got, want)
	}
}

func TestSignValidates(t *testing.T) {
	k := testKey(1)
	cases := map[string]func(*Claims){
		"empty licence number":   func(c *Claims) { c.LicenceNumber = "" },
		"blank trade name":       func(c *Claims) { c.TradeName = "   " },
		"padded city":            func(c *Claims) { c.City = " Lahore" },
		"control character":      func(c *Claims) { c.TradeName = "Bad\nName" },
		"invalid UTF-8":          func(c *Claims) { c.TradeName = "Bad\xffName" },
		"overlong trade name":    func(c *Claims) { c.TradeName = strings.Repeat("x", maxField+1) },
		"unknown kind":           func(c *Claims) { c.Kind = "bank" },
		"zero valid from":        func(c *Claims) { c.ValidFrom = time.Time{} },
		"zero issued at":         func(c *Claims) { c.IssuedAt = time.Time{} },
		"until before from":      func(c *Claims) { c.ValidUntil = c.ValidFrom.Add(-time.Hour) },
		"until equals from":      func(c *Claims) { c.ValidUntil = c.ValidFrom },
		"after year 9999":        func(c *Claims) { c.ValidUntil = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"before 1970":            func(c *Claims) { c.ValidFrom = time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC) },
		"claims name other key":  func(c *Claims) { c.KeyID = testKey(2).ID },
		"sub-second valid range": func(c *Claims) { c.ValidUntil = c.ValidFrom.Add(time.Millisecond) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			c := sampleClaims()
			mutate(&c)
			if tok, err := Sign(k, c); err == nil {
				t.Errorf("Sign accepted the claims and returned %s", tok)
			}
		})
	}

	if _, err := Sign(keys.SigningKey{}, sampleClaims()); err == nil {
		t.Error("Sign accepted an empty key")
	}
	bad := testKey(1)
	bad.ID = testKey(2).ID
	if _, err := Sign(bad, sampleClaims()); err == nil {
		t.Error("Sign accepted a key whose id belongs to another key")
	}
	c := sampleClaims()
	c.KeyID = k.ID
	if _, err := Sign(k, c); err != nil {
		t.Errorf("Sign refused claims already naming its key: %v", err)
	}
}

func TestSoftwareHouseAndUnicode(t *testing.T) {
	k := testKey(1)
	c := sampleClaims()
	c.Kind = KindSoftwareHouse
	c.TradeName = "Ravi Soft — راوی سافٹ"
	c.City = "Lahore"
	got, err := Verify(mustSign(t, k, c), lookupOf(k))
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != KindSoftwareHouse || got.TradeName != c.TradeName {
		t.Errorf("got kind %q name %q", got.Kind, got.TradeName)
	}
}

// Every single-byte change to a token must be caught: either it no longer
// reads as a token, or the signature no longer matches. A change to the key
// id inside the payload may instead name a key nobody has, which is caught
// too; what must never happen is that it verifies, or panics.
func TestEveryByteChangeFails(t *testing.T) {
	k := testKey(1)
	tok := mustSign(t, k, sampleClaims())
	sigStart := strings.LastIndexByte(tok, '.') + 1
	lookup := lookupOf(k)
	b := []byte(tok)
	tried := 0
	for i := range b {
		orig := b[i]
		for v := 0; v < 256; v++ {
			if byte(v) == orig {
				continue
			}
			b[i] = byte(v)
			tried++
			_, err := Verify(string(b), lookup)
			switch {
			case err == nil:
				t.Fatalf("changing byte %d to %q still verifies", i, byte(v))
			case errors.Is(err, ErrMalformed), errors.Is(err, ErrBadSignature):
			case errors.Is(err, ErrUnknownKey) && i < sigStart:
			default:
				t.Fatalf("changing byte %d to %q: unexpected error %v", i, byte(v), err)
			}
		}
		b[i] = orig
	}
	// Cutting the token short or adding to it must fail too.
	for n := 0; n < len(tok); n++ {
		if _, err := Verify(tok[:n], lookup); err == nil {
			t.Fatalf("the first %d characters verify", n)
		}
	}
	for _, extra := range []string{"A", "=", "\n", " ", ".", "AA"} {
		if _, err := Verify(tok+extra, lookup); err == nil {
			t.Errorf("the token followed by %q verifies", extra)
		}
	}
	t.Logf("%d altered tokens all refused", tried)
}

func TestSignatureChangeIsReportedAsAltered(t *testing.T) {
	k := testKey(1)
	tok := mustSign(t, k, sampleClaims())
	// Swap the licence number for another of the same length, re-encoding
	// the payload properly: only the signature can catch this.
	_, sig, c, err := parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	c.LicenceNumber = "CC-ISB-2026-000043"
	payload, _ := encodeClaims(c)
	forged := Prefix + b64.EncodeToString(payload) + "." + b64.EncodeToString(sig)
	_, err = Verify(forged, lookupOf(k))
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Verify = %v, want ErrBadSignature", err)
	}
	if err.Error() != "This certificate has been altered: its signature does not match." {
		t.Errorf("message %q is not the one the public sees", err)
	}
}

func TestUnknownKey(t *testing.T) {
	tok := mustSign(t, testKey(1), sampleClaims())
	_, err := Verify(tok, lookupOf(testKey(2)))
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Verify = %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), testKey(1).ID) {
		t.Errorf("message %q should name the key", err)
	}
	// A lookup that answers with something that is not a key is no better.
	_, err = Verify(tok, func(string) (ed25519.PublicKey, bool) { return ed25519.PublicKey{1, 2, 3}, true })
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Verify with a short key = %v, want ErrUnknownKey", err)
	}
	// A key that exists but did not sign is a bad signature, not an unknown key.
	other := testKey(2)
	_, err = Verify(tok, func(string) (ed25519.PublicKey, bool) { return other.Public, true })
	if !errors.Is(err, ErrBadSignature) {
		t.Errorf("Verify with the wrong key = %v, want ErrBadSignature", err)
	}
}

func TestRotatedKeyStillVerifies(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ring, err := keys.LoadOrCreateKeyring(dir, start)
	if err != nil {
		t.Fatal(err)
	}
	oldTok := mustSign(t, ring.Current(), sampleClaims())
	oldID := ring.Current().ID

	if _, err := keys.Rotate(dir, start.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	ring, err = keys.LoadOrCreateKeyring(dir, start.Add(31*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ring.Current().ID == oldID {
		t.Fatal("rotation did not change the current key")
	}
	newTok := mustSign(t, ring.Current(), sampleClaims())
	for name, tok := range map[string]string{"old": oldTok, "new": newTok} {
		c, err := Verify(tok, ring.Lookup)
		if err != nil {
			t.Errorf("%s token: %v", name, err)
		}
		if name == "old" && c.KeyID != oldID {
			t.Errorf("old token names key %s, want %s", c.KeyID, oldID)
		}
	}
	// And offline, from the published list alone.
	published := map[string]ed25519.PublicKey{}
	for _, p := range ring.Public() {
		k, err := p.Ed25519()
		if err != nil {
			t.Fatal(err)
		}
		published[p.ID] = k
	}
	offline := func(id string) (ed25519.PublicKey, bool) { k, ok := published[id]; return k, ok }
	if _, err := Verify(oldTok, offline); err != nil {
		t.Errorf("old token offline: %v", err)
	}
}

func TestMalformed(t *testing.T) {
	k := testKey(1)
	tok := mustSign(t, k, sampleClaims())
	payload, sig, _ := strings.Cut(strings.TrimPrefix(tok, Prefix), ".")
	cases := map[string]string{
		"empty":              "",
		"prefix only":        "GL1.",
		"two dots":           "GL1..",
		"other version":      "GL2." + payload + "." + sig,
		"lower-case prefix":  "gl1." + payload + "." + sig,
		"no signature":       "GL1." + payload,
		"extra part":         tok + ".AAAA",
		"padded":             tok + "==",
		"line break inside":  "GL1." + payload[:10] + "\n" + payload[10:] + "." + sig,
		"standard base64":    "GL1." + strings.ReplaceAll(payload, "_", "/") + "/." + sig,
		"short signature":    "GL1." + payload + "." + sig[:40],
		"empty payload":      "GL1.." + sig,
		"garbage payload":    "GL1.AAAAAAAA." + sig,
		"too long":           "GL1." + strings.Repeat("A", maxTokenLen) + "." + sig,
		"URL instead":        VerificationURL("https://greyline.example", tok),
		"leading whitespace": " " + tok,
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Verify(s, lookupOf(k))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Verify = %v, want ErrMalformed", err)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "This is not a valid greyline certificate code.") {
				t.Errorf("message %q does not start with the plain-English sentence", err)
			}
		})
	}
}

// A padded varint decodes to the same number; the payload must still be
// refused, so that one set of claims has exactly one token.
func TestDecodeIsCanonical(t *testing.T) {
	c := sampleClaims()
	c.KeyID = testKey(1).ID
	good, err := encodeClaims(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeClaims(good); err != nil {
		t.Fatalf("decoding a good payload: %v", err)
	}
	// The first byte is the licence number's length, a one-byte varint;
	// spell it in two bytes.
	padded := append([]byte{good[0] | 0x80, 0}, good[1:]...)
	if n, _ := binary.Uvarint(padded); n != uint64(good[0]) {
		t.Fatal("test payload is wrong")
	}
	if _, err := decodeClaims(padded); err == nil {
		t.Error("a padded varint was accepted")
	}
	if _, err := decodeClaims(append(good, 0)); err == nil {
		t.Error("trailing bytes were accepted")
	}
	for n := range good {
		if _, err := decodeClaims(good[:n]); err == nil {
			t.Errorf("a payload cut to %d bytes was accepted", n)
		}
	}
}

func TestVerificationURL(t *testing.T) {
	tok := mustSign(t, testKey(1), sampleClaims())
	cases := map[string]string{
		"https://greyline.gov.pk":        "https://greyline.gov.pk/verify/certificate?t=" + tok,
		"https://greyline.gov.pk/":       "https://greyline.gov.pk/verify/certificate?t=" + tok,
		"https://example.pk/greyline/":   "https://example.pk/greyline/verify/certificate?t=" + tok,
		"http://127.0.0.1:8080":          "http://127.0.0.1:8080/verify/certificate?t=" + tok,
		"https://greyline.gov.pk/?x=1#f": "https://greyline.gov.pk/verify/certificate?t=" + tok,
	}
	for base, want := range cases {
		got := VerificationURL(base, tok)
		if got != want {
			t.Errorf("VerificationURL(%q) = %q, want %q", base, got, want)
		}
		back, ok := TokenFromURL(got)
		if !ok || back != tok {
			t.Errorf("TokenFromURL(%q) = %q, %v", got, back, ok)
		}
	}
	// Escaping matters for anything outside the token alphabet.
	if got := VerificationURL("https://x.pk", "a b&c"); got != "https://x.pk/verify/certificate?t=a+b%26c" {
		t.Errorf("VerificationURL does not escape: %q", got)
	}
}

func TestTokenFromURL(t *testing.T) {
	tok := mustSign(t, testKey(1), sampleClaims())
	ok := []string{
		tok,
		"  " + tok + "\n",
		"https://greyline.gov.pk/verify/certificate?t=" + tok,
		"https://greyline.gov.pk/verify/certificate?lang=en&t=" + tok,
		"HTTPS://GREYLINE.GOV.PK/verify/certificate?t=" + tok + "#top",
		"/verify/certificate?t=" + tok,
		"https://greyline.gov.pk/verify/certificate?t=" + strings.ReplaceAll(tok, ".", "%2E"),
	}
	for _, s := range ok {
		if got, found := TokenFromURL(s); !found || got != tok {
			t.Errorf("TokenFromURL(%q) = %q, %v; want the token", s, got, found)
		}
	}
	bad := []string{
		"",
		"hello",
		"https://greyline.gov.pk/verify/certificate",
		"https://greyline.gov.pk/verify/certificate?t=",
		"https://greyline.gov.pk/verify/certificate?t=hello",
		"https://greyline.gov.pk/verify/certificate?t=GL1.a b.c",
		"GL1.abc",
		"GL1.a.b.c",
		"GL1.a\nb.c",
		"%zz",
	}
	for _, s := range bad {
		if got, found := TokenFromURL(s); found || got != "" {
			t.Errorf("TokenFromURL(%q) = %q, %v; want nothing", s, got, found)
		}
	}
}

func TestValidAt(t *testing.T) {
	c := sampleClaims()
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{c.ValidFrom.Add(-time.Second), false},
		{c.ValidFrom, true},
		{c.ValidUntil.Add(-time.Second), true},
		{c.ValidUntil, false},
	} {
		if got := c.ValidAt(tc.at); got != tc.want {
			t.Errorf("ValidAt(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	k := testKey(1)
	c := sampleClaims()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(k, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	k := testKey(1)
	tok := mustSign(b, k, sampleClaims())
	lookup := lookupOf(k)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(tok, lookup); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyTampered(b *testing.B) {
	k := testKey(1)
	tok := []byte(mustSign(b, k, sampleClaims()))
	tok[len(tok)-5] ^= 1
	s := string(tok)
	lookup := lookupOf(k)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(s, lookup); err == nil {
			b.Fatal("tampered token verified")
		}
	}
}
