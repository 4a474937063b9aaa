package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/greyline/greyline"
)

// HTTPStatus maps an error code to its HTTP status. It is the only such mapping.
func HTTPStatus(code greyline.Code) int {
	switch code {
	case greyline.EINVALID:
		return http.StatusBadRequest
	case greyline.ENOTFOUND:
		return http.StatusNotFound
	case greyline.ECONFLICT:
		return http.StatusConflict
	case greyline.EFORBIDDEN:
		return http.StatusForbidden
	case greyline.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case greyline.ERATELIMITED:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

var codeTitles = map[greyline.Code]string{
	greyline.EINVALID:         "Invalid input",
	greyline.ENOTFOUND:        "Not found",
	greyline.ECONFLICT:        "Conflict",
	greyline.EFORBIDDEN:       "Forbidden",
	greyline.EUNAUTHENTICATED: "Sign-in required",
	greyline.ERATELIMITED:     "Too many requests",
	greyline.EINTERNAL:        "Internal error",
}

// Problem is an RFC 9457 problem document, with greyline's extensions.
type Problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail"`
	Instance  string                `json:"instance,omitempty"`
	Code      greyline.Code         `json:"code"`
	RequestID string                `json:"request_id"`
	Errors    []greyline.FieldError `json:"errors,omitempty"`
}

// renderError writes err once, in the form the route's surface expects.
// Internal errors are logged with the request ID and never shown.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, c *reqCtx, err error) {
	code := greyline.ErrorCode(err)
	status := HTTPStatus(code)
	if code == greyline.EINTERNAL {
		c.log.Error("internal error", "err", err.Error(), "route", r.Pattern)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err, status, code = greyline.Invalid("body", "is larger than the server accepts"), http.StatusRequestEntityTooLarge, greyline.EINVALID
	}
	api := c.route != nil && c.route.Surface == surfaceAPI
	if c.route == nil || c.route.Surface == surfaceSys {
		api = len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/"
	}
	if code == greyline.ERATELIMITED {
		w.Header().Set("Retry-After", "60")
	}
	if api {
		if code == greyline.EUNAUTHENTICATED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="greyline"`)
		}
		p := Problem{
			Type:      "https://greyline.invalid/problems/" + string(code),
			Title:     codeTitles[code],
			Status:    status,
			Detail:    greyline.ErrorMessage(err),
			Instance:  r.URL.Path,
			Code:      code,
			RequestID: c.requestID,
			Errors:    greyline.ErrorFields(err),
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(p)
		return
	}
	if code == greyline.EUNAUTHENTICATED && r.Method == "GET" {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	data := &errorPage{Status: status, Message: greyline.ErrorMessage(err), Fields: greyline.ErrorFields(err), Internal: code == greyline.EINTERNAL}
	data.Page = s.page(c, codeTitles[code])
	s.render(w, r, c, status, "error", data)
}

type errorPage struct {
	Page
	Status   int
	Message  string
	Fields   []greyline.FieldError
	Internal bool
}
