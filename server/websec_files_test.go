package server

// Uploads are refused when they are not what they claim (polyglots, lying
// extensions, oversize) with nothing kept; downloads are attachments of
// the recognised type, never sniffed; no file route walks out of the store.

import (
	"bufio"
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/filestore"
	"github.com/greyline/greyline/sqlstore"
	"github.com/greyline/greyline/stix"
)

var (
	jpegBytes = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
	// zipBytes is an empty ZIP (or JAR) archive: its end-of-central-directory record.
	zipBytes = []byte("PK\x05\x06" + strings.Repeat("\x00", 18))
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestUploadsRefuseHostileFiles(t *testing.T) {
	u := newUploadEnv(t, Config{MaxUploadBytes: 64 << 10})
	printer := writePrinter(t, u.e)
	for _, tc := range []struct {
		name, filename string
		content        []byte
		status         int
		field, reason  string
	}{
		{"a PDF header, then a web page", "receipt.pdf", []byte("%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"), 400, "file", "holds web page code"},
		{"a PNG with a script in a text chunk", "chat.png", cat(pngBytes, []byte("\x00\x00\x00\x2atEXtComment\x00<script>alert(1)</script>")), 400, "file", "holds web page code"},
		{"a PNG with a web page appended", "chat.png", cat(pngBytes, bytes.Repeat([]byte{0}, 4096), []byte("<!DOCTYPE html><body onload=alert(1)>")), 400, "file", "holds web page code"},
		{"a PDF with a javascript: link", "receipt.pdf", []byte("%PDF-1.4\n1 0 obj<</S/URI/URI(javascript:alert(1))>>endobj\n%%EOF\n"), 400, "file", "holds web page code"},
		{"a JPEG with a JAR appended (GIFAR-like)", "photo.jpg", cat(jpegBytes, zipBytes), 400, "file", "has an archive (ZIP or JAR) hidden inside it"},
		{"a GIFAR", "photo.gif", cat([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), zipBytes), 400, "file", "must be a PDF, JPEG or PNG file"},
		{"evil.pdf that is a web page", "evil.pdf", []byte("<html><script>alert(1)</script></html>"), 400, "file", "must be a PDF, JPEG or PNG file"},
		{"evil.pdf that is a program", "evil.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xffPE\x00\x00"), 400, "file", "must be a PDF, JPEG or PNG file"},
		{"evil.png that is an SVG", "evil.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 400, "file", "must be a PDF, JPEG or PNG file"},
		{"an empty file", "receipt.pdf", nil, 400, "file", "is empty"},
		{"a file over the limit", "big.pdf", cat(testPDF("big"), bytes.Repeat([]byte("0"), 70<<10)), 413, "body", "is larger than the server accepts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, files := printer(t), u.storedFiles(t)
			rec := u.upload(tc.filename, tc.content)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d\n%s", rec.Code, tc.status, rec.Body)
			}
			p := problemOfRecorder(t, rec)
			if !slices.ContainsFunc(p.Errors, func(fe greyline.FieldError) bool {
				return fe.Field == tc.field && strings.Contains(fe.Reason, tc.reason)
			}) {
				t.Errorf("errors %+v, want %s: …%s…", p.Errors, tc.field, tc.reason)
			}
			if printer(t) != before || u.storedFiles(t) != files {
				t.Errorf("refused, but something was stored")
			}
		})
	}

	// What is accepted comes back as an attachment of its recognised type,
	// whatever it was called.
	for _, tc := range []struct {
		name, filename string
		content        []byte
		ctype, saveAs  string
	}{
		{"a PNG called evil.html", "evil.html", cat(pngBytes, []byte("a")), "image/png", "evil.html.png"},
		{"a PDF called x.exe", "x.exe", testPDF("exe"), "application/pdf", "x.exe.pdf"},
		{"a JPEG called photo.JPEG", "photo.JPEG", jpegBytes, "image/jpeg", "photo.JPEG"},
		{"a PDF with a path for a name", "../../../etc/passwd.pdf", testPDF("path"), "application/pdf", "passwd.pdf"},
		// (What the name becomes depends on the client's multipart encoding;
		// checkDownload sees that no line break reaches the header.)
		{"a PDF with quotes and a line break in its name", "a\"b\r\nContent-Type: text/html\r\n\r\n<script>.pdf", testPDF("crlf"), "application/pdf", ""},
		{"a PDF named in Urdu", "رسید.pdf", testPDF("urdu"), "application/pdf", "رسید.pdf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := u.upload(tc.filename, tc.content)
			if rec.Code != http.StatusCreated {
				t.Fatalf("upload: %d\n%s", rec.Code, rec.Body)
			}
			dl := u.download(rec.Header().Get("Location"))
			checkDownload(t, dl, tc.ctype, tc.content)
			_, params, err := mime.ParseMediaType(dl.Header().Get("Content-Disposition"))
			exts := map[string][]string{"image/png": {".png"}, "image/jpeg": {".jpg", ".jpeg"}, "application/pdf": {".pdf"}}[tc.ctype]
			if err != nil || tc.saveAs != "" && params["filename"] != tc.saveAs || !slices.Contains(exts, strings.ToLower(filepath.Ext(params["filename"]))) {
				t.Errorf("Content-Disposition %q: saved as %q (%v), want %q", dl.Header().Get("Content-Disposition"), params["filename"], err, tc.saveAs)
			}
			if cc := dl.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q: evidence must not be cached", cc)
			}
		})
	}
}

// problemOfRecorder decodes a problem document from a recorded response.
func problemOfRecorder(t *testing.T, rec interface {
	Result() *http.Response
}) Problem {
	t.Helper()
	resp := rec.Result()
	b := new(bytes.Buffer)
	b.ReadFrom(resp.Body)
	return problemOf(t, resp, b.Bytes())
}

// TestUploadRoutesRefusePolyglots: every route of the routes table that
// takes a file refuses a PDF that carries a script, with a reason and
// without storing anything, and stores a clean file.
func TestUploadRoutesRefusePolyglots(t *testing.T) {
	files := filepath.Join(t.TempDir(), "files")
	store, err := filestore.New(files)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, envOptions{cfg: Config{ReportRate: 1000}, tune: func(o *sqlstore.Options) { o.Clearance = authzClearance; o.Files = store }})
	f := &authzFixture{e: e}
	f.addLicensing(t)
	f.addTakedowns(t)
	own := f.lic[tOwn]
	u := &uploadEnv{e: e, files: files}
	printer := writePrinter(t, e)
	applicant := e.user(nil, greyline.RoleApplicant)
	inspector := e.user(nil, greyline.RoleInspector)
	helpline := e.user(nil, greyline.RoleHelpline)
	requester := e.user(e.seeded("NCCIA"), greyline.RoleAnalyst) // the takedown's agency
	admin := e.user(nil, greyline.RoleAdmin)
	provisional := newStoreLicensee(t, e, e.org("PROVCO", greyline.OrgBusiness, false), "Islamabad", greyline.Resources{}, e.user(e.seeded("PTA"), greyline.RoleReviewer))
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	today := e.clock.Now().In(greyline.Karachi).Format("2006-01-02")
	complaintForm := map[string]string{"name": "Ali Raza", "phone": "03001234567", "city": "Lahore", "category": "other", "contact_method": "call",
		"payment_method": "none", "incident_date": today, "narrative": "A caller from 0321-7654321 asked for my PIN."}

	// build returns the method, path, body and headers that send file under
	// filename to the route.
	type request struct {
		path   string
		body   []byte
		header http.Header
	}
	page := func(who *greyline.User, path, field, filename string, file []byte, extra map[string]string) request {
		h, csrf := sessionFor(t, e, who, greyline.SessionFull)
		fields := map[string]string{csrfField: csrf}
		for k, v := range extra {
			fields[k] = v
		}
		body, ct := multipartFile(field, filename, file, fields)
		h.Set("Content-Type", ct)
		return request{path, body, h}
	}
	api := func(who *greyline.User, path, field, filename string, file []byte, extra map[string]string) request {
		body, ct := multipartFile(field, filename, file, extra)
		return request{path, body, http.Header{"Content-Type": {ct}, "Authorization": {"Bearer " + e.token(who, greyline.ScopeRead, greyline.ScopeWrite)}}}
	}
	builders := map[string]func(filename string, file []byte) request{
		"POST /applications/{id}/documents": func(n string, b []byte) request {
			return page(applicant, "/applications/"+id(own.application)+"/documents", "file", n, b, map[string]string{"kind": "other"})
		},
		"POST /api/v1/applications/{id}/documents": func(n string, b []byte) request {
			return api(applicant, "/api/v1/applications/"+id(own.application)+"/documents", "file", n, b, map[string]string{"kind": "other"})
		},
		"POST /licences/{id}/inspection": func(n string, b []byte) request {
			return page(inspector, "/licences/"+id(provisional.lic.ID)+"/inspection", "photos", n, b, map[string]string{"date": today, "result": "pass", "findings": "As declared."})
		},
		"POST /api/v1/inspections/{id}/photos": func(n string, b []byte) request {
			return api(inspector, "/api/v1/inspections/"+id(own.inspection)+"/photos", "file", n, b, nil)
		},
		"POST /report": func(n string, b []byte) request {
			h, csrf := anonCSRF(e, "report")
			rec := inproc(e, "192.0.2.30", "GET", "/report", nil, h)
			m := regexp.MustCompile(`What is (\d) plus (\d)\?.*?name="challenge_token" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
			if m == nil {
				t.Fatalf("no challenge on /report:\n%s", rec.Body)
			}
			x, _ := strconv.Atoi(m[1])
			y, _ := strconv.Atoi(m[2])
			fields := map[string]string{csrfField: csrf, "challenge_token": m[3], "challenge": strconv.Itoa(x + y)}
			for k, v := range complaintForm {
				fields[k] = v
			}
			body, ct := multipartFile("attachments", n, b, fields)
			h.Set("Content-Type", ct)
			return request{"/report", body, h}
		},
		"POST /complaints": func(n string, b []byte) request {
			return page(helpline, "/complaints", "attachments", n, b, complaintForm)
		},
		"POST /complaints/{id}/documents": func(n string, b []byte) request {
			return page(helpline, "/complaints/"+id(own.complaint)+"/documents", "file", n, b, nil)
		},
		"POST /api/v1/complaints/{id}/documents": func(n string, b []byte) request {
			return api(helpline, "/api/v1/complaints/"+id(own.complaint)+"/documents", "file", n, b, nil)
		},
		"POST /takedowns/{id}/documents": func(n string, b []byte) request {
			return page(requester, "/takedowns/"+id(f.takedown)+"/documents", "file", n, b, nil)
		},
		"POST /api/v1/takedowns/{id}/documents": func(n string, b []byte) request {
			return api(requester, "/api/v1/takedowns/"+id(f.takedown)+"/documents", "file", n, b, nil)
		},
		// Imports read the file instead of keeping it.
		"POST /loan-apps/import": func(n string, b []byte) request {
			return page(admin, "/loan-apps/import", "file", n, b, nil)
		},
		"POST /share/stix": func(n string, b []byte) request {
			return page(admin, "/share/stix", "file", n, b, nil)
		},
		"POST /api/v1/share/stix": func(n string, b []byte) request {
			return request{"/api/v1/share/stix", b, http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + e.token(admin, greyline.ScopeRead, greyline.ScopeWrite)}}}
		},
	}
	// What a good file is for the imports.
	var bundle strings.Builder
	if err := stix.Write(&bundle, stix.Producer{Name: "An exchange"}, []stix.Record{{Kind: stix.Domain, Value: "easy-qist-loans.com.pk", TLP: stix.TLPAmber}}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	imports := map[string][]byte{
		"POST /loan-apps/import":  []byte("package_id,name,lender,status\ncom.qistkar.loan,Qistkar Loan,,illegal\n"),
		"POST /share/stix":        []byte(bundle.String()),
		"POST /api/v1/share/stix": []byte(bundle.String()),
	}
	routes := 0
	for _, rt := range e.srv.routes {
		if !rt.Upload {
			continue
		}
		routes++
		key := rt.Method + " " + rt.Path
		build, ok := builders[key]
		if !ok {
			t.Errorf("upload route %s has no case here: add one", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			poly := []byte("%PDF-1.4\n% " + key + "\n<script>alert(document.domain)</script>\n%%EOF\n")
			r := build("receipt.pdf", poly) // (signing the caller in writes a session)
			before, stored := printer(t), u.storedFiles(t)
			rec := inproc(e, "192.0.2.31", "POST", r.path, r.body, r.header)
			good, isImport := imports[key]
			if rec.Code != http.StatusBadRequest || !isImport && !strings.Contains(rec.Body.String(), "web page code") {
				t.Errorf("a PDF with a script: %d, want 400 saying it holds web page code\n%.600s", rec.Code, rec.Body)
			}
			if printer(t) != before || u.storedFiles(t) != stored {
				t.Errorf("a PDF with a script was refused, but something was stored")
			}
			// Control: a clean file is stored (or, for an import, read).
			if isImport {
				r = build("import", good)
				if rec = inproc(e, "192.0.2.31", "POST", r.path, r.body, r.header); rec.Code >= 400 || printer(t) == before {
					t.Errorf("a good import: %d, and nothing recorded\n%.600s", rec.Code, rec.Body)
				}
				return
			}
			r = build("receipt.pdf", testPDF(key))
			rec = inproc(e, "192.0.2.31", "POST", r.path, r.body, r.header)
			if rec.Code >= 400 || u.storedFiles(t) != stored+1 {
				t.Errorf("a clean PDF: %d with %d files stored (was %d), want it stored\n%.600s", rec.Code, u.storedFiles(t), stored, rec.Body)
			}
		})
	}
	if routes < 8 {
		t.Errorf("only %d upload routes found", routes)
	}
}

// rawGet sends a request line exactly as written (no client clean-up of
// the path) and returns the response.
func rawGet(t *testing.T, e *testEnv, target string, header http.Header) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", target, e.ts.Listener.Addr())
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	return resp.StatusCode, readBody(t, resp)
}

// TestDownloadPathTraversal: every route that takes a file's id or name
// answers traversal attempts (../, encoded, doubly encoded, backslashes,
// absolute paths, NUL) with a refusal, never a file; and the file store
// refuses a document whose stored hash was tampered with into a path.
func TestDownloadPathTraversal(t *testing.T) {
	u := newUploadEnv(t, Config{})
	e := u.e
	// A secret beside the store, which a walk out of it would reach.
	const sentinel = "TRAVERSAL-SENTINEL-7f3c"
	if err := os.WriteFile(filepath.Join(filepath.Dir(u.files), "secret.txt"), []byte(sentinel), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := u.upload("chat.png", pngBytes)
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	docPath := rec.Header().Get("Location") // /api/v1/complaints/{id}/documents/{did}
	m := regexp.MustCompile(`/complaints/(\d+)/documents/(\d+)$`).FindStringSubmatch(docPath)
	cid, did := m[1], m[2]
	staff := e.user(e.seeded("NCCIA"), greyline.RoleHelpline, greyline.RoleInspector, greyline.RoleAnalyst, greyline.RoleInvestigator, greyline.RoleReviewer)
	cookie, _ := sessionFor(t, e, staff, greyline.SessionFull)
	bearer := http.Header{"Authorization": {"Bearer " + e.token(staff, greyline.ScopeRead)}}

	attacks := []string{
		"../../../../etc/passwd", "..%2f..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fsecret.txt", "%252e%252e%252fsecret.txt",
		`..\..\..\secret.txt`, "..%5c..%5csecret.txt", "/etc/passwd", "%2fetc%2fpasswd", did + "%00", did + "%00.pdf", "%00",
		"....%2f%2f....%2f%2fsecret.txt", "..%c0%af..%c0%afsecret.txt", did + ";..%2f..%2fsecret.txt", did + "%2f..%2f..%2fsecret.txt",
		"-1", "0", did + ".0", "C:%5cWindows%5cwin.ini", "file:%2f%2f%2fetc%2fpasswd", "%2e%2e", "..", ".",
	}
	targets := []struct {
		route, pattern string
		header         http.Header
	}{
		{"GET /complaints/{id}/documents/{did}", "/complaints/" + cid + "/documents/{x}", cookie},
		{"GET /complaints/{id}/documents/{did}", "/complaints/{x}/documents/" + did, cookie},
		{"GET /api/v1/complaints/{id}/documents/{did}", "/api/v1/complaints/" + cid + "/documents/{x}", bearer},
		{"GET /api/v1/complaints/{id}/documents/{did}", "/api/v1/complaints/{x}/documents/" + did, bearer},
		{"GET /documents/{id}", "/documents/{x}", cookie},
		{"GET /api/v1/documents/{id}", "/api/v1/documents/{x}", bearer},
		{"GET /licences/{id}/certificate.pdf", "/licences/{x}/certificate.pdf", cookie},
		{"GET /reports/committee/{format}", "/reports/committee/{x}", cookie},
		{"GET /static/", "/static/{x}", nil},
		{"GET /takedowns/{id}/documents/{did}", "/takedowns/{x}/documents/" + did, cookie},
		{"GET /api/v1/takedowns/{id}/documents/{did}", "/api/v1/takedowns/{x}/documents/" + did, bearer},
		{"GET /takedowns/{id}/documents/{did}", "/takedowns/1/documents/{x}", cookie},
		{"GET /api/v1/takedowns/{id}/documents/{did}", "/api/v1/takedowns/1/documents/{x}", bearer},
	}
	// Every route with a file's id or name in its path is here.
	covered := map[string]bool{}
	for _, tg := range targets {
		covered[tg.route] = true
	}
	for _, rt := range e.srv.routes {
		key := rt.Method + " " + rt.Path
		if rt.Method == "GET" && (strings.Contains(rt.Path, "document") || strings.Contains(rt.Path, "{format}") || strings.HasSuffix(rt.Path, ".pdf") || rt.Path == "/static/") && !covered[key] {
			t.Errorf("file route %s is not tried here: add it", key)
		}
	}
	tried := 0
	for _, tg := range targets {
		for _, a := range attacks {
			target := strings.Replace(tg.pattern, "{x}", a, 1)
			status, body := rawGet(t, e, target, tg.header)
			tried++
			if status == http.StatusOK || status >= 500 || strings.Contains(body, sentinel) || strings.Contains(body, "root:") {
				t.Errorf("GET %s: %d\n%.300s", target, status, body)
			}
		}
	}
	t.Logf("%d traversal attempts refused", tried)

	// The control: the document itself downloads.
	if status, body := rawGet(t, e, docPath, bearer); status != http.StatusOK || body != string(pngBytes) {
		t.Fatalf("GET %s: %d", docPath, status)
	}
	// A stored hash changed into a path (a damaged or tampered row) is
	// refused by the store.
	w, _ := e.db.Pools()
	for _, bad := range []string{"../secret.txt", "../../secret.txt", filepath.Join(filepath.Dir(u.files), "secret.txt"), `..\secret.txt`,
		"../" + strings.Repeat("a", 61), "aa/" + strings.Repeat("../", 19) + "x", "secret.txt\x00" + strings.Repeat("a", 53)} {
		if _, err := w.Exec("UPDATE documents SET sha256 = ? WHERE id = ?", bad, did); err != nil {
			t.Fatal(err)
		}
		e.srv.tokens.forget()
		if status, body := rawGet(t, e, docPath, bearer); status != http.StatusNotFound || strings.Contains(body, sentinel) {
			t.Errorf("document whose hash reads %q: %d\n%.300s", bad, status, body)
		}
	}
}

// TestRefusedUploadsLeaveNoFile: an upload refused after its file was read
// leaves nothing in the store. FuzzUpload found the first of these: once a
// complaint held its 10 files, each further upload was refused with 400
// but its file stayed in the store, unreachable (a disk to fill, personal
// data out of reach of retention).
func TestRefusedUploadsLeaveNoFile(t *testing.T) {
	u := newUploadEnv(t, Config{})
	e := u.e
	for i := range greyline.MaxAttachments {
		if rec := u.upload("chat.png", cat(pngBytes, []byte(strconv.Itoa(i)))); rec.Code != http.StatusCreated {
			t.Fatalf("file %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	files := u.storedFiles(t)
	if rec := u.upload("one-too-many.pdf", testPDF("one too many")); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "at most 10 files") {
		t.Errorf("upload to a full complaint: %d, want 400\n%s", rec.Code, rec.Body)
	}
	if n := u.storedFiles(t); n != files {
		t.Errorf("upload to a full complaint: %d files stored, was %d", n, files)
	}

	// A complaint form whose second file is refused keeps neither.
	helpline := e.user(nil, greyline.RoleHelpline)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h, csrf := sessionFor(t, e, helpline, greyline.SessionFull)
	for k, v := range map[string]string{csrfField: csrf, "name": "Ali Raza", "phone": "03001234567", "city": "Lahore", "category": "other",
		"contact_method": "call", "payment_method": "none", "incident_date": e.clock.Now().In(greyline.Karachi).Format("2006-01-02"), "narrative": "A call."} {
		mw.WriteField(k, v)
	}
	for _, f := range []struct {
		name    string
		content []byte
	}{{"first.pdf", testPDF("first of two")}, {"second.pdf", []byte("%PDF-1.4\n<script>x</script>")}} {
		w, _ := mw.CreateFormFile("attachments", f.name)
		w.Write(f.content)
	}
	mw.Close()
	h.Set("Content-Type", mw.FormDataContentType())
	files = u.storedFiles(t)
	if rec := inproc(e, "", "POST", "/complaints", body.Bytes(), h); rec.Code != http.StatusBadRequest {
		t.Errorf("complaint form with a bad second file: %d, want 400", rec.Code)
	}
	if n := u.storedFiles(t); n != files {
		t.Errorf("complaint form with a bad second file: %d files stored, was %d", n, files)
	}
}
