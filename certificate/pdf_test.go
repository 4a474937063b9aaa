package certificate

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sampleCertificate(t testing.TB) Certificate {
	t.Helper()
	k := testKey(1)
	c := sampleClaims()
	tok := mustSign(t, k, c)
	c.KeyID = k.ID
	return Certificate{
		Claims:    c,
		Token:     tok,
		VerifyURL: VerificationURL("https://greyline.gov.pk", tok),
		LegalName: "Margalla Contact Solutions (Private) Limited",
		Address:   "Plot 12, Street 7, Sector I-9/2, Industrial Area",
		Province:  "Islamabad Capital Territory",
		Seats:     240,
	}
}

func render(t testing.TB, c Certificate) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRender(t *testing.T) {
	c := sampleCertificate(t)
	pdf := render(t, c)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("output starts %q, not %%PDF-", pdf[:min(len(pdf), 16)])
	}
	if !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Error("output has no end-of-file marker")
	}
	tok, err := TokenFromPDF(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if tok != c.Token {
		t.Errorf("TokenFromPDF = %q, want %q", tok, c.Token)
	}
	if _, err := Verify(tok, lookupOf(testKey(1))); err != nil {
		t.Errorf("the token in the PDF does not verify: %v", err)
	}
	if again := render(t, c); !bytes.Equal(again, pdf) {
		t.Error("rendering the same certificate twice gave different files")
	}
	t.Logf("PDF is %d bytes", len(pdf))

	text := pdfText(t, pdf)
	if text == "" {
		return
	}
	for _, want := range []string{
		"Licence certificate",
		"CC-ISB-2026-000042",
		"Margalla Contact Solutions (Private) Limited",
		"Call centre",
		"Sector I-9/2",
		"Islamabad Capital Territory",
		"240",
		"2 March 2026, 00:00 PKT", // 1 March 19:00 UTC, in Karachi
		"2 March 2027, 00:00 PKT",
		"1 March 2026, 15:15 PKT",
		"PTA",
		"NCCIA",
		"Security Agency",
		"valid only for the site named above",
		"greyline.gov.pk/verify/certificate?t=GL1.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
}

// pdfText extracts the text with pdftotext, or returns "" (and says so) when
// poppler-utils is not installed: the check is worth having but not worth
// making every developer install it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not found; skipping the text checks (apt-get install poppler-utils to run them)")
		return ""
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// Collapse runs of spaces that -layout uses for alignment.
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestRenderVariants(t *testing.T) {
	k := testKey(1)
	c := sampleCertificate(t)
	c.Kind = KindSoftwareHouse
	c.LicenceNumber = "SH-LHE-2026-000007"
	c.TradeName = "Ravi Soft — راوی سافٹ" // outside Windows-1252: must not fail
	c.City = "Lahore"
	c.Province = "Punjab"
	c.Seats = 0
	c.LegalName = ""
	c.Provisional = true
	c.Token = mustSign(t, k, c.Claims)
	c.VerifyURL = VerificationURL("http://127.0.0.1:8080", c.Token)
	pdf := render(t, c)
	if tok, err := TokenFromPDF(pdf); err != nil || tok != c.Token {
		t.Fatalf("TokenFromPDF = %q, %v", tok, err)
	}
	text := pdfText(t, pdf)
	if text == "" {
		return
	}
	for _, want := range []string{"SH-LHE-2026-000007", "Software house", "PROVISIONAL LICENCE", "a software house"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	if strings.Contains(text, "Seats") {
		t.Error("a certificate without seats still prints the line")
	}
}

func TestRenderRefusesInconsistentCertificates(t *testing.T) {
	cases := map[string]func(*Certificate){
		"printed number differs": func(c *Certificate) { c.LicenceNumber = "CC-ISB-2026-000043" },
		"printed dates differ":   func(c *Certificate) { c.ValidUntil = c.ValidUntil.AddDate(1, 0, 0) },
		"no token":               func(c *Certificate) { c.Token = "" },
		"damaged token":          func(c *Certificate) { c.Token = c.Token[:len(c.Token)-10] },
		"URL without token":      func(c *Certificate) { c.VerifyURL = "https://greyline.gov.pk/verify/certificate" },
		"URL with other token": func(c *Certificate) {
			other := sampleClaims()
			other.LicenceNumber = "CC-ISB-2026-000099"
			c.VerifyURL = VerificationURL("https://greyline.gov.pk", mustSign(t, testKey(1), other))
		},
		"negative seats": func(c *Certificate) { c.Seats = -1 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			c := sampleCertificate(t)
			mutate(&c)
			var buf bytes.Buffer
			if err := Render(&buf, c); err == nil {
				t.Error("Render accepted it")
			}
			if buf.Len() != 0 {
				t.Error("Render wrote output despite refusing")
			}
		})
	}
	// The key id may be left out of the printed claims; it comes from the token.
	c := sampleCertificate(t)
	c.KeyID = ""
	if err := Render(&bytes.Buffer{}, c); err != nil {
		t.Errorf("Render without a key id: %v", err)
	}
}

func TestTokenFromPDFSurvivesResaving(t *testing.T) {
	tok := sampleCertificate(t).Token
	utf16 := "\xfe\xff" + string(utf16BE(TokenKeyword+tok))
	compressed := func(s string) string {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.String()
	}
	head := "%PDF-1.7\n"
	cases := map[string]string{
		"literal":          head + "<< /Keywords (" + TokenKeyword + tok + ") >>",
		"UTF-16 literal":   head + "<< /Keywords (" + utf16 + ") >>",
		"hex string":       head + "<< /Keywords <" + hex.EncodeToString([]byte(TokenKeyword+tok)) + "> >>",
		"UTF-16 hex":       head + "<< /Keywords <" + strings.ToUpper(hex.EncodeToString([]byte(utf16))) + "> >>",
		"hex with spaces":  head + "<< /Keywords <" + spaced(hex.EncodeToString([]byte(TokenKeyword+tok))) + ">>>",
		"object stream":    head + "1 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\r\n" + compressed("<< /Keywords ("+TokenKeyword+tok+") >>") + "\nendstream",
		"XMP and keywords": head + "<< /Keywords (" + TokenKeyword + tok + ") >> <pdf:Keywords>" + TokenKeyword + tok + "</pdf:Keywords>",
		"leading junk ok":  "\n" + head + "(" + TokenKeyword + tok + ")",
	}
	for name, pdf := range cases {
		got, err := TokenFromPDF([]byte(pdf))
		if err != nil || got != tok {
			t.Errorf("%s: TokenFromPDF = %q, %v", name, got, err)
		}
	}

	other := mustSign(t, testKey(2), sampleClaims())
	bad := map[string]struct {
		pdf  string
		want error
	}{
		"no token":     {head + "<< /Keywords (invoice) >>", ErrNoToken},
		"two tokens":   {head + "(" + TokenKeyword + tok + ") (" + TokenKeyword + other + ")", ErrMalformed},
		"damaged":      {head + "(" + TokenKeyword + tok[:20] + ")", ErrMalformed},
		"empty marker": {head + "(" + TokenKeyword + ")", ErrMalformed},
	}
	for name, c := range bad {
		if got, err := TokenFromPDF([]byte(c.pdf)); !errors.Is(err, c.want) {
			t.Errorf("%s: TokenFromPDF = %q, %v; want %v", name, got, err, c.want)
		}
	}
	if _, err := TokenFromPDF([]byte("GL1.abc")); err == nil || errors.Is(err, ErrNoToken) {
		t.Errorf("a non-PDF gave %v, want an error saying it is not a PDF", err)
	}
}

func spaced(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 7 {
		b.WriteString(s[i:min(i+7, len(s))])
		b.WriteString(" \n")
	}
	return b.String()
}

// TestWriteExample writes the sample certificate where
// GREYLINE_CERTIFICATE_EXAMPLE says, for looking at it by eye:
//
//	GREYLINE_CERTIFICATE_EXAMPLE=/tmp/greyline-certificate.pdf go test ./certificate -run Example
func TestWriteExample(t *testing.T) {
	path := os.Getenv("GREYLINE_CERTIFICATE_EXAMPLE")
	if path == "" {
		t.Skip("set GREYLINE_CERTIFICATE_EXAMPLE to a file name to write an example certificate")
	}
	if err := os.WriteFile(path, render(t, sampleCertificate(t)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRender(b *testing.B) {
	c := sampleCertificate(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, c); err != nil {
			b.Fatal(err)
		}
	}
}
