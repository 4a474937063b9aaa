package server

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/sqlstore"
)

// TestMalformedIDsAreNotFound: on every route, a record id in the path that
// is not a positive number (another record's id cannot be made of it) is
// refused, and nothing is written, whoever asks. It found the takedown
// file route serving any document outside a takedown (complaint evidence,
// licence applicants' CNIC scans) to /takedowns/x/documents/N: "x" parsed
// to 0, the takedown id of every other document.
func TestMalformedIDsAreNotFound(t *testing.T) {
	f := &authzFixture{e: newEnvWith(t, envOptions{tune: func(o *sqlstore.Options) { o.Clearance = authzClearance }})}
	e := f.e
	f.addLicensing(t)
	f.addTakedowns(t)
	// Staff of a takedown agency holding every role, so that the action
	// checks let the request reach the record.
	var all []greyline.Role
	for _, r := range greyline.Roles {
		all = append(all, r)
	}
	staff := e.user(e.seeded("NCCIA"), all...)
	printer := writePrinter(t, e)
	param := regexp.MustCompile(`\{(id|pid|sid|did|iid)\}`)
	tried := 0
	for _, rt := range e.srv.routes {
		params := param.FindAllString(rt.Path, -1)
		for _, p := range params {
			for _, bad := range []string{"x", "0", "-1", "1.5", "0x1", "%20"} {
				path := strings.Replace(rt.Path, p, bad, 1)
				path = param.ReplaceAllString(path, "1")
				path = strings.NewReplacer("{format}", "json", "{feed}", "telco").Replace(path)
				h, csrf := sessionFor(t, e, staff, greyline.SessionFull)
				var body []byte
				if !safeMethod(rt.Method) {
					if rt.Surface == surfacePage {
						h.Set("Content-Type", "application/x-www-form-urlencoded")
						body = []byte(url.Values{csrfField: {csrf}}.Encode())
					} else {
						h.Set("Content-Type", "application/json")
						h.Set(csrfHeader, csrf)
						body = []byte(`{}`)
					}
				}
				before := printer(t)
				rec := inproc(e, "", rt.Method, path, body, h)
				tried++
				if rec.Code < 400 || rec.Code >= 500 {
					t.Errorf("%s %s: %d, want a refusal\n%.200s", rt.Method, path, rec.Code, rec.Body)
				}
				if printer(t) != before {
					t.Errorf("%s %s: the database changed", rt.Method, path)
				}
			}
		}
	}
	if tried < 300 {
		t.Fatalf("only %d requests tried", tried)
	}
	t.Logf("%d requests with malformed ids refused", tried)
}
