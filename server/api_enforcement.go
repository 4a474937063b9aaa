package server

// Operation Grey's API: operations, raids, persons, arrests, FIRs,
// seizures and court stages, for NCCIA's investigators.

import (
	"context"
	"net/http"
	"strconv"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

func (s *Server) apiOperations(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ops, err := s.enforcement.ListOperations(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(ops, len(ops)))
}

func (s *Server) apiOperationCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var o greyline.Operation
	if err := decodeJSON(r, &o); err != nil {
		return err
	}
	o.ID = 0
	if err := s.enforcement.CreateOperation(r.Context(), &o); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/operations/"+strconv.FormatInt(o.ID, 10)+"/raids")
	return writeJSON(w, http.StatusCreated, o)
}

func (s *Server) apiRaids(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	raids, err := s.enforcement.ListRaids(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(raids, len(raids)))
}

func (s *Server) apiRaidCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var raid greyline.Raid
	if err := decodeJSON(r, &raid); err != nil {
		return err
	}
	raid.ID, raid.OperationID = 0, id
	if err := s.enforcement.RecordRaid(r.Context(), &raid); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/raids/"+strconv.FormatInt(raid.ID, 10))
	return writeJSON(w, http.StatusCreated, raid)
}

func (s *Server) apiArrestCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var a greyline.Arrest
	if err := decodeJSON(r, &a); err != nil {
		return err
	}
	a.ID, a.OperationID = 0, id
	if err := s.enforcement.RecordArrest(r.Context(), &a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

func (s *Server) apiRaid(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	raid, err := s.enforcement.FindRaid(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, raid)
}

func (s *Server) apiSeizureCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var sz greyline.Seizure
	if err := decodeJSON(r, &sz); err != nil {
		return err
	}
	sz.ID, sz.RaidID = 0, id
	if err := s.enforcement.RecordSeizure(r.Context(), &sz); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, sz)
}

func (s *Server) apiPersonCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var p greyline.Suspect
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	p.ID = 0
	if err := s.enforcement.AddSuspect(r.Context(), &p); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/persons/"+strconv.FormatInt(p.ID, 10))
	return writeJSON(w, http.StatusCreated, p.Masked())
}

// apiPerson returns a person in full; the read is audited.
func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.enforcement.RevealSuspect(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiFIRCreate(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	var f greyline.FIR
	if err := decodeJSON(r, &f); err != nil {
		return err
	}
	f.ID = 0
	if err := s.enforcement.RegisterFIR(r.Context(), &f); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/firs/"+strconv.FormatInt(f.ID, 10))
	return writeJSON(w, http.StatusCreated, f)
}

func (s *Server) apiFIR(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.enforcement.FindFIR(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) apiFIRStage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Stage   greyline.CourtStage `json:"stage"`
		Version int                 `json:"version"`
		Note    string              `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	f, err := s.enforcement.SetCourtStage(r.Context(), id, in.Version, in.Stage, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

// suspensionRecord makes a suspension review its agency's record: only
// that agency's staff decide it.
func (s *Server) suspensionRecord(r *http.Request, c *reqCtx) (*access.Record, error) {
	return ownedBy(s.enforcement.FindSuspensionReview, func(_ context.Context, x *greyline.SuspensionReview) (int64, error) { return x.OrgID, nil })(r, c)
}

// suspensionInput is an agency's decision on a raided licence.
type suspensionInput struct {
	Suspend bool   `json:"suspend"`
	Reason  string `json:"reason"`
	OrderNo string `json:"order_no"`
}

func (s *Server) apiSuspensionDecide(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	var in suspensionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rev, err := s.enforcement.DecideSuspension(r.Context(), id, in.Suspend, in.Reason, in.OrderNo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rev)
}

func (s *Server) apiLicenceSuspensions(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	revs, err := s.enforcement.SuspensionReviews(r.Context(), id, 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(revs, len(revs)))
}

// suspensionSubmit is the licence page's form for an agency's decision.
func (s *Server) suspensionSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	rev, err := s.enforcement.FindSuspensionReview(r.Context(), id)
	if err != nil {
		return err
	}
	r.SetPathValue("id", strconv.FormatInt(rev.LicenceID, 10))
	return s.licenceAction(w, r, c, "suspension-decided", func(int64) error {
		_, err := s.enforcement.DecideSuspension(r.Context(), id, r.PostFormValue("decision") == "suspend", r.PostFormValue("reason"), r.PostFormValue("order_no"))
		return err
	})
}
