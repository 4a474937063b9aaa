package server

// Operation Grey's API: operations, raids, persons, arrests, FIRs,
// seizures and court stages, for NCCIA's investigators.

import (
	"net/http"
	"strconv"

	"github.com/greyline/greyline"
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
