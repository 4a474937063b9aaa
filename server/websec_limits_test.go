package server

// The per-address limits on sign-in, the public complaint form and the
// public lookups: inside the minute, the request after the allowance is
// refused with 429 and Retry-After; other addresses are unaffected; a
// minute later the address may try again.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greyline/greyline"
)

func TestRateLimits(t *testing.T) {
	const login, report, lookup = 3, 2, 4
	e := newEnvWith(t, envOptions{cfg: Config{LoginRate: login, ReportRate: report, LookupRate: lookup}})
	u := e.user(nil, greyline.RoleAnalyst)
	form := func(h http.Header, v url.Values) (http.Header, []byte) {
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		return h, []byte(v.Encode())
	}
	type req struct {
		method, path string
		header       http.Header
		body         []byte
	}
	rows := []struct {
		name    string
		limit   int
		api     bool
		request func() req
	}{
		{"sign-in", login, false, func() req {
			h, tok := anonCSRF(e, "s")
			h, b := form(h, url.Values{csrfField: {tok}, "email": {"nobody@example.pk"}, "password": {"not a password at all"}})
			return req{"POST", "/login", h, b}
		}},
		{"second factor", login, false, func() req {
			h, tok := sessionFor(t, e, u, greyline.SessionNeeds2FA)
			h, b := form(h, url.Values{csrfField: {tok}, "code": {"000000"}})
			return req{"POST", "/login/2fa", h, b}
		}},
		{"first administrator's set-up", login, false, func() req {
			h, tok := anonCSRF(e, "u")
			h, b := form(h, url.Values{csrfField: {tok}, "email": {"x@example.pk"}})
			return req{"POST", "/setup/not-a-token", h, b}
		}},
		{"password change", login, false, func() req {
			h, tok := sessionFor(t, e, u, greyline.SessionFull)
			h, b := form(h, url.Values{csrfField: {tok}, "current_password": {"not my password"}, "new_password": {"a brand new password"}})
			return req{"POST", "/account/password", h, b}
		}},
		{"public complaint form", report, false, func() req {
			h, tok := anonCSRF(e, "r")
			h, b := form(h, url.Values{csrfField: {tok}, "name": {"Ali"}})
			return req{"POST", "/report", h, b}
		}},
		{"licence check page", lookup, false, func() req { return req{"GET", "/verify?q=03001234567", nil, nil} }},
		{"licence check API", lookup, true, func() req { return req{"GET", "/api/v1/verify?q=03001234567", nil, nil} }},
		{"certificate check page", lookup, false, func() req { return req{"GET", "/verify/certificate?t=GL1.x.y", nil, nil} }},
		{"certificate check API", lookup, true, func() req { return req{"GET", "/api/v1/certificates/verify?t=GL1.x.y", nil, nil} }},
		{"complaint tracking page", lookup, false, func() req { return req{"GET", "/track?reference=GC-2026-000001&code=x", nil, nil} }},
		{"complaint tracking API", lookup, true, func() req {
			return req{"GET", "/api/v1/complaints/track?reference=GC-2026-000001&code=x", nil, nil}
		}},
		{"registry download (CSV)", lookup, true, func() req { return req{"GET", "/api/v1/registry.csv", nil, nil} }},
		{"registry download (JSON)", lookup, true, func() req { return req{"GET", "/api/v1/registry.json", nil, nil} }},
		{"loan-app check page", lookup, false, func() req { return req{"GET", "/loan-apps?q=com.qistkar.loan", nil, nil} }},
		{"loan-app check API", lookup, true, func() req { return req{"GET", "/api/v1/lending-apps?q=com.qistkar.loan", nil, nil} }},
		{"lending-app list download", lookup, true, func() req { return req{"GET", "/api/v1/lending-apps/list", nil, nil} }},
	}
	send := func(ip string, r req) (int, http.Header, string) {
		rec := inproc(e, ip, r.method, r.path, r.body, r.header)
		return rec.Code, rec.Header(), rec.Body.String()
	}
	for i, row := range rows {
		// Each row has its own addresses: several share a bucket (the lookups).
		ip, other := "198.51.100."+strconv.Itoa(i+1), "203.0.113."+strconv.Itoa(i+1)
		t.Run(row.name, func(t *testing.T) {
			for n := 1; n <= row.limit; n++ {
				if st, _, body := send(ip, row.request()); st == http.StatusTooManyRequests || st >= 500 {
					t.Fatalf("request %d of %d allowed: %d\n%.300s", n, row.limit, st, body)
				}
			}
			st, h, body := send(ip, row.request())
			if st != http.StatusTooManyRequests {
				t.Fatalf("request %d in the minute: %d, want 429\n%.300s", row.limit+1, st, body)
			}
			if s, err := strconv.Atoi(h.Get("Retry-After")); err != nil || s < 1 || s > 3600 {
				t.Errorf("Retry-After %q, want seconds", h.Get("Retry-After"))
			}
			if row.api {
				if h.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, `"code":"rate_limited"`) {
					t.Errorf("want a rate_limited problem; got %s %.300s", h.Get("Content-Type"), body)
				}
			} else if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "Too many attempts from your network") {
				t.Errorf("want the page saying why; got %s %.300s", h.Get("Content-Type"), body)
			}
			if st, _, body := send(other, row.request()); st == http.StatusTooManyRequests {
				t.Errorf("another address was refused too\n%.300s", body)
			}
		})
	}
	// A minute later each first address may try again.
	e.clock.Add(time.Minute)
	for i, row := range rows {
		if st, _, _ := send("198.51.100."+strconv.Itoa(i+1), row.request()); st == http.StatusTooManyRequests {
			t.Errorf("%s: still refused a minute later", row.name)
		}
	}
}
