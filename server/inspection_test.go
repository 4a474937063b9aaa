package server

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
)

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// upload posts one file as multipart to path with a bearer token.
func (e *testEnv) upload(path, token, filename string, content []byte) (*http.Response, []byte) {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

func TestInspectionPhotos(t *testing.T) {
	e := newEnvWith(t, envOptions{tune: func(o *sqlstore.Options) { o.Clearance = authzClearance }})
	decider := e.user(e.noTFA, greyline.RoleReviewer)
	l := newStoreLicensee(t, e, e.org("PHOTOBIZ", greyline.OrgBusiness, false), "Islamabad", greyline.Resources{}, decider)
	inspector := e.token(e.user(nil, greyline.RoleInspector), "read", "write")
	lid := strconv.FormatInt(l.lic.ID, 10)
	resp, body := e.api("POST", "/api/v1/licences/"+lid+"/inspection", inspector, map[string]any{"date": e.clock.Now().Format("2006-01-02"), "findings": "All as declared.", "passed": true})
	if resp.StatusCode != 200 {
		t.Fatalf("inspection: %d %s", resp.StatusCode, body)
	}
	var detail licenceDetail
	_, body = e.api("GET", "/api/v1/licences/"+lid, inspector, nil)
	if err := json.Unmarshal(body, &detail); err != nil || len(detail.Inspections) != 1 || detail.Status != greyline.LicenceActive {
		t.Fatalf("licence after inspection: %v %s", err, body)
	}
	inID := strconv.FormatInt(detail.Inspections[0].ID, 10)
	if resp, body := e.upload("/api/v1/inspections/"+inID+"/photos", inspector, "front.png", pngBytes); resp.StatusCode != 201 {
		t.Fatalf("photo upload: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.upload("/api/v1/inspections/"+inID+"/photos", inspector, "front.png", []byte("MZ not an image")); resp.StatusCode != 400 {
		t.Fatalf("executable accepted as a photo: %d", resp.StatusCode)
	}
	_, body = e.api("GET", "/api/v1/licences/"+lid, inspector, nil)
	json.Unmarshal(body, &detail)
	photos := detail.Inspections[0].Photos
	if len(photos) != 1 || photos[0].Kind != greyline.DocInspectionPhoto || photos[0].ContentType != "image/png" {
		t.Fatalf("photos: %+v", photos)
	}
	docPath := "/api/v1/documents/" + strconv.FormatInt(photos[0].ID, 10)
	// The licensee sees its own inspection's photo; another applicant gets 404.
	own := e.token(l.applicant, "read")
	if resp, got := e.api("GET", docPath, own, nil); resp.StatusCode != 200 || !bytes.Equal(got, pngBytes) {
		t.Fatalf("licensee download: %d", resp.StatusCode)
	}
	stranger := e.token(e.user(e.otherO, greyline.RoleApplicant), "read")
	if resp, _ := e.api("GET", docPath, stranger, nil); resp.StatusCode != 404 {
		t.Fatalf("another organisation's applicant: %d, want 404", resp.StatusCode)
	}
}
