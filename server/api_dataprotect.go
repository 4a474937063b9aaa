package server

import (
	"errors"
	"net/http"

	"github.com/greyline/greyline"
)

// subjectAccessRequest carries the CNIC in the body, never in the URL, so
// that it reaches no access log.
type subjectAccessRequest struct {
	CNIC string `json:"cnic"`
}

// apiSubjectAccess exports everything held about the person with a CNIC;
// the store audits it, naming the CNIC by its keyed hash.
func (s *Server) apiSubjectAccess(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if s.dataProtection == nil {
		return greyline.Internal(errors.New("server: no data protection service"))
	}
	var req subjectAccessRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	exp, err := s.dataProtection.SubjectAccess(r.Context(), req.CNIC)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, exp)
}
