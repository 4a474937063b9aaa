package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

// formID reads a required positive id from a form field.
func formID(r *http.Request, field string, v *greyline.Validation) int64 {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		v.Add(field, "is required")
		return 0
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		v.Add(field, "must be a valid choice")
		return 0
	}
	return id
}

// formInt reads an optional whole number; empty gives def.
func formInt(r *http.Request, field string, def int, v *greyline.Validation) int {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(field, "must be a whole number")
	}
	return n
}

// formRoles reads the checked role boxes.
func formRoles(r *http.Request) []greyline.Role {
	var out []greyline.Role
	for _, s := range r.PostForm["roles"] {
		out = append(out, greyline.Role(s))
	}
	return out
}

// queryInt64 reads an optional id filter from the query string.
func queryInt64(r *http.Request, name string, v *greyline.Validation) int64 {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		v.Add(name, "must be a whole number")
	}
	return n
}

// queryDate reads an optional date (YYYY-MM-DD, Pakistan time) filter.
func queryDate(r *http.Request, name string, v *greyline.Validation) time.Time {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02", s, greyline.Karachi)
	if err != nil {
		v.Add(name, "must be a date written YYYY-MM-DD")
	}
	return t
}

func subjectOf(u *greyline.User) access.Subject {
	return access.Subject{UserID: u.ID, OrgID: u.OrgID, OrgCode: u.OrgCode, OrgKind: u.OrgKind, Roles: u.Roles}
}

// can asks the access policy whether the caller may perform a, for showing
// or hiding controls; the route's own check is what enforces it.
func (c *reqCtx) can(a access.Action, rec *access.Record) bool {
	return access.Decide(c.subject, a, rec) == access.Allow
}
