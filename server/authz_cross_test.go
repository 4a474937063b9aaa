package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
)

// TestAuthzCrossRecordPages: on the pages, a second path parameter naming
// another organisation's person, site or file is not found, whatever the
// caller's own record in the path; and a record out of scope looks exactly
// like a missing one. (TestAuthzLicensingCrossRecord does the API's
// persons and sites.)
func TestAuthzCrossRecordPages(t *testing.T) {
	f := &authzFixture{e: newEnvWith(t, envOptions{tune: func(o *sqlstore.Options) { o.Clearance = authzClearance }})}
	e := f.e
	f.addLicensing(t)
	own, other := f.lic[tOwn], f.lic[tOther]
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	// The other business's person without documents and site never licensed,
	// which its own applicant could delete.
	ctx := e.sys
	spare := &greyline.Person{BusinessID: other.business, Name: "Spare", Role: greyline.KeyPersonnel, CNIC: "61101-7654321-3"}
	if err := e.db.SavePerson(ctx, spare); err != nil {
		t.Fatal(err)
	}
	spareSite := &greyline.Site{BusinessID: other.business, Address: "2 Mall Road", City: "Lahore", Province: "Punjab"}
	if err := e.db.SaveSite(ctx, spareSite); err != nil {
		t.Fatal(err)
	}
	applicant := e.client()
	applicant.login(e.user(nil, greyline.RoleApplicant))
	partner := e.user(nil, greyline.RolePartner)
	partnerPage := e.client()
	partnerPage.login(partner)
	partnerTok := e.token(partner, greyline.ScopeRead)
	before := writePrinter(t, e)
	was := before(t)

	for _, path := range []string{"/business/persons/" + id(spare.ID) + "/delete", "/business/sites/" + id(spareSite.ID) + "/delete"} {
		if resp, body := applicant.post(path, url.Values{}, "/business"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s (another business's) as TESTCO's applicant: %d, want 404\n%.300s", path, resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/complaints/" + id(own.complaint) + "/documents/" + id(other.complaintDoc)} {
		if resp, _ := partnerPage.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s (another complaint's file) as TESTCO's partner: %d, want 404", path, resp.StatusCode)
		}
		if resp, _ := e.api("GET", "/api/v1"+path, partnerTok, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /api/v1%s as TESTCO's partner: %d, want 404", path, resp.StatusCode)
		}
	}
	if now := before(t); now != was {
		t.Errorf("refused requests changed the database")
	}

	// Hidden looks missing on the pages too (the request id aside).
	ref := regexp.MustCompile(`[0-9a-f]{16}`)
	for _, pair := range [][2]string{
		{"/complaints/" + id(other.complaint), "/complaints/999999"},
		{"/complaints/" + id(other.complaint) + "/documents/" + id(other.complaintDoc), "/complaints/999999/documents/999999"},
	} {
		var got [2]string
		for i, path := range pair {
			resp, body := partnerPage.get(path)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("GET %s as TESTCO's partner: %d, want 404", path, resp.StatusCode)
			}
			got[i] = ref.ReplaceAllString(body, "")
		}
		if got[0] != got[1] {
			t.Errorf("hidden %s and missing %s render differently", pair[0], pair[1])
		}
	}
}
