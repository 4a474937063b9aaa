package server

// Operation Grey's pages: operations, their raids, one raid with its
// arrests, seizures and FIRs, and an FIR with its court stage.

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

type operationsPage struct {
	Page
	Operations []*greyline.Operation
	CanRecord  bool
	Today      string
}

func (s *Server) operationsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	ops, err := s.enforcement.ListOperations(r.Context())
	if err != nil {
		return err
	}
	p := &operationsPage{Page: s.page(c, "Operations"), Operations: ops, CanRecord: c.can(access.EnforcementRecord, nil), Today: s.now().In(greyline.Karachi).Format("2006-01-02")}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "operations", p)
	return nil
}

// formDate reads a YYYY-MM-DD field as a Karachi day.
func formDate(r *http.Request, field string, v *greyline.Validation) time.Time {
	raw := strings.TrimSpace(r.PostFormValue(field))
	if raw == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02", raw, greyline.Karachi)
	if err != nil {
		v.Add(field, "must be a date written YYYY-MM-DD")
	}
	return t
}

// formDateTime reads a datetime-local field as Karachi time.
func formDateTime(r *http.Request, field string, v *greyline.Validation) time.Time {
	raw := strings.TrimSpace(r.PostFormValue(field))
	if raw == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", raw, greyline.Karachi)
	if err != nil {
		v.Add(field, "must be a date and time")
	}
	return t
}

func (s *Server) operationSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var v greyline.Validation
	o := greyline.Operation{Name: r.PostFormValue("name"), Scope: r.PostFormValue("scope"), StartsOn: formDate(r, "starts_on", &v)}
	err := v.Err()
	if err == nil {
		err = s.enforcement.CreateOperation(r.Context(), &o)
	}
	if err != nil {
		ops, lerr := s.enforcement.ListOperations(r.Context())
		if lerr != nil {
			return lerr
		}
		p := &operationsPage{Page: s.page(c, "Operations"), Operations: ops, CanRecord: true, Today: s.now().In(greyline.Karachi).Format("2006-01-02")}
		return s.formError(w, r, c, "operations", p, err)
	}
	return redirect(w, r, "/operations/"+strconv.FormatInt(o.ID, 10)+"?done=operation-created")
}

type operationPage struct {
	Page
	Op        *greyline.Operation
	Raids     []*greyline.Raid
	CanRecord bool
	Provinces []greyline.Province
	Outcomes  []greyline.RaidOutcome
	Now       string
	Totals    struct {
		Raids           int
		Scam, Recovered int64
	}
}

func (s *Server) loadOperationPage(r *http.Request, c *reqCtx) (*operationPage, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	op, err := s.enforcement.FindOperation(r.Context(), id)
	if err != nil {
		return nil, err
	}
	raids, err := s.enforcement.ListRaids(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := &operationPage{Page: s.page(c, op.Name), Op: op, Raids: raids, CanRecord: c.can(access.EnforcementRecord, nil),
		Provinces: greyline.Provinces, Outcomes: greyline.RaidOutcomes, Now: s.now().In(greyline.Karachi).Format("2006-01-02T15:04")}
	for _, rd := range raids {
		p.Totals.Raids++
		p.Totals.Scam += rd.ScamPaisa
		p.Totals.Recovered += rd.RecoveredPaisa
	}
	p.Flash = flash(r)
	return p, nil
}

func (s *Server) operationPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadOperationPage(r, c)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "operation", p)
	return nil
}

func (s *Server) raidSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	var v greyline.Validation
	f := r.PostFormValue
	raid := greyline.Raid{OperationID: id, At: formDateTime(r, "at", &v), City: f("city"), Province: greyline.Province(f("province")), Address: f("address"),
		Team: f("team"), Outcome: greyline.RaidOutcome(f("outcome")), Notes: f("notes")}
	for _, m := range []struct {
		field string
		to    *int64
	}{{"scam_value", &raid.ScamPaisa}, {"recovered", &raid.RecoveredPaisa}, {"returned", &raid.ReturnedPaisa}} {
		if raw := strings.TrimSpace(f(m.field)); raw != "" {
			p, err := greyline.ParseRupees(raw)
			if err != nil {
				v.Add(m.field, err.Error())
			}
			*m.to = p
		}
	}
	err := v.Err()
	if err == nil {
		err = s.enforcement.RecordRaid(r.Context(), &raid)
	}
	if err != nil {
		p, perr := s.loadOperationPage(r, c)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "operation", p, renameMoney(err))
	}
	return redirect(w, r, "/raids/"+strconv.FormatInt(raid.ID, 10)+"?done=raid-recorded")
}

// renameMoney names the form's rupee fields in errors about paisa.
func renameMoney(err error) error {
	fields := greyline.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	var v greyline.Validation
	names := map[string]string{"scam_value_paisa": "scam_value", "recovered_paisa": "recovered", "returned_paisa": "returned"}
	for _, fe := range fields {
		if n, ok := names[fe.Field]; ok {
			fe.Field = n
		}
		v.Add(fe.Field, fe.Reason)
	}
	return v.Err()
}

type raidPage struct {
	Page
	Networks  []int64 // the fraud networks of the complaints that led to it
	Raid      *greyline.RaidRecord
	Op        *greyline.Operation
	CanRecord bool
	CanReveal bool
	Stages    []greyline.CourtStage
}

func (s *Server) raidPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rec, err := s.enforcement.FindRaid(r.Context(), id)
	if err != nil {
		return err
	}
	p := &raidPage{Page: s.page(c, "Raid in "+rec.City), Raid: rec, CanRecord: c.can(access.EnforcementRecord, nil),
		CanReveal: c.can(access.EnforcementReveal, nil), Stages: greyline.CourtStages}
	seen := map[int64]bool{}
	for _, cid := range rec.Complaints {
		if n, ok := s.nets.Engine().NetworkOf(cid); ok && !seen[n] {
			seen[n] = true
			p.Networks = append(p.Networks, n)
		}
	}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "raid", p)
	return nil
}

// firStageSubmit moves an FIR's case to another court stage.
func (s *Server) firStageSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, _ := pathID(r, "id")
	var v greyline.Validation
	version := formInt(r, "version", 0, &v)
	if err := v.Err(); err != nil {
		return err
	}
	f, err := s.enforcement.SetCourtStage(r.Context(), id, version, greyline.CourtStage(r.PostFormValue("stage")), r.PostFormValue("note"))
	if err != nil {
		return err
	}
	if r.PostFormValue("back") == "firs" || f.RaidID == 0 {
		return redirect(w, r, "/firs?done=stage-changed")
	}
	return redirect(w, r, "/raids/"+strconv.FormatInt(f.RaidID, 10)+"?done=stage-changed")
}

type firsPage struct {
	Page
	FIRs      []*greyline.FIR
	CanRecord bool
	Stages    []greyline.CourtStage
}

func (s *Server) firsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	firs, err := s.enforcement.ListFIRs(r.Context())
	if err != nil {
		return err
	}
	p := &firsPage{Page: s.page(c, "FIRs and court stages"), FIRs: firs, CanRecord: c.can(access.EnforcementRecord, nil), Stages: greyline.CourtStages}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "firs", p)
	return nil
}

type personPage struct {
	Page
	P *greyline.Suspect
}

// personPage shows a raided person in full; the read is audited.
func (s *Server) personPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.enforcement.RevealSuspect(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "person", &personPage{Page: s.page(c, p.Name), P: p})
	return nil
}
