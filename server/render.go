package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// templates holds every page, each parsed once with the layout at start-up.
type templates struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"time": func(t time.Time) string { return greyline.FormatTime(t) },
	"timep": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return greyline.FormatTime(*t)
	},
	"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"join":    func(xs []string, sep string) string { return strings.Join(xs, sep) },
	"roles": func(rs []greyline.Role) string {
		s := make([]string, len(rs))
		for i, r := range rs {
			s[i] = r.Label()
		}
		return strings.Join(s, ", ")
	},
	"hasRole": func(rs []greyline.Role, r greyline.Role) bool {
		for _, x := range rs {
			if x == r {
				return true
			}
		}
		return false
	},
	"add":       func(a, b int) int { return a + b },
	"rupees":    greyline.FormatPaisa,
	"hasPrefix": strings.HasPrefix,
	"kindLabel": func(k string) string { return greyline.BusinessKind(k).Label() },
	"docLabel":  func(k greyline.DocumentKind) string { return k.Label() },
	"overdue":   func(t *greyline.TaskView, now time.Time) bool { return t.Overdue(now) },
	"date":      func(t time.Time) string { return t.In(greyline.Karachi).Format("2 Jan 2006") },
	"label":     fieldLabel,
	"capital":   capital,
	"target":    fieldTarget,
	"percent":   func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
	"words":     func(s any) string { return strings.ReplaceAll(fmt.Sprint(s), "_", " ") },
	"pending": func(ids []greyline.ComplaintIdentifier) int {
		n := 0
		for _, ci := range ids {
			if ci.Status == greyline.IdentifierPending {
				n++
			}
		}
		return n
	},
}

// fieldTarget is the id of the page element that fixes a field's problem.
func fieldTarget(field string) string {
	switch {
	case strings.HasPrefix(field, "documents."):
		return "f-file" // the upload form
	case strings.HasPrefix(field, "resources."):
		return "f-numbers"
	case field == "persons":
		return "f-name"
	case field == "sites":
		return "f-address"
	case strings.ContainsAny(field, ".["):
		return ""
	}
	return "f-" + field
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fieldLabels names form fields in error summaries.
var fieldLabels = map[string]string{
	"email": "E-mail address", "org_id": "Organisation", "password": "Password", "roles": "Roles",
	"current_password": "Current password", "new_password": "New password", "expires_in_days": "Expiry",
	"code": "Code", "body": "Form", "payment_ref": "Payment reference",
}

// fieldLabel names a form field, or returns "" for checks that are not
// about one field on the page (a missing document), whose reason then
// stands alone.
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	// An imported file's rows: "rows[3].status" is "Row 3, status".
	if rest, ok := strings.CutPrefix(field, "rows["); ok {
		if n, col, ok := strings.Cut(rest, "]."); ok {
			return "Row " + n + ", " + strings.ReplaceAll(col, "_", " ")
		}
	}
	if strings.ContainsAny(field, ".[") || field == "persons" || field == "sites" || field == "business" {
		return ""
	}
	s := strings.ReplaceAll(field, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func parseTemplates() (*templates, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		clone, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if t.pages[base], err = clone.ParseFS(templateFS, n); err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
	}
	return t, nil
}

// Page is the data every page shares; each page embeds it in its own type.
type Page struct {
	Title     string
	User      *greyline.User
	CSRF      string
	Nav       []NavItem
	Path      string
	RequestID string
	Flash     string
	// SigningIn: a session part-way through sign-in (second factor due).
	SigningIn bool
	// Form errors, by field name, and the message above the form.
	Errors  map[string]string
	Message string
}

// NavItem is a navigation link; the list is filtered by the access policy.
type NavItem struct {
	Label, Href string
	Current     bool
}

var navItems = []struct {
	label, href string
	action      access.Action
}{
	{"My business", "/business", access.ApplicationEdit},
	{"Clearance queue", "/queue", access.TaskQueue},
	{"Inspections", "/inspections", access.InspectionRecord},
	{"Licences", "/licences", access.LicenceList},
	{"Users", "/admin/users", access.UserList},
	{"Organisations", "/admin/orgs", access.OrgList},
	{"Audit log", "/audit", access.AuditRead},
	{"My account", "/account", access.AccountView},
	{"New complaint", "/complaints/new", access.ComplaintTakeCall},
	{"Complaints", "/complaints", access.ComplaintView},
	{"Networks", "/networks", access.NetworkView},
	{"Operations", "/operations", access.EnforcementView},
	{"FIRs", "/firs", access.EnforcementView},
	{"Takedowns", "/takedowns", access.TakedownView},
	{"Watchlist", "/watchlist", access.WatchlistView},
	{"Alerts", "/alerts", access.AlertView},
	{"Sharing", "/share", access.ShareFeed},
	{"Committee report", "/reports/committee", access.ReportView},
	{"Check a licence", "/verify", access.Public},
	{"Loan apps", "/loan-apps", access.Public},
}

func (s *Server) page(c *reqCtx, title string) Page {
	p := Page{Title: title, CSRF: c.csrfToken(), RequestID: c.requestID}
	p.SigningIn = c.session != nil && c.session.State != greyline.SessionFull
	if c.session != nil && c.session.State == greyline.SessionFull {
		p.User = c.user
		for _, n := range navItems {
			if access.Decide(c.subject, n.action, nil) == access.Allow {
				p.Nav = append(p.Nav, NavItem{Label: n.label, Href: n.href})
			}
		}
	}
	return p
}

// withErrors fills the form error fields of p from err.
func (p *Page) withErrors(err error) {
	p.Message = greyline.ErrorMessage(err)
	fields := greyline.ErrorFields(err)
	if len(fields) > 0 {
		p.Errors = map[string]string{}
		for _, f := range fields {
			if _, dup := p.Errors[f.Field]; !dup {
				p.Errors[f.Field] = f.Reason
			}
		}
	}
}

// pager is implemented by every page data type through the embedded Page.
type pager interface{ base() *Page }

func (p *Page) base() *Page { return p }

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, c *reqCtx, status int, name string, data pager) {
	t, ok := s.tmpl.pages[name]
	if !ok {
		panic("server: no template " + name)
	}
	p := data.base()
	p.Path = r.URL.Path
	for i := range p.Nav {
		p.Nav[i].Current = strings.HasPrefix(p.Path, p.Nav[i].Href)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		c.log.Error("template failed", "template", name, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "Something went wrong on our side. Reference: %s\n", c.requestID)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// formError shows a form again with its errors when err is invalid input,
// and renders any other error normally.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, c *reqCtx, name string, data pager, err error) error {
	switch greyline.ErrorCode(err) {
	case greyline.EINVALID, greyline.ECONFLICT, greyline.EUNAUTHENTICATED, greyline.ERATELIMITED:
		if greyline.ErrorCode(err) == greyline.ERATELIMITED {
			w.Header().Set("Retry-After", "60") // as renderError says it
		}
		data.base().withErrors(err)
		s.render(w, r, c, HTTPStatus(greyline.ErrorCode(err)), name, data)
		return nil
	}
	return err
}

var flashes = map[string]string{
	"user-created":        "The user was created.",
	"user-disabled":       "The user was disabled and signed out everywhere.",
	"user-enabled":        "The user was enabled.",
	"roles-saved":         "The roles were saved.",
	"password-reset":      "The password was reset and the user signed out everywhere.",
	"2fa-reset":           "The second factor was removed. The user will set it up again at next sign-in.",
	"org-created":         "The organisation was created.",
	"org-saved":           "The organisation was saved.",
	"token-revoked":       "The API token was revoked.",
	"password-change":     "Your password was changed. Please sign in again.",
	"2fa-enabled":         "Two-step verification is on.",
	"signed-out":          "You are signed out.",
	"setup-done":          "Your administrator account is ready. Sign in to continue.",
	"business-saved":      "The business record was saved.",
	"person-saved":        "The person was saved.",
	"person-removed":      "The person was removed.",
	"site-saved":          "The site was saved.",
	"site-removed":        "The site was removed.",
	"document-added":      "The document was uploaded.",
	"payment-saved":       "The payment reference was saved.",
	"submitted":           "The application was submitted. The agencies listed below now review it in parallel.",
	"answered":            "Your answer was sent to the agency that raised the objection.",
	"decided":             "Your decision was recorded.",
	"note-added":          "The internal note was added.",
	"inspected":           "The inspection was recorded.",
	"status-changed":      "The licence status was changed.",
	"surrendered":         "The licence was surrendered.",
	"complaint-changed":   "The complaint was updated.",
	"identifier-reviewed": "Your review of the identifier was recorded.",
	"evidence-added":      "The file was attached.",
	"operation-created":   "The operation was started.",
	"raid-recorded":       "The raid was recorded.",
	"stage-changed":       "The court stage was saved.",
	"suspension-decided":  "Your agency's decision on the suspension was recorded.",
	"decided-network":     "Your decision was recorded and the networks were recomputed.",
	"revoked-network":     "The decision was revoked and the networks were recomputed.",
	"takedown-requested":  "The takedown request was recorded and shared under its marking.",
	"takedown-updated":    "The platform's answer was recorded.",
	"loan-app-saved":      "The lending-app entry was saved.",
	"loan-apps-imported":  "The list was imported.",
	"wallet-watched":      "The wallet is on the watchlist and in the exchanges' feed.",
	"wallet-unwatched":    "The wallet was taken off the watchlist; the feed withdraws it.",
	"alert-resolved":      "The alert was resolved.",
	"stix-imported":       "The bundle was imported.",
}

func flash(r *http.Request) string { return flashes[r.URL.Query().Get("done")] }

func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
