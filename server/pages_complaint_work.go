package server

// The staff's complaint pages: the triage, assignment and investigator
// queues, and the complaint view where an analyst reviews identifiers and
// an investigator moves the complaint along.

import (
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/access"
)

// complaintQueue is one tab of the complaints page.
type complaintQueue struct {
	Key, Label, Hint string
	filter           greyline.ComplaintFilter
}

type complaintsPage struct {
	Page
	Queues     []complaintQueue
	Current    complaintQueue
	Complaints []*greyline.Complaint
	Circles    []string
	Circle     string
	Status     string
	Statuses   []greyline.ComplaintStatus
}

// complaintQueues are the tabs a caller may use: triage and assignment for
// those who triage, "mine" for investigators, and every complaint for all
// who may view them (partners: only those they sent).
func (s *Server) complaintQueues(c *reqCtx) []complaintQueue {
	var qs []complaintQueue
	if c.can(access.ComplaintTriage, nil) {
		qs = append(qs,
			complaintQueue{Key: "triage", Label: "To triage", Hint: "New complaints: confirm the kind of fraud, set a priority and route to a circle.", filter: greyline.ComplaintFilter{Status: greyline.ComplaintReceived}},
			complaintQueue{Key: "assign", Label: "To assign", Hint: "Triaged complaints waiting for an investigator.", filter: greyline.ComplaintFilter{Status: greyline.ComplaintTriaged}})
	}
	if c.can(access.ComplaintWork, nil) {
		qs = append(qs, complaintQueue{Key: "mine", Label: "Assigned to me", Hint: "Complaints you are investigating.", filter: greyline.ComplaintFilter{AssignedTo: c.user.ID}})
	}
	return append(qs, complaintQueue{Key: "all", Label: "All complaints", Hint: "Every complaint, oldest first."})
}

func (s *Server) complaintsPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	q := r.URL.Query()
	p := &complaintsPage{Page: s.page(c, "Complaints"), Queues: s.complaintQueues(c), Circles: s.circles.Names(),
		Statuses: []greyline.ComplaintStatus{greyline.ComplaintReceived, greyline.ComplaintTriaged, greyline.ComplaintAssigned, greyline.ComplaintEnquiry, greyline.ComplaintCaseRegistered, greyline.ComplaintClosed}}
	p.Current = p.Queues[0]
	for _, qu := range p.Queues {
		if qu.Key == q.Get("view") {
			p.Current = qu
		}
	}
	f := p.Current.filter
	if circle := q.Get("circle"); circle != "" {
		if !s.circles.Has(circle) {
			return greyline.Invalid("circle", "is not an NCCIA circle")
		}
		f.Circle, p.Circle = circle, circle
	}
	if st := q.Get("status"); st != "" && p.Current.Key == "all" {
		if !slices.Contains(p.Statuses, greyline.ComplaintStatus(st)) {
			return greyline.Invalid("status", "is not a complaint status")
		}
		f.Status, p.Status = greyline.ComplaintStatus(st), st
	}
	if !c.can(access.ComplaintView, &access.Record{OrgID: -1}) {
		f.SourceOrg = c.user.OrgID // partners: only what they sent
	}
	f.Limit = 200
	var err error
	if p.Complaints, err = s.complaints.ListComplaints(r.Context(), f); err != nil {
		return err
	}
	p.Flash = flash(r)
	s.render(w, r, c, http.StatusOK, "complaints", p)
	return nil
}

// narrativePart is a piece of a narrative; Mark is set on the text an
// identifier was extracted from.
type narrativePart struct {
	Text string
	Mark bool
	Type string
}

type complaintPage struct {
	Page
	C             *greyline.Complaint
	Category      greyline.Category
	Narrative     []narrativePart
	Revealed      bool
	History       []*greyline.ComplaintEvent
	Investigators []*greyline.User
	AssignedName  string
	Categories    []greyline.Category
	Circles       []string
	RoutedCircle  string
	Priorities    []string
	Reasons       []string
	// Raids and FIRs that answer the complaint (for enforcement staff).
	Raids []*greyline.Raid
	FIRs  []*greyline.FIR
	// NewTrackingCode is shown once, just after it was issued.
	NewTrackingCode string
	// What the caller may do here.
	CanReveal, CanTriage, CanWork, CanReview, CanAttach, CanHistory bool
}

func (s *Server) loadComplaintPage(r *http.Request, c *reqCtx, reveal bool) (*complaintPage, error) {
	id, _ := pathID(r, "id")
	var comp *greyline.Complaint
	var err error
	if reveal {
		comp, err = s.complaints.RevealComplaint(r.Context(), id) // audited
	} else {
		comp, err = s.complaints.FindComplaint(r.Context(), id)
	}
	if err != nil {
		return nil, err
	}
	rec := &access.Record{OrgID: comp.SourceOrgID}
	p := &complaintPage{Page: s.page(c, "Complaint "+comp.Reference), C: comp, Revealed: reveal,
		Categories: greyline.Categories, Circles: s.circles.Names(), RoutedCircle: s.circles.For(comp.Complainant.City),
		Priorities: greyline.Priorities, Reasons: greyline.ClosureReasons,
		CanReveal: c.can(access.ComplaintReveal, rec), CanTriage: c.can(access.ComplaintTriage, rec), CanWork: c.can(access.ComplaintWork, rec),
		CanReview: c.can(access.ComplaintReview, rec), CanAttach: c.can(access.ComplaintAttach, rec), CanHistory: c.can(access.ComplaintHistory, rec)}
	if c.can(access.EnforcementView, nil) {
		if p.Raids, p.FIRs, err = s.enforcement.CasesOf(r.Context(), []int64{comp.ID}); err != nil {
			return nil, err
		}
	}
	p.Category, _ = greyline.CategoryByCode(comp.Category)
	p.Narrative = markNarrative(comp.Narrative, comp.Identifiers)
	if p.CanHistory {
		if p.History, err = s.complaints.ComplaintHistory(r.Context(), id); err != nil {
			return nil, err
		}
	}
	if p.CanTriage && (comp.Status == greyline.ComplaintTriaged || comp.Status == greyline.ComplaintAssigned) || comp.AssignedTo != 0 {
		inv, _, err := s.users.ListUsers(r.Context(), greyline.UserFilter{Role: greyline.RoleInvestigator, Active: true, Limit: 500})
		if err != nil {
			return nil, err
		}
		if p.CanTriage {
			p.Investigators = inv
		}
		for _, u := range inv {
			if u.ID == comp.AssignedTo {
				p.AssignedName = u.Name
			}
		}
	}
	p.Flash = flash(r)
	return p, nil
}

// markNarrative splits a narrative at the extracted identifiers' offsets.
func markNarrative(text string, ids []greyline.ComplaintIdentifier) []narrativePart {
	var spans []greyline.ComplaintIdentifier
	for _, ci := range ids {
		if ci.Source == "extracted" && ci.Start >= 0 && ci.End <= len(text) && ci.Start < ci.End {
			spans = append(spans, ci)
		}
	}
	slices.SortFunc(spans, func(a, b greyline.ComplaintIdentifier) int { return a.Start - b.Start })
	var out []narrativePart
	at := 0
	for _, sp := range spans {
		if sp.Start < at {
			continue // overlapping spans: keep the first
		}
		if sp.Start > at {
			out = append(out, narrativePart{Text: text[at:sp.Start]})
		}
		out = append(out, narrativePart{Text: text[sp.Start:sp.End], Mark: true, Type: sp.Type})
		at = sp.End
	}
	if at < len(text) {
		out = append(out, narrativePart{Text: text[at:]})
	}
	return out
}

func (s *Server) complaintPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadComplaintPage(r, c, false)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "complaint", p)
	return nil
}

// complainantPage shows the complainant in full; the read is audited.
func (s *Server) complainantPage(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	p, err := s.loadComplaintPage(r, c, true)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "complaint", p)
	return nil
}

// complaintAction runs a change and goes back to the complaint, or shows
// the page again with the problem named.
func (s *Server) complaintAction(w http.ResponseWriter, r *http.Request, c *reqCtx, done string, fn func(id int64) error) error {
	id, _ := pathID(r, "id")
	if err := fn(id); err != nil {
		p, perr := s.loadComplaintPage(r, c, false)
		if perr != nil {
			return perr
		}
		return s.formError(w, r, c, "complaint", p, err)
	}
	return redirect(w, r, "/complaints/"+strconv.FormatInt(id, 10)+"?done="+done)
}

// complaintChangeForm reads a workflow change from a form.
func complaintChangeForm(r *http.Request) (greyline.ComplaintChange, error) {
	var v greyline.Validation
	f := r.PostFormValue
	ch := greyline.ComplaintChange{To: greyline.ComplaintStatus(f("to")), Version: formInt(r, "version", 0, &v), Category: f("category"),
		Priority: f("priority"), Circle: f("circle"), Reason: f("reason"), FIR: f("fir"), Note: f("note"), Message: f("message")}
	if a := strings.TrimSpace(f("assign_to")); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n <= 0 {
			v.Add("assign_to", "choose an investigator")
		}
		ch.AssignTo = n
	}
	return ch, v.Err()
}

func (s *Server) complaintChangeSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx, allowed ...greyline.ComplaintStatus) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return s.complaintAction(w, r, c, "complaint-changed", func(id int64) error {
		ch, err := complaintChangeForm(r)
		if err != nil {
			return err
		}
		if !slices.Contains(allowed, ch.To) {
			return greyline.Invalid("to", "is not a step this form takes")
		}
		_, err = s.complaints.ChangeComplaint(r.Context(), id, ch)
		return err
	})
}

func (s *Server) complaintTriageSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.complaintChangeSubmit(w, r, c, greyline.ComplaintTriaged, greyline.ComplaintAssigned)
}

func (s *Server) complaintProgressSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.complaintChangeSubmit(w, r, c, greyline.ComplaintEnquiry, greyline.ComplaintCaseRegistered, greyline.ComplaintClosed)
}

func (s *Server) complaintIdentifierSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return s.complaintAction(w, r, c, "identifier-reviewed", func(id int64) error {
		iid, err := pathID(r, "iid")
		if err != nil {
			return err
		}
		_, err = s.complaints.ReviewIdentifier(r.Context(), id, iid, greyline.IdentifierStatus(r.PostFormValue("status")))
		return err
	})
}

func (s *Server) complaintDocumentSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	return s.complaintAction(w, r, c, "evidence-added", func(id int64) error {
		var d greyline.Document
		content, err := s.readUpload(r, &d)
		if err != nil {
			return err
		}
		_, err = s.complaints.AddComplaintDocument(r.Context(), id, greyline.Attachment{Filename: d.Filename, Content: content})
		return err
	})
}

// complaintDocument sends one of a complaint's files; the read is audited.
func (s *Server) complaintDocument(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	did, err := pathID(r, "did")
	if err != nil {
		return err
	}
	d, f, err := s.complaints.OpenComplaintDocument(r.Context(), id, did)
	if err != nil {
		return err
	}
	defer f.Close()
	sendFile(w, d, f)
	return nil
}

// formAttachments reads the files of a complaint form's "attachments" input.
func formAttachments(r *http.Request, limit int64) ([]greyline.Attachment, func(), error) {
	var out []greyline.Attachment
	var files []multipart.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	if r.MultipartForm == nil {
		return nil, closeAll, nil
	}
	hdrs := r.MultipartForm.File["attachments"]
	if len(hdrs) > maxFormAttachments {
		return nil, closeAll, greyline.Invalid("attachments", "attach at most "+strconv.Itoa(maxFormAttachments)+" files")
	}
	for _, h := range hdrs {
		if h.Size == 0 && h.Filename == "" {
			continue // the browser sends an empty part when no file is chosen
		}
		if h.Size > limit {
			return nil, closeAll, greyline.Invalid("attachments", h.Filename+" is larger than the limit")
		}
		f, err := h.Open()
		if err != nil {
			return nil, closeAll, greyline.Invalid("attachments", "could not be read")
		}
		files = append(files, f)
		out = append(out, greyline.Attachment{Filename: h.Filename, Content: io.Reader(f)})
	}
	return out, closeAll, nil
}

// maxFormAttachments is how many files the complaint forms take at once.
const maxFormAttachments = 3

// trackingCodeSubmit issues a new tracking code and shows it once, for the
// operator to read out to the complainant.
func (s *Server) trackingCodeSubmit(w http.ResponseWriter, r *http.Request, c *reqCtx) error {
	id, _ := pathID(r, "id")
	code, err := s.complaints.ReissueTrackingCode(r.Context(), id)
	if err != nil {
		return err
	}
	p, err := s.loadComplaintPage(r, c, false)
	if err != nil {
		return err
	}
	p.NewTrackingCode = code
	s.render(w, r, c, http.StatusOK, "complaint", p)
	return nil
}
