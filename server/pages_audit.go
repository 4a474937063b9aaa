package server

import (
	"net/http"
	"strings"

	"github.com/greyline/greyline"
)

type auditPage struct {
	Page
	Events []*greyline.AuditEvent
	Orgs   []*greyline.Org
	Filter auditFilterForm
	// Older is the id to page back from, or 0 when there are no older events.
	Older int64
}

// auditFilterForm echoes the filters into the form.
type auditFilterForm struct {
	User, Org, Action, RecordType, RecordID, From, To string
}

const auditPerPage = 100

func (s *Server) auditFilter(r *http.Request) (greyline.AuditFilter, auditFilterForm, error) {
	var v greyline.Validation
	q := r.URL.Query()
	f := greyline.AuditFilter{
		UserID:     queryInt64(r, "user", &v),
		OrgID:      queryInt64(r, "org", &v),
		Action:     strings.TrimSpace(q.Get("action")),
		RecordType: strings.TrimSpace(q.Get("record_type")),
		RecordID:   strings.TrimSpace(q.Get("record_id")),
		From:       queryDate(r, "from", &v),
		To:         queryDate(r, "to", &v),
		BeforeID:   queryInt64(r, "before", &v),
		Limit:      auditPerPage,
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the "to" day is included
	}
	form := auditFilterForm{q.Get("user"), q.Get("org"), f.Action, f.RecordType, f.RecordID, q.Get("from"), q.Get("to")}
	return f, form, v.Err()
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ctx := r.Context()
	orgs, err := s.orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	f, form, ferr := s.auditFilter(r)
	p := &auditPage{Page: s.page(c, "Audit log"), Orgs: orgs, Filter: form}
	if ferr != nil {
		return s.formError(w, r, c, "audit", p, ferr)
	}
	if p.Events, err = s.audit.ListAudit(ctx, f); err != nil {
		return err
	}
	if n := len(p.Events); n == auditPerPage {
		p.Older = p.Events[n-1].ID
	}
	s.render(w, r, c, http.StatusOK, "audit", p)
	return nil
}
