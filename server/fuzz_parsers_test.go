package server

// Fuzz targets for what the server parses besides JSON bodies: the
// post-sign-in redirect, the public form's challenge, the complaint form,
// the public lookups' queries and document uploads.

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/sqlstore"
)

// FuzzSafeNext: whatever "next" a link carries, the redirect after sign-in
// stays on greyline, as a browser would read it.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/audit?x=1", "//evil.example", "/\\evil.example", "https://evil.example/", "/\t/evil.example",
		"/%2F%2Fevil.example", "\\\\evil.example", "javascript:alert(1)", "/ /evil", "/\x00", "", "/a\\b", "/../../etc/passwd", "/?next=//x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://greyline.example/login")
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/") {
			t.Fatalf("safeNext(%q) = %q, not a path", next, got)
		}
		// Browsers drop tabs and newlines from URLs and read "\" as "/".
		browser := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		if strings.HasPrefix(browser, "//") {
			t.Fatalf("safeNext(%q) = %q, which a browser reads as another host", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || base.ResolveReference(u).Host != base.Host {
			t.Fatalf("safeNext(%q) = %q leaves the site (%v)", next, got, err)
		}
	})
}

// FuzzChallenge: the public form's challenge accepts an answer only with a
// token the server signed for that answer and that has not expired, and
// refuses everything else naming the field. (A token is not single-use: a
// solved one can be replayed until it expires; the per-address limit on
// the form is what stops a script.)
func FuzzChallenge(f *testing.F) {
	e := newEnv(f)
	ch := e.srv.newChallenge()
	var a, b int
	if _, err := fmt.Sscanf(ch.Question, "What is %d plus %d?", &a, &b); err != nil {
		f.Fatal(err)
	}
	answer := strconv.Itoa(a + b)
	f.Add(ch.Token, answer)
	f.Add(ch.Token, " "+answer+" ")
	f.Add(ch.Token, "0"+answer)
	f.Add(ch.Token, "+"+answer)
	f.Add(ch.Token, "-1")
	f.Add(ch.Token+"x", answer)
	f.Add("", "")
	f.Add("1.2.3", "5")
	f.Add("99999999999.x.y", "5")
	payload := ch.Token[:strings.LastIndex(ch.Token, ".")]
	f.Fuzz(func(t *testing.T, token, ans string) {
		err := e.srv.checkChallenge(token, ans)
		if err != nil {
			if fe := greyline.ErrorFields(err); greyline.ErrorCode(err) != greyline.EINVALID || len(fe) != 1 || fe[0].Field != "challenge" {
				t.Fatalf("checkChallenge(%q, %q): %v, want an invalid challenge field", token, ans, err)
			}
			return
		}
		parts := strings.Split(token, ".")
		n, convErr := strconv.Atoi(strings.TrimSpace(ans))
		exp, expErr := strconv.ParseInt(parts[0], 10, 64)
		if len(parts) != 3 || convErr != nil || n < 0 || expErr != nil || exp < e.clock.Now().Unix() {
			t.Fatalf("checkChallenge(%q, %q) accepted a malformed or expired token or answer", token, ans)
		}
		mac, _ := base64.RawURLEncoding.DecodeString(parts[2])
		if !hmac.Equal(mac, e.srv.keys.MAC("challenge", parts[0]+"."+parts[1], strconv.Itoa(n))) {
			t.Fatalf("checkChallenge(%q, %q) accepted a token not signed for that answer", token, ans)
		}
		if parts[0]+"."+parts[1] == payload && n != a+b {
			t.Fatalf("checkChallenge(%q, %q) accepted a wrong answer to %q", token, ans, ch.Question)
		}
	})
}

// complaintFormIDs are the ids of the complaint form's inputs, which the
// error summary links to.
func complaintFormIDs(tb testing.TB) map[string]bool {
	b, err := fs.ReadFile(templateFS, "templates/complaint_form.html")
	if err != nil {
		tb.Fatal(err)
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`id="(f-[a-z_]+)"`).FindAllStringSubmatch(string(b), -1) {
		ids[m[1]] = true
	}
	return ids
}

// FuzzReadComplaintForm: any complaint form is read into a complaint that
// validates, or refused naming fields the form shows next to an input.
func FuzzReadComplaintForm(f *testing.F) {
	ids := complaintFormIDs(f)
	f.Add("Ali Raza", "35202-1234567-1", "0300 1234567", "ali@example.pk", "Lahore", "Punjab", "male", "25-34", "bank_impersonation", "call", "mobile_wallet", "2026-01-02", "25,000", "A caller from 0321-7654321 said he was from my bank.", "0321-7654321\nhttps://evil.example")
	f.Add("", "", "", "", "", "", "", "", "", "", "", "", "", "", "")
	f.Add(" ", "x", "x", "x@", "x", "Atlantis", "x", "x", "x", "x", "x", "2026-02-30", "-5", strings.Repeat("n", 20001), strings.Repeat("1\n", 101))
	f.Add("A", "", "", "", "B", "", "", "", "other", "sms", "none", "3000-01-01", "1e9", "x", "")
	now := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name, cnic, phone, email, city, province, gender, age, category, contact, payment, date, loss, narrative, idents string) {
		in := complaintInput{Name: name, CNIC: cnic, Phone: phone, Email: email, City: city, Province: province, Gender: gender, AgeBand: age,
			Category: category, ContactMethod: contact, PaymentMethod: payment, IncidentDate: date, Loss: loss, Narrative: narrative, Identifiers: idents}
		n, err := readComplaintForm(in, greyline.ChannelWeb, now)
		if err == nil {
			if verr := n.Validate(now); verr != nil {
				t.Fatalf("form %+v read, but the complaint does not validate: %v", in, verr)
			}
			return
		}
		fields := greyline.ErrorFields(err)
		if greyline.ErrorCode(err) != greyline.EINVALID || len(fields) == 0 {
			t.Fatalf("form %+v: %v, want invalid input naming fields", in, err)
		}
		for _, fe := range fields {
			if fe.Reason == "" || !ids[fieldTarget(fe.Field)] {
				t.Fatalf("form %+v: error %+v is not about an input of the form (inputs %v)", in, fe, ids)
			}
		}
	})
}

// FuzzPublicLookups: the public lookups (licence and number check,
// certificate check, complaint tracking), in pages and API, answer any
// query without a server error and without writing anything.
func FuzzPublicLookups(f *testing.F) {
	for _, s := range []string{"", "03001234567", "+92 300 1234567", "CC-2026-000001-ISB", "example.com", "https://wa.me/923001234567",
		"GL1.abc.def", "https://greyline.example/verify/certificate?t=GL1.x.y", "GC-2026-000001", "<script>alert(1)</script>", "%", "\x00", strings.Repeat("9", 5000)} {
		f.Add(s, s)
	}
	e := newEnvWith(f, envOptions{cfg: Config{LookupRate: 1 << 30}})
	printer := writePrinter(f, e)
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, q, code string) {
		before := printer(t)
		qs := url.QueryEscape(q)
		for _, path := range []string{
			"/api/v1/verify?q=" + qs, "/verify?q=" + qs,
			"/api/v1/certificates/verify?t=" + qs, "/verify/certificate?t=" + qs,
			"/api/v1/complaints/track?reference=" + qs + "&code=" + url.QueryEscape(code), "/track?reference=" + qs + "&code=" + url.QueryEscape(code),
		} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if rec.Code >= 500 {
				t.Fatalf("GET %s: %d\n%s", path, rec.Code, rec.Body)
			}
			ct := rec.Header().Get("Content-Type")
			if strings.HasPrefix(path, "/api/") != (ct == "application/json" || ct == "application/problem+json") {
				t.Fatalf("GET %s: %d with Content-Type %q", path, rec.Code, ct)
			}
		}
		if after := printer(t); after != before {
			t.Fatalf("lookups of %q, %q wrote to the database:\nbefore %s\nafter  %s", q, code, before, after)
		}
	})
}

// uploadEnv is a server whose document store is in a directory the test
// can count, with a complaint to attach files to.
type uploadEnv struct {
	e         *testEnv
	files     string // the document store's directory
	complaint int64
	token     string // a helpline operator's: ComplaintAttach on every complaint
}

func newUploadEnv(tb testing.TB, cfg Config) *uploadEnv {
	tb.Helper()
	files := filepath.Join(tb.TempDir(), "files")
	store, err := filestore.New(files)
	if err != nil {
		tb.Fatal(err)
	}
	e := newEnvWith(tb, envOptions{cfg: cfg, tune: func(o *sqlstore.Options) { o.Files = store }})
	partner := e.user(e.otherO, greyline.RolePartner)
	comp, _, _, err := e.db.CreateComplaint(actorCtx(partner), greyline.NewComplaint{Channel: greyline.ChannelPartner, ExternalRef: "upload-1",
		Complainant: greyline.Complainant{Name: "Victim", City: "Lahore", Phone: "03001234567"}, Category: "other", ContactMethod: "call",
		IncidentAt: e.clock.Now().Add(-time.Hour), PaymentMethod: "none", Narrative: "A call from 0321-7654321."}, "")
	if err != nil {
		tb.Fatal(err)
	}
	return &uploadEnv{e: e, files: files, complaint: comp.ID, token: e.token(e.user(nil, greyline.RoleHelpline), greyline.ScopeRead, greyline.ScopeWrite)}
}

// storedFiles counts the files in the document store, temporary ones included.
func (u *uploadEnv) storedFiles(tb testing.TB) int {
	tb.Helper()
	n := 0
	err := filepath.WalkDir(u.files, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		tb.Fatal(err)
	}
	return n
}

// multipartFile builds a multipart body with one file part named field.
func multipartFile(field, filename string, content []byte, extra map[string]string) (body []byte, ctype string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range extra {
		mw.WriteField(k, v)
	}
	w, _ := mw.CreateFormFile(field, filename)
	w.Write(content)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// upload sends a file to the complaint through the API, in process.
func (u *uploadEnv) upload(filename string, content []byte) *httptest.ResponseRecorder {
	body, ct := multipartFile("file", filename, content, nil)
	req := httptest.NewRequest("POST", "/api/v1/complaints/"+strconv.FormatInt(u.complaint, 10)+"/documents", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+u.token)
	rec := httptest.NewRecorder()
	u.e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// download fetches a complaint document through the API, in process.
func (u *uploadEnv) download(path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+u.token)
	rec := httptest.NewRecorder()
	u.e.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// FuzzUpload: any file, under any name, is stored as the type its content
// shows and served back only as a download of that type, or refused with a
// reason naming the file, with nothing kept.
func FuzzUpload(f *testing.F) {
	for _, s := range []struct {
		name    string
		content []byte
	}{
		{"chat.png", pngBytes}, {"receipt.pdf", testPDF("receipt")}, {"photo.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")},
		{"evil.pdf", []byte("<html><script>alert(1)</script>")}, {"evil.html", testPDF("html")}, {"a.exe", []byte("MZ\x90\x00")},
		{"", nil}, {"../../etc/passwd", pngBytes}, {"x\r\nContent-Type: text/html\r\n\r\n.png", pngBytes},
		{"poly.pdf", []byte("%PDF-1.4\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n")},
	} {
		f.Add(s.name, s.content)
	}
	u := newUploadEnv(f, Config{})
	printer := writePrinter(f, u.e)
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		before, files := printer(t), u.storedFiles(t)
		rec := u.upload(name, content)
		switch {
		case rec.Code >= 500:
			t.Fatalf("upload %q (%d bytes): %d\n%s", name, len(content), rec.Code, rec.Body)
		case rec.Code >= 400:
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" || !strings.Contains(rec.Body.String(), `"field":"`) {
				t.Fatalf("upload %q: %d %s, want a problem naming the field\n%s", name, rec.Code, ct, rec.Body)
			}
			if printer(t) != before || u.storedFiles(t) != files {
				t.Fatalf("upload %q refused with %d, but something was stored", name, rec.Code)
			}
			return
		}
		var doc greyline.Document
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != http.StatusCreated {
			t.Fatalf("upload %q: %d %v\n%s", name, rec.Code, err, rec.Body)
		}
		if want := filestore.Sniff(content); doc.ContentType != want || want == "" {
			t.Fatalf("upload %q of %q stored as %q, its content is %q", name, content[:min(len(content), 16)], doc.ContentType, want)
		}
		dl := u.download(rec.Header().Get("Location"))
		checkDownload(t, dl, doc.ContentType, content)
	})
}

// checkDownload: a stored file comes back as an attachment of its
// recognised type, never sniffed, with the bytes that were stored.
func checkDownload(t testing.TB, rec *httptest.ResponseRecorder, ctype string, content []byte) {
	t.Helper()
	h := rec.Header()
	cd := h.Get("Content-Disposition")
	if rec.Code != http.StatusOK || h.Get("Content-Type") != ctype || h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(cd, "attachment") {
		t.Fatalf("download: %d Content-Type %q nosniff %q Content-Disposition %q", rec.Code, h.Get("Content-Type"), h.Get("X-Content-Type-Options"), cd)
	}
	if strings.ContainsAny(cd, "\r\n") {
		t.Fatalf("download: Content-Disposition %q holds a line break", cd)
	}
	if content != nil && !bytes.Equal(rec.Body.Bytes(), content) {
		t.Fatalf("download: %d bytes differ from the %d stored", rec.Body.Len(), len(content))
	}
}
