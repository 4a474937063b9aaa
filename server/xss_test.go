package server

// Every template, rendered with hostile text in every field a person could
// have typed, must produce a page where that text stays text: no script,
// no event-handler attribute, no element or attribute the text tried to
// open, and no link that runs code. TestBrowserHostileRecords (Chromium)
// checks the same on pages built from stored records.

import (
	"bytes"
	"fmt"
	"html/template"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// hostileInputs try to break out of every context a value can land in:
// text, quoted and unquoted attributes, URLs, <title>, <textarea>, comments.
// The zzx* element and attribute names mark the breakouts.
var hostileInputs = []string{
	`<script>alert("xss-script")</script>`,
	`"><img src=x onerror=alert("xss-img") zzxattr>`,
	`" onmouseover="alert('xss-dq')" zzxattr="`,
	`' onmouseover='alert("xss-sq")' zzxattr='`,
	`javascript:alert("xss-js")`,
	` JaVaScRiPt:alert("xss-js2")`,
	`</textarea><script>alert("xss-ta")</script><zzxel>`,
	`</title><zzxel>`,
	`<svg onload=alert("xss-svg")><zzxel>`,
	`--><zzxel><!--`,
	`</style><zzxel>`,
	`data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
	`x onfocus=alert("xss-unquoted") autofocus zzxattr`,
	`<a href="javascript:alert('xss-a')">zzxlink</a>`,
	`{{.}}<zzxel>`,
}

// hostileFiller sets every exported field it can reach to hostile values:
// strings in turn to each of hostileInputs, numbers to 2, flags to true
// (so that optional parts show), lists to two elements.
type hostileFiller struct{ n int }

// trustedTypes are server-made markup and URLs (the network picture, the
// report's charts, the QR code), which html/template does not escape by
// design; their makers are tested on their own (netsvg, report, auth).
var trustedTypes = map[reflect.Type]bool{
	reflect.TypeFor[template.HTML](): true, reflect.TypeFor[template.URL](): true, reflect.TypeFor[template.HTMLAttr](): true,
	reflect.TypeFor[template.JS](): true, reflect.TypeFor[template.CSS](): true, reflect.TypeFor[template.Srcset](): true,
}

func (h *hostileFiller) next() string {
	s := hostileInputs[h.n%len(hostileInputs)]
	h.n++
	return s
}

func (h *hostileFiller) fill(v reflect.Value, depth int) {
	if depth > 6 || trustedTypes[v.Type()] {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(h.next())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(2)
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(2)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(2.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		h.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				h.fill(f, depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw bytes: a QR image, never shown as text
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			h.fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			h.fill(v.Index(i), depth+1)
		}
	case reflect.Func:
		// A clock, or another helper: answers with filled values.
		ft := v.Type()
		v.Set(reflect.MakeFunc(ft, func([]reflect.Value) []reflect.Value {
			out := make([]reflect.Value, ft.NumOut())
			for i := range out {
				out[i] = reflect.New(ft.Out(i)).Elem()
				h.fill(out[i], depth+1)
			}
			return out
		}))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			h.fill(k, depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			h.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// templateData gives, for every template, the data type its handlers
// render it with.
var templateData = map[string]func() pager{
	"account": func() pager { return &accountPage{} }, "account_2fa": func() pager { return &codePage{} },
	"application": func() pager { return &applicationPage{} }, "audit": func() pager { return &auditPage{} },
	"business": func() pager { return &businessPage{} }, "certificate": func() pager { return &certificatePage{} },
	"complaint": func() pager { return &complaintPage{} }, "complaint_form": func() pager { return &complaintForm{} },
	"complaints": func() pager { return &complaintsPage{} }, "error": func() pager { return &errorPage{} },
	"firs": func() pager { return &firsPage{} }, "home": func() pager { return &homePage{} },
	"inspections": func() pager { return &licencesPage{} }, "licence": func() pager { return &licencePage{} },
	"login": func() pager { return &loginPage{} }, "login_2fa": func() pager { return &codePage{} },
	"login_enrol": func() pager { return &codePage{} }, "network": func() pager { return &networkPage{} },
	"network_review": func() pager { return &reviewPage{} }, "networks": func() pager { return &networksPage{} },
	"operation": func() pager { return &operationPage{} }, "operations": func() pager { return &operationsPage{} },
	"org": func() pager { return &orgPage{} }, "orgs": func() pager { return &orgsPage{} },
	"person": func() pager { return &personPage{} }, "queue": func() pager { return &queuePage{} },
	"raid": func() pager { return &raidPage{} }, "recovery_codes": func() pager { return &codePage{} },
	"register": func() pager { return &registerPage{} }, "report": func() pager { return &reportPage{} },
	"setup": func() pager { return &setupPage{} }, "task": func() pager { return &taskPage{} },
	"track": func() pager { return &trackPage{} }, "user": func() pager { return &userPage{} },
	"user_new": func() pager { return &userFormPage{} }, "users": func() pager { return &usersPage{} },
	"verify":    func() pager { return &verifyPage{} },
	"takedowns": func() pager { return &takedownsPage{} }, "takedown": func() pager { return &takedownPage{} },
	"loan_apps": func() pager { return &loanAppsPage{} }, "watchlist": func() pager { return &watchlistPage{} },
	"alerts": func() pager { return &alertsPage{} }, "share": func() pager { return &sharePage{} },
}

// TestTemplatesEscapeHostileInput renders every template, as parsed once by
// the server, with hostile text in every field, and checks the HTML.
func TestTemplatesEscapeHostileInput(t *testing.T) {
	tmpl, err := parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	if diff := setDiff(slices.Sorted(maps.Keys(tmpl.pages)), slices.Sorted(maps.Keys(templateData))); diff != "" {
		t.Fatalf("templates (-parsed +in templateData): give every template its data type\n%s", diff)
	}
	for _, name := range slices.Sorted(maps.Keys(tmpl.pages)) {
		t.Run(name, func(t *testing.T) {
			// Twice, shifted, so that each field gets more than one input.
			for shift := range 2 {
				data := templateData[name]()
				h := &hostileFiller{n: shift * 7}
				h.fill(reflect.ValueOf(data).Elem(), 0)
				var buf bytes.Buffer
				if err := tmpl.pages[name].ExecuteTemplate(&buf, "layout.html", data); err != nil {
					t.Fatalf("render: %v", err)
				}
				if h.n < 3 || !strings.Contains(buf.String(), "xss-") {
					t.Fatalf("%d hostile values were set, and none reached the page", h.n)
				}
				for _, p := range hostileMarkup(buf.String()) {
					t.Errorf("%s", p)
				}
			}
		})
	}
}

func setDiff(a, b []string) string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "-"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "+"+x)
		}
	}
	return strings.Join(out, "\n")
}

// urlAttrs hold URLs that a browser follows or loads.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "poster": true, "data": true, "xlink:href": true, "background": true, "cite": true}

// hostileMarkup lists what in a page did not come from its template: a
// script, an event handler, a zzx* element or attribute, or a URL that
// runs code.
func hostileMarkup(page string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch {
		case tok.Data == "script", tok.Data == "iframe", tok.Data == "object", tok.Data == "embed", strings.HasPrefix(tok.Data, "zzx"):
			out = append(out, fmt.Sprintf("element <%s> in the page: %s", tok.Data, tok.String()))
		}
		for _, a := range tok.Attr {
			name := strings.ToLower(a.Key)
			if strings.HasPrefix(name, "on") || strings.HasPrefix(name, "zzx") {
				out = append(out, fmt.Sprintf("attribute %s on <%s>: %s", name, tok.Data, tok.String()))
			}
			if urlAttrs[name] {
				if scheme := runnableScheme(a.Val); scheme != "" && !(tok.Data == "img" && strings.HasPrefix(a.Val, "data:image/png;base64,")) {
					out = append(out, fmt.Sprintf("%s URL in %s on <%s>: %q", scheme, name, tok.Data, a.Val))
				}
			}
		}
	}
}

// runnableScheme returns the scheme of a URL that runs or renders code as
// a browser reads it (ignoring white space and control characters), or "".
func runnableScheme(u string) string {
	s := strings.Map(func(r rune) rune {
		if r <= ' ' {
			return -1
		}
		return r
	}, strings.ToLower(u))
	for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
		if strings.HasPrefix(s, scheme) {
			return strings.TrimSuffix(scheme, ":")
		}
	}
	return ""
}

// TestHostileMarkupFinds: the checks above do find each kind of breakout.
func TestHostileMarkupFinds(t *testing.T) {
	for page, want := range map[string]int{
		`<p>ok</p><a href="/x">x</a><img src="data:image/png;base64,AA">`:    0,
		`<p><script>alert(1)</script></p>`:                                   1,
		`<input value="" onmouseover="alert(1)" zzxattr="">`:                 2,
		`<a href=" JaVa&#09;ScRiPt:alert(1)">x</a>`:                          1,
		`<form action="data:text/html,x"></form><zzxel>`:                     2,
		`<textarea></textarea><script>alert(1)</script><zzxel></textarea>`:   2,
		`<p title="&#34; onmouseover=&#34;alert(1)&#34;">&lt;script&gt;</p>`: 0,
	} {
		if got := hostileMarkup(page); len(got) != want {
			t.Errorf("%s: found %d (%q), want %d", page, len(got), got, want)
		}
	}
}
